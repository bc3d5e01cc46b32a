//! The Timeline pane (the scope's events as rows, only the visible window
//! is read) and the histogram above it (events over time, the cursor and
//! marks A and B placed on it).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{pane_block, title};
use crate::core::event::Event;
use crate::core::time::{relative_age, Millis};
use crate::tui::app::{App, Pane};
use crate::tui::layout::inner;
use crate::tui::text::fit;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let position = match app.timeline.shown_filter() {
        _ if app.timeline.count == 0 => "empty ".to_string(),
        Some(filter) => {
            let here = filter
                .shown_at(app.timeline.cursor)
                .map_or("-".to_string(), |i| (i + 1).to_string());
            format!("{here}/{} shown ", filter.rows.len())
        }
        _ if app.timeline.before_first => format!("before 1/{} ", app.timeline.count),
        _ => format!("{}/{} ", app.timeline.cursor + 1, app.timeline.count),
    };
    let mut extra = vec![
        Span::styled(
            crate::core::sanitize::visible(&app.timeline.scope.label()).into_owned(),
            app.settings.theme.title,
        ),
        Span::styled(format!(" {position}"), app.settings.theme.dim),
    ];
    if app.playback.follow_paused {
        extra.push(Span::styled(
            format!("· {} new, following paused ", app.playback.new_events),
            app.settings.theme.mark,
        ));
    }
    if let Some(filter) = &app.timeline.filter {
        let pending = if filter.job.is_some() {
            " filtering…"
        } else {
            ""
        };
        extra.push(Span::styled(
            format!(
                "· {}{pending} ",
                crate::core::sanitize::visible(&filter.filter.describe())
            ),
            app.settings.theme.mark,
        ));
    }
    let block = pane_block(app, Some(Pane::Timeline), title(app, "Timeline", extra));
    frame.render_widget(block, area);
    let body = inner(area);
    let mut lines = Vec::with_capacity(body.height as usize);
    for i in 0..body.height as u64 {
        let Some((row, event)) = shown_event(app, app.timeline.offset + i) else {
            break;
        };
        let mut line = Line::from(row_spans(app, row, event, body.width as usize));
        if row == app.timeline.cursor && !app.timeline.before_first {
            line = line.style(app.settings.theme.cursor);
        }
        lines.push(line);
    }
    if lines.is_empty() {
        let text = if app.timeline.filter_ready() {
            let cancel = app
                .settings
                .keymap
                .hint(crate::tui::action::Command::Cancel);
            format!("no events match the filter ({cancel} shows all)")
        } else {
            "no events".to_string()
        };
        lines.push(Line::styled(text, app.settings.theme.dim));
    }
    frame.render_widget(Paragraph::new(lines), body);
}

/// The row and event drawn on line `shown` of the timeline (counting from
/// the first shown row), from the filtered rows when a filter is on.
fn shown_event(app: &App, shown: u64) -> Option<(u64, &Event)> {
    let row = app.timeline.row_of_shown(shown)?;
    let event = match app.timeline.shown_filter() {
        Some(filter) => filter.event(shown as usize)?,
        None => app.timeline.event_at(row)?,
    };
    Some((row, event))
}

fn row_spans(app: &App, row: u64, event: &Event, width: usize) -> Vec<Span<'static>> {
    let failed = app.projection.failed_at() == Some(event.position);
    let gutter = match (
        row == app.timeline.cursor && !app.timeline.before_first,
        mark_at(app, row),
    ) {
        (_, Some(mark)) => Span::styled(format!("{mark} "), app.settings.theme.mark),
        // The event the projection failed on.
        _ if failed => Span::styled("✗ ", app.settings.theme.error),
        (true, None) => Span::raw("› "),
        (false, None) => Span::raw("  "),
    };
    let wide = width >= 90;
    let time = short_time(app, event.time_ms, wide);
    let age = relative_age(event.time_ms, app.settings.now_ms);
    let where_ = if app.timeline.scope.is_stream() {
        format!("{:>5}", event.version)
    } else {
        format!("{}:{}", event.stream, event.version)
    };
    let where_width = if app.timeline.scope.is_stream() {
        5
    } else {
        if wide {
            20
        } else {
            14
        }
    };
    let position = format!("@{}", event.position);
    // As wide as the store's largest position needs, and no wider.
    let position_width = format!("@{}", app.playback.head.max(event.position)).len();
    let fixed = 2 + where_width + 1 + position_width + 1 + 1 + time.chars().count() + 1 + 4;
    let type_width = width.saturating_sub(fixed).clamp(6, 28);
    let actor_width = width.saturating_sub(fixed + type_width + 1);
    let mut spans = vec![
        gutter,
        Span::raw(fit(&where_, where_width)),
        Span::styled(
            format!(" {} ", fit(&position, position_width)),
            app.settings.theme.dim,
        ),
        Span::styled(
            fit(&event.event_type, type_width),
            app.settings.theme.json_key,
        ),
        Span::raw(format!(" {time}")),
        Span::styled(format!(" {age:>4}"), app.settings.theme.dim),
    ];
    if actor_width > 2 {
        spans.push(Span::raw(format!(" {}", fit(&event.actor(), actor_width))));
    }
    spans
}

