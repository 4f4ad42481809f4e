//! # pod-state
//!
//! State stores for podctl, both implementing [`pod_core::StateStore`]:
//!
//! - [`SqliteStore`], the embedded default: `state.db` (SQLite, WAL, IMMEDIATE write
//!   transactions, schema migrations) and per-pod `flock` lock files under a state
//!   directory, safe for many `podctl` processes at once;
//! - [`MemoryStore`], in memory, for tests and embedders.
//!
//! Lookups accept a name, a full id or a unique id prefix, in that order.
//!
//! ```
//! use pod_core::{ExitPolicy, Name, PodConfig, PodId, StateStore};
//! use pod_state::SqliteStore;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = std::env::temp_dir().join(format!("pod-state-doc-{}", std::process::id()));
//! let store = SqliteStore::open(&dir)?;
//! let pod = PodConfig {
//!     id: PodId::random(),
//!     name: Name::parse("web")?,
//!     labels: Default::default(),
//!     hostname: "web".into(),
//!     created: chrono::Utc::now(),
//!     create_command: vec!["podctl".into(), "pod".into(), "create".into()],
//!     exit_policy: ExitPolicy::Continue,
//!     shared_namespaces: Default::default(),
//!     infra_container_id: None,
//!     cgroup_parent: "/podctl".into(),
//! };
//! let rt = tokio::runtime::Builder::new_current_thread().build()?;
//! rt.block_on(async {
//!     store.add_pod(&pod).await?;
//!     let _lock = store.lock_pod(&pod.id).await?; // exclusive, also across processes
//!     let found = store.lookup_pod(&pod.id.as_str()[..8]).await?; // a unique id prefix
//!     assert_eq!(found.name.as_str(), "web");
//!     Ok::<_, pod_core::Error>(())
//! })?;
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok(())
//! # }
//! ```

mod error;
mod lookup;
mod memory;
mod sqlite;

pub use error::StateError;
pub use memory::MemoryStore;
pub use sqlite::{SqliteStore, DB_FILE, LOCKS_DIR};
