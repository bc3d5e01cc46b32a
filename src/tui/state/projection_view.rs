//! The Projection pane's state: which projection is shown, the state at
//! the cursor once the worker has computed it (laid out as lines, each
//! with the JSON Pointer of its value), and what is on its way.

use std::collections::BTreeSet;

use ratatui::text::{Line, Span};
use serde_json::Value;

use super::json_tree::JsonTree;
use super::settings::Settings;
use crate::core::diff::{diff, PatchOp};
use crate::core::projection::{Progress, Selector, StateAt};
use crate::core::sanitize::visible;
use crate::core::store::Scope;
use crate::tui::action::Command;
use crate::tui::json_view::{container_pointers, lay_out_folded, JsonLines};
use crate::tui::text::{clip_chars, MAX_VALUE_CHARS};

/// Containers "collapse all" folds at most.
const FOLD_ALL_LIMIT: usize = 100_000;
/// Handler logs and would-be emits the pane lists at most.
pub const MAX_LOGS: usize = 50;
pub const MAX_EMITS: usize = 20;

fn is_container(value: &Value) -> bool {
    matches!(value, Value::Object(m) if !m.is_empty())
        || matches!(value, Value::Array(a) if !a.is_empty())
}

#[derive(Debug, Default)]
pub struct ProjectionView {
    /// Every projection to cycle through, and whether it is the generic one.
    pub names: Vec<(String, bool)>,
    /// What each projection reads, in the order of `names`.
    pub selectors: Vec<Selector>,
    /// Index into `names`.
    pub active: usize,
    /// Set when the projection shown does not read the stream open: why
    /// its state says nothing about it.
    pub not_covered: Option<String>,
    /// The stream open, if one is.
    pub stream: Option<String>,
    /// Numbers requests to the worker; `pending` is the one awaited.
    pub seq: u64,
    pub pending: Option<u64>,
    pub progress: Option<Progress>,
    pub shown: Option<Box<StateAt>>,
    pub error: Option<String>,
    /// The state laid out, with the tree cursor, folds and find.
    pub tree: JsonTree,
    /// Showing what the cursor's event changed rather than the whole state.
    pub changes: bool,
}

impl ProjectionView {
    /// The name of the projection shown.
    pub fn name(&self) -> String {
        self.names
            .get(self.active)
            .map(|(name, _)| name.clone())
            .unwrap_or_default()
    }

    /// Moves on to the next projection; its state is still to come.
    pub fn next(&mut self) {
        self.active = (self.active + 1) % self.names.len().max(1);
        self.shown = None;
        self.tree.clear();
        self.note_coverage();
    }

    /// Opening `scope`: on a stream, shows the projection whose selector
    /// names it most closely (its stream, then its category, then all of
    /// them), the generic one when no other reads it.
    pub fn pick_for(&mut self, scope: &Scope) {
        self.stream = match scope {
            Scope::Stream(stream) => Some(stream.clone()),
            _ => None,
        };
        if let Some(stream) = &self.stream {
            let best = self
                .names
                .iter()
                .zip(&self.selectors)
                .enumerate()
                .filter(|(_, ((_, generic), _))| !generic)
                .filter_map(|(i, (_, selector))| Some((selector.covers(stream)?, i)))
                // The closest; of equals, the first given.
                .max_by_key(|&(closeness, i)| (closeness, std::cmp::Reverse(i)));
            let generic = self.names.iter().position(|(_, generic)| *generic);
            if let Some(index) = best.map(|(_, i)| i).or(generic) {
                self.active = index;
            }
        }
        self.note_coverage();
    }

    fn note_coverage(&mut self) {
        let (Some(stream), Some(selector)) = (&self.stream, self.selectors.get(self.active)) else {
            self.not_covered = None;
            return;
        };
        self.not_covered = selector.covers(stream).is_none().then(|| {
            format!(
                "{} reads {}, which {stream} is not in: no event of it reaches the projection",
                self.name(),
                selector.describe()
            )
        });
    }

    /// A new request `seq` is on its way.
    pub fn expect(&mut self) -> u64 {
        self.seq += 1;
        self.pending = Some(self.seq);
        self.progress = None;
        self.seq
    }

    /// Takes in the worker's answer to request `seq` (older ones are
    /// dropped): the state laid out, the changes since the event before
    /// highlighted.
    pub fn receive(&mut self, seq: u64, result: Result<Box<StateAt>, String>, settings: &Settings) {
        if self.pending != Some(seq) {
            return;
        }
        self.pending = None;
        self.progress = None;
        match result {
            Ok(state) => {
                self.error = None;
                self.shown = Some(state);
                self.lay_out(settings);
            }
            Err(error) => {
                self.error = Some(error);
                self.shown = None;
                self.tree.clear();
            }
        }
    }

    /// Switches between the whole state and what the event changed.
    pub fn toggle_changes(&mut self, settings: &Settings) {
        self.changes = !self.changes;
        // The changes view opens on its first change; back in the whole
        // state the cursor finds the path it was on.
        let pointer = self.tree.pointer().map(str::to_string);
        self.tree.cursor = 0;
        self.lay_out(settings);
        match (&pointer, self.changes) {
            (_, true) => self.tree.move_to(1),
            (Some(pointer), false) => {
                self.tree.place_on(pointer);
            }
            (None, false) => {}
        }
    }