fn mark_at(app: &App, row: u64) -> Option<char> {
    if app.timeline.marks[0] == Some(row) {
        Some('A')
    } else if app.timeline.marks[1] == Some(row) {
        Some('B')
    } else {
        None
    }
}

fn short_time(app: &App, ms: Millis, wide: bool) -> String {
    let full = app.settings.format_time(ms);
    // `2025-03-01T08:13:02.465Z` → `2025-03-01 08:13:02` or `03-01 08:13:02`.
    let text = full.replacen('T', " ", 1);
    let start = if wide { 0 } else { 5 };
    text.get(start..19).unwrap_or(&text).to_string()
}

pub fn render_histogram(app: &App, frame: &mut Frame, area: Rect) {
    let block = pane_block(app, None, title(app, "Events over time", Vec::new()));
    frame.render_widget(block, area);
    let body = inner(area);
    let width = body.width as usize;
    if width == 0 || body.height == 0 || app.timeline.histogram.counts.is_empty() {
        return;
    }
    let columns = resample(&app.timeline.histogram.counts, width);
    let max = columns.iter().copied().max().unwrap_or(0).max(1);
    let rows = body.height as usize;
    let levels = rows * 8;
    let cursor_column = app
        .timeline
        .cursor_event()
        .map(|e| column_of(app, e.time_ms, width));
    let mark_columns: Vec<(usize, char)> = app
        .timeline
        .mark_times
        .iter()
        .zip(['A', 'B'])
        .filter_map(|(ms, name)| Some((column_of(app, (*ms)?, width), name)))
        .collect();
    const BARS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let mut lines = Vec::with_capacity(rows);
    for r in 0..rows {
        let floor = (rows - 1 - r) * 8;
        let mut spans = Vec::with_capacity(width);
        for (x, &count) in columns.iter().enumerate() {
            let mut height = (count * levels as u64).div_ceil(max) as usize;
            if count > 0 {
                height = height.max(1);
            }
            let fill = height.saturating_sub(floor).min(8);
            let mut symbol = BARS[fill].to_string();
            let mut style = app.settings.theme.histogram;
            if let Some((_, name)) = mark_columns.iter().find(|(c, _)| *c == x) {
                if r == 0 {
                    symbol = name.to_string();
                }
                style = app.settings.theme.mark;
            }
            if cursor_column == Some(x) {
                style = style.patch(app.settings.theme.cursor);
                if r == 0 && symbol == " " {
                    symbol = "▼".into();
                }
            }
            spans.push(Span::styled(symbol, style));
        }
        lines.push(Line::from(merge(spans)));
    }
    frame.render_widget(Paragraph::new(lines), body);
}

/// The histogram column of time `ms`.
fn column_of(app: &App, ms: Millis, width: usize) -> usize {
    let h = &app.timeline.histogram;
    let span = (h.bucket_ms * h.counts.len() as i64).max(1);
    let x = (ms - h.start_ms).clamp(0, span - 1) as i128 * width as i128 / span as i128;
    (x as usize).min(width - 1)
}

/// `counts` summed into `width` columns.
fn resample(counts: &[u64], width: usize) -> Vec<u64> {
    let mut columns = vec![0u64; width];
    for (i, &c) in counts.iter().enumerate() {
        columns[i * width / counts.len()] += c;
    }
    // Fewer buckets than columns leaves gaps: stretch each bucket instead.
    if counts.len() < width {
        for (x, column) in columns.iter_mut().enumerate() {
            *column = counts[x * counts.len() / width];
        }
    }
    columns
}

/// Joins neighbouring spans of the same style, to keep the buffer work small.
fn merge(spans: Vec<Span<'static>>) -> Vec<Span<'static>> {
    let mut out: Vec<Span<'static>> = Vec::new();
    for span in spans {
        match out.last_mut() {
            Some(last) if last.style == span.style => last.content.to_mut().push_str(&span.content),
            _ => out.push(span),
        }
    }
    out
}
