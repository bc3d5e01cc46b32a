//! The timeline filter: which rows the Timeline pane shows (some event
//! types, picked from a list with counts; events whose metadata matches).
//! The cursor stays a row of the whole scope, so the projection, marks,
//! diff and blame mean the same with or without a filter; only the rows
//! drawn and the rows the cursor steps through change. Finding the rows
//! and counting types are jobs on their own threads.

use std::collections::BTreeSet;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use anyhow::Result;

use super::action::Command;
use super::app::App;
use super::jobs::Job;
use crate::core::event::Event;
use crate::core::filter::{matching_rows, EventFilter, TypeCount};
use crate::core::sanitize::visible;
use crate::core::search::Matcher;
use crate::core::store::{Scope, StoreLocation};

/// Rows of the shown filtered window read at a time.
const FILTER_WINDOW: usize = 128;

/// An active filter over the open scope.
pub struct TimelineFilter {
    pub filter: EventFilter,
    pub scope: Scope,
    /// The matching rows, in order, once a scan has found them.
    pub rows: Vec<u64>,
    /// True once `rows` holds a scan's answer (a rescan after appends
    /// keeps showing the previous answer until the new one arrives).
    pub known: bool,
    pub job: Option<Job<Result<Vec<u64>, String>>>,
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

/// The type picker overlay: every type of the scope with its count.
pub struct TypePicker {
    pub job: Option<Job<Result<Vec<TypeCount>, String>>>,
    pub types: Vec<TypeCount>,
    pub chosen: BTreeSet<String>,
    pub selected: usize,
    pub error: Option<String>,
}

/// Opens the type picker, with the filter's types already chosen.
pub(super) fn open_picker(app: &mut App) {
    let location = app.location.clone();
    let scope = app.scope.clone();
    let job = Job::spawn(move || {
        let source = location.open().map_err(|e| e.to_string())?;
        source.type_counts(&scope).map_err(|e| e.to_string())
    });
    let chosen = app
        .timeline_filter
        .as_ref()
        .map(|f| f.filter.types.clone())
        .unwrap_or_default();
    app.picker = Some(TypePicker {
        job: Some(job),
        types: Vec::new(),
        chosen,
        selected: 0,
        error: None,
    });
}

/// Keys while the picker is open: move, toggle (space), all or none (`a`),
/// Enter applies (see `apply_picker`), anything else is ignored.
pub(super) fn picker_command(app: &mut App, command: Command) -> Result<()> {
    let Some(picker) = &mut app.picker else {
        return Ok(());
    };
    let last = picker.types.len().saturating_sub(1) as i64;
    let delta = match command {
        Command::Up => -1,
        Command::Down => 1,
        Command::PageUp => -10,
        Command::PageDown => 10,
        Command::First => i64::MIN / 2,
        Command::Last => i64::MAX / 2,
        Command::PlayPause => {
            if let Some(t) = picker.types.get(picker.selected) {
                if !picker.chosen.remove(&t.event_type) {
                    picker.chosen.insert(t.event_type.clone());
                }
            }
            0
        }
        Command::MarkA => {
            picker.chosen.clear();
            0
        }
        Command::FilterTypes => {
            app.picker = None;
            0
        }
        _ => 0,
    };
    if let Some(picker) = &mut app.picker {
        picker.selected = (picker.selected as i64)
            .saturating_add(delta)
            .clamp(0, last.max(0)) as usize;
    }
    Ok(())
}

/// Enter in the picker: filter to the chosen types (all types when none
/// is chosen), keeping any metadata filter.
pub(super) fn apply_picker(app: &mut App) -> Result<()> {
    let Some(picker) = app.picker.take() else {
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
        match Matcher::parse(text) {
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
    app.timeline_filter
        .as_ref()
        .map(|f| f.filter.clone())
        .unwrap_or_default()
}

/// Shows only the rows `filter` matches (every row when it is empty), and
/// starts finding them.
pub(super) fn set_filter(app: &mut App, filter: EventFilter) -> Result<()> {
    restart(app, filter);
    app.timeline_offset = 0;
    let cursor = app.cursor;
    app.move_cursor_to(cursor)
}

/// Starts finding the rows of `filter` in the open scope (no filter when
/// it is empty); the timeline shows every row until they are found.
pub(super) fn restart(app: &mut App, filter: EventFilter) {
    let previous = app.timeline_filter.take();
    if filter.is_empty() {
        return;
    }
    let (rows, known) = match previous {
        Some(mut p) if p.known && p.filter == filter && p.scope == app.scope => {
            (std::mem::take(&mut p.rows), true)
        }
        _ => (Vec::new(), false),
    };
    let cancel = Arc::new(AtomicBool::new(false));
    let job = rows_job(
        app.location.clone(),
        app.scope.clone(),
        filter.clone(),
        cancel.clone(),
    );
    app.timeline_filter = Some(TimelineFilter {
        filter,
        scope: app.scope.clone(),
        rows,
        known,
        job: Some(job),
        cancel,
        events_start: 0,
        events: Vec::new(),
    });
}

fn rows_job(
    location: StoreLocation,
    scope: Scope,
    filter: EventFilter,
    cancel: Arc<AtomicBool>,
) -> Job<Result<Vec<u64>, String>> {
    Job::spawn(move || {
        let source = location.open().map_err(|e| e.to_string())?;
        matching_rows(source.as_ref(), &scope, &filter, &cancel, &mut |_| {})
            .map_err(|e| e.to_string())
    })
}

/// Takes in finished filter and picker jobs (called on every tick).
pub(super) fn poll_jobs(app: &mut App) -> Result<()> {
    if let Some(picker) = &mut app.picker {
        if let Some(result) = picker.job.as_ref().and_then(Job::try_take) {
            picker.job = None;
            match result {
                Ok(types) => picker.types = types,
                Err(error) => picker.error = Some(error),
            }
        }
    }
    let Some(filter) = &mut app.timeline_filter else {
        return Ok(());
    };
    let Some(result) = filter.job.as_ref().and_then(Job::try_take) else {
        return Ok(());
    };
    filter.job = None;
    match result {
        Ok(rows) => {
            filter.rows = rows;
            filter.known = true;
            filter.events.clear();
            // Start with the shown row nearest the cursor under it.
            let i = filter
                .index_of(app.cursor)
                .min(filter.rows.len().saturating_sub(1));
            let row = filter.rows.get(i).copied().unwrap_or(app.cursor);
            app.timeline_offset = 0;
            app.move_cursor_to(row)
        }
        Err(error) => {
            app.timeline_filter = None;
            app.message = Some(format!("error: filter: {error}"));
            Ok(())
        }
    }
}

/// Moves the cursor `delta` shown rows from where it is.
pub(super) fn step_filtered(app: &mut App, delta: i64) -> Result<()> {
    let Some(filter) = app.timeline_filter.as_ref().filter(|f| f.ready()) else {
        return Ok(());
    };
    if filter.rows.is_empty() {
        return Ok(());
    }
    let here = filter.index_of(app.cursor) as i64;
    // The cursor may sit on a hidden row (after a jump): a step back then
    // goes to the shown row before it, a step forward to the one after.
    let on_shown = filter.rows.get(here as usize) == Some(&app.cursor);
    let base = if delta > 0 && !on_shown {
        here - 1
    } else {
        here
    };
    let last = filter.rows.len() as i64 - 1;
    let target = base.saturating_add(delta).clamp(0, last) as usize;
    let row = filter.rows[target];
    app.move_cursor_to(row)
}

/// Reads the events of shown rows `start..end` (by their index), unless
/// they are already read. Neighbouring rows are read in one go.
pub(super) fn ensure_events(app: &mut App, start: usize, end: usize) -> Result<()> {
    let Some(filter) = &mut app.timeline_filter else {
        return Ok(());
    };
    let end = end.min(filter.rows.len());
    let read_end = filter.events_start + filter.events.len();
    if start >= end || (start >= filter.events_start && end <= read_end) {
        return Ok(());
    }
    let from = start.saturating_sub(FILTER_WINDOW / 4);
    let to = (from + FILTER_WINDOW).max(end).min(filter.rows.len());
    let mut events = Vec::with_capacity(to - from);
    let rows = &filter.rows[from..to];
    let mut i = 0;
    while i < rows.len() {
        let mut run = 1;
        while i + run < rows.len() && rows[i + run] == rows[i] + run as u64 {
            run += 1;
        }
        events.extend(app.source.read_rows(&filter.scope, rows[i], run)?);
        i += run;
    }
    filter.events_start = from;
    filter.events = events;
    Ok(())
}
