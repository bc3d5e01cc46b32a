//! Where the engine folds for a wide scope: a projection that keeps one
//! state per stream is folded over the cursor event's stream alone.

use super::engine::{Engine, EngineError};
use crate::core::store::{EventSource, Scope};

impl Engine {
    /// An engine for one projection over `scope`, as every front end
    /// builds one: on a stream it keeps its snapshots within `budget`
    /// bytes and in the user's cache between runs; on a category or `$all`
    /// it is one sequential fold that keeps none.
    pub fn for_scope(
        source: &dyn EventSource,
        projection: Box<dyn super::Projection>,
        scope: &Scope,
        budget: usize,
    ) -> Engine {
        let engine = Engine::new(vec![projection]).with_snapshot_memory(budget);
        if !scope.is_stream() {
            return engine.one_shot();
        }
        match super::cache::SnapshotCache::for_source(source) {
            Some(cache) => engine.with_cache(cache),
            None => engine,
        }
    }

    /// True when the projection keeps one state per stream that only its
    /// stream's events change ([`Projection::folds_per_stream`]).
    pub fn folds_per_stream(&self, projection: usize) -> bool {
        self.projection(projection)
            .is_some_and(|p| p.folds_per_stream())
    }

    /// The scope the projection's selector reads, if narrower than `$all`.
    pub fn selector_scope(&self, projection: usize) -> Option<Scope> {
        self.projection(projection).and_then(|p| p.selector_scope())
    }

    /// Where to fold for the state at `row` of `scope` as the explorer
    /// shows it. A projection that folds per stream, on a category or
    /// `$all`, shows the state of the event's own stream, so only that
    /// stream is folded (with its own snapshots): the stream and the row
    /// of the event in it. Anything else stays where it is.
    pub fn stream_target(
        &self,
        source: &dyn EventSource,
        projection: usize,
        scope: &Scope,
        row: u64,
    ) -> Result<(Scope, u64), EngineError> {
        if !self.folds_per_stream(projection) || scope.is_stream() {
            return Ok((scope.clone(), row));
        }
        let Some(event) = source.read_rows(scope, row, 1)?.pop() else {
            return Ok((scope.clone(), row));
        };
        let first = source
            .stream_info(&event.stream)?
            .map_or(0, |info| info.first_version);
        let stream_row = (event.version - first).max(0) as u64;
        Ok((Scope::Stream(event.stream), stream_row))
    }
}
