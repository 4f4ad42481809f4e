//! The embedded SQLite [`StateStore`], shared by every podctl process on the host.

mod schema;

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, DirBuilder, File, OpenOptions, TryLockError};
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use pod_core::{
    format_time, Container, ContainerConfig, ContainerId, ContainerState, ContainerStatus, Event,
    EventKind, PodConfig, PodId, PodLock, StateStore,
};
use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension, Row, Transaction};
use rusqlite::{DatabaseName, TransactionBehavior};

use crate::error::StateError;
use crate::lookup::{prefix_upper_bound, resolve, Kind};

pub(crate) use schema::latest_version;

/// File name of the database inside the state directory.
pub const DB_FILE: &str = "state.db";
/// Directory of the per-pod lock files inside the state directory.
pub const LOCKS_DIR: &str = "locks";

/// How long SQLite itself waits for another process's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long we keep retrying a `SQLITE_BUSY` that SQLite returned without waiting (e.g.
/// while another connection recovers the WAL).
const BUSY_RETRY_FOR: Duration = Duration::from_secs(30);
/// Pause between such retries.
const BUSY_RETRY_PAUSE: Duration = Duration::from_millis(5);

/// Bytes of the database file SQLite may memory-map for reads.
const MMAP_SIZE: i64 = 256 << 20;

/// A store operation's failure before the database path is attached.
#[derive(Debug)]
enum OpError {
    Sql(rusqlite::Error),
    State(StateError),
    Decode { what: String, detail: String },
}

impl From<rusqlite::Error> for OpError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Sql(e)
    }
}

impl From<StateError> for OpError {
    fn from(e: StateError) -> Self {
        Self::State(e)
    }
}

impl From<pod_core::Error> for OpError {
    fn from(e: pod_core::Error) -> Self {
        Self::State(StateError::Core(e))
    }
}

impl OpError {
    fn decode(what: impl Into<String>, detail: impl ToString) -> Self {
        Self::Decode {
            what: what.into(),
            detail: detail.to_string(),
        }
    }

    fn is_busy(&self) -> bool {
        matches!(self, Self::Sql(e) if is_busy(e))
    }

    fn into_state(self, path: &Path) -> StateError {
        match self {
            Self::Sql(source) => StateError::Sqlite {
                path: path.to_owned(),
                source,
            },
            Self::State(e) => e,
            Self::Decode { what, detail } => StateError::Decode {
                path: path.to_owned(),
                what,
                detail,
            },
        }
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

type OpResult<T> = Result<T, OpError>;

struct Inner {
    conn: Mutex<Connection>,
    state_dir: PathBuf,
    db_path: PathBuf,
    locks_dir: PathBuf,
}

impl Inner {
    /// Runs `f` on the connection, retrying while SQLite reports the database busy.
    /// `f` must leave no effect when it fails (write in one transaction).
    fn run<T>(&self, mut f: impl FnMut(&mut Connection) -> OpResult<T>) -> Result<T, StateError> {
        let mut conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        retry_busy(|| f(&mut conn)).map_err(|e| e.into_state(&self.db_path))
    }
}

fn retry_busy<T>(mut f: impl FnMut() -> OpResult<T>) -> OpResult<T> {
    let deadline = Instant::now() + BUSY_RETRY_FOR;
    loop {
        match f() {
            Err(e) if e.is_busy() && Instant::now() < deadline => {
                std::thread::sleep(BUSY_RETRY_PAUSE);
            }
            other => return other,
        }
    }
}

/// The SQLite state store: `state.db` (WAL) and `locks/` under a state directory.
///
/// Many processes may open the same directory at once: writes are IMMEDIATE
/// transactions with a busy timeout, and [`StateStore::lock_pod`] takes an exclusive
/// `flock` on `locks/<pod id>.lock`, which excludes other processes and other lockers in
/// this process alike. A store from [`SqliteStore::open`] runs every SQLite call on
/// tokio's blocking pool, never on the async runtime's threads; one from
/// [`SqliteStore::open_inline`] runs them on the calling thread.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
    inline: bool,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("db_path", &self.inner.db_path)
            .finish()
    }
}

