//! The error type of pod-state.

use std::io;
use std::path::PathBuf;

/// Everything a state store can fail with.
///
/// Converts into [`pod_core::Error`]: the lookup and uniqueness errors (`Core`) become
/// the matching core variants (`NoSuchPod`, `Ambiguous`, `PodExists`, ...), everything
/// else becomes [`pod_core::Error::Store`].
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The state directory (or its `locks/` subdirectory) could not be created or used.
    #[error("cannot create state directory {path}: {source}")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The database file could not be created or its mode set.
    #[error("cannot create state database {path}: {source}")]
    CreateDb {
        /// The database file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// SQLite could not open the database.
    #[error("cannot open state database {path}: {source}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// Why.
        source: rusqlite::Error,
    },
    /// The file is not an SQLite database, or it is damaged; it was left untouched.
    #[error("{path} is not a podctl state database (not an SQLite database, or corrupt); the file was left untouched: {source}")]
    NotADatabase {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The database or its directory cannot be written.
    #[error("state database {path} is read-only: {detail}")]
    ReadOnly {
        /// The database file.
        path: PathBuf,
        /// What failed.
        detail: String,
    },
    /// The database was written by a newer podctl.
    #[error("state database at {path} has schema version {found}, newer than this podctl supports ({supported})")]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// The version found.
        found: i64,
        /// The newest version this binary knows.
        supported: i64,
    },
    /// A query failed.
    #[error("state database {path}: {source}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// A stored record could not be decoded.
    #[error("state database {path}: corrupt record {what}: {detail}")]
    Decode {
        /// The database file.
        path: PathBuf,
        /// Which record.
        what: String,
        /// Why.
        detail: String,
    },
    /// A record could not be encoded for storage.
    #[error("cannot encode {what} for the state database: {detail}")]
    Encode {
        /// Which record.
        what: String,
        /// Why.
        detail: String,
    },
    /// A pod lock file could not be opened or locked.
    #[error("cannot lock {path}: {source}")]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// An insert with an id that is already stored.
    #[error("{kind} id {id} already exists")]
    DuplicateId {
        /// `pod` or `container`.
        kind: &'static str,
        /// The id.
        id: String,
    },
    /// A blocking store task panicked or was cancelled.
    #[error("state store task failed: {0}")]
    Task(String),
    /// A lookup or uniqueness error, kept as the core variant.
    #[error(transparent)]
    Core(#[from] pod_core::Error),
}

impl From<StateError> for pod_core::Error {
    fn from(e: StateError) -> Self {
        match e {
            StateError::Core(core) => core,
            other => pod_core::Error::store(other),
        }
    }
}
