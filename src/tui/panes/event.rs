//! The Event pane: the event under the cursor, its identity and metadata,
//! then its data as pretty, coloured JSON (laid out in `update`, see
//! `src/tui/state/event_view.rs`).

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{long_lines, pane_block, title, visible_slice};
use crate::tui::action::Command;
use crate::tui::app::{App, Pane};
use crate::tui::layout::inner;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let block = pane_block(app, Some(Pane::Event), title(app, "Event", Vec::new()));
    frame.render_widget(block, area);
    let body = inner(area);
    if app.timeline.cursor_event().is_none() {
        let text = if app.timeline.before_first {
            let down = app.settings.keymap.keys_for(Command::Down).join(" or ");
            format!("before the first event: none applied yet ({down} goes to the first)")
        } else {
            "no event".to_string()
        };
        frame.render_widget(
            Paragraph::new(Line::styled(text, app.settings.theme.dim)),
            body,
        );
        return;
    }
    let lines = visible_slice(&app.event.lines, app.event.scroll, body).to_vec();
    frame.render_widget(long_lines(app, lines, app.event.hscroll), body);
}
