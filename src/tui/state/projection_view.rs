//! The Projection pane's state: which projection is shown, the state at
//! the cursor once the worker has computed it (laid out as lines, each
//! with the JSON Pointer of its value), and what is on its way.

use std::collections::BTreeSet;

use ratatui::text::{Line, Span};
use serde_json::Value;

use super::settings::Settings;
use crate::core::diff::{diff, PatchOp};
use crate::core::projection::{Progress, StateAt};
use crate::core::sanitize::visible;
use crate::tui::action::Command;
use crate::tui::json_view::{container_pointers, lay_out_folded};
use crate::tui::text::{clip_chars, MAX_VALUE_CHARS};

/// Containers "collapse all" folds at most.
const FOLD_ALL_LIMIT: usize = 100_000;

#[derive(Debug, Default)]
pub struct ProjectionView {
    /// Every projection to cycle through, and whether it is the generic one.
    pub names: Vec<(String, bool)>,
    /// Index into `names`.
    pub active: usize,
    /// Numbers requests to the worker; `pending` is the one awaited.
    pub seq: u64,
    pub pending: Option<u64>,
    pub progress: Option<Progress>,
    pub shown: Option<Box<StateAt>>,
    pub error: Option<String>,
    pub lines: Vec<Line<'static>>,
    /// The JSON Pointer of the value on each line; the top line of the
    /// pane is the field `B` blames.
    pub paths: Vec<String>,
    pub scroll: usize,
    /// Columns scrolled to the right, for lines wider than the pane.
    pub hscroll: u16,
    /// Showing what the cursor's event changed rather than the whole state.
    pub changes: bool,
    /// The lines that show what the cursor's event changed.
    pub changed: Vec<usize>,
    /// The last text found in the pane, for `n`/`N`.
    pub find: Option<String>,
    /// The objects and arrays shown folded, by JSON Pointer; they stay
    /// folded as the cursor moves.
    pub folded: BTreeSet<String>,
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
        self.lines.clear();
        self.paths.clear();
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
                self.lines.clear();
            }
        }
        self.scroll = self.scroll.min(self.lines.len().saturating_sub(1));
    }

    /// Switches between the whole state and what the event changed.
    pub fn toggle_changes(&mut self, settings: &Settings) {
        self.changes = !self.changes;
        self.scroll = 0;
        self.lay_out(settings);
    }

    /// Lays the state shown out as lines: the whole state with the fields
    /// the event changed highlighted, or only those changes.
    fn lay_out(&mut self, settings: &Settings) {
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
        let (lines, paths, changed) = if self.changes {
            let (lines, paths) = change_lines(&state.state, previous, settings);
            // Every line but the note is a change.
            let changed = (1..lines.len()).collect();
            (lines, paths, changed)
        } else {
            let laid_out =
                lay_out_folded(&state.state, previous, &settings.theme, Some(&self.folded));
            (laid_out.lines, laid_out.paths, laid_out.changed)
        };
        self.lines = lines;
        self.paths = paths;
        self.changed = changed;
        self.scroll = self.scroll.min(self.lines.len().saturating_sub(1));
    }

    /// Folds or unfolds the object or array on the top line; false when
    /// the top line is a plain value.
    pub fn toggle_fold(&mut self, settings: &Settings) -> bool {
        let Some(pointer) = self.paths.get(self.scroll).cloned() else {
            return false;
        };
        let is_container = self
            .shown
            .as_ref()
            .and_then(|s| s.state.pointer(&pointer))
            .is_some_and(|v| {
                matches!(v, Value::Object(m) if !m.is_empty())
                    || matches!(v, Value::Array(a) if !a.is_empty())
            });
        if !is_container || self.changes {
            return false;
        }
        if !self.folded.remove(&pointer) {
            self.folded.insert(pointer.clone());
        }
        self.lay_out_at(settings, &pointer);
        true
    }

    /// Unfolds everything (`expand`), or folds every object and array
    /// under the top level.
    pub fn fold_all(&mut self, expand: bool, settings: &Settings) {
        let top = self.paths.get(self.scroll).cloned().unwrap_or_default();
        self.folded = match (&self.shown, expand) {
            (Some(shown), false) => container_pointers(&shown.state, FOLD_ALL_LIMIT),
            _ => BTreeSet::new(),
        };
        // The top line's value may now be inside a fold: stand on the
        // fold, its nearest shown ancestor.
        self.lay_out_at(settings, &top);
    }

    /// Lays out again with the top line on `pointer`'s line, or on the
    /// line of its nearest shown ancestor.
    fn lay_out_at(&mut self, settings: &Settings, pointer: &str) {
        self.lay_out(settings);
        let mut wanted = pointer.to_string();
        loop {
            if let Some(line) = self.paths.iter().position(|p| *p == wanted) {
                self.scroll = line;
                return;
            }
            match wanted.rfind('/') {
                Some(cut) => wanted.truncate(cut),
                None => return,
            }
        }
    }

    /// Scrolls to the next (or previous) line the event changed; false
    /// when there is none that way.
    pub fn step_change(&mut self, forward: bool) -> bool {
        let next = if forward {
            self.changed.iter().find(|&&line| line > self.scroll)
        } else {
            self.changed.iter().rev().find(|&&line| line < self.scroll)
        };
        match next {
            Some(&line) => {
                self.scroll = line;
                true
            }
            None => false,
        }
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
fn change_lines(
    state: &Value,
    previous: Option<&Value>,
    settings: &Settings,
) -> (Vec<Line<'static>>, Vec<String>) {
    let theme = &settings.theme;
    let whole = settings.keymap.hint(Command::Changes);
    let Some(previous) = previous else {
        let note = format!("no event applied yet ({whole} shows the whole state)");
        return (vec![Line::styled(note, theme.dim)], vec![String::new()]);
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
    (lines, paths)
}
