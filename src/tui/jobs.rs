//! Work for the diff and blame views, each on a thread of its own (its own
//! store connection, its own engine, warm from the snapshot cache) so that
//! the explorer keeps drawing while a long stream is replayed. A job
//! answers with a laid-out [`Report`]: the UI thread only draws it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Sender;

use super::action::Reply;

use crate::core::diff::diff;
use crate::core::projection::cache::SnapshotCache;
use crate::core::projection::{Engine, ProjectionSpec, Query};
use crate::core::search::{has_correlation, Matcher};
use crate::core::store::{EventSource, Scope, StoreLocation};
use crate::tui::report::{
    blame_report, correlation_report, diff_report, payload_report, state_search_report, DiffView,
    Report,
};

/// Events listed beside a diff, at most.
pub const MAX_EVENTS: usize = 500;

/// Numbers jobs, so an answer to one no longer awaited is dropped.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

pub fn next_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

/// Where a job sends its answers: the explorer's one reply channel.
#[derive(Clone)]
pub struct Answer {
    pub id: u64,
    pub reply_to: Sender<Reply>,
}

impl Answer {
    /// A report on the way to the final one (blame: the answer before the
    /// history).
    fn partial(&self, result: Result<Report, String>) {
        self.report(result, false);
    }

    fn last(&self, result: Result<Report, String>) {
        self.report(result, true);
    }

    fn report(&self, result: Result<Report, String>, last: bool) {
        let _ = self.reply_to.send(Reply::Report {
            id: self.id,
            result,
            last,
        });
    }

    /// Sends any other reply.
    pub fn send(&self, reply: Reply) {
        let _ = self.reply_to.send(reply);
    }
}

/// Runs `work` on a thread of its own, answering through `answer`. A job
/// that panics (a bug, never bad input) answers that it failed, so that
/// nothing waits for it forever.
pub fn spawn(answer: Answer, work: impl FnOnce(&Answer) + Send + 'static) {
    let fallback = answer.clone();
    let spawned = std::thread::Builder::new()
        .name(format!("{}job", super::threads::THREAD_PREFIX))
        .spawn(move || {
            let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&answer)));
            if let Err(panic) = done {
                answer.send(Reply::JobFailed {
                    id: answer.id,
                    message: format!("crashed: {}", super::threads::panic_message(&*panic)),
                });
            }
        });
    if let Err(error) = spawned {
        fallback.send(Reply::JobFailed {
            id: fallback.id,
            message: format!("cannot start: {error}"),
        });
    }
}

fn engine(source: &dyn EventSource, spec: &ProjectionSpec) -> Result<Engine, String> {
    let projection = spec.load().map_err(|e| e.to_string())?;
    let engine = Engine::new(vec![projection]);
    Ok(match SnapshotCache::for_source(source) {
        Some(cache) => engine.with_cache(cache),
        None => engine,
    })
}

/// The state at row `from` against the state at row `to` of `scope`.
pub fn diff_job(
    answer: Answer,
    location: StoreLocation,
    spec: ProjectionSpec,
    scope: Scope,
    from: u64,
    to: u64,
) {
    spawn(answer, move |answer| {
        answer.last(diff_states(location, spec, scope, from, to))
    });
}

fn diff_states(
    location: StoreLocation,
    spec: ProjectionSpec,
    scope: Scope,
    from: u64,
    to: u64,
) -> Result<Report, String> {
    {
        let source = location.open().map_err(|e| e.to_string())?;
        let mut engine = engine(source.as_ref(), &spec)?;
        let mut at = |row| {
            let query = Query {
                projection: 0,
                scope: &scope,
                row,
                with_previous: false,
            };
            engine
                .state_at(source.as_ref(), query)
                .map_err(|e| e.to_string())
        };
        let (a, b) = (at(from)?, at(to)?);
        if let Some(error) = a.error.as_ref().or(b.error.as_ref()) {
            return Err(error.to_string());
        }
        let (low, high) = (from.min(to), from.max(to));
        let events = source
            .read_rows(&scope, low + 1, ((high - low) as usize).min(MAX_EVENTS))
            .map_err(|e| e.to_string())?;
        Ok(diff_report(DiffView {
            projection: a.projection.clone(),
            patch: diff(&a.state, &b.state),
            from: a.event,
            to: b.event,
            events,
            event_count: high - low,
            states: (a.state, b.state),
        }))
    }
}

/// How many of a field's newest changes the blame view shows first, while
/// it reads the older ones.
pub const FIRST_PAGE: usize = 200;

