//! How a Kafka record becomes an event. The defaults fit what producers
//! commonly write; `--map FILE` overrides where the stream id and the type
//! come from:
//!
//! ```toml
//! stream = "header:aggregateId"   # key (default) | header:NAME | /json/pointer into the value
//! type = "/eventType"             # header:NAME | /json/pointer; default: below
//! ```
//!
//! * stream: the record key (UTF-8; otherwise `key-0x…` in hex); a record
//!   without a key goes to the stream named after its topic.
//! * type: the first header of `type`, `ce_type`, `eventType`; else a
//!   structured CloudEvent's `type`; else the topic's name.
//! * data: the value when it is JSON (its bytes as written); a structured
//!   CloudEvent's `data`; a tombstone (no value) is `null` with the type
//!   `Tombstone`; anything else is `{"text": …, "size": N}` when it is
//!   UTF-8 and `{"hex": …, "size": N}` when not, never raw bytes.
//! * metadata: every header but the one the type came from (UTF-8 as a
//!   string, else as `{"hex": …}`), a
//!   structured CloudEvent's other attributes, and `$kafka`: the topic,
//!   partition and offset the record came from.
//! * time: the record's timestamp. Schema version: a `schema_version`
//!   header holding an integer, else 1.
//! * id: derived from the topic, partition and offset, so it is unique
//!   even when a producer retried; a header `id` stays in the metadata.

use std::path::Path;

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::core::error::{StoreError, StoreResult};
use crate::core::event::NewEvent;
use crate::core::store::table::derived_id;

/// One record as the broker gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRecord {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    pub timestamp_ms: i64,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<(String, Vec<u8>)>,
}

/// Where a field of the event is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Key,
    Header(String),
    Pointer(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mapping {
    /// `None`: the record key.
    pub stream: Option<Field>,
    /// `None`: the usual headers, then a structured CloudEvent's type.
    pub event_type: Option<Field>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    stream: Option<String>,
    #[serde(rename = "type")]
    event_type: Option<String>,
}

/// Headers that name the type, in the order they are looked for.
const TYPE_HEADERS: [&str; 3] = ["type", "ce_type", "eventType"];

impl Mapping {
    pub fn load(path: &Path) -> StoreResult<Mapping> {
        let bad = |reason: String| StoreError::BadMapping {
            path: path.to_path_buf(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| bad(format!("cannot read: {e}")))?;
        let file: MappingFile = toml::from_str(&text).map_err(|e| bad(e.to_string()))?;
        let stream = file
            .stream
            .map(|s| Field::parse(&s))
            .transpose()
            .map_err(bad)?;
        let event_type = file
            .event_type
            .map(|s| Field::parse(&s))
            .transpose()
            .map_err(bad)?;
        Ok(Mapping { stream, event_type })
    }

    /// The event's stream and the event itself.
    pub fn event(&self, record: &RawRecord) -> (String, NewEvent) {
        let pointers = [&self.stream, &self.event_type]
            .iter()
            .any(|field| matches!(field, Some(Field::Pointer(_))));
        let value = Payload::of(record.value.as_deref(), pointers);
        let cloud_event = value.cloud_event();
        let stream = match &self.stream {
            Some(field) => field.text(record, &value),
            None => record.key.as_deref().map(key_text),
        }
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| record.topic.clone());
        // The header the type came from is the type: not repeated in the
        // metadata.
        let mut type_header = None;
        let event_type = match &self.event_type {
            Some(field) => field.text(record, &value),
            None => TYPE_HEADERS
                .iter()
                .find_map(|name| {
                    type_header = Some(*name);
                    header_text(record, name)
                })
                .or_else(|| {
                    type_header = None;
                    cloud_event.and_then(|ce| ce["type"].as_str().map(str::to_string))
                }),
        };
        let event_type = match (&value, event_type) {
            (Payload::Tombstone, _) => "Tombstone".to_string(),
            (_, Some(t)) if !t.is_empty() => t,
            _ => record.topic.clone(),
        };
        let data = match cloud_event {
            Some(ce) => ce.get("data").cloned().unwrap_or(Value::Null).to_string(),
            None => value.data(),
        };
        let mut metadata = Map::new();
        if let Some(ce) = cloud_event {
            for (name, attribute) in ce.iter().filter(|(k, _)| *k != "data") {
                metadata.insert(name.clone(), attribute.clone());
            }
        }
        for (name, bytes) in &record.headers {
            if Some(name.as_str()) != type_header {
                metadata.insert(name.clone(), bytes_value(bytes));
            }
        }
        metadata.insert(
            "$kafka".into(),
            json!({"topic": record.topic, "partition": record.partition, "offset": record.offset}),
        );
        let schema_version = header_text(record, "schema_version")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1);
        let event = NewEvent {
            id: Some(derived_id(&[
                &record.topic,
                &record.partition.to_string(),
                &record.offset.to_string(),
            ])),
            event_type: clean_name(&event_type),
            schema_version,
            data,
            metadata: Value::Object(metadata).to_string(),
            time_ms: Some(record.timestamp_ms.max(0)),
        };
        (clean_name(&stream), event)
    }
}

