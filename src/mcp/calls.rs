//! Answering a tool call: the store is opened read-only for the call, the
//! answer is the JSON the CLI's `--json` prints (`src/core/answers.rs`),
//! paged and capped in size, and an error is the CLI's message.

use std::path::PathBuf;

use rmcp::model::JsonObject;
use serde_json::{json, Value};

use super::params::Params;
pub use crate::core::answers::check_scope;
use crate::core::answers::{event_json, stream_json, type_json};
use crate::core::filter::metadata_matcher;
use crate::core::fuzzy::Fuzzy;
use crate::core::point::Point;
use crate::core::prefilter::Prefilter;
use crate::core::projection::{Engine, ProjectionSpec};
use crate::core::search::{correlation_id, has_correlation, Matcher};
use crate::core::store::{open_with, Backend, EventSource, Scope};
use crate::core::time::now_ms;
use crate::core::Event;

/// The largest answer, in bytes of JSON: a longer list is cut (and says
/// where to go on from), a bigger state says how to ask for part of it.
pub const MAX_ANSWER_BYTES: usize = 256 * 1024;

/// What `rewind mcp` was started on.
pub struct Config {
    pub store: PathBuf,
    pub backend: Option<Backend>,
    pub map: Option<PathBuf>,
    /// The projections the tools can name, the default first; the generic
    /// one is always among them.
    pub projections: Vec<ProjectionSpec>,
    pub snapshot_memory: usize,
}

/// How a call went: an answer, or an error whose structured part (a
/// failing projection's state, position and stack) may say more.
pub enum Outcome {
    Answer(Value),
    Failed {
        message: String,
        detail: Option<Value>,
    },
}

impl From<String> for Outcome {
    fn from(message: String) -> Self {
        Outcome::Failed {
            message,
            detail: None,
        }
    }
}

impl Config {
    pub fn open(&self) -> Result<Box<dyn EventSource>, String> {
        open_with(&self.store, self.backend, self.map.as_deref()).map_err(|e| e.to_string())
    }

    /// The projection a call names (by file name, or "generic"), or the
    /// default one.
    pub fn projection(&self, name: Option<&str>) -> Result<&ProjectionSpec, String> {
        let Some(name) = name else {
            return self.projections.first().ok_or("no projection".into());
        };
        self.projections
            .iter()
            .find(|spec| spec.name() == name)
            .ok_or_else(|| {
                let names: Vec<String> =
                    self.projections.iter().map(ProjectionSpec::name).collect();
                format!(
                    "no projection named {name:?}; there is {}",
                    names.join(", ")
                )
            })
    }

    /// An engine for `spec` over `scope`, as the CLI builds one
    /// ([`Engine::for_scope`]).
    pub fn engine(
        &self,
        source: &dyn EventSource,
        spec: &ProjectionSpec,
        scope: &Scope,
    ) -> Result<Engine, String> {
        let projection = spec
            .load()
            .map_err(|e| format!("loading {}: {e}", spec.label()))?;
        Ok(Engine::for_scope(
            source,
            projection,
            scope,
            self.snapshot_memory,
        ))
    }
}

/// Answers a call to the tool `name`.
pub fn call(config: &Config, name: &str, arguments: &JsonObject) -> Outcome {
    let result = match name {
        "list_streams" => list_streams(config, arguments),
        "event_types" => event_types(config, arguments),
        "read_events" => read_events(config, arguments),
        "get_event" => get_event(config, arguments),
        "search_events" => search_events(config, arguments),
        "correlation" => correlation(config, arguments),
        "state_at" => return super::travel::state_at(config, arguments),
        "diff" => return super::travel::diff(config, arguments),
        "blame" => return super::travel::blame(config, arguments),
        "search_state" => return super::travel::search_state(config, arguments),
        other => Err(format!("no tool named {other:?}")),
    };
    match result {
        Ok(value) => Outcome::Answer(value),
        Err(message) => message.into(),
    }
}

/// Resolves the point written in `argument` (`name`, for the message).
pub fn resolve(
    source: &dyn EventSource,
    scope: &Scope,
    text: &str,
    name: &str,
) -> Result<Option<u64>, String> {
    let point = Point::parse(text, now_ms()).map_err(|e| format!("{name}: {e}"))?;
    if matches!(point, Point::Version(_)) && !scope.is_stream() {
        return Err(format!(
            "{name} {text}: a version belongs to one stream; on a category or the whole store \
             give a position (@1234) or a time"
        ));
    }
    point
        .resolve(source, scope)
        .map_err(|e| format!("{name} {text}: {e}"))
}

