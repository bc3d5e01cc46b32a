//! The Python `eventsourcing` library's SQLite store, read-only.
//!
//! Table `stored_events(originator_id, originator_version, topic, state)`;
//! the rowid is the library's notification order, so it is the global
//! position. The stream is the originator id exactly as stored (the library
//! writes UUIDs as 32 hex digits), versions keep the library's numbering
//! (from 1), the type is the event class from the topic
//! (`bank.domain:Account.Opened` becomes `Account.Opened`, the full topic is
//! in the metadata), and the data is the decoded state: the library's
//! `{"_type_": ..., "_data_": ...}` encodings become plain JSON values
//! (datetimes as RFC 3339 strings, UUIDs hyphenated, decimals as numbers
//! written exactly as stored), zlib-compressed states are decompressed, and
//! encrypted states (AES-GCM, unreadable without the application's key) are
//! shown as `{"encrypted": true, "bytes": N}`.
//!
//! The event time lives inside the state (`timestamp`), so SQL cannot see
//! it: time lookups binary-search the rows by notification order instead,
//! which assumes times grow with it (they do for one writer).
//! Index use: the primary key `(originator_id, originator_version)` serves
//! stream reads and the rowid serves `$all`; category reads (a prefix of the
//! originator id, which is rarely meaningful here) scan the table.

use std::io::Read;
use std::path::Path;

use serde_json::Value;

use crate::core::error::{StoreError, StoreResult};
use crate::core::event::Event;
use crate::core::store::sqlite_conn::ForeignSqlite;
use crate::core::store::table::{derived_id, RawRow, TableSource, TableSpec};
use crate::core::time::parse_rfc3339;

pub const TABLE: &str = "stored_events";

pub fn open(path: &Path) -> StoreResult<TableSource> {
    let conn = ForeignSqlite::open(path)?;
    // The application recorder's table has a rowid (the notification
    // order); the aggregate recorder alone creates it WITHOUT ROWID, which
    // has no global order to show.
    if !conn.runs("SELECT rowid FROM stored_events LIMIT 1") {
        return Err(StoreError::NotAStore {
            path: path.to_path_buf(),
            reason: "its stored_events table has no notification order (WITHOUT ROWID)".into(),
        });
    }
    let spec = TableSpec {
        table: TABLE.to_string(),
        position: "rowid".to_string(),
        stream: "originator_id".to_string(),
        version: "originator_version".to_string(),
        event_type: "topic".to_string(),
        schema_version: "1".to_string(),
        data: "state".to_string(),
        metadata: "topic".to_string(),
        time_ms: None,
        stream_match: "originator_id = {p}".to_string(),
        id: "NULL".to_string(),
        category: sqlite_category("originator_id"),
        streams_sql: None,
    };
    Ok(TableSource::new(
        Box::new(conn),
        spec,
        decode,
        format!("{} (Python eventsourcing)", path.display()),
        format!("eventsourcing:{}", path.display()),
    ))
}

/// The part of a text column before the first `-`, in SQLite.
pub fn sqlite_category(column: &str) -> String {
    format!(
        "(CASE WHEN instr({column}, '-') > 0 THEN substr({column}, 1, instr({column}, '-') - 1) ELSE {column} END)"
    )
}

/// How a state was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Json,
    Zlib,
    Encrypted,
}

impl Encoding {
    fn name(self) -> &'static str {
        match self {
            Encoding::Json => "json",
            Encoding::Zlib => "zlib",
            Encoding::Encrypted => "encrypted",
        }
    }
}

/// Reads a state: JSON as it is, else zlib-compressed JSON, else (the
/// bytes of an AES-GCM cipher text look random) encrypted.
fn read_state(state: &[u8]) -> (Encoding, Option<Value>) {
    if let Ok(value) = serde_json::from_slice::<Value>(state) {
        return (Encoding::Json, Some(value));
    }
    let mut inflated = Vec::new();
    if flate2::read::ZlibDecoder::new(state)
        .read_to_end(&mut inflated)
        .is_ok()
    {
        if let Ok(value) = serde_json::from_slice::<Value>(&inflated) {
            return (Encoding::Zlib, Some(value));
        }
    }
    (Encoding::Encrypted, None)
}

