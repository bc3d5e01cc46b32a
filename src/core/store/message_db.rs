//! message-db (Eventide) on PostgreSQL, read-only.
//!
//! `message_store.messages(global_position bigserial primary key, position,
//! time timestamp (UTC), stream_name, type, data jsonb, metadata jsonb, id)`.
//! Positions keep message-db's numbering (from 0). The category is
//! message-db's own `message_store.category(stream_name)` (the stream name
//! before the first `-`), which its `messages_category` index is built on,
//! so category windows are index range scans; streams use the unique
//! `(stream_name, position)` index and `$all` the primary key. Everything
//! else (counts, stream lists, histograms) is an aggregate the server runs.

use crate::core::error::StoreResult;
use crate::core::store::pg::{redact, PgConn};
use crate::core::store::table::{plain_decode, Arg, TableSource, TableSpec};

/// The stream list without reading every message: a skip scan over the
/// `(stream_name, position)` index finds each stream name in one index
/// probe, then the first and last message of each are two more. message-db
/// numbers a stream's messages without gaps (`write_message` appends at
/// the stream's version + 1), so the count is last − first + 1, and its
/// times grow with positions (`time` defaults to the write time).
const STREAMS_SQL: &str = "
WITH RECURSIVE names AS (
    (SELECT stream_name FROM message_store.messages ORDER BY stream_name LIMIT 1)
    UNION ALL
    SELECT (SELECT m.stream_name FROM message_store.messages m
            WHERE m.stream_name > n.stream_name ORDER BY m.stream_name LIMIT 1)
    FROM names n WHERE n.stream_name IS NOT NULL
)
SELECT n.stream_name::text, f.position, l.position, l.position - f.position + 1, f.t, l.t
FROM names n
CROSS JOIN LATERAL (
    SELECT position, (extract(epoch from time) * 1000)::bigint AS t
    FROM message_store.messages WHERE stream_name = n.stream_name
    ORDER BY position LIMIT 1) f
CROSS JOIN LATERAL (
    SELECT position, (extract(epoch from time) * 1000)::bigint AS t
    FROM message_store.messages WHERE stream_name = n.stream_name
    ORDER BY position DESC LIMIT 1) l
WHERE n.stream_name IS NOT NULL
ORDER BY n.stream_name";

pub fn open(url: &str, conn: PgConn) -> StoreResult<TableSource> {
    // A hand-made schema may lack the helper function; fall back to the
    // same expression (no index then).
    let has_function = conn
        .texts(
            "SELECT to_regprocedure('message_store.category(character varying)')::text",
            &[] as &[Arg],
        )?
        .first()
        .and_then(|row| row.first().cloned().flatten())
        .is_some();
    let category = if has_function {
        "message_store.category(stream_name)"
    } else {
        "split_part(stream_name, '-', 1)"
    };
    let spec = TableSpec {
        table: "message_store.messages".to_string(),
        position: "global_position".to_string(),
        stream: "stream_name::text".to_string(),
        version: "position".to_string(),
        event_type: "type::text".to_string(),
        schema_version: "1::bigint".to_string(),
        data: "data::text".to_string(),
        metadata: "metadata::text".to_string(),
        // `time` is UTC without a zone; epoch of it reads it as UTC.
        time_ms: Some("(extract(epoch from time) * 1000)::bigint".to_string()),
        stream_match: "stream_name = {p}".to_string(),
        id: "id::text".to_string(),
        category: category.to_string(),
        streams_sql: Some(STREAMS_SQL.to_string()),
    };
    Ok(TableSource::new(
        Box::new(conn),
        spec,
        plain_decode,
        format!("{} (message-db)", redact(url)),
        format!("message-db:{}", redact(url)),
    ))
}
