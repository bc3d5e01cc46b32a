//! The Streams pane's list: `$all`, one pseudo-stream per category, then
//! every stream.

use std::collections::BTreeMap;

use crate::core::store::{Scope, StreamInfo};
use crate::core::time::Millis;

/// One line of the stream list: a stream, a category or `$all`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamEntry {
    pub label: String,
    pub category: String,
    pub count: u64,
    pub last_time_ms: Millis,
    pub scope: Scope,
    /// The version of row 0 (streams only).
    pub first_version: i64,
}

/// The list for `streams`, with `$all` and one pseudo-stream per category
/// on top; categories are summed from the list itself so that the whole
/// list costs one query.
pub fn stream_entries(streams: Vec<StreamInfo>) -> Vec<StreamEntry> {
    let mut categories: BTreeMap<String, (u64, Millis)> = BTreeMap::new();
    let mut total = 0;
    let mut last = 0;
    for s in &streams {
        let entry = categories.entry(s.category.clone()).or_default();
        entry.0 += s.count;
        entry.1 = entry.1.max(s.last_time_ms);
        total += s.count;
        last = last.max(s.last_time_ms);
    }
    let mut entries = Vec::with_capacity(streams.len() + categories.len() + 1);
    entries.push(StreamEntry {
        label: "$all".into(),
        category: String::new(),
        count: total,
        last_time_ms: last,
        scope: Scope::All,
        first_version: 0,
    });
    for (category, (count, last_time_ms)) in categories {
        let scope = Scope::Category(category.clone());
        entries.push(StreamEntry {
            label: scope.label(),
            category,
            count,
            last_time_ms,
            scope,
            first_version: 0,
        });
    }
    entries.extend(streams.into_iter().map(|s| StreamEntry {
        scope: Scope::Stream(s.stream.clone()),
        label: s.stream,
        category: s.category,
        count: s.count,
        last_time_ms: s.last_time_ms,
        first_version: s.first_version,
    }));
    entries
}
