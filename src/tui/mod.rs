//! The explorer: a ratatui TUI in the Elm style. One [`app::App`] holds all
//! state; terminal events become [`action::Action`]s through the keymap;
//! [`update::update`] does all the work; [`panes::render`] only draws.

pub mod action;
pub mod app;
pub mod bench;
pub mod clipboard;
pub mod jobs;
pub mod json_view;
pub mod keymap;
pub mod layout;
pub mod locate;
pub mod mode;
pub mod movement;
pub mod overlay;
pub mod panes;
pub mod report;
pub mod search;
pub mod sections;
pub mod state;
pub mod terminal;
pub mod text;
pub mod theme;
pub mod threads;
mod travel;
pub mod update;
pub mod worker;

#[cfg(test)]
mod tests;

use anyhow::Result;
use ratatui::layout::Rect;

pub use app::{App, Options};
pub use bench::{
    bench_cursor_step, bench_first_frame, bench_fully_loaded, bench_fuzzy_typing,
    sample_stream_names,
};

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
