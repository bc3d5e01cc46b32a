//! The explorer's time-travel actions: searching the timeline and the
//! state, opening the diff and blame views, correlations. Heavy work runs
//! as a job on its own thread (`jobs.rs`); the report overlay's keys are
//! in `update/overlays.rs`.

use anyhow::Result;

use super::action::Command;

use super::app::{ActiveSearch, App, Pane};
use super::jobs::{
    blame_job, correlation_job, diff_job, payload_job, state_becomes, state_search_job,
    StateSearchFrom,
};
use super::overlay::{Overlay, ReportView};
use super::search;
use crate::core::prefilter::Prefilter;
use crate::core::sanitize::visible;
use crate::core::search::{correlation_id, Matcher};

/// Moves to the nearest event of the cursor event's type.
pub(super) fn same_type(app: &mut App, forward: bool) -> Result<()> {
    let Some(wanted) = app.timeline.cursor_event().map(|e| e.event_type.clone()) else {
        return Ok(());
    };
    let what = format!("type {}", visible(&wanted));
    let prefilter = Prefilter::event_type(&wanted);
    start_run(app, what, forward, prefilter, move |e| {
        e.event_type == wanted
    });
    Ok(())
}

/// Starts a background search from the cursor (from the first event when
/// standing before it); its answer moves the cursor (`search_found`).
fn start_run(
    app: &mut App,
    what: String,
    forward: bool,
    prefilter: Prefilter,
    wanted: impl Fn(&crate::core::Event) -> bool + Send + 'static,
) {
    let Some(reply_to) = app.reply_to() else {
        return;
    };
    if let Some(old) = app.timeline.search.run.take() {
        old.cancel();
    }
    let from = match (forward, app.timeline.before_first) {
        (true, true) => 0,
        (true, false) => app.timeline.cursor + 1,
        (false, true) => 0,
        (false, false) => app.timeline.cursor,
    };
    app.timeline.search.id += 1;
    let spec = search::SearchSpec {
        what,
        location: app.settings.location.clone(),
        scope: app.timeline.scope.clone(),
        from,
        count: app.timeline.count,
        forward,
        prefilter,
    };
    let run = search::SearchRun::start(app.timeline.search.id, spec, wanted, reply_to);
    app.status.message = Some(run.status());
    app.timeline.search.run = Some(run);
}

/// How far a background search has read, for the status bar.
pub(super) fn search_progress(app: &mut App, id: u64, scanned: u64) {
    if let Some(run) = app.timeline.search.run.as_mut().filter(|run| run.id == id) {
        run.scanned = scanned;
        app.status.message = Some(run.status());
    }
}

/// A background search's answer: the cursor moves to the match, or the
/// status bar says there is none.
pub(super) fn search_found(
    app: &mut App,
    id: u64,
    found: Result<Option<u64>, String>,
) -> Result<()> {
    let Some(run) = app.timeline.search.run.take_if(|run| run.id == id) else {
        return Ok(());
    };
    let direction = if run.forward { "after" } else { "before" };
    match found {
        Ok(Some(row)) => {
            app.status.message = None;
            app.jump_to(row)
        }
        Ok(None) => {
            app.status.message = Some(format!("no match for {} {direction} the cursor", run.what));
            Ok(())
        }
        Err(error) => {
            app.status.message = Some(format!("search failed: {}", visible(&error)));
            Ok(())
        }
    }
}

/// Esc while a search runs: it stops, the cursor stays.
pub(super) fn cancel_search(app: &mut App) -> bool {
    match app.timeline.search.run.take() {
        Some(run) => {
            run.cancel();
            app.status.message = Some(format!("search for {} cancelled", run.what));
            true
        }
        None => false,
    }
}

/// Opens the diff view: the state at mark A against mark B, or against
/// the cursor when only A is set. The work runs on its own thread.
pub(super) fn start_diff(app: &mut App) {
    let Some(from) = app.timeline.marks[0] else {
        let key = |command| app.settings.keymap.hint(command);
        app.status.message = Some(format!(
            "set mark A first ({}), then mark B ({}) or move the cursor",
            key(Command::MarkA),
            key(Command::MarkB)
        ));
        return;
    };
    if app.focus == Pane::Event {
        return diff_payloads(app, from);
    }
    let to = app.timeline.marks[1].unwrap_or(app.timeline.cursor);
    let spec = app.active_spec();
    let Some(answer) = app.answer() else { return };
    let job = answer.id;
    let (location, scope) = (app.settings.location.clone(), app.timeline.scope.clone());
    diff_job(answer, location, spec, scope, from, to);
    let report = ReportView::computing(job, "Diff", "computing the states at both points…");
    open_report(app, report);
}

/// Opens the blame view for the field on the projection pane's top line:
/// the event that last changed it up to the cursor, and its history.
pub(super) fn start_blame(app: &mut App) {
    let Some(pointer) = app.projection.tree.pointer().map(str::to_string) else {
        app.status.message = Some("no state to blame yet".into());
        return;
    };
    if !app.timeline.scope.is_stream() {
        app.status.message = Some("blame works on one stream: open a stream first".into());
        return;
    }
    let spec = app.active_spec();
    let Some(answer) = app.answer() else { return };
    let job = answer.id;
    blame_job(
        answer,
        app.settings.location.clone(),
        spec,
        app.timeline.scope.clone(),
        app.timeline.cursor,
        pointer.clone(),
    );
    let title = format!("Blame {pointer}");
    open_report(
        app,
        ReportView::computing(job, &title, "reading the field after every event…"),
    );
}