/// Creates `dir` (and missing parents) with mode 0700 when it does not exist; an
/// existing directory keeps its mode.
fn ensure_dir(dir: &Path) -> Result<(), StateError> {
    let err = |source| StateError::CreateDir {
        path: dir.to_owned(),
        source,
    };
    match fs::metadata(dir) {
        Ok(m) if m.is_dir() => return Ok(()),
        Ok(_) => {
            return Err(err(io::Error::new(
                io::ErrorKind::NotADirectory,
                "exists and is not a directory",
            )))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(err(e)),
    }
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(err)?;
    // The umask may have removed bits we want (never added any): make it exactly 0700.
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(err)
}

/// Creates the database file with mode 0600 when missing.
fn ensure_db_file(path: &Path) -> Result<(), StateError> {
    let err = |source| StateError::CreateDb {
        path: path.to_owned(),
        source,
    };
    match fs::metadata(path) {
        Ok(m) if m.is_file() => Ok(()),
        Ok(_) => Err(err(io::Error::other("exists and is not a regular file"))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            match OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
            {
                Ok(f) => f
                    .set_permissions(fs::Permissions::from_mode(0o600))
                    .map_err(err),
                // Another process created it first: fine.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
                Err(e) => Err(err(e)),
            }
        }
        Err(e) => Err(err(e)),
    }
}

/// Brings an existing database (and its `-wal`/`-shm` files) to mode 0600; done only
/// after SQLite accepted the file, so a foreign file is never touched.
fn fix_db_mode(path: &Path) -> Result<(), StateError> {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let p = PathBuf::from(name);
        if let Ok(m) = fs::metadata(&p) {
            if m.mode() & 0o777 != 0o600 {
                fs::set_permissions(&p, fs::Permissions::from_mode(0o600))
                    .map_err(|source| StateError::CreateDb { path: p, source })?;
            }
        }
    }
    Ok(())
}

/// After SQLite failed to open or read the database: is the reason that the directory
/// cannot be written? Then a [`StateError::ReadOnly`] explains it.
fn read_only_reason(state_dir: &Path) -> Option<String> {
    let probe = state_dir.join(format!(".podctl-write-probe-{}", std::process::id()));
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&probe)
    {
        Ok(_) => {
            let _ = fs::remove_file(&probe);
            None
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => None,
        Err(e) => Some(format!(
            "cannot create files in {}: {e}",
            state_dir.display()
        )),
    }
}

fn schema_version(conn: &Connection) -> rusqlite::Result<i64> {
    let has_table: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version')",
        )?
        .query_row([], |r| r.get(0))?;
    if !has_table {
        return Ok(0);
    }
    conn.prepare_cached("SELECT version FROM schema_version")?
        .query_row([], |r| r.get(0))
        .optional()
        .map(|v| v.unwrap_or(0))
}

fn migrate(conn: &mut Connection, path: &Path) -> OpResult<()> {
    let latest = latest_version();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Another process may have migrated while we waited for the write lock.
    let current = schema_version(&tx)?;
    if current > latest {
        return Err(newer_schema(path, current).into());
    }
    for (i, step) in schema::MIGRATIONS.iter().enumerate().skip(current as usize) {
        tracing::debug!(path = %path.display(), version = i + 1, "migrating state database");
        tx.execute_batch(step)?;
    }
    tx.execute("UPDATE schema_version SET version = ?1", [latest])?;
    tx.commit()?;
    Ok(())
}

fn newer_schema(path: &Path, found: i64) -> StateError {
    StateError::NewerSchema {
        path: path.to_owned(),
        found,
        supported: latest_version(),
    }
}

/// Opens the connection and brings the schema to the current version.
fn open_connection(state_dir: &Path, db_path: &Path) -> Result<Connection, StateError> {
    let classify = |e: rusqlite::Error| -> StateError {
        match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
                StateError::NotADatabase {
                    path: db_path.to_owned(),
                    source: e,
                }
            }
            Some(ErrorCode::CannotOpen | ErrorCode::ReadOnly | ErrorCode::PermissionDenied) => {
                match read_only_reason(state_dir) {
                    Some(detail) => StateError::ReadOnly {
                        path: db_path.to_owned(),
                        detail,
                    },
                    None => StateError::Open {
                        path: db_path.to_owned(),
                        source: e,
                    },
                }
            }
            _ => StateError::Open {
                path: db_path.to_owned(),
                source: e,
            },
        }
    };
    let op = |e: OpError| match e {
        OpError::Sql(e) => classify(e),
        other => other.into_state(db_path),
    };

    // No CREATE flag: the file was made (0600) by `ensure_db_file`; if it vanished, fail
    // rather than let SQLite create it with its default mode.
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(db_path, flags).map_err(classify)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(classify)?;
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(classify)?;

    // The first read: a file that is not SQLite fails here, before anything is written.
    let version = retry_busy(|| Ok(schema_version(&conn)?)).map_err(op)?;
    if version > latest_version() {
        return Err(newer_schema(db_path, version));
    }
    if conn.is_readonly(DatabaseName::Main).map_err(classify)? {
        return Err(StateError::ReadOnly {
            path: db_path.to_owned(),
            detail: read_only_reason(state_dir)
                .unwrap_or_else(|| "SQLite opened it read-only".to_owned()),
        });
    }
    let mode: String =
        retry_busy(|| Ok(conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?))
            .map_err(op)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StateError::Open {
            path: db_path.to_owned(),
            source: rusqlite::Error::InvalidParameterName(format!(
                "cannot switch to WAL journal mode (journal mode is {mode})"
            )),
        });
    }
    // With WAL, NORMAL loses no committed transaction on a process crash (only on power
    // loss), and saves an fsync per commit.
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(classify)?;
    // Read pages through a memory map rather than read(2) copies: listing thousands of
    // containers touches every page of the tables.
    conn.pragma_update(None, "mmap_size", MMAP_SIZE)
        .map_err(classify)?;
    if version < latest_version() {
        retry_busy(|| migrate(&mut conn, db_path)).map_err(op)?;
    }
    Ok(conn)
}

