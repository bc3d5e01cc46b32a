//! The value overlay: one value of the state, whole, wrapped to the
//! screen (a long string, an id, a payload's escapes), however long the
//! line it sits on in the pane.

use serde_json::Value;

use crate::core::sanitize::visible;

pub struct ValueView {
    /// The value's JSON Pointer.
    pub pointer: String,
    /// The value as text: a string as itself, anything else as pretty
    /// JSON; escaped for the terminal.
    pub text: String,
    /// Wrapped rows scrolled past.
    pub scroll: usize,
}

impl ValueView {
    pub fn new(pointer: &str, value: &Value) -> ValueView {
        let text = match value {
            Value::String(s) => s.clone(),
            other => serde_json::to_string_pretty(other).unwrap_or_default(),
        };
        ValueView {
            pointer: pointer.to_string(),
            text: visible(&text).into_owned(),
            scroll: 0,
        }
    }
}
