//! One behavioral suite, run against both stores: `memory::*`, `sqlite::*` and
//! `sqlite_inline::*` (SQLite calls on the calling thread) run the same `cases::*`
//! functions.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

mod common;

use std::sync::Arc;

use pod_core::StateStore;
use pod_state::{MemoryStore, SqliteStore};
use tempfile::TempDir;

type Fixture = (Arc<dyn StateStore>, Option<TempDir>);

fn memory_store() -> Fixture {
    (Arc::new(MemoryStore::new()), None)
}

fn sqlite_store() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("state")).unwrap();
    (Arc::new(store), Some(dir))
}

fn sqlite_inline_store() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_inline(&dir.path().join("state")).unwrap();
    (Arc::new(store), Some(dir))
}

macro_rules! suite {
    ($module:ident, $make:path, [$($case:ident),* $(,)?]) => {
        mod $module {
            $(
                #[tokio::test]
                async fn $case() {
                    let (store, _dir) = $make();
                    super::cases::$case(store).await;
                }
            )*
        }
    };
}

macro_rules! both_stores {
    ($($case:ident),* $(,)?) => {
        suite!(memory, super::memory_store, [$($case),*]);
        suite!(sqlite, super::sqlite_store, [$($case),*]);
        suite!(sqlite_inline, super::sqlite_inline_store, [$($case),*]);
    };
}

both_stores!(
    add_and_lookup,
    ambiguous_prefix,
    unknown_names_and_ids,
    name_wins_over_id_prefix,
    pod_names_are_unique,
    container_names_are_unique_across_pods,
    container_needs_existing_pod,
    update_pod,
    set_status_round_trip,
    ordering_oldest_first,
    remove_pod_cascades,
    remove_container,
    events_since,
    lock_pod_excludes_until_dropped,
);

mod cases {
    use std::sync::Arc;
    use std::time::Duration;

    use pod_core::{
        Container, ContainerId, ContainerState, ContainerStatus, Error, Event, EventKind, Name,
        PodId, StateStore,
    };

    use super::common::*;

    type Store = Arc<dyn StateStore>;

    fn assert_no_such_pod<T: std::fmt::Debug>(r: pod_core::Result<T>, input: &str) {
        match r {
            Err(Error::NoSuchPod(s)) => assert_eq!(s, input),
            other => panic!("want NoSuchPod({input}), got {other:?}"),
        }
    }

    fn assert_no_such_ctr<T: std::fmt::Debug>(r: pod_core::Result<T>, input: &str) {
        match r {
            Err(Error::NoSuchContainer(s)) => assert_eq!(s, input),
            other => panic!("want NoSuchContainer({input}), got {other:?}"),
        }
    }

    pub async fn add_and_lookup(s: Store) {
        let p = pod("web");
        s.add_pod(&p).await.unwrap();
        assert_eq!(s.pod(&p.id).await.unwrap(), p);
        assert_eq!(s.lookup_pod("web").await.unwrap(), p);
        assert_eq!(s.lookup_pod(p.id.as_str()).await.unwrap(), p);
        assert_eq!(s.lookup_pod(p.id.short()).await.unwrap(), p);
        assert_eq!(s.lookup_pod(&p.id.as_str()[..3]).await.unwrap(), p);

        let c = ctr("db", Some(&p.id));
        s.add_container(&c, &configured()).await.unwrap();
        let want = Container {
            config: c.clone(),
            status: configured(),
        };
        assert_eq!(s.container(&c.id).await.unwrap(), want);
        assert_eq!(s.lookup_container("db").await.unwrap(), want);
        assert_eq!(s.lookup_container(c.id.as_str()).await.unwrap(), want);
        assert_eq!(s.lookup_container(c.id.short()).await.unwrap(), want);
        assert_eq!(s.list_pods().await.unwrap(), vec![p.clone()]);
        assert_eq!(s.list_containers().await.unwrap(), vec![want.clone()]);
        assert_eq!(s.pod_containers(&p.id).await.unwrap(), vec![want]);

        // A container outside any pod.
        let lone = ctr("lone", None);
        s.add_container(&lone, &configured()).await.unwrap();
        assert_eq!(s.lookup_container("lone").await.unwrap().config, lone);
        assert_eq!(s.pod_containers(&p.id).await.unwrap().len(), 1);
        assert_eq!(s.list_containers().await.unwrap().len(), 2);
    }

