//! Searching events and states: plain text, or `path=value` where the path
//! is a JSON Pointer (`/data/amount=500`) or dotted (`metadata.actor=atm-456`).

use serde_json::Value;

use crate::core::diff::pointer_tokens;
use crate::core::event::Event;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matcher {
    /// Case-insensitive text anywhere in the type, data or metadata.
    Text(String),
    /// A field equal to a value; `tokens` is the path from the event (whose
    /// top-level names are `data`, `metadata`, `type`, `stream`, `id`) or
    /// from the root of a state.
    Field { tokens: Vec<String>, value: String },
}

impl Matcher {
    pub fn parse(query: &str) -> Result<Matcher, String> {
        let query = query.trim();
        if query.is_empty() {
            return Err("the search is empty".into());
        }
        if let Some((path, value)) = query.split_once('=') {
            let path = path.trim();
            let looks_like_path =
                path.starts_with('/') || (!path.is_empty() && !path.contains(char::is_whitespace));
            if looks_like_path {
                let tokens = if path.starts_with('/') {
                    pointer_tokens(path)?
                } else {
                    path.split('.').map(str::to_string).collect()
                };
                return Ok(Matcher::Field {
                    tokens,
                    value: value.trim().to_string(),
                });
            }
        }
        Ok(Matcher::Text(query.to_lowercase()))
    }

    pub fn matches_event(&self, event: &Event) -> bool {
        match self {
            Matcher::Text(text) => [
                &event.event_type,
                &event.data,
                &event.metadata,
                &event.stream,
            ]
            .iter()
            .any(|field| field.to_lowercase().contains(text.as_str())),
            Matcher::Field { tokens, value } => {
                let Some((head, rest)) = tokens.split_first() else {
                    return false;
                };
                match head.as_str() {
                    "data" => lookup(&event.data_json(), rest).is_some_and(|v| equals(v, value)),
                    "metadata" => {
                        lookup(&event.metadata_json(), rest).is_some_and(|v| equals(v, value))
                    }
                    "type" => rest.is_empty() && &event.event_type == value,
                    "stream" => rest.is_empty() && &event.stream == value,
                    "id" => rest.is_empty() && &event.id == value,
                    // A bare field name searches the data, the common case.
                    _ => lookup(&event.data_json(), tokens).is_some_and(|v| equals(v, value)),
                }
            }
        }
    }

    /// Whether a state contains the text (in any key or value) or has the
    /// field equal to the value.
    pub fn matches_state(&self, state: &Value) -> bool {
        match self {
            Matcher::Text(text) => state.to_string().to_lowercase().contains(text.as_str()),
            Matcher::Field { tokens, value } => {
                lookup(state, tokens).is_some_and(|v| equals(v, value))
            }
        }
    }
}

/// The metadata keys peers use for correlation ids.
pub const CORRELATION_KEYS: [&str; 3] = ["correlationId", "correlation_id", "$correlationId"];

/// The event's correlation id, under any of the usual metadata keys.
pub fn correlation_id(event: &Event) -> Option<String> {
    let metadata = event.metadata_json();
    CORRELATION_KEYS
        .iter()
        .find_map(|k| metadata[k].as_str().map(str::to_string))
}

/// Whether the event carries `id` as its correlation id.
pub fn has_correlation(event: &Event, id: &str) -> bool {
    // Cheap text test first: most events do not mention the id at all.
    event.metadata.contains(id) && correlation_id(event).as_deref() == Some(id)
}

fn lookup<'v>(value: &'v Value, tokens: &[String]) -> Option<&'v Value> {
    tokens.iter().try_fold(value, |node, token| match node {
        Value::Object(map) => map.get(token),
        Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

/// `amount=500` matches the number 500 and the string "500" alike.
fn equals(found: &Value, wanted: &str) -> bool {
    match found {
        Value::String(s) => s == wanted,
        // Compare the JSON text, so the number 500 matches `500`.
        other => serde_json::to_string(other).is_ok_and(|text| text == wanted),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event() -> Event {
        Event {
            position: 1,
            id: "e-1".into(),
            stream: "account-1".into(),
            version: 0,
            event_type: "FundsWithdrawn".into(),
            schema_version: 1,
            data: r#"{"amount":500,"channel":"ATM"}"#.into(),
            metadata: r#"{"actor":"atm-456","tags":["a","b"]}"#.into(),
            time_ms: 0,
        }
    }

    #[test]
    fn field_searches() {
        let m = |q| Matcher::parse(q).unwrap().matches_event(&event());
        assert!(m("/data/amount=500"));
        assert!(m("data.amount=500"));
        assert!(m("amount=500"));
        assert!(!m("/data/amount=501"));
        assert!(m("metadata.actor=atm-456"));
        assert!(m("/metadata/tags/1=b"));
        assert!(m("type=FundsWithdrawn"));
    }

    #[test]
    fn text_search_is_case_insensitive() {
        let m = |q| Matcher::parse(q).unwrap().matches_event(&event());
        assert!(m("atm"));
        assert!(m("withdrawn"));
        assert!(!m("deposit"));
        assert!(!m("a = b"));
    }

    #[test]
    fn state_searches() {
        let state = json!({"balance": 1500, "holder": {"name": "Ada"}});
        assert!(Matcher::parse("/balance=1500")
            .unwrap()
            .matches_state(&state));
        assert!(Matcher::parse("holder.name=Ada")
            .unwrap()
            .matches_state(&state));
        assert!(Matcher::parse("ada").unwrap().matches_state(&state));
        assert!(!Matcher::parse("/balance=1").unwrap().matches_state(&state));
    }
}
