//! The report view's state: the report shown (or a note while its job
//! computes it), how far it is scrolled, and for a diff, which view.

use crate::tui::report::layout::side_by_side;
use crate::tui::report::{lay_out, point, Report, ReportLine};

/// The diff or blame view while it is open.
pub struct ReportView {
    /// The job whose answers it waits for.
    pub job: Option<u64>,
    pub report: Report,
    /// The line selected: what Enter folds or opens.
    pub cursor: usize,
    /// The top line shown.
    pub scroll: usize,
    /// Whether a diff shows the two states side by side.
    pub side_by_side: bool,
}

impl ReportView {
    pub fn computing(job: u64, title: &str, what: &str) -> ReportView {
        ReportView {
            job: Some(job),
            report: Report::new(title.to_string(), vec![ReportLine::Note(what.to_string())]),
            cursor: 0,
            scroll: 0,
            side_by_side: false,
        }
    }

    /// A report computed on the spot (cheap ones, like two payloads).
    pub fn ready(report: Report) -> ReportView {
        ReportView {
            job: None,
            report,
            cursor: 0,
            scroll: 0,
            side_by_side: false,
        }
    }

    /// Takes in an answer of job `id` (`last`: its final one): a finished
    /// report (a diff in its tree view), or its error.
    pub fn receive(&mut self, id: u64, result: Result<Report, String>, last: bool) {
        if self.job != Some(id) {
            return;
        }
        if last {
            self.job = None;
        }
        self.show(result);
    }

    fn show(&mut self, result: Result<Report, String>) {
        match result {
            Ok(report) => {
                self.side_by_side = false;
                self.report = report;
                self.clamp();
            }
            Err(error) => self.report.lines = vec![ReportLine::Error(error)],
        }
    }

    /// Lays a diff out again after a fold or a switch of view; `width` is
    /// the screen's, for the side-by-side columns.
    pub fn relayout(&mut self, width: Option<u16>) {
        let Some(view) = self.report.diff.take() else {
            return;
        };
        let column = width.map_or(60, |w| (overlay_inner(w) as usize).saturating_sub(3) / 2);
        let (lines, targets, folds) = if self.side_by_side {
            let lines = side_by_side(&view.states.0, &view.states.1, column);
            let n = lines.len() + 1;
            let mut all = vec![ReportLine::Note(format!(
                "{} (left) · {} (right) · v shows the changes",
                point(view.from.as_ref()),
                point(view.to.as_ref())
            ))];
            all.extend(lines);
            (all, vec![None; n], vec![None; n])
        } else {
            lay_out(&view, &self.report.folded)
        };
        self.report.lines = lines;
        self.report.targets = targets;
        self.report.folds = folds;
        self.report.diff = Some(view);
        self.clamp();
    }

    fn clamp(&mut self) {
        let last = self.report.lines.len().saturating_sub(1);
        self.cursor = self.cursor.min(last);
        self.scroll = self.scroll.min(self.cursor);
    }

    /// Rows the chart takes at the top of the overlay on a screen `height`
    /// rows high (none without a chart or room for one).
    pub fn chart_rows(&self, height: u16) -> u16 {
        let inside = overlay_height(height).saturating_sub(2);
        match &self.report.chart {
            Some(_) if inside >= 14 => (inside / 3).clamp(6, 12),
            _ => 0,
        }
    }

    /// Rows the report's lines have on a screen `height` rows high.
    pub fn list_rows(&self, height: u16) -> usize {
        let inside = overlay_height(height).saturating_sub(2);
        usize::from(inside.saturating_sub(self.chart_rows(height)).max(1))
    }

    /// Moves the selection to `line` and scrolls it into view on a screen
    /// `height` rows high.
    pub fn select(&mut self, line: usize, height: u16) {
        self.cursor = line.min(self.report.lines.len().saturating_sub(1));
        let rows = self.list_rows(height);
        if self.cursor < self.scroll {
            self.scroll = self.cursor;
        } else if self.cursor >= self.scroll + rows {
            self.scroll = self.cursor + 1 - rows;
        }
    }

    /// Enter on a path of the tree: folds or unfolds it. False when the
    /// selected line is not a path.
    pub fn toggle_fold(&mut self, width: u16) -> bool {
        let Some(Some(pointer)) = self.report.folds.get(self.cursor).cloned() else {
            return false;
        };
        let folded = &mut self.report.folded;
        if !folded.remove(&pointer) {
            folded.insert(pointer);
        }
        self.relayout(Some(width));
        true
    }
}

/// The overlay's height on a screen `height` rows high.
pub fn overlay_height(height: u16) -> u16 {
    height.saturating_sub(2).max(3)
}

/// The width inside the overlay's borders on a screen `width` wide.
fn overlay_inner(width: u16) -> u16 {
    width.saturating_sub(4).max(10).min(width).saturating_sub(2)
}
