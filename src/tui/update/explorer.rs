//! The explorer's own commands, when no overlay is open: moving in the
//! focused pane, opening prompts and overlays, marks, playback.

use anyhow::Result;

use crate::tui::action::Command;
use crate::tui::app::{App, Pane};
use crate::tui::movement::{offset, Move};
use crate::tui::overlay::{Overlay, Prompt, PromptKind, ReportView, ValueView};
use crate::tui::travel::{
    cancel_search, same_type, search_step, start_blame, start_correlation, start_diff,
};
use crate::tui::update::filter;

pub(super) fn run_command(app: &mut App, command: Command) -> Result<()> {
    if let Some(movement) = Move::of(command) {
        if app.focus == Pane::Timeline {
            follow_on_move(app, movement);
            // The first and last event are jumps: remembered for jump_back.
            if matches!(movement, Move::First | Move::Last) {
                let here = app.spot();
                app.timeline.jumps.leave(here);
            }
        }
        let page = match app.focus {
            Pane::Event | Pane::Projection => app.tree_rows(app.focus).0,
            Pane::Streams => app.streams_rows(),
            Pane::Timeline => app.timeline_rows(),
        };
        return step(app, movement.delta(page));
    }
    match command {
        Command::Quit => app.quit = true,
        Command::Help => app.overlays.open(Overlay::Help),
        Command::FocusNext | Command::FocusPrevious => {
            focus_step(app, command == Command::FocusNext)?
        }
        Command::ToggleStreams => toggle_streams(app),
        Command::Grow | Command::Shrink => {
            if app.settings.zoomed {
                app.status.message = Some(format!(
                    "the zoomed pane has the whole screen: {} shares it again",
                    app.settings.keymap.hint(Command::Zoom)
                ));
            } else {
                app.settings
                    .split
                    .resize(app.focus, command == Command::Grow);
                // The timeline's height may have changed.
                app.refresh_cursor()?;
            }
        }
        Command::SetRate => prompt(app, PromptKind::Rate, ""),
        // `/` filters the stream list, or searches the events elsewhere.
        Command::Filter if app.focus == Pane::Streams => {
            let query = app.streams.query.clone();
            prompt(app, PromptKind::StreamQuery, query);
        }
        // In the Event and Projection panes it finds in the pane.
        Command::Filter if matches!(app.focus, Pane::Event | Pane::Projection) => {
            prompt(app, PromptKind::Find, "")
        }
        Command::Filter => prompt(app, PromptKind::Search, ""),
        // Taken by `Move::of` above.
        Command::Up
        | Command::Down
        | Command::PageUp
        | Command::PageDown
        | Command::First
        | Command::Last => {}
        Command::SearchNext | Command::SearchPrevious if super::find::finding(app) => {
            super::find::step(app, command == Command::SearchNext)
        }
        Command::SearchNext => search_step(app, true)?,
        Command::Diff => start_diff(app),
        Command::Blame => start_blame(app),
        Command::Correlation => start_correlation(app),
        Command::StateSearch => prompt(app, PromptKind::StateSearch, ""),
        Command::SwitchView => {
            let keymap = &app.settings.keymap;
            app.status.message = Some(format!(
                "{} switches a diff's view: open one with {} first",
                keymap.hint_in(crate::tui::overlay::Mode::Report, Command::SwitchView),
                keymap.hint(Command::Diff)
            ));
        }
        Command::FilterTypes => filter::open_picker(app),
        Command::FilterMetadata => {
            let current = app
                .timeline
                .filter
                .as_ref()
                .and_then(|f| f.filter.metadata.as_ref())
                .map(|(text, _)| text.clone())
                .unwrap_or_default();
            prompt(app, PromptKind::MetadataFilter, current);
        }
        Command::SearchPrevious => search_step(app, false)?,
        Command::GoTo => prompt(app, PromptKind::GoTo, ""),
        Command::MarkA => app.timeline.set_mark(0),
        Command::MarkB => app.timeline.set_mark(1),
        Command::NextProjection => {
            app.projection.next();
            app.request_projection();
        }
        Command::ToggleTime => app.settings.local_time = !app.settings.local_time,
        Command::PlayPause => app.playback.play_pause(),
        Command::Faster => app.playback.faster(),
        Command::Slower => app.playback.slower(),
        Command::PreviousSameType => same_type(app, false)?,
        Command::NextSameType => same_type(app, true)?,
        Command::Follow => {
            if app.playback.follow {
                app.playback.follow = false;
                app.playback.follow_paused = false;
            } else {
                app.playback.resume_follow();
                super::locate::poll_head(app, true);
            }
        }
        // Enter: open the selected stream; in the Event and Projection
        // panes, fold the object or array under the cursor, or open the
        // value there, whole.
        Command::Confirm => match app.focus {
            Pane::Streams => app.focus = Pane::Timeline,
            Pane::Event | Pane::Projection => {
                if !toggle_fold(app) {
                    open_value(app);
                }
            }
            Pane::Timeline => {}
        },
        Command::Cancel => cancel(app)?,
        Command::ShowError => show_error(app),
        Command::JumpBack | Command::JumpForward => {
            let here = app.spot();
            let to = if command == Command::JumpBack {
                app.timeline.jumps.back(here)
            } else {
                app.timeline.jumps.forward(here)
            };
            match to {
                Some(spot) => app.go_to_spot(spot)?,
                None => {
                    let way = if command == Command::JumpBack {
                        "back"
                    } else {
                        "forward"
                    };
                    app.status.message = Some(format!("no jump to go {way} to"));
                }
            }
        }
        Command::Changes => app.projection.toggle_changes(&app.settings),
        Command::ToggleFold => {
            if !toggle_fold(app) {
                app.status.message = Some(match app.focus {
                    Pane::Event | Pane::Projection => {
                        "the cursor is not on an object or array".into()
                    }
                    Pane::Streams | Pane::Timeline => {
                        "folding works in the Event and Projection panes".into()
                    }
                });
            }
        }
        Command::ExpandAll | Command::CollapseAll => {
            let expand = command == Command::ExpandAll;
            match app.focus {
                Pane::Event => {
                    let event = app.timeline.cursor_event();
                    app.event.fold_all(expand, event, &app.settings)
                }
                _ => app.projection.fold_all(expand, &app.settings),
            }
        }
        Command::NextChange | Command::PreviousChange => {
            let forward = command == Command::NextChange;
            if !app.projection.tree.step_change(forward) {
                let way = if forward { "below" } else { "above" };
                app.status.message = Some(format!("no change {way} in the Projection pane"));
            }
        }
        Command::Copy | Command::CopyPath | Command::CopyEvent => super::copy::copy(app, command),
        Command::Wrap => app.settings.wrap = !app.settings.wrap,
        Command::ScrollLeft => scroll_sideways(app, -HSCROLL_STEP),
        Command::ScrollRight => scroll_sideways(app, HSCROLL_STEP),
        Command::Zoom => {
            app.settings.zoomed = !app.settings.zoomed;
            // The timeline's height changed: keep the cursor in view.
            app.refresh_cursor()?;
        }
        // Keys of the overlays' own tables.
        Command::DeleteBack
        | Command::Toggle
        | Command::Clear
        | Command::CursorLeft
        | Command::CursorRight
        | Command::LineStart
        | Command::LineEnd
        | Command::DeleteForward
        | Command::DeleteWord
        | Command::DeleteToStart
        | Command::DeleteToEnd => {}
    }
    Ok(())
}

