//! The reports the overlay shows, as data: what changed in the
//! projection's state between mark A and mark B (or the cursor), path by
//! path, with the events between; who last changed a field, with its
//! history; the events of a correlation; where a state search landed.
//! Lines are laid out once, on the job's thread (or after a fold, in
//! `update`); drawing only fits them.

pub mod chart;
pub mod layout;

use std::collections::BTreeSet;

use crate::core::diff::PatchOp;
use crate::core::event::Event;
use crate::core::projection::travel::{Blame, Change};
use crate::core::time::rfc3339_ms;
use crate::tui::text::{clip_chars, MAX_VALUE_CHARS};
use chart::{blame_chart, BlameChart};
use layout::{default_folds, tree_lines, Side};

/// One laid-out line of the diff view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportLine {
    Note(String),
    Added(String),
    Changed(String),
    Removed(String),
    Event(String),
    Error(String),
    /// A path with changes under it, in the diff's tree.
    Node(String),
    /// A line of each state, side by side.
    Pair {
        left: String,
        right: String,
        side: Side,
    },
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
    /// For a diff's tree: the path each line folds or unfolds on Enter.
    pub folds: Vec<Option<String>>,
    /// The diff's folded paths (a big diff opens with its top level folded).
    pub folded: BTreeSet<String>,
    /// A diff keeps what it compared, to lay it out again (folds, side by
    /// side).
    pub diff: Option<Box<DiffView>>,
    /// A blame of a number: its values over the history, drawn above it.
    pub chart: Option<Box<BlameChart>>,
    /// A point (`@1234`) Enter goes to, found by the locator (an error's
    /// failing event).
    pub point: Option<String>,
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
    /// The two states compared, for the side-by-side view.
    pub states: (serde_json::Value, serde_json::Value),
}

impl Report {
    /// A report of `lines` that opens nothing and folds nothing.
    pub fn new(title: String, lines: Vec<ReportLine>) -> Report {
        Report {
            title,
            lines,
            jump_to: None,
            targets: Vec::new(),
            folds: Vec::new(),
            folded: BTreeSet::new(),
            diff: None,
            chart: None,
            point: None,
        }
    }
}

/// A projection's failure whole: the message, the failing event's
/// position (Enter goes there) and the JavaScript stack.
pub fn error_report(error: &crate::core::projection::ProjectionError) -> Report {
    let mut lines = vec![ReportLine::Error(error.message.clone())];
    match error.position {
        Some(position) => lines.push(ReportLine::Changed(format!(
            "while applying the event at @{position} · Enter goes to it (the state shown is the one before it)"
        ))),
        None => lines.push(ReportLine::Note("while loading the projection".into())),
    }
    if let Some(stack) = &error.stack {
        lines.push(ReportLine::Note(String::new()));
        lines.push(ReportLine::Note("stack:".into()));
        lines.extend(stack.lines().map(|l| ReportLine::Event(l.to_string())));
    }
    Report {
        point: error.position.map(|p| format!("@{p}")),
        ..Report::new(format!("Projection {} failed", error.projection), lines)
    }
}

pub fn diff_report(view: DiffView) -> Report {
    let folded = default_folds(&view.patch);
    let (lines, targets, folds) = lay_out(&view, &folded);
    Report {
        title: format!(
            "Diff {} → {} · {}",
            point(view.from.as_ref()),
            point(view.to.as_ref()),
            view.projection
        ),
        lines,
        jump_to: None,
        targets,
        folds,
        folded,
        diff: Some(Box::new(view)),
        chart: None,
        point: None,
    }
}

/// Two events' payloads compared: the data of `a` against the data of `b`.
pub fn payload_report(a: &Event, b: &Event) -> Report {
    let (from, to) = (a.data_json(), b.data_json());
    let view = DiffView {
        projection: "event data".into(),
        from: Some(a.clone()),
        to: Some(b.clone()),
        patch: crate::core::diff::diff(&from, &to),
        events: Vec::new(),
        event_count: 0,
        states: (from, to),
    };
    let mut report = diff_report(view);
    report.title = format!(
        "Payload {} {}@{} → {} {}@{}",
        a.event_type, a.stream, a.version, b.event_type, b.stream, b.version
    );
    report
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
        jump_to: row,
        ..Report::new(format!("State search {text}"), vec![line])
    }
}

