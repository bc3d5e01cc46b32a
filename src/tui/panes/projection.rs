//! The Projection pane: the active projection's state at the cursor, the
//! fields the cursor's event changed highlighted, then handler logs,
//! would-be emits and errors.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use super::{long_lines, pane_block, title, tree_slice};
use crate::core::sanitize::visible;
use crate::tui::app::{App, Pane};
use crate::tui::layout::inner;
use crate::tui::state::projection_view::{MAX_EMITS, MAX_LOGS};
use crate::tui::text::clip_chars;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let (name, generic) = app
        .projection
        .names
        .get(app.projection.active)
        .cloned()
        .unwrap_or_default();
    let label = if generic {
        format!("{name} (built-in)")
    } else {
        name
    };
    let mut extra = vec![Span::styled(
        visible(&label).into_owned(),
        app.settings.theme.title,
    )];
    if app.projection.names.len() > 1 {
        extra.push(Span::styled(
            format!(
                " {}/{}",
                app.projection.active + 1,
                app.projection.names.len()
            ),
            app.settings.theme.dim,
        ));
    }
    if let Some(partition) = app
        .projection
        .shown
        .as_ref()
        .and_then(|s| s.partition.clone())
    {
        extra.push(Span::styled(
            format!(" [{}]", visible(&partition)),
            app.settings.theme.dim,
        ));
    }
    if app.projection.changes {
        extra.push(Span::styled(" · changes", app.settings.theme.title));
    }
    // Where the cursor is in the state: what B blames and y copies.
    if let Some(pointer) = app
        .projection
        .tree
        .pointer()
        .filter(|p| !p.is_empty() && app.focus == Pane::Projection)
    {
        extra.push(Span::styled(
            format!(" {}", visible(&clip_chars(pointer, 80))),
            app.settings.theme.dim,
        ));
    }
    let block = pane_block(app, Some(Pane::Projection), title(app, "Projection", extra));
    frame.render_widget(block, area);
    let body = inner(area);
    let mut lines: Vec<Line<'static>> = Vec::new();
    if app.projection.pending.is_some() {
        let text = match app.projection.progress {
            Some(p) if p.total > 0 => format!("computing… {}%", p.done * 100 / p.total),
            _ => "computing…".to_string(),
        };
        lines.push(Line::styled(text, app.settings.theme.dim));
    }
    if let Some(note) = &app.projection.not_covered {
        let next = app
            .settings
            .keymap
            .hint(crate::tui::action::Command::NextProjection);
        lines.push(Line::styled(
            format!("{} ({next}: next projection)", visible(note)),
            app.settings.theme.dim,
        ));
    }
    if let Some(error) = &app.projection.error {
        lines.push(Line::styled(
            visible(&clip_chars(error, 400)).into_owned(),
            app.settings.theme.error,
        ));
    }
    let mut tail: Vec<Line<'static>> = Vec::new();
    if let Some(shown) = &app.projection.shown {
        if let Some(error) = &shown.error {
            let whole = app
                .settings
                .keymap
                .hint(crate::tui::action::Command::ShowError);
            tail.push(Line::styled(
                format!(
                    "[{whole}: the whole error] {}",
                    visible(&clip_chars(&error.to_string(), 400))
                ),
                app.settings.theme.error,
            ));
        }
        for log in shown.output.logs.iter().take(MAX_LOGS) {
            tail.push(Line::from(vec![
                Span::styled("log ", app.settings.theme.dim),
                Span::raw(visible(&clip_chars(log, 400)).into_owned()),
            ]));
        }
        for emitted in shown.output.emitted.iter().take(MAX_EMITS) {
            tail.push(Line::from(vec![
                Span::styled("emit ", app.settings.theme.dim),
                Span::raw(visible(&clip_chars(&emitted.to_string(), 400)).into_owned()),
            ]));
        }
    }
    // Logs and errors stay in view under the state: the state gets the
    // rows they leave.
    let (_, tail_rows) = app.projection.reserved_rows(body.height);
    let (rows, wrap) = app.tree_rows(Pane::Projection);
    lines.extend(tree_slice(
        &app.projection.tree,
        rows,
        wrap,
        app.focus == Pane::Projection,
        app.settings.theme.selected,
    ));
    lines.extend(tail.into_iter().take(tail_rows as usize));
    let paragraph = long_lines(app, lines, app.projection.tree.hscroll);
    frame.render_widget(paragraph, body);
}
