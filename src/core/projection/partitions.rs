//! `partitionBy` projections over a category or `$all`, folded one
//! partition at a time. The state at an event, for that event's partition,
//! depends on that partition's events alone; so Rewind learns once which
//! events fall in which partition (one pass calling the projection's
//! `partitionBy` function), then folds only the cursor's partition, with
//! snapshots of its own, instead of the whole scope with every partition's
//! state. The index holds one key number per row and one position per
//! row: 12 bytes an event, whatever the states hold.

use std::collections::HashMap;

use super::engine::{Engine, EngineError, StateAt};
use super::{Progress, Query};
use crate::core::error::StoreResult;
use crate::core::event::Event;
use crate::core::store::{EventSource, Histogram, Scope, StreamInfo};
use crate::core::time::Millis;

/// A row whose event falls in no partition.
const NONE: u32 = u32::MAX;
/// Rows learnt between progress reports.
const REPORT_EVERY: u64 = 4096;

/// Which rows of a scope belong to which partition of one projection.
pub struct PartitionIndex {
    projection: usize,
    scope: Scope,
    /// A connection of the index's own: the engine folds a partition
    /// through a source that owns it (sources move between threads, and a
    /// borrowed connection cannot).
    reader: Option<Box<dyn EventSource>>,
    table: Table,
}

#[derive(Default)]
struct Table {
    /// The partition number of each row learnt so far.
    of_row: Vec<u32>,
    keys: Vec<String>,
    numbers: HashMap<String, u32>,
    /// The positions of each partition's events, in scope order.
    positions: Vec<Vec<i64>>,
}

impl Table {
    fn learnt(&self) -> u64 {
        self.of_row.len() as u64
    }

    fn push(&mut self, key: Option<String>, position: i64) {
        let number = match key {
            Some(key) => self.number(key),
            None => NONE,
        };
        if number != NONE {
            self.positions[number as usize].push(position);
        }
        self.of_row.push(number);
    }

    fn number(&mut self, key: String) -> u32 {
        if let Some(&number) = self.numbers.get(&key) {
            return number;
        }
        let number = self.keys.len() as u32;
        self.keys.push(key.clone());
        self.numbers.insert(key, number);
        self.positions.push(Vec::new());
        number
    }
}

impl PartitionIndex {
    /// True for a `partitionBy` projection on a category or `$all`: not on
    /// a stream, nor for projections without partitions or that fold per
    /// stream.
    pub fn applies(engine: &Engine, projection: usize, scope: &Scope) -> bool {
        engine
            .projection(projection)
            .is_some_and(|p| p.is_partitioned() && !p.folds_per_stream() && !scope.is_stream())
    }

    /// An empty index, reading the store through `reader`.
    pub fn new(projection: usize, scope: &Scope, reader: Box<dyn EventSource>) -> PartitionIndex {
        PartitionIndex {
            projection,
            scope: scope.clone(),
            reader: Some(reader),
            table: Table::default(),
        }
    }

    pub fn covers(&self, projection: usize, scope: &Scope) -> bool {
        self.projection == projection && &self.scope == scope
    }

    /// Rows learnt so far.
    pub fn learnt(&self) -> u64 {
        self.table.learnt()
    }

    /// Learns the partitions of rows up to `row` (inclusive), going on
    /// from where it stopped; `control` may cancel, keeping what was done.
    pub fn learn(
        &mut self,
        engine: &mut Engine,
        row: u64,
        control: &mut dyn FnMut(Progress) -> bool,
    ) -> Result<(), EngineError> {
        let start = self.learnt();
        let Some(reader) = self.reader.as_deref() else {
            return Ok(());
        };
        if row < start {
            return Ok(());
        }
        let total = row + 1 - start;
        let projection = engine.projection_mut(self.projection)?;
        let table = &mut self.table;
        let mut failure = None;
        let mut cancelled = false;
        reader.scan(&self.scope, start, row + 1, &mut |event| {
            match projection.partition_of(event) {
                Ok(key) => table.push(key, event.position),
                Err(error) => {
                    failure = Some(error);
                    return false;
                }
            }
            let done = table.learnt() - start;
            if done % REPORT_EVERY == 0 && done < total && !control(Progress { done, total }) {
                cancelled = true;
                return false;
            }
            true
        })?;
        if let Some(error) = failure {
            return Err(EngineError::Projection(error));
        }
        if cancelled {
            return Err(EngineError::Cancelled);
        }
        Ok(())
    }

