//! `/` in the Event or Projection pane: finds text (in keys and values, as
//! shown) or a JSON Pointer (`/holder/email`, the line of that value) in
//! the pane and scrolls its top line there; `n`/`N` then find the next and
//! previous line in that pane.

use ratatui::text::Line;

use crate::core::sanitize::visible;
use crate::tui::app::{App, Pane};

/// Finds `text` from the line after the pane's top line; remembered for
/// `n`/`N`.
pub(super) fn find(app: &mut App, text: &str) {
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    match app.focus {
        Pane::Event => app.event.find = Some(text.to_string()),
        Pane::Projection => app.projection.find = Some(text.to_string()),
        Pane::Streams | Pane::Timeline => return,
    }
    step(app, true);
}

/// True when `n`/`N` belong to a find in the focused pane.
pub(super) fn finding(app: &App) -> bool {
    match app.focus {
        Pane::Event => app.event.find.is_some(),
        Pane::Projection => app.projection.find.is_some(),
        Pane::Streams | Pane::Timeline => false,
    }
}

/// Moves the focused pane's top line to the next (or previous) line that
/// matches its find, wrapping around; says so when none does.
pub(super) fn step(app: &mut App, forward: bool) {
    let (lines, paths, scroll, find) = match app.focus {
        Pane::Event => (
            &app.event.lines,
            &app.event.paths,
            &mut app.event.scroll,
            &app.event.find,
        ),
        Pane::Projection => (
            &app.projection.lines,
            &app.projection.paths,
            &mut app.projection.scroll,
            &app.projection.find,
        ),
        Pane::Streams | Pane::Timeline => return,
    };
    let Some(find) = find else { return };
    let found = next_match(lines, paths, *scroll, find, forward);
    match found {
        Some(line) => *scroll = line,
        None => {
            app.status.message = Some(format!("'{}' is not in this pane", visible(find)));
        }
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
