//! State at any event, fast, in bounded memory. The engine keeps, per
//! projection and scope, snapshots of the state every K events, so a jump
//! replays at most about K events; a step forward applies one event to the
//! working state. K adapts to the measured cost of the projection and to
//! the size of its state: all snapshots together stay within a byte budget
//! ([`DEFAULT_SNAPSHOT_MEMORY`] unless set), whatever the scope.

use std::collections::HashSet;
use std::time::Instant;

use serde_json::Value;

use super::cache::SnapshotCache;
use super::snapshots::Snapshots;
pub use super::snapshots::{Snapshot, DEFAULT_SNAPSHOT_MEMORY};
use super::{Output, Projection, ProjectionError, State};
use crate::core::error::StoreError;
use crate::core::event::Event;
use crate::core::store::{EventSource, Scope};

/// The state of a projection at one event of a scope.
#[derive(Debug, Clone, PartialEq)]
pub struct StateAt {
    pub projection: String,
    pub generic: bool,
    pub scope: Scope,
    /// The row the state stands at; `None` before the first event (an empty
    /// scope, or a projection that failed on the first event).
    pub row: Option<u64>,
    /// The event at `row`.
    pub event: Option<Event>,
    /// For a partitioned projection on a stream, the partition shown.
    pub partition: Option<String>,
    pub state: State,
    /// The state one event earlier, when asked for (to highlight changes).
    pub previous: Option<State>,
    /// What the projection logged or would have emitted at `row`.
    pub output: Output,
    /// Set when the projection failed before reaching the requested row:
    /// `row` and `state` are then those just before the failing event.
    pub error: Option<ProjectionError>,
    /// How many events were applied to answer (0 for a snapshot hit).
    pub replayed: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cancelled")]
    Cancelled,
    #[error("no projection number {0}")]
    NoSuchProjection(usize),
    /// The projection failed before any event (its initial state).
    #[error(transparent)]
    Projection(#[from] ProjectionError),
}

/// One request to the engine.
#[derive(Debug, Clone, Copy)]
pub struct Query<'a> {
    pub projection: usize,
    pub scope: &'a Scope,
    /// The row to stand at; past the end means the last event.
    pub row: u64,
    /// Also compute the state one event earlier.
    pub with_previous: bool,
}

/// How far a long replay has got; return `false` from the callback to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
}

/// Where a projection's working state stands.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Working {
    projection: usize,
    scope: Scope,
    /// The last row applied; `None`: the initial state.
    row: Option<u64>,
}

/// Replaying fewer events than this never pays for a snapshot lookup.
const MIN_INTERVAL: u64 = 32;
const MAX_INTERVAL: u64 = 8192;
/// The replay time a jump may cost at most, which sets K.
const JUMP_BUDGET_NS: f64 = 2_000_000.0;
/// How often (in events) a long replay reports progress.
const PROGRESS_EVERY: u64 = 4096;

pub struct Engine {
    projections: Vec<Box<dyn Projection>>,
    snapshots: Snapshots,
    /// False for one-shot replays, which keep no snapshots.
    keep_snapshots: bool,
    working: Option<Working>,
    /// Measured cost of reading and applying one event, in nanoseconds.
    ns_per_event: f64,
    /// Snapshots kept on disk between sessions, when enabled.
    cache: Option<SnapshotCache>,
    /// Projection and scope pairs whose saved snapshots were read.
    loaded: HashSet<(usize, Scope)>,
    /// Projection and scope pairs with snapshots not yet saved.
    unsaved: HashSet<(usize, Scope)>,
    /// K when set by [`Engine::with_interval`] instead of measured.
    fixed_interval: Option<u64>,
}

impl Engine {
    pub fn new(projections: Vec<Box<dyn Projection>>) -> Self {
        Engine {
            projections,
            snapshots: Snapshots::default(),
            keep_snapshots: true,
            working: None,
            ns_per_event: 2_000.0,
            cache: None,
            loaded: HashSet::new(),
            unsaved: HashSet::new(),
            fixed_interval: None,
        }
    }

    /// Takes snapshots every `k` events whatever the projection costs
    /// (tests use a small K to cross many snapshots on short streams).
    pub fn with_interval(mut self, k: u64) -> Self {
        self.fixed_interval = Some(k.max(1));
        self
    }

    /// Keeps all snapshots within `bytes` (spacing them further apart as
    /// states grow, and thinning the largest set when full).
    pub fn with_snapshot_memory(mut self, bytes: usize) -> Self {
        self.snapshots.set_budget(bytes);
        self
    }

