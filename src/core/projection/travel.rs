//! Questions that need every state along the way, not just one: which
//! event last changed a field (blame), and at which event the state first
//! matched something (search in state).

use serde_json::Value;

use super::engine::{Engine, EngineError};
use super::{Projection, ProjectionError, Snapshot};
use crate::core::event::Event;
use crate::core::store::{EventSource, Scope};

/// One change of a field's value: the event that made it and the value
/// after it (`None`: the field is absent).
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub event: Event,
    pub value: Option<Value>,
}

/// Who set a field, and how it got there.
#[derive(Debug, Clone, PartialEq)]
pub struct Blame {
    pub pointer: String,
    /// The value at the point asked about.
    pub value: Option<Value>,
    /// Every change up to that point, oldest first; the last one is the
    /// event to blame.
    pub history: Vec<Change>,
    /// Set when the projection failed on the way: the history stops there.
    pub error: Option<ProjectionError>,
    /// The history goes back to the first event; false for the newest
    /// changes alone ([`Engine::recent_changes`]).
    pub whole: bool,
}

impl Blame {
    pub fn last(&self) -> Option<&Change> {
        self.history.last()
    }
}

/// Called after each event of a fold with the projection, the event just
/// applied (`None` for the initial state) and the full pointer asked about;
/// returns true to stop.
type Visitor<'a> =
    dyn FnMut(&mut dyn Projection, Option<&Event>, &str) -> Result<bool, ProjectionError> + 'a;

/// What a fold stopped at.
enum Stop {
    Matched(Event),
    Failed(ProjectionError),
    End,
}

/// The event that last changed a field, found without its whole history.
#[derive(Debug, Clone, PartialEq)]
pub struct LastChange {
    pub pointer: String,
    /// The value at the point asked about.
    pub value: Option<Value>,
    /// The change that set it; `None` when no event changed it.
    pub change: Option<Change>,
}

impl Engine {
    /// The event that last changed the value at `pointer` up to `row`: the
    /// same answer as the last entry of [`Engine::blame`], found by walking
    /// back from `row` one snapshot interval at a time (see
    /// [`Engine::recent_changes`]), so a field that changes often costs
    /// about one interval (K events), not the whole stream.
    pub fn last_change(
        &mut self,
        source: &dyn EventSource,
        projection: usize,
        scope: &Scope,
        row: u64,
        pointer: &str,
    ) -> Result<LastChange, EngineError> {
        let mut recent = self.recent_changes(source, projection, scope, row, pointer, 1)?;
        Ok(LastChange {
            change: recent.history.pop(),
            pointer: recent.pointer,
            value: recent.value,
        })
    }

    /// The newest changes of the value at `pointer` up to `row`, at least
    /// `at_least` of them when there are that many: the end of
    /// [`Engine::blame`]'s history, found by walking back from `row` one
    /// snapshot interval at a time. Each interval is replayed from its
    /// snapshot with the value read after every event, and the walk stops
    /// once it has enough, so the newest page of a field that changed
    /// 100,000 times costs a few intervals, not the whole stream. `whole`
    /// says whether the walk reached the first event. A projection that
    /// fails on the way gives the full history, which says where.
    pub fn recent_changes(
        &mut self,
        source: &dyn EventSource,
        projection: usize,
        scope: &Scope,
        row: u64,
        pointer: &str,
        at_least: usize,
    ) -> Result<Blame, EngineError> {
        let count = source.count(scope)?;
        if count == 0 {
            return self.blame(source, projection, scope, row, pointer);
        }
        let row = row.min(count - 1);
        // Reaching `row` leaves snapshots every K events behind it.
        let query = super::Query {
            projection,
            scope,
            row,
            with_previous: false,
        };
        if self.state_at(source, query)?.error.is_some() {
            return self.blame(source, projection, scope, row, pointer);
        }
        let mut value = None;
        let mut history: Vec<Change> = Vec::new();
        let mut end = row;
        loop {
            let start = self.last_snapshot_row(projection, scope, end);
            // Without its snapshot (dropped since), the interval starts at
            // the first event: slower, the same answer.
            let from = start.and_then(|r| Some((r, self.snapshot(projection, scope, r)?)));
            let mut found = Vec::new();
            let at_end = match self.value_changes(
                source,
                projection,
                scope,
                from,
                end,
                pointer,
                &mut |change| found.push(change),
            ) {
                Ok((_, Stop::Failed(_))) | Err(EngineError::Projection(_)) => {
                    return self.blame(source, projection, scope, row, pointer)
                }
                Ok((at_end, _)) => at_end,
                Err(other) => return Err(other),
            };
            if end == row {
                value = at_end;
            }
            // This interval comes before the ones already walked.
            found.append(&mut history);
            history = found;
            if history.len() >= at_least || start.is_none() {
                return Ok(Blame {
                    pointer: pointer.to_string(),
                    value,
                    history,
                    error: None,
                    whole: start.is_none(),
                });
            }
            end = start.unwrap_or(0);
        }
    }

