//! JavaScript projections in the KurrentDB style, run in an embedded
//! QuickJS sandbox ([`runtime`]).
//!
//! ```js
//! fromCategory('account')
//!   .foreachStream()
//!   .when({
//!     $init: () => ({ balance: 0 }),
//!     FundsDeposited: (s, e) => { s.balance += e.data.amount; },
//!   });
//! ```
//!
//! The working state stays a JavaScript value inside the runtime between
//! events; it only becomes JSON when [`Projection::state`] is asked for it
//! (the engine does so at snapshots and at the event shown). Events are
//! handed over as their raw text and parsed inside JavaScript. Events the
//! selector does not select, and events of types without a handler, are
//! skipped on the Rust side without entering JavaScript at all
//! ([`routing`]).

mod definition;
mod replay_log;
mod routing;
mod runtime;

#[cfg(test)]
mod failure_tests;
#[cfg(test)]
mod semantics_tests;
#[cfg(test)]
mod tests;

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::{Output, Projection, ProjectionError, State};
use crate::core::event::Event;
use crate::core::hash::to_hex;
use definition::{load_message, Definition, Partitioning, SelectorKind};
use replay_log::ReplayLog;
use routing::{stream_partition, Route, Router};
pub use runtime::Limits;
use runtime::{Call, Failure, Sandbox};

/// Reshaped states remembered so that a snapshot of one can be resumed.
const MAX_SHAPED: usize = 50_000;
/// Events kept to rebuild the state before a failing event; past this, a
/// checkpoint of the state is taken.
const MAX_SINCE_CHECKPOINT: usize = 4096;

/// A known state from which the working state can be rebuilt: handlers
/// mutate the state in place, so when one throws halfway through, the
/// state before the event is rebuilt from the last checkpoint and the
/// events applied since.
#[derive(Debug, Clone)]
enum Checkpoint {
    Initial,
    Json(String),
    /// The state could not be turned into JSON; nothing to rebuild from.
    Unavailable,
}

/// A loaded JavaScript projection.
pub struct JsProjection {
    name: String,
    hash: String,
    sandbox: Sandbox,
    router: Router,
    partitioning: Partitioning,
    /// The prelude's number for each event type with a handler or an
    /// upcaster.
    type_index: HashMap<String, i32>,
    shaped: bool,
    /// A shared state beside the partitions, which every event may change.
    bi_state: bool,
    /// For projections using transformBy/filterBy: the working state behind
    /// each reshaped state handed out, keyed by a hash of its JSON.
    unshaped: HashMap<u64, String>,
    warnings: Vec<String>,
    checkpoint: Checkpoint,
    since_checkpoint: ReplayLog,
}

impl JsProjection {
    /// Loads a projection file with the default [`Limits`]; its name is the
    /// file name.
    pub fn load(path: &Path) -> Result<JsProjection, ProjectionError> {
        JsProjection::load_with_limits(path, Limits::default())
    }

