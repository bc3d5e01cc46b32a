//! Jumps whose row is found off the UI thread (`src/tui/locate.rs`): a
//! point typed at `:`, a time on the histogram, an event opened from a
//! report, and the look at the store's head for appends and follow mode.
//! Each asks, and its answer moves the cursor when it comes.

use anyhow::Result;

use crate::core::point::Point;
use crate::core::sanitize::visible;
use crate::core::store::Scope;
use crate::tui::app::{App, Pane};
use crate::tui::layout::inner;
use crate::tui::locate::{Locate, Located};
use crate::tui::state::jumps::Spot;
use crate::tui::state::timeline::{Locating, Purpose};

/// `42`: a version (a position outside streams) · `@1234`: a global
/// position · `latest` · anything else: a time. A point outside the scope
/// is reported and the cursor stays where it is.
pub(super) fn go_to(app: &mut App, text: &str) {
    let Ok(point) = Point::parse_in(text, app.settings.now_ms, app.settings.zone()) else {
        app.status.message = Some(format!(
            "cannot go to '{}': type a version (42), a position (@1234) or a time (2025-03-01 14:00, -2h)",
            visible(text)
        ));
        return;
    };
    let scope = app.timeline.scope.clone();
    ask(
        app,
        Locate::Point { scope, point },
        Purpose::GoTo(text.to_string()),
    );
}

/// Moves the cursor to the last event at or before the time under
/// `column` of the histogram.
pub(super) fn scrub(app: &mut App, column: u16) {
    let area = inner(app.areas().histogram);
    let histogram = &app.timeline.histogram;
    if area.width == 0 || histogram.counts.is_empty() {
        return;
    }
    let x = column.saturating_sub(area.x).min(area.width - 1) as i64;
    let span = histogram.bucket_ms * histogram.counts.len() as i64;
    let time_ms = histogram.start_ms + span * x / area.width as i64 + span / area.width as i64 / 2;
    let scope = app.timeline.scope.clone();
    ask(app, Locate::Time { scope, time_ms }, Purpose::Scrub);
}

/// Opens `stream` at `version`, from a list of events in a report.
pub(super) fn open_event(app: &mut App, stream: &str, version: i64) {
    let what = Locate::StreamVersion {
        stream: stream.to_string(),
        version,
    };
    ask(app, what, Purpose::OpenEvent(stream.to_string()));
}

/// Looks at the store's head for appended events (unless a look is under
/// way); `force` moves to the newest event in follow mode even when
/// nothing was appended.
pub fn poll_head(app: &mut App, force: bool) {
    if let Some((_, pending_force)) = &mut app.playback.head_pending {
        *pending_force |= force;
        return;
    }
    let scope = app.timeline.scope.clone();
    if let Some(id) = app.locate(Locate::Head { scope }) {
        app.playback.head_pending = Some((id, force));
    }
}

/// A newer jump replaces the one under way (a drag on the histogram asks
/// many times; the last one counts).
fn ask(app: &mut App, what: Locate, purpose: Purpose) {
    if let Some(id) = app.locate(what) {
        app.timeline.locating = Some(Locating { id, purpose });
    }
}

/// An answer from the locator thread, for the jump or the look at the
/// head that asked for it (older answers are dropped).
pub(super) fn located(app: &mut App, id: u64, result: Result<Located, String>) -> Result<()> {
    let result = result.map_err(|error| anyhow::anyhow!(visible(&error).into_owned()));
    if let Some((_, force)) = app
        .playback
        .head_pending
        .filter(|(pending, _)| *pending == id)
    {
        app.playback.head_pending = None;
        return match result? {
            Located::Head {
                position,
                scope,
                count,
                note,
            } => {
                app.status.store_note = note;
                head(app, position, &scope, count, force)
            }
            _ => Ok(()),
        };
    }
    let Some(locating) = app.timeline.locating.take_if(|l| l.id == id) else {
        return Ok(());
    };
    match (locating.purpose, result?) {
        (Purpose::GoTo(text), found) => went_to(app, &text, found),
        (Purpose::Scrub, Located::Row(row)) => app.move_cursor_to(row.unwrap_or(0)),
        (Purpose::OpenEvent(stream), Located::StreamRow { first_version, row }) => {
            let here = app.spot();
            app.timeline.jumps.leave(here);
            app.go_to_spot(Spot {
                scope: Scope::Stream(stream),
                first_version,
                row,
            })
        }
        _ => Ok(()),
    }
}

fn went_to(app: &mut App, text: &str, found: Located) -> Result<()> {
    match found {
        Located::Row(Some(row)) => {
            app.focus = Pane::Timeline;
            app.jump_to(row)
        }
        Located::Row(None) if app.timeline.count > 0 => {
            app.status.message = Some(format!(
                "{} is before the first event of {}: the projection's initial state",
                visible(text),
                visible(&app.timeline.scope.label())
            ));
            app.focus = Pane::Timeline;
            app.stand_before_first()
        }
        Located::OutOfRange(reason) => {
            app.status.message = Some(format!(
                "cannot go to {}: {}",
                visible(text),
                visible(&reason)
            ));
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The head's position: when events were appended, the lists and the
/// open scope are read again; in follow mode the cursor goes to the
/// newest event.
fn head(app: &mut App, position: i64, scope: &Scope, count: u64, force: bool) -> Result<()> {
    // The exact count of a scope first drawn with the store's guess.
    let counted = *scope == app.timeline.scope && app.timeline.count_estimated;
    if position == app.playback.head && !force && !counted {
        return Ok(());
    }
    let grew = position != app.playback.head;
    if counted && !grew {
        app.rescope(count);
    }
    app.playback.head = position;
    if grew {
        app.request_streams();
        if *scope == app.timeline.scope {
            if app.playback.follow_paused {
                let arrived = count.saturating_sub(app.timeline.count);
                app.playback.new_events += arrived;
            }
            app.rescope(count);
        } else {
            app.load_scope()?;
        }
    }
    if app.playback.follow {
        if app.focus == Pane::Streams {
            app.focus = Pane::Timeline;
        }
        app.move_cursor_to(app.timeline.count.saturating_sub(1))
    } else {
        app.refresh_cursor()
    }
}
