//! The event-type picker: every type of the open scope with its count,
//! chosen ones ticked. Enter filters the timeline to them.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::core::sanitize::visible;
use crate::tui::action::Command;
use crate::tui::app::App;
use crate::tui::overlay::Mode;
use crate::tui::overlay::TypePicker;
use crate::tui::panes::{centered, overlay};
use crate::tui::text::fit;

pub fn render(app: &App, picker: &TypePicker, frame: &mut Frame, screen: Rect) {
    let wanted = (picker.types.len().max(1) + 3).min(u16::MAX as usize) as u16;
    let area = centered(
        screen,
        screen.width.saturating_sub(8).clamp(10, 72),
        wanted.min(screen.height.saturating_sub(2)).max(3),
    );
    let (width, height) = (area.width, area.height);
    let inner = width.saturating_sub(2) as usize;
    let rows = height.saturating_sub(3) as usize;
    let key = |command| app.settings.keymap.hint_in(Mode::Picker, command);
    let hint = format!(
        "{} ticks · {} clears · {} shows the ticked types (none: all)",
        key(Command::Toggle),
        key(Command::Clear),
        key(Command::Confirm)
    );
    let mut lines = vec![Line::styled(fit(&hint, inner), app.settings.theme.dim)];
    if let Some(error) = &picker.error {
        lines.push(Line::styled(fit(error, inner), app.settings.theme.error));
    } else if picker.job.is_some() {
        lines.push(Line::styled(
            "counting event types…",
            app.settings.theme.dim,
        ));
    } else if picker.types.is_empty() {
        lines.push(Line::styled("no events here", app.settings.theme.dim));
    }
    let count_width = picker
        .types
        .first()
        .map_or(1, |t| t.count.to_string().len());
    // Keep the selected type in view.
    let offset = picker.selected.saturating_sub(rows.saturating_sub(1));
    for (i, t) in picker.types.iter().enumerate().skip(offset).take(rows) {
        let tick = if picker.chosen.contains(&t.event_type) {
            "[x] "
        } else {
            "[ ] "
        };
        let text = format!(
            "{tick}{:>count_width$}  {}",
            t.count,
            visible(&t.event_type)
        );
        let mut line = Line::from(Span::raw(fit(&text, inner)));
        if i == picker.selected {
            line = line.style(app.settings.theme.selected);
        }
        lines.push(line);
    }
    let title = format!(
        " Event types · {} ({} closes) ",
        visible(&app.timeline.scope.label()),
        key(Command::Cancel)
    );
    overlay(app, frame, area, &title, lines);
}
