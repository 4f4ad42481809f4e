//! A dependency-driven scheduler: runs one operation per container, each as soon as
//! every container it waits for has succeeded, independent ones concurrently (tokio
//! `JoinSet`, at most `parallelism` at once). Works on a current-thread runtime too.
//!
//! Start waits for dependencies; stop waits for dependents. When an operation fails,
//! every container waiting on it (transitively) is not run and gets the `blocked`
//! error instead.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::future::Future;

use tokio::task::JoinSet;

use crate::error::{Error, Result};
use crate::model::ContainerId;

/// One unit of work: a container, its name (the key of the error map) and the
/// containers that must succeed before it runs. Waits on containers outside the job
/// list are ignored (they are considered done).
#[derive(Clone, Debug)]
pub(crate) struct Job {
    pub(crate) id: ContainerId,
    pub(crate) name: String,
    pub(crate) waits: Vec<ContainerId>,
}

/// Runs `op` for every job in dependency order; returns the errors by container name.
pub(crate) async fn run<F, Fut>(
    jobs: Vec<Job>,
    parallelism: usize,
    op: F,
    blocked: fn(String) -> Error,
) -> BTreeMap<String, Error>
where
    F: Fn(ContainerId) -> Fut,
    Fut: Future<Output = Result<()>> + Send + 'static,
{
    let parallelism = parallelism.max(1);
    let ids: HashSet<ContainerId> = jobs.iter().map(|j| j.id.clone()).collect();
    let names: HashMap<ContainerId, String> = jobs
        .iter()
        .map(|j| (j.id.clone(), j.name.clone()))
        .collect();
    let mut pending: HashMap<ContainerId, usize> = HashMap::new();
    let mut waiters: HashMap<ContainerId, Vec<ContainerId>> = HashMap::new();
    let mut ready: VecDeque<ContainerId> = VecDeque::new();
    for j in &jobs {
        let mut n = 0;
        let mut seen = HashSet::new();
        for w in &j.waits {
            if ids.contains(w) && w != &j.id && seen.insert(w) {
                n += 1;
                waiters.entry(w.clone()).or_default().push(j.id.clone());
            }
        }
        if n == 0 {
            ready.push_back(j.id.clone());
        } else {
            pending.insert(j.id.clone(), n);
        }
    }

    let mut errors = BTreeMap::new();
    let mut failed: HashSet<ContainerId> = HashSet::new();
    let mut set = JoinSet::new();
    let mut running: HashMap<tokio::task::Id, ContainerId> = HashMap::new();
    loop {
        while set.len() < parallelism {
            let Some(id) = ready.pop_front() else { break };
            let handle = set.spawn(op(id.clone()));
            running.insert(handle.id(), id);
        }
        let Some(joined) = set.join_next_with_id().await else {
            break;
        };
        let (task, result) = match joined {
            Ok((task, r)) => (task, r),
            Err(e) => (
                e.id(),
                Err(Error::runtime(format!("container task failed: {e}"))),
            ),
        };
        let Some(id) = running.remove(&task) else {
            continue;
        };
        match result {
            Ok(()) => {
                for w in waiters.get(&id).cloned().unwrap_or_default() {
                    if failed.contains(&w) {
                        continue;
                    }
                    if let Some(n) = pending.get_mut(&w) {
                        *n -= 1;
                        if *n == 0 {
                            pending.remove(&w);
                            ready.push_back(w);
                        }
                    }
                }
            }
            Err(e) => {
                let name = names.get(&id).cloned().unwrap_or_else(|| id.to_string());
                errors.insert(name, e);
                let mut stack = waiters.get(&id).cloned().unwrap_or_default();
                while let Some(w) = stack.pop() {
                    if !failed.insert(w.clone()) {
                        continue;
                    }
                    pending.remove(&w);
                    let wname = names.get(&w).cloned().unwrap_or_else(|| w.to_string());
                    errors.insert(wname.clone(), blocked(wname));
                    stack.extend(waiters.get(&w).cloned().unwrap_or_default());
                }
            }
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    use super::*;

    fn id(n: u8) -> ContainerId {
        ContainerId::parse(&format!("{n:02x}").repeat(32)).unwrap()
    }

    fn job(n: u8, waits: &[u8]) -> Job {
        Job {
            id: id(n),
            name: format!("c{n}"),
            waits: waits.iter().map(|w| id(*w)).collect(),
        }
    }

    #[tokio::test]
    async fn respects_order_and_bound() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let inflight = Arc::new(AtomicUsize::new(0));
        let max = Arc::new(AtomicUsize::new(0));
        let jobs = vec![
            job(1, &[]),
            job(2, &[1]),
            job(3, &[1]),
            job(4, &[1]),
            job(5, &[2, 3, 4]),
        ];
        let errors = run(
            jobs,
            2,
            |cid| {
                let log = log.clone();
                let inflight = inflight.clone();
                let max = max.clone();
                async move {
                    let now = inflight.fetch_add(1, Ordering::SeqCst) + 1;
                    max.fetch_max(now, Ordering::SeqCst);
                    tokio::task::yield_now().await;
                    log.lock().unwrap().push(cid);
                    inflight.fetch_sub(1, Ordering::SeqCst);
                    Ok(())
                }
            },
            Error::DependencyFailed,
        )
        .await;
        assert!(errors.is_empty());
        let log = log.lock().unwrap().clone();
        assert_eq!(log.first(), Some(&id(1)));
        assert_eq!(log.last(), Some(&id(5)));
        assert_eq!(log.len(), 5);
        assert_eq!(max.load(Ordering::SeqCst), 2, "bounded by parallelism");
    }

    #[tokio::test]
    async fn failure_blocks_transitive_waiters_only() {
        let ran = Arc::new(Mutex::new(Vec::new()));
        let jobs = vec![
            job(1, &[]),
            job(2, &[1]),
            job(3, &[2]),
            job(4, &[]),
            job(5, &[4, 3]),
        ];
        let errors = run(
            jobs,
            4,
            |cid| {
                let ran = ran.clone();
                async move {
                    ran.lock().unwrap().push(cid.clone());
                    if cid == id(1) {
                        Err(Error::InvalidArgument("boom".into()))
                    } else {
                        Ok(())
                    }
                }
            },
            Error::DependencyFailed,
        )
        .await;
        let keys: Vec<&String> = errors.keys().collect();
        assert_eq!(keys, ["c1", "c2", "c3", "c5"]);
        assert_eq!(errors["c1"].to_string(), "boom");
        assert_eq!(
            errors["c5"].to_string(),
            "a dependency of container c5 failed to start"
        );
        let mut ran = ran.lock().unwrap().clone();
        ran.sort();
        assert_eq!(ran, [id(1), id(4)]);
    }

    #[tokio::test]
    async fn panicking_task_is_an_error() {
        let errors = run(
            vec![job(1, &[]), job(2, &[1])],
            1,
            |cid| async move {
                if cid == id(1) {
                    panic!("task blew up");
                }
                Ok(())
            },
            Error::DependencyFailed,
        )
        .await;
        assert!(errors["c1"].to_string().contains("container task failed"));
        assert!(matches!(errors["c2"], Error::DependencyFailed(_)));
    }
}
