//! Finding events from the cursor: the next or previous event of the same
//! type (`[`/`]`) and of a search (`/` in the timeline, then `n`/`N`). A
//! search reads on a thread and store connection of its own, through the
//! whole scope if need be, reports how far it has got, and answers on the
//! worker's reply channel; Esc cancels it. The explorer keeps drawing and
//! taking keys meanwhile.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;

use super::action::WorkerReply;
use crate::core::error::StoreResult;
use crate::core::event::Event;
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
}

/// A search running in the background.
pub struct SearchRun {
    pub id: u64,
    pub what: String,
    pub forward: bool,
    /// Rows to read at most, and read so far.
    pub total: u64,
    pub scanned: u64,
    cancel: Arc<AtomicBool>,
}

impl SearchRun {
    /// Starts the search; its answers arrive as [`WorkerReply::SearchProgress`]
    /// and one [`WorkerReply::SearchFound`] with this `id`.
    pub fn start(
        id: u64,
        spec: SearchSpec,
        wanted: impl Fn(&Event) -> bool + Send + 'static,
        reply_to: Sender<WorkerReply>,
    ) -> SearchRun {
        let cancel = Arc::new(AtomicBool::new(false));
        let total = if spec.forward {
            spec.count.saturating_sub(spec.from)
        } else {
            spec.from
        };
        let run = SearchRun {
            id,
            what: spec.what.clone(),
            forward: spec.forward,
            total,
            scanned: 0,
            cancel: Arc::clone(&cancel),
        };
        std::thread::spawn(move || {
            let progress = |scanned| {
                let _ = reply_to.send(WorkerReply::SearchProgress { id, scanned });
            };
            let result = spec
                .location
                .open()
                .and_then(|source| find(source.as_ref(), &spec, &wanted, &cancel, &progress))
                .map_err(|e| e.to_string());
            // A cancelled search has nobody waiting for it.
            if !cancel.load(Ordering::Relaxed) {
                let _ = reply_to.send(WorkerReply::SearchFound { id, result });
            }
        });
        run
    }

    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// The status line while it runs.
    pub fn status(&self) -> String {
        let percent = (self.scanned * 100).checked_div(self.total).unwrap_or(0);
        let direction = if self.forward { "after" } else { "before" };
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
    let mut scanned = 0u64;
    let mut tick = || {
        scanned += 1;
        if scanned % PROGRESS_EVERY == 0 {
            progress(scanned);
        }
        !cancel.load(Ordering::Relaxed)
    };
    if spec.forward {
        return matching_row(
            source,
            &spec.scope,
            spec.from,
            spec.count,
            wanted,
            false,
            &mut tick,
        );
    }
    // Backwards in chunks, nearest chunk first, the last match in each.
    let mut end = spec.from;
    while end > 0 && !cancel.load(Ordering::Relaxed) {
        let start = end.saturating_sub(CHUNK);
        if let Some(row) = matching_row(source, &spec.scope, start, end, wanted, true, &mut tick)? {
            return Ok(Some(row));
        }
        end = start;
    }
    Ok(None)
}

/// The first (or, with `last`, the last) row in `start..end` whose event
/// `wanted` accepts; `tick` after each row, false to stop.
fn matching_row(
    source: &dyn EventSource,
    scope: &Scope,
    start: u64,
    end: u64,
    wanted: &dyn Fn(&Event) -> bool,
    last: bool,
    tick: &mut dyn FnMut() -> bool,
) -> StoreResult<Option<u64>> {
    let mut row = start;
    let mut found = None;
    source.scan(scope, start, end, &mut |event| {
        if wanted(event) {
            found = Some(row);
            if !last {
                return false;
            }
        }
        row += 1;
        tick()
    })?;
    Ok(found)
}
