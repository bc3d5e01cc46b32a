//! Any line either parses into an event whose export line parses back to
//! the same event, or is refused with a reason; it never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rewind::core::ndjson::{event_line, parse_line};
use rewind::core::Event;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(record) = parse_line(text) else { return };
    let event = Event {
        position: 1,
        id: record.event.id.clone().unwrap_or_else(|| "00000000-0000-4000-8000-000000000000".into()),
        stream: record.stream.clone(),
        version: 0,
        event_type: record.event.event_type.clone(),
        schema_version: record.event.schema_version,
        data: record.event.data.clone(),
        metadata: record.event.metadata.clone(),
        time_ms: record.event.time_ms.unwrap_or(0),
    };
    let back = parse_line(&event_line(&event)).expect("an exported line parses");
    assert_eq!(back.stream, record.stream);
    assert_eq!(back.event.data, record.event.data);
    assert_eq!(back.event.metadata, record.event.metadata);
    assert_eq!(back.event.event_type, record.event.event_type);
});