impl SqliteStore {
    /// Opens (creating when needed) the store in `state_dir`: the directory (0700 when
    /// created; an existing one keeps its mode), `state.db` (0600) and `locks/` (0700).
    ///
    /// Fails with a [`StateError`] naming the path when the directory cannot be made or
    /// written, when `state.db` is not an SQLite database (the file is left untouched),
    /// or when its schema is newer than this binary knows. Cheap when the schema is
    /// current: no DDL runs.
    pub fn open(state_dir: &Path) -> Result<SqliteStore, StateError> {
        ensure_dir(state_dir)?;
        let locks_dir = state_dir.join(LOCKS_DIR);
        ensure_dir(&locks_dir)?;
        let db_path = state_dir.join(DB_FILE);
        ensure_db_file(&db_path)?;
        let conn = open_connection(state_dir, &db_path)?;
        fix_db_mode(&db_path)?;
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                conn: Mutex::new(conn),
                state_dir: state_dir.to_owned(),
                db_path,
                locks_dir,
            }),
            inline: false,
        })
    }

    /// [`SqliteStore::open`] for a process that runs one command on a current-thread
    /// runtime (the CLI): SQLite calls run on the calling thread instead of tokio's
    /// blocking pool, and a free pod lock is taken there too (a contended one is still
    /// waited for on the pool). This saves the pool's thread and two thread switches
    /// per call; a call blocks the runtime while it runs (SQLite's own waits for another
    /// process's write lock included), which a one-command process does not mind.
    pub fn open_inline(state_dir: &Path) -> Result<SqliteStore, StateError> {
        let mut store = Self::open(state_dir)?;
        store.inline = true;
        Ok(store)
    }

    /// The state directory.
    pub fn state_dir(&self) -> &Path {
        &self.inner.state_dir
    }

    /// The database file (`<state dir>/state.db`).
    pub fn db_path(&self) -> &Path {
        &self.inner.db_path
    }

    /// The schema version this binary writes (the number of migrations it knows).
    pub fn schema_version() -> i64 {
        latest_version()
    }

    /// Runs `f` with the connection on tokio's blocking pool (on this thread when
    /// inline).
    async fn call<T, F>(&self, f: F) -> Result<T, StateError>
    where
        T: Send + 'static,
        F: FnMut(&mut Connection) -> OpResult<T> + Send + 'static,
    {
        if self.inline {
            return self.inner.run(f);
        }
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || inner.run(f))
            .await
            .map_err(|e| StateError::Task(e.to_string()))?
    }

    /// Every pod with its containers (pods and containers oldest first), in two queries:
    /// the fast path for `pod ps`.
    pub async fn list_all(&self) -> Result<Vec<(PodConfig, Vec<Container>)>, StateError> {
        self.call(|conn| {
            // One read transaction: all queries see the same snapshot, not a container
            // another process inserted between two of them.
            let tx = conn.transaction()?;
            let conn: &Connection = &tx;
            let pods = query_pods(conn, "ORDER BY created, id", [])?;
            let index: HashMap<&str, usize> = pods
                .iter()
                .enumerate()
                .map(|(i, p)| (p.id.as_str(), i))
                .collect();
            let ctrs = all_containers(conn)?;
            let slots: Vec<Option<usize>> = ctrs
                .iter()
                .map(|c| {
                    let pod = c.config.pod.as_ref()?;
                    index.get(pod.as_str()).copied()
                })
                .collect();
            drop(index);
            // Exact capacities, so each container is moved once.
            let mut counts = vec![0usize; pods.len()];
            for i in slots.iter().flatten() {
                counts[*i] += 1;
            }
            let mut groups: Vec<Vec<Container>> =
                counts.into_iter().map(Vec::with_capacity).collect();
            for (c, slot) in ctrs.into_iter().zip(slots) {
                if let Some(i) = slot {
                    groups[i].push(c);
                }
            }
            Ok(pods.into_iter().zip(groups).collect())
        })
        .await
    }

    /// Test hook: inserts `pods` in one IMMEDIATE transaction, calls `then` while the
    /// transaction is still open (a crash test kills the process there), then rolls
    /// back. Blocks the calling thread.
    #[doc(hidden)]
    pub fn debug_insert_uncommitted(
        &self,
        pods: &[PodConfig],
        then: impl FnOnce(),
    ) -> Result<(), StateError> {
        let mut conn = self
            .inner
            .conn
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let res = (|| -> OpResult<()> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for pod in pods {
                let json = to_json(pod, || format!("pod {}", pod.id))?;
                insert_pod(&tx, pod, &json)?;
            }
            then();
            tx.rollback()?;
            Ok(())
        })();
        res.map_err(|e| e.into_state(&self.inner.db_path))
    }
}