fn decode(row: RawRow) -> Event {
    let topic = row.event_type;
    let event_type = topic
        .split_once(':')
        .map_or(topic.as_str(), |(_, class)| class)
        .to_string();
    let (encoding, state) = read_state(&row.data);
    let mut time_ms = 0;
    let data = match &state {
        Some(value) => {
            if let Some(Value::Object(stamp)) = value.get("timestamp") {
                if let Some(Value::String(iso)) = stamp.get("_data_") {
                    time_ms = parse_rfc3339(iso).unwrap_or(0);
                }
            }
            let mut text = String::new();
            write_plain(value, &mut text);
            text
        }
        None => serde_json::json!({"encrypted": true, "bytes": row.data.len()}).to_string(),
    };
    let metadata = serde_json::json!({"topic": topic, "encoding": encoding.name()}).to_string();
    Event {
        position: row.position,
        id: derived_id(&[&row.stream, &row.version.to_string()]),
        stream: row.stream,
        version: row.version,
        event_type,
        schema_version: 1,
        data,
        metadata,
        time_ms,
    }
}

/// Writes `value` as JSON text with the library's `_type_` encodings
/// turned into plain values.
fn write_plain(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            if let (Some(Value::String(kind)), Some(data), 2) =
                (map.get("_type_"), map.get("_data_"), map.len())
            {
                write_typed(kind, data, out);
                return;
            }
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_plain(item, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_plain(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

fn write_typed(kind: &str, data: &Value, out: &mut String) {
    match (kind, data) {
        ("uuid_hex", Value::String(hex)) => {
            let text = uuid::Uuid::try_parse(hex)
                .map(|u| u.hyphenated().to_string())
                .unwrap_or_else(|_| hex.clone());
            out.push_str(&Value::String(text).to_string());
        }
        // A decimal stays the exact number it was (`12.50`, not 12.5);
        // NaN and infinities, which JSON has no number for, stay strings.
        ("decimal_str", Value::String(text))
            if serde_json::from_str::<serde_json::Number>(text).is_ok() =>
        {
            out.push_str(text)
        }
        // datetime_iso, date_iso and the rest: the encoded value itself.
        _ => write_plain(data, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_library_encodings() {
        let state = br#"{"timestamp":{"_type_":"datetime_iso","_data_":"2026-11-22T17:08:49.134087+00:00"},"amount":{"_type_":"decimal_str","_data_":"12.50"},"ref":{"_type_":"uuid_hex","_data_":"6f9619ff8b86d011b42d00c04fc964ff"},"bad":{"_type_":"decimal_str","_data_":"NaN"}}"#;
        let event = decode(RawRow {
            position: 3,
            stream: "abc".into(),
            version: 1,
            event_type: "bank:Account.Opened".into(),
            data: state.to_vec(),
            ..RawRow::default()
        });
        assert_eq!(event.event_type, "Account.Opened");
        assert_eq!(
            event.data,
            r#"{"timestamp":"2026-11-22T17:08:49.134087+00:00","amount":12.50,"ref":"6f9619ff-8b86-d011-b42d-00c04fc964ff","bad":"NaN"}"#
        );
        assert_eq!(event.time_ms, 1_795_367_329_134);
        assert!(event.metadata.contains("bank:Account.Opened"));
    }

    #[test]
    fn random_bytes_are_encrypted() {
        let (encoding, value) = read_state(&[0x71, 0x31, 0xfb, 0x32, 0xc0, 0x66]);
        assert_eq!(encoding, Encoding::Encrypted);
        assert!(value.is_none());
    }
}
