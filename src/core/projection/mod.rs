//! The projection engine: the state of a scope at any event, as a fold of
//! the events before it. Projections are written by users (JavaScript in
//! the KurrentDB style, or an external command running their own reducer)
//! or built in ([`generic::Generic`], used when none is given).
//!
//! The [`engine::Engine`] keeps snapshots so that a jump anywhere replays at
//! most a bounded number of events, and a step forward applies one.

pub mod cache;
pub mod engine;
pub mod external;
pub mod generic;
pub mod js;
pub mod partitions;
pub mod shipped;
pub mod snapshots;
mod targets;
pub mod travel;

use serde_json::Value;

use crate::core::event::Event;

pub use engine::{
    Engine, EngineError, Progress, Query, Snapshot, StateAt, DEFAULT_SNAPSHOT_MEMORY,
};

/// A projection's state, as JSON.
pub type State = Value;

/// A failure inside a projection: user code that threw, timed out or
/// returned something that is not JSON. The state before the failing event
/// stays visible; the error says where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("projection '{projection}' failed{}: {message}", at_position(*.position))]
pub struct ProjectionError {
    pub projection: String,
    /// The global position of the event being applied, if any.
    pub position: Option<i64>,
    pub message: String,
    /// The JavaScript stack, when there is one.
    pub stack: Option<String>,
}

fn at_position(position: Option<i64>) -> String {
    position.map_or_else(String::new, |p| format!(" at position {p}"))
}

impl ProjectionError {
    pub fn new(projection: &str, position: Option<i64>, message: impl Into<String>) -> Self {
        ProjectionError {
            projection: projection.to_string(),
            position,
            message: message.into(),
            stack: None,
        }
    }
}

/// What a projection said while applying events: `log(...)` lines and the
/// events it would have emitted or linked (never written to the store).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Output {
    pub logs: Vec<String>,
    pub emitted: Vec<Value>,
}

impl Output {
    pub fn is_empty(&self) -> bool {
        self.logs.is_empty() && self.emitted.is_empty()
    }
}

/// A fold over events. The engine drives it: [`Projection::reset`] to a
/// known state, [`Projection::apply`] events in order, then
/// [`Projection::state`] to read the result. Keeping the working state
/// inside the projection lets a JavaScript fold run without converting the
/// state to JSON at every event.
pub trait Projection {
    /// The name shown in the explorer and in JSON output (its file name).
    fn name(&self) -> &str;

    /// True for the built-in projection, which the explorer labels generic.
    fn is_generic(&self) -> bool {
        false
    }

    /// A hash of the projection's source; snapshots taken under another
    /// source are never used.
    fn source_hash(&self) -> String;

    /// True when a state this projection hands out can be resumed in a
    /// later session, so its snapshots may be kept on disk.
    fn persistable(&self) -> bool {
        true
    }

    /// True when the projection keeps one state per partition
    /// (`foreachStream()` or `partitionBy`); its state is then
    /// `{"partitions": {key: state}}`.
    fn is_partitioned(&self) -> bool {
        false
    }

    /// True when each stream's state depends on that stream's events
    /// alone (`foreachStream()`, the generic projection): the state at an
    /// event of a category or `$all`, for that event's stream, is then a
    /// fold of the stream only.
    fn folds_per_stream(&self) -> bool {
        false
    }

    /// Makes `state` the working state; the initial state when `None`.
    fn reset(&mut self, state: Option<&State>) -> Result<(), ProjectionError>;

    /// The working state as compact JSON text, for a snapshot that
    /// [`Projection::restore`] resumes from.
    fn save(&mut self) -> Result<String, ProjectionError> {
        Ok(self.state()?.to_string())
    }

    /// Makes a state saved by [`Projection::save`] the working state.
    fn restore(&mut self, saved: &str) -> Result<(), ProjectionError> {
        let state: State = serde_json::from_str(saved).map_err(|e| {
            ProjectionError::new(self.name(), None, format!("a snapshot is not JSON: {e}"))
        })?;
        self.reset(Some(&state))
    }

    /// Folds one event into the working state. Every event of the scope is
    /// passed in order; a projection ignores the ones its selector does not
    /// select. On error the working state is the state before the event.
    fn apply(&mut self, event: &Event) -> Result<(), ProjectionError>;

