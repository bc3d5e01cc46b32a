//! A JSON document laid out as lines, with a line cursor: what the Event
//! and Projection panes show. The cursor's line carries the JSON Pointer
//! that fold, blame, copy and Enter act on; the scroll follows the cursor;
//! folds are kept by pointer, so they survive a new event or state.

use std::collections::BTreeSet;

use ratatui::text::Line;

use crate::tui::json_view::JsonLines;
use crate::tui::movement::offset;

#[derive(Debug, Default)]
pub struct JsonTree {
    pub lines: Vec<Line<'static>>,
    /// The JSON Pointer of the value each line shows (empty on lines that
    /// show none, such as the Event pane's header).
    pub paths: Vec<String>,
    /// The lines that show a value the cursor's event changed.
    pub changed: Vec<usize>,
    /// The objects and arrays shown folded, by JSON Pointer.
    pub folded: BTreeSet<String>,
    /// The line the cursor is on.
    pub cursor: usize,
    /// The pane's top line.
    pub scroll: usize,
    /// Columns scrolled to the right, for lines wider than the pane.
    pub hscroll: u16,
    /// The last text found in the pane, for `n`/`N`.
    pub find: Option<String>,
}

impl JsonTree {
    /// Nothing shown; the folds and the find stay.
    pub fn clear(&mut self) {
        self.lines.clear();
        self.paths.clear();
        self.changed.clear();
        self.cursor = 0;
        self.scroll = 0;
    }

    /// Shows `laid_out` and keeps the cursor on the value it was on, or on
    /// that value's nearest shown ancestor, or on the same line number.
    pub fn replace(&mut self, laid_out: JsonLines) {
        let pointer = self.pointer().map(str::to_string);
        let line = self.cursor;
        self.lines = laid_out.lines;
        self.paths = laid_out.paths;
        self.changed = laid_out.changed;
        self.cursor = line.min(self.lines.len().saturating_sub(1));
        if let Some(pointer) = pointer.filter(|p| !p.is_empty()) {
            self.place_on(&pointer);
        }
        self.scroll = self.scroll.min(self.cursor);
    }

    /// The pointer of the value under the cursor, if its line shows one.
    pub fn pointer(&self) -> Option<&str> {
        self.paths.get(self.cursor).map(String::as_str)
    }

    /// Moves the cursor to the line of `pointer`, or of its nearest shown
    /// ancestor (the fold it is inside). False when neither is shown.
    pub fn place_on(&mut self, pointer: &str) -> bool {
        let mut wanted = pointer.to_string();
        loop {
            if let Some(line) = self.paths.iter().position(|p| *p == wanted) {
                self.cursor = line;
                return true;
            }
            match wanted.rfind('/') {
                Some(cut) => wanted.truncate(cut),
                None => return false,
            }
        }
    }

    /// Moves the cursor by `delta` lines, within the lines shown.
    pub fn move_by(&mut self, delta: i64) {
        self.cursor = offset(self.cursor, delta, self.lines.len());
    }

    /// Moves the cursor to `line` (kept within the lines shown).
    pub fn move_to(&mut self, line: usize) {
        self.cursor = line.min(self.lines.len().saturating_sub(1));
    }

    /// Folds `pointer` if it is unfolded, unfolds it if it is folded.
    pub fn flip_fold(&mut self, pointer: &str) {
        if !self.folded.remove(pointer) {
            self.folded.insert(pointer.to_string());
        }
    }

    /// Scrolls so that the cursor's line is in a pane of `rows` rows,
    /// `wrap_width` columns wide when long lines wrap.
    pub fn fit(&mut self, rows: usize, wrap_width: Option<usize>) {
        self.scroll = top_for_cursor(&self.lines, self.scroll, self.cursor, rows, wrap_width);
    }

    /// The next (or previous) line after the cursor that shows a change.
    pub fn step_change(&mut self, forward: bool) -> bool {
        let next = if forward {
            self.changed.iter().find(|&&line| line > self.cursor)
        } else {
            self.changed.iter().rev().find(|&&line| line < self.cursor)
        };
        match next {
            Some(&line) => {
                self.cursor = line;
                true
            }
            None => false,
        }
    }
}

/// The top line that keeps `cursor` in a pane of `rows` rows: `scroll`
/// itself when the cursor is already in view, else the nearest top that
/// shows it. With `wrap_width`, a line takes as many rows as it wraps to.
pub fn top_for_cursor(
    lines: &[Line<'_>],
    scroll: usize,
    cursor: usize,
    rows: usize,
    wrap_width: Option<usize>,
) -> usize {
    let cursor = cursor.min(lines.len().saturating_sub(1));
    let scroll = scroll.min(cursor);
    let rows = rows.max(1);
    let height = |i: usize| match (wrap_width, lines.get(i)) {
        (Some(width), Some(line)) if width > 0 => line.width().max(1).div_ceil(width),
        _ => 1,
    };
    let used: usize = (scroll..=cursor).map(height).sum();
    if used <= rows {
        return scroll;
    }
    // The cursor's line goes at the bottom, with as many lines above it
    // as fit.
    let mut top = cursor;
    let mut used = height(cursor);
    while top > 0 && used + height(top - 1) <= rows {
        top -= 1;
        used += height(top);
    }
    top
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(texts: &[&str]) -> Vec<Line<'static>> {
        texts.iter().map(|t| Line::raw(t.to_string())).collect()
    }

    #[test]
    fn the_scroll_follows_the_cursor_both_ways() {
        let shown = lines(&["a"; 20]);
        assert_eq!(top_for_cursor(&shown, 0, 3, 5, None), 0);
        assert_eq!(top_for_cursor(&shown, 0, 7, 5, None), 3);
        assert_eq!(top_for_cursor(&shown, 6, 2, 5, None), 2);
        assert_eq!(top_for_cursor(&shown, 50, 50, 5, None), 19);
    }

    #[test]
    fn wrapped_lines_take_their_rows() {
        let shown = lines(&["short", &"x".repeat(25), "short", "short"]);
        // At 10 columns the long line takes 3 rows: lines 0..=2 need 5.
        assert_eq!(top_for_cursor(&shown, 0, 2, 5, Some(10)), 0);
        assert_eq!(top_for_cursor(&shown, 0, 3, 5, Some(10)), 1);
        assert_eq!(top_for_cursor(&shown, 0, 3, 2, Some(10)), 2);
    }

    #[test]
    fn the_cursor_keeps_its_value_across_a_new_layout() {
        let mut tree = JsonTree::default();
        let laid = |paths: &[&str]| JsonLines {
            lines: lines(&vec!["x"; paths.len()]),
            paths: paths.iter().map(|p| p.to_string()).collect(),
            changed: Vec::new(),
        };
        tree.replace(laid(&["", "/a", "/b", "/b/c", "/b", ""]));
        tree.move_to(3);
        tree.replace(laid(&["", "/new", "/a", "/b", "/b/c", "/b", ""]));
        assert_eq!(tree.pointer(), Some("/b/c"));
        // Folded away: the cursor stands on the fold.
        tree.replace(laid(&["", "/a", "/b", ""]));
        assert_eq!(tree.pointer(), Some("/b"));
    }
}
