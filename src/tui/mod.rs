//! The explorer: a ratatui TUI in the Elm style. One [`app::App`] holds all
//! state; terminal events become [`action::Action`]s through the keymap;
//! [`update::update`] does all the work; [`panes::render`] only draws.

pub mod action;
pub mod app;
pub mod json_view;
pub mod keymap;
pub mod layout;
pub mod panes;
pub mod terminal;
pub mod text;
pub mod theme;
pub mod update;
pub mod worker;

#[cfg(test)]
mod tests;

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Result;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::Terminal;

pub use app::{App, Options};

/// Opens the explorer on a terminal and returns when the user quits. The
/// terminal is restored on every way out.
pub fn run(options: Options) -> Result<()> {
    let (width, height) = crossterm::terminal::size().unwrap_or((80, 24));
    let app = App::new(options, Rect::new(0, 0, width, height))?;
    terminal::run(app)
}

/// Start to first complete frame (store opened, stream list read, first
/// timeline window and histogram read, the projection at the cursor
/// computed and drawn) on a 160x48 `TestBackend`.
pub fn bench_first_frame(store: &Path) -> Result<Duration> {
    let started = Instant::now();
    let options = Options {
        store: store.to_path_buf(),
        projections: Vec::new(),
        stream: None,
        at: None,
        now_ms: None,
        config_dir: None,
    };
    let size = Rect::new(0, 0, 160, 48);
    let mut app = App::new(options, size)?;
    if let Some(reply) = app.wait_worker(Duration::from_secs(30)) {
        update::update(&mut app, action::Action::Worker(reply));
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
