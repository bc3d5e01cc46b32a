//! The Streams pane: `$all`, the categories, then every stream with its
//! count and last time; a fuzzy filter with the matched characters lit.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use super::{pane_block, title};
use crate::core::time::relative_age;
use crate::tui::app::{App, Pane};
use crate::tui::layout::inner;
use crate::tui::overlay::PromptKind;
use crate::tui::text::{fit, highlighted};

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let count = Span::styled(
        format!("{} ", app.streams.matches.len()),
        app.settings.theme.dim,
    );
    let block = pane_block(app, Some(Pane::Streams), title(app, "Streams", vec![count]));
    frame.render_widget(block, area);
    let body = inner(area);
    if body.height == 0 {
        return;
    }
    let mut lines = Vec::with_capacity(body.height as usize);
    let filtering = app
        .overlays
        .prompt()
        .is_some_and(|p| p.kind == PromptKind::StreamQuery);
    let typed = app
        .overlays
        .prompt()
        .filter(|p| p.kind == PromptKind::StreamQuery)
        .map(|p| p.split_at_cursor());
    let filter_line = if let (true, Some((before, after))) = (filtering, typed) {
        let room = body.width.saturating_sub(2) as usize;
        // Padding aside, the text before the cursor is shown as typed
        // (a space just typed included).
        let before = if before.chars().count() < room {
            crate::core::sanitize::visible(before).into_owned()
        } else {
            fit(before, room)
        };
        let left = room.saturating_sub(before.chars().count());
        Line::from(vec![
            Span::styled("/", app.settings.theme.matched),
            Span::raw(before),
            Span::styled("▏", app.settings.theme.matched),
            Span::raw(fit(after, left).trim_end().to_string()),
        ])
    } else if app.streams.query.is_empty() {
        Line::styled(
            format!(
                "{} to filter",
                app.settings
                    .keymap
                    .hint(crate::tui::action::Command::Filter)
            ),
            app.settings.theme.dim,
        )
    } else {
        Line::from(vec![
            Span::styled("/", app.settings.theme.dim),
            Span::raw(fit(
                &app.streams.query,
                body.width.saturating_sub(1) as usize,
            )),
        ])
    };
    lines.push(filter_line);
    if app.streams.entries.is_empty() && app.streams.pending {
        lines.push(Line::styled("loading streams…", app.settings.theme.dim));
    }
    let width = body.width as usize;
    for (i, m) in app
        .streams
        .matches
        .iter()
        .enumerate()
        .skip(app.streams.offset)
        .take(body.height.saturating_sub(1) as usize)
    {
        let Some(entry) = app.streams.entries.get(m.index) else {
            continue;
        };
        let age = relative_age(entry.last_time_ms, app.settings.now_ms);
        // Wide panes also show the category (pseudo-streams name their own).
        let category = if width >= 40 && entry.scope.is_stream() {
            fit(&entry.category, 9)
        } else {
            " ".repeat(if width >= 40 { 9 } else { 0 })
        };
        let meta = format!(" {category}{:>5} {:>4}", compact(entry.count), age);
        let name_width = width.saturating_sub(meta.width());
        let name = fit(&entry.label, name_width);
        // Highlighting works on the raw label; cut to the same width.
        let mut spans = if m.positions.is_empty() || name.contains('…') {
            vec![Span::raw(name)]
        } else {
            let mut s = highlighted(
                &entry.label,
                &m.positions,
                ratatui::style::Style::default(),
                app.settings.theme.matched,
            );
            let used: usize = s.iter().map(|span| span.content.width()).sum();
            s.push(Span::raw(" ".repeat(name_width.saturating_sub(used))));
            s
        };
        spans.push(Span::styled(meta, app.settings.theme.dim));
        let mut line = Line::from(spans);
        if i == app.streams.selected {
            line = line.style(app.settings.theme.selected);
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), body);
}

/// `950`, `12k`, `3.4M`: counts in a few cells.
fn compact(n: u64) -> String {
    match n {
        0..=9_999 => n.to_string(),
        10_000..=999_999 => format!("{}k", n / 1000),
        _ => format!("{:.1}M", n as f64 / 1e6),
    }
}
