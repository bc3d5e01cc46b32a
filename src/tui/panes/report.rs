//! The report overlay of the diff and blame views: what changed in the
//! projection's state between mark A and mark B (or the cursor), path by
//! path, with the events between; or who last changed a field, with its
//! history. Lines are laid out once, on the job's thread; drawing only
//! fits them.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

use crate::core::diff::PatchOp;
use crate::core::event::Event;
use crate::core::projection::travel::Blame;
use crate::core::time::rfc3339_ms;
use crate::tui::app::App;
use crate::tui::jobs::ReportJob;
use crate::tui::text::{clip_chars, fit, MAX_VALUE_CHARS};

/// One laid-out line of the diff view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportLine {
    Note(String),
    Added(String),
    Changed(String),
    Removed(String),
    Event(String),
    Error(String),
}

/// A finished report: what the overlay shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub title: String,
    pub lines: Vec<ReportLine>,
    /// The row Enter jumps to (blame: the event that last changed the field).
    pub jump_to: Option<u64>,
    /// For lists of events: the stream and version of each line (the top
    /// visible line is the one Enter opens).
    pub targets: Vec<Option<(String, i64)>>,
}

/// What a diff compares.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffView {
    pub projection: String,
    pub from: Option<Event>,
    pub to: Option<Event>,
    pub patch: Vec<PatchOp>,
    /// The events after `from` up to `to`, which produced the change.
    pub events: Vec<Event>,
    /// How many events that is in all (the list may stop earlier).
    pub event_count: u64,
}

/// The diff or blame view while it is open.
pub struct ReportPane {
    pub job: Option<ReportJob>,
    pub report: Report,
    pub scroll: usize,
}

impl ReportPane {
    pub fn computing(job: ReportJob, title: &str, what: &str) -> ReportPane {
        ReportPane {
            job: Some(job),
            report: Report {
                title: title.to_string(),
                lines: vec![ReportLine::Note(what.to_string())],
                jump_to: None,
                targets: Vec::new(),
            },
            scroll: 0,
        }
    }

    /// A report computed on the spot (cheap ones, like two payloads).
    pub fn ready(report: Report) -> ReportPane {
        ReportPane {
            job: None,
            report,
            scroll: 0,
        }
    }

    /// Shows a finished report, or its error.
    pub fn show(&mut self, result: Result<Report, String>) {
        self.job = None;
        match result {
            Ok(report) => self.report = report,
            Err(error) => self.report.lines = vec![ReportLine::Error(error)],
        }
    }
}

pub fn diff_report(view: &DiffView) -> Report {
    Report {
        title: format!(
            "Diff {} → {} · {}",
            point(view.from.as_ref()),
            point(view.to.as_ref()),
            view.projection
        ),
        lines: lay_out(view),
        jump_to: None,
        targets: event_targets(view),
    }
}

/// The events-between lines open their event; the other lines open nothing.
fn event_targets(view: &DiffView) -> Vec<Option<(String, i64)>> {
    let before_events = lay_out(view).len()
        - view.events.len()
        - usize::from((view.events.len() as u64) < view.event_count);
    let mut targets = vec![None; before_events];
    targets.extend(
        view.events
            .iter()
            .map(|e| Some((e.stream.clone(), e.version))),
    );
    targets
}

/// Two events' payloads compared: the data of `a` against the data of `b`.
pub fn payload_report(a: &Event, b: &Event) -> Report {
    let view = DiffView {
        projection: "event data".into(),
        from: Some(a.clone()),
        to: Some(b.clone()),
        patch: crate::core::diff::diff(&a.data_json(), &b.data_json()),
        events: Vec::new(),
        event_count: 0,
    };
    let mut lines = lay_out(&view);
    // No events "between" two payloads: keep the changes only.
    lines.truncate(lines.len().saturating_sub(2));
    Report {
        title: format!(
            "Payload {} {}@{} → {} {}@{}",
            a.event_type, a.stream, a.version, b.event_type, b.stream, b.version
        ),
        lines,
        jump_to: None,
        targets: Vec::new(),
    }
}

/// Where the projected state first matched a search.
pub fn state_search_report(text: &str, found: Option<&Event>, row: Option<u64>) -> Report {
    let line = match found {
        Some(e) => ReportLine::Changed(format!(
            "the state first matches after {} at {} ({}) · Enter jumps there",
            e.event_type,
            point(Some(e)),
            rfc3339_ms(e.time_ms)
        )),
        None => ReportLine::Note("no state of this scope matches".into()),
    };
    Report {
        title: format!("State search {text}"),
        lines: vec![line],
        jump_to: row,
        targets: Vec::new(),
    }
}

/// Every event of a correlation, oldest first, each opening its stream.
pub fn correlation_report(correlation: &str, events: &[Event]) -> Report {
    let mut lines = vec![ReportLine::Note(format!(
        "{} event(s) in {} stream(s) · scroll to one, Enter opens it",
        events.len(),
        events
            .iter()
            .map(|e| e.stream.as_str())
            .collect::<std::collections::HashSet<_>>()
            .len()
    ))];
    let mut targets = vec![None];
    for e in events {
        let causation = e.metadata_json()["causationId"]
            .as_str()
            .map(|c| format!(" ← caused by {}", clip_chars(c, 8)))
            .unwrap_or_default();
        lines.push(ReportLine::Event(format!(
            "{}@{}  {}  {}{causation}",
            e.stream,
            e.version,
            rfc3339_ms(e.time_ms),
            e.event_type
        )));
        targets.push(Some((e.stream.clone(), e.version)));
    }
    Report {
        title: format!("Correlation {correlation}"),
        lines,
        jump_to: None,
        targets,
    }
}

