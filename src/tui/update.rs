//! `update`: the one place the explorer's state changes. Every key, click,
//! clock tick and worker answer arrives here as an [`Action`].

use anyhow::Result;

use super::action::{Action, Command, InputKind, Mouse, Reply};
use super::app::{App, Pane};
use super::filter;
use super::layout::{areas, contains, inner};
use super::movement::{offset, Move};
use super::travel::{
    cancel_search, diff_view_command, open_event, same_type, search_found, search_progress,
    search_step, start_blame, start_correlation, start_diff, start_search, start_state_search,
};
use crate::core::point::{Point, PointError};

/// Applies `action`. Errors from the store become a message in the status
/// bar rather than ending the session.
pub fn update(app: &mut App, action: Action) {
    if let Err(error) = apply(app, action) {
        app.message = Some(format!("error: {error:#}"));
    }
}

fn apply(app: &mut App, action: Action) -> Result<()> {
    match action {
        Action::Command(command) => {
            app.message = None;
            // The help overlay is modal: a key other than help or quit
            // closes it rather than acting on the hidden screen.
            if app.help && !matches!(command, Command::Help | Command::Quit) {
                app.help = false;
                return Ok(());
            }
            // So is the type picker.
            if app.picker.is_some() && !matches!(command, Command::Help | Command::Quit) {
                return filter::picker_command(app, command);
            }
            // So is the diff view: it scrolls, and `d` closes it.
            if app.report.is_some() && !matches!(command, Command::Help | Command::Quit) {
                diff_view_command(app, command);
                return Ok(());
            }
            run_command(app, command)
        }
        Action::Input(c) => {
            if let Some((kind, text)) = &mut app.input {
                text.push(c);
                if *kind == InputKind::Filter {
                    app.streams.set_query(&text.clone());
                }
            }
            Ok(())
        }
        Action::Backspace => {
            if let Some((kind, text)) = &mut app.input {
                text.pop();
                if *kind == InputKind::Filter {
                    app.streams.set_query(&text.clone());
                }
            }
            Ok(())
        }
        Action::Submit => submit(app),
        Action::Cancel => {
            if cancel_search(app) {
                return Ok(());
            }
            if app.help {
                app.help = false;
            } else if app.report.is_some() {
                app.report = None;
            } else if app.picker.is_some() {
                app.picker = None;
            } else if let Some((kind, _)) = app.input.take() {
                if kind == InputKind::Filter {
                    app.streams.set_query("");
                }
            } else if app.focus == Pane::Streams && !app.streams.query.is_empty() {
                app.streams.set_query("");
            } else if app.focus == Pane::Timeline && app.timeline.filter.is_some() {
                // Esc in the timeline shows every event again.
                filter::set_filter(app, Default::default())?;
            }
            Ok(())
        }
        Action::Mouse(mouse) => on_mouse(app, mouse),
        Action::Resize { width, height } => {
            app.size = ratatui::layout::Rect::new(0, 0, width, height);
            if let Some(report) = &mut app.report {
                report.relayout(Some(width));
            }
            app.refresh_cursor()
        }
        Action::Tick { now_ms } => tick(app, now_ms),
        Action::Reply(reply) => {
            worker_reply(app, reply);
            Ok(())
        }
    }
}

fn run_command(app: &mut App, command: Command) -> Result<()> {
    let page = app.timeline_rows().max(1) as u64;
    if let Some(movement) = Move::of(command) {
        return step(app, movement.delta(page as usize));
    }
    match command {
        Command::Quit => app.quit = true,
        Command::Help => app.help = !app.help,
        Command::FocusNext | Command::FocusPrevious => {
            let i = Pane::ORDER
                .iter()
                .position(|p| *p == app.focus)
                .unwrap_or(0);
            let n = Pane::ORDER.len();
            let next = if command == Command::FocusNext {
                i + 1
            } else {
                i + n - 1
            };
            app.focus = Pane::ORDER[next % n];
        }
        // `/` filters the stream list, or searches the events elsewhere.
        Command::Filter if app.focus == Pane::Streams => {
            app.input = Some((InputKind::Filter, app.streams.query.clone()));
        }
        Command::Filter => app.input = Some((InputKind::Search, String::new())),
        // Taken by `Move::of` above.
        Command::Up
        | Command::Down
        | Command::PageUp
        | Command::PageDown
        | Command::First
        | Command::Last => {}
        Command::SearchNext => search_step(app, true)?,
        Command::Diff => start_diff(app),
        Command::Blame => start_blame(app),
        Command::Correlation => start_correlation(app),
        Command::StateSearch => app.input = Some((InputKind::StateSearch, String::new())),
        Command::SwitchView => {
            app.message = Some("v switches a diff's view: open one with d first".into());
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
            app.input = Some((InputKind::MetadataFilter, current));
        }
        Command::SearchPrevious => search_step(app, false)?,
        Command::GoTo => app.input = Some((InputKind::GoTo, String::new())),
        Command::MarkA => app.timeline.set_mark(0),
        Command::MarkB => app.timeline.set_mark(1),
        Command::NextProjection => {
            app.projection.next();
            app.request_projection();
        }
        Command::ToggleTime => app.settings.local_time = !app.settings.local_time,
        Command::PlayPause => app.playback.playing = !app.playback.playing,
        Command::Faster => app.playback.faster(),
        Command::Slower => app.playback.slower(),
        Command::PreviousSameType => same_type(app, false)?,
        Command::NextSameType => same_type(app, true)?,
        Command::Follow => {
            app.playback.follow = !app.playback.follow;
            if app.playback.follow {
                poll_head(app, true)?;
            }
        }
    }
    Ok(())
}

