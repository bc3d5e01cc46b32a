//! Searching events and states: plain text, or a condition on a field
//! whose path is a JSON Pointer (`/data/amount=500`) or dotted
//! (`metadata.actor=atm-456`). Conditions compare with `=`, `!=`, `<`,
//! `<=`, `>`, `>=` (`/balance>5000`, `/status!=open`), or test that a
//! field exists (`/frozenAt`, a pointer alone).

use std::cmp::Ordering;

use serde_json::Value;

use crate::core::diff::pointer_tokens;
use crate::core::event::Event;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matcher {
    /// Case-insensitive text anywhere in the type, data or metadata.
    Text(String),
    /// A condition on a field; `tokens` is the path from the event (whose
    /// top-level names are `data`, `metadata`, `type`, `stream`, `id`) or
    /// from the root of a state. A missing field matches no condition but
    /// [`Op::Exists`]'s opposite, which there is none of.
    Field {
        tokens: Vec<String>,
        op: Op,
        value: String,
    },
}

/// How a field is compared with the value written after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// The field is present, whatever its value.
    Exists,
}

/// The operators, longest first so that `<=` is not read as `<`.
const OPERATORS: [(&str, Op); 6] = [
    ("!=", Op::Ne),
    ("<=", Op::Le),
    (">=", Op::Ge),
    ("=", Op::Eq),
    ("<", Op::Lt),
    (">", Op::Gt),
];

impl Matcher {
    pub fn parse(query: &str) -> Result<Matcher, String> {
        let query = query.trim();
        if query.is_empty() {
            return Err("the search is empty".into());
        }
        if let Some((path, op, value)) = split_condition(query) {
            if let Some(tokens) = path_tokens(path)? {
                return Ok(Matcher::Field {
                    tokens,
                    op,
                    value: value.trim().to_string(),
                });
            }
        }
        if query.starts_with('/') && !query.contains(char::is_whitespace) {
            return Ok(Matcher::Field {
                tokens: pointer_tokens(query)?,
                op: Op::Exists,
                value: String::new(),
            });
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
            Matcher::Field { tokens, op, value } => {
                let Some((head, rest)) = tokens.split_first() else {
                    return false;
                };
                let test = |found: Option<&Value>| found.is_some_and(|v| op.test(v, value));
                let text = |field: &str| {
                    rest.is_empty() && op.test(&Value::String(field.to_string()), value)
                };
                match head.as_str() {
                    "data" => test(lookup(&event.data_json(), rest)),
                    "metadata" => test(lookup(&event.metadata_json(), rest)),
                    "type" => text(&event.event_type),
                    "stream" => text(&event.stream),
                    "id" => text(&event.id),
                    // A bare field name searches the data, the common case.
                    _ => test(lookup(&event.data_json(), tokens)),
                }
            }
        }
    }

    /// Whether a state contains the text (in any key or value) or meets
    /// the condition.
    pub fn matches_state(&self, state: &Value) -> bool {
        match self {
            Matcher::Text(text) => state.to_string().to_lowercase().contains(text.as_str()),
            Matcher::Field { tokens, op, value } => {
                lookup(state, tokens).is_some_and(|v| op.test(v, value))
            }
        }
    }
}

/// `path OP value` at the first operator, when there is one.
fn split_condition(query: &str) -> Option<(&str, Op, &str)> {
    let at = query.find(['=', '<', '>', '!'])?;
    let rest = &query[at..];
    let (symbol, op) = OPERATORS
        .iter()
        .find(|(symbol, _)| rest.starts_with(symbol))?;
    Some((&query[..at], *op, &rest[symbol.len()..]))
}

/// The tokens of a path written before an operator; `None` when the text
/// does not look like a path (then the query is plain text).
fn path_tokens(path: &str) -> Result<Option<Vec<String>>, String> {
    let path = path.trim();
    if path.starts_with('/') {
        return pointer_tokens(path).map(Some);
    }
    if path.is_empty() || path.contains(char::is_whitespace) {
        return Ok(None);
    }
    Ok(Some(path.split('.').map(str::to_string).collect()))
}

impl Op {
    /// Whether `found` stands in this relation to the `wanted` text.
    /// Numbers compare as numbers (a string holding a number counts, so
    /// `amount=500` matches 500 and "500"); other values by their text,
    /// which orders RFC 3339 times correctly.
    pub fn test(self, found: &Value, wanted: &str) -> bool {
        let order = || compare(found, wanted);
        match self {
            Op::Exists => true,
            Op::Eq => equals(found, wanted),
            Op::Ne => !equals(found, wanted),
            Op::Lt => order() == Some(Ordering::Less),
            Op::Le => matches!(order(), Some(Ordering::Less | Ordering::Equal)),
            Op::Gt => order() == Some(Ordering::Greater),
            Op::Ge => matches!(order(), Some(Ordering::Greater | Ordering::Equal)),
        }
    }
}

fn compare(found: &Value, wanted: &str) -> Option<Ordering> {
    let as_number = |value: &Value| match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse::<f64>().ok(),
        _ => None,
    };
    match (as_number(found), wanted.parse::<f64>().ok()) {
        (Some(a), Some(b)) => a.partial_cmp(&b),
        _ => match found {
            Value::String(s) => Some(s.as_str().cmp(wanted)),
            Value::Array(_) | Value::Object(_) | Value::Null => None,
            other => Some(other.to_string().as_str().cmp(wanted)),
        },
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
    // Cheap text test first: most events do not mention the id at all,
    // unless an escape spells it otherwise (`c\u002d1`).
    let may_hold = event.metadata.contains(id) || event.metadata.contains('\\');
    may_hold && correlation_id(event).as_deref() == Some(id)
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
    fn comparisons_and_existence() {
        let m = |q| Matcher::parse(q).unwrap().matches_event(&event());
        assert!(m("/data/amount>499") && m("/data/amount>=500") && m("/data/amount<=500"));
        assert!(!m("/data/amount>500") && !m("/data/amount<500"));
        assert!(m("/data/amount!=501") && !m("/data/amount!=500"));
        assert!(m("/data/channel!=teller") && m("channel<B") && !m("channel>B"));
        assert!(m("/data/channel") && !m("/data/frozenAt"));
        assert!(
            !m("/data/frozenAt!=x"),
            "a missing field meets no condition"
        );
        assert!(m("type!=FundsDeposited"));
        let state = json!({"balance": 6000, "status": "open", "when": "2025-03-01T10:00:00Z"});
        let s = |q| Matcher::parse(q).unwrap().matches_state(&state);
        assert!(s("/balance>5000") && !s("/status!=open") && s("/when<2025-03-02"));
        assert!(s("/status") && !s("/frozenAt"));
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