    pub async fn ambiguous_prefix(s: Store) {
        let a = pod_with(PodId::parse(&id_from("abc1")).unwrap(), "a", t(0, 0));
        let b = pod_with(PodId::parse(&id_from("abc2")).unwrap(), "b", t(1, 0));
        s.add_pod(&a).await.unwrap();
        s.add_pod(&b).await.unwrap();
        match s.lookup_pod("abc").await {
            Err(Error::Ambiguous {
                kind,
                prefix,
                count,
            }) => assert_eq!((kind, prefix.as_str(), count), ("pod", "abc", 2)),
            other => panic!("want Ambiguous, got {other:?}"),
        }
        let e = s.lookup_pod("ab").await.unwrap_err().to_string();
        assert!(
            e.contains("pod ID prefix \"ab\"") && e.contains("2 match"),
            "{e}"
        );
        assert_eq!(s.lookup_pod("abc2").await.unwrap(), b);
        assert_eq!(s.lookup_pod("abc1").await.unwrap(), a);

        let c1 = ContainerId::parse(&id_from("fe1")).unwrap();
        let c2 = ContainerId::parse(&id_from("fe2")).unwrap();
        let c3 = ContainerId::parse(&id_from("fe3")).unwrap();
        for (id, name) in [(c1, "x"), (c2, "y"), (c3.clone(), "z")] {
            s.add_container(&ctr_with(id, name, Some(&a.id), t(5, 0)), &configured())
                .await
                .unwrap();
        }
        match s.lookup_container("fe").await {
            Err(Error::Ambiguous {
                kind,
                prefix,
                count,
            }) => assert_eq!((kind, prefix.as_str(), count), ("container", "fe", 3)),
            other => panic!("want Ambiguous, got {other:?}"),
        }
        assert_eq!(s.lookup_container("fe3").await.unwrap().config.id, c3);
    }

    pub async fn unknown_names_and_ids(s: Store) {
        let p = pod("web");
        s.add_pod(&p).await.unwrap();
        let c = ctr("db", Some(&p.id));
        s.add_container(&c, &configured()).await.unwrap();

        assert_no_such_pod(s.lookup_pod("nope").await, "nope");
        assert_no_such_ctr(s.lookup_container("nope").await, "nope");
        // A hex prefix matching nothing.
        let other = if p.id.as_str().starts_with('0') {
            "1"
        } else {
            "0"
        };
        let miss = format!("{other}{}", &p.id.as_str()[1..]);
        assert_no_such_pod(s.lookup_pod(&miss).await, &miss);
        // Upper case is not an id prefix.
        let upper = p.id.as_str()[..12].to_ascii_uppercase();
        if upper != p.id.as_str()[..12] {
            assert_no_such_pod(s.lookup_pod(&upper).await, &upper);
        }
        // A container name is not a pod name, and the reverse.
        assert_no_such_pod(s.lookup_pod("db").await, "db");
        assert_no_such_ctr(s.lookup_container("web").await, "web");

        let rid = PodId::random();
        assert_no_such_pod(s.pod(&rid).await, rid.as_str());
        assert_no_such_pod(s.pod_containers(&rid).await, rid.as_str());
        let cid = ContainerId::random();
        assert_no_such_ctr(s.container(&cid).await, cid.as_str());
        assert_no_such_ctr(s.set_status(&cid, &full_status()).await, cid.as_str());
        let e = s.lookup_pod("nope").await.unwrap_err().to_string();
        assert_eq!(e, "no pod with name or ID nope found: no such pod");
    }

    pub async fn name_wins_over_id_prefix(s: Store) {
        let by_id = pod_with(PodId::parse(&id_from("abc")).unwrap(), "other", t(0, 0));
        let named = pod_with(PodId::parse(&id_from("def")).unwrap(), "abc", t(1, 0));
        s.add_pod(&by_id).await.unwrap();
        s.add_pod(&named).await.unwrap();
        assert_eq!(s.lookup_pod("abc").await.unwrap(), named);
        assert_eq!(s.lookup_pod("abc0").await.unwrap(), by_id);
    }

