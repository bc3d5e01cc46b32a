//! The event-type picker: every type of the open scope with its count,
//! chosen ones ticked. Enter filters the timeline to them.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

use crate::core::sanitize::visible;
use crate::tui::app::App;
use crate::tui::filter::TypePicker;
use crate::tui::text::fit;

pub fn render(app: &App, picker: &TypePicker, frame: &mut Frame, screen: Rect) {
    let width = screen
        .width
        .saturating_sub(8)
        .clamp(10, 72)
        .min(screen.width);
    let wanted = picker.types.len().max(1) as u16 + 3;
    let height = wanted
        .min(screen.height.saturating_sub(2))
        .max(3)
        .min(screen.height);
    let area = Rect {
        x: screen.x + (screen.width - width) / 2,
        y: screen.y + (screen.height - height) / 2,
        width,
        height,
    };
    let inner = width.saturating_sub(2) as usize;
    let rows = height.saturating_sub(3) as usize;
    let mut lines = vec![Line::styled(
        fit(
            "space ticks · a clears · enter shows the ticked types (none: all)",
            inner,
        ),
        app.theme.dim,
    )];
    if let Some(error) = &picker.error {
        lines.push(Line::styled(fit(error, inner), app.theme.error));
    } else if picker.job.is_some() {
        lines.push(Line::styled("counting event types…", app.theme.dim));
    } else if picker.types.is_empty() {
        lines.push(Line::styled("no events here", app.theme.dim));
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
            line = line.style(app.theme.selected);
        }
        lines.push(line);
    }
    let title = format!(
        " Event types · {} (esc closes) ",
        visible(&app.scope.label())
    );
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(app.theme.focused_border)
                .title(fit(&title, inner.saturating_sub(2)).trim_end().to_string()),
        ),
        area,
    );
}
