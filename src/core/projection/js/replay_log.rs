//! The events applied since the last checkpoint, kept compactly (their
//! text in one growing buffer) so that remembering an event costs a copy,
//! not five allocations.

use crate::core::event::Event;

#[derive(Debug, Clone, Copy)]
struct Entry {
    position: i64,
    version: i64,
    schema_version: i64,
    time_ms: i64,
    /// End offsets in `text` of id, stream, type, data and metadata.
    ends: [usize; 5],
}

#[derive(Debug, Default)]
pub struct ReplayLog {
    text: String,
    entries: Vec<Entry>,
}

impl ReplayLog {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The memory the log holds, roughly.
    pub fn bytes(&self) -> usize {
        self.text.len() + self.entries.len() * std::mem::size_of::<Entry>()
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.entries.clear();
    }

    pub fn push(&mut self, event: &Event) {
        let mut ends = [0; 5];
        for (end, part) in ends.iter_mut().zip([
            &event.id,
            &event.stream,
            &event.event_type,
            &event.data,
            &event.metadata,
        ]) {
            self.text.push_str(part);
            *end = self.text.len();
        }
        self.entries.push(Entry {
            position: event.position,
            version: event.version,
            schema_version: event.schema_version,
            time_ms: event.time_ms,
            ends,
        });
    }

    /// The events, rebuilt, in the order they were pushed.
    pub fn events(&self) -> impl Iterator<Item = Event> + '_ {
        let mut start = 0;
        self.entries.iter().map(move |entry| {
            let mut parts = entry.ends.iter().map(|&end| {
                let part = self.text[start..end].to_string();
                start = end;
                part
            });
            let mut next = || parts.next().unwrap_or_default();
            Event {
                position: entry.position,
                id: next(),
                stream: next(),
                version: entry.version,
                event_type: next(),
                schema_version: entry.schema_version,
                data: next(),
                metadata: next(),
                time_ms: entry.time_ms,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_come_back_as_pushed() {
        let a = Event {
            position: 3,
            id: "id-a".into(),
            stream: "s-1".into(),
            version: 0,
            event_type: "Á".into(),
            schema_version: 2,
            data: r#"{"x":"ü"}"#.into(),
            metadata: "{}".into(),
            time_ms: 17,
        };
        let b = Event {
            position: 4,
            id: String::new(),
            event_type: "B".into(),
            ..a.clone()
        };
        let mut log = ReplayLog::default();
        log.push(&a);
        log.push(&b);
        assert_eq!(log.len(), 2);
        assert_eq!(log.events().collect::<Vec<_>>(), vec![a, b]);
        log.clear();
        assert_eq!(log.events().count(), 0);
    }
}
