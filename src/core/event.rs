use std::fmt;
use std::str::FromStr;

use crate::core::time::Millis;

/// One stored event. `data` and `metadata` hold the JSON text exactly as it
/// was received, so that numbers beyond 64 bits, key order and `-0.0`
/// survive a round trip through the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Global position in the store's log: 1, 2, 3… in append order.
    pub position: i64,
    pub id: String,
    pub stream: String,
    /// Version within the stream: 0-based and gapless in Rewind's own store.
    pub version: i64,
    pub event_type: String,
    pub schema_version: i64,
    pub data: String,
    pub metadata: String,
    pub time_ms: Millis,
}

impl Event {
    pub fn category(&self) -> &str {
        category_of(&self.stream)
    }

    pub fn data_json(&self) -> serde_json::Value {
        parse_or_string(&self.data)
    }

    pub fn metadata_json(&self) -> serde_json::Value {
        parse_or_string(&self.metadata)
    }

    /// Who caused the event, by the metadata keys people commonly use;
    /// empty when none is there.
    pub fn actor(&self) -> String {
        let metadata = self.metadata_json();
        for key in ["actor", "user", "userId", "user_id", "by"] {
            match metadata.get(key) {
                Some(serde_json::Value::String(s)) => return s.clone(),
                Some(other) if !other.is_null() => return other.to_string(),
                _ => {}
            }
        }
        String::new()
    }
}

/// Stored JSON was validated on the way in; foreign stores may still hold
/// text that is not JSON, which is shown as a string rather than dropped.
fn parse_or_string(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::String(text.to_string()))
}

/// The category of a stream is the part of its id before the first `-`
/// (`account-42` is in `account`); a stream without `-` is its own category.
pub fn category_of(stream: &str) -> &str {
    stream.split('-').next().unwrap_or(stream)
}

/// An event on its way into the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// Chosen by the writer for idempotent retries; otherwise the store
    /// gives a UUIDv7 (time-ordered).
    pub id: Option<String>,
    pub event_type: String,
    pub schema_version: i64,
    /// JSON text, already validated.
    pub data: String,
    /// A JSON object as text, already validated.
    pub metadata: String,
    /// Kept as the recorded time for historic imports; `now` otherwise.
    pub time_ms: Option<Millis>,
}

impl NewEvent {
    /// Validates `data` and `metadata` as JSON (metadata must be an object)
    /// and keeps their text exactly as given.
    pub fn new(event_type: &str, data: &str, metadata: Option<&str>) -> Result<Self, String> {
        if event_type.is_empty() {
            return Err("the event type is empty".into());
        }
        // RawValue checks the syntax without converting numbers, so values
        // beyond f64 and u64 (1e400, 2^70) are accepted and kept as written.
        serde_json::from_str::<&serde_json::value::RawValue>(data)
            .map_err(|e| format!("data is not valid JSON: {e}"))?;
        check_depth("data", data)?;
        let metadata = match metadata {
            Some(text) => {
                serde_json::from_str::<&serde_json::value::RawValue>(text)
                    .map_err(|e| format!("metadata is not valid JSON: {e}"))?;
                check_depth("metadata", text)?;
                if !text.trim_start().starts_with('{') {
                    return Err("metadata must be a JSON object".into());
                }
                text.trim().to_string()
            }
            None => "{}".to_string(),
        };
        Ok(NewEvent {
            id: None,
            event_type: event_type.to_string(),
            schema_version: 1,
            data: data.trim().to_string(),
            metadata,
            time_ms: None,
        })
    }
}

/// How deep data may nest. Every reader (serde_json, the explorer, the
/// projections) can then handle any stored event without running out of
/// stack; deeper payloads are refused on the way in, with this reason.
pub const MAX_DEPTH: usize = 128;

fn check_depth(what: &str, json: &str) -> Result<(), String> {
    let depth = nesting_depth(json);
    if depth > MAX_DEPTH {
        return Err(format!(
            "{what} is nested {depth} levels deep; the limit is {MAX_DEPTH}"
        ));
    }
    Ok(())
}

/// The deepest nesting of arrays and objects in valid JSON text.
fn nesting_depth(json: &str) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for byte in json.bytes() {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// What the writer believes the stream's last version to be; the append is
/// refused unless it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedVersion {
    Any,
    NoStream,
    Exists,
    Exact(i64),
}

impl ExpectedVersion {
    /// Checks the stream's current last version (`None`: no events yet).
    pub fn admits(self, actual: Option<i64>) -> bool {
        match self {
            ExpectedVersion::Any => true,
            ExpectedVersion::NoStream => actual.is_none(),
            ExpectedVersion::Exists => actual.is_some(),
            ExpectedVersion::Exact(v) => actual == Some(v),
        }
    }
}

impl fmt::Display for ExpectedVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpectedVersion::Any => f.write_str("any"),
            ExpectedVersion::NoStream => f.write_str("no-stream"),
            ExpectedVersion::Exists => f.write_str("exists"),
            ExpectedVersion::Exact(v) => write!(f, "{v}"),
        }
    }
}

impl FromStr for ExpectedVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "any" => Ok(ExpectedVersion::Any),
            "no-stream" => Ok(ExpectedVersion::NoStream),
            "exists" => Ok(ExpectedVersion::Exists),
            n => match n.parse::<i64>() {
                Ok(v) if v >= 0 => Ok(ExpectedVersion::Exact(v)),
                _ => Err(format!(
                    "'{s}' is not an expected version: use any, no-stream, exists or a version number (0, 1, …)"
                )),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_is_prefix_before_first_dash() {
        assert_eq!(category_of("account-42"), "account");
        assert_eq!(category_of("cart-a-b"), "cart");
        assert_eq!(category_of("solo"), "solo");
    }

    #[test]
    fn nesting_is_measured_outside_strings() {
        assert_eq!(nesting_depth(r#"{"a":[1,{"b":"[[[{{"}]}"#), 3);
        assert_eq!(nesting_depth(r#""\"[""#), 0);
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(NewEvent::new("T", &deep, None)
            .unwrap_err()
            .contains("200 levels"));
        let ok = format!("{}{}", "[".repeat(128), "]".repeat(128));
        assert!(NewEvent::new("T", &ok, None).is_ok());
    }

    #[test]
    fn expected_version_parses_and_checks() {
        assert_eq!("any".parse(), Ok(ExpectedVersion::Any));
        assert_eq!("7".parse(), Ok(ExpectedVersion::Exact(7)));
        assert!("-1".parse::<ExpectedVersion>().is_err());
        assert!(ExpectedVersion::NoStream.admits(None));
        assert!(!ExpectedVersion::NoStream.admits(Some(0)));
        assert!(ExpectedVersion::Exists.admits(Some(0)));
        assert!(ExpectedVersion::Exact(3).admits(Some(3)));
        assert!(!ExpectedVersion::Exact(3).admits(Some(4)));
    }

    #[test]
    fn new_event_keeps_data_text_exactly() {
        let e = NewEvent::new("T", r#"{"b":1,"a":123456789012345678901234567890}"#, None).unwrap();
        assert_eq!(e.data, r#"{"b":1,"a":123456789012345678901234567890}"#);
        assert_eq!(e.metadata, "{}");
        assert!(NewEvent::new("T", "{", None).is_err());
        assert!(NewEvent::new("T", "1", Some("[1]")).is_err());
        assert!(NewEvent::new("", "1", None).is_err());
    }
}