fn list_streams(config: &Config, arguments: &JsonObject) -> Result<Value, String> {
    let p = Params::new(arguments, &["filter", "category", "offset", "limit"])?;
    let source = config.open()?;
    let streams = source.streams().map_err(|e| e.to_string())?;
    let category = p.text("category")?;
    let query = p.text("filter")?.unwrap_or_default();
    let order = Fuzzy::default().order(query, streams.iter().map(|s| s.stream.as_str()));
    let order: Vec<usize> = order
        .into_iter()
        .filter(|&i| category.is_none_or(|c| streams[i].category == c))
        .collect();
    let offset = p.number("offset")?.unwrap_or(0) as usize;
    let limit = p.limit("limit", 100, 1000)?;
    let page: Vec<Value> = order
        .iter()
        .skip(offset)
        .take(limit)
        .map(|&i| stream_json(&streams[i]))
        .collect();
    let end = offset + page.len();
    Ok(json!({
        "store": source.label(),
        "total": order.len(),
        "offset": offset,
        "streams": page,
        "next_offset": (end < order.len()).then_some(end),
    }))
}

fn event_types(config: &Config, arguments: &JsonObject) -> Result<Value, String> {
    let p = Params::new(arguments, &["stream", "category"])?;
    let scope = p.scope()?;
    let source = config.open()?;
    check_scope(source.as_ref(), &scope)?;
    let counts = source.type_counts(&scope).map_err(|e| e.to_string())?;
    Ok(json!({
        "scope": scope.label(),
        "types": counts.iter().map(type_json).collect::<Vec<_>>(),
    }))
}

fn read_events(config: &Config, arguments: &JsonObject) -> Result<Value, String> {
    let known = [
        "stream", "category", "from", "offset", "limit", "types", "metadata",
    ];
    let p = Params::new(arguments, &known)?;
    let scope = p.scope()?;
    let source = config.open()?;
    check_scope(source.as_ref(), &scope)?;
    let start = match (p.number("offset")?, p.text("from")?) {
        (Some(offset), _) => offset,
        (None, Some(from)) => first_row_from(source.as_ref(), &scope, from)?,
        (None, None) => 0,
    };
    let types = p.texts("types")?;
    let metadata = match p.text("metadata")? {
        Some(text) => Some(metadata_matcher(text)?),
        None => None,
    };
    let keep = |event: &Event| {
        (types.is_empty() || types.contains(&event.event_type))
            && metadata.as_ref().is_none_or(|m| m.matches_event(event))
    };
    let mut prefilter = Prefilter::event_types(&types);
    if let Some(m) = &metadata {
        prefilter = prefilter.and(Prefilter::of(m));
    }
    let limit = p.limit("limit", 50, 500)?;
    let page = scan_page(source.as_ref(), &scope, (start, limit), &prefilter, &keep)?;
    Ok(page.json(&scope))
}

/// The first row at or after the point `from`: the event a version or a
/// position names, or the first one at or after a time.
fn first_row_from(source: &dyn EventSource, scope: &Scope, from: &str) -> Result<u64, String> {
    let point = Point::parse(from, now_ms()).map_err(|e| format!("from: {e}"))?;
    let before = |row: Option<u64>| row.map_or(0, |r| r + 1);
    let store = |e: crate::core::StoreError| e.to_string();
    Ok(match point {
        Point::Version(_) => resolve(source, scope, from, "from")?.unwrap_or(0),
        Point::Position(p) => before(
            source
                .row_at_or_before_position(scope, p - 1)
                .map_err(store)?,
        ),
        Point::Time(ms) => before(source.row_at_or_before_time(scope, ms - 1).map_err(store)?),
        Point::Latest => source.count(scope).map_err(store)?.saturating_sub(1),
    })
}

/// Events of a scope that pass a test, with the row each was read at.
struct Page {
    events: Vec<(u64, Value)>,
    /// Where to go on from, when the scope goes on.
    next: Option<u64>,
    cut_for_size: bool,
}

impl Page {
    fn json(&self, scope: &Scope) -> Value {
        let mut value = json!({
            "scope": scope.label(),
            "events": self.events.iter().map(|(_, e)| e).collect::<Vec<_>>(),
            "next_offset": self.next,
        });
        if self.cut_for_size {
            value["note"] = json!(format!(
                "cut at {} KB of JSON; go on from next_offset",
                MAX_ANSWER_BYTES / 1024
            ));
        }
        value
    }
}

