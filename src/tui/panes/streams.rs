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
    let rows: Vec<(usize, &crate::core::fuzzy::Match)> = app
        .streams
        .matches
        .iter()
        .enumerate()
        .skip(app.streams.offset)
        .take(body.height.saturating_sub(1) as usize)
        .collect();
    let widest = rows
        .iter()
        .filter_map(|(_, m)| app.streams.entries.get(m.index))
        .map(|e| crate::core::sanitize::visible(&e.label).width())
        .max()
        .unwrap_or(0);
    let columns = Columns::fit(widest, width);
    for (i, m) in rows {
        let Some(entry) = app.streams.entries.get(m.index) else {
            continue;
        };
        let meta = columns.meta(app, entry);
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

/// Which of a stream's details fit beside the widest name shown: the age
/// gives way first, then the category, then the count.
struct Columns {
    category: bool,
    count: bool,
    age: bool,
}

const CATEGORY: usize = 10;
const COUNT: usize = 6;
const AGE: usize = 5;

impl Columns {
    fn fit(widest: usize, width: usize) -> Columns {
        let mut columns = Columns {
            category: width >= 40,
            count: true,
            age: true,
        };
        let room = |c: &Columns| {
            width.saturating_sub(
                usize::from(c.category) * CATEGORY
                    + usize::from(c.count) * COUNT
                    + usize::from(c.age) * AGE,
            )
        };
        for give_way in [
            |c: &mut Columns| c.age = false,
            |c: &mut Columns| c.category = false,
            |c: &mut Columns| c.count = false,
        ] {
            if room(&columns) >= widest {
                break;
            }
            give_way(&mut columns);
        }
        columns
    }

    /// The details after a stream's name.
    fn meta(&self, app: &App, entry: &crate::tui::app::StreamEntry) -> String {
        let mut meta = String::new();
        if self.category {
            // Pseudo-streams name their own category.
            let category = if entry.scope.is_stream() {
                fit(&entry.category, CATEGORY - 1)
            } else {
                " ".repeat(CATEGORY - 1)
            };
            meta.push(' ');
            meta.push_str(&category);
        }
        if self.count {
            meta.push_str(&format!(" {:>5}", compact(entry.count)));
        }
        if self.age {
            let age = relative_age(entry.last_time_ms, app.settings.now_ms);
            meta.push_str(&format!(" {age:>4}"));
        }
        meta
    }
}
