//! The schema of the state database, as forward migrations.
//!
//! `MIGRATIONS[i]` takes the schema from version `i` to `i + 1`; the current version is
//! `MIGRATIONS.len()`, stored in the one-row table `schema_version`. Only ever append a
//! step: a released step must never change.

/// The forward migrations, oldest first.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: the initial schema.
    r#"
    CREATE TABLE schema_version (
        version INTEGER NOT NULL
    );
    INSERT INTO schema_version (version) VALUES (0);

    CREATE TABLE pods (
        id      TEXT PRIMARY KEY NOT NULL,
        name    TEXT NOT NULL UNIQUE,
        created TEXT NOT NULL,
        config  TEXT NOT NULL
    );
    CREATE INDEX pods_by_created ON pods (created, id);

    CREATE TABLE pod_labels (
        pod_id TEXT NOT NULL REFERENCES pods (id) ON DELETE CASCADE,
        key    TEXT NOT NULL,
        value  TEXT NOT NULL,
        PRIMARY KEY (pod_id, key)
    ) WITHOUT ROWID;
    CREATE INDEX pod_labels_by_key ON pod_labels (key, value);

    CREATE TABLE containers (
        id        TEXT PRIMARY KEY NOT NULL,
        name      TEXT NOT NULL UNIQUE,
        pod_id    TEXT REFERENCES pods (id) ON DELETE CASCADE,
        created   TEXT NOT NULL,
        is_infra  INTEGER NOT NULL,
        init_type TEXT,
        config    TEXT NOT NULL
    );
    CREATE INDEX containers_by_pod ON containers (pod_id, created, id);
    CREATE INDEX containers_by_created ON containers (created, id);

    CREATE TABLE container_state (
        container_id TEXT PRIMARY KEY NOT NULL
                     REFERENCES containers (id) ON DELETE CASCADE,
        state        TEXT NOT NULL,
        pid          INTEGER,
        monitor_pid  INTEGER,
        exit_code    INTEGER,
        started_at   TEXT,
        finished_at  TEXT,
        oom_killed   INTEGER NOT NULL DEFAULT 0,
        error        TEXT
    ) WITHOUT ROWID;
    CREATE INDEX container_state_by_state ON container_state (state);

    CREATE TABLE container_labels (
        container_id TEXT NOT NULL REFERENCES containers (id) ON DELETE CASCADE,
        key          TEXT NOT NULL,
        value        TEXT NOT NULL,
        PRIMARY KEY (container_id, key)
    ) WITHOUT ROWID;
    CREATE INDEX container_labels_by_key ON container_labels (key, value);

    CREATE TABLE events (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        time         TEXT NOT NULL,
        kind         TEXT NOT NULL,
        pod_id       TEXT,
        container_id TEXT,
        name         TEXT NOT NULL
    );
    CREATE INDEX events_by_time ON events (time, id);
    "#,
];

/// The schema version this binary writes and understands.
pub(crate) fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}
