//! `rewind state --all` / `--category` for projections that keep one state
//! per stream (`foreachStream()`, the generic projection): the partitions
//! are folded and written one stream at a time, so memory holds one
//! stream's state, never every partition's history at once.

use anyhow::Result;
use serde_json::{json, Value};

use super::output::Out;
use crate::core::point::Point;
use crate::core::projection::{Engine, ProjectionError, StateAt};
use crate::core::store::{EventSource, Scope};
use crate::core::time::rfc3339_ms;

/// What the partitions were folded up to: the event of the wide scope the
/// point names, or before its first event.
pub struct WideAt<'a> {
    pub scope: &'a Scope,
    pub point: Point,
    /// The event of the wide scope at the point.
    pub event: Option<crate::core::Event>,
    /// For `query`: how many events the scope holds.
    pub events: Option<u64>,
}

impl<'a> WideAt<'a> {
    /// The point `row` of `scope` stands for (`None`: before its first
    /// event), with the event there read once.
    pub fn new(
        source: &dyn EventSource,
        scope: &'a Scope,
        point: Point,
        row: Option<u64>,
        events: Option<u64>,
    ) -> Result<WideAt<'a>> {
        let event = match row {
            Some(row) => source.read_rows(scope, row, 1)?.pop(),
            None => None,
        };
        Ok(WideAt {
            scope,
            point,
            event,
            events,
        })
    }
}

/// Folds every stream of `at.scope` up to the point and writes
/// `{"partitions": {stream: state, ...}}` as it goes (JSON on one line, or
/// pretty text). Streams with no state (none of their events selected) are
/// left out, as a fold of the whole scope leaves them out. Returns the
/// first projection failure, after which no more streams are folded.
pub fn write_partitions(
    out: &mut Out,
    engine: &mut Engine,
    source: &dyn EventSource,
    at: &WideAt<'_>,
    json_output: bool,
) -> Result<Option<ProjectionError>> {
    let (name, generic) = engine.projections().into_iter().next().unwrap_or_default();
    let streams = scope_streams(source, at.scope, engine.selector_scope(0))?;
    let mut writer = PartitionWriter::start(out, json_output, &name, generic, at)?;
    for stream in streams {
        let scope = Scope::Stream(stream.clone());
        let Some(row) = at.point.resolve(source, &scope)? else {
            continue;
        };
        let result = engine.state_at(
            source,
            crate::core::projection::Query {
                projection: 0,
                scope: &scope,
                row,
                with_previous: false,
            },
        )?;
        if let Some(error) = result.error {
            writer.finish(Some(&error))?;
            return Ok(Some(error));
        }
        if !result.state.is_null() {
            writer.partition(&stream, &result)?;
        }
    }
    writer.finish(None)?;
    Ok(None)
}

/// The streams of `scope`, narrowed to the projection's own category.
fn scope_streams(
    source: &dyn EventSource,
    scope: &Scope,
    selector: Option<Scope>,
) -> Result<Vec<String>> {
    let category = match (scope, selector) {
        (Scope::Category(c), _) => Some(c.clone()),
        (Scope::All, Some(Scope::Category(c))) => Some(c),
        _ => None,
    };
    Ok(source
        .streams()?
        .into_iter()
        .filter(|info| category.as_ref().is_none_or(|c| &info.category == c))
        .map(|info| info.stream)
        .collect())
}

/// Writes the object around the partitions, one partition at a time.
struct PartitionWriter<'o> {
    out: &'o mut Out,
    json: bool,
    written: usize,
    /// Text output: the last line of the previous partition, which takes a
    /// comma when another follows.
    pending: Option<String>,
}

impl<'o> PartitionWriter<'o> {
    fn start(
        out: &'o mut Out,
        json_output: bool,
        name: &str,
        generic: bool,
        at: &WideAt<'_>,
    ) -> Result<PartitionWriter<'o>> {
        let event = at.event.as_ref();
        if json_output {
            let mut head = json!({
                "projection": name,
                "scope": at.scope.label(),
                "position": event.map(|e| e.position),
                "time": event.map(|e| rfc3339_ms(e.time_ms)),
            });
            if let Some(events) = at.events {
                head["events"] = json!(events);
            }
            let head = head.to_string();
            // The head without its closing brace, then the state.
            out.json_part(&format!(
                "{},\"state\":{{\"partitions\":{{",
                &head[..head.len() - 1]
            ))?;
        } else {
            let label = if generic {
                format!("{name} (built-in)")
            } else {
                name.to_string()
            };
            let point = match event {
                Some(e) => format!("@{} ({})", e.position, rfc3339_ms(e.time_ms)),
                None => "the start: before the first event, no event applied".to_string(),
            };
            out.text(&format!(
                "{label} over {} at {point}, one state per stream",
                at.scope.label()
            ))?;
            out.text("{")?;
            out.text("  \"partitions\": {")?;
        }
        Ok(PartitionWriter {
            out,
            json: json_output,
            written: 0,
            pending: None,
        })
    }

    fn partition(&mut self, stream: &str, result: &StateAt) -> Result<()> {
        let key = Value::String(stream.to_string()).to_string();
        if self.json {
            let comma = if self.written > 0 { "," } else { "" };
            let state = serde_json::to_string(&result.state)?;
            self.out.json_part(&format!("{comma}{key}:{state}"))?;
        } else {
            if let Some(last) = self.pending.take() {
                self.out.text(&format!("{last},"))?;
            }
            let pretty = serde_json::to_string_pretty(&result.state)?;
            let mut lines: Vec<String> = pretty.lines().map(|l| format!("    {l}")).collect();
            if let Some(first) = lines.first_mut() {
                *first = format!("    {key}: {}", first.trim_start());
            }
            self.pending = lines.pop();
            for line in lines {
                self.out.text(&line)?;
            }
        }
        self.written += 1;
        Ok(())
    }

    fn finish(mut self, error: Option<&ProjectionError>) -> Result<()> {
        if self.json {
            let mut tail = "}}".to_string();
            if let Some(error) = error {
                let error = json!({
                    "position": error.position, "message": error.message, "stack": error.stack,
                });
                tail.push_str(&format!(",\"error\":{error}"));
            }
            tail.push('}');
            self.out.json(&tail)?;
            return Ok(());
        }
        if let Some(last) = self.pending.take() {
            self.out.text(&last)?;
        }
        self.out.text("  }")?;
        self.out.text("}")?;
        if let Some(error) = error {
            self.out.text(&format!("error: {error}"))?;
            if let Some(stack) = &error.stack {
                self.out.text(stack)?;
            }
        }
        Ok(())
    }
}
