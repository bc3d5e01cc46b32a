//! The Event pane: the event under the cursor, its identity and metadata,
//! then its data and metadata as a JSON tree with a cursor (laid out in
//! `update`, see `src/tui/state/event_view.rs`).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{long_lines, pane_block, title, tree_slice};
use crate::core::sanitize::visible;
use crate::tui::action::Command;
use crate::tui::app::{App, Pane};
use crate::tui::layout::inner;
use crate::tui::text::clip_chars;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    // Where the cursor is in the event: what Enter opens and y copies.
    let extra = match app.event.tree.pointer() {
        Some(pointer) if !pointer.is_empty() && app.focus == Pane::Event => vec![Span::styled(
            format!(" {}", visible(&clip_chars(pointer, 80))),
            app.settings.theme.dim,
        )],
        _ => Vec::new(),
    };
    let block = pane_block(app, Some(Pane::Event), title(app, "Event", extra));
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
    let (rows, wrap) = app.tree_rows(Pane::Event);
    let focused = app.focus == Pane::Event;
    let lines = tree_slice(
        &app.event.tree,
        rows,
        wrap,
        focused,
        app.settings.theme.selected,
    );
    frame.render_widget(long_lines(app, lines, app.event.tree.hscroll), body);
}