impl Field {
    fn parse(text: &str) -> Result<Field, String> {
        if text == "key" {
            return Ok(Field::Key);
        }
        if let Some(name) = text.strip_prefix("header:") {
            return Ok(Field::Header(name.to_string()));
        }
        if text.starts_with('/') {
            return Ok(Field::Pointer(text.to_string()));
        }
        Err(format!(
            "{text:?} is not a field: write key, header:NAME or a JSON Pointer such as /accountId"
        ))
    }

    fn text(&self, record: &RawRecord, value: &Payload) -> Option<String> {
        match self {
            Field::Key => record.key.as_deref().map(key_text),
            Field::Header(name) => header_text(record, name),
            Field::Pointer(pointer) => match value {
                Payload::Json {
                    parsed: Some(parsed),
                    ..
                } => parsed.pointer(pointer).map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                }),
                _ => None,
            },
        }
    }
}

/// A record's value, decoded once.
enum Payload {
    Tombstone,
    /// `parsed` only when something reads into it (a JSON Pointer in the
    /// mapping, or what may be a structured CloudEvent): most records are
    /// only checked, not built into a tree.
    Json {
        text: String,
        parsed: Option<Value>,
    },
    Other(Vec<u8>),
}

impl Payload {
    fn of(bytes: Option<&[u8]>, pointers: bool) -> Payload {
        let Some(bytes) = bytes else {
            return Payload::Tombstone;
        };
        let Ok(text) = std::str::from_utf8(bytes) else {
            return Payload::Other(bytes.to_vec());
        };
        // Accepted as data only if the store would accept it (depth too).
        if NewEvent::new("t", text, None).is_err() {
            return Payload::Other(bytes.to_vec());
        }
        let tree = pointers || text.contains("\"specversion\"");
        Payload::Json {
            text: text.trim().to_string(),
            parsed: tree.then(|| serde_json::from_str(text).ok()).flatten(),
        }
    }

    /// A structured-mode CloudEvent: an object with `specversion` and `type`.
    fn cloud_event(&self) -> Option<&Map<String, Value>> {
        match self {
            Payload::Json {
                parsed: Some(Value::Object(map)),
                ..
            } if map.get("specversion").is_some_and(Value::is_string)
                && map.get("type").is_some_and(Value::is_string) =>
            {
                Some(map)
            }
            _ => None,
        }
    }

    fn data(&self) -> String {
        match self {
            Payload::Tombstone => "null".to_string(),
            Payload::Json { text, .. } => text.clone(),
            Payload::Other(bytes) => {
                let mut shown = match std::str::from_utf8(bytes) {
                    Ok(text) => json!({"text": text}),
                    Err(_) => json!({"hex": hex(bytes)}),
                };
                shown["size"] = json!(bytes.len());
                shown.to_string()
            }
        }
    }
}

fn header_text(record: &RawRecord, name: &str) -> Option<String> {
    record
        .headers
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .and_then(|(_, bytes)| std::str::from_utf8(bytes).ok().map(str::to_string))
}

fn key_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => format!("key-0x{}", hex(bytes)),
    }
}

fn bytes_value(bytes: &[u8]) -> Value {
    match std::str::from_utf8(bytes) {
        Ok(text) => Value::String(text.to_string()),
        Err(_) => json!({"hex": hex(bytes)}),
    }
}

fn hex(bytes: &[u8]) -> String {
    crate::core::hash::to_hex(bytes)
}