// ---- rows <-> model -------------------------------------------------------------------

fn text<'r>(row: &'r Row<'_>, i: usize) -> OpResult<&'r str> {
    row.get_ref(i)?
        .as_str()
        .map_err(|e| OpError::decode(format!("column {i}"), e))
}

fn opt_text<'r>(row: &'r Row<'_>, i: usize) -> OpResult<Option<&'r str>> {
    row.get_ref(i)?
        .as_str_or_null()
        .map_err(|e| OpError::decode(format!("column {i}"), e))
}

fn parse_time(s: &str, what: impl FnOnce() -> String) -> OpResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| OpError::decode(what(), format!("bad time {s:?}: {e}")))
}

fn to_json<T: serde::Serialize>(
    v: &T,
    what: impl FnOnce() -> String,
) -> Result<String, StateError> {
    serde_json::to_string(v).map_err(|e| StateError::Encode {
        what: what(),
        detail: e.to_string(),
    })
}

fn from_json<T: serde::de::DeserializeOwned>(
    s: &str,
    what: impl FnOnce() -> String,
) -> OpResult<T> {
    serde_json::from_str(s).map_err(|e| OpError::decode(what(), e))
}

const POD_SELECT: &str = "SELECT id, config FROM pods";

fn query_pods<P: rusqlite::Params>(
    conn: &Connection,
    tail: &str,
    p: P,
) -> OpResult<Vec<PodConfig>> {
    let mut stmt = conn.prepare_cached(&format!("{POD_SELECT} {tail}"))?;
    let mut rows = stmt.query(p)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let id = text(row, 0)?;
        out.push(from_json(text(row, 1)?, || format!("pod {id}"))?);
    }
    Ok(out)
}

/// The `container_state` columns after `container_id`, as [`status_from_row`] reads them.
const STATUS_COLUMNS: &str =
    "state, pid, monitor_pid, exit_code, started_at, finished_at, oom_killed, error";

const CONTAINER_SELECT: &str = "SELECT c.id, c.config, s.state, s.pid, s.monitor_pid, \
    s.exit_code, s.started_at, s.finished_at, s.oom_killed, s.error \
    FROM containers c JOIN container_state s ON s.container_id = c.id";

/// Reads the [`STATUS_COLUMNS`] starting at column `first`.
fn status_from_row(row: &Row<'_>, first: usize, id: &str) -> OpResult<ContainerStatus> {
    let what = || format!("container {id}");
    let state_s = text(row, first)?;
    let state = ContainerState::parse(state_s)
        .ok_or_else(|| OpError::decode(what(), format!("unknown state {state_s:?}")))?;
    let time = |i: usize| -> OpResult<Option<DateTime<Utc>>> {
        opt_text(row, i)?.map(|s| parse_time(s, what)).transpose()
    };
    Ok(ContainerStatus {
        state,
        pid: row.get(first + 1)?,
        monitor_pid: row.get(first + 2)?,
        exit_code: row.get(first + 3)?,
        started_at: time(first + 4)?,
        finished_at: time(first + 5)?,
        oom_killed: row.get(first + 6)?,
        error: row.get(first + 7)?,
    })
}

