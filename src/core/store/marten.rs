//! Marten's event store on PostgreSQL, read-only.
//!
//! `mt_events(seq_id bigint primary key, id uuid, stream_id uuid|varchar,
//! version bigint, data jsonb, type varchar, timestamp timestamptz,
//! tenant_id, mt_dotnet_type, is_archived, [correlation_id, causation_id,
//! headers])`. `seq_id` is the global position (primary key: `$all`
//! windows are index ranges) and Marten's unique `(stream_id, version)`
//! index serves stream reads; versions keep Marten's numbering (from 1).
//! The optional columns, when the table has them, are gathered into the
//! metadata object. Marten has no categories; the usual rule (stream id
//! before the first `-`) is applied to the stream id's text, without an
//! index.

use crate::core::error::StoreResult;
use crate::core::store::pg::{redact, PgConn};
use crate::core::store::table::{plain_decode, Arg, TableSource, TableSpec};

const OPTIONAL: [&str; 6] = [
    "tenant_id",
    "mt_dotnet_type",
    "correlation_id",
    "causation_id",
    "headers",
    "is_archived",
];

pub fn open(url: &str, conn: PgConn, schema: &str) -> StoreResult<TableSource> {
    let columns = conn.texts(
        "SELECT column_name::text, data_type::text FROM information_schema.columns
         WHERE table_schema = ?1 AND table_name = 'mt_events'",
        &[Arg::Text(schema.to_string())],
    )?;
    let has = |name: &str| {
        columns
            .iter()
            .any(|c| c.first().cloned().flatten().as_deref() == Some(name))
    };
    let stream_is_uuid = columns.iter().any(|c| {
        c.first().cloned().flatten().as_deref() == Some("stream_id")
            && c.get(1).cloned().flatten().as_deref() == Some("uuid")
    });
    let metadata_fields: Vec<String> = OPTIONAL
        .iter()
        .filter(|c| has(c))
        .map(|c| format!("'{c}', {c}"))
        .collect();
    let metadata = if metadata_fields.is_empty() {
        "NULL".to_string()
    } else {
        format!(
            "jsonb_strip_nulls(jsonb_build_object({}))::text",
            metadata_fields.join(", ")
        )
    };
    let stream_match = if stream_is_uuid {
        // A stream id that is not a UUID matches nothing instead of failing
        // the cast.
        "stream_id = (CASE WHEN {p}::text ~* '^[0-9a-f-]{32,36}$' THEN {p}::text::uuid END)"
    } else {
        "stream_id = {p}::text"
    };
    let table = format!("{}.mt_events", quote_ident(schema));
    let spec = TableSpec {
        table,
        position: "seq_id".to_string(),
        stream: "stream_id::text".to_string(),
        version: "version::bigint".to_string(),
        event_type: "type::text".to_string(),
        schema_version: "1::bigint".to_string(),
        data: "data::text".to_string(),
        metadata,
        time_ms: Some("(extract(epoch from timestamp) * 1000)::bigint".to_string()),
        stream_match: stream_match.to_string(),
        id: "id::text".to_string(),
        category: "split_part(stream_id::text, '-', 1)".to_string(),
        streams_sql: None,
    };
    Ok(TableSource::new(
        Box::new(conn),
        spec,
        plain_decode,
        format!("{} (Marten)", redact(url)),
        format!("marten:{}:{schema}", redact(url)),
    ))
}

/// A PostgreSQL identifier in double quotes.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