    pub fn load_with_limits(path: &Path, limits: Limits) -> Result<JsProjection, ProjectionError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let bytes = std::fs::read(path).map_err(|e| {
            ProjectionError::new(&name, None, format!("cannot read {}: {e}", path.display()))
        })?;
        let source = String::from_utf8(bytes).map_err(|_| {
            ProjectionError::new(&name, None, format!("{} is not UTF-8 text", path.display()))
        })?;
        JsProjection::from_source(&name, &source, limits)
    }

    /// Builds a projection from source text; `name` stands for the file
    /// name in messages and stacks.
    pub fn from_source(
        name: &str,
        source: &str,
        limits: Limits,
    ) -> Result<JsProjection, ProjectionError> {
        let at_load = |failure: Failure| ProjectionError {
            projection: name.to_string(),
            position: None,
            message: load_message(name, &failure),
            stack: failure.stack,
        };
        let sandbox = Sandbox::new(limits).map_err(at_load)?;
        sandbox.load(name, source).map_err(at_load)?;
        let definition = sandbox.text(Call::Definition).map_err(at_load)?;
        let definition: Definition = serde_json::from_str(&definition).map_err(|e| {
            ProjectionError::new(name, None, format!("unexpected projection definition: {e}"))
        })?;
        for warning in &definition.warnings {
            sandbox.push_log(format!("{name}: {warning}"));
        }
        let type_index = definition
            .types
            .into_iter()
            .zip(0..)
            .collect::<HashMap<String, i32>>();
        let mut projection = JsProjection {
            name: name.to_string(),
            hash: source_hash(source.as_bytes()),
            sandbox,
            router: Router {
                selector: definition.selector.kind,
                streams: definition
                    .selector
                    .streams
                    .into_iter()
                    .collect::<HashSet<_>>(),
                category: definition.selector.category.unwrap_or_default(),
                all_events: definition.all_events,
                deleted: definition.deleted,
                include_links: definition.include_links,
            },
            partitioning: definition.partitioning,
            type_index,
            shaped: definition.shaped,
            bi_state: definition.bi_state,
            unshaped: HashMap::new(),
            warnings: definition.warnings,
            checkpoint: Checkpoint::Initial,
            since_checkpoint: ReplayLog::default(),
        };
        projection.reset(None)?;
        Ok(projection)
    }

    /// What the file did that Rewind ignores (unknown options).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    pub fn limits(&self) -> Limits {
        self.sandbox.limits()
    }

    /// True when `event` reaches the projection: its selector selects it
    /// and a handler (or `$deleted`) takes it.
    pub fn selects(&self, event: &Event) -> bool {
        self.route(event) != Route::Skip
    }

    fn route<'a>(&self, event: &'a Event) -> Route<'a> {
        let number = self.type_index.get(&event.event_type).copied();
        self.router.route(event, number)
    }

    /// Hands `event` to JavaScript if it reaches the projection; false when
    /// it does not.
    fn dispatch(&self, event: &Event) -> Result<bool, Failure> {
        match self.route(event) {
            Route::Skip => Ok(false),
            Route::Apply(number) => self.sandbox.apply(number, event).map(|()| true),
            Route::Delete(stream) => self.sandbox.deleted(stream).map(|()| true),
        }
    }

    fn error(&self, position: Option<i64>, failure: Failure) -> ProjectionError {
        ProjectionError {
            projection: self.name.clone(),
            position,
            message: failure.message,
            stack: failure.stack,
        }
    }

    /// Puts the working state back to what it was before a failed event:
    /// the last checkpoint plus the events applied since. Output produced
    /// while rebuilding is dropped; the failing event's output is kept.
    fn roll_back(&mut self, error: &mut ProjectionError) {
        let output = self.sandbox.take_output();
        let json = match &self.checkpoint {
            Checkpoint::Initial => None,
            Checkpoint::Json(json) => Some(json.as_str()),
            Checkpoint::Unavailable => {
                error.message.push_str(
                    " (the state shown may include changes the handler made before failing)",
                );
                self.restore_output(output);
                return;
            }
        };
        let mut rebuilt = self.sandbox.reset(json);
        for event in self.since_checkpoint.events() {
            if rebuilt.is_err() {
                break;
            }
            rebuilt = self.dispatch(&event).map(|_| ());
        }
        if rebuilt.is_err() {
            error.message.push_str(
                " (rebuilding the state before the event failed: the projection is not \
                 deterministic; the state shown may include partial changes)",
            );
        }
        self.sandbox.take_output();
        self.restore_output(output);
    }

    fn restore_output(&mut self, output: Output) {
        self.sandbox.put_output(output);
    }

    fn checkpoint_now(&mut self) {
        self.checkpoint = match self.sandbox.text(Call::RawState) {
            Ok(json) => Checkpoint::Json(json),
            Err(_) => Checkpoint::Unavailable,
        };
        self.since_checkpoint.clear();
    }

    fn remember_unshaped(&mut self, shaped: &State, raw: String) {
        if self.unshaped.len() >= MAX_SHAPED {
            self.unshaped.clear();
        }
        self.unshaped.insert(json_key(shaped), raw);
    }
}

/// The SHA-256 of a projection's source, in hex.
pub fn source_hash(bytes: &[u8]) -> String {
    to_hex(&Sha256::digest(bytes))
}

fn json_key(state: &State) -> u64 {
    let mut hasher = DefaultHasher::new();
    state.to_string().hash(&mut hasher);
    hasher.finish()
}

impl Projection for JsProjection {
    fn name(&self) -> &str {
        &self.name
    }

    fn source_hash(&self) -> String {
        self.hash.clone()
    }

    fn is_partitioned(&self) -> bool {
        self.partitioning != Partitioning::None
    }

    fn folds_per_stream(&self) -> bool {
        // A bi-state handler sees the shared state, which other streams'
        // events change, and `$deleted` runs for soft deletes recorded in
        // `$$stream` metadata streams: their partitions need the whole fold.
        self.partitioning == Partitioning::Stream && !self.bi_state && !self.router.deleted
    }

    fn reset(&mut self, state: Option<&State>) -> Result<(), ProjectionError> {
        let json = match state {
            None => None,
            Some(state) if self.shaped => match self.unshaped.get(&json_key(state)) {
                Some(raw) => Some(raw.clone()),
                None => {
                    return Err(ProjectionError::new(
                        &self.name,
                        None,
                        "this projection reshapes its state with transformBy/filterBy, so it \
                         can only resume from a state it produced in this session",
                    ))
                }
            },
            Some(state) => Some(state.to_string()),
        };
        self.since_checkpoint.clear();
        self.checkpoint = Checkpoint::Unavailable;
        self.sandbox
            .reset(json.as_deref())
            .map_err(|f| self.error(None, f))?;
        self.checkpoint = json.map_or(Checkpoint::Initial, Checkpoint::Json);
        Ok(())
    }

