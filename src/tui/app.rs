//! The explorer's state: a few sub-states (`src/tui/state/`), the
//! overlays over them and the handles of the background threads; and the
//! loading steps `update` composes (opening a scope, placing the cursor,
//! asking for the projection). Rendering only reads this.

use std::path::PathBuf;

use anyhow::{Context, Result};
use ratatui::layout::Rect;

use super::action::Reply;
use super::jobs::{filter_scan_job, next_id, Answer};
use super::keymap::Keymap;
pub use super::layout::Pane;
use super::layout::{inner, zoomed_areas, Areas};
use super::locate::Locate;
use super::overlay::Overlays;
use super::state::history::PromptHistory;
use super::state::jumps::Spot;
use super::state::timeline_filter::{self, TimelineFilter};
use super::state::{EventView, Playback, ProjectionView, Settings, Status, StreamList, Timeline};
use super::theme::Theme;
use super::worker::{Load, Request, Worker};
use crate::core::filter::EventFilter;
use crate::core::projection::{ProjectionSpec, Selector};
use crate::core::store::{Backend, EventSource, Opening, Scope, StoreLocation, StreamInfo};
use crate::core::time::Millis;

pub use super::state::timeline::WINDOW;
pub use super::state::{stream_entries, ActiveSearch, StreamEntry};
pub use super::worker::HISTOGRAM_BUCKETS;

/// What the explorer is opened on.
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
    /// Where the prompts' history is kept; `None`: this session only.
    pub history_file: Option<PathBuf>,
}

impl Options {
    pub fn location(&self) -> StoreLocation {
        StoreLocation {
            path: self.store.clone(),
            backend: self.backend,
            map: self.map.clone(),
            // The explorer shows topics while their index is read.
            opening: Opening::WhileReading,
        }
    }
}