/// Stream ids and types are shown in terminals and used as keys: control
/// characters are written as escapes, and very long names are cut.
fn clean_name(name: &str) -> String {
    let mut clean = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_control() {
            clean.extend(c.escape_unicode());
        } else {
            clean.push(c);
        }
    }
    if clean.len() > 1024 {
        let mut end = 1000;
        while !clean.is_char_boundary(end) {
            end -= 1;
        }
        clean.truncate(end);
        clean.push('…');
    }
    clean
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(key: Option<&str>, value: Option<&[u8]>, headers: &[(&str, &str)]) -> RawRecord {
        RawRecord {
            topic: "bank".into(),
            partition: 2,
            offset: 41,
            timestamp_ms: 1_740_816_782_465,
            key: key.map(|k| k.as_bytes().to_vec()),
            value: value.map(<[u8]>::to_vec),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
                .collect(),
        }
    }

    #[test]
    fn defaults_read_the_key_the_type_header_and_the_value() {
        let r = record(
            Some("account-0001"),
            Some(br#"{"amount": 1e400}"#),
            &[
                ("type", "Deposited"),
                ("actor", "atm-1"),
                ("schema_version", "2"),
            ],
        );
        let (stream, event) = Mapping::default().event(&r);
        assert_eq!(stream, "account-0001");
        assert_eq!(event.event_type, "Deposited");
        assert_eq!(event.data, r#"{"amount": 1e400}"#);
        assert_eq!(event.schema_version, 2);
        assert_eq!(event.time_ms, Some(1_740_816_782_465));
        let metadata: Value = serde_json::from_str(&event.metadata).unwrap();
        assert_eq!(metadata["actor"], "atm-1");
        assert!(metadata.get("type").is_none());
        assert_eq!(
            metadata["$kafka"],
            json!({"topic": "bank", "partition": 2, "offset": 41})
        );
        // The same record gives the same id; another offset another.
        let again = Mapping::default().event(&r).1;
        assert_eq!(event.id, again.id);
        let other = Mapping::default().event(&RawRecord { offset: 42, ..r }).1;
        assert_ne!(event.id, other.id);
    }

    #[test]
    fn cloud_events_in_both_modes() {
        let binary = record(
            Some("account-7"),
            Some(b"{\"n\":1}"),
            &[
                ("ce_type", "Opened"),
                ("ce_id", "x"),
                ("ce_source", "/bank"),
            ],
        );
        let (_, event) = Mapping::default().event(&binary);
        assert_eq!(event.event_type, "Opened");
        assert!(event.metadata.contains("\"ce_source\":\"/bank\""));
        assert!(!event.metadata.contains("ce_type"));
        let structured = record(
            None,
            Some(br#"{"specversion":"1.0","type":"Closed","id":"9","source":"/b","subject":"s-1","data":{"n":2}}"#),
            &[],
        );
        let (stream, event) = Mapping::default().event(&structured);
        assert_eq!(stream, "bank");
        assert_eq!(event.event_type, "Closed");
        assert_eq!(event.data, r#"{"n":2}"#);
        assert!(event.metadata.contains("\"subject\":\"s-1\""));
    }

    #[test]
    fn odd_values_are_shown_not_passed_through() {
        let (_, tomb) = Mapping::default().event(&record(Some("k"), None, &[]));
        assert_eq!(
            (tomb.event_type.as_str(), tomb.data.as_str()),
            ("Tombstone", "null")
        );
        let (_, text) = Mapping::default().event(&record(Some("k"), Some(b"hi\x1b[2J"), &[]));
        assert_eq!(
            serde_json::from_str::<Value>(&text.data).unwrap(),
            json!({"text": "hi\u{1b}[2J", "size": 6})
        );
        let (_, binary) = Mapping::default().event(&record(Some("k"), Some(&[0xff, 0x00]), &[]));
        assert_eq!(binary.data, r#"{"hex":"ff00","size":2}"#);
        let odd_key = RawRecord {
            key: Some(vec![0xfe, b'\n']),
            ..record(None, Some(b"1"), &[("type", "a\nb")])
        };
        let (stream, event) = Mapping::default().event(&odd_key);
        assert_eq!(stream, "key-0xfe0a");
        assert_eq!(event.event_type, "a\\u{a}b");
    }

    #[test]
    fn a_mapping_file_moves_the_stream_and_type() {
        let mapping = Mapping {
            stream: Some(Field::parse("/accountId").unwrap()),
            event_type: Some(Field::parse("header:kind").unwrap()),
        };
        let r = record(
            Some("ignored"),
            Some(br#"{"accountId":"acc-9"}"#),
            &[("kind", "Paid")],
        );
        let (stream, event) = mapping.event(&r);
        assert_eq!(
            (stream.as_str(), event.event_type.as_str()),
            ("acc-9", "Paid")
        );
        assert!(Field::parse("value").is_err());
    }
}
