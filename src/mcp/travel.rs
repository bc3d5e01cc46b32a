//! The tools that fold a projection: `state_at`, `diff`, `blame` and
//! `search_state`, answering as `rewind state/diff/blame/search --json`
//! do. A failing projection is a tool error carrying the CLI's message and
//! the failure's position and stack.

use rmcp::model::JsonObject;
use serde_json::{json, Value};

use super::calls::{check_scope, resolve, Config, Outcome, MAX_ANSWER_BYTES};
use super::params::Params;
use crate::cli::output::{Buffer, Out};
use crate::cli::partitions::{write_partitions, WideAt};
use crate::core::answers::{blame_json, event_json, state_at_row, state_json, DiffAnswer};
use crate::core::point::Point;
use crate::core::projection::ProjectionError;
use crate::core::search::Matcher;
use crate::core::store::{EventSource, Scope};
use crate::core::time::now_ms;

/// Events a diff lists between its points, at most.
const MAX_DIFF_EVENTS: usize = 500;
/// Changes a blame's history lists, the newest ones, at most.
const MAX_HISTORY: usize = 500;

/// Runs `work`, turning its error text into a failed outcome.
fn outcome(work: impl FnOnce() -> Result<Outcome, String>) -> Outcome {
    work().unwrap_or_else(Outcome::from)
}

/// A projection's failure, as the CLI words it, with `answer` (which holds
/// the state before the failing event) as the detail.
fn failed(error: &ProjectionError, answer: Value) -> Outcome {
    Outcome::Failed {
        message: format!("{error} (the state shown is the one before the failing event)"),
        detail: Some(answer),
    }
}

pub fn state_at(config: &Config, arguments: &JsonObject) -> Outcome {
    outcome(|| {
        let known = ["stream", "category", "at", "projection", "path"];
        let p = Params::new(arguments, &known)?;
        let scope = p.scope()?;
        let source = config.open()?;
        check_scope(source.as_ref(), &scope)?;
        let at = p.text("at")?.unwrap_or("latest");
        let row = resolve(source.as_ref(), &scope, at, "at")?;
        let spec = config.projection(p.text("projection")?)?;
        let mut engine = config.engine(source.as_ref(), spec, &scope)?;
        let (mut answer, failure) = if !scope.is_stream() && engine.folds_per_stream(0) {
            let point = Point::parse(at, now_ms()).map_err(|e| format!("at: {e}"))?;
            partitions(&mut engine, source.as_ref(), &scope, point, row)?
        } else {
            let result = state_at_row(&mut engine, source.as_ref(), &scope, row)
                .map_err(|e| e.to_string())?;
            (state_json(&result), result.error)
        };
        if let Some(path) = p.text("path")? {
            let part = answer["state"].pointer(path).cloned().ok_or_else(|| {
                format!("the state has nothing at {path} (a JSON Pointer such as /balance)")
            })?;
            answer["path"] = json!(path);
            answer["state"] = part;
        }
        let size = answer.to_string().len();
        if size > MAX_ANSWER_BYTES {
            return Err(format!(
                "the state is {} KB of JSON, more than the {} KB an answer holds: ask for a \
                 part of it with path (a JSON Pointer){}",
                size / 1024,
                MAX_ANSWER_BYTES / 1024,
                if scope.is_stream() {
                    ""
                } else {
                    ", or for one stream"
                }
            ));
        }
        Ok(match failure {
            Some(error) => failed(&error, answer),
            None => Outcome::Answer(answer),
        })
    })
}

/// `rewind state --category/--all --json` for a projection that keeps one
/// state per stream, written into memory the way the CLI writes it.
fn partitions(
    engine: &mut crate::core::projection::Engine,
    source: &dyn EventSource,
    scope: &Scope,
    point: Point,
    row: Option<u64>,
) -> Result<(Value, Option<ProjectionError>), String> {
    let buffer = Buffer::with_cap(MAX_ANSWER_BYTES * 4);
    let mut out = Out::memory(buffer.clone());
    let at = WideAt::new(source, scope, point, row, None).map_err(|e| e.to_string())?;
    let failure = write_partitions(&mut out, engine, source, &at, true)
        .map_err(|e| format!("{e:#}: ask for one stream, or a part of the state with path"))?;
    out.finish().map_err(|e| e.to_string())?;
    let answer = serde_json::from_slice(&buffer.take()).map_err(|e| e.to_string())?;
    Ok((answer, failure))
}