    /// For one sequential replay (`state --all`, `query`): keeps no
    /// snapshots, so memory is the state itself, whatever the scope.
    pub fn one_shot(mut self) -> Self {
        self.keep_snapshots = false;
        self
    }

    /// Bytes the kept snapshots take now.
    pub fn snapshot_bytes(&self) -> usize {
        self.snapshots.bytes()
    }

    /// Also keeps snapshots on disk, so the next session starts warm.
    pub fn with_cache(mut self, cache: SnapshotCache) -> Self {
        self.cache = Some(cache);
        self
    }

    /// Names of the loaded projections, with whether each is generic.
    pub fn projections(&self) -> Vec<(String, bool)> {
        self.projections
            .iter()
            .map(|p| (p.name().to_string(), p.is_generic()))
            .collect()
    }

    /// The snapshot interval K currently in force.
    pub fn interval(&self) -> u64 {
        if let Some(k) = self.fixed_interval {
            return k;
        }
        ((JUMP_BUDGET_NS / self.ns_per_event.max(1.0)) as u64).clamp(MIN_INTERVAL, MAX_INTERVAL)
    }

    pub(super) fn projection_mut(
        &mut self,
        index: usize,
    ) -> Result<&mut dyn Projection, EngineError> {
        self.working = None;
        match self.projections.get_mut(index) {
            Some(p) => Ok(p.as_mut()),
            None => Err(EngineError::NoSuchProjection(index)),
        }
    }

    /// After a fold the engine did not drive, its working state is unknown.
    pub(super) fn forget_working(&mut self) {
        self.working = None;
    }

    /// Forgets every snapshot and working state (after the store changed
    /// in a way that is not an append, or to measure cold replays).
    pub fn clear(&mut self) {
        self.snapshots.clear();
        self.working = None;
        self.loaded.clear();
        self.unsaved.clear();
    }

    /// Reads the saved snapshots of a projection and scope, once.
    fn load_saved(&mut self, projection: usize, scope: &Scope) {
        let key = (projection, scope.clone());
        let Some(cache) = &self.cache else { return };
        if self.loaded.contains(&key) || !self.projections[projection].persistable() {
            return;
        }
        let saved = cache.load(&self.projections[projection].source_hash(), scope);
        self.loaded.insert(key.clone());
        let interval = self.interval();
        for (row, snapshot) in saved {
            self.snapshots.insert(&key, row, snapshot, interval);
        }
        // Loading is not a change to save back.
        self.unsaved.remove(&key);
    }

    /// Writes the snapshots a query added. A cache that cannot be written
    /// only costs speed next time, so its errors are not the caller's.
    fn save_new(&mut self, projection: usize, scope: &Scope) {
        let key = (projection, scope.clone());
        let Some(cache) = &self.cache else { return };
        if !self.unsaved.remove(&key) || !self.projections[projection].persistable() {
            return;
        }
        if let Some(rows) = self.snapshots.rows(&key) {
            let _ = cache.save(&self.projections[projection].source_hash(), scope, rows);
        }
    }

    pub fn state_at(
        &mut self,
        source: &dyn EventSource,
        query: Query<'_>,
    ) -> Result<StateAt, EngineError> {
        self.state_at_with(source, query, &mut |_| true)
    }

    /// Like [`Engine::state_at`], calling `control` during long replays;
    /// when it returns `false` the replay stops with [`EngineError::Cancelled`]
    /// and the work done so far is kept for the next query.
    pub fn state_at_with(
        &mut self,
        source: &dyn EventSource,
        query: Query<'_>,
        control: &mut dyn FnMut(Progress) -> bool,
    ) -> Result<StateAt, EngineError> {
        if query.projection >= self.projections.len() {
            return Err(EngineError::NoSuchProjection(query.projection));
        }
        let count = source.count(query.scope)?;
        if count == 0 {
            return self.initial_state(query);
        }
        self.load_saved(query.projection, query.scope);
        let target = query.row.min(count - 1);
        let start = self.position_for(query.projection, query.scope, target)?;
        let mut run = Replay {
            engine: self,
            query,
            target,
            previous: None,
            previous_picked: false,
            output: Output::default(),
            failure: None,
            last_event: None,
            applied: start.map_or(0, |r| r + 1),
            replayed: 0,
            count,
        };
        let result = match run.replay(source, start.map_or(0, |r| r + 1), control) {
            Ok(()) => run.finish(source),
            Err(error) => Err(error),
        };
        // Whatever was replayed, even if cancelled, is worth keeping.
        self.save_new(query.projection, query.scope);
        result
    }

    /// The projection numbered `index`, to read what it declares.
    pub(super) fn projection(&self, index: usize) -> Option<&dyn Projection> {
        self.projections.get(index).map(|p| p.as_ref())
    }

