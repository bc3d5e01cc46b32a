//! The store's schema, as an append-only list of migrations. The schema
//! version is SQLite's `user_version`: migration N brings a store from
//! version N to N + 1. Never edit a migration that has shipped; add one.

use rusqlite::{Connection, Transaction, TransactionBehavior};

/// The secondary indexes of migration 1. A bulk import into an empty store
/// drops them and builds them again at the end: sorting once is several
/// times faster than inserting into four b-trees at random places.
macro_rules! secondary_indexes_v1 {
    () => {
        "CREATE INDEX events_by_stream_time ON events (stream, time_ms);
         CREATE INDEX events_by_time ON events (time_ms);
         CREATE INDEX events_by_category ON events (category, position);"
    };
}

pub const DROP_SECONDARY_INDEXES: &str = "DROP INDEX events_by_stream_time;
     DROP INDEX events_by_time;
     DROP INDEX events_by_category;";
pub const CREATE_SECONDARY_INDEXES: &str = secondary_indexes_v1!();

const MIGRATIONS: &[&str] = &[
    // 1: events, the stream list, immutability and the store's identity.
    concat!(
        r#"
    CREATE TABLE events (
        position       INTEGER PRIMARY KEY,
        id             BLOB    NOT NULL UNIQUE, -- the UUID's 16 bytes
        stream         TEXT    NOT NULL,
        category       TEXT    NOT NULL,
        version        INTEGER NOT NULL,
        type           TEXT    NOT NULL,
        schema_version INTEGER NOT NULL DEFAULT 1,
        data           TEXT    NOT NULL,
        metadata       TEXT    NOT NULL DEFAULT '{}',
        time_ms        INTEGER NOT NULL,
        hash           BLOB    NOT NULL,
        UNIQUE (stream, version)
    );
"#,
        secondary_indexes_v1!(),
        r#"

    CREATE TRIGGER events_are_immutable_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'events are immutable: append a compensating event instead'); END;
    CREATE TRIGGER events_are_immutable_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'events are immutable: append a compensating event instead'); END;

    -- Derived from events in the same transaction as every append, so that
    -- listing streams never scans the log.
    CREATE TABLE streams (
        stream        TEXT    PRIMARY KEY,
        category      TEXT    NOT NULL,
        last_version  INTEGER NOT NULL,
        first_time_ms INTEGER NOT NULL,
        last_time_ms  INTEGER NOT NULL
    );

    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO meta (key, value) VALUES ('store_id', lower(hex(randomblob(16))));
    "#
    ),
];

/// The schema version this build of Rewind writes and understands.
pub const CURRENT: i64 = MIGRATIONS.len() as i64;

pub fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
}

/// Applies every migration the store lacks, each in its own transaction.
/// The caller has checked that the store is not newer than [`CURRENT`].
/// Two processes may create the same store at once (two readers of a new
/// Kafka index): each migration takes the write lock first and looks at
/// the version again under it, so the second finds it applied.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    for (index, sql) in MIGRATIONS.iter().enumerate() {
        let version = index as i64 + 1;
        if user_version(conn)? >= version {
            continue;
        }
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if user_version(&tx)? < version {
            tx.execute_batch(sql)?;
            set_version(&tx, version)?;
        }
        tx.commit()?;
    }
    Ok(())
}

fn set_version(tx: &Transaction<'_>, version: i64) -> rusqlite::Result<()> {
    // PRAGMA takes no bound parameters; the value is our own integer.
    tx.execute_batch(&format!("PRAGMA user_version = {version}"))
}
