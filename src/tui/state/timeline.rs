//! The Timeline pane's state: the open scope, a window of its rows read
//! around the cursor, the cursor and the marks, the histogram above it,
//! the filter deciding which rows are shown, and the searches from the
//! cursor.

use super::timeline_filter::TimelineFilter;
use crate::core::error::StoreResult;
use crate::core::event::Event;
use crate::core::search::Matcher;
use crate::core::store::{EventSource, Histogram, Scope};
use crate::core::time::Millis;
use crate::tui::search::SearchRun;

/// Rows read around the cursor at a time.
pub const WINDOW: usize = 256;

/// A search `n` and `N` repeat.
#[derive(Debug, Clone)]
pub struct ActiveSearch {
    /// As typed.
    pub text: String,
    pub matcher: Matcher,
    /// True for a state search: `n`/`N` then find where the state starts
    /// to match, after or before the cursor.
    pub in_state: bool,
}

/// The searches of the timeline.
#[derive(Default)]
pub struct Search {
    /// The last search, for `n`/`N`: of events (`/`) or of the state (`S`).
    pub last: Option<ActiveSearch>,
    /// The search running in the background (`n`, `N`, `[`, `]`), if any.
    pub run: Option<SearchRun>,
    /// Numbers searches, so an answer to an older one is ignored.
    pub id: u64,
}

/// A row being found in the background, and what it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locating {
    pub id: u64,
    pub purpose: Purpose,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    /// A point typed at the `:` prompt, as typed.
    GoTo(String),
    /// A time under the pointer on the histogram.
    Scrub,
    /// An event of a report's list: its stream.
    OpenEvent(String),
}

pub struct Timeline {
    pub scope: Scope,
    /// The version of row 0 (streams only).
    pub first_version: i64,
    pub count: u64,
    /// `count` is the store's quick guess; the exact count comes with the
    /// next look at the head.
    pub count_estimated: bool,
    pub cursor: u64,
    /// The cursor stands before the scope's first event (a time before it
    /// was typed): no event is selected and the projection shows its
    /// initial state. `cursor` is then 0, where a step forward lands.
    pub before_first: bool,
    /// The first shown row drawn (counting shown rows: all, or filtered).
    pub offset: u64,
    pub window_start: u64,
    pub window: Vec<Event>,
    pub histogram: Histogram,
    pub histogram_pending: bool,
    /// What the store says of the scope that its events do not (records
    /// it lost before Rewind read them); it comes with the histogram.
    pub note: Option<String>,
    pub marks: [Option<u64>; 2],
    /// The times of the marked events, to place them on the histogram.
    pub mark_times: [Option<Millis>; 2],
    /// The version and position of the marked events, as the status bar
    /// and a diff's title name them.
    pub mark_points: [Option<(i64, i64)>; 2],
    /// Which rows the timeline shows, when not all.
    pub filter: Option<TimelineFilter>,
    pub search: Search,
    /// A drag that started on the histogram scrubs.
    pub dragging_histogram: bool,
    /// Where the cursor stood before its jumps.
    pub jumps: super::jumps::JumpList,
    /// The row being found for a jump, if any.
    pub locating: Option<Locating>,
}

impl Default for Timeline {
    fn default() -> Timeline {
        Timeline {
            scope: Scope::All,
            first_version: 0,
            count: 0,
            count_estimated: false,
            cursor: 0,
            before_first: false,
            offset: 0,
            window_start: 0,
            window: Vec::new(),
            histogram: Histogram::default(),
            histogram_pending: false,
            note: None,
            marks: [None, None],
            mark_times: [None, None],
            mark_points: [None, None],
            filter: None,
            search: Search::default(),
            dragging_histogram: false,
            jumps: Default::default(),
            locating: None,
        }
    }
}

impl Timeline {
    /// The event at `row`, when it is in the cached window.
    pub fn event_at(&self, row: u64) -> Option<&Event> {
        row.checked_sub(self.window_start)
            .and_then(|i| self.window.get(i as usize))
    }

    /// The event under the cursor; none before the first event.
    pub fn cursor_event(&self) -> Option<&Event> {
        if self.before_first {
            return None;
        }
        self.event_at(self.cursor)
    }

    /// The filter deciding which rows the timeline shows, once it knows
    /// them; `None` while every row is shown.
    pub fn shown_filter(&self) -> Option<&TimelineFilter> {
        self.filter.as_ref().filter(|f| f.ready())
    }

    /// True when the timeline shows filtered rows.
    pub fn filter_ready(&self) -> bool {
        self.shown_filter().is_some()
    }

    /// Where `row` is among the shown rows: itself without a filter, or
    /// the index of the first filtered row at or after it.
    pub fn shown_index(&self, row: u64) -> u64 {
        self.shown_filter()
            .map_or(row, |filter| filter.index_of(row) as u64)
    }

    /// The row shown at `shown` (counting shown rows), if there is one.
    pub fn row_of_shown(&self, shown: u64) -> Option<u64> {
        match self.shown_filter() {
            Some(filter) => filter.rows.get(shown as usize).copied(),
            None => (shown < self.count).then_some(shown),
        }
    }

    /// The version of `row`, in a stream (other scopes have no versions).
    pub fn version_of_row(&self, row: u64) -> Option<i64> {
        self.scope
            .is_stream()
            .then_some(self.first_version + row as i64)
    }

    /// Sets mark `which` (0: A, 1: B) at the cursor.
    pub fn set_mark(&mut self, which: usize) {
        if self.count > 0 {
            self.marks[which] = Some(self.cursor);
            self.mark_times[which] = self.cursor_event().map(|e| e.time_ms);
            self.mark_points[which] = self.cursor_event().map(|e| (e.version, e.position));
        }
    }

    /// A new scope, from its start, with no marks.
    pub fn open(&mut self, scope: Scope, first_version: i64) {
        self.scope = scope;
        self.first_version = first_version;
        self.note = None;
        self.marks = [None, None];
        self.mark_times = [None, None];
        self.mark_points = [None, None];
        self.cursor = 0;
        // A jump asked for in the old scope has no row in this one.
        self.locating = None;
    }

    /// Drops the cached rows (the scope changed or grew).
    pub fn forget_window(&mut self) {
        self.window.clear();
        self.window_start = 0;
    }

    /// Makes sure rows `start..end` are in the cached window.
    pub fn ensure_window(
        &mut self,
        source: &dyn EventSource,
        start: u64,
        end: u64,
    ) -> StoreResult<()> {
        let end = end.min(self.count);
        let window_end = self.window_start + self.window.len() as u64;
        if start >= end || (start >= self.window_start && end <= window_end) {
            return Ok(());
        }
        let span = (end - start) as usize;
        let size = WINDOW.max(span * 2);
        let margin = ((size - span) / 2) as u64;
        let from = start.saturating_sub(margin);
        self.window = source.read_rows(&self.scope, from, size)?;
        self.window_start = from;
        Ok(())
    }
}
