//! Draws the report overlay (a diff, a blame, a list of events) over the
//! screen: the laid-out lines of `src/tui/report/`, cut to fit.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::tui::app::App;
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
        screen.height.saturating_sub(2).max(3),
    );
    let (height, inner) = (area.height, area.width.saturating_sub(2) as usize);
    let lines: Vec<Line> = diff
        .report
        .lines
        .iter()
        .skip(diff.scroll)
        .take(height as usize)
        .enumerate()
        .map(|(i, line)| {
            let line = match line {
                ReportLine::Note(t) => Line::styled(fit(t, inner), app.settings.theme.dim),
                ReportLine::Error(t) => Line::styled(fit(t, inner), app.settings.theme.error),
                ReportLine::Event(t) => Line::raw(fit(&format!("  {t}"), inner)),
                ReportLine::Added(t) => sign("+ ", app.settings.theme.json_string, t, inner),
                ReportLine::Removed(t) => sign("- ", app.settings.theme.error, t, inner),
                ReportLine::Changed(t) => sign("~ ", app.settings.theme.json_key, t, inner),
                ReportLine::Node(t) => {
                    Line::styled(fit(&format!("  {t}"), inner), app.settings.theme.title)
                }
                ReportLine::Pair { left, right, side } => pair(app, left, right, *side, inner),
            };
            // In a list of events or paths, the top line is the one
            // Enter opens or folds.
            let selectable = diff
                .report
                .targets
                .get(diff.scroll + i)
                .is_some_and(Option::is_some)
                || diff
                    .report
                    .folds
                    .get(diff.scroll + i)
                    .is_some_and(Option::is_some);
            if i == 0 && selectable {
                line.patch_style(app.settings.theme.selected)
            } else {
                line
            }
        })
        .collect();
    let close = app
        .settings
        .keymap
        .hint_in(Mode::Report, crate::tui::action::Command::Cancel);
    let title = format!(" {} ({close} closes) ", diff.report.title);
    overlay(app, frame, area, &title, lines);
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