    /// Replays rows up to `end` from `from` (a row and the snapshot after
    /// it; the first row when `None`), calling `on_change` for each event
    /// that changed the value at `pointer`. Returns the value after the
    /// last event replayed and where the replay stopped.
    #[allow(clippy::too_many_arguments)]
    fn value_changes(
        &mut self,
        source: &dyn EventSource,
        projection: usize,
        scope: &Scope,
        from: Option<(u64, Snapshot)>,
        end: u64,
        pointer: &str,
        on_change: &mut dyn FnMut(Change),
    ) -> Result<(Option<Value>, Stop), EngineError> {
        let mut current = None;
        let stop = self.fold(
            source,
            projection,
            scope,
            from,
            end,
            pointer,
            &mut |p, event, full| {
                let value = p.value_at(full)?;
                if let Some(event) = event.filter(|_| value != current) {
                    on_change(Change {
                        event: event.clone(),
                        value: value.clone(),
                    });
                }
                current = value;
                Ok(false)
            },
        )?;
        Ok((current, stop))
    }

    /// The history of the value at `pointer` (a JSON Pointer into the state
    /// shown for `scope`) from the first event up to `row`.
    pub fn blame(
        &mut self,
        source: &dyn EventSource,
        projection: usize,
        scope: &Scope,
        row: u64,
        pointer: &str,
    ) -> Result<Blame, EngineError> {
        let mut history = Vec::new();
        let (value, stop) = self.value_changes(
            source,
            projection,
            scope,
            None,
            row,
            pointer,
            &mut |change| history.push(change),
        )?;
        Ok(Blame {
            pointer: pointer.to_string(),
            value,
            history,
            error: match stop {
                Stop::Failed(e) => Some(e),
                _ => None,
            },
            whole: true,
        })
    }

    /// Blame at a point before the scope's first event: the value in the
    /// projection's initial state, changed by no event yet.
    pub fn blame_before_first(
        &mut self,
        projection: usize,
        scope: &Scope,
        pointer: &str,
    ) -> Result<Blame, EngineError> {
        let initial = self.initial(projection, scope)?;
        Ok(Blame {
            pointer: pointer.to_string(),
            value: initial.state.pointer(pointer).cloned(),
            history: Vec::new(),
            error: None,
            whole: true,
        })
    }

    /// Where the state starts to satisfy `matches`: the nearest event after
    /// row `from` (or, going back, at or before it) after which the state
    /// matches while just before it did not. `from` is `None` before the
    /// first event. `None` when no such event lies that way.
    pub fn state_becomes(
        &mut self,
        source: &dyn EventSource,
        projection: usize,
        scope: &Scope,
        from: Option<u64>,
        forward: bool,
        matches: &dyn Fn(&Value) -> bool,
    ) -> Result<Option<Event>, EngineError> {
        let count = source.count(scope)?;
        if count == 0 {
            return Ok(None);
        }
        if !forward {
            // The last change to "matches" up to `from`: one fold from the
            // start, remembering each.
            let Some(end) = from else { return Ok(None) };
            let mut was = false;
            let mut last = None;
            let stop = self.fold(
                source,
                projection,
                scope,
                None,
                end,
                "",
                &mut |p, event, full| {
                    let now = p.value_at(full)?.is_some_and(|v| matches(&v));
                    if let (Some(event), true, false) = (event, now, was) {
                        last = Some(event.clone());
                    }
                    was = now;
                    Ok(false)
                },
            )?;
            if let Stop::Failed(error) = stop {
                return Err(EngineError::Projection(error));
            }
            return Ok(last);
        }
        // Forward: from the state at `from`, kept as a snapshot to resume.
        let start = match from {
            Some(row) => {
                let query = super::Query {
                    projection,
                    scope,
                    row,
                    with_previous: false,
                };
                let at = self.state_at(source, query)?;
                if let Some(error) = at.error {
                    return Err(EngineError::Projection(error));
                }
                let saved = self.projection_mut(projection)?.save()?;
                Some((row, Snapshot::from(saved)))
            }
            None => None,
        };
        let mut was = false;
        let stop = self.fold(
            source,
            projection,
            scope,
            start,
            count - 1,
            "",
            &mut |p, event, full| {
                let now = p.value_at(full)?.is_some_and(|v| matches(&v));
                let became = event.is_some() && now && !was;
                was = now;
                Ok(became)
            },
        )?;
        match stop {
            Stop::Matched(event) => Ok(Some(event)),
            Stop::Failed(error) => Err(EngineError::Projection(error)),
            Stop::End => Ok(None),
        }
    }

