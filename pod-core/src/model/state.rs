//! Container states with transition guards, and the derived pod status.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The lifecycle state of a container, as podman names them.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum ContainerState {
    /// Stored, never created in the runtime.
    #[default]
    Configured,
    /// Created in the runtime (process waiting to exec).
    Created,
    /// Running.
    Running,
    /// Frozen.
    Paused,
    /// A stop is in progress.
    Stopping,
    /// Stopped; runtime resources may still be held.
    Stopped,
    /// Exited and cleaned up.
    Exited,
    /// Being removed.
    Removing,
    /// The state could not be determined.
    Unknown,
}

impl ContainerState {
    /// All states, in declaration order.
    pub const ALL: [ContainerState; 9] = [
        Self::Configured,
        Self::Created,
        Self::Running,
        Self::Paused,
        Self::Stopping,
        Self::Stopped,
        Self::Exited,
        Self::Removing,
        Self::Unknown,
    ];

    /// The lowercase name, as stored and printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Configured => "configured",
            Self::Created => "created",
            Self::Running => "running",
            Self::Paused => "paused",
            Self::Stopping => "stopping",
            Self::Stopped => "stopped",
            Self::Exited => "exited",
            Self::Removing => "removing",
            Self::Unknown => "unknown",
        }
    }

    /// Parses the lowercase name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Can the runtime container be created (`init`) from this state?
    pub fn can_init(self) -> bool {
        matches!(self, Self::Configured | Self::Stopped | Self::Exited)
    }

    /// Can the container be started from this state (re-creating it when needed)?
    pub fn can_start(self) -> bool {
        matches!(
            self,
            Self::Configured | Self::Created | Self::Stopped | Self::Exited
        )
    }

    /// Can a stop be sent in this state?
    pub fn can_stop(self) -> bool {
        matches!(
            self,
            Self::Running | Self::Paused | Self::Stopping | Self::Created
        )
    }

    /// Can a signal be delivered in this state?
    pub fn can_kill(self) -> bool {
        matches!(self, Self::Running | Self::Stopping | Self::Paused)
    }

    /// Can the container be frozen?
    pub fn can_pause(self) -> bool {
        matches!(self, Self::Running)
    }

    /// Can the container be thawed?
    pub fn can_unpause(self) -> bool {
        matches!(self, Self::Paused)
    }

    /// Can the container be removed without force?
    pub fn can_remove(self) -> bool {
        matches!(
            self,
            Self::Configured | Self::Created | Self::Stopped | Self::Exited | Self::Unknown
        )
    }

    /// Does a process exist for this container in the runtime?
    pub fn is_active(self) -> bool {
        matches!(self, Self::Running | Self::Paused | Self::Stopping)
    }

    /// Stopped or exited.
    pub fn is_stopped(self) -> bool {
        matches!(self, Self::Stopped | Self::Exited)
    }
}

impl fmt::Display for ContainerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The runtime record of a container: its state and what happened to it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerStatus {
    /// Current state.
    pub state: ContainerState,
    /// The container's init pid while it exists in the runtime.
    pub pid: Option<i32>,
    /// The pid of its monitor process.
    pub monitor_pid: Option<i32>,
    /// Exit code of the last run.
    pub exit_code: Option<i32>,
    /// When the last run started.
    pub started_at: Option<DateTime<Utc>>,
    /// When the last run finished.
    pub finished_at: Option<DateTime<Utc>>,
    /// Was the last run killed by the OOM killer?
    pub oom_killed: bool,
    /// The last error seen for this container.
    pub error: Option<String>,
}

/// A pod's status, derived from its (non-init) containers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PodStatus {
    /// No container ran yet.
    Created,
    /// Every container runs.
    Running,
    /// Some containers run.
    Degraded,
    /// Every container is paused.
    Paused,
    /// Every container stopped or exited.
    Exited,
    /// Some containers stopped or exited.
    Stopped,
    /// Some container is in a transient or unknown state.
    Error,
}

impl PodStatus {
    /// The name podman prints (`Running`, `Degraded`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "Created",
            Self::Running => "Running",
            Self::Degraded => "Degraded",
            Self::Paused => "Paused",
            Self::Exited => "Exited",
            Self::Stopped => "Stopped",
            Self::Error => "Error",
        }
    }

    /// Derives the status from container states (init containers already excluded),
    /// following SPEC.md's rules in order.
    pub fn from_states<I: IntoIterator<Item = ContainerState>>(states: I) -> Self {
        let states: Vec<ContainerState> = states.into_iter().collect();
        let n = states.len();
        let count = |f: &dyn Fn(ContainerState) -> bool| states.iter().filter(|s| f(**s)).count();
        let running = count(&|s| s == ContainerState::Running);
        let paused = count(&|s| s == ContainerState::Paused);
        let stopped = count(&|s| s.is_stopped());
        let error = count(&|s| {
            matches!(
                s,
                ContainerState::Stopping | ContainerState::Removing | ContainerState::Unknown
            )
        });
        if n == 0 {
            Self::Created
        } else if running == n {
            Self::Running
        } else if running > 0 {
            Self::Degraded
        } else if paused == n {
            Self::Paused
        } else if stopped == n {
            Self::Exited
        } else if stopped > 0 {
            Self::Stopped
        } else if error > 0 {
            Self::Error
        } else {
            Self::Created
        }
    }
}

impl fmt::Display for PodStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ContainerState::*;
    use super::*;

    #[test]
    fn pod_status_rules_in_order() {
        let table: &[(&[ContainerState], PodStatus)] = &[
            // 1. no containers
            (&[], PodStatus::Created),
            // 2. all running
            (&[Running, Running], PodStatus::Running),
            // 3. any running
            (&[Running, Exited], PodStatus::Degraded),
            (&[Running, Paused, Unknown], PodStatus::Degraded),
            // 4. all paused
            (&[Paused, Paused], PodStatus::Paused),
            // 5. all stopped/exited
            (&[Stopped, Exited], PodStatus::Exited),
            // 6. any stopped/exited
            (&[Stopped, Paused], PodStatus::Stopped),
            (&[Exited, Unknown], PodStatus::Stopped),
            // 7. any stopping/removing/unknown
            (&[Stopping, Created], PodStatus::Error),
            (&[Removing], PodStatus::Error),
            (&[Unknown, Paused], PodStatus::Error),
            // 8. otherwise
            (&[Created, Configured], PodStatus::Created),
            (&[Created, Paused], PodStatus::Created),
        ];
        for (states, want) in table {
            assert_eq!(
                PodStatus::from_states(states.iter().copied()),
                *want,
                "{states:?}"
            );
        }
    }

    #[test]
    fn state_names_round_trip() {
        for s in ContainerState::ALL {
            assert_eq!(ContainerState::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
    }

    #[test]
    fn guards() {
        assert!(Running.can_pause() && !Paused.can_pause());
        assert!(Paused.can_unpause() && !Running.can_unpause());
        assert!(Exited.can_start() && !Running.can_start());
        assert!(Paused.can_kill() && !Exited.can_kill());
        assert!(!Running.can_remove() && Exited.can_remove());
    }
}
