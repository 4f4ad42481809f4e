//! SqliteStore specifics: files and modes, bad files, read-only dirs, schema versions,
//! persistence, lock files, `list_all`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::*;
use pod_core::{Container, PodId, StateStore};
use pod_state::{MemoryStore, SqliteStore, StateError};

fn mode(p: &Path) -> u32 {
    fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

fn open_err(dir: &Path) -> StateError {
    match SqliteStore::open(dir) {
        Ok(s) => panic!("open of {} should fail, got {s:?}", dir.display()),
        Err(e) => e,
    }
}

#[tokio::test]
async fn creates_dir_db_and_locks_with_private_modes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("a/b/state");
    let store = SqliteStore::open(&dir).unwrap();
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&tmp.path().join("a")), 0o700);
    assert_eq!(mode(&dir.join("locks")), 0o700);
    assert_eq!(mode(&dir.join("state.db")), 0o600);
    assert_eq!(store.db_path(), dir.join("state.db"));
    assert_eq!(store.state_dir(), dir);

    let p = pod("web");
    store.add_pod(&p).await.unwrap();
    // SQLite gives the WAL files the database file's mode.
    for f in ["state.db-wal", "state.db-shm"] {
        let path = dir.join(f);
        assert!(path.exists(), "{f} should exist while the store is open");
        assert_eq!(mode(&path), 0o600, "{f}");
    }
    let lock = store.lock_pod(&p.id).await.unwrap();
    let lock_file = dir.join("locks").join(format!("{}.lock", p.id));
    assert_eq!(mode(&lock_file), 0o600);
    drop(lock);
}

#[test]
fn existing_dir_keeps_its_mode_but_the_db_is_0600() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("state");
    fs::create_dir(&dir).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
    drop(SqliteStore::open(&dir).unwrap());
    assert_eq!(mode(&dir), 0o755);
    assert_eq!(mode(&dir.join("state.db")), 0o600);

    // A database someone made world-readable is brought back to 0600.
    fs::set_permissions(dir.join("state.db"), fs::Permissions::from_mode(0o644)).unwrap();
    drop(SqliteStore::open(&dir).unwrap());
    assert_eq!(mode(&dir.join("state.db")), 0o600);
}

#[tokio::test]
async fn data_persists_across_opens_and_handles() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("state");
    let p = pod("web");
    let c = ctr("db", Some(&p.id));
    {
        let s = SqliteStore::open(&dir).unwrap();
        s.add_pod(&p).await.unwrap();
        s.add_container(&c, &configured()).await.unwrap();
        // A second handle (another connection) sees committed writes at once.
        let s2 = SqliteStore::open(&dir).unwrap();
        s2.set_status(&c.id, &full_status()).await.unwrap();
        assert_eq!(s.container(&c.id).await.unwrap().status, full_status());
    }
    let s = SqliteStore::open(&dir).unwrap();
    assert_eq!(s.lookup_pod("web").await.unwrap(), p);
    let got = s.lookup_container("db").await.unwrap();
    assert_eq!(got.config, c);
    assert_eq!(got.status, full_status());
}

/// The SQLite schema cookie changes with every DDL statement.
fn schema_cookie(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("PRAGMA schema_version", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn reopening_a_current_db_runs_no_ddl() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("state");
    drop(SqliteStore::open(&dir).unwrap());
    let db = dir.join("state.db");
    let before = schema_cookie(&db);
    assert!(before > 0);
    for _ in 0..3 {
        drop(SqliteStore::open(&dir).unwrap());
    }
    assert_eq!(schema_cookie(&db), before);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let version: i64 = conn
        .query_row("SELECT version FROM schema_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SqliteStore::schema_version());
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

fn check_foreign_file_untouched(contents: &[u8]) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("state");
    fs::create_dir(&dir).unwrap();
    let db = dir.join("state.db");
    fs::write(&db, contents).unwrap();
    fs::set_permissions(&db, fs::Permissions::from_mode(0o644)).unwrap();
    let e = open_err(&dir);
    let msg = e.to_string();
    println!("{msg}");
    assert!(matches!(e, StateError::NotADatabase { .. }), "{e:?}");
    assert!(msg.contains(&db.display().to_string()), "{msg}");
    assert!(msg.contains("not a podctl state database"), "{msg}");
    assert_eq!(fs::read(&db).unwrap(), contents, "file was modified");
    assert_eq!(mode(&db), 0o644, "mode of a foreign file was changed");
    // Into the core error: a store error with the same message.
    let core: pod_core::Error = e.into();
    assert!(matches!(core, pod_core::Error::Store(_)));
    assert_eq!(core.to_string(), msg);
}

#[test]
fn random_bytes_at_db_path_is_a_clear_error_and_untouched() {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..8192)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    check_foreign_file_untouched(&bytes);
}

#[test]
fn text_file_at_db_path_is_a_clear_error_and_untouched() {
    check_foreign_file_untouched(
        "this is not a database\nbut a long enough text file to fill a page header\n"
            .repeat(100)
            .as_bytes(),
    );
}

#[test]
fn damaged_sqlite_file_is_a_clear_error_and_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("state");
    drop(SqliteStore::open(&dir).unwrap());
    let db = dir.join("state.db");
    let mut bytes = fs::read(&db).unwrap();
    // Keep the 16-byte magic, destroy the rest of the header and the schema page.
    for b in bytes.iter_mut().skip(16).take(4000) {
        *b = 0xA5;
    }
    fs::write(&db, &bytes).unwrap();
    let e = open_err(&dir);
    let msg = e.to_string();
    println!("{msg}");
    assert!(msg.contains(&db.display().to_string()), "{msg}");
    assert_eq!(fs::read(&db).unwrap(), bytes, "file was modified");
}

