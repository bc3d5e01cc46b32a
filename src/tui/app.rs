//! The explorer's whole state, and the loading steps `update` composes:
//! reading the stream list, a scope's window of rows, the cursor's event.
//! Rendering only reads this.

use std::path::PathBuf;

use anyhow::{Context, Result};
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::action::InputKind;
pub use super::catalog::{stream_entries, StreamEntry};
use super::filter::{TimelineFilter, TypePicker};
use super::json_view::json_lines;
use super::keymap::Keymap;
use super::layout::{areas, inner};
use super::panes::report::ReportPane;
use super::theme::Theme;
use super::worker::{Load, Request, Worker};
use crate::core::event::Event;
use crate::core::fuzzy::{Fuzzy, Match};
use crate::core::projection::{Progress, ProjectionSpec, StateAt};
use crate::core::search::Matcher;
use crate::core::store::{Backend, EventSource, Histogram, Scope, StoreLocation, StreamInfo};
use crate::core::time::Millis;

/// What the explorer is opened on.
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

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub store: PathBuf,
    /// The projections to cycle through; the generic one is added first.
    pub projections: Vec<ProjectionSpec>,
    pub stream: Option<String>,
    pub at: Option<i64>,
    /// A fixed "now" for relative ages (tests); the wall clock when `None`.
    pub now_ms: Option<Millis>,
    /// Where keymap.toml and theme.toml are read from; `None`: defaults only.
    pub config_dir: Option<PathBuf>,
    /// The kind of store, when not detected (`--backend`).
    pub backend: Option<Backend>,
    /// A TOML mapping for any other SQL event table (`--map`).
    pub map: Option<PathBuf>,
    /// The bytes projection snapshots may take; the default when `None`.
    pub snapshot_memory: Option<usize>,
}