/// Moves by `delta` in the focused pane: the selection in Streams, the
/// cursor in the Timeline, the scroll in Event and Projection.
fn step(app: &mut App, delta: i64) -> Result<()> {
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
            app.event.scroll = offset(app.event.scroll, delta, app.event.lines.len());
            Ok(())
        }
        Pane::Projection => {
            app.projection.scroll =
                offset(app.projection.scroll, delta, app.projection.lines.len());
            Ok(())
        }
    }
}

fn submit(app: &mut App) -> Result<()> {
    if app.picker.is_some() {
        return filter::apply_picker(app);
    }
    let width = app.size.width;
    if let Some(report) = &mut app.report {
        // Enter on a path of a diff's tree folds or unfolds it.
        if report.toggle_fold(width) {
            return Ok(());
        }
        // Enter in the blame view jumps to the event that set the field;
        // in a list of events, it opens the one on the top line.
        if let Some(row) = report.report.jump_to {
            app.report = None;
            app.focus = Pane::Timeline;
            return app.move_cursor_to(row);
        }
        if let Some(Some((stream, version))) = report.report.targets.get(report.scroll).cloned() {
            app.report = None;
            return open_event(app, &stream, version);
        }
        return Ok(());
    }
    let Some((kind, text)) = app.input.take() else {
        // Enter outside a prompt: open the selected stream.
        if app.focus == Pane::Streams {
            app.focus = Pane::Timeline;
        }
        return Ok(());
    };
    match kind {
        InputKind::Filter => {
            // The best match unless the arrows picked another one.
            if app.streams.query != text {
                app.streams.set_query(&text);
            }
            let chosen = app.streams.selected;
            app.select_entry(chosen)?;
            app.focus = Pane::Timeline;
        }
        InputKind::GoTo => go_to(app, text.trim())?,
        InputKind::Search => start_search(app, text.trim())?,
        InputKind::StateSearch => start_state_search(app, text.trim()),
        InputKind::MetadataFilter => filter::apply_metadata(app, text.trim())?,
    }
    Ok(())
}

/// `42`: a version (a position outside streams) · `@1234`: a global
/// position · `latest` · anything else: a time. A point outside the scope
/// is reported and the cursor stays where it is.
fn go_to(app: &mut App, text: &str) -> Result<()> {
    let point = match Point::parse(text, app.settings.now_ms) {
        Ok(point) => point,
        Err(_) => {
            app.message = Some(format!(
                "cannot go to '{}': type a version (42), a position (@1234) or a time (2025-03-01 14:00, -2h)",
                crate::core::sanitize::visible(text)
            ));
            return Ok(());
        }
    };
    match point.resolve(app.source.as_ref(), &app.timeline.scope) {
        Ok(Some(row)) => {
            app.focus = Pane::Timeline;
            app.move_cursor_to(row)
        }
        Ok(None) if app.timeline.count > 0 => {
            app.message = Some(format!(
                "{} is before the first event of {}: the projection's initial state",
                crate::core::sanitize::visible(text),
                crate::core::sanitize::visible(&app.timeline.scope.label())
            ));
            app.focus = Pane::Timeline;
            app.stand_before_first()
        }
        Ok(None) => Ok(()),
        Err(PointError::OutOfRange(reason)) => {
            app.message = Some(format!(
                "cannot go to {}: {}",
                crate::core::sanitize::visible(text),
                crate::core::sanitize::visible(&reason)
            ));
            Ok(())
        }
        Err(PointError::Store(error)) => Err(error.into()),
    }
}