    pub async fn pod_names_are_unique(s: Store) {
        let p = pod("web");
        s.add_pod(&p).await.unwrap();
        match s.add_pod(&pod("web")).await {
            Err(Error::PodExists(n)) => assert_eq!(n, "web"),
            other => panic!("want PodExists, got {other:?}"),
        }
        // Same id, another name: refused as a store error, nothing changes.
        let mut same_id = pod("other");
        same_id.id = p.id.clone();
        let e = s.add_pod(&same_id).await.unwrap_err();
        assert!(matches!(e, Error::Store(_)), "{e:?}");
        assert!(e.to_string().contains(p.id.as_str()), "{e}");
        assert_eq!(s.list_pods().await.unwrap(), vec![p]);
        assert_no_such_pod(s.lookup_pod("other").await, "other");
    }

    pub async fn container_names_are_unique_across_pods(s: Store) {
        let p1 = pod("p1");
        let p2 = pod("p2");
        s.add_pod(&p1).await.unwrap();
        s.add_pod(&p2).await.unwrap();
        let c = ctr("web", Some(&p1.id));
        s.add_container(&c, &configured()).await.unwrap();
        for pod in [Some(&p1.id), Some(&p2.id), None] {
            match s.add_container(&ctr("web", pod), &configured()).await {
                Err(Error::ContainerExists(n)) => assert_eq!(n, "web"),
                other => panic!("want ContainerExists, got {other:?}"),
            }
        }
        let mut same_id = ctr("web2", Some(&p2.id));
        same_id.id = c.id.clone();
        assert!(matches!(
            s.add_container(&same_id, &configured()).await,
            Err(Error::Store(_))
        ));
        assert_eq!(s.list_containers().await.unwrap().len(), 1);
        assert!(s.pod_containers(&p2.id).await.unwrap().is_empty());
        // A pod and a container may share a name.
        s.add_container(&ctr("p1", Some(&p2.id)), &configured())
            .await
            .unwrap();
    }

    pub async fn container_needs_existing_pod(s: Store) {
        let ghost = PodId::random();
        assert_no_such_pod(
            s.add_container(&ctr("c", Some(&ghost)), &configured())
                .await,
            ghost.as_str(),
        );
        assert!(s.list_containers().await.unwrap().is_empty());
    }

    pub async fn update_pod(s: Store) {
        let p = pod("web");
        let other = pod("other");
        s.add_pod(&p).await.unwrap();
        s.add_pod(&other).await.unwrap();

        let mut changed = p.clone();
        changed.name = Name::parse("web2").unwrap();
        changed.hostname = "h2".into();
        changed.labels.insert("new".into(), "label".into());
        changed.labels.remove("tier");
        changed.infra_container_id = None;
        s.update_pod(&changed).await.unwrap();
        assert_eq!(s.pod(&p.id).await.unwrap(), changed);
        assert_eq!(s.lookup_pod("web2").await.unwrap(), changed);
        assert_no_such_pod(s.lookup_pod("web").await, "web");
        // The old name is free again.
        s.add_pod(&pod("web")).await.unwrap();

        let mut clash = changed.clone();
        clash.name = Name::parse("other").unwrap();
        match s.update_pod(&clash).await {
            Err(Error::PodExists(n)) => assert_eq!(n, "other"),
            other => panic!("want PodExists, got {other:?}"),
        }
        assert_eq!(s.pod(&p.id).await.unwrap(), changed);

        let ghost = pod("ghost");
        assert_no_such_pod(s.update_pod(&ghost).await, ghost.id.as_str());
        assert_eq!(s.list_pods().await.unwrap().len(), 3);
    }

    pub async fn set_status_round_trip(s: Store) {
        let p = pod("web");
        s.add_pod(&p).await.unwrap();
        let c = ctr("db", Some(&p.id));
        s.add_container(&c, &configured()).await.unwrap();

        let full = full_status();
        s.set_status(&c.id, &full).await.unwrap();
        let got = s.container(&c.id).await.unwrap();
        assert_eq!(got.status, full);
        assert_eq!(
            got.status.finished_at.unwrap().timestamp_subsec_nanos(),
            999_999_999
        );
        assert_eq!(got.config, c);

        // Back to a status with every optional field empty.
        let running = ContainerStatus {
            state: ContainerState::Running,
            pid: Some(1),
            ..ContainerStatus::default()
        };
        s.set_status(&c.id, &running).await.unwrap();
        assert_eq!(s.lookup_container("db").await.unwrap().status, running);

        // Every state survives the round trip; a status given at insert too.
        for st in ContainerState::ALL {
            let status = ContainerStatus {
                state: st,
                ..full_status()
            };
            s.set_status(&c.id, &status).await.unwrap();
            assert_eq!(s.container(&c.id).await.unwrap().status, status);
        }
        let c2 = ctr("c2", Some(&p.id));
        s.add_container(&c2, &full).await.unwrap();
        assert_eq!(s.container(&c2.id).await.unwrap().status, full);
    }