/// Opens the projection's failure whole, if it failed.
fn show_error(app: &mut App) {
    let failure = app.projection.shown.as_ref().and_then(|s| s.error.clone());
    let report = match (failure, &app.projection.error) {
        (Some(error), _) => crate::tui::report::error_report(&error),
        (None, Some(text)) => crate::tui::report::Report::new(
            format!("Projection {} failed", app.projection.name()),
            vec![crate::tui::report::ReportLine::Error(text.clone())],
        ),
        (None, None) => {
            app.status.message = Some("the projection has not failed here".into());
            return;
        }
    };
    app.overlays
        .open(Overlay::Report(ReportView::ready(report)));
}

/// A move in the timeline while following pauses following (the reader is
/// looking back); going to the last event resumes it.
fn follow_on_move(app: &mut App, movement: Move) {
    if movement == Move::Last && app.playback.follow_paused {
        app.playback.resume_follow();
        super::locate::poll_head(app, true);
    } else if movement != Move::Last && app.playback.pause_follow() {
        let keymap = &app.settings.keymap;
        app.status.message = Some(format!(
            "following paused while you look back: {} or {} resumes it",
            keymap.hint(Command::Follow),
            keymap.hint(Command::Last)
        ));
    }
}

/// Folds or unfolds the object or array under the focused pane's cursor;
/// false when there is none.
fn toggle_fold(app: &mut App) -> bool {
    match app.focus {
        Pane::Event => {
            let event = app.timeline.cursor_event();
            app.event.toggle_fold(event, &app.settings)
        }
        Pane::Projection => app.projection.toggle_fold(&app.settings),
        Pane::Streams | Pane::Timeline => false,
    }
}

