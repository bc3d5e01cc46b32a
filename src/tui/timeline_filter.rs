//! The timeline filter: which rows the Timeline pane shows (some event
//! types, picked from a list with counts; events whose metadata matches).
//! The cursor stays a row of the whole scope, so the projection, marks,
//! diff and blame mean the same with or without a filter; only the rows
//! drawn and the rows the cursor steps through change. Finding the rows
//! and counting types are jobs on their own threads, answering on the
//! explorer's reply channel.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use anyhow::Result;

use super::action::{Command, Reply};
use super::app::App;
use super::jobs::spawn;
use super::movement::Move;
use super::overlay::{Mode, Overlay, TypePicker};
use crate::core::event::Event;
use crate::core::filter::{matching_rows, metadata_matcher, EventFilter};
use crate::core::sanitize::visible;
use crate::core::store::Scope;

/// Rows of the shown filtered window read at a time.
const FILTER_WINDOW: usize = 128;

/// A scan's answer: the matching rows from where it started and the row
/// count it reached; `None` when it was cancelled.
type Scan = Result<Option<(Vec<u64>, u64)>, String>;

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
    stale: bool,
    /// The scan under way, by job id.
    pub job: Option<u64>,
    cancel: Arc<AtomicBool>,
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

/// Opens the type picker, with the filter's types already chosen.
pub(super) fn open_picker(app: &mut App) {
    let Some(answer) = app.answer() else {
        return;
    };
    let location = app.settings.location.clone();
    let scope = app.timeline.scope.clone();
    let job = answer.id;
    spawn(move || {
        let result = location
            .open()
            .and_then(|source| source.type_counts(&scope))
            .map_err(|e| e.to_string());
        answer.send(Reply::TypeCounts {
            id: answer.id,
            result,
        });
    });
    let chosen = app
        .timeline
        .filter
        .as_ref()
        .map(|f| f.filter.types.clone())
        .unwrap_or_default();
    app.overlays.open(Overlay::Picker(TypePicker {
        job: Some(job),
        types: Vec::new(),
        chosen,
        selected: 0,
        error: None,
    }));
}

/// Keys while the picker is open: move, toggle, clear, Enter applies
/// (see `apply_picker`), cancel closes, anything else is ignored.
pub(super) fn picker_command(app: &mut App, command: Command) -> Result<()> {
    if command == Command::Confirm {
        return apply_picker(app);
    }
    let Some(picker) = app.overlays.picker_mut() else {
        return Ok(());
    };
    if let Some(movement) = Move::of(command) {
        picker.selected = movement.apply(picker.selected, picker.types.len(), 10);
        return Ok(());
    }
    match command {
        Command::Toggle => picker.toggle(),
        Command::Clear => picker.chosen.clear(),
        Command::Cancel => {
            app.overlays.close(Mode::Picker);
        }
        _ => {}
    }
    Ok(())
}

/// Enter in the picker: filter to the chosen types (all types when none
/// is chosen), keeping any metadata filter.
pub(super) fn apply_picker(app: &mut App) -> Result<()> {
    let Some(Overlay::Picker(picker)) = app.overlays.close(Mode::Picker) else {
        return Ok(());
    };
    let mut filter = current_filter(app);
    filter.types = picker.chosen;
    set_filter(app, filter)
}

/// Takes the metadata filter typed at the prompt; empty clears it.
pub(super) fn apply_metadata(app: &mut App, text: &str) -> Result<()> {
    let mut filter = current_filter(app);
    filter.metadata = if text.is_empty() {
        None
    } else {
        match metadata_matcher(text) {
            Ok(matcher) => Some((text.to_string(), matcher)),
            Err(error) => {
                app.message = Some(format!("cannot filter on '{}': {error}", visible(text)));
                return Ok(());
            }
        }
    };
    set_filter(app, filter)
}

fn current_filter(app: &App) -> EventFilter {
    app.timeline
        .filter
        .as_ref()
        .map(|f| f.filter.clone())
        .unwrap_or_default()
}

/// Shows only the rows `filter` matches (every row when it is empty), and
/// starts finding them.
pub(super) fn set_filter(app: &mut App, filter: EventFilter) -> Result<()> {
    app.timeline.filter = None;
    restart(app, filter);
    app.timeline.offset = 0;
    let cursor = app.timeline.cursor;
    app.move_cursor_to(cursor)
}

