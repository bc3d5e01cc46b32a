//! CloudEvents 1.0 in the structured JSON format: `rewind import --format
//! cloudevents` reads one event per line or a JSON batch array per line,
//! and `rewind export --format cloudevents` writes one event per line.
//!
//! Mapping (export, and the same read back on import):
//!
//! | Rewind          | CloudEvents                                        |
//! |-----------------|----------------------------------------------------|
//! | stream          | `subject` (on import: `subject`, else `source`)    |
//! | type            | `type`                                             |
//! | id              | `id` (on import an id that is not a UUID becomes a UUID derived from `source` and `id`; the original is kept in the metadata as `ceid`) |
//! | time            | `time` (RFC 3339)                                  |
//! | data            | `data` (`datacontenttype: application/json`); `data_base64` is kept as a JSON string |
//! | metadata        | extension `rewindmetadata`: the metadata object as JSON text (CloudEvents attributes cannot hold objects) |
//! | version         | extension `rewindversion` (integer; informative, the store assigns its own on import) |
//! | position        | extension `rewindposition` (integer; informative)  |
//! | schema version  | extension `rewindschemaversion` (integer)          |
//! | —               | `source`: `/rewind/CATEGORY`                       |
//!
//! Importing events from other producers (without `rewindmetadata`), every
//! attribute that has no field of its own (`source`, `dataschema`,
//! `datacontenttype`, extensions) goes into the metadata object.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};

use crate::core::event::{Event, NewEvent};
use crate::core::ndjson::{raw_json, ImportRecord};
use crate::core::store::table::derived_id;
use crate::core::time::{parse_rfc3339, rfc3339_ms};

/// Attributes with a field of their own.
const MAPPED: [&str; 11] = [
    "specversion",
    "id",
    "subject",
    "type",
    "time",
    "data",
    "data_base64",
    "rewindmetadata",
    "rewindversion",
    "rewindposition",
    "rewindschemaversion",
];

/// Parses one line: a CloudEvent object or a batch array of them.
pub fn parse_line(text: &str) -> Result<Vec<ImportRecord>, String> {
    if text.trim_start().starts_with('[') {
        let items: Vec<&RawValue> =
            serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                parse_event(item.get()).map_err(|e| format!("batch item {}: {e}", i + 1))
            })
            .collect()
    } else {
        Ok(vec![parse_event(text)?])
    }
}

/// The `data` member as written, so numbers beyond f64 keep their digits.
#[derive(Deserialize)]
struct RawData<'a> {
    #[serde(borrow)]
    data: Option<&'a RawValue>,
}

fn string_attr(map: &Map<String, Value>, name: &str) -> Result<Option<String>, String> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("\"{name}\" must be a string")),
    }
}

fn parse_event(text: &str) -> Result<ImportRecord, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let Value::Object(map) = value else {
        return Err("a CloudEvent must be a JSON object".into());
    };
    let raw: RawData<'_> =
        serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    match string_attr(&map, "specversion")?.as_deref() {
        Some("1.0") => {}
        Some(other) => return Err(format!("specversion {other:?} is not supported (1.0 is)")),
        None => return Err("missing \"specversion\"".into()),
    }
    let id = string_attr(&map, "id")?.ok_or("missing \"id\"")?;
    let source = string_attr(&map, "source")?.ok_or("missing \"source\"")?;
    let event_type = string_attr(&map, "type")?.ok_or("missing \"type\"")?;
    let stream = string_attr(&map, "subject")?.unwrap_or_else(|| source.clone());
    let data = match (raw.data, map.get("data_base64")) {
        (Some(data), _) => data.get().to_string(),
        (None, Some(Value::String(b64))) => Value::String(b64.clone()).to_string(),
        _ => "null".to_string(),
    };
    let uuid = uuid::Uuid::try_parse(&id).ok();
    let metadata = match string_attr(&map, "rewindmetadata")? {
        Some(text) => text,
        None => {
            let mut extra: Map<String, Value> = map
                .iter()
                .filter(|(k, _)| !MAPPED.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if uuid.is_none() {
                extra.insert("ceid".into(), Value::String(id.clone()));
            }
            Value::Object(extra).to_string()
        }
    };
    let mut event = NewEvent::new(&event_type, &data, Some(&metadata))?;
    event.id = Some(match uuid {
        Some(u) => u.hyphenated().to_string(),
        None => derived_id(&[&source, &id]),
    });
    if let Some(time) = string_attr(&map, "time")? {
        event.time_ms =
            Some(parse_rfc3339(&time).ok_or_else(|| format!("\"time\" {time:?} is not RFC 3339"))?);
    }
    if let Some(v) = map.get("rewindschemaversion") {
        let n = v
            .as_i64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .filter(|n| *n >= 1)
            .ok_or("\"rewindschemaversion\" must be an integer of 1 or more")?;
        event.schema_version = n;
    }
    Ok(ImportRecord { stream, event })
}

