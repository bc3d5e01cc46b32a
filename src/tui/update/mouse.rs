//! Clicks, drags and the wheel: focus and select where clicked, scrub on
//! the histogram, scroll the pane under the pointer.

use anyhow::Result;

use super::explorer::{prompt, step};
use super::locate::scrub;
use crate::tui::action::Mouse;
use crate::tui::app::{App, Pane};
use crate::tui::layout::{contains, inner};
use crate::tui::overlay::{Mode, PromptKind};

pub(super) fn on_mouse(app: &mut App, mouse: Mouse) -> Result<()> {
    // The picker is modal: its counts belong to the open scope.
    if app.overlays.is_open(Mode::Picker) {
        return Ok(());
    }
    let panes = app.areas();
    match mouse {
        Mouse::Down { column, row } => {
            app.timeline.dragging_histogram = false;
            if contains(panes.histogram, column, row) {
                app.timeline.dragging_histogram = true;
                app.focus = Pane::Timeline;
                scrub(app, column);
            } else if contains(panes.streams, column, row) {
                app.focus = Pane::Streams;
                let first = inner(panes.streams).y + 1;
                if row + 1 == first {
                    // The filter line: start typing a filter.
                    let query = app.streams.query.clone();
                    prompt(app, PromptKind::StreamQuery, query);
                } else if row >= first {
                    let index = app.streams.offset + (row - first) as usize;
                    if index < app.streams.matches.len() {
                        app.select_entry(index)?;
                    }
                }
            } else if contains(panes.timeline, column, row) {
                app.focus = Pane::Timeline;
                app.playback.pause_follow();
                let first = inner(panes.timeline).y;
                if row >= first {
                    let shown = app.timeline.offset + (row - first) as u64;
                    if let Some(target) = app.timeline.row_of_shown(shown) {
                        app.move_cursor_to(target)?;
                    }
                }
            } else if contains(panes.event, column, row) {
                app.focus = Pane::Event;
                click_tree(app, Pane::Event, inner(panes.event).y, row);
            } else if contains(panes.projection, column, row) {
                app.focus = Pane::Projection;
                let body = inner(panes.projection);
                let (head, _) = app.projection.reserved_rows(body.height);
                click_tree(app, Pane::Projection, body.y + head, row);
            }
        }
        Mouse::Drag { column, .. } => {
            if app.timeline.dragging_histogram {
                scrub(app, column);
            }
        }
        Mouse::ScrollUp { column, row } | Mouse::ScrollDown { column, row } => {
            let delta = if matches!(mouse, Mouse::ScrollUp { .. }) {
                -3
            } else {
                3
            };
            let focus = app.focus;
            for (pane, area) in [
                (Pane::Streams, panes.streams),
                (Pane::Timeline, panes.timeline),
                (Pane::Timeline, panes.histogram),
                (Pane::Event, panes.event),
                (Pane::Projection, panes.projection),
            ] {
                if contains(area, column, row) {
                    if pane == Pane::Timeline {
                        app.playback.pause_follow();
                    }
                    app.focus = pane;
                    step(app, delta)?;
                    app.focus = focus;
                    break;
                }
            }
        }
    }
    Ok(())
}

/// A click on a line of the Event or Projection pane's tree (whose first
/// row is `first`) puts the cursor there. With wrap on, a line may take
/// several rows: the click only focuses.
fn click_tree(app: &mut App, pane: Pane, first: u16, row: u16) {
    if row < first || app.settings.wrap {
        return;
    }
    let tree = match pane {
        Pane::Event => &mut app.event.tree,
        _ => &mut app.projection.tree,
    };
    let line = tree.scroll + usize::from(row - first);
    if line < tree.lines.len() {
        tree.move_to(line);
    }
}