pub fn diff(config: &Config, arguments: &JsonObject) -> Outcome {
    outcome(|| {
        let p = Params::new(arguments, &["stream", "from", "to", "projection"])?;
        let stream = p.required_text("stream")?;
        let scope = Scope::Stream(stream.to_string());
        let source = config.open()?;
        check_scope(source.as_ref(), &scope)?;
        let from = resolve(source.as_ref(), &scope, p.required_text("from")?, "from")?;
        let to_text = p.text("to")?.unwrap_or("latest");
        let to = resolve(source.as_ref(), &scope, to_text, "to")?;
        let spec = config.projection(p.text("projection")?)?;
        let mut engine = config.engine(source.as_ref(), spec, &scope)?;
        let answer = DiffAnswer::compute(
            &mut engine,
            source.as_ref(),
            &scope,
            (from, to),
            MAX_DIFF_EVENTS,
        )
        .map_err(|e| e.to_string())?;
        let mut value = answer.json(stream);
        let omitted = answer.event_count() - answer.between.len() as u64;
        if omitted > 0 {
            value["events_omitted"] = json!(omitted);
        }
        Ok(
            match answer.from.error.as_ref().or(answer.to.error.as_ref()) {
                Some(error) => failed(error, value),
                None => Outcome::Answer(value),
            },
        )
    })
}

pub fn blame(config: &Config, arguments: &JsonObject) -> Outcome {
    outcome(|| {
        let p = Params::new(arguments, &["stream", "path", "at", "projection"])?;
        let stream = p.required_text("stream")?;
        let path = p.required_text("path")?;
        if !path.is_empty() && !path.starts_with('/') {
            return Err(format!(
                "path {path:?} is not a JSON Pointer: write it like /balance or /items/0/sku"
            ));
        }
        let scope = Scope::Stream(stream.to_string());
        let source = config.open()?;
        check_scope(source.as_ref(), &scope)?;
        let row = resolve(
            source.as_ref(),
            &scope,
            p.text("at")?.unwrap_or("latest"),
            "at",
        )?;
        let spec = config.projection(p.text("projection")?)?;
        let mut engine = config.engine(source.as_ref(), spec, &scope)?;
        let blame = match row {
            Some(row) => engine.blame(source.as_ref(), 0, &scope, row, path),
            None => engine.blame_before_first(0, &scope, path),
        }
        .map_err(|e| e.to_string())?;
        let value = blame_json(&blame, MAX_HISTORY);
        Ok(match &blame.error {
            Some(error) => Outcome::Failed {
                message: error.to_string(),
                detail: Some(value),
            },
            None => Outcome::Answer(value),
        })
    })
}

pub fn search_state(config: &Config, arguments: &JsonObject) -> Outcome {
    outcome(|| {
        let known = ["query", "stream", "category", "from", "projection"];
        let p = Params::new(arguments, &known)?;
        let query = p.required_text("query")?;
        let matcher = Matcher::parse(query)?;
        let scope = p.scope()?;
        let source = config.open()?;
        check_scope(source.as_ref(), &scope)?;
        let spec = config.projection(p.text("projection")?)?;
        let mut engine = config.engine(source.as_ref(), spec, &scope)?;
        let matches = |state: &Value| matcher.matches_state(state);
        let found = match p.text("from")? {
            None => engine.first_state_match(source.as_ref(), 0, &scope, &matches),
            Some(from) => {
                let row = resolve(source.as_ref(), &scope, from, "from")?;
                engine.state_becomes(source.as_ref(), 0, &scope, row, true, &matches)
            }
        }
        .map_err(|e| e.to_string())?;
        Ok(Outcome::Answer(json!({
            "scope": scope.label(),
            "query": query,
            "found": found.as_ref().map(event_json),
        })))
    })
}