/// A blame as lines: the value, the event that set it (Enter jumps there),
/// and every change before it.
pub fn blame_report(blame: &Blame, first_version: i64) -> Report {
    let shown = |v: &Option<serde_json::Value>| v.as_ref().map_or("(absent)".to_string(), value);
    let mut lines = vec![ReportLine::Note(format!(
        "{} = {}",
        blame.pointer,
        shown(&blame.value)
    ))];
    match blame.last() {
        Some(change) => lines.push(ReportLine::Changed(format!(
            "last changed by {} at {} ({}) · Enter jumps there",
            change.event.event_type,
            point(Some(&change.event)),
            rfc3339_ms(change.event.time_ms)
        ))),
        None => lines.push(ReportLine::Note("never changed by an event".into())),
    }
    if let Some(error) = &blame.error {
        lines.push(ReportLine::Error(error.to_string()));
    }
    lines.push(ReportLine::Note(String::new()));
    lines.push(ReportLine::Note(format!(
        "history ({} changes, newest first):",
        blame.history.len()
    )));
    for change in blame.history.iter().rev().take(MAX_HISTORY) {
        let e = &change.event;
        lines.push(ReportLine::Event(format!(
            "{:<14} {}  {:<22} {}",
            point(Some(e)),
            rfc3339_ms(e.time_ms),
            e.event_type,
            shown(&change.value)
        )));
    }
    Report {
        title: format!("Blame {}", blame.pointer),
        lines,
        jump_to: blame
            .last()
            .map(|c| (c.event.version - first_version).max(0) as u64),
        targets: Vec::new(),
    }
}

/// History lines laid out at most.
const MAX_HISTORY: usize = 2_000;

fn point(event: Option<&Event>) -> String {
    match event {
        Some(e) => format!("v{} @{}", e.version, e.position),
        None => "the start".to_string(),
    }
}

fn value(v: &serde_json::Value) -> String {
    clip_chars(&v.to_string(), MAX_VALUE_CHARS)
}

fn lay_out(view: &DiffView) -> Vec<ReportLine> {
    let count = |f: fn(&PatchOp) -> bool| view.patch.iter().filter(|op| f(op)).count();
    let mut lines = vec![ReportLine::Note(format!(
        "{} added · {} changed · {} removed, by {} event(s)",
        count(|op| matches!(op, PatchOp::Add { .. })),
        count(|op| matches!(op, PatchOp::Replace { .. })),
        count(|op| matches!(op, PatchOp::Remove { .. })),
        view.event_count
    ))];
    if view.patch.is_empty() {
        lines.push(ReportLine::Note(
            "the state is the same at both points".into(),
        ));
    }
    for op in &view.patch {
        lines.push(match op {
            PatchOp::Add { path, value: new } => {
                ReportLine::Added(format!("{path}  {}", value(new)))
            }
            PatchOp::Remove { path, old } => {
                ReportLine::Removed(format!("{path}  (was {})", value(old)))
            }
            PatchOp::Replace {
                path,
                value: new,
                old,
            } => ReportLine::Changed(format!("{path}  {} → {}", value(old), value(new))),
        });
    }
    lines.push(ReportLine::Note(String::new()));
    lines.push(ReportLine::Note("events between:".into()));
    for e in &view.events {
        lines.push(ReportLine::Event(format!(
            "v{:<6} @{:<8} {}",
            e.version, e.position, e.event_type
        )));
    }
    let listed = view.events.len() as u64;
    if listed < view.event_count {
        lines.push(ReportLine::Note(format!(
            "… and {} more",
            view.event_count - listed
        )));
    }
    lines
}

pub fn render(app: &App, diff: &ReportPane, frame: &mut Frame, screen: Rect) {
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
        .report
        .lines
        .iter()
        .skip(diff.scroll)
        .take(height as usize)
        .enumerate()
        .map(|(i, line)| {
            let line = match line {
                ReportLine::Note(t) => Line::styled(fit(t, inner), app.theme.dim),
                ReportLine::Error(t) => Line::styled(fit(t, inner), app.theme.error),
                ReportLine::Event(t) => Line::raw(fit(&format!("  {t}"), inner)),
                ReportLine::Added(t) => sign("+ ", app.theme.json_string, t, inner),
                ReportLine::Removed(t) => sign("- ", app.theme.error, t, inner),
                ReportLine::Changed(t) => sign("~ ", app.theme.json_key, t, inner),
            };
            // In a list of events, the top line is the one Enter opens.
            let selectable = diff
                .report
                .targets
                .get(diff.scroll + i)
                .is_some_and(Option::is_some);
            if i == 0 && selectable {
                line.patch_style(app.theme.selected)
            } else {
                line
            }
        })
        .collect();
    let title = fit(
        &format!(" {} (esc closes) ", diff.report.title),
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
