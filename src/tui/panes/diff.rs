//! The diff overlay: what changed in the projection's state between mark A
//! and mark B (or the cursor), path by path, and the events between. The
//! lines are laid out once, when the result arrives; drawing only fits them.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

use crate::core::diff::PatchOp;
use crate::core::event::Event;
use crate::tui::app::App;
use crate::tui::diff_job::DiffView;
use crate::tui::text::{clip_chars, fit, MAX_VALUE_CHARS};

/// One laid-out line of the diff view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffLine {
    Note(String),
    Added(String),
    Changed(String),
    Removed(String),
    Event(String),
    Error(String),
}

/// The diff view while it is open.
pub struct DiffPane {
    pub job: Option<crate::tui::diff_job::DiffJob>,
    pub title: String,
    pub lines: Vec<DiffLine>,
    pub scroll: usize,
}

impl DiffPane {
    pub fn computing(job: crate::tui::diff_job::DiffJob) -> DiffPane {
        DiffPane {
            job: Some(job),
            title: "Diff".into(),
            lines: vec![DiffLine::Note(
                "computing the states at both points…".into(),
            )],
            scroll: 0,
        }
    }

    /// Lays out a finished diff (or its error).
    pub fn show(&mut self, result: Result<DiffView, String>) {
        self.job = None;
        match result {
            Ok(view) => {
                self.title = format!(
                    "Diff {} → {} · {}",
                    point(view.from.as_ref()),
                    point(view.to.as_ref()),
                    view.projection
                );
                self.lines = lay_out(&view);
            }
            Err(error) => self.lines = vec![DiffLine::Error(error)],
        }
    }
}

fn point(event: Option<&Event>) -> String {
    match event {
        Some(e) => format!("v{} @{}", e.version, e.position),
        None => "the start".to_string(),
    }
}

fn value(v: &serde_json::Value) -> String {
    clip_chars(&v.to_string(), MAX_VALUE_CHARS)
}

fn lay_out(view: &DiffView) -> Vec<DiffLine> {
    let count = |f: fn(&PatchOp) -> bool| view.patch.iter().filter(|op| f(op)).count();
    let mut lines = vec![DiffLine::Note(format!(
        "{} added · {} changed · {} removed, by {} event(s)",
        count(|op| matches!(op, PatchOp::Add { .. })),
        count(|op| matches!(op, PatchOp::Replace { .. })),
        count(|op| matches!(op, PatchOp::Remove { .. })),
        view.event_count
    ))];
    if view.patch.is_empty() {
        lines.push(DiffLine::Note(
            "the state is the same at both points".into(),
        ));
    }
    for op in &view.patch {
        lines.push(match op {
            PatchOp::Add { path, value: new } => DiffLine::Added(format!("{path}  {}", value(new))),
            PatchOp::Remove { path, old } => {
                DiffLine::Removed(format!("{path}  (was {})", value(old)))
            }
            PatchOp::Replace {
                path,
                value: new,
                old,
            } => DiffLine::Changed(format!("{path}  {} → {}", value(old), value(new))),
        });
    }
    lines.push(DiffLine::Note(String::new()));
    lines.push(DiffLine::Note("events between:".into()));
    for e in &view.events {
        lines.push(DiffLine::Event(format!(
            "v{:<6} @{:<8} {}",
            e.version, e.position, e.event_type
        )));
    }
    let listed = view.events.len() as u64;
    if listed < view.event_count {
        lines.push(DiffLine::Note(format!(
            "… and {} more",
            view.event_count - listed
        )));
    }
    lines
}

pub fn render(app: &App, diff: &DiffPane, frame: &mut Frame, screen: Rect) {
    let width = screen.width.saturating_sub(4).max(10).min(screen.width);
    let height = screen.height.saturating_sub(2).max(3).min(screen.height);
    let area = Rect {
        x: screen.x + (screen.width - width) / 2,
        y: screen.y + (screen.height - height) / 2,
        width,
        height,
    };
    let inner = width.saturating_sub(2) as usize;
    let lines: Vec<Line> = diff
        .lines
        .iter()
        .skip(diff.scroll)
        .take(height as usize)
        .map(|line| match line {
            DiffLine::Note(t) => Line::styled(fit(t, inner), app.theme.dim),
            DiffLine::Error(t) => Line::styled(fit(t, inner), app.theme.error),
            DiffLine::Event(t) => Line::raw(fit(&format!("  {t}"), inner)),
            DiffLine::Added(t) => sign("+ ", app.theme.json_string, t, inner),
            DiffLine::Removed(t) => sign("- ", app.theme.error, t, inner),
            DiffLine::Changed(t) => sign("~ ", app.theme.json_key, t, inner),
        })
        .collect();
    let title = fit(
        &format!(" {} (esc closes) ", diff.title),
        inner.saturating_sub(2),
    );
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(app.theme.focused_border)
                .title(title.trim_end().to_string()),
        ),
        area,
    );
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
