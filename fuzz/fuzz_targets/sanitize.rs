//! Sanitised text never carries a dangerous character, and sanitised JSON
//! still means the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rewind::core::sanitize::{is_dangerous, json_for_terminal, visible};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    assert!(!visible(text).chars().any(is_dangerous));
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        let safe = json_for_terminal(text);
        assert!(!safe.chars().any(|c| c != '\n' && is_dangerous(c)));
        assert_eq!(serde_json::from_str::<Value>(&safe).expect("still JSON"), value);
    }
});