    /// The state at `row` of the scope for the partition of the event
    /// there, folded over that partition's events only; `None` when the
    /// event falls in no partition (the caller then folds the scope).
    pub fn state_at(
        &mut self,
        engine: &mut Engine,
        row: u64,
        with_previous: bool,
        control: &mut dyn FnMut(Progress) -> bool,
    ) -> Result<Option<StateAt>, EngineError> {
        self.learn(engine, row, control)?;
        let number = match self.table.of_row.get(row as usize) {
            Some(&number) if number != NONE => number as usize,
            _ => return Ok(None),
        };
        let Some(reader) = self.reader.take() else {
            return Ok(None);
        };
        let name = self.stream_name(number);
        let view = PartitionSource {
            inner: reader,
            name,
            positions: std::mem::take(&mut self.table.positions[number]),
        };
        let answer = self.fold(engine, &view, row, with_previous, control);
        let PartitionSource {
            inner, positions, ..
        } = view;
        self.reader = Some(inner);
        self.table.positions[number] = positions;
        answer
    }

    fn fold(
        &self,
        engine: &mut Engine,
        view: &PartitionSource,
        row: u64,
        with_previous: bool,
        control: &mut dyn FnMut(Progress) -> bool,
    ) -> Result<Option<StateAt>, EngineError> {
        let Some(event) = view.inner.read_rows(&self.scope, row, 1)?.pop() else {
            return Ok(None);
        };
        let Ok(rank) = view.positions.binary_search(&event.position) else {
            return Ok(None);
        };
        let scope = Scope::Stream(view.name.clone());
        let query = Query {
            projection: self.projection,
            scope: &scope,
            row: rank as u64,
            with_previous,
        };
        let mut state = engine.state_at_with(view, query, control)?;
        // The question was about a row of the wide scope. A projection that
        // failed on an earlier event of the partition stands before it: the
        // row of the event it stands at, then.
        state.scope = self.scope.clone();
        state.row = match (&state.error, &state.event) {
            (None, _) => state.row.map(|_| row),
            (Some(_), Some(at)) => view
                .inner
                .row_at_or_before_position(&self.scope, at.position)?,
            (Some(_), None) => None,
        };
        Ok(Some(state))
    }

    /// The name the engine keeps the partition's snapshots under: with
    /// control characters, which no stream id has, so it is never a
    /// stream's, and with the scope, since a partition of `$all` holds
    /// more than the same partition of a category.
    fn stream_name(&self, number: usize) -> String {
        format!(
            "\u{1}partition\u{1}{}\u{1}{}",
            self.scope.label(),
            self.table.keys[number]
        )
    }
}

/// One partition's events as a stream, for the engine to fold.
struct PartitionSource {
    inner: Box<dyn EventSource>,
    name: String,
    positions: Vec<i64>,
}

impl PartitionSource {
    fn is_mine(&self, scope: &Scope) -> bool {
        matches!(scope, Scope::Stream(name) if *name == self.name)
    }
}

impl EventSource for PartitionSource {
    fn label(&self) -> String {
        self.inner.label()
    }

    fn identity(&self) -> String {
        self.inner.identity()
    }

    fn streams(&self) -> StoreResult<Vec<StreamInfo>> {
        Ok(self.stream_info(&self.name)?.into_iter().collect())
    }

    fn stream_info(&self, stream: &str) -> StoreResult<Option<StreamInfo>> {
        if stream != self.name {
            return Ok(None);
        }
        Ok(Some(StreamInfo {
            stream: self.name.clone(),
            category: String::new(),
            first_version: 0,
            last_version: self.positions.len() as i64 - 1,
            count: self.positions.len() as u64,
            first_time_ms: 0,
            last_time_ms: 0,
        }))
    }

    fn count(&self, scope: &Scope) -> StoreResult<u64> {
        Ok(if self.is_mine(scope) {
            self.positions.len() as u64
        } else {
            0
        })
    }

    fn read_rows(&self, scope: &Scope, start: u64, limit: usize) -> StoreResult<Vec<Event>> {
        if !self.is_mine(scope) {
            return Ok(Vec::new());
        }
        let start = (start as usize).min(self.positions.len());
        let end = start.saturating_add(limit).min(self.positions.len());
        let mut events = Vec::with_capacity(end - start);
        for &position in &self.positions[start..end] {
            if let Some(event) = self.inner.event_at_position(position)? {
                events.push(event);
            }
        }
        Ok(events)
    }

    fn event_at_position(&self, position: i64) -> StoreResult<Option<Event>> {
        self.inner.event_at_position(position)
    }

    fn row_at_or_before_time(&self, _scope: &Scope, _time_ms: Millis) -> StoreResult<Option<u64>> {
        Ok(None)
    }

    fn row_at_or_before_position(&self, scope: &Scope, position: i64) -> StoreResult<Option<u64>> {
        if !self.is_mine(scope) {
            return Ok(None);
        }
        let after = self.positions.partition_point(|&p| p <= position);
        Ok(after.checked_sub(1).map(|row| row as u64))
    }

    fn histogram(&self, _scope: &Scope, _buckets: usize) -> StoreResult<Histogram> {
        Ok(Histogram::default())
    }

    fn head_position(&self) -> StoreResult<i64> {
        self.inner.head_position()
    }
}