/// One event as a CloudEvent on one line (no trailing newline).
pub fn event_line(event: &Event) -> String {
    let mut map = Map::new();
    map.insert("specversion".into(), json!("1.0"));
    map.insert("id".into(), json!(event.id));
    map.insert(
        "source".into(),
        json!(format!("/rewind/{}", event.category())),
    );
    map.insert("subject".into(), json!(event.stream));
    map.insert("type".into(), json!(event.event_type));
    map.insert("time".into(), json!(rfc3339_ms(event.time_ms)));
    map.insert("datacontenttype".into(), json!("application/json"));
    map.insert("rewindversion".into(), json!(event.version));
    map.insert("rewindposition".into(), json!(event.position));
    map.insert("rewindschemaversion".into(), json!(event.schema_version));
    map.insert("rewindmetadata".into(), json!(event.metadata));
    // `data` goes in as raw JSON so its text (big numbers, key order)
    // survives; everything else is plain values.
    let head = Value::Object(map).to_string();
    let data = raw_json(&event.data);
    format!("{},\"data\":{}}}", &head[..head.len() - 1], data.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_events_map_into_records() {
        let records = parse_line(
            r#"[{"specversion":"1.0","id":"A234-1234-1234","source":"/mycontext","type":"com.example.someevent","time":"2018-04-05T17:31:00Z","comexampleextension1":"value","datacontenttype":"application/json","data":{"appinfoA":"abc"}},
                {"specversion":"1.0","id":"x","source":"/orders","subject":"order-7","type":"Placed"}]"#,
        )
        .unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].stream, "/mycontext");
        assert_eq!(records[0].event.data, r#"{"appinfoA":"abc"}"#);
        let metadata: Value = serde_json::from_str(&records[0].event.metadata).unwrap();
        assert_eq!(metadata["comexampleextension1"], "value");
        assert_eq!(metadata["ceid"], "A234-1234-1234");
        assert_eq!(records[1].stream, "order-7");
        assert_eq!(records[1].event.data, "null");
        assert!(parse_line(r#"{"specversion":"0.3","id":"1","source":"s","type":"t"}"#).is_err());
        assert!(parse_line(r#"{"specversion":"1.0","id":"1","type":"t"}"#)
            .unwrap_err()
            .contains("source"));
    }

    #[test]
    fn export_line_reads_back() {
        let event = Event {
            position: 7,
            id: "6f9619ff-8b86-d011-b42d-00c04fc964ff".into(),
            stream: "account-1".into(),
            version: 3,
            event_type: "Deposited".into(),
            schema_version: 2,
            data: r#"{"b":1,"a":123456789012345678901234567890}"#.into(),
            metadata: r#"{"actor":"me"}"#.into(),
            time_ms: 1_740_816_549_096,
        };
        let line = event_line(&event);
        let value: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["rewindposition"], 7);
        assert_eq!(value["subject"], "account-1");
        let back = parse_line(&line).unwrap().remove(0);
        assert_eq!(back.stream, event.stream);
        assert_eq!(back.event.data, event.data);
        assert_eq!(back.event.metadata, event.metadata);
        assert_eq!(back.event.id.as_deref(), Some(event.id.as_str()));
        assert_eq!(back.event.time_ms, Some(event.time_ms));
        assert_eq!(back.event.schema_version, 2);
    }
}
