//! The NDJSON event format: one event per line, read by `rewind import` and
//! written by `rewind export` and `rewind log --json`. Data and metadata
//! are carried as raw JSON text, so that what was imported is exported
//! byte for byte (big integers, `-0.0`, key order, escapes).

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::core::event::{Event, NewEvent};
use crate::core::time::{parse_rfc3339, rfc3339_ms};

/// One line of an import file, parsed and validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRecord {
    pub stream: String,
    pub event: NewEvent,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line<'a> {
    #[serde(borrow)]
    stream: Option<&'a RawValue>,
    #[serde(rename = "type")]
    event_type: Option<String>,
    #[serde(borrow)]
    data: Option<&'a RawValue>,
    #[serde(borrow)]
    metadata: Option<&'a RawValue>,
    id: Option<String>,
    time: Option<String>,
    schema_version: Option<i64>,
    // Written by `rewind export`; the store assigns its own on import.
    #[allow(dead_code)]
    position: Option<serde::de::IgnoredAny>,
    #[allow(dead_code)]
    version: Option<serde::de::IgnoredAny>,
}

/// Parses one NDJSON line. The error is a reason fit to follow `FILE:LINE: `.
pub fn parse_line(text: &str) -> Result<ImportRecord, String> {
    let line: Line<'_> = serde_json::from_str(text).map_err(describe_json_error)?;
    let stream = match line.stream {
        Some(raw) => serde_json::from_str::<String>(raw.get())
            .map_err(|_| "\"stream\" must be a string".to_string())?,
        None => return Err("missing \"stream\"".into()),
    };
    let event_type = line.event_type.ok_or("missing \"type\"")?;
    let data = line.data.ok_or("missing \"data\"")?;
    let mut event = NewEvent::new(&event_type, data.get(), line.metadata.map(RawValue::get))?;
    if let Some(id) = line.id {
        let uuid =
            uuid::Uuid::try_parse(&id).map_err(|_| format!("\"id\" {id:?} is not a UUID"))?;
        event.id = Some(uuid.hyphenated().to_string());
    }
    if let Some(time) = line.time {
        let ms = parse_rfc3339(&time)
            .ok_or_else(|| format!("\"time\" {time:?} is not an RFC 3339 time"))?;
        event.time_ms = Some(ms);
    }
    if let Some(schema_version) = line.schema_version {
        if schema_version < 1 {
            return Err(format!(
                "\"schema_version\" must be 1 or more, not {schema_version}"
            ));
        }
        event.schema_version = schema_version;
    }
    Ok(ImportRecord { stream, event })
}

fn describe_json_error(error: serde_json::Error) -> String {
    let text = error.to_string();
    if text.starts_with("unknown field") {
        format!("{text} (allowed: stream, type, data, metadata, id, time, schema_version)")
    } else if error.is_eof() {
        format!("the line ends before its JSON does ({text})")
    } else {
        format!("not valid JSON: {text}")
    }
}

/// The JSON shape of a stored event, used by `export`, `log --json` and
/// `show --json`.
#[derive(Serialize)]
pub struct EventJson<'a> {
    pub position: i64,
    pub stream: &'a str,
    pub version: i64,
    #[serde(rename = "type")]
    pub event_type: &'a str,
    pub schema_version: i64,
    pub id: &'a str,
    pub time: String,
    pub data: Box<RawValue>,
    pub metadata: Box<RawValue>,
}

impl<'a> EventJson<'a> {
    pub fn new(event: &'a Event) -> Self {
        EventJson {
            position: event.position,
            stream: &event.stream,
            version: event.version,
            event_type: &event.event_type,
            schema_version: event.schema_version,
            id: &event.id,
            time: rfc3339_ms(event.time_ms),
            data: raw_json(&event.data),
            metadata: raw_json(&event.metadata),
        }
    }
}

/// The stored text as raw JSON; text that is not JSON (possible in a
/// foreign store) becomes a JSON string rather than broken output.
pub fn raw_json(text: &str) -> Box<RawValue> {
    RawValue::from_string(text.to_string()).unwrap_or_else(|_| {
        let quoted = serde_json::to_string(text).unwrap_or_else(|_| "null".into());
        RawValue::from_string(quoted).unwrap_or_else(|_| null_raw())
    })
}

