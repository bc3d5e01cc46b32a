//! Answers from the background and the clock: the projection worker,
//! the loaders, searches, reports, type counts and filter scans all reply
//! on one channel; the clock drives play and follow mode.

use anyhow::Result;

use crate::tui::action::Reply;
use crate::tui::app::App;
use crate::tui::travel::{search_found, search_progress};
use crate::tui::update::filter;

pub(super) fn tick(app: &mut App, now_ms: i64) -> Result<()> {
    app.settings.tick(now_ms);
    let steps = app.playback.steps_due(now_ms);
    if steps > 0 {
        let before = app.timeline.cursor;
        if app.timeline.filter_ready() {
            filter::step_filtered(app, steps as i64)?;
        } else if app.timeline.cursor + 1 < app.timeline.count {
            let last = app.timeline.count - 1;
            app.move_cursor_to((before + steps).min(last))?;
        }
        // Play stops at the last (shown) event.
        app.playback.playing = app.timeline.cursor != before;
    }
    if app.playback.poll_due(now_ms) {
        super::locate::poll_head(app, false);
    }
    Ok(())
}

pub(super) fn on_reply(app: &mut App, reply: Reply) -> Result<()> {
    match reply {
        Reply::SearchProgress { id, scanned } => search_progress(app, id, scanned),
        Reply::SearchFound { id, result } => search_found(app, id, result)?,
        Reply::Streams { result } => match result {
            Ok(streams) => app.receive_streams(streams),
            Err(error) => {
                app.streams.pending = false;
                app.status.message = Some(format!("error: cannot list streams: {error}"));
            }
        },
        Reply::Histogram {
            scope,
            result,
            note,
        } => {
            if scope == app.timeline.scope {
                app.timeline.histogram_pending = false;
                app.timeline.note = note;
                match result {
                    Ok(histogram) => app.timeline.histogram = histogram,
                    Err(error) => app.status.message = Some(format!("error: histogram: {error}")),
                }
            }
        }
        Reply::Progress { seq, progress } => app.projection.progress(seq, progress),
        Reply::Done { seq, result } => app.projection.receive(seq, result, &app.settings),
        Reply::Report { id, result, last } => {
            if let Some(report) = app.overlays.report_mut() {
                report.receive(id, result, last);
            }
        }
        Reply::TypeCounts { id, result } => {
            if let Some(picker) = app.overlays.picker_mut() {
                picker.receive(id, result);
            }
        }
        Reply::FilterRows { id, result } => filter::receive_rows(app, id, result)?,
        Reply::Located { id, result } => super::locate::located(app, id, result)?,
        Reply::JobFailed { id, message } => job_failed(app, id, message)?,
    }
    Ok(())
}

/// A crashed job: the report, picker or filter waiting for it shows why.
fn job_failed(app: &mut App, id: u64, message: String) -> Result<()> {
    let message = format!("the job {message}");
    if let Some(report) = app.overlays.report_mut() {
        report.receive(id, Err(message.clone()), true);
    }
    if let Some(picker) = app.overlays.picker_mut() {
        picker.receive(id, Err(message.clone()));
    }
    filter::receive_rows(app, id, Err(message))
}
