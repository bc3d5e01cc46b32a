//! The Streams pane's state: `$all`, one pseudo-stream per category, then
//! every stream; the fuzzy query typed over it and the selection.

use std::collections::BTreeMap;

use crate::core::fuzzy::{Fuzzy, Match};
use crate::core::store::{Scope, StreamInfo};
use crate::core::time::Millis;

#[derive(Default)]
pub struct StreamList {
    pub entries: Vec<StreamEntry>,
    /// The fuzzy query typed over the list.
    pub query: String,
    pub fuzzy: Fuzzy,
    /// The entries the query matches, best first.
    pub matches: Vec<Match>,
    /// Index into `matches`.
    pub selected: usize,
    /// The first match shown.
    pub offset: usize,
    /// The list is being read in the background.
    pub pending: bool,
}

impl StreamList {
    /// Matches the entries against `query` again, from the top. Spaces
    /// around it (a word just deleted) match nothing of their own.
    /// A letter typed at the end is matched against the last matches only.
    pub fn set_query(&mut self, query: &str) {
        let before = std::mem::replace(&mut self.query, query.to_string());
        let labels: Vec<&str> = self.entries.iter().map(|e| e.label.as_str()).collect();
        let previous = Some((before.trim(), self.matches.as_slice()));
        self.matches = self.fuzzy.refine(self.query.trim(), previous, &labels);
        self.selected = 0;
        self.offset = 0;
    }

    pub fn selected_entry(&self) -> Option<&StreamEntry> {
        self.entry(self.selected)
    }

    /// The entry of `matches[index]`.
    pub fn entry(&self, index: usize) -> Option<&StreamEntry> {
        self.matches
            .get(index)
            .and_then(|m| self.entries.get(m.index))
    }

    /// Takes in a fresh list; the selection stays on what was selected,
    /// or goes to `open` (the scope the timeline shows).
    pub fn receive(&mut self, streams: Vec<StreamInfo>, open: &Scope, rows: usize) {
        self.pending = false;
        let wanted = self
            .selected_entry()
            .map(|e| e.scope.clone())
            .unwrap_or_else(|| open.clone());
        self.entries = stream_entries(streams);
        let query = std::mem::take(&mut self.query);
        self.set_query(&query);
        if let Some(i) = self
            .matches
            .iter()
            .position(|m| self.entries[m.index].scope == wanted)
        {
            self.selected = i;
            self.scroll_into_view(rows);
        }
    }

    /// Selects the entry of `scope`, when the query shows it.
    pub fn select_scope(&mut self, scope: &Scope, rows: usize) {
        if let Some(i) = self
            .matches
            .iter()
            .position(|m| self.entries.get(m.index).is_some_and(|e| e.scope == *scope))
        {
            self.selected = i;
            self.scroll_into_view(rows);
        }
    }

    /// Scrolls so that the selection is among the `rows` shown.
    pub fn scroll_into_view(&mut self, rows: usize) {
        let height = rows.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
    }
}

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