    fn save(&mut self) -> Result<String, ProjectionError> {
        // The raw state as the prelude holds it (before transformBy and
        // filterBy): what `restore` resumes from, with no parse on the way.
        let raw = self.sandbox.text(Call::RawState).map_err(|f| {
            let mut error = self.error(None, f);
            error.message = format!("the state cannot be shown as JSON: {}", error.message);
            error
        })?;
        self.checkpoint = Checkpoint::Json(raw.clone());
        self.since_checkpoint.clear();
        Ok(raw)
    }

    fn restore(&mut self, saved: &str) -> Result<(), ProjectionError> {
        self.since_checkpoint.clear();
        self.checkpoint = Checkpoint::Unavailable;
        self.sandbox
            .reset(Some(saved))
            .map_err(|f| self.error(None, f))?;
        self.checkpoint = Checkpoint::Json(saved.to_string());
        Ok(())
    }

    fn apply(&mut self, event: &Event) -> Result<(), ProjectionError> {
        match self.dispatch(event) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(failure) => {
                let mut error = self.error(Some(event.position), failure);
                self.roll_back(&mut error);
                return Err(error);
            }
        }
        // A checkpoint stringifies the whole state: past the first few
        // thousand events, take one only once the log since the last holds
        // as many bytes, so each event costs about its own size however
        // big the state grows, and the log stays within the state's size.
        let checkpoint_bytes = match &self.checkpoint {
            Checkpoint::Json(json) => json.len(),
            Checkpoint::Initial | Checkpoint::Unavailable => 0,
        };
        if self.since_checkpoint.len() >= MAX_SINCE_CHECKPOINT
            && self.since_checkpoint.bytes() >= checkpoint_bytes
        {
            self.checkpoint_now();
        } else {
            self.since_checkpoint.push(event);
        }
        Ok(())
    }

    fn state(&mut self) -> Result<State, ProjectionError> {
        let not_json = |this: &Self, failure: Failure| {
            let mut error = this.error(None, failure);
            error.message = format!("the state cannot be shown as JSON: {}", error.message);
            error
        };
        let raw = self
            .sandbox
            .text(Call::RawState)
            .map_err(|f| not_json(self, f))?;
        self.checkpoint = Checkpoint::Json(raw.clone());
        self.since_checkpoint.clear();
        if !self.shaped {
            return parse_state(&self.name, &raw);
        }
        let shaped = self
            .sandbox
            .text(Call::ShapedState)
            .map_err(|f| not_json(self, f))?;
        let shaped = parse_state(&self.name, &shaped)?;
        self.remember_unshaped(&shaped, raw);
        Ok(shaped)
    }

    fn take_output(&mut self) -> Output {
        self.sandbox.take_output()
    }

    fn persistable(&self) -> bool {
        // A reshaped state (transformBy/filterBy) resumes only in the
        // session that handed it out.
        !self.shaped
    }

    fn value_at(&mut self, pointer: &str) -> Result<Option<State>, ProjectionError> {
        if self.shaped {
            // The pointer names a place in the shown (reshaped) state.
            return Ok(self.state()?.pointer(pointer).cloned());
        }
        match self.sandbox.value_at(pointer) {
            Ok(Some(text)) => parse_state(&self.name, &text).map(Some),
            Ok(None) => Ok(None),
            Err(failure) => Err(self.error(None, failure)),
        }
    }

    fn selector_scope(&self) -> Option<crate::core::store::Scope> {
        use crate::core::store::Scope;
        let router = &self.router;
        match router.selector {
            SelectorKind::Category => Some(Scope::Category(router.category.clone())),
            // One stream reads as that stream; several are read from $all,
            // where the selector picks theirs.
            SelectorKind::Streams if router.streams.len() == 1 => {
                router.streams.iter().next().cloned().map(Scope::Stream)
            }
            SelectorKind::Streams | SelectorKind::All => None,
        }
    }

    fn selector(&self) -> crate::core::projection::Selector {
        use crate::core::projection::Selector;
        let router = &self.router;
        match router.selector {
            SelectorKind::All => Selector::All,
            SelectorKind::Category => Selector::Category(router.category.clone()),
            SelectorKind::Streams => Selector::Streams(router.streams.iter().cloned().collect()),
        }
    }

    fn partition_of(&mut self, event: &Event) -> Result<Option<String>, ProjectionError> {
        match self.partitioning {
            Partitioning::None => Ok(None),
            Partitioning::Stream => Ok(Some(stream_partition(event).to_string())),
            Partitioning::Function => {
                let number = match self.route(event) {
                    Route::Apply(number) => number,
                    // partitionBy only runs on events that reach the
                    // projection.
                    Route::Skip | Route::Delete(_) => return Ok(None),
                };
                self.sandbox
                    .partition_of(number, event)
                    .map_err(|f| self.error(Some(event.position), f))
            }
        }
    }
}

fn parse_state(name: &str, text: &str) -> Result<State, ProjectionError> {
    serde_json::from_str(text)
        .map_err(|e| ProjectionError::new(name, None, format!("the state is not valid JSON: {e}")))
}
