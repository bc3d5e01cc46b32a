//! Reading event stores. Every backend (Rewind's own SQLite store, and the
//! foreign stores people already run) implements [`EventSource`], and the
//! projection engine, the CLI and the explorer only ever talk to that trait.
//!
//! Reads are addressed by *row*: the 0-based index of an event within a
//! [`Scope`]. For a stream the row is the version minus the stream's first
//! version; for `$all` and categories it counts events in position order.
//! Rows make windowed reads and random jumps cheap for every backend.

pub mod detect;
pub mod emmett;
pub mod eventsourcing;
pub mod kafka;
pub mod mapped;
pub mod marten;
pub mod message_db;
pub mod pg;
pub mod sqlite;
pub mod sqlite_conn;
pub mod table;
mod type_count;

pub use detect::{open_with, Backend};
pub use type_count::{count_types_by_scan, sorted_counts, TypeCount};

use crate::core::error::StoreResult;
use crate::core::event::Event;
use crate::core::time::Millis;

/// The sequence of events being looked at.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    Stream(String),
    Category(String),
    All,
}

impl Scope {
    /// True for one stream, false for a category or `$all`.
    pub fn is_stream(&self) -> bool {
        matches!(self, Scope::Stream(_))
    }

    /// `$all`, `$ce-NAME` for a category, or the stream id; the same words
    /// the CLI and the explorer's stream list use.
    pub fn label(&self) -> String {
        match self {
            Scope::Stream(s) => s.clone(),
            Scope::Category(c) => format!("$ce-{c}"),
            Scope::All => "$all".to_string(),
        }
    }

    /// Reads `$all`, `$ce-NAME` or a stream id back into a scope.
    pub fn parse(label: &str) -> Scope {
        if label == "$all" {
            Scope::All
        } else if let Some(category) = label.strip_prefix("$ce-") {
            Scope::Category(category.to_string())
        } else {
            Scope::Stream(label.to_string())
        }
    }
}

/// One line of the stream list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamInfo {
    pub stream: String,
    pub category: String,
    pub first_version: i64,
    pub last_version: i64,
    pub count: u64,
    pub first_time_ms: Millis,
    pub last_time_ms: Millis,
}

/// Event counts over equal time buckets, for the timeline's histogram.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Histogram {
    pub start_ms: Millis,
    pub bucket_ms: Millis,
    pub counts: Vec<u64>,
}

/// Read access to an event store. Implementations never load the whole
/// store into memory: every call reads a window, a count or an aggregate.
pub trait EventSource: Send {
    /// What to call the store in the status bar and in messages.
    fn label(&self) -> String;

    /// A stable identity for the store's content, used to key caches kept
    /// outside the store (projection snapshots).
    fn identity(&self) -> String;

    /// True when the history behind [`EventSource::identity`] can only grow:
    /// then snapshots of it may be kept on disk across sessions. Foreign
    /// stores are identified by their location, which another program may
    /// rewrite, so they say no.
    fn immutable_history(&self) -> bool {
        false
    }

    fn streams(&self) -> StoreResult<Vec<StreamInfo>>;

    fn stream_info(&self, stream: &str) -> StoreResult<Option<StreamInfo>>;

    fn count(&self, scope: &Scope) -> StoreResult<u64>;

    /// A quick guess at [`EventSource::count`] where the exact count is a
    /// scan (seconds on a big PostgreSQL table), for the explorer to draw
    /// before the exact one arrives; `None` where counting is quick.
    fn count_estimate(&self, _scope: &Scope) -> StoreResult<Option<u64>> {
        Ok(None)
    }

    /// Events at rows `start..start + limit` of the scope, in order.
    fn read_rows(&self, scope: &Scope, start: u64, limit: usize) -> StoreResult<Vec<Event>>;

    fn event_at_position(&self, position: i64) -> StoreResult<Option<Event>>;

    /// The row of the last event recorded at or before `time_ms`.
    fn row_at_or_before_time(&self, scope: &Scope, time_ms: Millis) -> StoreResult<Option<u64>>;

    /// The row of the last event at or before global `position`.
    fn row_at_or_before_position(&self, scope: &Scope, position: i64) -> StoreResult<Option<u64>>;

    /// Event counts in `buckets` equal time buckets between the scope's
    /// first and last event.
    fn histogram(&self, scope: &Scope, buckets: usize) -> StoreResult<Histogram>;

    /// The position of the newest event (0 when empty); a change means
    /// another process appended.
    fn head_position(&self) -> StoreResult<i64>;