    pub async fn ordering_oldest_first(s: Store) {
        // Pods inserted newest first; two share a creation time (then by id).
        let p3 = pod_with(PodId::parse(&id_from("3")).unwrap(), "p3", t(30, 0));
        let p2b = pod_with(PodId::parse(&id_from("2b")).unwrap(), "p2b", t(20, 5));
        let p2a = pod_with(PodId::parse(&id_from("2a")).unwrap(), "p2a", t(20, 5));
        let p1 = pod_with(PodId::parse(&id_from("9")).unwrap(), "p1", t(10, 999));
        for p in [&p3, &p2b, &p2a, &p1] {
            s.add_pod(p).await.unwrap();
        }
        let names: Vec<String> = s
            .list_pods()
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.name.to_string())
            .collect();
        assert_eq!(names, ["p1", "p2a", "p2b", "p3"]);

        let mk = |hex: &str, name: &str, secs: i64, nanos: u32, pod: &PodId| {
            ctr_with(
                ContainerId::parse(&id_from(hex)).unwrap(),
                name,
                Some(pod),
                t(secs, nanos),
            )
        };
        let cs = [
            mk("c", "late", 50, 0, &p1.id),
            mk("b2", "tie-b", 40, 7, &p1.id),
            mk("b1", "tie-a", 40, 7, &p1.id),
            mk("a", "early", 40, 6, &p1.id),
            mk("d", "elsewhere", 1, 0, &p2a.id),
        ];
        for c in &cs {
            s.add_container(c, &configured()).await.unwrap();
        }
        let names = |v: Vec<Container>| -> Vec<String> {
            v.into_iter().map(|c| c.config.name.to_string()).collect()
        };
        assert_eq!(
            names(s.pod_containers(&p1.id).await.unwrap()),
            ["early", "tie-a", "tie-b", "late"]
        );
        assert_eq!(
            names(s.list_containers().await.unwrap()),
            ["elsewhere", "early", "tie-a", "tie-b", "late"]
        );
        assert!(s.pod_containers(&p3.id).await.unwrap().is_empty());
    }

    pub async fn remove_pod_cascades(s: Store) {
        let p = pod("web");
        let keep = pod("keep");
        s.add_pod(&p).await.unwrap();
        s.add_pod(&keep).await.unwrap();
        let cs: Vec<_> = (0..3).map(|i| ctr(&format!("c{i}"), Some(&p.id))).collect();
        for c in &cs {
            s.add_container(c, &full_status()).await.unwrap();
        }
        let kept = ctr("kept", Some(&keep.id));
        s.add_container(&kept, &configured()).await.unwrap();
        let lone = ctr("lone", None);
        s.add_container(&lone, &configured()).await.unwrap();

        s.remove_pod(&p.id).await.unwrap();
        assert_no_such_pod(s.pod(&p.id).await, p.id.as_str());
        assert_no_such_pod(s.lookup_pod("web").await, "web");
        for c in &cs {
            assert_no_such_ctr(s.container(&c.id).await, c.id.as_str());
            assert_no_such_ctr(s.lookup_container(c.name.as_str()).await, c.name.as_str());
        }
        let mut left: Vec<ContainerId> = s
            .list_containers()
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.config.id)
            .collect();
        left.sort();
        let mut want = vec![lone.id.clone(), kept.id.clone()];
        want.sort();
        assert_eq!(left, want);
        assert_eq!(s.list_pods().await.unwrap(), vec![keep.clone()]);
        assert_no_such_pod(s.remove_pod(&p.id).await, p.id.as_str());

        // Names are free again, and the pod id can be locked again.
        s.add_pod(&pod("web")).await.unwrap();
        s.add_container(&ctr("c0", Some(&keep.id)), &configured())
            .await
            .unwrap();
        drop(s.lock_pod(&p.id).await.unwrap());
    }

    pub async fn remove_container(s: Store) {
        let p = pod("web");
        s.add_pod(&p).await.unwrap();
        let a = ctr("a", Some(&p.id));
        let b = ctr("b", Some(&p.id));
        s.add_container(&a, &configured()).await.unwrap();
        s.add_container(&b, &configured()).await.unwrap();
        s.remove_container(&a.id).await.unwrap();
        assert_no_such_ctr(s.container(&a.id).await, a.id.as_str());
        assert_no_such_ctr(s.remove_container(&a.id).await, a.id.as_str());
        assert_no_such_ctr(s.set_status(&a.id, &full_status()).await, a.id.as_str());
        let left = s.pod_containers(&p.id).await.unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].config, b);
        // The name can be reused.
        s.add_container(&ctr("a", Some(&p.id)), &configured())
            .await
            .unwrap();
        assert_eq!(s.pod(&p.id).await.unwrap(), p);
    }

    pub async fn events_since(s: Store) {
        let p = pod("web");
        let c = ContainerId::random();
        let ev = |secs: i64, nanos: u32, kind: EventKind, ctr: Option<&ContainerId>| Event {
            time: t(secs, nanos),
            kind,
            pod: Some(p.id.clone()),
            container: ctr.cloned(),
            name: if ctr.is_some() { "db" } else { "web" }.to_owned(),
        };
        let e1 = ev(1, 5, EventKind::Create, None);
        let e2 = ev(2, 0, EventKind::Start, Some(&c));
        let e3 = ev(2, 1, EventKind::Died, Some(&c));
        let e4 = ev(3, 0, EventKind::Remove, None);
        let lone = Event {
            pod: None,
            ..ev(2, 0, EventKind::Kill, Some(&c))
        };
        // Recorded out of time order.
        for e in [&e3, &e1, &e2, &e4, &lone] {
            s.add_event(e).await.unwrap();
        }
        let all = s.events(None).await.unwrap();
        // Oldest first; equal times in recording order.
        assert_eq!(
            all,
            vec![e1, e2.clone(), lone.clone(), e3.clone(), e4.clone()]
        );
        let since = s.events(Some(t(2, 0))).await.unwrap();
        assert_eq!(since, vec![e2, lone, e3.clone(), e4.clone()]);
        assert_eq!(s.events(Some(t(2, 1))).await.unwrap(), vec![e3, e4]);
        assert!(s.events(Some(t(3, 1))).await.unwrap().is_empty());
        // Every kind round-trips.
        for kind in [
            EventKind::Init,
            EventKind::Stop,
            EventKind::Pause,
            EventKind::Unpause,
            EventKind::Restart,
            EventKind::Cleanup,
        ] {
            s.add_event(&ev(9, 0, kind, None)).await.unwrap();
        }
        let kinds: Vec<EventKind> = s
            .events(Some(t(9, 0)))
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(
            kinds,
            [
                EventKind::Init,
                EventKind::Stop,
                EventKind::Pause,
                EventKind::Unpause,
                EventKind::Restart,
                EventKind::Cleanup
            ]
        );
    }

    pub async fn lock_pod_excludes_until_dropped(s: Store) {
        let p = pod("web");
        s.add_pod(&p).await.unwrap();
        let first = s.lock_pod(&p.id).await.unwrap();

        let (s2, id) = (s.clone(), p.id.clone());
        let mut second = tokio::spawn(async move { s2.lock_pod(&id).await });
        // However long we wait, the second locker cannot get in while the first holds.
        let waited = tokio::time::timeout(Duration::from_millis(300), &mut second).await;
        assert!(
            waited.is_err(),
            "second lock_pod returned while the first was held"
        );
        assert!(!second.is_finished());

        // Another pod's lock is independent.
        let other = PodId::random();
        let o = tokio::time::timeout(Duration::from_secs(30), s.lock_pod(&other))
            .await
            .expect("lock of another pod must not wait")
            .unwrap();
        drop(o);

        drop(first);
        let second = tokio::time::timeout(Duration::from_secs(30), second)
            .await
            .expect("second lock_pod must get the lock once the first is dropped")
            .unwrap()
            .unwrap();

        // And now a third waits for the second.
        let (s3, id) = (s.clone(), p.id.clone());
        let mut third = tokio::spawn(async move { s3.lock_pod(&id).await });
        assert!(tokio::time::timeout(Duration::from_millis(100), &mut third)
            .await
            .is_err());
        drop(second);
        tokio::time::timeout(Duration::from_secs(30), third)
            .await
            .expect("third lock")
            .unwrap()
            .unwrap();
    }
}
