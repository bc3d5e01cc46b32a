//! The timeline filter's state: which rows of the open scope the Timeline
//! pane shows (some event types; events whose metadata matches), found by
//! a scan in the background, and the events of the shown rows read for
//! drawing. The cursor stays a row of the whole scope, so the projection,
//! marks, diff and blame mean the same with or without a filter.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use crate::core::error::StoreResult;
use crate::core::event::Event;
use crate::core::filter::EventFilter;
use crate::core::store::{EventSource, Scope};

/// Rows of the shown filtered window read at a time.
const FILTER_WINDOW: usize = 128;

/// A scan's answer: the matching rows from where it started and the row
/// count it reached; `None` when it was cancelled.
pub type Scan = Result<Option<(Vec<u64>, u64)>, String>;

/// An active filter over the open scope.
pub struct TimelineFilter {
    pub filter: EventFilter,
    pub scope: Scope,
    /// The matching rows, in order, once a scan has found them.
    pub rows: Vec<u64>,
    /// True once `rows` holds a scan's answer.
    pub known: bool,
    /// The rows of the scope that `rows` covers: after appends only the
    /// rows from here on are scanned, and their matches added.
    pub scanned: u64,
    /// Appends arrived while a scan ran: scan the new rows after it.
    pub stale: bool,
    /// The scan under way, by job id.
    pub job: Option<u64>,
    pub cancel: Arc<AtomicBool>,
    /// Events of `rows[events_start..]`, read for drawing.
    pub events_start: usize,
    pub events: Vec<Event>,
}

impl TimelineFilter {
    /// True once the rows are known.
    pub fn ready(&self) -> bool {
        self.known
    }

    /// The index in `rows` of the first shown row at or after `row`.
    pub fn index_of(&self, row: u64) -> usize {
        self.rows.partition_point(|&r| r < row)
    }

    /// The index of `row` among the shown rows, when it is one of them.
    pub fn shown_at(&self, row: u64) -> Option<usize> {
        let i = self.index_of(row);
        (self.rows.get(i) == Some(&row)).then_some(i)
    }

    /// The event at index `i` of the shown rows, when it has been read.
    pub fn event(&self, i: usize) -> Option<&Event> {
        i.checked_sub(self.events_start)
            .and_then(|k| self.events.get(k))
    }
}

impl Drop for TimelineFilter {
    fn drop(&mut self) {
        // A filter replaced or cleared stops its scan.
        self.cancel
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Starts finding the rows of `filter` in the open scope (no filter when
/// it is empty); the timeline shows every row until they are found. The
/// same filter on the same scope (after appends) scans only the new rows.
/// `scan` starts a scan of the filter's rows from a row and gives its job.
pub fn restart(
    slot: &mut Option<TimelineFilter>,
    scope: &Scope,
    filter: EventFilter,
    scan: impl FnOnce(&TimelineFilter, u64) -> Option<u64>,
) {
    let previous = slot.take();
    if filter.is_empty() {
        return;
    }
    if let Some(mut same) = previous.filter(|p| p.filter == filter && &p.scope == scope) {
        if same.job.is_some() {
            // Let the running scan finish; the new rows come after it.
            same.stale = true;
        } else {
            same.job = scan(&same, same.scanned);
        }
        *slot = Some(same);
        return;
    }
    let mut fresh = TimelineFilter {
        filter,
        scope: scope.clone(),
        rows: Vec::new(),
        known: false,
        scanned: 0,
        stale: false,
        job: None,
        cancel: Arc::new(AtomicBool::new(false)),
        events_start: 0,
        events: Vec::new(),
    };
    fresh.job = scan(&fresh, 0);
    *slot = Some(fresh);
}

/// Reads the events of shown rows `start..end` (by their index), unless
/// they are already read: one window read when the rows lie close
/// together, otherwise one read per run of neighbouring rows.
pub fn ensure_events(
    filter: &mut TimelineFilter,
    source: &dyn EventSource,
    start: usize,
    end: usize,
) -> StoreResult<()> {
    let end = end.min(filter.rows.len());
    let read_end = filter.events_start + filter.events.len();
    if start >= end || (start >= filter.events_start && end <= read_end) {
        return Ok(());
    }
    let from = start.saturating_sub(FILTER_WINDOW / 4);
    let to = (from + FILTER_WINDOW).max(end).min(filter.rows.len());
    let rows = &filter.rows[from..to];
    let (first, last) = (rows[0], rows[rows.len() - 1]);
    let span = (last - first + 1) as usize;
    let events = if span <= rows.len() * 4 {
        let all = source.read_rows(&filter.scope, first, span)?;
        rows.iter()
            .filter_map(|&r| all.get((r - first) as usize).cloned())
            .collect()
    } else {
        let mut events = Vec::with_capacity(rows.len());
        let mut i = 0;
        while i < rows.len() {
            let mut run = 1;
            while i + run < rows.len() && rows[i + run] == rows[i] + run as u64 {
                run += 1;
            }
            events.extend(source.read_rows(&filter.scope, rows[i], run)?);
            i += run;
        }
        events
    };
    filter.events_start = from;
    filter.events = events;
    Ok(())
}