fn null_raw() -> Box<RawValue> {
    RawValue::from_string("null".to_string()).expect("null is valid JSON")
}

/// One event as a single NDJSON line (no trailing newline).
pub fn event_line(event: &Event) -> String {
    serde_json::to_string(&EventJson::new(event)).unwrap_or_else(|e| {
        // Serialising strings and raw JSON cannot fail; say so if it ever does.
        format!("{{\"error\":{:?}}}", e.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_line() {
        let r =
            parse_line(r#"{"stream":"account-1","type":"Opened","data":{"owner":"Ada"}}"#).unwrap();
        assert_eq!(r.stream, "account-1");
        assert_eq!(r.event.event_type, "Opened");
        assert_eq!(r.event.data, r#"{"owner":"Ada"}"#);
        assert_eq!(r.event.metadata, "{}");
        assert_eq!(r.event.schema_version, 1);
        assert!(r.event.id.is_none() && r.event.time_ms.is_none());
    }

    #[test]
    fn full_line_keeps_everything() {
        let r = parse_line(
            r#"{"stream":"s-1","type":"T","data":{"n":123456789012345678901234567890,"z":-0.0},
               "metadata":{"actor":"me"},"id":"6F9619FF-8B86-D011-B42D-00C04FC964FF",
               "time":"2025-03-01T08:09:09.096Z","schema_version":2}"#,
        )
        .unwrap();
        assert_eq!(
            r.event.data,
            r#"{"n":123456789012345678901234567890,"z":-0.0}"#
        );
        assert_eq!(r.event.metadata, r#"{"actor":"me"}"#);
        assert_eq!(
            r.event.id.as_deref(),
            Some("6f9619ff-8b86-d011-b42d-00c04fc964ff")
        );
        assert_eq!(r.event.schema_version, 2);
        assert_eq!(
            rfc3339_ms(r.event.time_ms.unwrap()),
            "2025-03-01T08:09:09.096Z"
        );
    }

    #[test]
    fn reasons_name_the_problem() {
        let reason = |s: &str| parse_line(s).unwrap_err();
        assert!(reason(r#"{"type":"T","data":1}"#).contains("missing \"stream\""));
        assert!(reason(r#"{"stream":"s","data":1}"#).contains("missing \"type\""));
        assert!(reason(r#"{"stream":"s","type":"T"}"#).contains("missing \"data\""));
        assert!(
            reason(r#"{"stream":"s","type":"T","data":1,"metdata":{}}"#).contains("unknown field")
        );
        assert!(reason(r#"{"stream":"s","type":"T","data":1,"id":"x"}"#).contains("not a UUID"));
        assert!(reason(r#"{"stream":"s","type":"T","data":1,"time":"noon"}"#).contains("RFC 3339"));
        assert!(reason(r#"{"stream":"s","type":"T","data":1,"metadata":[]}"#).contains("object"));
        assert!(reason(r#"{"stream":"s","type":"#).contains("ends before"));
        assert!(reason(r#"{"stream":5,"type":"T","data":1}"#).contains("must be a string"));
    }

    #[test]
    fn export_line_round_trips() {
        let event = Event {
            position: 7,
            id: "6f9619ff-8b86-d011-b42d-00c04fc964ff".into(),
            stream: "s-1".into(),
            version: 3,
            event_type: "T".into(),
            schema_version: 2,
            data: r#"{"b":1,"a":1e400}"#.into(),
            metadata: "{}".into(),
            time_ms: 1_740_816_549_096,
        };
        let line = event_line(&event);
        assert!(line.contains(r#""data":{"b":1,"a":1e400}"#), "{line}");
        let back = parse_line(&line).unwrap();
        assert_eq!(back.event.data, event.data);
        assert_eq!(back.event.time_ms, Some(event.time_ms));
        assert_eq!(back.event.id.as_deref(), Some(event.id.as_str()));
    }
}
