//! The diff view's work: the projection's state at two points and the
//! events between them, computed on a thread of its own (its own store
//! connection, its own engine, warm from the snapshot cache) so that the
//! explorer keeps drawing while a long stream is replayed.

use std::sync::mpsc::{self, Receiver};

use crate::core::diff::{diff, PatchOp};
use crate::core::event::Event;
use crate::core::projection::cache::SnapshotCache;
use crate::core::projection::{Engine, ProjectionSpec, Query};
use crate::core::store::{Scope, StoreLocation};

/// Events listed beside the diff, at most.
pub const MAX_EVENTS: usize = 500;

/// What the diff view shows.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffView {
    pub projection: String,
    pub from: Option<Event>,
    pub to: Option<Event>,
    pub patch: Vec<PatchOp>,
    /// The events after `from` up to `to`, which produced the change.
    pub events: Vec<Event>,
    /// How many events that is in all (the list stops at [`MAX_EVENTS`]).
    pub event_count: u64,
}

pub struct DiffJob {
    result: Receiver<Result<DiffView, String>>,
}

impl DiffJob {
    /// Starts computing the diff of the state at row `from` against the
    /// state at row `to` of `scope`.
    pub fn spawn(
        location: StoreLocation,
        spec: ProjectionSpec,
        scope: Scope,
        from: u64,
        to: u64,
    ) -> DiffJob {
        let (send, result) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = send.send(compute(&location, &spec, &scope, from, to));
        });
        DiffJob { result }
    }

    /// The result, once it is there.
    pub fn try_take(&self) -> Option<Result<DiffView, String>> {
        self.result.try_recv().ok()
    }
}

fn compute(
    location: &StoreLocation,
    spec: &ProjectionSpec,
    scope: &Scope,
    from: u64,
    to: u64,
) -> Result<DiffView, String> {
    let source = location.open().map_err(|e| e.to_string())?;
    let projection = spec.load().map_err(|e| e.to_string())?;
    let mut engine = Engine::new(vec![projection]);
    if let Some(cache) = SnapshotCache::for_source(source.as_ref()) {
        engine = engine.with_cache(cache);
    }
    let mut at = |row| {
        let query = Query {
            projection: 0,
            scope,
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
        .read_rows(scope, low + 1, ((high - low) as usize).min(MAX_EVENTS))
        .map_err(|e| e.to_string())?;
    Ok(DiffView {
        projection: a.projection.clone(),
        patch: diff(&a.state, &b.state),
        from: a.event,
        to: b.event,
        events,
        event_count: high - low,
    })
}
