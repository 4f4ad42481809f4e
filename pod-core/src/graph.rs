//! The dependency graph of a pod's containers, on [`daggy`].
//!
//! Nodes are every container of the pod (infra and init containers included). An edge
//! goes from a dependency to its dependent: every non-infra container of a pod that
//! shares namespaces through an infra container depends on the infra container, and
//! every container depends on each container named in its `dependencies`.
//!
//! A cycle is refused when the edge that would close it is inserted (daggy's
//! `add_edge` returns `WouldCycle`), a dependency that is not a container of the pod is
//! refused too. The same graph is built when a container is created (with the would-be
//! container added to the pod's existing ones) and when the pod starts.
//!
//! Orders are deterministic: ties are broken by the order the containers were given in
//! (the store returns them oldest first).

use std::collections::{HashMap, HashSet, VecDeque};

use daggy::petgraph::Direction;
use daggy::{Dag, NodeIndex};

use crate::error::{Error, Result};
use crate::model::{Container, ContainerConfig, ContainerId, Name, PodConfig};

/// The dependency graph of one pod.
#[derive(Clone, Debug)]
pub struct DepGraph {
    dag: Dag<ContainerId, ()>,
    index: HashMap<ContainerId, NodeIndex>,
    names: HashMap<ContainerId, Name>,
    /// Insertion order, used to break ties.
    order: Vec<ContainerId>,
    pod_name: String,
}

impl DepGraph {
    /// Builds the graph of a pod from its containers (oldest first).
    pub fn build(pod: &PodConfig, containers: &[Container]) -> Result<Self> {
        Self::from_configs(pod, containers.iter().map(|c| &c.config))
    }

    /// Builds the graph of a pod from container configs (oldest first); used at create
    /// time with the would-be container appended to the pod's existing containers.
    pub fn from_configs<'a, I>(pod: &PodConfig, configs: I) -> Result<Self>
    where
        I: IntoIterator<Item = &'a ContainerConfig>,
    {
        let infra = pod
            .infra_container_id
            .as_ref()
            .filter(|_| !pod.shared_namespaces.is_empty());
        Self::from_parts(pod.name.as_str(), infra, configs)
    }

    /// Builds the graph of containers outside any pod (only their `dependencies`).
    pub fn standalone<'a, I>(configs: I) -> Result<Self>
    where
        I: IntoIterator<Item = &'a ContainerConfig>,
    {
        Self::from_parts("", None, configs)
    }

    fn from_parts<'a, I>(pod_name: &str, infra: Option<&ContainerId>, configs: I) -> Result<Self>
    where
        I: IntoIterator<Item = &'a ContainerConfig>,
    {
        let configs: Vec<&ContainerConfig> = configs.into_iter().collect();
        let mut g = DepGraph {
            dag: Dag::with_capacity(configs.len(), configs.len() * 2),
            index: HashMap::with_capacity(configs.len()),
            names: HashMap::with_capacity(configs.len()),
            order: Vec::with_capacity(configs.len()),
            pod_name: pod_name.to_owned(),
        };
        for c in &configs {
            if g.index.contains_key(&c.id) {
                continue;
            }
            let n = g.dag.add_node(c.id.clone());
            g.index.insert(c.id.clone(), n);
            g.names.insert(c.id.clone(), c.name.clone());
            g.order.push(c.id.clone());
        }
        let infra = infra.and_then(|id| g.index.get(id).copied());
        for c in &configs {
            let child = g.index[&c.id];
            if let Some(infra) = infra {
                if !c.is_infra && infra != child {
                    g.add_edge(infra, child, c)?;
                }
            }
            for dep in &c.dependencies {
                let parent = match g.index.get(dep) {
                    Some(p) => *p,
                    None => {
                        return Err(Error::DependencyOutsidePod {
                            container: c.name.to_string(),
                            dependency: dep.to_string(),
                            pod: pod_name.to_owned(),
                        })
                    }
                };
                g.add_edge(parent, child, c)?;
            }
        }
        Ok(g)
    }

    fn add_edge(&mut self, parent: NodeIndex, child: NodeIndex, c: &ContainerConfig) -> Result<()> {
        let cycle = || Error::Cycle {
            pod: self.pod_name.clone(),
            container: c.name.to_string(),
        };
        if parent == child {
            return Err(cycle());
        }
        if self.dag.find_edge(parent, child).is_some() {
            return Ok(());
        }
        match self.dag.add_edge(parent, child, ()) {
            Ok(_) => Ok(()),
            Err(_) => Err(cycle()),
        }
    }

