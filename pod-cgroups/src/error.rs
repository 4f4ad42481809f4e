//! The error type of pod-cgroups.

use std::path::PathBuf;

/// Everything that can go wrong detecting, creating, removing or reading cgroups.
#[derive(Debug, thiserror::Error)]
pub enum CgroupError {
    /// The cgroup root does not exist.
    #[error("cgroup root {} does not exist", .path.display())]
    RootMissing {
        /// The root given.
        path: PathBuf,
    },
    /// The cgroup root is not a directory.
    #[error("cgroup root {} is not a directory", .path.display())]
    NotADirectory {
        /// The root given.
        path: PathBuf,
    },
    /// Neither a cgroup2 hierarchy nor cgroup v1 controllers were found under the root.
    #[error("no cgroup hierarchy at {}: neither cgroup2 nor cgroup v1 controllers found", .path.display())]
    NoHierarchy {
        /// The root given.
        path: PathBuf,
    },
    /// `statfs` failed.
    #[error("failed to statfs {}: {source}", .path.display())]
    Statfs {
        /// The path.
        path: PathBuf,
        /// The errno.
        source: nix::Error,
    },
    /// Reading a cgroup file or listing a cgroup directory failed.
    #[error("failed to read {}: {source}", .path.display())]
    Read {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Writing a cgroup file failed.
    #[error("failed to write {value:?} to {}: {source}", .path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What was written.
        value: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Creating a cgroup directory failed.
    #[error("failed to create cgroup {}: {source}", .path.display())]
    Create {
        /// The cgroup directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Removing a cgroup directory failed.
    #[error("failed to remove cgroup {}: {source}", .path.display())]
    Remove {
        /// The cgroup directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A cgroup still has processes, so it cannot be removed.
    #[error("cannot remove cgroup {}: it still has processes", .path.display())]
    Busy {
        /// The cgroup directory.
        path: PathBuf,
    },
    /// A cgroup parent that is not a plain path below the root (`..`, empty components).
    #[error("invalid cgroup parent {0:?}: must be a path like /podctl/pod_<id> without '..'")]
    InvalidParent(String),
    /// A cgroup file whose content could not be parsed.
    #[error("unexpected content {value:?} in {}", .path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The offending text.
        value: String,
    },
    /// Stats were asked for a container of a pod without a cgroup parent.
    #[error("container {0} has no cgroup of its own: its pod has no cgroup parent")]
    NoParent(String),
    /// The container's cgroup does not exist.
    #[error("no cgroup for container {container} at {}", .path.display())]
    NoSuchCgroup {
        /// The container id.
        container: String,
        /// Where it was looked for.
        path: PathBuf,
    },
    /// A blocking cgroup task panicked or was cancelled.
    #[error("cgroup task failed: {0}")]
    Task(String),
}

impl From<CgroupError> for pod_core::Error {
    fn from(e: CgroupError) -> Self {
        pod_core::Error::cgroup(e)
    }
}
