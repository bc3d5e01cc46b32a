//! Questions that need every state along the way, not just one: which
//! event last changed a field (blame), and at which event the state first
//! matched something (search in state).

use serde_json::Value;

use super::engine::{Engine, EngineError};
use super::{Projection, ProjectionError};
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

impl Engine {
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
        let mut current: Option<Value> = None;
        let stop = self.fold_from_start(
            source,
            projection,
            scope,
            row,
            pointer,
            &mut |p, event, full| {
                let value = p.value_at(full)?;
                if event.is_none() || value != current {
                    if let Some(event) = event {
                        history.push(Change {
                            event: event.clone(),
                            value: value.clone(),
                        });
                    }
                    current = value;
                }
                Ok(false)
            },
        )?;
        Ok(Blame {
            pointer: pointer.to_string(),
            value: current,
            history,
            error: match stop {
                Stop::Failed(e) => Some(e),
                _ => None,
            },
        })
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
        let stop =
            self.fold_from_start(source, projection, scope, end, "", &mut |p, event, full| {
                Ok(event.is_some() && p.value_at(full)?.is_some_and(|v| matches(&v)))
            })?;
        match stop {
            Stop::Matched(event) => Ok(Some(event)),
            Stop::Failed(error) => Err(EngineError::Projection(error)),
            Stop::End => Ok(None),
        }
    }

    /// Folds `scope` from its first event to `row`, calling `visit` after
    /// each event; `pointer` is made absolute within a partitioned state.
    fn fold_from_start(
        &mut self,
        source: &dyn EventSource,
        projection: usize,
        scope: &Scope,
        row: u64,
        pointer: &str,
        visit: &mut Visitor<'_>,
    ) -> Result<Stop, EngineError> {
        let p = self.projection_mut(projection)?;
        p.reset(None)?;
        let full = match (scope, source.read_rows(scope, 0, 1)?.first()) {
            (Scope::Stream(_), Some(first)) if p.is_partitioned() => {
                let key = p.partition_of(first)?.unwrap_or_default();
                format!(
                    "/partitions/{}{pointer}",
                    key.replace('~', "~0").replace('/', "~1")
                )
            }
            _ => pointer.to_string(),
        };
        if visit(p, None, &full)? {
            return Ok(Stop::End);
        }
        let count = source.count(scope)?;
        let mut stop = Stop::End;
        let mut visit_error = None;
        source.scan(scope, 0, (row + 1).min(count), &mut |event| {
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