    /// Number of containers.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// True for a pod without containers.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Is this container a node?
    pub fn contains(&self, id: &ContainerId) -> bool {
        self.index.contains_key(id)
    }

    /// The name of a node.
    pub fn name(&self, id: &ContainerId) -> Option<&Name> {
        self.names.get(id)
    }

    /// Every node, in the order given.
    pub fn ids(&self) -> &[ContainerId] {
        &self.order
    }

    fn neighbors(&self, id: &ContainerId, dir: Direction) -> Vec<ContainerId> {
        let Some(n) = self.index.get(id) else {
            return Vec::new();
        };
        let set: HashSet<NodeIndex> = self.dag.graph().neighbors_directed(*n, dir).collect();
        self.order
            .iter()
            .filter(|o| set.contains(&self.index[*o]))
            .cloned()
            .collect()
    }

    /// The containers `id` depends on directly.
    pub fn dependencies(&self, id: &ContainerId) -> Vec<ContainerId> {
        self.neighbors(id, Direction::Incoming)
    }

    /// The containers that depend on `id` directly.
    pub fn dependents(&self, id: &ContainerId) -> Vec<ContainerId> {
        self.neighbors(id, Direction::Outgoing)
    }

    fn transitive(&self, id: &ContainerId, dir: Direction) -> Vec<ContainerId> {
        let mut seen = HashSet::new();
        let mut queue = VecDeque::from([id.clone()]);
        while let Some(cur) = queue.pop_front() {
            for n in self.neighbors(&cur, dir) {
                if seen.insert(n.clone()) {
                    queue.push_back(n);
                }
            }
        }
        self.order
            .iter()
            .filter(|o| seen.contains(*o))
            .cloned()
            .collect()
    }

    /// Everything `id` depends on, directly or not.
    pub fn transitive_dependencies(&self, id: &ContainerId) -> Vec<ContainerId> {
        self.transitive(id, Direction::Incoming)
    }

    /// Everything that depends on `id`, directly or not.
    pub fn transitive_dependents(&self, id: &ContainerId) -> Vec<ContainerId> {
        self.transitive(id, Direction::Outgoing)
    }

    /// The containers without dependencies.
    pub fn roots(&self) -> Vec<ContainerId> {
        self.order
            .iter()
            .filter(|id| {
                self.dag
                    .graph()
                    .neighbors_directed(self.index[*id], Direction::Incoming)
                    .next()
                    .is_none()
            })
            .cloned()
            .collect()
    }

    /// Fails with [`Error::NoRoots`] when no container is without dependencies (this
    /// includes an empty pod).
    pub fn check_roots(&self) -> Result<()> {
        if self.roots().is_empty() {
            Err(Error::NoRoots(self.pod_name.clone()))
        } else {
            Ok(())
        }
    }

    /// A topological order: every container after all its dependencies.
    pub fn start_order(&self) -> Vec<ContainerId> {
        let mut indegree: HashMap<ContainerId, usize> = self
            .order
            .iter()
            .map(|id| (id.clone(), self.dependencies(id).len()))
            .collect();
        let mut out = Vec::with_capacity(self.order.len());
        let mut done: HashSet<&ContainerId> = HashSet::new();
        // Repeatedly take the first ready node in insertion order: O(n²), pods are small.
        while out.len() < self.order.len() {
            let Some(next) = self
                .order
                .iter()
                .find(|id| !done.contains(id) && indegree.get(*id) == Some(&0))
            else {
                break; // unreachable: the dag has no cycles
            };
            done.insert(next);
            for d in self.dependents(next) {
                if let Some(v) = indegree.get_mut(&d) {
                    *v = v.saturating_sub(1);
                }
            }
            out.push(next.clone());
        }
        out
    }

