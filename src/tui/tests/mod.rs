//! Explorer tests on the bundled demo data: `update` driven by actions with
//! assertions on state, and `TestBackend` snapshots of every pane and the
//! whole screen. Time is fixed (UTC, a fixed "now") so snapshots are stable.

mod filter;
mod inspector;
mod layout;
mod long_values;
mod navigation;
mod overlays;
mod projections;
mod prompts;
mod safety;
mod snapshots;
mod state;
mod travel;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::Terminal;

use super::action::{Action, Command};
use super::app::{App, Options};
use super::panes::render;
use super::update::update;
use crate::core::event::NewEvent;
use crate::core::store::sqlite::SqliteStore;
use crate::core::ExpectedVersion;

/// "Now" for every test: a month after the demo data ends.
pub const NOW: &str = "2025-04-01T00:00:00Z";

/// The demo store, built once per test run under a fixed file name (the
/// status bar shows the file name).
pub fn demo_path() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir").keep();
        let path = dir.join("demo.rewind");
        crate::core::demo::bundled::build_demo_store(&path).expect("demo store");
        path
    })
}

/// A private copy of the demo store that a test may append to.
pub fn writable_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("demo.rewind");
    std::fs::copy(demo_path(), &path).expect("copy");
    (dir, path)
}

pub fn append(path: &Path, stream: &str, event_type: &str, data: &str) {
    let mut store = SqliteStore::open(path).expect("open");
    let mut appender = store.appender().expect("appender");
    let event = NewEvent::new(event_type, data, Some(r#"{"actor":"test"}"#)).expect("event");
    appender
        .append(stream, ExpectedVersion::Any, &[event])
        .expect("append");
    appender.commit().expect("commit");
}

pub fn options(store: &Path, stream: Option<&str>, at: Option<i64>) -> Options {
    Options {
        store: store.to_path_buf(),
        projections: Vec::new(),
        stream: stream.map(str::to_string),
        at,
        now_ms: crate::core::time::parse_rfc3339(NOW),
        config_dir: None,
        ..Options::default()
    }
}

pub fn open(store: &Path, stream: Option<&str>, at: Option<i64>, width: u16, height: u16) -> App {
    let mut app =
        App::new(options(store, stream, at), Rect::new(0, 0, width, height)).expect("app");
    settle(&mut app);
    app
}

/// Applies worker replies until the projection at the cursor is in.
pub fn settle(app: &mut App) {
    while app.is_busy() {
        match app.wait_worker(Duration::from_secs(20)) {
            Some(reply) => update(app, Action::Reply(reply)),
            None => panic!("the projection worker did not answer"),
        }
    }
}

pub fn command(app: &mut App, command: Command) {
    update(app, Action::Command(command));
    settle(app);
}

pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        update(app, Action::Input(c));
    }
}

pub fn draw(app: &App) -> Terminal<TestBackend> {
    let mut terminal =
        Terminal::new(TestBackend::new(app.size.width, app.size.height)).expect("terminal");
    terminal.draw(|frame| render(app, frame)).expect("draw");
    terminal
}

/// The screen as text, one line per row.
pub fn screen_text(terminal: &Terminal<TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// Focuses the Projection pane and moves its cursor down until it is on
/// `pointer` (the field `B` blames).
pub fn scroll_projection_to(app: &mut App, pointer: &str) {
    app.focus = super::app::Pane::Projection;
    let line = app
        .projection
        .tree
        .paths
        .iter()
        .position(|p| p == pointer)
        .unwrap_or_else(|| panic!("the state shows {pointer}"));
    for _ in 0..line {
        command(app, Command::Down);
    }
    assert_eq!(app.projection.tree.pointer(), Some(pointer));
}

/// The explorer at `width` x `height` on `stream` of the demo, with
/// `assets/projections/<file>` first.
pub fn open_with_projection(stream: &str, file: &str, width: u16, height: u16) -> App {
    let mut opts = options(demo_path(), Some(stream), None);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/projections")
        .join(file);
    opts.projections = vec![crate::core::projection::ProjectionSpec::JavaScript(path)];
    let mut app = App::new(opts, Rect::new(0, 0, width, height)).expect("app");
    settle(&mut app);
    app
}
