//! Pod operations, one concern per file. Each writing operation takes the pod's lock
//! for its whole duration; reads (`status`, `inspect`, `list`) never take it.

mod create;
mod inspect;
mod kill;
mod pause;
mod restart;
mod rm;
mod start;
pub(crate) mod status;
mod stop;
