//! The Projection pane's state: which projection is shown, the state at
//! the cursor once the worker has computed it (laid out as lines, each
//! with the JSON Pointer of its value), and what is on its way.

use ratatui::text::Line;

use super::settings::Settings;
use crate::core::projection::{Progress, StateAt};
use crate::tui::json_view::json_lines_with_paths;

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
                // At a scope's first event everything in the state is the
                // event's doing: compare with nothing at all.
                let nothing = serde_json::Value::Null;
                let previous = match (&state.previous, state.row) {
                    (Some(previous), _) => Some(previous),
                    (None, Some(0)) => Some(&nothing),
                    (None, _) => None,
                };
                let (lines, paths) = json_lines_with_paths(&state.state, previous, &settings.theme);
                self.lines = lines;
                self.paths = paths;
                self.error = None;
                self.shown = Some(state);
            }
            Err(error) => {
                self.error = Some(error);
                self.shown = None;
                self.lines.clear();
            }
        }
        self.scroll = self.scroll.min(self.lines.len().saturating_sub(1));
    }

    /// Progress of request `seq`, while it is the one awaited.
    pub fn progress(&mut self, seq: u64, progress: Progress) {
        if self.pending == Some(seq) {
            self.progress = Some(progress);
        }
    }
}