    /// The projection's state before any event of `scope`: where a point
    /// earlier than the scope's history (a time before its first event)
    /// stands.
    pub fn initial(&mut self, projection: usize, scope: &Scope) -> Result<StateAt, EngineError> {
        if projection >= self.projections.len() {
            return Err(EngineError::NoSuchProjection(projection));
        }
        self.initial_state(Query {
            projection,
            scope,
            row: 0,
            with_previous: false,
        })
    }

    fn initial_state(&mut self, query: Query<'_>) -> Result<StateAt, EngineError> {
        let projection = &mut self.projections[query.projection];
        projection.reset(None)?;
        let mut state = projection.state()?;
        // A stream shows its own partition, which no event has made yet.
        if let (true, Scope::Stream(stream)) = (projection.is_partitioned(), query.scope) {
            state = pick_partition(state, stream);
        }
        self.working = Some(Working {
            projection: query.projection,
            scope: query.scope.clone(),
            row: None,
        });
        Ok(StateAt {
            projection: projection.name().to_string(),
            generic: projection.is_generic(),
            scope: query.scope.clone(),
            row: None,
            event: None,
            partition: None,
            state,
            previous: None,
            output: Output::default(),
            error: None,
            replayed: 0,
        })
    }

    /// Brings the projection's working state to the best starting point for
    /// reaching `target`, and returns the last row it includes.
    fn position_for(
        &mut self,
        projection: usize,
        scope: &Scope,
        target: u64,
    ) -> Result<Option<u64>, EngineError> {
        let interval = self.interval();
        let snapshot = self
            .snapshots
            .at_or_before(&(projection, scope.clone()), target);
        let snapshot_row = snapshot.map(|(row, _)| row);
        if let Some(working) = &self.working {
            let usable = working.projection == projection
                && &working.scope == scope
                && working.row.is_none_or(|r| r <= target);
            let ahead_of_snapshot = working.row >= snapshot_row;
            if usable && (ahead_of_snapshot || target - working.row.unwrap_or(0) <= interval) {
                return Ok(working.row);
            }
        }
        let saved = snapshot.map(|(_, saved)| saved.clone());
        self.working = None;
        match &saved {
            Some(saved) => self.projections[projection].restore(saved)?,
            None => self.projections[projection].reset(None)?,
        }
        self.working = Some(Working {
            projection,
            scope: scope.clone(),
            row: snapshot_row,
        });
        Ok(snapshot_row)
    }

    fn spacing(&self, projection: usize, scope: &Scope, count: u64) -> u64 {
        self.snapshots
            .spacing(&(projection, scope.clone()), count, self.interval())
    }

    fn remember(&mut self, projection: usize, scope: &Scope, row: u64, saved: String) {
        let key = (projection, scope.clone());
        let interval = self.interval();
        self.snapshots.insert(&key, row, saved.into(), interval);
        self.unsaved.insert(key);
    }

    /// The snapshot of the state after row `row`, if one is kept.
    pub(super) fn snapshot(&self, projection: usize, scope: &Scope, row: u64) -> Option<Snapshot> {
        self.snapshots.get(&(projection, scope.clone()), row)
    }

    pub(super) fn last_snapshot_row(
        &self,
        projection: usize,
        scope: &Scope,
        before: u64,
    ) -> Option<u64> {
        self.snapshots
            .last_row_before(&(projection, scope.clone()), before)
    }
}

/// One replay from the working state to a target row.
struct Replay<'e, 'q> {
    engine: &'e mut Engine,
    query: Query<'q>,
    target: u64,
    previous: Option<State>,
    previous_picked: bool,
    output: Output,
    failure: Option<ProjectionError>,
    last_event: Option<Event>,
    /// The next row to apply.
    applied: u64,
    replayed: u64,
    /// Events in the scope, which spaces snapshots by size.
    count: u64,
}

