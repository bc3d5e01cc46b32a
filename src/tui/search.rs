//! Finding events from the cursor: the next or previous event of the same
//! type (`[`/`]`) and of a search (`/` in the timeline, then `n`/`N`). A
//! search reads on a thread and store connection of its own, through the
//! whole scope if need be, reports how far it has got, and answers on the
//! worker's reply channel; Esc cancels it. The explorer keeps drawing and
//! taking keys meanwhile.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;

use super::action::Reply;
use crate::core::error::StoreResult;
use crate::core::event::Event;
use crate::core::prefilter::Prefilter;
use crate::core::store::{EventSource, Scope, StoreLocation};

const CHUNK: u64 = 4096;
/// How often (in rows) a search reports progress.
const PROGRESS_EVERY: u64 = 16_384;

/// What a search looks for and where it starts.
pub struct SearchSpec {
    /// What the status line calls it: `'text'`, `type FundsDeposited`.
    pub what: String,
    pub location: StoreLocation,
    pub scope: Scope,
    /// Forward: the first row to test, then on to the end. Backward: the
    /// rows before it, nearest first.
    pub from: u64,
    pub count: u64,
    pub forward: bool,
    /// What the store may test first, where the events are.
    pub prefilter: Prefilter,
}

/// A search running in the background.
pub struct SearchRun {
    pub id: u64,
    pub what: String,
    pub forward: bool,
    /// Rows to read at most, and read so far.
    pub total: u64,
    pub scanned: u64,
    /// False for work that does not report rows read (state searches).
    counts_rows: bool,
    cancel: Arc<AtomicBool>,
}

/// What a background search runs: given a progress callback (rows read)
/// and the cancel flag, the matching row or none.
pub type SearchWork =
    Box<dyn FnOnce(&dyn Fn(u64), &AtomicBool) -> Result<Option<u64>, String> + Send>;

impl SearchRun {
    /// Starts a search of events; its answers arrive as
    /// [`Reply::SearchProgress`] and one [`Reply::SearchFound`]
    /// with this `id`.
    pub fn start(
        id: u64,
        spec: SearchSpec,
        wanted: impl Fn(&Event) -> bool + Send + 'static,
        reply_to: Sender<Reply>,
    ) -> SearchRun {
        let total = if spec.forward {
            spec.count.saturating_sub(spec.from)
        } else {
            spec.from
        };
        let (what, forward) = (spec.what.clone(), spec.forward);
        let work: SearchWork = Box::new(move |progress, cancel| {
            spec.location
                .open()
                .and_then(|source| find(source.as_ref(), &spec, &wanted, cancel, progress))
                .map_err(|e| e.to_string())
        });
        SearchRun::spawn(id, what, forward, total, reply_to, work)
    }

    /// Runs `work` on a thread of its own, answering on `reply_to`.
    pub fn spawn(
        id: u64,
        what: String,
        forward: bool,
        total: u64,
        reply_to: Sender<Reply>,
        work: SearchWork,
    ) -> SearchRun {
        let cancel = Arc::new(AtomicBool::new(false));
        let run = SearchRun {
            id,
            what,
            forward,
            total,
            scanned: 0,
            counts_rows: true,
            cancel: Arc::clone(&cancel),
        };
        std::thread::spawn(move || {
            let progress = |scanned| {
                let _ = reply_to.send(Reply::SearchProgress { id, scanned });
            };
            let result = work(&progress, &cancel);
            // A cancelled search has nobody waiting for it.
            if !cancel.load(Ordering::Relaxed) {
                let _ = reply_to.send(Reply::SearchFound { id, result });
            }
        });
        run
    }

    /// For work that reports no progress: the status line says so.
    pub fn without_progress(mut self) -> SearchRun {
        self.counts_rows = false;
        self
    }

    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// The status line while it runs.
    pub fn status(&self) -> String {
        let direction = if self.forward { "after" } else { "before" };
        if !self.counts_rows {
            return format!(
                "searching {} {direction} the cursor (Esc stops waiting)",
                self.what
            );
        }
        let percent = (self.scanned * 100).checked_div(self.total).unwrap_or(0);
        format!(
            "searching {} {direction} the cursor: {percent}% of {} events read (Esc cancels)",
            self.what,
            crate::core::time::thousands(self.total)
        )
    }
}

/// The row of the nearest event after (or before) `spec.from` for which
/// `wanted` holds; `None` when none up to the scope's end (or start), or
/// when cancelled.
fn find(
    source: &dyn EventSource,
    spec: &SearchSpec,
    wanted: &dyn Fn(&Event) -> bool,
    cancel: &AtomicBool,
    progress: &dyn Fn(u64),
) -> StoreResult<Option<u64>> {
    let mut reported = 0u64;
    let mut tick = |row: u64| {
        let scanned = row.abs_diff(spec.from);
        if scanned >= reported + PROGRESS_EVERY {
            reported = scanned;
            progress(scanned);
        }
        !cancel.load(Ordering::Relaxed)
    };
    if spec.forward {
        return matching_row(
            source,
            spec,
            spec.from..spec.count,
            wanted,
            false,
            &mut tick,
        );
    }
    // Backwards in chunks, nearest chunk first, the last match in each.
    let mut end = spec.from;
    while end > 0 && !cancel.load(Ordering::Relaxed) {
        let start = end.saturating_sub(CHUNK);
        if let Some(row) = matching_row(source, spec, start..end, wanted, true, &mut tick)? {
            return Ok(Some(row));
        }
        end = start;
    }
    Ok(None)
}

/// The first (or, with `last`, the last) row of `rows` whose event
/// `wanted` accepts, among those the store's prefilter lets through;
/// `tick` with the row reached, false to stop.
fn matching_row(
    source: &dyn EventSource,
    spec: &SearchSpec,
    rows: std::ops::Range<u64>,
    wanted: &dyn Fn(&Event) -> bool,
    last: bool,
    tick: &mut dyn FnMut(u64) -> bool,
) -> StoreResult<Option<u64>> {
    let mut found = None;
    let (scope, prefilter) = (&spec.scope, &spec.prefilter);
    source.scan_candidates(scope, rows.start, rows.end, prefilter, &mut |row, event| {
        if event.is_some_and(wanted) {
            found = Some(row);
            if !last {
                return false;
            }
        }
        tick(row)
    })?;
    Ok(found)
}
