//! Changing the timeline filter: which rows the Timeline pane shows (some event
//! types, picked from a list with counts; events whose metadata matches).
//! The cursor stays a row of the whole scope, so the projection, marks,
//! diff and blame mean the same with or without a filter; only the rows
//! drawn and the rows the cursor steps through change. Finding the rows
//! and counting types are jobs on their own threads, answering on the
//! explorer's reply channel.

use anyhow::Result;

use crate::core::filter::{metadata_matcher, EventFilter};
use crate::core::sanitize::visible;
use crate::tui::action::{Command, Reply};
use crate::tui::app::App;
use crate::tui::jobs::spawn;
use crate::tui::movement::Move;
use crate::tui::overlay::{Mode, Overlay, TypePicker};
use crate::tui::state::timeline_filter::Scan;

/// Opens the type picker, with the filter's types already chosen.
pub(crate) fn open_picker(app: &mut App) {
    let Some(answer) = app.answer() else {
        return;
    };
    let location = app.settings.location.clone();
    let scope = app.timeline.scope.clone();
    let job = answer.id;
    spawn(answer, move |answer| {
        let result = location
            .open()
            .and_then(|source| source.type_counts(&scope))
            .map_err(|e| e.to_string());
        answer.send(Reply::TypeCounts {
            id: answer.id,
            result,
        });
    });
    let chosen = app
        .timeline
        .filter
        .as_ref()
        .map(|f| f.filter.types.clone())
        .unwrap_or_default();
    app.overlays.open(Overlay::Picker(TypePicker {
        job: Some(job),
        types: Vec::new(),
        chosen,
        selected: 0,
        error: None,
    }));
}

/// Keys while the picker is open: move, toggle, clear, Enter applies
/// (see `apply_picker`), cancel closes, anything else is ignored.
pub(crate) fn picker_command(app: &mut App, command: Command) -> Result<()> {
    if command == Command::Confirm {
        return apply_picker(app);
    }
    let Some(picker) = app.overlays.picker_mut() else {
        return Ok(());
    };
    if let Some(movement) = Move::of(command) {
        picker.selected = movement.apply(picker.selected, picker.types.len(), 10);
        return Ok(());
    }
    match command {
        Command::Toggle => picker.toggle(),
        Command::Clear => picker.chosen.clear(),
        Command::Cancel => {
            app.overlays.close(Mode::Picker);
        }
        _ => {}
    }
    Ok(())
}

/// Enter in the picker: filter to the chosen types (all types when none
/// is chosen), keeping any metadata filter.
pub(crate) fn apply_picker(app: &mut App) -> Result<()> {
    let Some(Overlay::Picker(picker)) = app.overlays.close(Mode::Picker) else {
        return Ok(());
    };
    let mut filter = current_filter(app);
    filter.types = picker.chosen;
    set_filter(app, filter)
}

/// Takes the metadata filter typed at the prompt; empty clears it.
pub(crate) fn apply_metadata(app: &mut App, text: &str) -> Result<()> {
    let mut filter = current_filter(app);
    filter.metadata = if text.is_empty() {
        None
    } else {
        match metadata_matcher(text) {
            Ok(matcher) => Some((text.to_string(), matcher)),
            Err(error) => {
                app.status.message = Some(format!("cannot filter on '{}': {error}", visible(text)));
                return Ok(());
            }
        }
    };
    set_filter(app, filter)
}

fn current_filter(app: &App) -> EventFilter {
    app.timeline
        .filter
        .as_ref()
        .map(|f| f.filter.clone())
        .unwrap_or_default()
}

/// Shows only the rows `filter` matches (every row when it is empty), and
/// starts finding them.
pub(crate) fn set_filter(app: &mut App, filter: EventFilter) -> Result<()> {
    app.timeline.filter = None;
    app.restart_filter(filter);
    app.timeline.offset = 0;
    let cursor = app.timeline.cursor;
    app.move_cursor_to(cursor)
}

/// Takes in the answer of scan `id`, when it is the filter's.
pub(crate) fn receive_rows(app: &mut App, id: u64, result: Scan) -> Result<()> {
    let Some(filter) = app.timeline.filter.as_mut().filter(|f| f.job == Some(id)) else {
        return Ok(());
    };
    filter.job = None;
    match result {
        Ok(Some((rows, reached))) => {
            let first_answer = !filter.known;
            filter.rows.extend(rows);
            filter.known = true;
            filter.scanned = reached;
            filter.events.clear();
            if std::mem::take(&mut filter.stale) {
                if let Some(mut filter) = app.timeline.filter.take() {
                    filter.job = app.scan_filter_rows(&filter, reached);
                    app.timeline.filter = Some(filter);
                }
            }
            let cursor = app.timeline.cursor;
            if !first_answer {
                // Only new rows: the cursor stays where the user left it.
                return app.move_cursor_to(cursor);
            }
            let Some(filter) = app.timeline.shown_filter() else {
                return Ok(());
            };
            // Start on the shown row nearest the cursor.
            let i = filter
                .index_of(cursor)
                .min(filter.rows.len().saturating_sub(1));
            let row = filter.rows.get(i).copied().unwrap_or(cursor);
            app.timeline.offset = 0;
            app.move_cursor_to(row)
        }
        // Cancelled: the filter it belonged to is gone.
        Ok(None) => Ok(()),
        Err(error) => {
            app.timeline.filter = None;
            app.status.message = Some(format!("error: filter: {error}"));
            // The offset counted filtered rows; it counts all rows again.
            app.timeline.offset = app.timeline.cursor;
            let cursor = app.timeline.cursor;
            app.move_cursor_to(cursor)
        }
    }
}

/// Moves the cursor `delta` shown rows from where it is.
pub(crate) fn step_filtered(app: &mut App, delta: i64) -> Result<()> {
    let Some(filter) = app.timeline.shown_filter() else {
        return Ok(());
    };
    if filter.rows.is_empty() || delta == 0 {
        return Ok(());
    }
    let here = filter.index_of(app.timeline.cursor);
    let on_shown = filter.shown_at(app.timeline.cursor).is_some();
    // From a hidden row (after a jump), a step forward goes to the shown
    // row after it and a step back to the one before; past either end
    // there is none, and the cursor stays.
    let target = if delta > 0 {
        let base = if on_shown {
            here as i64
        } else {
            here as i64 - 1
        };
        if !on_shown && here == filter.rows.len() {
            return Ok(());
        }
        base.saturating_add(delta)
    } else {
        if !on_shown && here == 0 {
            return Ok(());
        }
        (here as i64).saturating_add(delta)
    };
    let last = filter.rows.len() as i64 - 1;
    let row = filter.rows[target.clamp(0, last) as usize];
    app.move_cursor_to(row)
}