fn container_from_row(row: &Row<'_>) -> OpResult<Container> {
    let id = text(row, 0)?;
    let config: ContainerConfig = from_json(text(row, 1)?, || format!("container {id}"))?;
    let status = status_from_row(row, 2, id)?;
    Ok(Container { config, status })
}

fn query_containers<P: rusqlite::Params>(
    conn: &Connection,
    tail: &str,
    p: P,
) -> OpResult<Vec<Container>> {
    let mut stmt = conn.prepare_cached(&format!("{CONTAINER_SELECT} {tail}"))?;
    let mut rows = stmt.query(p)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(container_from_row(row)?);
    }
    Ok(out)
}

/// Every container, oldest first: two sequential table scans joined in memory, much
/// faster for the whole table than SQLite's per-row lookups. Call it inside a
/// transaction: otherwise a container inserted between the scans has no state row.
fn all_containers(conn: &Connection) -> OpResult<Vec<Container>> {
    // `container_state` is a WITHOUT ROWID table: the scan yields it in id order.
    let mut states: Vec<(String, Option<ContainerStatus>)> = Vec::new();
    {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT container_id, {STATUS_COLUMNS} FROM container_state"
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let id = text(row, 0)?;
            states.push((id.to_owned(), Some(status_from_row(row, 1, id)?)));
        }
    }
    if !states.is_sorted_by(|a, b| a.0 <= b.0) {
        states.sort_by(|a, b| a.0.cmp(&b.0));
    }
    let mut out = Vec::with_capacity(states.len());
    // `containers` is scanned in insertion order, which is nearly always creation order.
    let mut stmt = conn.prepare_cached("SELECT id, config FROM containers")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let id = text(row, 0)?;
        let status = states
            .binary_search_by(|(k, _)| k.as_str().cmp(id))
            .ok()
            .and_then(|i| states[i].1.take())
            .ok_or_else(|| OpError::decode(format!("container {id}"), "no state record"))?;
        let config: ContainerConfig = from_json(text(row, 1)?, || format!("container {id}"))?;
        out.push(Container { config, status });
    }
    Ok(sort_oldest_first(out))
}

/// Sorts by creation time, then id, moving each (large) element once.
fn sort_oldest_first(v: Vec<Container>) -> Vec<Container> {
    fn key(c: &Container) -> (DateTime<Utc>, &str) {
        (c.config.created, c.config.id.as_str())
    }
    if v.is_sorted_by(|a, b| key(a) <= key(b)) {
        return v;
    }
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| key(&v[a]).cmp(&key(&v[b])));
    let mut slots: Vec<Option<Container>> = v.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

fn exists(conn: &Connection, sql: &str, p: impl rusqlite::Params) -> OpResult<bool> {
    Ok(conn.prepare_cached(sql)?.exists(p)?)
}

fn ids_with_prefix(conn: &Connection, table: &str, prefix: &str) -> OpResult<Vec<String>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id FROM {table} WHERE id >= ?1 AND id < ?2"
    ))?;
    let rows = stmt.query_map(params![prefix, prefix_upper_bound(prefix)], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
}

fn insert_labels(
    tx: &Transaction<'_>,
    table: &str,
    owner_col: &str,
    owner: &str,
    labels: &BTreeMap<String, String>,
) -> OpResult<()> {
    if labels.is_empty() {
        return Ok(());
    }
    let mut stmt = tx.prepare_cached(&format!(
        "INSERT INTO {table} ({owner_col}, key, value) VALUES (?1, ?2, ?3)"
    ))?;
    for (k, v) in labels {
        stmt.execute(params![owner, k, v])?;
    }
    Ok(())
}

fn insert_pod(tx: &Transaction<'_>, pod: &PodConfig, json: &str) -> OpResult<()> {
    let id = pod.id.as_str();
    if exists(
        tx,
        "SELECT 1 FROM pods WHERE name = ?1",
        [pod.name.as_str()],
    )? {
        return Err(Kind::Pod.exists(pod.name.as_str()).into());
    }
    if exists(tx, "SELECT 1 FROM pods WHERE id = ?1", [id])? {
        return Err(StateError::DuplicateId {
            kind: "pod",
            id: id.to_owned(),
        }
        .into());
    }
    tx.prepare_cached("INSERT INTO pods (id, name, created, config) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![
            id,
            pod.name.as_str(),
            format_time(&pod.created),
            json
        ])?;
    insert_labels(tx, "pod_labels", "pod_id", id, &pod.labels)
}

/// The columns of `container_state` after `container_id`.
struct StatusRow<'a> {
    state: &'static str,
    pid: Option<i32>,
    monitor_pid: Option<i32>,
    exit_code: Option<i32>,
    started_at: Option<String>,
    finished_at: Option<String>,
    oom_killed: bool,
    error: Option<&'a str>,
}