    /// The working state as JSON.
    fn state(&mut self) -> Result<State, ProjectionError>;

    /// Logs and would-be emits since the last call.
    fn take_output(&mut self) -> Output {
        Output::default()
    }

    /// The value at a JSON Pointer into the working state; `None` when
    /// absent. Blame calls this after every event, so projections with a
    /// large state should answer without building all of it.
    fn value_at(&mut self, pointer: &str) -> Result<Option<Value>, ProjectionError> {
        Ok(self.state()?.pointer(pointer).cloned())
    }

    /// The scope the projection's selector reads (`fromStream`,
    /// `fromCategory`), so a query folds only that; `None`: everything.
    fn selector_scope(&self) -> Option<crate::core::store::Scope> {
        None
    }

    /// The partition `event` falls in, for partitioned projections.
    fn partition_of(&mut self, _event: &Event) -> Result<Option<String>, ProjectionError> {
        Ok(None)
    }

    /// Which streams the projection reads (`fromAll`, `fromCategory`,
    /// `fromStream(s)`); everything unless it says otherwise.
    fn selector(&self) -> Selector {
        Selector::All
    }
}

/// The streams a projection's selector reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    All,
    Category(String),
    Streams(std::collections::BTreeSet<String>),
}

impl Selector {
    /// How closely the selector names `stream`: `None` when it does not
    /// read it; else 0 for every stream, 1 for its category, 2 for the
    /// stream by name. The closest projection is the one to show first.
    pub fn covers(&self, stream: &str) -> Option<u8> {
        match self {
            Selector::All => Some(0),
            Selector::Category(category) => {
                (crate::core::event::category_of(stream) == category).then_some(1)
            }
            Selector::Streams(streams) => streams.contains(stream).then_some(2),
        }
    }

    /// The selector as the projection wrote it, for messages.
    pub fn describe(&self) -> String {
        match self {
            Selector::All => "fromAll()".to_string(),
            Selector::Category(category) => format!("fromCategory('{category}')"),
            Selector::Streams(streams) => {
                let names: Vec<String> = streams.iter().map(|s| format!("'{s}'")).collect();
                format!("fromStreams({})", names.join(", "))
            }
        }
    }
}

/// How a user names a projection on the command line. Projections are
/// built from specs inside the thread that runs them, because a JavaScript
/// runtime cannot move between threads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectionSpec {
    /// The built-in generic projection.
    Generic,
    /// A KurrentDB-style JavaScript projection file.
    JavaScript(std::path::PathBuf),
    /// An external reducer speaking the NDJSON protocol on stdin/stdout.
    Command(String),
    /// One of the projections shipped in the binary (`assets/projections`),
    /// by file name.
    Shipped(&'static str),
}

impl ProjectionSpec {
    /// The name it is shown and asked for by: its file name (`bank.js`),
    /// the command, or `generic`.
    pub fn name(&self) -> String {
        match self {
            ProjectionSpec::Generic => "generic".to_string(),
            ProjectionSpec::JavaScript(path) => path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string()),
            ProjectionSpec::Command(command) => command.clone(),
            ProjectionSpec::Shipped(name) => name.to_string(),
        }
    }

    /// How messages name it: the file, the command, or `generic`.
    pub fn label(&self) -> String {
        match self {
            ProjectionSpec::Generic => "generic".to_string(),
            ProjectionSpec::JavaScript(path) => path.display().to_string(),
            ProjectionSpec::Command(command) => command.clone(),
            ProjectionSpec::Shipped(name) => format!("{name} (shipped)"),
        }
    }

    pub fn load(&self) -> Result<Box<dyn Projection>, ProjectionError> {
        match self {
            ProjectionSpec::Generic => Ok(Box::new(generic::Generic::default())),
            ProjectionSpec::JavaScript(path) => Ok(Box::new(js::JsProjection::load(path)?)),
            ProjectionSpec::Command(command) => {
                Ok(Box::new(external::ExternalProjection::spawn(command)?))
            }
            ProjectionSpec::Shipped(name) => {
                let source = shipped::source(name).ok_or_else(|| {
                    ProjectionError::new(name, None, format!("no shipped projection {name}"))
                })?;
                Ok(Box::new(js::JsProjection::from_source(
                    name,
                    source,
                    js::Limits::default(),
                )?))
            }
        }
    }
}