/// Up to `limit` events of `scope` from row `start` that `keep` accepts,
/// at most [`MAX_ANSWER_BYTES`] of them.
fn scan_page(
    source: &dyn EventSource,
    scope: &Scope,
    (start, limit): (u64, usize),
    prefilter: &Prefilter,
    keep: &dyn Fn(&Event) -> bool,
) -> Result<Page, String> {
    let end = source.count(scope).map_err(|e| e.to_string())?;
    let mut page = Page {
        events: Vec::new(),
        next: None,
        cut_for_size: false,
    };
    let mut bytes = 0;
    source
        .scan_candidates(scope, start, end, prefilter, &mut |row, event| {
            let Some(event) = event else { return true };
            if page.events.len() >= limit {
                page.next = Some(row);
                return false;
            }
            if keep(event) {
                let value = event_json(event);
                bytes += value.to_string().len();
                if bytes > MAX_ANSWER_BYTES && !page.events.is_empty() {
                    page.next = Some(row);
                    page.cut_for_size = true;
                    return false;
                }
                page.events.push((row, value));
            }
            true
        })
        .map_err(|e| e.to_string())?;
    Ok(page)
}

fn get_event(config: &Config, arguments: &JsonObject) -> Result<Value, String> {
    let p = Params::new(arguments, &["position", "id"])?;
    let source = config.open()?;
    let event = match (p.number("position")?, p.text("id")?) {
        (Some(position), _) => event_at(source.as_ref(), position as i64)?,
        (None, Some(id)) => find_by_id(source.as_ref(), id)?,
        (None, None) => return Err("give the event's position or id".into()),
    };
    Ok(event_json(&event))
}

/// The event at `position`, or the CLI's message for a position not there.
fn event_at(source: &dyn EventSource, position: i64) -> Result<Event, String> {
    source
        .event_at_position(position)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| {
            format!(
                "no event at position {position} in {} (positions run from 1 to {})",
                source.label(),
                source.head_position().unwrap_or(0)
            )
        })
}

fn find_by_id(source: &dyn EventSource, id: &str) -> Result<Event, String> {
    let end = source.count(&Scope::All).map_err(|e| e.to_string())?;
    let mut found = None;
    source
        .scan(&Scope::All, 0, end, &mut |event| {
            if event.id == id {
                found = Some(event.clone());
            }
            found.is_none()
        })
        .map_err(|e| e.to_string())?;
    found.ok_or_else(|| format!("no event with id {id:?} in {}", source.label()))
}

fn search_events(config: &Config, arguments: &JsonObject) -> Result<Value, String> {
    let p = Params::new(
        arguments,
        &["query", "stream", "category", "offset", "limit"],
    )?;
    let query = p.required_text("query")?;
    let matcher = Matcher::parse(query)?;
    let scope = p.scope()?;
    let source = config.open()?;
    check_scope(source.as_ref(), &scope)?;
    let start = p.number("offset")?.unwrap_or(0);
    let limit = p.limit("limit", 50, 500)?;
    let prefilter = Prefilter::of(&matcher);
    let page = scan_page(source.as_ref(), &scope, (start, limit), &prefilter, &|e| {
        matcher.matches_event(e)
    })?;
    let mut value = page.json(&scope);
    value["query"] = json!(query);
    Ok(value)
}

fn correlation(config: &Config, arguments: &JsonObject) -> Result<Value, String> {
    let p = Params::new(arguments, &["correlation_id", "position", "limit"])?;
    let source = config.open()?;
    let id = match (p.text("correlation_id")?, p.number("position")?) {
        (Some(id), _) => id.to_string(),
        (None, Some(position)) => {
            let event = event_at(source.as_ref(), position as i64)?;
            correlation_id(&event)
                .ok_or_else(|| format!("the event at @{position} has no correlation id"))?
        }
        (None, None) => return Err("give a correlation_id or an event's position".into()),
    };
    let limit = p.limit("limit", 200, 1000)?;
    let prefilter = Prefilter::correlation(&id);
    let page = scan_page(source.as_ref(), &Scope::All, (0, limit), &prefilter, &|e| {
        has_correlation(e, &id)
    })?;
    let streams: std::collections::BTreeSet<&str> = page
        .events
        .iter()
        .filter_map(|(_, e)| e["stream"].as_str())
        .collect();
    let mut value = page.json(&Scope::All);
    value["correlation_id"] = json!(id);
    value["streams"] = json!(streams);
    Ok(value)
}