impl Options {
    pub fn location(&self) -> StoreLocation {
        StoreLocation {
            path: self.store.clone(),
            backend: self.backend,
            map: self.map.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Streams,
    Timeline,
    Event,
    Projection,
}

impl Pane {
    pub const ORDER: [Pane; 4] = [Pane::Streams, Pane::Timeline, Pane::Event, Pane::Projection];
}

/// The projection pane's state: what is shown and what is on its way.
#[derive(Debug, Default)]
pub struct ProjectionView {
    pub pending: Option<u64>,
    pub progress: Option<Progress>,
    pub shown: Option<Box<StateAt>>,
    pub error: Option<String>,
    pub lines: Vec<Line<'static>>,
    /// The JSON Pointer of the value on each line; the top line of the
    /// pane is the field `B` blames.
    pub paths: Vec<String>,
}

/// Rows read around the cursor at a time.
pub const WINDOW: usize = 256;
/// Time buckets the histogram is read in; drawn resampled to the width.
pub const HISTOGRAM_BUCKETS: usize = 240;

pub struct App {
    pub source: Box<dyn EventSource>,
    pub store_name: String,
    pub keymap: Keymap,
    pub theme: Theme,
    pub fuzzy: Fuzzy,
    pub entries: Vec<StreamEntry>,
    pub filter: String,
    pub matches: Vec<Match>,
    /// Index into `matches`.
    pub selected: usize,
    pub streams_offset: usize,
    pub scope: Scope,
    pub first_version: i64,
    pub count: u64,
    pub cursor: u64,
    /// The cursor stands before the scope's first event (a time before it
    /// was typed): no event is selected and the projection shows its
    /// initial state. `cursor` is then 0, where a step forward lands.
    pub before_first: bool,
    pub timeline_offset: u64,
    pub window_start: u64,
    pub window: Vec<Event>,
    pub histogram: Histogram,
    pub marks: [Option<u64>; 2],
    /// The times of the marked events, to place them on the histogram.
    pub mark_times: [Option<Millis>; 2],
    pub focus: Pane,
    pub local_time: bool,
    pub playing: bool,
    pub speed: u32,
    pub last_step_ms: Millis,
    pub follow: bool,
    pub head: i64,
    pub last_poll_ms: Millis,
    pub projection_names: Vec<(String, bool)>,
    pub active_projection: usize,
    pub projection: ProjectionView,
    pub event_lines: Vec<Line<'static>>,
    pub event_scroll: usize,
    pub projection_scroll: usize,
    pub input: Option<(InputKind, String)>,
    pub help: bool,
    pub message: Option<String>,
    /// The last search, for `n`/`N`: of events (`/`) or of the state (`S`).
    pub search: Option<ActiveSearch>,
    /// The search running in the background (`n`, `N`, `[`, `]`), if any.
    pub search_run: Option<super::search::SearchRun>,
    /// Numbers searches, so an answer to an older one is ignored.
    pub search_id: u64,
    /// The diff or blame view, while it is open.
    pub report: Option<ReportPane>,
    /// Which rows the timeline shows, when not all.
    pub timeline_filter: Option<TimelineFilter>,
    /// The event-type picker, while it is open.
    pub picker: Option<TypePicker>,
    /// How to open the store and the projections again, for diff jobs.
    pub location: StoreLocation,
    pub specs: Vec<ProjectionSpec>,
    pub now_ms: Millis,
    pub fixed_clock: bool,
    pub size: Rect,
    pub quit: bool,
    pub dragging_histogram: bool,
    pub streams_pending: bool,
    pub histogram_pending: bool,
    worker: Option<Worker>,
    seq: u64,
}

impl App {
    pub fn new(options: Options, size: Rect) -> Result<App> {
        let location = options.location();
        let source = location
            .open()
            .with_context(|| format!("{}: cannot open", options.store.display()))?;
        let (keymap, theme) = match &options.config_dir {
            Some(dir) => (Keymap::load(dir)?, Theme::load(dir)?),
            None => (Keymap::defaults(), Theme::defaults(false)),
        };
        let mut specs = vec![ProjectionSpec::Generic];
        specs.extend(options.projections.iter().cloned());
        let projection_names = specs.iter().map(spec_name).collect();
        let store_name = options
            .store
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| options.store.display().to_string());
        let memory = options
            .snapshot_memory
            .unwrap_or(crate::core::projection::DEFAULT_SNAPSHOT_MEMORY);
        let worker = Worker::spawn(location.clone(), specs.clone(), memory);
        let head = source.head_position()?;
        let mut app = App {
            source,
            store_name,
            keymap,
            theme,
            fuzzy: Fuzzy::default(),
            entries: Vec::new(),
            filter: String::new(),
            matches: Vec::new(),
            selected: 0,
            streams_offset: 0,
            scope: Scope::All,
            first_version: 0,
            count: 0,
            cursor: 0,
            before_first: false,
            timeline_offset: 0,
            window_start: 0,
            window: Vec::new(),
            histogram: Histogram::default(),
            marks: [None, None],
            mark_times: [None, None],
            focus: Pane::Streams,
            local_time: false,
            playing: false,
            speed: 1,
            last_step_ms: 0,
            follow: false,
            head,
            last_poll_ms: 0,
            projection_names,
            // Projections the user named come first; the generic one is
            // there for any data, one `p` away.
            active_projection: usize::from(!options.projections.is_empty()),
            projection: ProjectionView::default(),
            event_lines: Vec::new(),
            event_scroll: 0,
            projection_scroll: 0,
            input: None,
            help: false,
            message: None,
            search: None,
            search_run: None,
            search_id: 0,
            report: None,
            timeline_filter: None,
            picker: None,
            location: location.clone(),
            specs: specs.clone(),
            now_ms: options.now_ms.unwrap_or_else(crate::core::time::now_ms),
            fixed_clock: options.now_ms.is_some(),
            size,
            quit: false,
            dragging_histogram: false,
            streams_pending: false,
            histogram_pending: false,
            worker: Some(worker),
            seq: 0,
        };
        match &options.stream {
            // `$all` and `$ce-NAME` open those scopes, as the list shows them.
            Some(stream) => {
                let scope = Scope::parse(stream);
                let first_version = match &scope {
                    Scope::Stream(name) => match app.source.stream_info(name)? {
                        Some(info) => info.first_version,
                        None => anyhow::bail!(
                            "no stream '{}' in {}",
                            crate::core::sanitize::visible(stream),
                            app.store_name
                        ),
                    },
                    _ => 0,
                };
                app.focus = Pane::Timeline;
                app.open_scope(scope.clone(), first_version)?;
                let row = match options.at {
                    Some(version) => crate::core::point::Point::Version(version)
                        .resolve(app.source.as_ref(), &scope)
                        .map_err(|e| anyhow::anyhow!("--at {version}: {e}"))?
                        .unwrap_or(0),
                    None => 0,
                };
                app.move_cursor_to(row)?;
            }
            None => app.open_scope(Scope::All, 0)?,
        }
        app.request_streams();
        Ok(app)
    }

    /// Asks the loader for the stream list (it arrives as a worker reply).
    pub fn request_streams(&mut self) {
        self.streams_pending = true;
        if let Some(worker) = &self.worker {
            worker.load(Load::Streams);
        }
    }

    /// True while any background read or computation is under way.
    pub fn is_busy(&self) -> bool {
        self.projection.pending.is_some()
            || self.streams_pending
            || self.histogram_pending
            || self.search_run.is_some()
    }

    /// Takes in the stream list from the loader.
    pub fn receive_streams(&mut self, streams: Vec<StreamInfo>) {
        self.streams_pending = false;
        let entries = stream_entries(streams);
        self.entries = entries;
        let selected = self.selected_entry().map(|e| e.scope.clone());
        self.apply_filter();
        // Keep the selection on what was selected, or on the open scope.
        let wanted = selected.unwrap_or_else(|| self.scope.clone());
        if let Some(i) = self
            .matches
            .iter()
            .position(|m| self.entries[m.index].scope == wanted)
        {
            self.selected = i;
            self.scroll_streams_into_view();
        }
    }

    pub fn apply_filter(&mut self) {
        self.matches = self
            .fuzzy
            .filter(&self.filter, self.entries.iter().map(|e| e.label.as_str()));
        self.selected = 0;
        self.streams_offset = 0;
    }

    pub fn selected_entry(&self) -> Option<&StreamEntry> {
        self.matches
            .get(self.selected)
            .and_then(|m| self.entries.get(m.index))
    }

    /// Opens the timeline of the entry at `matches[index]`.
    pub fn select_entry(&mut self, index: usize) -> Result<()> {
        let Some(entry) = self
            .matches
            .get(index)
            .and_then(|m| self.entries.get(m.index))
            .cloned()
        else {
            return Ok(());
        };
        self.selected = index;
        self.scroll_streams_into_view();
        if entry.scope == self.scope {
            return Ok(());
        }
        self.open_scope(entry.scope, entry.first_version)
    }

    /// The spec of the projection shown, for jobs that load their own.
    pub fn active_spec(&self) -> ProjectionSpec {
        self.specs
            .get(self.active_projection)
            .cloned()
            .unwrap_or(ProjectionSpec::Generic)
    }

    /// Shows `scope` in the timeline, from its first event.
    pub fn open_scope(&mut self, scope: Scope, first_version: i64) -> Result<()> {
        self.scope = scope;
        self.first_version = first_version;
        self.marks = [None, None];
        self.mark_times = [None, None];
        self.cursor = 0;
        self.load_scope()?;
        self.timeline_offset = 0;
        self.move_cursor_to(0)
    }

    /// Re-reads the count of the current scope (it may have grown), asks
    /// for its histogram, drops the cached window and finds the filtered
    /// rows again (the filter follows the scope).
    pub fn load_scope(&mut self) -> Result<()> {
        self.count = self.source.count(&self.scope)?;
        self.histogram_pending = true;
        if let Some(worker) = &self.worker {
            worker.load(Load::Histogram(self.scope.clone()));
        }
        self.window.clear();
        self.window_start = 0;
        if let Some(filter) = self.timeline_filter.as_ref().map(|f| f.filter.clone()) {
            super::filter::restart(self, filter);
        }
        Ok(())
    }

    /// Moves the cursor (clamped), keeps it in view, reads the rows around
    /// it and asks the worker for the projection there.
    pub fn move_cursor_to(&mut self, row: u64) -> Result<()> {
        self.before_first = false;
        self.place_cursor(row)
    }

    /// Stands before the scope's first event: the projection's initial
    /// state, no event selected.
    pub fn stand_before_first(&mut self) -> Result<()> {
        self.before_first = true;
        self.place_cursor(0)
    }

    /// Places the cursor again where it is (after a resize or appends),
    /// before the first event if it stood there.
    pub fn refresh_cursor(&mut self) -> Result<()> {
        self.place_cursor(self.cursor)
    }

    fn place_cursor(&mut self, row: u64) -> Result<()> {
        self.cursor = row.min(self.count.saturating_sub(1));
        let height = self.timeline_rows() as u64;
        // The offset counts shown rows: all of them, or the filtered ones.
        let shown = self.shown_index(self.cursor);
        if shown < self.timeline_offset {
            self.timeline_offset = shown;
        } else if height > 0 && shown >= self.timeline_offset + height {
            self.timeline_offset = shown + 1 - height;
        }
        let (start, end) = (self.timeline_offset, self.timeline_offset + height.max(1));
        if self.filter_ready() {
            super::filter::ensure_events(self, start as usize, end as usize)?;
        } else {
            self.ensure_window(start, end)?;
        }
        self.ensure_window(self.cursor, self.cursor + 1)?;
        self.event_scroll = 0;
        self.rebuild_event_lines();
        self.request_projection();
        Ok(())
    }

    /// The filter deciding which rows the timeline shows, once it knows
    /// them; `None` while every row is shown.
    pub fn shown_filter(&self) -> Option<&TimelineFilter> {
        self.timeline_filter.as_ref().filter(|f| f.ready())
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

    /// Makes sure rows `start..end` are in the cached window.
    fn ensure_window(&mut self, start: u64, end: u64) -> Result<()> {
        let end = end.min(self.count);
        let window_end = self.window_start + self.window.len() as u64;
        if start >= end || (start >= self.window_start && end <= window_end) {
            return Ok(());
        }
        let span = (end - start) as usize;
        let size = WINDOW.max(span * 2);
        let margin = ((size - span) / 2) as u64;
        let from = start.saturating_sub(margin);
        self.window = self.source.read_rows(&self.scope, from, size)?;
        self.window_start = from;
        Ok(())
    }

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

    /// How many event rows the timeline pane shows at the current size.
    pub fn timeline_rows(&self) -> usize {
        inner(areas(self.size).timeline).height as usize
    }

    pub fn streams_rows(&self) -> usize {
        // One row of the pane is the filter line.
        (inner(areas(self.size).streams).height as usize).saturating_sub(1)
    }

    pub fn scroll_streams_into_view(&mut self) {
        let height = self.streams_rows().max(1);
        if self.selected < self.streams_offset {
            self.streams_offset = self.selected;
        } else if self.selected >= self.streams_offset + height {
            self.streams_offset = self.selected + 1 - height;
        }
    }

    pub fn rebuild_event_lines(&mut self) {
        self.event_lines = match self.cursor_event() {
            Some(event) => json_lines(&event.data_json(), None, &self.theme),
            None => Vec::new(),
        };
    }

    pub fn request_projection(&mut self) {
        if self.count == 0 {
            return;
        }
        // The worker folds only the cursor event's stream when the
        // projection keeps one state per stream (Engine::stream_target).
        let (scope, row) = (
            self.scope.clone(),
            (!self.before_first).then_some(self.cursor),
        );
        self.seq += 1;
        self.projection.pending = Some(self.seq);
        self.projection.progress = None;
        if let Some(worker) = &self.worker {
            worker.request(Request {
                seq: self.seq,
                projection: self.active_projection,
                scope,
                row,
            });
        }
    }

    /// Where background jobs answer, beside the worker's own replies.
    pub fn reply_to(&self) -> Option<std::sync::mpsc::Sender<super::action::WorkerReply>> {
        self.worker.as_ref().map(Worker::reply_to)
    }

    /// The worker's next reply, without waiting.
    pub fn poll_worker(&self) -> Option<super::action::WorkerReply> {
        self.worker.as_ref().and_then(Worker::try_recv)
    }

    /// Waits up to `timeout` for the worker's next reply (tests, benches).
    pub fn wait_worker(&self, timeout: std::time::Duration) -> Option<super::action::WorkerReply> {
        self.worker.as_ref().and_then(|w| w.recv_timeout(timeout))
    }

    /// The first version of the scope's rows, to turn rows into versions.
    pub fn version_of_row(&self, row: u64) -> Option<i64> {
        match self.scope {
            Scope::Stream(_) => Some(self.first_version + row as i64),
            _ => None,
        }
    }

    pub fn format_time(&self, ms: Millis) -> String {
        if self.local_time {
            let utc = crate::core::time::from_ms(ms);
            utc.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M:%S%.3f %:z")
                .to_string()
        } else {
            crate::core::time::rfc3339_ms(ms)
        }
    }
}

fn spec_name(spec: &ProjectionSpec) -> (String, bool) {
    match spec {
        ProjectionSpec::Generic => ("generic".to_string(), true),
        ProjectionSpec::JavaScript(path) => (
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string()),
            false,
        ),
        ProjectionSpec::Command(command) => (command.clone(), false),
    }
}
