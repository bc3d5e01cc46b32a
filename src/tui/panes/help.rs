//! The help overlay: every binding of every mode, read from the keymap in
//! force, so a remapped key shows up as remapped. The keys of the overlay
//! it was opened over come first.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::tui::app::App;
use crate::tui::overlay::Mode;
use crate::tui::panes::{centered, overlay};

pub fn render(app: &App, frame: &mut Frame, screen: Rect) {
    let mut lines = Vec::new();
    for mode in modes(app) {
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(mode.title(), app.settings.theme.title));
        lines.extend(mode_lines(app, mode));
        if mode == Mode::Explorer {
            lines.push(Line::styled(
                "   mouse: click to focus and select, wheel to scroll, drag on the histogram to scrub",
                app.settings.theme.dim,
            ));
        }
    }
    let height = (lines.len() + 2).min(u16::MAX as usize) as u16;
    let area = centered(screen, 86, height);
    let title = format!(
        " Keys ({} closes) ",
        app.settings
            .keymap
            .keys_in(Mode::Help, crate::tui::action::Command::Cancel)
            .join(" or ")
    );
    overlay(app, frame, area, &title, lines);
}

/// The modes to list: the one under the help screen first, then the
/// explorer, then the other overlays, the help screen's own keys last.
fn modes(app: &App) -> Vec<Mode> {
    let under = app
        .overlays
        .iter()
        .map(|o| o.mode())
        .rfind(|m| *m != Mode::Help)
        .unwrap_or(Mode::Explorer);
    let mut modes = vec![under];
    modes.extend(
        Mode::ALL
            .into_iter()
            .filter(|m| *m != under && *m != Mode::Help),
    );
    modes.push(Mode::Help);
    modes
}

fn mode_lines(app: &App, mode: Mode) -> Vec<Line<'static>> {
    let theme = &app.settings.theme;
    mode.commands()
        .iter()
        .map(|command| {
            let keys = app.settings.keymap.keys_in(mode, *command).join(" ");
            Line::from(vec![
                Span::styled(format!("{keys:>12}  "), theme.json_key),
                Span::raw(format!("{:<20}", command.name())),
                Span::styled(mode.describe(*command), theme.dim),
            ])
        })
        .collect()
}