/// Starts finding the rows of `filter` in the open scope (no filter when
/// it is empty); the timeline shows every row until they are found. The
/// same filter on the same scope (after appends) scans only the new rows.
pub(super) fn restart(app: &mut App, filter: EventFilter) {
    let previous = app.timeline.filter.take();
    if filter.is_empty() {
        return;
    }
    if let Some(mut same) = previous.filter(|p| p.filter == filter && p.scope == app.timeline.scope)
    {
        if same.job.is_some() {
            // Let the running scan finish; the new rows come after it.
            same.stale = true;
        } else {
            same.job = rows_job(app, &same, same.scanned);
        }
        app.timeline.filter = Some(same);
        return;
    }
    let mut fresh = TimelineFilter {
        filter,
        scope: app.timeline.scope.clone(),
        rows: Vec::new(),
        known: false,
        scanned: 0,
        stale: false,
        job: None,
        cancel: Arc::new(AtomicBool::new(false)),
        events_start: 0,
        events: Vec::new(),
    };
    fresh.job = rows_job(app, &fresh, 0);
    app.timeline.filter = Some(fresh);
}

/// Scans the filter's scope from row `from` for its rows; the job's id.
fn rows_job(app: &App, filter: &TimelineFilter, from: u64) -> Option<u64> {
    let answer = app.answer()?;
    let id = answer.id;
    let location = app.settings.location.clone();
    let (scope, wanted, cancel) = (
        filter.scope.clone(),
        filter.filter.clone(),
        filter.cancel.clone(),
    );
    spawn(move || {
        let result = location
            .open()
            .and_then(|source| matching_rows(source.as_ref(), &scope, &wanted, from, &cancel))
            .map_err(|e| e.to_string());
        answer.send(Reply::FilterRows { id, result });
    });
    Some(id)
}

/// Takes in the answer of scan `id`, when it is the filter's.
pub(super) fn receive_rows(app: &mut App, id: u64, result: Scan) -> Result<()> {
    let Some(filter) = app.timeline.filter.as_mut().filter(|f| f.job == Some(id)) else {
        return Ok(());
    };
    filter.job = None;
    match result {
        Ok(Some((rows, reached))) => {
            let first_answer = !filter.known;
            filter.rows.extend(rows);
            filter.known = true;
            filter.scanned = reached;
            filter.events.clear();
            if std::mem::take(&mut filter.stale) {
                let (filter, app_ref) = (app.timeline.filter.take(), &*app);
                if let Some(mut filter) = filter {
                    filter.job = rows_job(app_ref, &filter, reached);
                    app.timeline.filter = Some(filter);
                }
            }
            let cursor = app.timeline.cursor;
            if !first_answer {
                // Only new rows: the cursor stays where the user left it.
                return app.move_cursor_to(cursor);
            }
            let Some(filter) = app.timeline.shown_filter() else {
                return Ok(());
            };
            // Start on the shown row nearest the cursor.
            let i = filter
                .index_of(cursor)
                .min(filter.rows.len().saturating_sub(1));
            let row = filter.rows.get(i).copied().unwrap_or(cursor);
            app.timeline.offset = 0;
            app.move_cursor_to(row)
        }
        // Cancelled: the filter it belonged to is gone.
        Ok(None) => Ok(()),
        Err(error) => {
            app.timeline.filter = None;
            app.message = Some(format!("error: filter: {error}"));
            // The offset counted filtered rows; it counts all rows again.
            app.timeline.offset = app.timeline.cursor;
            let cursor = app.timeline.cursor;
            app.move_cursor_to(cursor)
        }
    }
}

/// Moves the cursor `delta` shown rows from where it is.
pub(super) fn step_filtered(app: &mut App, delta: i64) -> Result<()> {
    let Some(filter) = app.timeline.shown_filter() else {
        return Ok(());
    };
    if filter.rows.is_empty() || delta == 0 {
        return Ok(());
    }
    let here = filter.index_of(app.timeline.cursor);
    let on_shown = filter.shown_at(app.timeline.cursor).is_some();
    // From a hidden row (after a jump), a step forward goes to the shown
    // row after it and a step back to the one before; past either end
    // there is none, and the cursor stays.
    let target = if delta > 0 {
        let base = if on_shown {
            here as i64
        } else {
            here as i64 - 1
        };
        if !on_shown && here == filter.rows.len() {
            return Ok(());
        }
        base.saturating_add(delta)
    } else {
        if !on_shown && here == 0 {
            return Ok(());
        }
        (here as i64).saturating_add(delta)
    };
    let last = filter.rows.len() as i64 - 1;
    let row = filter.rows[target.clamp(0, last) as usize];
    app.move_cursor_to(row)
}

/// Reads the events of shown rows `start..end` (by their index), unless
/// they are already read: one window read when the rows lie close
/// together, otherwise one read per run of neighbouring rows.
pub(super) fn ensure_events(app: &mut App, start: usize, end: usize) -> Result<()> {
    let Some(filter) = &mut app.timeline.filter else {
        return Ok(());
    };
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
        let all = app.source.read_rows(&filter.scope, first, span)?;
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
            events.extend(app.source.read_rows(&filter.scope, rows[i], run)?);
            i += run;
        }
        events
    };
    filter.events_start = from;
    filter.events = events;
    Ok(())
}
