//! The JSON shapes of Rewind's answers: what `--json` prints and what the
//! MCP server returns, built in one place so both say the same thing.
//! Every answer cites the positions and versions it stands on.

use serde_json::{json, Value};

use crate::core::diff::{diff as diff_states, PatchOp};
use crate::core::ndjson::EventJson;
use crate::core::projection::travel::Blame;
use crate::core::projection::{Engine, Query, StateAt};
use crate::core::store::{EventSource, Scope, StreamInfo, TypeCount};
use crate::core::time::rfc3339_ms;
use crate::core::Event;

/// Fails with a helpful message when a named stream does not exist (the
/// same words from the CLI and the MCP server).
pub fn check_scope(source: &dyn EventSource, scope: &Scope) -> Result<(), String> {
    if let Scope::Stream(stream) = scope {
        if source
            .stream_info(stream)
            .map_err(|e| e.to_string())?
            .is_none()
        {
            return Err(format!(
                "no stream named '{stream}' in {} (list them with `rewind streams`)",
                source.label()
            ));
        }
    }
    Ok(())
}

/// A stream of `rewind streams --json`.
pub fn stream_json(s: &StreamInfo) -> Value {
    json!({
        "stream": s.stream, "category": s.category, "version": s.last_version,
        "count": s.count, "first_time": rfc3339_ms(s.first_time_ms),
        "last_time": rfc3339_ms(s.last_time_ms),
    })
}

/// An event type and its count, of `rewind types --json`.
pub fn type_json(t: &TypeCount) -> Value {
    json!({"type": t.event_type, "count": t.count})
}

/// A whole event, as `show --json` and `log --json` print it: its data and
/// metadata as stored, numbers and all.
pub fn event_json(event: &Event) -> Value {
    serde_json::to_value(EventJson::new(event)).unwrap_or(Value::Null)
}

/// An event in a list of changes: where it is and what it was.
pub fn event_summary(event: &Event) -> Value {
    json!({
        "version": event.version, "position": event.position,
        "type": event.event_type, "time": rfc3339_ms(event.time_ms),
    })
}

/// Where a state stands: its event's version, position and time (all null
/// before the first event).
pub fn point_json(state: &StateAt) -> Value {
    let event = state.event.as_ref();
    json!({
        "version": event.map(|e| e.version),
        "position": event.map(|e| e.position),
        "time": event.map(|e| rfc3339_ms(e.time_ms)),
    })
}

/// The state of `rewind state --json`: the projection, where it stands,
/// the state, and the handler's logs, would-be emits and error.
pub fn state_json(result: &StateAt) -> Value {
    let event = result.event.as_ref();
    let mut object = json!({
        "projection": result.projection,
    });
    match &result.scope {
        Scope::Stream(stream) => {
            object["stream"] = json!(stream);
            object["version"] = json!(event.map(|e| e.version));
        }
        other => object["scope"] = json!(other.label()),
    }
    object["position"] = json!(event.map(|e| e.position));
    object["time"] = json!(event.map(|e| rfc3339_ms(e.time_ms)));
    object["state"] = result.state.clone();
    if let Some(partition) = &result.partition {
        object["partition"] = json!(partition);
    }
    if !result.output.logs.is_empty() {
        object["logs"] = json!(result.output.logs);
    }
    if !result.output.emitted.is_empty() {
        object["would_emit"] = json!(result.output.emitted);
    }
    if let Some(error) = &result.error {
        object["error"] = json!({
            "position": error.position, "message": error.message, "stack": error.stack,
        });
    }
    object
}

/// The state at `row` of `scope` (projection 0), or before the scope's
/// first event when `None`.
pub fn state_at_row(
    engine: &mut Engine,
    source: &dyn EventSource,
    scope: &Scope,
    row: Option<u64>,
) -> Result<StateAt, crate::core::projection::EngineError> {
    match row {
        Some(row) => engine.state_at(
            source,
            Query {
                projection: 0,
                scope,
                row,
                with_previous: false,
            },
        ),
        None => engine.initial(0, scope),
    }
}

/// What changed between two points of a stream, and the events that did it.
pub struct DiffAnswer {
    pub from: StateAt,
    pub to: StateAt,
    pub patch: Vec<PatchOp>,
    /// The events after the earlier point, up to and including the later.
    pub between: Vec<Event>,
}

impl DiffAnswer {
    /// The diff from row `from` to row `to` of `scope` (`None`: before the
    /// first event), with at most `max_events` of the events between.
    pub fn compute(
        engine: &mut Engine,
        source: &dyn EventSource,
        scope: &Scope,
        (from, to): (Option<u64>, Option<u64>),
        max_events: usize,
    ) -> Result<DiffAnswer, crate::core::projection::EngineError> {
        let a = state_at_row(engine, source, scope, from)?;
        let b = state_at_row(engine, source, scope, to)?;
        let patch = diff_states(&a.state, &b.state);
        let (low, high) = (from.min(to), from.max(to));
        let first = low.map_or(0, |row| row + 1);
        let between = match high {
            Some(high) if high + 1 > first => {
                let n = ((high + 1 - first) as usize).min(max_events);
                source.read_rows(scope, first, n)?
            }
            _ => Vec::new(),
        };
        Ok(DiffAnswer {
            from: a,
            to: b,
            patch,
            between,
        })
    }

    /// How many events lie between the two points, listed or not.
    pub fn event_count(&self) -> u64 {
        let row = |s: &StateAt| s.row.map_or(0, |r| r + 1);
        row(&self.from).abs_diff(row(&self.to))
    }

    /// The shape of `rewind diff --json`.
    pub fn json(&self, stream: &str) -> Value {
        let events: Vec<Value> = self.between.iter().map(event_summary).collect();
        json!({
            "projection": self.from.projection, "stream": stream,
            "from": point_json(&self.from), "to": point_json(&self.to),
            "patch": self.patch, "events": events,
        })
    }
}

/// The shape of `rewind blame --json`: the value, the event that last set
/// it, and the field's history, oldest first (the newest `max_history`).
pub fn blame_json(blame: &Blame, max_history: usize) -> Value {
    let last = blame.last().map(|c| &c.event);
    let skip = blame.history.len().saturating_sub(max_history);
    let history: Vec<Value> = blame.history[skip..]
        .iter()
        .map(|c| {
            let mut entry = event_summary(&c.event);
            entry["value"] = c.value.clone().unwrap_or(Value::Null);
            entry
        })
        .collect();
    let mut value = json!({
        "path": blame.pointer,
        "value": blame.value,
        "version": last.map(|e| e.version),
        "position": last.map(|e| e.position),
        "type": last.map(|e| e.event_type.clone()),
        "time": last.map(|e| rfc3339_ms(e.time_ms)),
        "id": last.map(|e| e.id.clone()),
        "history": history,
    });
    if skip > 0 {
        value["history_omitted"] = json!(skip);
    }
    value
}
