//! Commands while an overlay is on top: each overlay takes the commands
//! of its own table in the keymap.

use anyhow::Result;
use tui_input::InputRequest;

use super::explorer::step;
use super::locate::{go_to, open_event};
use crate::core::sanitize::visible;
use crate::tui::action::Command;
use crate::tui::app::{App, Pane};
use crate::tui::movement::Move;
use crate::tui::overlay::{Mode, Overlay, PromptKind};
use crate::tui::travel::{start_search, start_state_search};
use crate::tui::update::filter;

/// The help screen: quit quits; any other key closes it rather than acting
/// on the screen hidden under it.
pub(super) fn help_command(app: &mut App, command: Command) -> Result<()> {
    if let Some(movement) = Move::of(command) {
        let lines = crate::tui::panes::help::lines(app, app.size.width).len();
        let rows = crate::tui::panes::help::rows(app.size.height);
        let last_top = lines.saturating_sub(rows) + 1;
        let scroll = movement.apply(app.overlays.help_scroll, last_top, rows);
        app.overlays.help_scroll = scroll;
        return Ok(());
    }
    match command {
        Command::Quit => app.quit = true,
        _ => {
            app.overlays.close(Mode::Help);
        }
    }
    Ok(())
}

/// A character typed into the prompt (the stream list's query filters as
/// it is typed).
pub(super) fn type_char(app: &mut App, c: char) -> Result<()> {
    edit_prompt(app, InputRequest::InsertChar(c));
    Ok(())
}

/// Edits the prompt's line; the stream filter follows what is typed.
fn edit_prompt(app: &mut App, request: InputRequest) {
    let Some(prompt) = app.overlays.prompt_mut() else {
        return;
    };
    if prompt.edit(request) && prompt.kind == PromptKind::StreamQuery {
        let text = prompt.text().to_string();
        app.streams.set_query(&text);
    }
}

pub(super) fn prompt_command(app: &mut App, command: Command) -> Result<()> {
    let edit = match command {
        Command::DeleteBack => Some(InputRequest::DeletePrevChar),
        Command::DeleteForward => Some(InputRequest::DeleteNextChar),
        Command::DeleteWord => Some(InputRequest::DeletePrevWord),
        Command::DeleteToStart => Some(InputRequest::DeleteFromStart),
        Command::DeleteToEnd => Some(InputRequest::DeleteTillEnd),
        Command::CursorLeft => Some(InputRequest::GoToPrevChar),
        Command::CursorRight => Some(InputRequest::GoToNextChar),
        Command::LineStart => Some(InputRequest::GoToStart),
        Command::LineEnd => Some(InputRequest::GoToEnd),
        _ => None,
    };
    if let Some(request) = edit {
        edit_prompt(app, request);
        return Ok(());
    }
    let stream_filter = app
        .overlays
        .prompt()
        .is_some_and(|p| p.kind == PromptKind::StreamQuery);
    match command {
        Command::Confirm => submit_prompt(app),
        Command::Cancel => {
            if let Some(Overlay::Prompt(prompt)) = app.overlays.close(Mode::Prompt) {
                if prompt.kind == PromptKind::StreamQuery {
                    app.streams.set_query("");
                }
            }
            Ok(())
        }
        // The arrows move through the stream list while its query is typed.
        Command::Up if stream_filter => step(app, -1),
        Command::Down if stream_filter => step(app, 1),
        // Elsewhere they recall what was typed at this prompt before.
        Command::Up | Command::Down => {
            recall(app, command == Command::Up);
            Ok(())
        }
        _ => Ok(()),
    }
}

/// ↑ shows the line typed before the one shown, ↓ the one after (and,
/// past the newest, the line being typed).
fn recall(app: &mut App, older: bool) {
    let Some(prompt) = app.overlays.prompt_mut() else {
        return;
    };
    let lines = app.history.lines(prompt.kind.history_name());
    let next = match (prompt.recalled, older) {
        (None, true) if !lines.is_empty() => Some(lines.len() - 1),
        (Some(i), true) => Some(i.saturating_sub(1)),
        (Some(i), false) if i + 1 < lines.len() => Some(i + 1),
        (Some(_), false) => None,
        (None, _) => return,
    };
    if prompt.recalled.is_none() {
        prompt.draft = prompt.text().to_string();
    }
    let text = match next {
        Some(i) => lines[i].clone(),
        None => std::mem::take(&mut prompt.draft),
    };
    prompt.recalled = next;
    prompt.show(&text);
}