impl Replay<'_, '_> {
    fn replay(
        &mut self,
        source: &dyn EventSource,
        from: u64,
        control: &mut dyn FnMut(Progress) -> bool,
    ) -> Result<(), EngineError> {
        if from > self.target {
            // Already there: re-read the event the state stands at.
            self.last_event = source.read_rows(self.query.scope, self.target, 1)?.pop();
            if self.query.with_previous {
                // Already picked from its partition by the inner query.
                self.previous = self.state_before(source)?;
                self.previous_picked = true;
            }
            return Ok(());
        }
        let total = self.target + 1 - from;
        let started = Instant::now();
        let mut cancelled = false;
        let mut step_error: Option<ProjectionError> = None;
        source.scan(self.query.scope, from, self.target + 1, &mut |event| {
            if let Err(e) = self.apply_one(event) {
                step_error = Some(e);
                return false;
            }
            if self.failure.is_some() {
                return false;
            }
            let done = self.applied - from;
            if done % PROGRESS_EVERY == 0 && done < total && !control(Progress { done, total }) {
                cancelled = true;
                return false;
            }
            true
        })?;
        if self.replayed >= 256 {
            let ns = started.elapsed().as_nanos() as f64 / self.replayed as f64;
            self.engine.ns_per_event = 0.7 * self.engine.ns_per_event + 0.3 * ns;
        }
        if let Some(e) = step_error {
            return Err(EngineError::Projection(e));
        }
        if cancelled {
            return Err(EngineError::Cancelled);
        }
        Ok(())
    }

    /// Applies the event at row `self.applied`; a projection failure stops
    /// the replay with the state before it.
    fn apply_one(&mut self, event: &Event) -> Result<(), ProjectionError> {
        let row = self.applied;
        let index = self.query.projection;
        let is_target = row == self.target;
        if is_target && self.query.with_previous && row > 0 {
            self.previous = Some(self.engine.projections[index].state()?);
        }
        let projection = &mut self.engine.projections[index];
        if is_target {
            projection.take_output();
        }
        if let Err(error) = projection.apply(event) {
            self.failure = Some(error);
            return Ok(());
        }
        if is_target {
            self.output = projection.take_output();
        }
        self.applied += 1;
        self.replayed += 1;
        if let Some(working) = &mut self.engine.working {
            working.row = Some(row);
        }
        if is_target {
            // Only the event the state stands at is kept: cloning every
            // event of a long replay would cost more than reading it.
            self.last_event = Some(event.clone());
        }
        if !self.engine.keep_snapshots {
            return Ok(());
        }
        let since = self
            .engine
            .last_snapshot_row(index, self.query.scope, row)
            .map_or(row + 1, |r| row - r);
        // The spacing is never below K: look it up only then, since this
        // runs for every event of a replay.
        if since >= self.engine.interval()
            && since >= self.engine.spacing(index, self.query.scope, self.count)
        {
            let saved = self.engine.projections[index].save()?;
            self.engine.remember(index, self.query.scope, row, saved);
        }
        Ok(())
    }

    /// The state one event before the target, for a query that landed
    /// exactly on its working state: one snapshot-bounded replay.
    fn state_before(&mut self, source: &dyn EventSource) -> Result<Option<State>, EngineError> {
        if self.target == 0 {
            return Ok(None);
        }
        let query = Query {
            row: self.target - 1,
            with_previous: false,
            ..self.query
        };
        let before = self.engine.state_at(source, query)?;
        // Bring the working state back to the target for the next step.
        let back = Query {
            row: self.target,
            with_previous: false,
            ..self.query
        };
        self.engine.state_at(source, back)?;
        Ok(Some(before.state))
    }

    fn finish(self, source: &dyn EventSource) -> Result<StateAt, EngineError> {
        let row = self.applied.checked_sub(1);
        let event = match (self.failure.is_none(), self.last_event, row) {
            (true, Some(event), _) => Some(event),
            // Failed (the state stands at the event before the failing one),
            // or the scope ended early: read the event at the row reached.
            (_, _, Some(row)) => source.read_rows(self.query.scope, row, 1)?.pop(),
            (_, _, None) => None,
        };
        let projection = &mut self.engine.projections[self.query.projection];
        let mut state = projection.state()?;
        let mut previous = self.previous;
        let mut partition = None;
        if projection.is_partitioned() && self.query.scope.is_stream() {
            if let Some(e) = &event {
                partition = projection.partition_of(e)?;
            }
            let key = partition.clone().unwrap_or_default();
            state = pick_partition(state, &key);
            if !self.previous_picked {
                previous = previous.map(|p| pick_partition(p, &key));
            }
        }
        Ok(StateAt {
            projection: projection.name().to_string(),
            generic: projection.is_generic(),
            scope: self.query.scope.clone(),
            row,
            event,
            partition,
            state,
            previous,
            output: self.output,
            error: self.failure,
            replayed: self.replayed,
        })
    }
}

/// The state of one partition of `{"partitions": {...}}`; `null` when the
/// partition has no state yet.
fn pick_partition(state: State, key: &str) -> State {
    match state {
        Value::Object(mut map) => match map.remove("partitions") {
            Some(Value::Object(mut partitions)) => partitions.remove(key).unwrap_or(Value::Null),
            _ => Value::Null,
        },
        _ => Value::Null,
    }
}
