//! An in-memory [`StateStore`]: for tests and embedders that keep no state on disk.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use pod_core::{
    Container, ContainerConfig, ContainerId, ContainerStatus, Event, PodConfig, PodId, PodLock,
    Result, StateStore,
};

use crate::error::StateError;
use crate::lookup::{resolve, Kind};

#[derive(Default)]
struct Data {
    pods: HashMap<PodId, PodConfig>,
    containers: HashMap<ContainerId, Container>,
    events: Vec<Event>,
}

/// A [`StateStore`] kept in memory, with per-pod locks that exclude within the process.
///
/// Same behavior as [`crate::SqliteStore`] (both run one test suite), minus persistence.
#[derive(Default)]
pub struct MemoryStore {
    data: Mutex<Data>,
    locks: Mutex<HashMap<PodId, Arc<tokio::sync::Mutex<()>>>>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = self.data();
        f.debug_struct("MemoryStore")
            .field("pods", &d.pods.len())
            .field("containers", &d.containers.len())
            .field("events", &d.events.len())
            .finish()
    }
}

fn by_created<T>(
    key: impl Fn(&T) -> (DateTime<Utc>, &str),
) -> impl Fn(&T, &T) -> std::cmp::Ordering {
    move |a, b| key(a).cmp(&key(b))
}

fn pod_key(p: &PodConfig) -> (DateTime<Utc>, &str) {
    (p.created, p.id.as_str())
}

fn ctr_key(c: &Container) -> (DateTime<Utc>, &str) {
    (c.config.created, c.config.id.as_str())
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn data(&self) -> MutexGuard<'_, Data> {
        // A panic while holding the lock cannot leave the maps half-updated (every
        // update is a single insert/remove after its checks), so poisoning is ignored.
        self.data.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lock_map(&self) -> MutexGuard<'_, HashMap<PodId, Arc<tokio::sync::Mutex<()>>>> {
        self.locks.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Every pod with its containers, pods and containers oldest first.
    pub fn list_all(&self) -> Vec<(PodConfig, Vec<Container>)> {
        let d = self.data();
        let mut pods: Vec<PodConfig> = d.pods.values().cloned().collect();
        pods.sort_by(by_created(pod_key));
        let mut by_pod: HashMap<&PodId, Vec<Container>> = HashMap::new();
        for c in d.containers.values() {
            if let Some(p) = &c.config.pod {
                by_pod.entry(p).or_default().push(c.clone());
            }
        }
        pods.into_iter()
            .map(|p| {
                let mut ctrs = by_pod.remove(&p.id).unwrap_or_default();
                ctrs.sort_by(by_created(ctr_key));
                (p, ctrs)
            })
            .collect()
    }
}

impl Data {
    fn pod_name_taken(&self, name: &str, except: &PodId) -> bool {
        self.pods
            .values()
            .any(|p| p.name.as_str() == name && &p.id != except)
    }

    fn ids_with_prefix<'a, K: AsRef<str> + 'a>(
        keys: impl Iterator<Item = &'a K>,
        prefix: &str,
    ) -> Vec<String> {
        keys.map(AsRef::as_ref)
            .filter(|k| k.starts_with(prefix))
            .map(str::to_owned)
            .collect()
    }
}

#[async_trait]
impl StateStore for MemoryStore {
    async fn add_pod(&self, pod: &PodConfig) -> Result<()> {
        let mut d = self.data();
        if d.pod_name_taken(pod.name.as_str(), &pod.id) {
            return Err(Kind::Pod.exists(pod.name.as_str()));
        }
        if d.pods.contains_key(&pod.id) {
            return Err(StateError::DuplicateId {
                kind: "pod",
                id: pod.id.to_string(),
            }
            .into());
        }
        d.pods.insert(pod.id.clone(), pod.clone());
        Ok(())
    }

    async fn update_pod(&self, pod: &PodConfig) -> Result<()> {
        let mut d = self.data();
        if !d.pods.contains_key(&pod.id) {
            return Err(Kind::Pod.not_found(pod.id.as_str()));
        }
        if d.pod_name_taken(pod.name.as_str(), &pod.id) {
            return Err(Kind::Pod.exists(pod.name.as_str()));
        }
        d.pods.insert(pod.id.clone(), pod.clone());
        Ok(())
    }

    async fn remove_pod(&self, id: &PodId) -> Result<()> {
        {
            let mut d = self.data();
            if d.pods.remove(id).is_none() {
                return Err(Kind::Pod.not_found(id.as_str()));
            }
            d.containers
                .retain(|_, c| c.config.pod.as_ref() != Some(id));
        }
        // A locker waiting on the old mutex sees it is gone and takes a fresh one.
        self.lock_map().remove(id);
        Ok(())
    }

    async fn pod(&self, id: &PodId) -> Result<PodConfig> {
        self.data()
            .pods
            .get(id)
            .cloned()
            .ok_or_else(|| Kind::Pod.not_found(id.as_str()))
    }