impl<'a> StatusRow<'a> {
    fn new(s: &'a ContainerStatus) -> Self {
        Self {
            state: s.state.as_str(),
            pid: s.pid,
            monitor_pid: s.monitor_pid,
            exit_code: s.exit_code,
            started_at: s.started_at.as_ref().map(format_time),
            finished_at: s.finished_at.as_ref().map(format_time),
            oom_killed: s.oom_killed,
            error: s.error.as_deref(),
        }
    }
}

fn event_kind_str(kind: EventKind) -> Result<String, StateError> {
    match serde_json::to_value(kind) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        other => Err(StateError::Encode {
            what: "event kind".to_owned(),
            detail: format!("{kind:?} serializes as {other:?}"),
        }),
    }
}

/// Opens and flocks `path`, retrying when the file was replaced while we waited (a
/// removed pod's lock file is deleted; a waiter then locks the new file). Without
/// `wait`, a lock held elsewhere is `None` instead of waited for.
fn lock_file(locks_dir: &Path, path: &Path, wait: bool) -> Result<Option<File>, StateError> {
    let err = |source| StateError::Lock {
        path: path.to_owned(),
        source,
    };
    loop {
        let file = match OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)
        {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                // The locks directory itself was removed: recreate it.
                ensure_dir(locks_dir)?;
                OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create(true)
                    .truncate(false)
                    .mode(0o600)
                    .open(path)
                    .map_err(err)?
            }
            Err(e) => return Err(err(e)),
        };
        if wait {
            file.lock().map_err(err)?;
        } else {
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => return Ok(None),
                Err(TryLockError::Error(e)) => return Err(err(e)),
            }
        }
        let held = file.metadata().map_err(err)?;
        match fs::metadata(path) {
            Ok(now) if now.ino() == held.ino() && now.dev() == held.dev() => return Ok(Some(file)),
            Ok(_) => continue,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(err(e)),
        }
    }
}