    /// Lays the state shown out as lines: the whole state with the fields
    /// the event changed highlighted, or only those changes.
    pub fn lay_out(&mut self, settings: &Settings) {
        let Some(state) = &self.shown else {
            return;
        };
        // At a scope's first event everything in the state is the event's
        // doing: compare with nothing at all.
        let nothing = serde_json::Value::Null;
        let previous = match (&state.previous, state.row) {
            (Some(previous), _) => Some(previous),
            (None, Some(0)) => Some(&nothing),
            (None, _) => None,
        };
        let laid_out = if self.changes {
            change_lines(&state.state, previous, settings)
        } else {
            lay_out_folded(
                &state.state,
                previous,
                &settings.theme,
                Some(&self.tree.folded),
            )
        };
        self.tree.replace(laid_out);
    }

    /// Folds or unfolds the object or array under the cursor; false when
    /// the cursor is on a plain value (or on the changes view).
    pub fn toggle_fold(&mut self, settings: &Settings) -> bool {
        let Some(pointer) = self.tree.pointer().map(str::to_string) else {
            return false;
        };
        let is_container = self
            .shown
            .as_ref()
            .and_then(|s| s.state.pointer(&pointer))
            .is_some_and(is_container);
        if !is_container || self.changes {
            return false;
        }
        self.tree.flip_fold(&pointer);
        self.lay_out(settings);
        self.tree.place_on(&pointer);
        true
    }

    /// Unfolds everything (`expand`), or folds every object and array
    /// under the top level; the cursor stays on its value, or on the fold
    /// that now holds it.
    pub fn fold_all(&mut self, expand: bool, settings: &Settings) {
        self.tree.folded = match (&self.shown, expand) {
            (Some(shown), false) => container_pointers(&shown.state, FOLD_ALL_LIMIT),
            _ => BTreeSet::new(),
        };
        self.lay_out(settings);
    }

    /// The position of the event the projection failed on, if it did.
    pub fn failed_at(&self) -> Option<i64> {
        self.shown.as_ref()?.error.as_ref()?.position
    }

    /// The value under the cursor in the state shown.
    pub fn value_at_cursor(&self) -> Option<(&str, &Value)> {
        let pointer = self.tree.pointer()?;
        Some((pointer, self.shown.as_ref()?.state.pointer(pointer)?))
    }

    /// Rows the pane's head (computing, errors) and tail (logs, emits)
    /// take from a body `height` rows high; the state gets the rest.
    pub fn reserved_rows(&self, height: u16) -> (u16, u16) {
        let head = u16::from(self.pending.is_some())
            + u16::from(self.error.is_some())
            + u16::from(self.not_covered.is_some());
        let tail = self.shown.as_ref().map_or(0, |shown| {
            usize::from(shown.error.is_some())
                + shown.output.logs.len().min(MAX_LOGS)
                + shown.output.emitted.len().min(MAX_EMITS)
        });
        (head, (tail as u16).min(height / 2))
    }

    /// Progress of request `seq`, while it is the one awaited.
    pub fn progress(&mut self, seq: u64, progress: Progress) {
        if self.pending == Some(seq) {
            self.progress = Some(progress);
        }
    }
}

/// What the event changed in `state` since `previous`, a line per changed
/// path (with the path each line shows, for blame and Enter).
fn change_lines(state: &Value, previous: Option<&Value>, settings: &Settings) -> JsonLines {
    let theme = &settings.theme;
    let whole = settings.keymap.hint(Command::Changes);
    let Some(previous) = previous else {
        let note = format!("no event applied yet ({whole} shows the whole state)");
        return JsonLines {
            lines: vec![Line::styled(note, theme.dim)],
            paths: vec![String::new()],
            changed: Vec::new(),
        };
    };
    // Before the first event an object state starts out empty.
    let empty = Value::Object(Default::default());
    let before = match (previous, state) {
        (Value::Null, Value::Object(_)) => &empty,
        _ => previous,
    };
    let patch = diff(before, state);
    let note = match patch.len() {
        0 => format!("this event changed nothing ({whole} shows the whole state)"),
        n => format!("{n} changed by this event ({whole} shows the whole state)"),
    };
    let mut lines = vec![Line::styled(note, theme.dim)];
    let mut paths = vec![String::new()];
    for op in &patch {
        let shown = |v: &Value| visible(&clip_chars(&v.to_string(), MAX_VALUE_CHARS)).into_owned();
        let path = visible(op.path()).into_owned();
        let (mark, style, text) = match op {
            PatchOp::Add { value, .. } => {
                ("+ ", theme.json_string, format!("{path}  {}", shown(value)))
            }
            PatchOp::Remove { old, .. } => {
                ("- ", theme.error, format!("{path}  (was {})", shown(old)))
            }
            PatchOp::Replace { value, old, .. } => (
                "~ ",
                theme.json_key,
                format!("{path}  {} → {}", shown(old), shown(value)),
            ),
        };
        lines.push(Line::from(vec![Span::styled(mark, style), Span::raw(text)]));
        paths.push(op.path().to_string());
    }
    // Every line but the note is a change.
    let changed = (1..lines.len()).collect();
    JsonLines {
        lines,
        paths,
        changed,
    }
}