    async fn lookup_pod(&self, name_or_id: &str) -> Result<PodConfig> {
        let d = self.data();
        resolve(
            Kind::Pod,
            name_or_id,
            |name| Ok(d.pods.values().find(|p| p.name.as_str() == name).cloned()),
            |prefix| Ok(Data::ids_with_prefix(d.pods.keys(), prefix)),
            |id| Ok(d.pods.values().find(|p| p.id.as_str() == id).cloned()),
        )
    }

    async fn list_pods(&self) -> Result<Vec<PodConfig>> {
        let mut pods: Vec<PodConfig> = self.data().pods.values().cloned().collect();
        pods.sort_by(by_created(pod_key));
        Ok(pods)
    }

    async fn add_container(&self, ctr: &ContainerConfig, status: &ContainerStatus) -> Result<()> {
        let mut d = self.data();
        if let Some(pod) = &ctr.pod {
            if !d.pods.contains_key(pod) {
                return Err(Kind::Pod.not_found(pod.as_str()));
            }
        }
        if d.containers
            .values()
            .any(|c| c.config.name == ctr.name && c.config.id != ctr.id)
        {
            return Err(Kind::Container.exists(ctr.name.as_str()));
        }
        if d.containers.contains_key(&ctr.id) {
            return Err(StateError::DuplicateId {
                kind: "container",
                id: ctr.id.to_string(),
            }
            .into());
        }
        d.containers.insert(
            ctr.id.clone(),
            Container {
                config: ctr.clone(),
                status: status.clone(),
            },
        );
        Ok(())
    }

    async fn remove_container(&self, id: &ContainerId) -> Result<()> {
        self.data()
            .containers
            .remove(id)
            .map(|_| ())
            .ok_or_else(|| Kind::Container.not_found(id.as_str()))
    }

    async fn container(&self, id: &ContainerId) -> Result<Container> {
        self.data()
            .containers
            .get(id)
            .cloned()
            .ok_or_else(|| Kind::Container.not_found(id.as_str()))
    }

    async fn lookup_container(&self, name_or_id: &str) -> Result<Container> {
        let d = self.data();
        resolve(
            Kind::Container,
            name_or_id,
            |name| {
                Ok(d.containers
                    .values()
                    .find(|c| c.config.name.as_str() == name)
                    .cloned())
            },
            |prefix| Ok(Data::ids_with_prefix(d.containers.keys(), prefix)),
            |id| {
                Ok(d.containers
                    .values()
                    .find(|c| c.config.id.as_str() == id)
                    .cloned())
            },
        )
    }

    async fn pod_containers(&self, pod: &PodId) -> Result<Vec<Container>> {
        let d = self.data();
        if !d.pods.contains_key(pod) {
            return Err(Kind::Pod.not_found(pod.as_str()));
        }
        let mut ctrs: Vec<Container> = d
            .containers
            .values()
            .filter(|c| c.config.pod.as_ref() == Some(pod))
            .cloned()
            .collect();
        ctrs.sort_by(by_created(ctr_key));
        Ok(ctrs)
    }

    async fn list_containers(&self) -> Result<Vec<Container>> {
        let mut ctrs: Vec<Container> = self.data().containers.values().cloned().collect();
        ctrs.sort_by(by_created(ctr_key));
        Ok(ctrs)
    }

    async fn set_status(&self, id: &ContainerId, status: &ContainerStatus) -> Result<()> {
        let mut d = self.data();
        let c = d
            .containers
            .get_mut(id)
            .ok_or_else(|| Kind::Container.not_found(id.as_str()))?;
        c.status = status.clone();
        Ok(())
    }

    async fn lock_pod(&self, id: &PodId) -> Result<PodLock> {
        loop {
            let mutex = self.lock_map().entry(id.clone()).or_default().clone();
            let guard = mutex.clone().lock_owned().await;
            // The pod may have been removed (and its mutex dropped from the map) while
            // we waited; then take the current one so lockers never diverge.
            let current = self
                .lock_map()
                .get(id)
                .is_some_and(|m| Arc::ptr_eq(m, &mutex));
            if current {
                return Ok(PodLock::new(guard));
            }
        }
    }

    async fn add_event(&self, event: &Event) -> Result<()> {
        self.data().events.push(event.clone());
        Ok(())
    }

    async fn events(&self, since: Option<DateTime<Utc>>) -> Result<Vec<Event>> {
        let d = self.data();
        let mut out: Vec<(usize, Event)> = d
            .events
            .iter()
            .enumerate()
            .filter(|(_, e)| since.is_none_or(|s| e.time >= s))
            .map(|(i, e)| (i, e.clone()))
            .collect();
        out.sort_by(|(ia, a), (ib, b)| (a.time, ia).cmp(&(b.time, ib)));
        Ok(out.into_iter().map(|(_, e)| e).collect())
    }
}