/// Opens the value under the focused pane's cursor in the value overlay.
fn open_value(app: &mut App) {
    let found = match app.focus {
        Pane::Event => app.event.value_at_cursor(),
        Pane::Projection => app.projection.value_at_cursor(),
        Pane::Streams | Pane::Timeline => None,
    };
    match found.map(|(pointer, value)| ValueView::new(pointer, value)) {
        Some(view) => app.overlays.open(Overlay::Value(view)),
        None => app.status.message = Some("no value on this line".into()),
    }
}

/// Columns a sideways scroll moves.
const HSCROLL_STEP: i32 = 8;

/// Scrolls the Event or Projection pane sideways (the other panes' lines
/// fit their width).
fn scroll_sideways(app: &mut App, delta: i32) {
    let hscroll = match app.focus {
        Pane::Event => &mut app.event.tree.hscroll,
        Pane::Projection => &mut app.projection.tree.hscroll,
        Pane::Streams | Pane::Timeline => return,
    };
    *hscroll = (i32::from(*hscroll) + delta).clamp(0, i32::from(u16::MAX)) as u16;
}

/// Opens a prompt of `kind` holding `text`.
pub(super) fn prompt(app: &mut App, kind: PromptKind, text: impl Into<String>) {
    app.overlays.open(Overlay::Prompt(Prompt::new(kind, text)));
}

/// Esc in the panes: stops a running search, or clears the stream list's
/// query (in Streams) or the timeline's filter (in the Timeline).
fn cancel(app: &mut App) -> Result<()> {
    if cancel_search(app) {
        return Ok(());
    }
    if app.focus == Pane::Streams && !app.streams.query.is_empty() {
        app.streams.set_query("");
    } else if app.focus == Pane::Timeline && app.timeline.filter.is_some() {
        // Esc in the timeline shows every event again.
        filter::set_filter(app, Default::default())?;
    }
    Ok(())
}

/// Moves by `delta` in the focused pane: the selection in Streams, the
/// cursor in the Timeline, the tree cursor in Event and Projection.
pub(super) fn step(app: &mut App, delta: i64) -> Result<()> {
    match app.focus {
        Pane::Streams => {
            let target = offset(app.streams.selected, delta, app.streams.matches.len());
            app.select_entry(target)
        }
        Pane::Timeline if app.timeline.filter_ready() => filter::step_filtered(app, delta),
        // Before the first event, the first step forward lands on it.
        Pane::Timeline if app.timeline.before_first && delta <= 0 => Ok(()),
        Pane::Timeline if app.timeline.before_first => app.move_cursor_to(delta as u64 - 1),
        Pane::Timeline => {
            let target = (app.timeline.cursor as i64).saturating_add(delta).max(0);
            app.move_cursor_to(target as u64)
        }
        Pane::Event => {
            app.event.tree.move_by(delta);
            Ok(())
        }
        Pane::Projection => {
            app.projection.tree.move_by(delta);
            Ok(())
        }
    }
}

/// The focus moves to the next or previous pane, past the Streams pane
/// when it is hidden.
fn focus_step(app: &mut App, forward: bool) -> Result<()> {
    let n = Pane::ORDER.len();
    let mut i = Pane::ORDER
        .iter()
        .position(|p| *p == app.focus)
        .unwrap_or(0);
    loop {
        i = if forward { i + 1 } else { i + n - 1 };
        i %= n;
        let hidden = Pane::ORDER[i] == Pane::Streams
            && app.settings.split.streams == crate::tui::layout::StreamsPane::Hidden
            && !app.settings.zoomed;
        if !hidden {
            break;
        }
    }
    app.focus = Pane::ORDER[i];
    if app.settings.zoomed {
        // The zoomed pane is the focused one.
        app.refresh_cursor()?;
    }
    Ok(())
}

/// Hides the Streams pane when it is drawn, shows it (focused) otherwise.
fn toggle_streams(app: &mut App) {
    use crate::tui::layout::StreamsPane;
    let split = &mut app.settings.split;
    if split.streams_shown(app.size.width, app.focus) && !app.settings.zoomed {
        split.streams = StreamsPane::Hidden;
        if app.focus == Pane::Streams {
            app.focus = Pane::Timeline;
        }
    } else {
        split.streams = StreamsPane::Shown;
        app.settings.zoomed = false;
        app.focus = Pane::Streams;
    }
}
