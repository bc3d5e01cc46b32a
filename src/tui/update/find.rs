//! `/` in the Event or Projection pane: finds text (in keys and values, as
//! shown) or a JSON Pointer (`/holder/email`, the line of that value) in
//! the pane and moves the tree cursor there, unfolding what hides it;
//! `n`/`N` then find the next and previous line in that pane.

use ratatui::text::Line;

use crate::core::sanitize::visible;
use crate::tui::app::{App, Pane};

/// Finds `text` from the line after the pane's cursor; remembered for
/// `n`/`N`.
pub(super) fn find(app: &mut App, text: &str) {
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    match app.focus {
        Pane::Event => app.event.tree.find = Some(text.to_string()),
        Pane::Projection => app.projection.tree.find = Some(text.to_string()),
        Pane::Streams | Pane::Timeline => return,
    }
    step(app, true);
}

/// True when `n`/`N` belong to a find in the focused pane.
pub(super) fn finding(app: &App) -> bool {
    match app.focus {
        Pane::Event => app.event.tree.find.is_some(),
        Pane::Projection => app.projection.tree.find.is_some(),
        Pane::Streams | Pane::Timeline => false,
    }
}

/// Moves the focused pane's cursor to the next (or previous) line that
/// matches its find, wrapping around; says so when none does. A pointer
/// hidden in a fold is unfolded first.
pub(super) fn step(app: &mut App, forward: bool) {
    let tree = match app.focus {
        Pane::Event => &app.event.tree,
        Pane::Projection => &app.projection.tree,
        Pane::Streams | Pane::Timeline => return,
    };
    let Some(find) = tree.find.clone() else {
        return;
    };
    if find.starts_with('/') && !tree.paths.contains(&find) {
        unfold_to(app, &find);
    }
    let tree = match app.focus {
        Pane::Event => &mut app.event.tree,
        _ => &mut app.projection.tree,
    };
    match next_match(&tree.lines, &tree.paths, tree.cursor, &find, forward) {
        Some(line) => tree.cursor = line,
        None => {
            app.status.message = Some(format!("'{}' is not in this pane", visible(&find)));
        }
    }
}

/// Unfolds the folds that hide `pointer` in the focused pane.
fn unfold_to(app: &mut App, pointer: &str) {
    let tree = match app.focus {
        Pane::Event => &mut app.event.tree,
        _ => &mut app.projection.tree,
    };
    let hiding: Vec<String> = tree
        .folded
        .iter()
        .filter(|fold| pointer.starts_with(&format!("{fold}/")))
        .cloned()
        .collect();
    if hiding.is_empty() {
        return;
    }
    for fold in &hiding {
        tree.folded.remove(fold);
    }
    match app.focus {
        Pane::Event => {
            let event = app.timeline.cursor_event();
            app.event.show(event, &app.settings);
        }
        _ => app.projection.lay_out(&app.settings),
    }
}

/// The index of the nearest line after (before) `from`, going round the
/// end, that shows `find`: a pointer names the lines of its value (an
/// object's opening and closing lines), other text is looked for in the
/// line as shown.
fn next_match(
    lines: &[Line<'static>],
    paths: &[String],
    from: usize,
    find: &str,
    forward: bool,
) -> Option<usize> {
    let n = lines.len();
    if n == 0 {
        return None;
    }
    let wanted = find.to_lowercase();
    let matches = |i: usize| {
        let pointer = paths.get(i).map_or("", String::as_str);
        if find.starts_with('/') && !pointer.is_empty() {
            return pointer == find;
        }
        let shown: String = lines[i].spans.iter().map(|s| s.content.as_ref()).collect();
        shown.to_lowercase().contains(&wanted)
    };
    (1..=n)
        .map(|k| {
            if forward {
                (from + k) % n
            } else {
                (from + n - k % n) % n
            }
        })
        .find(|&i| matches(i))
}
