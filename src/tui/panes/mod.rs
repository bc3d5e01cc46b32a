//! Drawing. `render` only reads the [`App`]: every query and every piece of
//! heavy formatting happened in `update`.

pub mod blame_chart;
pub mod event;
pub mod footer;
pub mod help;
pub mod projection;
pub mod report;
pub mod status;
pub mod streams;
pub mod timeline;
pub mod type_picker;
pub mod value;

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use super::app::{App, Pane};
use super::layout::zoomed_areas;
use super::overlay::Overlay;
use super::state::json_tree::{top_for_cursor, JsonTree};

pub fn render(app: &App, frame: &mut Frame) {
    let zoomed = app.settings.zoomed.then_some(app.focus);
    let panes = zoomed_areas(frame.area(), &app.settings.split, app.focus, zoomed);
    streams::render(app, frame, panes.streams);
    timeline::render_histogram(app, frame, panes.histogram);
    timeline::render(app, frame, panes.timeline);
    event::render(app, frame, panes.event);
    projection::render(app, frame, panes.projection);
    status::render(app, frame, panes.status);
    footer::render(app, frame, &panes);
    // Bottom first, so the top overlay is drawn over the others.
    for overlay in app.overlays.iter() {
        match overlay {
            Overlay::Report(report) => report::render(app, report, frame, frame.area()),
            Overlay::Picker(picker) => type_picker::render(app, picker, frame, frame.area()),
            Overlay::Help => help::render(app, frame, frame.area()),
            Overlay::Value(value) => value::render(app, value, frame, frame.area()),
            // Prompts are drawn in the status bar or the Streams pane.
            Overlay::Prompt(_) => {}
        }
    }
}

/// A bordered block whose border shows whether `pane` has the focus.
pub fn pane_block(app: &App, pane: Option<Pane>, title: Line<'static>) -> Block<'static> {
    let focused = pane.is_some_and(|p| p == app.focus);
    let style = if focused {
        app.settings.theme.focused_border
    } else {
        app.settings.theme.border
    };
    Block::default()
        .borders(Borders::ALL)
        .border_style(style)
        .title(title)
}

/// A title with the pane's name in the title style.
pub fn title(app: &App, text: &str, extra: Vec<Span<'static>>) -> Line<'static> {
    let mut spans = vec![Span::styled(format!(" {text} "), app.settings.theme.title)];
    spans.extend(extra);
    Line::from(spans)
}

/// A `width` by `height` box in the middle of `screen` (clamped to it).
pub fn centered(screen: Rect, width: u16, height: u16) -> Rect {
    let (width, height) = (width.min(screen.width), height.min(screen.height));
    Rect {
        x: screen.x + (screen.width - width) / 2,
        y: screen.y + (screen.height - height) / 2,
        width,
        height,
    }
}

/// Draws an overlay over whatever is under `area`: a focused border with
/// `title` (cut to fit) around `lines`.
pub fn overlay(app: &App, frame: &mut Frame, area: Rect, title: &str, lines: Vec<Line<'static>>) {
    let room = (area.width as usize).saturating_sub(4);
    let title = crate::tui::text::fit(title, room);
    frame.render_widget(ratatui::widgets::Clear, area);
    frame.render_widget(
        ratatui::widgets::Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(app.settings.theme.focused_border)
                .title(title.trim_end().to_string()),
        ),
        area,
    );
}

/// Lines for the Event or Projection pane: soft-wrapped to its width when
/// wrap is on (the lines were escaped when laid out), else scrolled
/// `hscroll` columns sideways.
pub fn long_lines(app: &App, lines: Vec<Line<'static>>, hscroll: u16) -> Paragraph<'static> {
    let paragraph = Paragraph::new(lines);
    if app.settings.wrap {
        paragraph.wrap(Wrap { trim: false })
    } else {
        paragraph.scroll((0, hscroll))
    }
}

/// The tree's lines from its top line (the scroll that keeps the cursor
/// in view), the cursor's line highlighted when `focused`, as many as
/// `rows` rows hold.
pub fn tree_slice(
    tree: &JsonTree,
    rows: usize,
    wrap: Option<usize>,
    focused: bool,
    selected: ratatui::style::Style,
) -> Vec<Line<'static>> {
    let top = top_for_cursor(&tree.lines, tree.scroll, tree.cursor, rows, wrap);
    tree.lines
        .iter()
        .enumerate()
        .skip(top)
        .take(rows)
        .map(|(i, line)| {
            if focused && i == tree.cursor {
                line.clone().patch_style(selected)
            } else {
                line.clone()
            }
        })
        .collect()
}

/// The slice of `lines` visible at `scroll` in `area`.
pub fn visible_slice<'a>(
    lines: &'a [Line<'static>],
    scroll: usize,
    area: Rect,
) -> &'a [Line<'static>] {
    let start = scroll.min(lines.len());
    let end = (start + area.height as usize).min(lines.len());
    &lines[start..end]
}
