//! The help overlay: every binding, read from the keymap in force, so a
//! remapped key shows up as remapped.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

use crate::tui::action::Command;
use crate::tui::app::App;

pub fn render(app: &App, frame: &mut Frame, screen: Rect) {
    let width = screen.width.min(86);
    let height = screen.height.min(Command::ALL.len() as u16 + 5);
    let area = Rect {
        x: screen.x + (screen.width - width) / 2,
        y: screen.y + (screen.height - height) / 2,
        width,
        height,
    };
    let mut lines = Vec::new();
    for command in Command::ALL {
        let keys = app.settings.keymap.keys_for(command).join(" ");
        lines.push(Line::from(vec![
            Span::styled(format!("{keys:>12}  "), app.settings.theme.json_key),
            Span::raw(format!("{:<20}", command.name())),
            Span::styled(command.describe(), app.settings.theme.dim),
        ]));
    }
    // The mouse line only where it fits: the bindings come first.
    if height as usize >= lines.len() + 5 {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "mouse: click to focus and select, wheel to scroll, drag on the histogram to scrub",
            app.settings.theme.dim,
        ));
        lines.push(Line::styled(
            "in a prompt: enter confirms, esc cancels, ↑/↓ move through the matches",
            app.settings.theme.dim,
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(app.settings.theme.focused_border)
        .title(Span::styled(
            " Keys (esc or ? to close) ",
            app.settings.theme.title,
        ));
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
