//! Finding rows for the explorer off the UI thread: where a typed point
//! (version, position, time) or a time on the histogram falls in the open
//! scope, where a stream starts (to open an event from a report), and the
//! store's head (for follow mode). One thread of its own answers them in
//! order; the worker turns each answer into a `Reply::Located`.

use std::sync::mpsc::Receiver;

use crate::core::point::{Point, PointError};
use crate::core::store::{EventSource, Scope, StoreLocation};
use crate::core::time::Millis;

/// What to find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Locate {
    /// A point typed at the `:` prompt, in `scope`.
    Point { scope: Scope, point: Point },
    /// The last row of `scope` at or before a time (the histogram).
    Time { scope: Scope, time_ms: Millis },
    /// The row of `version` of `stream`.
    StreamVersion { stream: String, version: i64 },
    /// The newest event's position, and the count of `scope`.
    Head { scope: Scope },
}

/// What was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Located {
    /// The row, or none (before the first event, or an empty scope).
    Row(Option<u64>),
    /// The point is outside the scope; why.
    OutOfRange(String),
    /// The stream's first version, and the row of the version asked for.
    StreamRow { first_version: i64, row: u64 },
    Head {
        position: i64,
        scope: Scope,
        count: u64,
        /// What the store is still doing ([`EventSource::status_note`]).
        note: Option<String>,
    },
}

/// A request with the id its answer carries.
pub struct LocateRequest {
    pub id: u64,
    pub what: Locate,
}

/// Serves requests until the channel closes. Of the jumps queued at once
/// only the newest is answered (a drag on the histogram asks many times,
/// and the explorer waits only for its last); every look at the head is.
/// `answer` takes each answer with its request's id; false stops serving.
pub fn serve(
    store: StoreLocation,
    requests: Receiver<LocateRequest>,
    answer: impl Fn(u64, Result<Located, String>) -> bool,
) {
    let source = store.open().map_err(|e| e.to_string());
    while let Ok(first) = requests.recv() {
        let mut queued: Vec<LocateRequest> = std::iter::once(first)
            .chain(std::iter::from_fn(|| requests.try_recv().ok()))
            .collect();
        let newest_jump = queued
            .iter()
            .rposition(|r| !matches!(r.what, Locate::Head { .. }));
        let mut i = 0;
        queued.retain(|r| {
            let keep = matches!(r.what, Locate::Head { .. }) || Some(i) == newest_jump;
            i += 1;
            keep
        });
        for request in queued {
            let result = match &source {
                // A bug here must not end the thread: follow mode and
                // every jump would stop answering.
                Ok(source) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    locate(source.as_ref(), request.what)
                }))
                .unwrap_or_else(|panic| {
                    Err(format!(
                        "finding the row crashed: {}",
                        super::threads::panic_message(&*panic)
                    ))
                }),
                Err(error) => Err(error.clone()),
            };
            if !answer(request.id, result) {
                return;
            }
        }
    }
}

fn locate(source: &dyn EventSource, what: Locate) -> Result<Located, String> {
    let text = |e: crate::core::error::StoreError| e.to_string();
    match what {
        Locate::Point { scope, point } => match point.resolve(source, &scope) {
            Ok(row) => Ok(Located::Row(row)),
            Err(PointError::OutOfRange(reason)) => Ok(Located::OutOfRange(reason)),
            Err(PointError::Store(error)) => Err(error.to_string()),
        },
        Locate::Time { scope, time_ms } => source
            .row_at_or_before_time(&scope, time_ms)
            .map(Located::Row)
            .map_err(text),
        Locate::StreamVersion { stream, version } => {
            let first_version = source
                .stream_info(&stream)
                .map_err(text)?
                .map_or(0, |info| info.first_version);
            let row = (version - first_version).max(0) as u64;
            Ok(Located::StreamRow { first_version, row })
        }
        Locate::Head { scope } => Ok(Located::Head {
            position: source.head_position().map_err(text)?,
            count: source.count(&scope).map_err(text)?,
            scope,
            note: source.status_note(),
        }),
    }
}