    /// What the store is still doing that its answers depend on, for a
    /// status line: reading topics into their index, or why it cannot.
    fn status_note(&self) -> Option<String> {
        None
    }

    /// What a reader of `scope` should know that its events do not say:
    /// that the store lost the oldest of them before Rewind read it
    /// (records of a Kafka topic deleted by retention).
    fn scope_note(&self, _scope: &Scope) -> StoreResult<Option<String>> {
        Ok(None)
    }

    /// How many events of the scope have each type, most frequent first.
    /// Backends with SQL ask their store to group; this default scans.
    fn type_counts(&self, scope: &Scope) -> StoreResult<Vec<TypeCount>> {
        count_types_by_scan(self, scope)
    }

    /// Visits the events at rows `start..end` in order, in chunks, so that
    /// a replay never holds more than one chunk in memory. The visitor
    /// returns `false` to stop early. Backends override this when they can
    /// page by key instead of by offset.
    fn scan(
        &self,
        scope: &Scope,
        start: u64,
        end: u64,
        visit: &mut dyn FnMut(&Event) -> bool,
    ) -> StoreResult<()> {
        scan_by_rows(self, scope, start, end, visit)
    }

    /// Visits, in order, the events at rows `start..end` that pass
    /// `prefilter`, each with its row: `visit(row, Some(event))`. Between
    /// them it may call `visit(row, None)` to say every row before `row`
    /// has been read, so a long search can show progress and stop. The
    /// visitor returns `false` to stop. Events that fail the prefilter
    /// may be visited too: the caller decides. Backends that can test it
    /// where the events are (SQL) override this; the default reads every
    /// event.
    fn scan_candidates(
        &self,
        scope: &Scope,
        start: u64,
        end: u64,
        _prefilter: &crate::core::prefilter::Prefilter,
        visit: &mut dyn FnMut(u64, Option<&Event>) -> bool,
    ) -> StoreResult<()> {
        scan_every_candidate(self, scope, start, end, visit)
    }
}

/// Every event of `start..end` as a candidate, with its row: what
/// [`EventSource::scan_candidates`] does without a prefilter to test.
pub fn scan_every_candidate<S: EventSource + ?Sized>(
    source: &S,
    scope: &Scope,
    start: u64,
    end: u64,
    visit: &mut dyn FnMut(u64, Option<&Event>) -> bool,
) -> StoreResult<()> {
    let mut row = start;
    source.scan(scope, start, end, &mut |event| {
        let go = visit(row, Some(event));
        row += 1;
        go
    })
}

/// Pages through `start..end` by row; the default way to scan a scope.
pub fn scan_by_rows<S: EventSource + ?Sized>(
    source: &S,
    scope: &Scope,
    start: u64,
    end: u64,
    visit: &mut dyn FnMut(&Event) -> bool,
) -> StoreResult<()> {
    let mut row = start;
    while row < end {
        let limit = SCAN_CHUNK.min((end - row) as usize);
        let events = source.read_rows(scope, row, limit)?;
        if events.is_empty() {
            break;
        }
        for event in &events {
            if !visit(event) {
                return Ok(());
            }
        }
        row += events.len() as u64;
    }
    Ok(())
}

/// How many events a scan reads at a time.
pub const SCAN_CHUNK: usize = 4096;

/// Opens a store to look at it, never to write: Rewind's own store or a
/// foreign one, detected from the file's tables or the URL (see
/// [`detect`]).
pub fn open_read_only(path: &std::path::Path) -> StoreResult<Box<dyn EventSource>> {
    open_with(path, None, None)
}

/// What opening a store that is read into an index first (Kafka topics)
/// waits for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Opening {
    /// The index holds everything the store had when it was opened, so
    /// answers are exact (commands, the MCP server).
    #[default]
    Complete,
    /// Reading has begun: the index fills while it is looked at (the
    /// explorer, which shows how far it has read).
    WhileReading,
}

/// Where a store is and how to read it: what threads that each open their
/// own connection (the explorer's workers) pass around.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreLocation {
    pub path: std::path::PathBuf,
    pub backend: Option<Backend>,
    pub map: Option<std::path::PathBuf>,
    pub opening: Opening,
}

impl StoreLocation {
    pub fn open(&self) -> StoreResult<Box<dyn EventSource>> {
        detect::open_as(&self.path, self.backend, self.map.as_deref(), self.opening)
    }
}
