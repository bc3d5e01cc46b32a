//! The focused pane's main keys, on its bottom border: what works here,
//! from the keymap in force, as many as fit.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::tui::action::Command;
use crate::tui::app::{App, Pane};
use crate::tui::layout::Areas;
use crate::tui::overlay::Mode;
use crate::tui::sections::footer;

pub fn render(app: &App, frame: &mut Frame, areas: &Areas) {
    let area = match app.focus {
        Pane::Streams => areas.streams,
        Pane::Timeline => areas.timeline,
        Pane::Event => areas.event,
        Pane::Projection => areas.projection,
    };
    if area.width < 8 || area.height < 3 {
        return;
    }
    let room = usize::from(area.width - 4);
    let mut text = String::new();
    for hint in hints(app) {
        let more = if text.is_empty() { 0 } else { 2 } + hint.chars().count();
        if text.chars().count() + more > room {
            break;
        }
        if !text.is_empty() {
            text.push_str("  ");
        }
        text.push_str(&hint);
    }
    if text.is_empty() {
        return;
    }
    let width = (text.chars().count() + 2) as u16;
    let line = Rect {
        x: area.x + 1,
        y: area.y + area.height - 1,
        width,
        height: 1,
    };
    let span = Span::styled(format!(" {text} "), app.settings.theme.dim);
    frame.render_widget(Paragraph::new(Line::from(span)), line);
}

/// `key word` for each of the focused pane's main keys, and the key that
/// brings the Streams pane back when it is hidden.
pub fn hints(app: &App) -> Vec<String> {
    let keymap = &app.settings.keymap;
    let mut hints: Vec<String> = footer(Mode::Explorer, app.focus)
        .iter()
        .map(|(command, word)| format!("{} {word}", keymap.hint(*command)))
        .collect();
    let hidden =
        !app.settings.zoomed && !app.settings.split.streams_shown(app.size.width, app.focus);
    if hidden {
        // Before help, which the status bar shows too.
        let at = hints.len().saturating_sub(1);
        hints.insert(
            at,
            format!("{} streams", keymap.hint(Command::ToggleStreams)),
        );
    }
    hints
}