#[test]
fn future_schema_version_is_refused_and_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("state");
    drop(SqliteStore::open(&dir).unwrap());
    let db = dir.join("state.db");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute("UPDATE schema_version SET version = 999", [])
            .unwrap();
    }
    let before = fs::read(&db).unwrap();
    let e = open_err(&dir);
    assert!(
        matches!(e, StateError::NewerSchema { found: 999, .. }),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        format!(
            "state database at {} has schema version 999, newer than this podctl supports ({})",
            db.display(),
            SqliteStore::schema_version()
        )
    );
    assert_eq!(fs::read(&db).unwrap(), before, "file was modified");
    // Still refused the second time: nothing was "repaired".
    assert!(matches!(open_err(&dir), StateError::NewerSchema { .. }));
}

#[test]
fn state_dir_under_a_regular_file_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("file");
    fs::write(&file, "x").unwrap();
    let dir = file.join("state");
    let e = open_err(&dir);
    let msg = e.to_string();
    println!("{msg}");
    assert!(matches!(e, StateError::CreateDir { .. }), "{e:?}");
    assert!(msg.contains(&dir.display().to_string()), "{msg}");
    assert!(msg.to_lowercase().contains("not a directory"), "{msg}");
    assert_eq!(fs::read(&file).unwrap(), b"x");

    // The state dir itself being a file.
    let e = open_err(&file);
    assert!(e.to_string().contains("not a directory"), "{e}");
}

#[test]
fn read_only_state_dir_by_permissions() {
    if is_root() {
        println!("skipped: running as root, which ignores permission bits (the read-only mount test covers root)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("state");
    drop(SqliteStore::open(&dir).unwrap());
    let before = fs::read(dir.join("state.db")).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o500)).unwrap();
    let res = SqliteStore::open(&dir);
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
    let e = res.unwrap_err();
    println!("{e}");
    assert!(matches!(e, StateError::ReadOnly { .. }), "{e:?}");
    assert!(e.to_string().contains("read-only"), "{e}");
    assert_eq!(fs::read(dir.join("state.db")).unwrap(), before);

    // A state dir that cannot be created at all.
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o500)).unwrap();
    let res = SqliteStore::open(&tmp.path().join("new"));
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o700)).unwrap();
    assert!(matches!(res, Err(StateError::CreateDir { .. })), "{res:?}");
}

/// A read-only bind mount of a directory onto itself, unmounted on drop.
struct RoMount(PathBuf);

impl RoMount {
    fn new(dir: &Path) -> Option<RoMount> {
        let ok = |args: &[&str]| {
            Command::new("mount")
                .args(args)
                .arg(dir)
                .arg(dir)
                .status()
                .map(|s| s.success())
                .unwrap_or(false)
        };
        if !ok(&["--bind"]) {
            return None;
        }
        let m = RoMount(dir.to_owned());
        if !ok(&["-o", "remount,bind,ro"]) {
            return None; // dropped: unmounts
        }
        Some(m)
    }
}