/// Enter in a prompt: what was typed is taken.
fn submit_prompt(app: &mut App) -> Result<()> {
    let Some(Overlay::Prompt(prompt)) = app.overlays.close(Mode::Prompt) else {
        return Ok(());
    };
    let text = prompt.text().to_string();
    app.history.add(prompt.kind.history_name(), &text);
    match prompt.kind {
        PromptKind::StreamQuery => {
            // The best match unless the arrows picked another one.
            if app.streams.query != text {
                app.streams.set_query(&text);
            }
            if app.streams.matches.is_empty() {
                // Nothing matches: stay, rather than open what was open.
                app.status.message = Some(format!("no stream matches '{}'", visible(&text)));
                return Ok(());
            }
            let chosen = app.streams.selected;
            app.select_entry(chosen)?;
            app.focus = Pane::Timeline;
            Ok(())
        }
        PromptKind::GoTo => {
            go_to(app, text.trim());
            Ok(())
        }
        PromptKind::Search => start_search(app, text.trim()),
        PromptKind::StateSearch => {
            start_state_search(app, text.trim());
            Ok(())
        }
        PromptKind::MetadataFilter => filter::apply_metadata(app, text.trim()),
        PromptKind::Find => {
            super::find::find(app, &text);
            Ok(())
        }
        PromptKind::Rate => {
            match app.playback.set_rate(text.trim()) {
                Ok(()) => {
                    if !app.playback.playing {
                        app.playback.play_pause();
                    }
                }
                Err(message) => app.status.message = Some(message),
            }
            Ok(())
        }
    }
}

/// The type picker: its own keys; help and quit as everywhere.
pub(super) fn picker_command(app: &mut App, command: Command) -> Result<()> {
    match command {
        Command::Quit => app.quit = true,
        Command::Help => app.overlays.open(Overlay::Help),
        _ => return filter::picker_command(app, command),
    }
    Ok(())
}

/// The report view: the arrows and pages move its selection, Enter folds
/// the path or opens the event selected, `v` switches a diff's view; help and
/// quit as everywhere; any other key closes it.
pub(super) fn report_command(app: &mut App, command: Command) -> Result<()> {
    let (width, height) = (app.size.width, app.size.height);
    let Some(report) = app.overlays.report_mut() else {
        return Ok(());
    };
    if let Some(movement) = Move::of(command) {
        let page = report.list_rows(height);
        let line = movement.apply(report.cursor, report.report.lines.len(), page);
        report.select(line, height);
        return Ok(());
    }
    match command {
        Command::Quit => app.quit = true,
        Command::Help => app.overlays.open(Overlay::Help),
        Command::Confirm => return confirm_report(app),
        // Still computing: nothing to switch yet.
        Command::SwitchView if report.report.diff.is_none() => {}
        Command::SwitchView => {
            report.side_by_side = !report.side_by_side;
            report.scroll = 0;
            report.cursor = 0;
            report.relayout(Some(width));
        }
        _ => {
            app.overlays.close(Mode::Report);
        }
    }
    Ok(())
}

/// Enter in the report view: on a path of a diff's tree, folds or unfolds
/// it; on an event of a list (a blame's history too), opens it; elsewhere
/// in a blame, jumps to the event that last set the field.
fn confirm_report(app: &mut App) -> Result<()> {
    let width = app.size.width;
    let Some(report) = app.overlays.report_mut() else {
        return Ok(());
    };
    if report.toggle_fold(width) {
        return Ok(());
    }
    if let Some(Some((stream, version))) = report.report.targets.get(report.cursor).cloned() {
        app.overlays.close(Mode::Report);
        open_event(app, &stream, version);
        return Ok(());
    }
    if let Some(point) = report.report.point.clone() {
        app.overlays.close(Mode::Report);
        go_to(app, &point);
        return Ok(());
    }
    if let Some(row) = report.report.jump_to {
        app.overlays.close(Mode::Report);
        app.focus = Pane::Timeline;
        return app.jump_to(row);
    }
    Ok(())
}

/// The value overlay: the arrows and pages scroll it; help and quit as
/// everywhere; any other key closes it.
pub(super) fn value_command(app: &mut App, command: Command) -> Result<()> {
    let page = app.size.height.saturating_sub(4).max(1) as usize;
    let Some(value) = app.overlays.value_mut() else {
        return Ok(());
    };
    if let Some(movement) = Move::of(command) {
        // Rows are wrapped when drawn; the text's length bounds them.
        let rows = value.text.chars().count().max(1);
        value.scroll = movement.apply(value.scroll, rows, page);
        return Ok(());
    }
    match command {
        Command::Quit => app.quit = true,
        Command::Help => app.overlays.open(Overlay::Help),
        _ => {
            app.overlays.close(Mode::Value);
        }
    }
    Ok(())
}