#[async_trait]
impl StateStore for SqliteStore {
    async fn add_pod(&self, pod: &PodConfig) -> pod_core::Result<()> {
        let json = to_json(pod, || format!("pod {}", pod.id))?;
        let pod = pod.clone();
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            insert_pod(&tx, &pod, &json)?;
            tx.commit()?;
            Ok(())
        })
        .await
        .map_err(Into::into)
    }

    async fn update_pod(&self, pod: &PodConfig) -> pod_core::Result<()> {
        let json = to_json(pod, || format!("pod {}", pod.id))?;
        let pod = pod.clone();
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let id = pod.id.as_str();
            if !exists(&tx, "SELECT 1 FROM pods WHERE id = ?1", [id])? {
                return Err(Kind::Pod.not_found(id).into());
            }
            if exists(
                &tx,
                "SELECT 1 FROM pods WHERE name = ?1 AND id != ?2",
                [pod.name.as_str(), id],
            )? {
                return Err(Kind::Pod.exists(pod.name.as_str()).into());
            }
            tx.prepare_cached(
                "UPDATE pods SET name = ?2, created = ?3, config = ?4 WHERE id = ?1",
            )?
            .execute(params![
                id,
                pod.name.as_str(),
                format_time(&pod.created),
                json
            ])?;
            tx.prepare_cached("DELETE FROM pod_labels WHERE pod_id = ?1")?
                .execute([id])?;
            insert_labels(&tx, "pod_labels", "pod_id", id, &pod.labels)?;
            tx.commit()?;
            Ok(())
        })
        .await
        .map_err(Into::into)
    }

    async fn remove_pod(&self, id: &PodId) -> pod_core::Result<()> {
        let pid = id.clone();
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            // Containers, their states and all labels go by ON DELETE CASCADE.
            let n = tx
                .prepare_cached("DELETE FROM pods WHERE id = ?1")?
                .execute([pid.as_str()])?;
            if n == 0 {
                return Err(Kind::Pod.not_found(pid.as_str()).into());
            }
            tx.commit()?;
            Ok(())
        })
        .await?;
        // The lock file goes too; a waiter notices (inode check) and locks a fresh file.
        let lock = self.inner.locks_dir.join(format!("{id}.lock"));
        if let Err(e) = fs::remove_file(&lock) {
            if e.kind() != io::ErrorKind::NotFound {
                tracing::warn!(path = %lock.display(), error = %e, "cannot remove pod lock file");
            }
        }
        Ok(())
    }

    async fn pod(&self, id: &PodId) -> pod_core::Result<PodConfig> {
        let id = id.clone();
        self.call(move |conn| {
            query_pods(conn, "WHERE id = ?1", [id.as_str()])?
                .pop()
                .ok_or_else(|| Kind::Pod.not_found(id.as_str()).into())
        })
        .await
        .map_err(Into::into)
    }

    async fn lookup_pod(&self, name_or_id: &str) -> pod_core::Result<PodConfig> {
        let input = name_or_id.to_owned();
        self.call(move |conn| {
            resolve(
                Kind::Pod,
                &input,
                |name| Ok(query_pods(conn, "WHERE name = ?1", [name])?.pop()),
                |prefix| ids_with_prefix(conn, "pods", prefix),
                |id| Ok(query_pods(conn, "WHERE id = ?1", [id])?.pop()),
            )
        })
        .await
        .map_err(Into::into)
    }

    async fn list_pods(&self) -> pod_core::Result<Vec<PodConfig>> {
        self.call(|conn| query_pods(conn, "ORDER BY created, id", []))
            .await
            .map_err(Into::into)
    }

    async fn add_container(
        &self,
        ctr: &ContainerConfig,
        status: &ContainerStatus,
    ) -> pod_core::Result<()> {
        let json = to_json(ctr, || format!("container {}", ctr.id))?;
        let ctr = ctr.clone();
        let status = status.clone();
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let id = ctr.id.as_str();
            if let Some(pod) = &ctr.pod {
                if !exists(&tx, "SELECT 1 FROM pods WHERE id = ?1", [pod.as_str()])? {
                    return Err(Kind::Pod.not_found(pod.as_str()).into());
                }
            }
            if exists(
                &tx,
                "SELECT 1 FROM containers WHERE name = ?1",
                [ctr.name.as_str()],
            )? {
                return Err(Kind::Container.exists(ctr.name.as_str()).into());
            }
            if exists(&tx, "SELECT 1 FROM containers WHERE id = ?1", [id])? {
                return Err(StateError::DuplicateId {
                    kind: "container",
                    id: id.to_owned(),
                }
                .into());
            }
            tx.prepare_cached(
                "INSERT INTO containers (id, name, pod_id, created, is_infra, init_type, config) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                id,
                ctr.name.as_str(),
                ctr.pod.as_ref().map(PodId::as_str),
                format_time(&ctr.created),
                ctr.is_infra,
                ctr.init_type.map(|t| t.as_str()),
                json
            ])?;
            let s = StatusRow::new(&status);
            tx.prepare_cached(
                "INSERT INTO container_state (container_id, state, pid, monitor_pid, exit_code, \
                 started_at, finished_at, oom_killed, error) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                id,
                s.state,
                s.pid,
                s.monitor_pid,
                s.exit_code,
                s.started_at,
                s.finished_at,
                s.oom_killed,
                s.error
            ])?;
            insert_labels(&tx, "container_labels", "container_id", id, &ctr.labels)?;
            tx.commit()?;
            Ok(())
        })
        .await
        .map_err(Into::into)
    }

    async fn remove_container(&self, id: &ContainerId) -> pod_core::Result<()> {
        let id = id.clone();
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let n = tx
                .prepare_cached("DELETE FROM containers WHERE id = ?1")?
                .execute([id.as_str()])?;
            if n == 0 {
                return Err(Kind::Container.not_found(id.as_str()).into());
            }
            tx.commit()?;
            Ok(())
        })
        .await
        .map_err(Into::into)
    }

    async fn container(&self, id: &ContainerId) -> pod_core::Result<Container> {
        let id = id.clone();
        self.call(move |conn| {
            query_containers(conn, "WHERE c.id = ?1", [id.as_str()])?
                .pop()
                .ok_or_else(|| Kind::Container.not_found(id.as_str()).into())
        })
        .await
        .map_err(Into::into)
    }

    async fn lookup_container(&self, name_or_id: &str) -> pod_core::Result<Container> {
        let input = name_or_id.to_owned();
        self.call(move |conn| {
            resolve(
                Kind::Container,
                &input,
                |name| Ok(query_containers(conn, "WHERE c.name = ?1", [name])?.pop()),
                |prefix| ids_with_prefix(conn, "containers", prefix),
                |id| Ok(query_containers(conn, "WHERE c.id = ?1", [id])?.pop()),
            )
        })
        .await
        .map_err(Into::into)
    }

    async fn pod_containers(&self, pod: &PodId) -> pod_core::Result<Vec<Container>> {
        let pod = pod.clone();
        self.call(move |conn| {
            let ctrs = query_containers(
                conn,
                "WHERE c.pod_id = ?1 ORDER BY c.created, c.id",
                [pod.as_str()],
            )?;
            if ctrs.is_empty() && !exists(conn, "SELECT 1 FROM pods WHERE id = ?1", [pod.as_str()])?
            {
                return Err(Kind::Pod.not_found(pod.as_str()).into());
            }
            Ok(ctrs)
        })
        .await
        .map_err(Into::into)
    }

    async fn list_containers(&self) -> pod_core::Result<Vec<Container>> {
        self.call(|conn| {
            // Two scans in one read transaction (one snapshot), see `all_containers`.
            let tx = conn.transaction()?;
            all_containers(&tx)
        })
        .await
        .map_err(Into::into)
    }

    async fn set_status(&self, id: &ContainerId, status: &ContainerStatus) -> pod_core::Result<()> {
        let id = id.clone();
        let status = status.clone();
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let s = StatusRow::new(&status);
            let n = tx
                .prepare_cached(
                    "UPDATE container_state SET state = ?2, pid = ?3, monitor_pid = ?4, \
                     exit_code = ?5, started_at = ?6, finished_at = ?7, oom_killed = ?8, \
                     error = ?9 WHERE container_id = ?1",
                )?
                .execute(params![
                    id.as_str(),
                    s.state,
                    s.pid,
                    s.monitor_pid,
                    s.exit_code,
                    s.started_at,
                    s.finished_at,
                    s.oom_killed,
                    s.error
                ])?;
            if n == 0 {
                return Err(Kind::Container.not_found(id.as_str()).into());
            }
            tx.commit()?;
            Ok(())
        })
        .await
        .map_err(Into::into)
    }

    async fn lock_pod(&self, id: &PodId) -> pod_core::Result<PodLock> {
        let locks_dir = self.inner.locks_dir.clone();
        let path = locks_dir.join(format!("{id}.lock"));
        if self.inline {
            if let Some(file) = lock_file(&locks_dir, &path, false)? {
                return Ok(PodLock::new(file));
            }
        }
        let file = tokio::task::spawn_blocking(move || lock_file(&locks_dir, &path, true))
            .await
            .map_err(|e| StateError::Task(e.to_string()))??
            .ok_or_else(|| StateError::Task("waiting for a pod lock returned none".into()))?;
        // Dropping the file closes it, which releases the flock.
        Ok(PodLock::new(file))
    }

    async fn add_event(&self, event: &Event) -> pod_core::Result<()> {
        let kind = event_kind_str(event.kind)?;
        let event = event.clone();
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.prepare_cached(
                "INSERT INTO events (time, kind, pod_id, container_id, name) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                format_time(&event.time),
                kind,
                event.pod.as_ref().map(PodId::as_str),
                event.container.as_ref().map(ContainerId::as_str),
                event.name
            ])?;
            tx.commit()?;
            Ok(())
        })
        .await
        .map_err(Into::into)
    }

    async fn events(&self, since: Option<DateTime<Utc>>) -> pod_core::Result<Vec<Event>> {
        let since = since.as_ref().map(format_time);
        self.call(move |conn| {
            const SELECT: &str = "SELECT id, time, kind, pod_id, container_id, name FROM events";
            let mut stmt;
            let mut rows = match &since {
                Some(since) => {
                    stmt = conn
                        .prepare_cached(&format!("{SELECT} WHERE time >= ?1 ORDER BY time, id"))?;
                    stmt.query([since])?
                }
                None => {
                    stmt = conn.prepare_cached(&format!("{SELECT} ORDER BY time, id"))?;
                    stmt.query([])?
                }
            };
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                let n: i64 = row.get(0)?;
                let what = || format!("event {n}");
                let kind_s = text(row, 2)?;
                let kind: EventKind =
                    serde_json::from_value(serde_json::Value::String(kind_s.to_owned()))
                        .map_err(|e| OpError::decode(what(), e))?;
                let pod = opt_text(row, 3)?
                    .map(PodId::parse)
                    .transpose()
                    .map_err(|e| OpError::decode(what(), e))?;
                let container = opt_text(row, 4)?
                    .map(ContainerId::parse)
                    .transpose()
                    .map_err(|e| OpError::decode(what(), e))?;
                out.push(Event {
                    time: parse_time(text(row, 1)?, what)?,
                    kind,
                    pod,
                    container,
                    name: row.get(5)?,
                });
            }
            Ok(out)
        })
        .await
        .map_err(Into::into)
    }
}
