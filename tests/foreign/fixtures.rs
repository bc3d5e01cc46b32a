//! Fixtures for tests/foreign_sqlite.rs: stores written by the real Python
//! eventsourcing library, and Emmett-shaped stores.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::common::Sandbox;

/// Writes the eventsourcing fixtures with the real library; returns the
/// aggregate ids it printed. Fails (never skips) when Python or the
/// library is missing: CI installs them.
pub fn eventsourcing_fixture(dir: &Path) -> Value {
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eventsourcing_fixture.py");
    let output = Command::new("python3")
        .arg(&script)
        .arg(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!("python3 is needed for the eventsourcing fixture ({e}); install Python 3 and run `pip install -r tests/fixtures/requirements.txt`")
        });
    assert!(
        output.status.success(),
        "the eventsourcing fixture failed; run `pip install -r tests/fixtures/requirements.txt`\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the fixture prints JSON")
}

/// The library stores UUID originator ids as 32 hex digits.
pub fn stream_of(ids: &Value, store: &str, who: &str) -> String {
    ids[store][who].as_str().expect("an id").replace('-', "")
}

/// Emmett's `emt_messages` and `emt_streams` tables, as its SQLite event
/// store (`@event-driven-io/emmett-sqlite` 0.42) creates them.
pub fn emmett_store(path: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).expect("create emmett store");
    conn.execute_batch(
        "CREATE TABLE emt_streams(
            stream_id TEXT NOT NULL, stream_position BIGINT NOT NULL DEFAULT 0,
            partition TEXT NOT NULL DEFAULT 'global', stream_type TEXT NOT NULL,
            stream_metadata JSONB NOT NULL, is_archived BOOLEAN NOT NULL DEFAULT FALSE,
            PRIMARY KEY (stream_id, partition, is_archived),
            UNIQUE (stream_id, partition, is_archived));
         CREATE TABLE emt_messages(
            stream_id TEXT NOT NULL, stream_position BIGINT NOT NULL,
            partition TEXT NOT NULL DEFAULT 'global', message_kind CHAR(1) NOT NULL DEFAULT 'E',
            message_data JSONB NOT NULL, message_metadata JSONB NOT NULL,
            message_schema_version TEXT NOT NULL, message_type TEXT NOT NULL,
            message_id TEXT NOT NULL, is_archived BOOLEAN NOT NULL DEFAULT FALSE,
            global_position INTEGER PRIMARY KEY,
            created DATETIME DEFAULT CURRENT_TIMESTAMP,
            UNIQUE (stream_id, stream_position, partition, is_archived));",
    )
    .expect("emmett schema");
    conn
}

pub fn emmett_append(
    conn: &rusqlite::Connection,
    stream: &str,
    position: i64,
    kind: &str,
    data: &str,
) {
    conn.execute(
        "INSERT INTO emt_messages (stream_id, stream_position, message_data, message_metadata,
            message_schema_version, message_type, message_id, created)
         VALUES (?1, ?2, ?3, '{\"userId\":\"u-1\"}', '2', ?4, ?5, '2025-03-01 08:09:09')",
        rusqlite::params![
            stream,
            position,
            data,
            kind,
            uuid::Uuid::new_v4().to_string()
        ],
    )
    .expect("append emmett message");
}

pub fn emmett_fixture(sandbox: &Sandbox) -> PathBuf {
    let path = sandbox.path("emmett.sqlite");
    let conn = emmett_store(&path);
    emmett_append(
        &conn,
        "cart-1",
        1,
        "ProductItemAdded",
        r#"{"sku":"a","qty":2}"#,
    );
    emmett_append(
        &conn,
        "cart-2",
        1,
        "ProductItemAdded",
        r#"{"sku":"b","qty":1}"#,
    );
    emmett_append(
        &conn,
        "cart-1",
        2,
        "ShoppingCartConfirmed",
        r#"{"at":"2025-03-01"}"#,
    );
    path
}

/// File name → SHA-256 of every file in `dir`.
pub fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .map(|e| {
            let bytes = std::fs::read(e.path()).expect("read file");
            let digest: String = Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            (e.file_name().to_string_lossy().into_owned(), digest)
        })
        .collect()
}
