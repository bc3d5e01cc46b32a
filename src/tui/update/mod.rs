//! `update`: the one place the explorer's state changes. Every key, click,
//! clock tick and background answer arrives here as an [`Action`]. A
//! command goes to the top overlay when one is open (its keys are its
//! mode's table of the keymap), to the explorer otherwise: this is the
//! only place that precedence is decided.

mod copy;
mod explorer;
pub(crate) mod filter;
mod find;
mod locate;
mod mouse;
mod overlays;
mod replies;

use anyhow::Result;

use super::action::{Action, Command};
use super::app::App;
use super::overlay::Mode;

pub use locate::poll_head;

/// Applies `action`. Errors from the store become a message in the status
/// bar rather than ending the session.
pub fn update(app: &mut App, action: Action) {
    if let Err(error) = apply(app, action) {
        app.status.message = Some(format!("error: {error:#}"));
    }
    app.fit_trees();
}

fn apply(app: &mut App, action: Action) -> Result<()> {
    match action {
        Action::Command(command) => {
            app.status.message = None;
            on_command(app, command)
        }
        Action::Input(c) => overlays::type_char(app, c),
        Action::Mouse(mouse) => mouse::on_mouse(app, mouse),
        Action::Resize { width, height } => {
            app.size = ratatui::layout::Rect::new(0, 0, width, height);
            if let Some(report) = app.overlays.report_mut() {
                report.relayout(Some(width));
            }
            app.refresh_cursor()
        }
        Action::Tick { now_ms } => replies::tick(app, now_ms),
        Action::Reply(reply) => replies::on_reply(app, reply),
    }
}

/// A command, to whatever has the keys: the top overlay, or the panes.
fn on_command(app: &mut App, command: Command) -> Result<()> {
    match app.overlays.mode() {
        Mode::Explorer => explorer::run_command(app, command),
        Mode::Help => overlays::help_command(app, command),
        Mode::Prompt => overlays::prompt_command(app, command),
        Mode::Picker => overlays::picker_command(app, command),
        Mode::Report => overlays::report_command(app, command),
        Mode::Value => overlays::value_command(app, command),
    }
}