fn on_mouse(app: &mut App, mouse: Mouse) -> Result<()> {
    // The picker is modal: its counts belong to the open scope.
    if app.picker.is_some() {
        return Ok(());
    }
    let panes = areas(app.size);
    match mouse {
        Mouse::Down { column, row } => {
            app.timeline.dragging_histogram = false;
            if contains(panes.histogram, column, row) {
                app.timeline.dragging_histogram = true;
                app.focus = Pane::Timeline;
                scrub(app, column)?;
            } else if contains(panes.streams, column, row) {
                app.focus = Pane::Streams;
                let first = inner(panes.streams).y + 1;
                if row + 1 == first {
                    // The filter line: start typing a filter.
                    app.input = Some((InputKind::Filter, app.streams.query.clone()));
                } else if row >= first {
                    let index = app.streams.offset + (row - first) as usize;
                    if index < app.streams.matches.len() {
                        app.select_entry(index)?;
                    }
                }
            } else if contains(panes.timeline, column, row) {
                app.focus = Pane::Timeline;
                let first = inner(panes.timeline).y;
                if row >= first {
                    let shown = app.timeline.offset + (row - first) as u64;
                    if let Some(target) = app.timeline.row_of_shown(shown) {
                        app.move_cursor_to(target)?;
                    }
                }
            } else if contains(panes.event, column, row) {
                app.focus = Pane::Event;
            } else if contains(panes.projection, column, row) {
                app.focus = Pane::Projection;
            }
        }
        Mouse::Drag { column, .. } => {
            if app.timeline.dragging_histogram {
                scrub(app, column)?;
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

/// Moves the cursor to the last event at or before the time under
/// `column` of the histogram.
fn scrub(app: &mut App, column: u16) -> Result<()> {
    let area = inner(areas(app.size).histogram);
    if area.width == 0 || app.timeline.histogram.counts.is_empty() {
        return Ok(());
    }
    let x = column.saturating_sub(area.x).min(area.width - 1) as i64;
    let span = app.timeline.histogram.bucket_ms * app.timeline.histogram.counts.len() as i64;
    let time = app.timeline.histogram.start_ms
        + span * x / area.width as i64
        + span / area.width as i64 / 2;
    let row = app
        .source
        .row_at_or_before_time(&app.timeline.scope, time)?
        .unwrap_or(0);
    app.move_cursor_to(row)
}

fn tick(app: &mut App, now_ms: i64) -> Result<()> {
    filter::poll_jobs(app)?;
    if let Some(report) = &mut app.report {
        while let Some(result) = report.job.as_ref().and_then(|job| job.try_take()) {
            report.show(result);
        }
        if report.job.as_ref().is_some_and(|job| job.finished()) {
            report.job = None;
        }
    }
    app.settings.tick(now_ms);
    if app.playback.step_due(now_ms) {
        let before = app.timeline.cursor;
        if app.timeline.filter_ready() {
            filter::step_filtered(app, 1)?;
        } else if app.timeline.cursor + 1 < app.timeline.count {
            app.move_cursor_to(before + 1)?;
        }
        // Play stops at the last (shown) event.
        app.playback.playing = app.timeline.cursor != before;
    }
    if app.playback.poll_due(now_ms) {
        poll_head(app, false)?;
    }
    Ok(())
}

/// Looks for appended events; when there are some, refreshes the lists and
/// (in follow mode) moves to the newest event.
pub fn poll_head(app: &mut App, force: bool) -> Result<()> {
    let head = app.source.head_position()?;
    if head == app.playback.head && !force {
        return Ok(());
    }
    let grew = head != app.playback.head;
    app.playback.head = head;
    if grew {
        app.request_streams();
        app.load_scope()?;
    }
    if app.playback.follow {
        app.focus = if app.focus == Pane::Streams {
            Pane::Timeline
        } else {
            app.focus
        };
        app.move_cursor_to(app.timeline.count.saturating_sub(1))
    } else {
        app.refresh_cursor()
    }
}

fn worker_reply(app: &mut App, reply: Reply) {
    match reply {
        Reply::SearchProgress { id, scanned } => search_progress(app, id, scanned),
        Reply::SearchFound { id, result } => {
            if let Err(error) = search_found(app, id, result) {
                app.message = Some(format!("error: {error:#}"));
            }
        }
        Reply::Streams { result } => match result {
            Ok(streams) => app.receive_streams(streams),
            Err(error) => {
                app.streams.pending = false;
                app.message = Some(format!("error: cannot list streams: {error}"));
            }
        },
        Reply::Histogram { scope, result } => {
            if scope == app.timeline.scope {
                app.timeline.histogram_pending = false;
                match result {
                    Ok(histogram) => app.timeline.histogram = histogram,
                    Err(error) => app.message = Some(format!("error: histogram: {error}")),
                }
            }
        }
        Reply::Progress { seq, progress } => app.projection.progress(seq, progress),
        Reply::Done { seq, result } => app.projection.receive(seq, result, &app.settings),
    }
}
