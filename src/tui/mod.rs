//! The explorer: a ratatui TUI in the Elm style. One [`app::App`] holds all
//! state; terminal events become [`action::Action`]s through the keymap;
//! [`update::update`] does all the work; [`panes::render`] only draws.

pub mod action;
pub mod app;
pub mod jobs;
pub mod json_view;
pub mod keymap;
pub mod layout;
pub mod mode;
pub mod movement;
pub mod overlay;
pub mod panes;
pub mod report;
pub mod search;
pub mod state;
pub mod terminal;
pub mod text;
pub mod theme;
mod travel;
pub mod update;
pub mod worker;

#[cfg(test)]
mod tests;

use crate::core::store::StoreLocation;
use std::time::{Duration, Instant};

use anyhow::Result;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::Terminal;

pub use app::{App, Options};

/// Opens the explorer on a terminal and returns when the user quits. The
/// terminal is restored on every way out.
pub fn run(options: Options) -> Result<()> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "the explorer needs a terminal; from scripts use `rewind streams {0}` or `rewind log {0}`",
            options.store.display()
        );
    }
    let (width, height) = crossterm::terminal::size().unwrap_or((80, 24));
    let app = App::new(options, Rect::new(0, 0, width, height))?;
    terminal::run(app)
}

/// Start to first complete frame (store opened, stream list read, first
/// timeline window and histogram read, the projection at the cursor
/// computed and drawn) on a 160x48 `TestBackend`.
pub fn bench_first_frame(location: &StoreLocation) -> Result<Duration> {
    let started = Instant::now();
    let options = Options {
        store: location.path.clone(),
        backend: location.backend,
        map: location.map.clone(),
        ..Options::default()
    };
    let size = Rect::new(0, 0, 160, 48);
    let mut app = App::new(options, size)?;
    // The first complete frame has the projection at the cursor; the
    // stream list and histogram follow in later frames on a big store.
    while app.projection.pending.is_some() {
        match app.wait_worker(Duration::from_secs(30)) {
            Some(reply) => update::update(&mut app, action::Action::Reply(reply)),
            None => break,
        }
    }
    let mut terminal = Terminal::new(TestBackend::new(size.width, size.height))?;
    terminal.draw(|frame| panes::render(&app, frame))?;
    Ok(started.elapsed())
}

/// Start until the background reads (stream list, histogram) are in and
/// drawn too: on a big store they arrive after the first frame.
pub fn bench_fully_loaded(location: &StoreLocation) -> Result<Duration> {
    let started = Instant::now();
    let options = Options {
        store: location.path.clone(),
        backend: location.backend,
        map: location.map.clone(),
        ..Options::default()
    };
    let size = Rect::new(0, 0, 160, 48);
    let mut app = App::new(options, size)?;
    while app.is_busy() {
        match app.wait_worker(Duration::from_secs(60)) {
            Some(reply) => update::update(&mut app, action::Action::Reply(reply)),
            None => break,
        }
    }
    let mut terminal = Terminal::new(TestBackend::new(size.width, size.height))?;
    terminal.draw(|frame| panes::render(&app, frame))?;
    Ok(started.elapsed())
}

/// Time to fuzzy-filter `names` with `query`, as the Streams pane does on
/// each keystroke; also returns how many matched.
pub fn bench_fuzzy_filter(names: &[String], query: &str) -> (Duration, usize) {
    let fuzzy = crate::core::fuzzy::Fuzzy::default();
    let started = Instant::now();
    let found = fuzzy.filter(query, names.iter().map(String::as_str)).len();
    (started.elapsed(), found)
}

/// `count` stream names shaped like real ones, for [`bench_fuzzy_filter`].
pub fn sample_stream_names(count: usize) -> Vec<String> {
    let categories = ["account", "cart", "booking", "order", "customer"];
    (0..count)
        .map(|i| {
            format!(
                "{}-{:06}",
                categories[i % categories.len()],
                i * 7919 % 1_000_000
            )
        })
        .collect()
}

/// The mean time of one cursor step on `stream` (move, projection at the
/// new cursor from the worker, redraw on a 160x48 `TestBackend`), over
/// `steps` steps from the middle of the stream.
pub fn bench_cursor_step(location: &StoreLocation, stream: &str, steps: u32) -> Result<Duration> {
    let options = Options {
        store: location.path.clone(),
        backend: location.backend,
        map: location.map.clone(),
        stream: Some(stream.to_string()),
        ..Options::default()
    };
    let size = Rect::new(0, 0, 160, 48);
    let mut app = App::new(options, size)?;
    let mut terminal = Terminal::new(TestBackend::new(size.width, size.height))?;
    let settle = |app: &mut App| {
        while app.is_busy() {
            match app.wait_worker(Duration::from_secs(60)) {
                Some(reply) => update::update(app, action::Action::Reply(reply)),
                None => break,
            }
        }
    };
    // Warm up: the first visit replays the stream and leaves snapshots.
    let middle = app.timeline.count / 2;
    update::update(&mut app, action::Action::Command(action::Command::GoTo));
    for c in (middle + app.timeline.first_version as u64)
        .to_string()
        .chars()
    {
        update::update(&mut app, action::Action::Input(c));
    }
    update::update(&mut app, action::Action::Command(action::Command::Confirm));
    settle(&mut app);
    let started = Instant::now();
    for _ in 0..steps.max(1) {
        update::update(&mut app, action::Action::Command(action::Command::Down));
        settle(&mut app);
        terminal.draw(|frame| panes::render(&app, frame))?;
    }
    Ok(started.elapsed() / steps.max(1))
}
