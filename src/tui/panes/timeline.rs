//! The Timeline pane (the scope's events as rows, only the visible window
//! is read) and the histogram above it (events over time, the cursor and
//! marks A and B placed on it).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{pane_block, title};
use crate::core::event::Event;
use crate::core::sanitize::visible;
use crate::core::time::{relative_age, Millis};
use crate::tui::app::{App, Pane};
use crate::tui::layout::inner;
use crate::tui::text::fit;
use unicode_width::UnicodeWidthStr;

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
        // A guess until the exact count arrives.
        _ if app.timeline.count_estimated => {
            format!("{}/~{} ", app.timeline.cursor + 1, app.timeline.count)
        }
        _ => format!("{}/{} ", app.timeline.cursor + 1, app.timeline.count),
    };
    let mut extra = vec![
        Span::styled(
            crate::core::sanitize::visible(&app.timeline.scope.label()).into_owned(),
            app.settings.theme.title,
        ),
        Span::styled(format!(" {position}"), app.settings.theme.dim),
    ];
    if let Some(note) = &app.timeline.note {
        extra.push(Span::styled(
            format!("· {} ", crate::core::sanitize::visible(note)),
            app.settings.theme.mark,
        ));
    }
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
    let shown: Vec<(u64, &Event)> = (0..body.height as u64)
        .map_while(|i| shown_event(app, app.timeline.offset + i))
        .collect();
    let columns = Columns::fit(app, &shown, body.width as usize);
    for &(row, event) in &shown {
        let mut line = Line::from(row_spans(app, &columns, row, event));
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

/// The timeline's column widths at one width. Each column gets what its
/// widest visible value needs; when that does not fit, the actor goes
/// first, then the age, then the date, and only then are the stream names
/// and types cut.
struct Columns {
    /// `stream:version` in a wide scope, the version in a stream.
    place: usize,
    position: usize,
    kind: usize,
    /// Whether the time shows its year.
    long_time: bool,
    time: bool,
    age: bool,
    /// 0: no actor column.
    actor: usize,
}

/// The widest a type or a `stream:version` gets before it is cut.
const MAX_TYPE: usize = 32;
const MAX_PLACE: usize = 36;

impl Columns {
    fn fit(app: &App, shown: &[(u64, &Event)], width: usize) -> Columns {
        let widest = |f: &dyn Fn(&Event) -> usize| shown.iter().map(|(_, e)| f(e)).max();
        let in_stream = app.timeline.scope.is_stream();
        let natural_place = if in_stream {
            5
        } else {
            widest(&|e| visible(&place(e, false)).width())
                .unwrap_or(8)
                .clamp(8, MAX_PLACE)
        };
        let natural_kind = widest(&|e| visible(&e.event_type).width())
            .unwrap_or(6)
            .clamp(6, MAX_TYPE);
        // As wide as the store's largest position needs, and no wider.
        let position = format!("@{}", app.playback.head.max(0))
            .len()
            .max(widest(&|e| format!("@{}", e.position).len()).unwrap_or(2));
        // The gutter, and a space after the place and the position.
        let fixed = 2 + 1 + position + 1;
        let mut columns = Columns {
            place: natural_place,
            position,
            kind: natural_kind,
            long_time: true,
            time: true,
            age: true,
            actor: 0,
        };
        let used = |c: &Columns| {
            fixed
                + c.place
                + c.kind
                + if c.time {
                    1 + if c.long_time { 19 } else { 14 }
                } else {
                    0
                }
                + if c.age { 5 } else { 0 }
        };
        if used(&columns) > width {
            columns.age = false;
        }
        if used(&columns) > width {
            columns.long_time = false;
        }
        if used(&columns) > width {
            columns.time = false;
        }
        // Still too wide: the place and the type share what is left, the
        // type keeping six cells at least.
        let over = used(&columns).saturating_sub(width);
        if over > 0 {
            let from_place = over.min(columns.place.saturating_sub(8));
            columns.place -= from_place;
            columns.kind = columns.kind.saturating_sub(over - from_place).max(6);
        }
        let left = width.saturating_sub(used(&columns) + 1);
        let has_actor = shown.iter().any(|(_, e)| !e.actor().is_empty());
        if has_actor && left >= 6 {
            columns.actor = left;
        }
        columns
    }
}

/// Where an event stands: its version in a stream, `stream:version` in a
/// wider scope.
fn place(event: &Event, in_stream: bool) -> String {
    if in_stream {
        format!("{:>5}", event.version)
    } else {
        format!("{}:{}", event.stream, event.version)
    }
}

fn row_spans(app: &App, columns: &Columns, row: u64, event: &Event) -> Vec<Span<'static>> {
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
    let place = place(event, app.timeline.scope.is_stream());
    let position = format!("@{}", event.position);
    let mut spans = vec![
        gutter,
        Span::raw(fit(&place, columns.place)),
        Span::styled(
            format!(" {} ", fit(&position, columns.position)),
            app.settings.theme.dim,
        ),
        Span::styled(
            fit(&event.event_type, columns.kind),
            app.settings.theme.json_key,
        ),
    ];
    if columns.time {
        let time = short_time(app, event.time_ms, columns.long_time);
        spans.push(Span::raw(format!(" {time}")));
    }
    if columns.age {
        let age = relative_age(event.time_ms, app.settings.now_ms);
        spans.push(Span::styled(format!(" {age:>4}"), app.settings.theme.dim));
    }
    if columns.actor > 0 {
        spans.push(Span::raw(format!(
            " {}",
            fit(&event.actor(), columns.actor)
        )));
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
