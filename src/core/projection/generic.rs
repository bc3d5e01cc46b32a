//! The built-in projection used when none is given: useful on any data
//! without configuration. Per stream, it keeps the latest value of every
//! field seen in event data (a deep merge) and counts events by type.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::{Projection, ProjectionError, State};
use crate::core::event::Event;

pub const NAME: &str = "generic";

#[derive(Default)]
pub struct Generic {
    streams: BTreeMap<String, StreamState>,
}

#[derive(Default, Clone)]
struct StreamState {
    fields: Value,
    counts: BTreeMap<String, u64>,
    events: u64,
    last_type: String,
    last_version: i64,
}

impl StreamState {
    fn to_json(&self) -> Value {
        json!({
            "fields": self.fields,
            "eventCounts": self.counts,
            "events": self.events,
            "lastEvent": {"type": self.last_type, "version": self.last_version},
        })
    }

    fn from_json(value: &Value) -> StreamState {
        let counts = value["eventCounts"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
                    .collect()
            })
            .unwrap_or_default();
        StreamState {
            fields: value["fields"].clone(),
            counts,
            events: value["events"].as_u64().unwrap_or(0),
            last_type: value["lastEvent"]["type"]
                .as_str()
                .unwrap_or("")
                .to_string(),
            last_version: value["lastEvent"]["version"].as_i64().unwrap_or(-1),
        }
    }
}

/// Merges `update` into `target`: objects key by key, recursively; any
/// other value replaces what was there.
pub fn deep_merge(target: &mut Value, update: &Value) {
    match (target, update) {
        (Value::Object(target), Value::Object(update)) => {
            for (key, value) in update {
                match target.get_mut(key) {
                    Some(existing) => deep_merge(existing, value),
                    None => {
                        target.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (target, update) => *target = update.clone(),
    }
}

impl Projection for Generic {
    fn folds_per_stream(&self) -> bool {
        true
    }

    fn name(&self) -> &str {
        NAME
    }

    fn is_generic(&self) -> bool {
        true
    }

    fn source_hash(&self) -> String {
        // Bump when the shape of the generic state changes.
        "generic-v1".to_string()
    }

    fn is_partitioned(&self) -> bool {
        true
    }

    fn reset(&mut self, state: Option<&State>) -> Result<(), ProjectionError> {
        self.streams.clear();
        if let Some(partitions) = state.and_then(|s| s["partitions"].as_object()) {
            for (stream, value) in partitions {
                self.streams
                    .insert(stream.clone(), StreamState::from_json(value));
            }
        }
        Ok(())
    }

    fn apply(&mut self, event: &Event) -> Result<(), ProjectionError> {
        let data = event.data_json();
        let state = self
            .streams
            .entry(event.stream.clone())
            .or_insert_with(|| StreamState {
                fields: Value::Object(Map::new()),
                ..StreamState::default()
            });
        deep_merge(&mut state.fields, &data);
        *state.counts.entry(event.event_type.clone()).or_default() += 1;
        state.events += 1;
        state.last_type.clone_from(&event.event_type);
        state.last_version = event.version;
        Ok(())
    }

    fn state(&mut self) -> Result<State, ProjectionError> {
        let partitions: Map<String, Value> = self
            .streams
            .iter()
            .map(|(stream, state)| (stream.clone(), state.to_json()))
            .collect();
        Ok(json!({ "partitions": partitions }))
    }

    fn partition_of(&mut self, event: &Event) -> Result<Option<String>, ProjectionError> {
        Ok(Some(event.stream.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(stream: &str, version: i64, event_type: &str, data: &str) -> Event {
        Event {
            position: version + 1,
            id: format!("id-{version}"),
            stream: stream.into(),
            version,
            event_type: event_type.into(),
            schema_version: 1,
            data: data.into(),
            metadata: "{}".into(),
            time_ms: 0,
        }
    }

    #[test]
    fn keeps_latest_fields_and_counts() {
        let mut g = Generic::default();
        g.reset(None).unwrap();
        g.apply(&event(
            "a-1",
            0,
            "Opened",
            r#"{"owner":{"name":"Ada","age":36},"tags":[1]}"#,
        ))
        .unwrap();
        g.apply(&event(
            "a-1",
            1,
            "Renamed",
            r#"{"owner":{"name":"Ada L."},"tags":[2]}"#,
        ))
        .unwrap();
        g.apply(&event(
            "a-1",
            2,
            "Renamed",
            r#"{"owner":{"name":"A. Lovelace"}}"#,
        ))
        .unwrap();
        let state = g.state().unwrap();
        let s = &state["partitions"]["a-1"];
        assert_eq!(
            s["fields"],
            json!({"owner": {"name": "A. Lovelace", "age": 36}, "tags": [2]})
        );
        assert_eq!(s["eventCounts"], json!({"Opened": 1, "Renamed": 2}));
        assert_eq!(s["events"], json!(3));
        assert_eq!(s["lastEvent"], json!({"type": "Renamed", "version": 2}));
    }

    #[test]
    fn reset_from_state_continues_the_fold() {
        let mut g = Generic::default();
        g.reset(None).unwrap();
        g.apply(&event("a-1", 0, "Opened", r#"{"x":1}"#)).unwrap();
        let snapshot = g.state().unwrap();
        g.apply(&event("a-1", 1, "Changed", r#"{"y":2}"#)).unwrap();
        let full = g.state().unwrap();
        let mut h = Generic::default();
        h.reset(Some(&snapshot)).unwrap();
        h.apply(&event("a-1", 1, "Changed", r#"{"y":2}"#)).unwrap();
        assert_eq!(h.state().unwrap(), full);
    }
}
