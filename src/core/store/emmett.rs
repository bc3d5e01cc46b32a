//! Emmett's SQLite event store, read-only.
//!
//! Emmett (a Node library) keeps every message in `emt_messages`, keyed by
//! `global_position INTEGER PRIMARY KEY` (the rowid, so `$all` windows are
//! key ranges) with a unique index led by `(stream_id, stream_position)`
//! that serves stream reads. Stream positions keep Emmett's numbering.
//! `created` is SQLite's `CURRENT_TIMESTAMP` text (UTC), or epoch
//! milliseconds if a writer stored numbers. Time and category lookups have
//! no index in Emmett's schema; Rewind does not add one (the store is not
//! Rewind's to change), so those queries scan the table.
//! Partitions are not separated: a stream id is shown once across them.
//! Emmett numbers a stream's messages from 1; that numbering is kept.

use std::path::Path;

use crate::core::error::StoreResult;
use crate::core::store::eventsourcing::sqlite_category;
use crate::core::store::sqlite_conn::ForeignSqlite;
use crate::core::store::table::{plain_decode, TableSource, TableSpec};

pub const TABLE: &str = "emt_messages";

/// Epoch milliseconds of an SQLite time column holding text or numbers.
pub fn sqlite_time_ms(column: &str) -> String {
    format!(
        "(CASE typeof({column}) WHEN 'integer' THEN {column} \
         ELSE CAST(round((julianday({column}) - 2440587.5) * 86400000.0) AS INTEGER) END)"
    )
}

pub fn open(path: &Path) -> StoreResult<TableSource> {
    let conn = ForeignSqlite::open(path)?;
    let spec = TableSpec {
        table: TABLE.to_string(),
        position: "global_position".to_string(),
        stream: "stream_id".to_string(),
        version: "stream_position".to_string(),
        event_type: "message_type".to_string(),
        // Emmett's SQLite append writes the stream's expected version into
        // `message_schema_version` (0 for a new stream), not a schema
        // version; showing it as one would mislead (and 0 is not a valid
        // schema version for re-import), so every message is version 1.
        schema_version: "1".to_string(),
        data: "message_data".to_string(),
        metadata: "message_metadata".to_string(),
        time_ms: Some(sqlite_time_ms("created")),
        stream_match: "stream_id = {p}".to_string(),
        id: "message_id".to_string(),
        category: sqlite_category("stream_id"),
        streams_sql: None,
    };
    Ok(TableSource::new(
        Box::new(conn),
        spec,
        plain_decode,
        format!("{} (Emmett)", path.display()),
        format!("emmett:{}", path.display()),
    ))
}