    /// The first event of `scope` after which the projected state satisfies
    /// `matches`; `None` when no state up to the end does.
    pub fn first_state_match(
        &mut self,
        source: &dyn EventSource,
        projection: usize,
        scope: &Scope,
        matches: &dyn Fn(&Value) -> bool,
    ) -> Result<Option<Event>, EngineError> {
        let end = source.count(scope)?.saturating_sub(1);
        let stop = self.fold(
            source,
            projection,
            scope,
            None,
            end,
            "",
            &mut |p, event, full| {
                Ok(event.is_some() && p.value_at(full)?.is_some_and(|v| matches(&v)))
            },
        )?;
        match stop {
            Stop::Matched(event) => Ok(Some(event)),
            Stop::Failed(error) => Err(EngineError::Projection(error)),
            Stop::End => Ok(None),
        }
    }

    /// Folds `scope` up to `row` from `from` (a row and the snapshot after
    /// it; the first event when `None`), calling `visit` on the starting
    /// state and after each event; `pointer` is made absolute within a
    /// partitioned state.
    #[allow(clippy::too_many_arguments)]
    fn fold(
        &mut self,
        source: &dyn EventSource,
        projection: usize,
        scope: &Scope,
        from: Option<(u64, Snapshot)>,
        row: u64,
        pointer: &str,
        visit: &mut Visitor<'_>,
    ) -> Result<Stop, EngineError> {
        let first = from.as_ref().map_or(0, |(r, _)| r + 1);
        let p = self.projection_mut(projection)?;
        match &from {
            Some((_, saved)) => p.restore(saved)?,
            None => p.reset(None)?,
        }
        let full = full_pointer(p, source, scope, pointer)?;
        if visit(p, None, &full)? {
            return Ok(Stop::End);
        }
        let count = source.count(scope)?;
        let mut stop = Stop::End;
        let mut visit_error = None;
        source.scan(scope, first, (row + 1).min(count), &mut |event| {
            if let Err(error) = p.apply(event) {
                stop = Stop::Failed(error);
                return false;
            }
            match visit(p, Some(event), &full) {
                Ok(true) => {
                    stop = Stop::Matched(event.clone());
                    false
                }
                Ok(false) => true,
                Err(error) => {
                    visit_error = Some(error);
                    false
                }
            }
        })?;
        // The working state now stands somewhere the engine did not track.
        self.forget_working();
        if let Some(error) = visit_error {
            return Err(EngineError::Projection(error));
        }
        Ok(stop)
    }
}

/// `pointer` made absolute in the projection's own state: a partitioned
/// projection shows one stream's partition, kept under `/partitions/KEY`.
fn full_pointer(
    p: &mut dyn Projection,
    source: &dyn EventSource,
    scope: &Scope,
    pointer: &str,
) -> Result<String, EngineError> {
    Ok(match (scope, source.read_rows(scope, 0, 1)?.first()) {
        (Scope::Stream(_), Some(first)) if p.is_partitioned() => {
            let key = p.partition_of(first)?.unwrap_or_default();
            format!(
                "/partitions/{}{pointer}",
                key.replace('~', "~0").replace('/', "~1")
            )
        }
        _ => pointer.to_string(),
    })
}