/// Looks for the first event after which the projected state matches.
pub(super) fn start_state_search(app: &mut App, text: &str) {
    let matcher = match Matcher::parse(text) {
        Ok(matcher) => matcher,
        Err(reason) => {
            app.status.message = Some(format!("cannot search: {}", visible(&reason)));
            return;
        }
    };
    app.timeline.search.last = Some(ActiveSearch {
        text: text.to_string(),
        matcher: matcher.clone(),
        in_state: true,
    });
    let spec = app.active_spec();
    let from = (!app.timeline.before_first).then_some(app.timeline.cursor);
    let Some(answer) = app.answer() else { return };
    let job = answer.id;
    state_search_job(
        answer,
        app.settings.location.clone(),
        spec,
        app.timeline.scope.clone(),
        text.to_string(),
        matcher,
        from,
    );
    let title = format!("State search {text}");
    open_report(
        app,
        ReportView::computing(
            job,
            &title,
            "folding from the cursor until the state matches…",
        ),
    );
}

/// Lists every event that shares the cursor event's correlation id.
pub(super) fn start_correlation(app: &mut App) {
    let Some(id) = app.timeline.cursor_event().and_then(correlation_id) else {
        app.status.message = Some("this event has no correlation id in its metadata".into());
        return;
    };
    let Some(answer) = app.answer() else { return };
    let job = answer.id;
    correlation_job(answer, app.settings.location.clone(), id.clone());
    let title = format!("Correlation {id}");
    open_report(
        app,
        ReportView::computing(job, &title, "reading every stream…"),
    );
}

fn open_report(app: &mut App, report: ReportView) {
    app.overlays.open(Overlay::Report(report));
}

/// From the Event pane, `d` compares two events' data instead: the event
/// at mark A against the one under the cursor (two `OrderPlaced`s, say).
/// The marked event is read on the job's thread.
pub(super) fn diff_payloads(app: &mut App, marked: u64) {
    let Some(cursor_event) = app.timeline.cursor_event().cloned() else {
        let key = |command| app.settings.keymap.hint(command);
        app.status.message = Some(format!(
            "mark an event with {}, move to another, then {}",
            key(Command::MarkA),
            key(Command::Diff)
        ));
        return;
    };
    let Some(answer) = app.answer() else { return };
    let job = answer.id;
    let (location, scope) = (app.settings.location.clone(), app.timeline.scope.clone());
    payload_job(answer, location, scope, marked, cursor_event);
    open_report(
        app,
        ReportView::computing(job, "Diff", "reading the marked event…"),
    );
}

/// Moves to the next (or previous) event that matches the search, or,
/// after a state search, where the state next (or last) starts to match.
pub(super) fn search_step(app: &mut App, forward: bool) -> Result<()> {
    let Some(search) = app.timeline.search.last.clone() else {
        let key = |command| app.settings.keymap.hint(command);
        app.status.message = Some(format!(
            "no search yet: press {} in the timeline (events) or {} (the state) and type text or \
             path=value",
            key(Command::Filter),
            key(Command::StateSearch)
        ));
        return Ok(());
    };
    let what = format!("'{}'", visible(&search.text));
    if search.in_state {
        return state_step(app, what, search.matcher, forward);
    }
    let matcher = search.matcher;
    let prefilter = Prefilter::of(&matcher);
    start_run(app, what, forward, prefilter, move |e| {
        matcher.matches_event(e)
    });
    Ok(())
}

/// `n`/`N` after a state search: a background fold from the cursor.
fn state_step(app: &mut App, what: String, matcher: Matcher, forward: bool) -> Result<()> {
    let Some(reply_to) = app.reply_to() else {
        return Ok(());
    };
    let row = match (forward, app.timeline.before_first) {
        (_, true) if !forward => {
            app.status.message = Some("nothing before the first event".into());
            return Ok(());
        }
        (_, true) => None,
        (true, false) => Some(app.timeline.cursor),
        // Transitions strictly before the cursor.
        (false, false) => match app.timeline.cursor.checked_sub(1) {
            Some(row) => Some(row),
            None => {
                app.status.message = Some("nothing before the first event".into());
                return Ok(());
            }
        },
    };
    if let Some(old) = app.timeline.search.run.take() {
        old.cancel();
    }
    let (location, spec, scope) = (
        app.settings.location.clone(),
        app.active_spec(),
        app.timeline.scope.clone(),
    );
    let from = StateSearchFrom { row, forward };
    let work: search::SearchWork = Box::new(move |_progress, _cancel| {
        state_becomes(&location, &spec, &scope, &matcher, from).map(|(_, row)| row)
    });
    app.timeline.search.id += 1;
    let total = if forward {
        app.timeline.count - app.timeline.cursor
    } else {
        app.timeline.cursor
    };
    let what = format!("the state for {what}");
    let run =
        search::SearchRun::spawn(app.timeline.search.id, what, forward, total, reply_to, work)
            .without_progress();
    app.status.message = Some(run.status());
    app.timeline.search.run = Some(run);
    Ok(())
}

/// A search typed after `/` in the timeline: remembered for `n`/`N`, and
/// the cursor moves to the first match after it.
pub(super) fn start_search(app: &mut App, text: &str) -> Result<()> {
    match Matcher::parse(text) {
        Ok(matcher) => {
            app.timeline.search.last = Some(ActiveSearch {
                text: text.to_string(),
                matcher,
                in_state: false,
            });
            app.focus = Pane::Timeline;
            search_step(app, true)
        }
        Err(reason) => {
            app.status.message = Some(format!("cannot search: {}", visible(&reason)));
            Ok(())
        }
    }
}