/// Who last changed the value at `pointer`, up to row `row` of `scope`.
pub fn blame_job(
    answer: Answer,
    location: StoreLocation,
    spec: ProjectionSpec,
    scope: Scope,
    row: u64,
    pointer: String,
) {
    spawn(answer, move |answer| {
        let work = || -> Result<(), String> {
            let source = location.open().map_err(|e| e.to_string())?;
            let mut engine = engine(source.as_ref(), &spec)?;
            let first_version = match &scope {
                Scope::Stream(stream) => source
                    .stream_info(stream)
                    .map_err(|e| e.to_string())?
                    .map_or(0, |info| info.first_version),
                _ => 0,
            };
            // First the answer and the newest changes, from the snapshots
            // back; then the whole history, which needs the field after
            // every event. Without a snapshot cache (foreign stores) the
            // engine starts cold, and the newest changes would cost a
            // replay of their own: go straight to the history.
            if source.immutable_history() {
                let recent = engine
                    .recent_changes(source.as_ref(), 0, &scope, row, &pointer, FIRST_PAGE)
                    .map_err(|e| e.to_string())?;
                if recent.whole {
                    answer.last(Ok(blame_report(&recent, first_version, row)));
                    return Ok(());
                }
                answer.partial(Ok(blame_report(&recent, first_version, row)));
            }
            let blame = engine
                .blame(source.as_ref(), 0, &scope, row, &pointer)
                .map_err(|e| e.to_string())?;
            answer.last(Ok(blame_report(&blame, first_version, row)));
            Ok(())
        };
        if let Err(error) = work() {
            answer.last(Err(error));
        }
    });
}

/// Events listed for a correlation id, at most.
pub const MAX_CORRELATED: usize = 1_000;

/// Every event, in all streams, that carries `correlation` (a full scan of
/// the log, on this thread).
pub fn correlation_job(answer: Answer, location: StoreLocation, correlation: String) {
    spawn(answer, move |answer| {
        answer.last(correlated(location, &correlation))
    });
}

fn correlated(location: StoreLocation, correlation: &str) -> Result<Report, String> {
    {
        let source = location.open().map_err(|e| e.to_string())?;
        let end = source.count(&Scope::All).map_err(|e| e.to_string())?;
        let mut found = Vec::new();
        source
            .scan(&Scope::All, 0, end, &mut |event| {
                if has_correlation(event, correlation) {
                    found.push(event.clone());
                }
                found.len() < MAX_CORRELATED
            })
            .map_err(|e| e.to_string())?;
        Ok(correlation_report(correlation, &found))
    }
}

/// The first event of `scope` after which the projected state matches.
/// Where a state search starts: the cursor's row (`None` before the first
/// event), and which way it goes.
#[derive(Debug, Clone, Copy)]
pub struct StateSearchFrom {
    pub row: Option<u64>,
    pub forward: bool,
}

/// The first event after the cursor after which the state starts to
/// match, as a report the user can jump from.
pub fn state_search_job(
    answer: Answer,
    location: StoreLocation,
    spec: ProjectionSpec,
    scope: Scope,
    text: String,
    matcher: Matcher,
    from: Option<u64>,
) {
    spawn(answer, move |answer| {
        let start = StateSearchFrom {
            row: from,
            forward: true,
        };
        let report = state_becomes(&location, &spec, &scope, &matcher, start)
            .map(|(found, row)| state_search_report(&text, found.as_ref(), row));
        answer.last(report);
    });
}

/// The nearest event from `from` at which the state starts to match, and
/// its row in `scope`.
pub fn state_becomes(
    location: &StoreLocation,
    spec: &ProjectionSpec,
    scope: &Scope,
    matcher: &Matcher,
    from: StateSearchFrom,
) -> Result<(Option<crate::core::Event>, Option<u64>), String> {
    let source = location.open().map_err(|e| e.to_string())?;
    let mut engine = engine(source.as_ref(), spec)?;
    let found = engine
        .state_becomes(
            source.as_ref(),
            0,
            scope,
            from.row,
            from.forward,
            &|state| matcher.matches_state(state),
        )
        .map_err(|e| e.to_string())?;
    let row = match &found {
        Some(event) => source
            .row_at_or_before_position(scope, event.position)
            .map_err(|e| e.to_string())?,
        None => None,
    };
    Ok((found, row))
}

/// Scans `scope` from row `from` for the rows `filter` matches, until
/// `cancel` is set; answers with [`Reply::FilterRows`].
pub fn filter_scan_job(
    answer: Answer,
    location: StoreLocation,
    scope: Scope,
    filter: crate::core::filter::EventFilter,
    cancel: std::sync::Arc<std::sync::atomic::AtomicBool>,
    from: u64,
) {
    spawn(answer, move |answer| {
        let result = location
            .open()
            .and_then(|source| {
                crate::core::filter::matching_rows(source.as_ref(), &scope, &filter, from, &cancel)
            })
            .map_err(|e| e.to_string());
        let id = answer.id;
        answer.send(Reply::FilterRows { id, result });
    });
}

/// The data of the event at row `marked` of `scope` against `other`'s.
pub fn payload_job(
    answer: Answer,
    location: StoreLocation,
    scope: Scope,
    marked: u64,
    other: crate::core::Event,
) {
    spawn(answer, move |answer| {
        let marked = location
            .open()
            .and_then(|source| source.read_rows(&scope, marked, 1))
            .map_err(|e| e.to_string())
            .and_then(|mut events| {
                events
                    .pop()
                    .ok_or_else(|| "the marked event is gone".into())
            });
        answer.last(marked.map(|a| payload_report(&a, &other)));
    });
}
