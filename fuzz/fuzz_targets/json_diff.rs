//! For any two JSON values, the diff's patch turns the first into the second.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rewind::core::diff::{apply, diff};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Some((left, right)) = text.split_once('\n') else { return };
    let (Ok(from), Ok(to)) = (serde_json::from_str::<Value>(left), serde_json::from_str::<Value>(right)) else {
        return;
    };
    let patch = diff(&from, &to);
    let mut patched = from.clone();
    apply(&mut patched, &patch).expect("the patch applies");
    assert_eq!(patched, to);
});
