//! Draws the report overlay (a diff, a blame, a list of events) over the
//! screen: the laid-out lines of `src/tui/report/`, cut to fit, the
//! selected one highlighted; a blame of a number has its chart on top.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::tui::app::App;
use crate::tui::overlay::report::overlay_height;
use crate::tui::overlay::Mode;
use crate::tui::overlay::ReportView;
use crate::tui::panes::{centered, overlay};
use crate::tui::report::layout::Side;
use crate::tui::report::ReportLine;
use crate::tui::text::fit;

pub fn render(app: &App, diff: &ReportView, frame: &mut Frame, screen: Rect) {
    let area = centered(
        screen,
        screen.width.saturating_sub(4).max(10),
        overlay_height(screen.height),
    );
    let inner = area.width.saturating_sub(2) as usize;
    let chart_rows = diff.chart_rows(screen.height);
    let rows = diff.list_rows(screen.height);
    // The selection is kept in view by `update`; clamp again in case the
    // screen shrank since.
    let top = diff
        .scroll
        .min(diff.cursor)
        .max((diff.cursor + 1).saturating_sub(rows));
    // The chart's rows are left blank here and drawn over below.
    let mut lines: Vec<Line> = vec![Line::default(); chart_rows as usize];
    lines.extend(
        diff.report
            .lines
            .iter()
            .enumerate()
            .skip(top)
            .take(rows)
            .map(|(i, line)| {
                let line = report_line(app, line, inner);
                if i == diff.cursor {
                    line.patch_style(app.settings.theme.selected)
                } else {
                    line
                }
            }),
    );
    let close = app
        .settings
        .keymap
        .hint_in(Mode::Report, crate::tui::action::Command::Cancel);
    let title = format!(" {} ({close} closes) ", diff.report.title);
    overlay(app, frame, area, &title, lines);
    if let Some(chart) = diff.report.chart.as_ref().filter(|_| chart_rows > 0) {
        let chart_area = Rect {
            x: area.x + 1,
            y: area.y + 1,
            width: area.width.saturating_sub(2),
            height: chart_rows,
        };
        super::blame_chart::render(app, chart, frame, chart_area);
    }
}

fn report_line(app: &App, line: &ReportLine, inner: usize) -> Line<'static> {
    let theme = &app.settings.theme;
    match line {
        ReportLine::Note(t) => Line::styled(fit(t, inner), theme.dim),
        ReportLine::Error(t) => Line::styled(fit(t, inner), theme.error),
        ReportLine::Event(t) => Line::raw(fit(&format!("  {t}"), inner)),
        ReportLine::Added(t) => sign("+ ", theme.json_string, t, inner),
        ReportLine::Removed(t) => sign("- ", theme.error, t, inner),
        ReportLine::Changed(t) => sign("~ ", theme.json_key, t, inner),
        ReportLine::Node(t) => Line::styled(fit(&format!("  {t}"), inner), theme.title),
        ReportLine::Pair { left, right, side } => pair(app, left, right, *side, inner),
    }
}

fn sign(
    mark: &'static str,
    style: ratatui::style::Style,
    text: &str,
    width: usize,
) -> Line<'static> {
    Line::from(vec![
        Span::styled(mark, style),
        Span::raw(fit(text, width.saturating_sub(2))),
    ])
}

/// One line of the side-by-side view: each half in its own colour when it
/// differs.
fn pair(app: &App, left: &str, right: &str, side: Side, width: usize) -> Line<'static> {
    let column = width.saturating_sub(3) / 2;
    let (left_style, right_style) = match side {
        Side::Same => (app.settings.theme.dim, app.settings.theme.dim),
        Side::Left => (app.settings.theme.error, app.settings.theme.dim),
        Side::Right => (app.settings.theme.dim, app.settings.theme.json_string),
        Side::Both => (app.settings.theme.error, app.settings.theme.json_string),
    };
    Line::from(vec![
        Span::styled(fit(left, column), left_style),
        Span::raw(" │ "),
        Span::styled(fit(right, column), right_style),
    ])
}