/// Every event of a correlation, oldest first, each opening its stream.
pub fn correlation_report(correlation: &str, events: &[Event]) -> Report {
    let mut lines = vec![ReportLine::Note(format!(
        "{} event(s) in {} stream(s) · select one, Enter opens it",
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
        targets,
        ..Report::new(format!("Correlation {correlation}"), lines)
    }
}

/// A blame as lines: the value, the event that set it (Enter jumps there),
/// and every change before it; for a number, a chart of its values up to
/// the cursor's event at `row`.
pub fn blame_report(blame: &Blame, first_version: i64, row: u64) -> Report {
    let shown = |v: &Option<serde_json::Value>| v.as_ref().map_or("(absent)".to_string(), value);
    let mut lines = blame_head(&blame.pointer, &blame.value, blame.last());
    if let Some(error) = &blame.error {
        lines.push(ReportLine::Error(error.to_string()));
    }
    lines.push(ReportLine::Note(String::new()));
    let changes = match blame.history.len() {
        1 => "1 change".to_string(),
        n => format!("{n} changes"),
    };
    lines.push(ReportLine::Note(if blame.whole {
        format!("history ({changes}, newest first; Enter opens the one selected):")
    } else {
        format!("history (the newest {changes}, newest first; reading the older ones…):")
    }));
    // The history's rows open their event; the lines above them jump to
    // the last change.
    let mut targets = vec![None; lines.len()];
    for change in blame.history.iter().rev().take(MAX_HISTORY) {
        let e = &change.event;
        lines.push(ReportLine::Event(format!(
            "{:<14} {}  {:<22} {}",
            point(Some(e)),
            rfc3339_ms(e.time_ms),
            e.event_type,
            shown(&change.value)
        )));
        targets.push(Some((e.stream.clone(), e.version)));
    }
    Report {
        targets,
        // A chart of part of the history would misplace its first value.
        chart: blame
            .whole
            .then(|| blame_chart(&blame.history, first_version + row as i64))
            .flatten()
            .map(Box::new),
        ..blame_lines(&blame.pointer, lines, blame.last(), first_version)
    }
}

fn blame_head(
    pointer: &str,
    current: &Option<serde_json::Value>,
    last: Option<&Change>,
) -> Vec<ReportLine> {
    let shown = current.as_ref().map_or("(absent)".to_string(), value);
    let mut lines = vec![ReportLine::Note(format!("{pointer} = {shown}"))];
    match last {
        Some(change) => lines.push(ReportLine::Changed(format!(
            "last changed by {} at {} ({}) · Enter jumps there",
            change.event.event_type,
            point(Some(&change.event)),
            rfc3339_ms(change.event.time_ms)
        ))),
        None => lines.push(ReportLine::Note("never changed by an event".into())),
    }
    lines
}

fn blame_lines(
    pointer: &str,
    lines: Vec<ReportLine>,
    last: Option<&Change>,
    first_version: i64,
) -> Report {
    Report {
        jump_to: last.map(|c| (c.event.version - first_version).max(0) as u64),
        ..Report::new(format!("Blame {pointer}"), lines)
    }
}

/// History lines laid out at most.
const MAX_HISTORY: usize = 2_000;

pub(crate) fn point(event: Option<&Event>) -> String {
    match event {
        Some(e) => format!("v{} @{}", e.version, e.position),
        None => "the start".to_string(),
    }
}

fn value(v: &serde_json::Value) -> String {
    clip_chars(&v.to_string(), MAX_VALUE_CHARS)
}

/// The tree of changes, then the events between; with each line's event
/// to open and path to fold.
type Layout = (
    Vec<ReportLine>,
    Vec<Option<(String, i64)>>,
    Vec<Option<String>>,
);

pub(crate) fn lay_out(view: &DiffView, folded: &BTreeSet<String>) -> Layout {
    let count = |f: fn(&PatchOp) -> bool| view.patch.iter().filter(|op| f(op)).count();
    // Two payloads compared have no events between them.
    let by = match view.event_count {
        0 if view.from.is_some() && view.to.is_some() && view.events.is_empty() => {
            "between the two events' data".to_string()
        }
        1 => "by 1 event".to_string(),
        n => format!("by {n} events"),
    };
    let mut lines = vec![ReportLine::Note(format!(
        "{} added · {} changed · {} removed, {by} · enter folds · v side by side",
        count(|op| matches!(op, PatchOp::Add { .. })),
        count(|op| matches!(op, PatchOp::Replace { .. })),
        count(|op| matches!(op, PatchOp::Remove { .. })),
    ))];
    let mut folds = vec![None];
    if view.patch.is_empty() {
        lines.push(ReportLine::Note(
            "the state is the same at both points".into(),
        ));
        folds.push(None);
    }
    let (tree, tree_folds) = tree_lines(&view.patch, folded);
    lines.extend(tree);
    folds.extend(tree_folds);
    let mut targets = vec![None; lines.len()];
    // Two payloads have no events between them.
    if view.event_count > 0 {
        lines.push(ReportLine::Note(String::new()));
        lines.push(ReportLine::Note("events between:".into()));
        targets.extend([None, None]);
        // Events of several streams (a category, $all) say whose they are.
        let streams = view
            .events
            .first()
            .is_some_and(|first| view.events.iter().any(|e| e.stream != first.stream));
        for e in &view.events {
            let whose = if streams {
                format!("{}  ", e.stream)
            } else {
                String::new()
            };
            lines.push(ReportLine::Event(format!(
                "{whose}v{:<6} @{:<8} {}",
                e.version, e.position, e.event_type
            )));
            targets.push(Some((e.stream.clone(), e.version)));
        }
        let listed = view.events.len() as u64;
        if listed < view.event_count {
            lines.push(ReportLine::Note(format!(
                "… and {} more",
                view.event_count - listed
            )));
            targets.push(None);
        }
    }
    folds.resize(lines.len(), None);
    (lines, targets, folds)
}