    /// The reverse of [`DepGraph::start_order`]: dependents before their dependencies.
    pub fn stop_order(&self) -> Vec<ContainerId> {
        let mut v = self.start_order();
        v.reverse();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{ctr_config, pod_config};

    fn names(g: &DepGraph, ids: &[ContainerId]) -> Vec<String> {
        ids.iter().map(|i| g.name(i).unwrap().to_string()).collect()
    }

    #[test]
    fn infra_is_the_root_and_orders_follow_dependencies() {
        let mut pod = pod_config("p");
        let infra = ctr_config("infra", &pod, &[]);
        pod.infra_container_id = Some(infra.id.clone());
        let mut infra = infra;
        infra.is_infra = true;
        let db = ctr_config("db", &pod, &[]);
        let app = ctr_config("app", &pod, &[&db.id]);
        let web = ctr_config("web", &pod, &[&app.id, &db.id]);
        // Given out of dependency order on purpose.
        let g = DepGraph::from_configs(&pod, [&web, &app, &infra, &db]).unwrap();
        assert_eq!(names(&g, &g.roots()), ["infra"]);
        assert_eq!(
            names(&g, &g.start_order()),
            ["infra", "db", "app", "web"],
            "each container after its dependencies"
        );
        assert_eq!(names(&g, &g.stop_order()), ["web", "app", "db", "infra"]);
        assert_eq!(names(&g, &g.dependencies(&web.id)), ["app", "infra", "db"]);
        assert_eq!(names(&g, &g.dependents(&db.id)), ["web", "app"]);
        assert_eq!(
            names(&g, &g.transitive_dependents(&infra.id)),
            ["web", "app", "db"]
        );
        assert_eq!(
            names(&g, &g.transitive_dependencies(&web.id)),
            ["app", "infra", "db"]
        );
        assert!(g.check_roots().is_ok());
        assert_eq!(g.len(), 4);
    }

    #[test]
    fn no_infra_edges_without_sharing() {
        let mut pod = pod_config("p");
        let mut infra = ctr_config("infra", &pod, &[]);
        infra.is_infra = true;
        pod.infra_container_id = Some(infra.id.clone());
        pod.shared_namespaces.clear();
        let a = ctr_config("a", &pod, &[]);
        let g = DepGraph::from_configs(&pod, [&infra, &a]).unwrap();
        assert_eq!(names(&g, &g.roots()), ["infra", "a"]);
    }

    #[test]
    fn cycle_is_refused_at_insertion() {
        let pod = pod_config("p");
        let mut a = ctr_config("a", &pod, &[]);
        let b = ctr_config("b", &pod, &[&a.id]);
        a.dependencies.push(b.id.clone());
        let err = DepGraph::from_configs(&pod, [&a, &b]).unwrap_err();
        assert!(
            matches!(err, Error::Cycle { ref pod, .. } if pod == "p"),
            "{err}"
        );
        // A self dependency is a cycle too.
        let mut c = ctr_config("c", &pod, &[]);
        c.dependencies.push(c.id.clone());
        let err = DepGraph::from_configs(&pod, [&c]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "dependency cycle in pod p: container c would depend on itself"
        );
    }

    #[test]
    fn dependency_outside_pod_is_refused() {
        let pod = pod_config("p");
        let other = pod_config("q");
        let stranger = ctr_config("stranger", &other, &[]);
        let a = ctr_config("a", &pod, &[&stranger.id]);
        let err = DepGraph::from_configs(&pod, [&a]).unwrap_err();
        match err {
            Error::DependencyOutsidePod {
                container,
                dependency,
                pod,
            } => {
                assert_eq!(container, "a");
                assert_eq!(dependency, stranger.id.to_string());
                assert_eq!(pod, "p");
            }
            e => panic!("unexpected {e}"),
        }
    }

    #[test]
    fn empty_pod_has_no_roots() {
        let pod = pod_config("p");
        let g = DepGraph::from_configs(&pod, []).unwrap();
        assert!(g.is_empty());
        let err = g.check_roots().unwrap_err();
        assert_eq!(
            err.to_string(),
            "no containers in pod p have no dependencies, cannot start pod"
        );
    }

    #[test]
    fn diamond_orders_are_topological() {
        let pod = pod_config("p");
        let a = ctr_config("a", &pod, &[]);
        let b = ctr_config("b", &pod, &[&a.id]);
        let c = ctr_config("c", &pod, &[&a.id]);
        let d = ctr_config("d", &pod, &[&b.id, &c.id]);
        let e = ctr_config("e", &pod, &[]);
        let g = DepGraph::from_configs(&pod, [&d, &c, &b, &a, &e]).unwrap();
        let order = g.start_order();
        let pos = |id: &ContainerId| order.iter().position(|o| o == id).unwrap();
        for (dep, dependent) in [(&a, &b), (&a, &c), (&b, &d), (&c, &d)] {
            assert!(pos(&dep.id) < pos(&dependent.id));
        }
        assert_eq!(names(&g, &g.roots()), ["a", "e"]);
        let stop = g.stop_order();
        let spos = |id: &ContainerId| stop.iter().position(|o| o == id).unwrap();
        assert!(spos(&d.id) < spos(&b.id) && spos(&b.id) < spos(&a.id));
    }
}