pub struct App {
    pub source: Box<dyn EventSource>,
    pub settings: Settings,
    pub size: Rect,
    pub focus: Pane,
    pub streams: StreamList,
    pub timeline: Timeline,
    pub playback: Playback,
    pub event: EventView,
    pub projection: ProjectionView,
    /// Help, prompts, the picker, reports: the top one gets keys first.
    pub overlays: Overlays,
    /// The status bar's message, and the text to copy.
    pub status: Status,
    /// What was typed at each prompt, for ↑ and ↓.
    pub history: PromptHistory,
    pub quit: bool,
    worker: Option<Worker>,
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
        // The user's projections first, the generic one, for any data,
        // last.
        let mut specs = options.projections.clone();
        specs.push(ProjectionSpec::Generic);
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
        let store_note = source.status_note();
        let projection = ProjectionView {
            names: specs
                .iter()
                .map(|spec| (spec.name(), *spec == ProjectionSpec::Generic))
                .collect(),
            selectors: specs.iter().map(selector_of).collect(),
            ..ProjectionView::default()
        };
        let mut app = App {
            source,
            settings: Settings {
                store_name,
                location,
                specs,
                keymap,
                theme,
                local_time: false,
                zoomed: false,
                split: Default::default(),
                wrap: false,
                now_ms: options.now_ms.unwrap_or_else(crate::core::time::now_ms),
                fixed_clock: options.now_ms.is_some(),
            },
            size,
            focus: Pane::Streams,
            streams: StreamList::default(),
            timeline: Timeline::default(),
            playback: Playback::new(head),
            event: EventView::default(),
            projection,
            overlays: Overlays::default(),
            status: Status {
                store_note,
                ..Status::default()
            },
            history: PromptHistory::load(options.history_file.clone()),
            quit: false,
            worker: Some(worker),
        };
        app.open_first(&options)?;
        app.request_streams();
        Ok(app)
    }

    /// Opens the stream given with `--stream` (`$all` and `$ce-NAME` open
    /// those scopes, as the list shows them) at `--at`, or `$all`.
    fn open_first(&mut self, options: &Options) -> Result<()> {
        let Some(stream) = &options.stream else {
            return self.open_scope(Scope::All, 0);
        };
        let scope = Scope::parse(stream);
        let first_version = match &scope {
            Scope::Stream(name) => match self.source.stream_info(name)? {
                Some(info) => info.first_version,
                // Topics still being read into their index: the stream
                // may be further on, and shows when it is read.
                None if self.source.status_note().is_some() => {
                    self.status.message = Some(format!(
                        "no event of '{}' read yet: it shows once the index reaches it",
                        crate::core::sanitize::visible(stream)
                    ));
                    0
                }
                None => anyhow::bail!(
                    "no stream '{}' in {}",
                    crate::core::sanitize::visible(stream),
                    self.settings.store_name
                ),
            },
            _ => 0,
        };
        self.focus = Pane::Timeline;
        self.open_scope(scope.clone(), first_version)?;
        let row = match options.at {
            Some(version) => crate::core::point::Point::Version(version)
                .resolve(self.source.as_ref(), &scope)
                .map_err(|e| anyhow::anyhow!("--at {version}: {e}"))?
                .unwrap_or(0),
            None => 0,
        };
        self.move_cursor_to(row)
    }

    /// Asks the loader for the stream list (it arrives as a reply).
    pub fn request_streams(&mut self) {
        self.streams.pending = true;
        if let Some(worker) = &self.worker {
            worker.load(Load::Streams);
        }
    }

    /// True while any background read or computation is under way.
    pub fn is_busy(&self) -> bool {
        self.projection.pending.is_some()
            || self.streams.pending
            || self.timeline.histogram_pending
            || self.timeline.search.run.is_some()
            || self
                .timeline
                .filter
                .as_ref()
                .is_some_and(|f| f.job.is_some())
            || self.overlays.is_busy()
            || self.timeline.locating.is_some()
            || self.playback.head_pending.is_some()
    }

    /// Asks the locator thread to find `what`; the id its answer carries.
    pub fn locate(&self, what: Locate) -> Option<u64> {
        let worker = self.worker.as_ref()?;
        let id = next_id();
        worker.locate(id, what);
        Some(id)
    }

    /// Takes in the stream list from the loader.
    pub fn receive_streams(&mut self, streams: Vec<StreamInfo>) {
        let rows = self.streams_rows();
        self.streams.receive(streams, &self.timeline.scope, rows);
    }

    /// Opens the timeline of the entry at `matches[index]`.
    pub fn select_entry(&mut self, index: usize) -> Result<()> {
        let Some(entry) = self.streams.entry(index).cloned() else {
            return Ok(());
        };
        self.streams.selected = index;
        self.streams.scroll_into_view(self.streams_rows());
        if entry.scope == self.timeline.scope {
            return Ok(());
        }
        self.open_scope(entry.scope, entry.first_version)
    }

    /// The spec of the projection shown, for jobs that load their own.
    pub fn active_spec(&self) -> ProjectionSpec {
        self.settings.spec(self.projection.active)
    }

    /// Shows `scope` in the timeline, from its first event.
    /// Moves the cursor to `row` as a jump: the place it leaves is
    /// remembered for `jump_back`.
    pub fn jump_to(&mut self, row: u64) -> Result<()> {
        let here = self.spot();
        self.timeline.jumps.leave(here);
        self.move_cursor_to(row)
    }

    /// Where the cursor stands, to come back to.
    pub fn spot(&self) -> Spot {
        Spot {
            scope: self.timeline.scope.clone(),
            first_version: self.timeline.first_version,
            row: self.timeline.cursor,
        }
    }

    /// Goes to `spot`, opening its scope if another is open.
    pub fn go_to_spot(&mut self, spot: Spot) -> Result<()> {
        if spot.scope != self.timeline.scope {
            self.open_scope(spot.scope, spot.first_version)?;
        }
        self.focus = Pane::Timeline;
        self.move_cursor_to(spot.row)
    }

    pub fn open_scope(&mut self, scope: Scope, first_version: i64) -> Result<()> {
        self.projection.pick_for(&scope);
        // The stream list shows which scope is open, however it was opened.
        self.streams.select_scope(&scope, self.streams_rows());
        self.timeline.open(scope, first_version);
        self.load_scope()?;
        self.timeline.offset = 0;
        self.move_cursor_to(0)
    }

    /// Re-reads the count of the current scope (it may have grown), asks
    /// for its histogram, drops the cached window and finds the filtered
    /// rows again (the filter follows the scope).
    pub fn load_scope(&mut self) -> Result<()> {
        // Where counting is a scan (`$all` on PostgreSQL), the first frame
        // is drawn with the store's guess and the exact count comes with
        // the look at the head, off this thread.
        let estimate = self.source.count_estimate(&self.timeline.scope)?;
        let count = match estimate {
            Some(estimate) => estimate,
            None => self.source.count(&self.timeline.scope)?,
        };
        self.rescope(count);
        if estimate.is_some() {
            self.timeline.count_estimated = true;
            crate::tui::update::poll_head(self, false);
        }
        Ok(())
    }

    /// The open scope holds `count` rows now: its histogram, window and
    /// filtered rows are read again.
    pub fn rescope(&mut self, count: u64) {
        self.timeline.count = count;
        self.timeline.count_estimated = false;
        self.timeline.histogram_pending = true;
        if let Some(worker) = &self.worker {
            worker.load(Load::Histogram(self.timeline.scope.clone()));
        }
        self.timeline.forget_window();
        if let Some(filter) = self.timeline.filter.as_ref().map(|f| f.filter.clone()) {
            self.restart_filter(filter);
        }
    }

    /// Starts finding the rows of `filter` in the open scope (see
    /// [`timeline_filter::restart`]).
    pub fn restart_filter(&mut self, filter: EventFilter) {
        let answer = self.answer();
        let location = self.settings.location.clone();
        let timeline = &mut self.timeline;
        timeline_filter::restart(
            &mut timeline.filter,
            &timeline.scope,
            filter,
            |shown, from| scan_rows(answer, location, shown, from),
        );
    }

    /// Scans the filter's scope for its rows from row `from`; the job.
    pub fn scan_filter_rows(&self, shown: &TimelineFilter, from: u64) -> Option<u64> {
        scan_rows(self.answer(), self.settings.location.clone(), shown, from)
    }

    /// Moves the cursor (clamped), keeps it in view, reads the rows around
    /// it and asks the worker for the projection there.
    pub fn move_cursor_to(&mut self, row: u64) -> Result<()> {
        self.timeline.before_first = false;
        self.place_cursor(row)
    }

    /// Stands before the scope's first event: the projection's initial
    /// state, no event selected.
    pub fn stand_before_first(&mut self) -> Result<()> {
        self.timeline.before_first = true;
        self.place_cursor(0)
    }

    /// Places the cursor again where it is (after a resize or appends),
    /// before the first event if it stood there.
    pub fn refresh_cursor(&mut self) -> Result<()> {
        self.place_cursor(self.timeline.cursor)
    }

    fn place_cursor(&mut self, row: u64) -> Result<()> {
        let height = inner(self.areas().timeline).height as u64;
        let timeline = &mut self.timeline;
        timeline.cursor = row.min(timeline.count.saturating_sub(1));
        // The offset counts shown rows: all of them, or the filtered ones.
        let shown = timeline.shown_index(timeline.cursor);
        if shown < timeline.offset {
            timeline.offset = shown;
        } else if height > 0 && shown >= timeline.offset + height {
            timeline.offset = shown + 1 - height;
        }
        let (start, end) = (timeline.offset, timeline.offset + height.max(1));
        if timeline.filter_ready() {
            if let Some(filter) = &mut timeline.filter {
                timeline_filter::ensure_events(
                    filter,
                    self.source.as_ref(),
                    start as usize,
                    end as usize,
                )?;
            }
        } else {
            timeline.ensure_window(self.source.as_ref(), start, end)?;
        }
        let cursor = self.timeline.cursor;
        self.timeline
            .ensure_window(self.source.as_ref(), cursor, cursor + 1)?;
        self.event
            .show(self.timeline.cursor_event(), &self.settings);
        self.request_projection();
        Ok(())
    }

    /// Where the panes are at the current size, with the focused pane
    /// filling the screen when zoomed.
    pub fn areas(&self) -> Areas {
        let zoomed = self.settings.zoomed.then_some(self.focus);
        zoomed_areas(self.size, &self.settings.split, self.focus, zoomed)
    }

    /// How many event rows the timeline pane shows at the current size.
    pub fn timeline_rows(&self) -> usize {
        inner(self.areas().timeline).height as usize
    }

    /// The rows the Event or Projection pane has for its tree, and its
    /// width when long lines wrap.
    pub fn tree_rows(&self, pane: Pane) -> (usize, Option<usize>) {
        let areas = self.areas();
        let body = match pane {
            Pane::Event => inner(areas.event),
            _ => inner(areas.projection),
        };
        let rows = match pane {
            Pane::Event => body.height,
            _ => {
                let (head, tail) = self.projection.reserved_rows(body.height);
                body.height.saturating_sub(head + tail)
            }
        };
        let wrap = self.settings.wrap.then_some(body.width as usize);
        (rows as usize, wrap)
    }

    /// Scrolls the Event and Projection panes so that their tree cursors
    /// are in view (after any action: a move, a find, a new state, a
    /// resize, wrap or zoom).
    pub fn fit_trees(&mut self) {
        let (rows, wrap) = self.tree_rows(Pane::Event);
        self.event.tree.fit(rows, wrap);
        let (rows, wrap) = self.tree_rows(Pane::Projection);
        self.projection.tree.fit(rows, wrap);
    }

    pub fn streams_rows(&self) -> usize {
        // One row of the pane is the filter line.
        (inner(self.areas().streams).height as usize).saturating_sub(1)
    }

    pub fn request_projection(&mut self) {
        if self.timeline.count == 0 {
            return;
        }
        // The worker folds only the cursor event's stream when the
        // projection keeps one state per stream (Engine::stream_target).
        let request = Request {
            seq: self.projection.expect(),
            projection: self.projection.active,
            scope: self.timeline.scope.clone(),
            row: (!self.timeline.before_first).then_some(self.timeline.cursor),
        };
        if let Some(worker) = &self.worker {
            worker.request(request);
        }
    }

    /// Where background jobs answer, beside the worker's own replies.
    pub fn reply_to(&self) -> Option<std::sync::mpsc::Sender<Reply>> {
        self.worker.as_ref().map(Worker::reply_to)
    }

    /// A new job's id and where it answers.
    pub fn answer(&self) -> Option<Answer> {
        Some(Answer {
            id: next_id(),
            reply_to: self.reply_to()?,
        })
    }

    /// The next background reply, without waiting.
    pub fn poll_worker(&self) -> Option<Reply> {
        self.worker.as_ref().and_then(Worker::try_recv)
    }

    /// Waits up to `timeout` for the next background reply (tests, benches).
    pub fn wait_worker(&self, timeout: std::time::Duration) -> Option<Reply> {
        self.worker.as_ref().and_then(|w| w.recv_timeout(timeout))
    }
}

fn scan_rows(
    answer: Option<Answer>,
    location: StoreLocation,
    shown: &TimelineFilter,
    from: u64,
) -> Option<u64> {
    let answer = answer?;
    let id = answer.id;
    let (scope, filter, cancel) = (
        shown.scope.clone(),
        shown.filter.clone(),
        shown.cancel.clone(),
    );
    filter_scan_job(answer, location, scope, filter, cancel, from);
    Some(id)
}

/// What a projection reads, read once from its definition (a JavaScript
/// file is loaded for it, then dropped); a reducer may read anything.
fn selector_of(spec: &ProjectionSpec) -> Selector {
    match spec {
        ProjectionSpec::JavaScript(_) | ProjectionSpec::Shipped(_) => spec
            .load()
            .map(|projection| projection.selector())
            .unwrap_or(Selector::All),
        ProjectionSpec::Generic | ProjectionSpec::Command(_) => Selector::All,
    }
}