impl Drop for RoMount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn read_only_mount_is_a_clear_error_even_for_root() {
    if !is_root() {
        println!("skipped: needs root to bind-mount (the permission test covers non-root)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("state");
    drop(SqliteStore::open(&dir).unwrap());
    let db = dir.join("state.db");
    let before = fs::read(&db).unwrap();
    let Some(mount) = RoMount::new(&dir) else {
        println!("skipped: cannot bind-mount read-only here");
        return;
    };
    assert!(
        fs::write(dir.join("probe"), "x").is_err(),
        "mount is not read-only"
    );
    let res = SqliteStore::open(&dir);
    let fresh = SqliteStore::open(&dir.join("sub"));
    drop(mount);
    let e = res.unwrap_err();
    let msg = e.to_string();
    println!("{msg}");
    assert!(matches!(e, StateError::ReadOnly { .. }), "{e:?}");
    assert!(msg.contains(&db.display().to_string()), "{msg}");
    assert!(msg.contains("read-only"), "{msg}");
    let e = fresh.unwrap_err();
    assert!(matches!(e, StateError::CreateDir { .. }), "{e:?}");
    assert!(e.to_string().contains("Read-only file system"), "{e}");
    assert_eq!(fs::read(&db).unwrap(), before);
    // Writable again: opens fine.
    drop(SqliteStore::open(&dir).unwrap());
}

#[tokio::test]
async fn two_handles_exclude_each_other_and_removed_lock_files_are_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("state");
    let a = SqliteStore::open(&dir).unwrap();
    let b = SqliteStore::open(&dir).unwrap();
    let p = pod("web");
    a.add_pod(&p).await.unwrap();
    let lock_path = dir.join("locks").join(format!("{}.lock", p.id));

    let held = a.lock_pod(&p.id).await.unwrap();
    let (b2, id) = (b.clone(), p.id.clone());
    let mut waiter = tokio::spawn(async move { b2.lock_pod(&id).await });
    assert!(
        tokio::time::timeout(Duration::from_millis(300), &mut waiter)
            .await
            .is_err()
    );

    // Removing the pod deletes its lock file while it is held and waited for.
    a.remove_pod(&p.id).await.unwrap();
    assert!(!lock_path.exists());
    drop(held);
    // The waiter wakes on the deleted file, notices, and locks a fresh one...
    let second = tokio::time::timeout(Duration::from_secs(30), waiter)
        .await
        .expect("waiter must get the lock")
        .unwrap()
        .unwrap();
    assert!(lock_path.exists());
    // ...which really excludes the next locker.
    let (a2, id) = (a.clone(), p.id.clone());
    let mut third = tokio::spawn(async move { a2.lock_pod(&id).await });
    assert!(tokio::time::timeout(Duration::from_millis(300), &mut third)
        .await
        .is_err());
    drop(second);
    tokio::time::timeout(Duration::from_secs(30), third)
        .await
        .expect("third must get the lock")
        .unwrap()
        .unwrap();
}

async fn fill(s: &dyn StateStore) -> Vec<PodId> {
    let mut ids = Vec::new();
    for i in 0..4 {
        let p = pod_with(PodId::random(), &format!("p{i}"), t(10 - i, 0));
        s.add_pod(&p).await.unwrap();
        for j in 0..i {
            let c = ctr_with(
                pod_core::ContainerId::random(),
                &format!("p{i}-c{j}"),
                Some(&p.id),
                t(100 - j, 0),
            );
            s.add_container(&c, &full_status()).await.unwrap();
        }
        ids.push(p.id);
    }
    s.add_container(&ctr("lone", None), &configured())
        .await
        .unwrap();
    ids
}

async fn per_pod(s: &dyn StateStore) -> Vec<(pod_core::PodConfig, Vec<Container>)> {
    let mut out = Vec::new();
    for p in s.list_pods().await.unwrap() {
        let c = s.pod_containers(&p.id).await.unwrap();
        out.push((p, c));
    }
    out
}

#[tokio::test]
async fn list_all_matches_list_pods_and_pod_containers() {
    let tmp = tempfile::tempdir().unwrap();
    let sql = SqliteStore::open(&tmp.path().join("state")).unwrap();
    fill(&sql).await;
    let all = sql.list_all().await.unwrap();
    assert_eq!(all, per_pod(&sql).await);
    assert_eq!(all.len(), 4);
    assert_eq!(all[0].0.name.as_str(), "p3");
    assert_eq!(all[0].1.len(), 3);
    assert_eq!(all[0].1[0].config.name.as_str(), "p3-c2");

    let mem = MemoryStore::new();
    fill(&mem).await;
    let all = mem.list_all();
    assert_eq!(all, per_pod(&mem).await);
    assert_eq!(all.len(), 4);
}

#[test]
fn works_on_a_current_thread_runtime() {
    // The CLI's runtime: spawn_blocking must work there.
    let tmp = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let s = SqliteStore::open(&tmp.path().join("state")).unwrap();
        let p = pod("web");
        s.add_pod(&p).await.unwrap();
        let _l = s.lock_pod(&p.id).await.unwrap();
        assert_eq!(s.list_pods().await.unwrap(), vec![p]);
    });
}
