//! The projection worker: a thread that owns its own read-only store
//! connection and the projection [`Engine`], so that a cold replay of a long
//! stream never freezes the screen. Projections are loaded inside the
//! thread because a JavaScript runtime cannot move between threads.
//!
//! Every request carries a sequence number; a newer request makes the
//! running replay stop at its next progress check (the engine keeps the
//! work done, so the newer request starts from there).
//!
//! Two more threads, the loaders, read the stream list and histograms
//! (one each, so neither waits for the other),
//! which take a few hundred milliseconds on a store of millions of events:
//! the first frame does not wait for them.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use super::action::Reply;
use super::locate::{self, Locate, LocateRequest};
use super::threads::{panic_message, THREAD_PREFIX};
use crate::core::projection::cache::SnapshotCache;
use crate::core::projection::partitions::PartitionIndex;
use crate::core::projection::{Engine, EngineError, Progress, ProjectionSpec, Query, StateAt};
use crate::core::store::{EventSource, Scope, StoreLocation};

/// Time buckets the histogram is read in; drawn resampled to the width.
pub const HISTOGRAM_BUCKETS: usize = 240;

/// Asks for the state of projection `projection` at `row` of `scope`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub seq: u64,
    pub projection: usize,
    pub scope: Scope,
    /// The row to stand at; `None` before the scope's first event.
    pub row: Option<u64>,
}

/// A slow read for the loader thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Load {
    Streams,
    Histogram(Scope),
}

pub struct Worker {
    requests: Option<Sender<Request>>,
    /// Stream lists go to the first loader, histograms to the second.
    loads: [Option<Sender<Load>>; 2],
    loaders: [Option<JoinHandle<()>>; 2],
    /// Rows to find, for the locator thread.
    locates: Option<Sender<LocateRequest>>,
    locator: Option<JoinHandle<()>>,
    replies: Receiver<Reply>,
    /// For jobs on threads of their own (searches, reports, type counts,
    /// filter scans) to answer on the same channel as the worker.
    reply_to: Sender<Reply>,
    latest: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts the background threads; `snapshot_memory` bounds the
    /// projection engine's snapshots.
    pub fn spawn(
        store: StoreLocation,
        specs: Vec<ProjectionSpec>,
        snapshot_memory: usize,
    ) -> Worker {
        let (request_tx, request_rx) = mpsc::channel::<Request>();
        let (reply_tx, reply_rx) = mpsc::channel::<Reply>();
        let latest = Arc::new(AtomicU64::new(0));
        let thread_latest = Arc::clone(&latest);
        let mut loads = [None, None];
        let mut loaders = [None, None];
        for (i, name) in ["streams", "histogram"].into_iter().enumerate() {
            let (load_tx, load_rx) = mpsc::channel::<Load>();
            let loader_store = store.clone();
            let loader_replies = reply_tx.clone();
            loads[i] = Some(load_tx);
            loaders[i] = std::thread::Builder::new()
                .name(format!("{THREAD_PREFIX}{name}"))
                .spawn(move || serve_loads(loader_store, load_rx, loader_replies))
                .ok();
        }
        let (locate_tx, locate_rx) = mpsc::channel::<LocateRequest>();
        let (locator_store, locator_replies) = (store.clone(), reply_tx.clone());
        let locator = std::thread::Builder::new()
            .name(format!("{THREAD_PREFIX}locate"))
            .spawn(move || {
                locate::serve(locator_store, locate_rx, |id, result| {
                    locator_replies.send(Reply::Located { id, result }).is_ok()
                })
            })
            .ok();
        let reply_to = reply_tx.clone();
        let thread = std::thread::Builder::new()
            .name(format!("{THREAD_PREFIX}projection"))
            .spawn(move || {
                let engine_setup = EngineSetup {
                    specs,
                    snapshot_memory,
                };
                serve(store, engine_setup, request_rx, reply_tx, thread_latest)
            })
            .ok();
        Worker {
            requests: Some(request_tx),
            loads,
            loaders,
            locates: Some(locate_tx),
            locator,
            replies: reply_rx,
            reply_to,
            latest,
            thread,
        }
    }

    /// Where a job started elsewhere sends its answers, so that they
    /// arrive with the worker's own.
    pub fn reply_to(&self) -> Sender<Reply> {
        self.reply_to.clone()
    }

    pub fn request(&self, request: Request) {
        self.latest.store(request.seq, Ordering::SeqCst);
        if let Some(requests) = &self.requests {
            // A closed channel means the worker died; the pane then keeps
            // showing "computing", which is the honest answer.
            let _ = requests.send(request);
        }
    }

    pub fn load(&self, load: Load) {
        let index = usize::from(matches!(load, Load::Histogram(_)));
        if let Some(loads) = &self.loads[index] {
            let _ = loads.send(load);
        }
    }

    /// Asks the locator thread to find `what`; the answer carries `id`.
    pub fn locate(&self, id: u64, what: Locate) {
        if let Some(locates) = &self.locates {
            let _ = locates.send(LocateRequest { id, what });
        }
    }

    pub fn try_recv(&self) -> Option<Reply> {
        self.replies.try_recv().ok()
    }

    pub fn recv_timeout(&self, timeout: Duration) -> Option<Reply> {
        self.replies.recv_timeout(timeout).ok()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing the channel ends the thread's loop; a running replay sees
        // the sequence jump and stops at its next check.
        self.requests = None;
        self.loads = [None, None];
        self.locates = None;
        self.latest.store(u64::MAX, Ordering::SeqCst);
        let [streams, histogram] = &mut self.loaders;
        let locator = self.locator.take();
        for thread in [
            self.thread.take(),
            streams.take(),
            histogram.take(),
            locator,
        ]
        .into_iter()
        .flatten()
        {
            let _ = thread.join();
        }
    }
}

/// What the projection thread builds its engine from.
struct EngineSetup {
    specs: Vec<ProjectionSpec>,
    snapshot_memory: usize,
}

fn serve(
    store: StoreLocation,
    setup: EngineSetup,
    requests: Receiver<Request>,
    replies: Sender<Reply>,
    latest: Arc<AtomicU64>,
) {
    let source = store.open().map_err(|e| e.to_string());
    let mut loaded = Vec::new();
    let mut engine_index = Vec::new();
    let mut load_errors = Vec::new();
    for spec in &setup.specs {
        match spec.load() {
            Ok(projection) => {
                engine_index.push(Some(loaded.len()));
                loaded.push(projection);
                load_errors.push(None);
            }
            Err(error) => {
                engine_index.push(None);
                load_errors.push(Some(error.to_string()));
            }
        }
    }
    let mut engine = Engine::new(loaded).with_snapshot_memory(setup.snapshot_memory);
    if let Some(cache) = source
        .as_ref()
        .ok()
        .and_then(|s| SnapshotCache::for_source(s.as_ref()))
    {
        engine = engine.with_cache(cache);
    }
    // Which rows fall in which partition, for a partitionBy projection on
    // a wide scope: learnt as the cursor goes, kept while the scope stays.
    let mut partitions: Option<PartitionIndex> = None;
    while let Ok(mut request) = requests.recv() {
        // Only the newest request matters.
        while let Ok(newer) = requests.try_recv() {
            request = newer;
        }
        let seq = request.seq;
        let result = match (&source, engine_index.get(request.projection)) {
            (Err(error), _) => Err(error.clone()),
            (_, None) => Err(format!("no projection number {}", request.projection)),
            (Ok(_), Some(None)) => Err(load_errors[request.projection].clone().unwrap_or_default()),
            (Ok(source), Some(Some(index))) => {
                let mut control = |progress| {
                    if latest.load(Ordering::SeqCst) != seq {
                        return false;
                    }
                    let _ = replies.send(Reply::Progress { seq, progress });
                    true
                };
                // A projection that panics (a bug in a handler's host code)
                // must not take the explorer down: report it in the pane and
                // start the engine afresh, since its state may be torn.
                let answer = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    let target = Target {
                        projection: *index,
                        request: &request,
                        store: &store,
                    };
                    state_for(
                        &mut engine,
                        &mut partitions,
                        source.as_ref(),
                        target,
                        &mut control,
                    )
                }));
                match answer {
                    Ok(Ok(state)) => Ok(Box::new(state)),
                    Ok(Err(EngineError::Cancelled)) => continue,
                    Ok(Err(error)) => Err(error.to_string()),
                    Err(panic) => {
                        engine.clear();
                        partitions = None;
                        Err(format!("the projection crashed: {}", panic_message(&panic)))
                    }
                }
            }
        };
        if replies.send(Reply::Done { seq, result }).is_err() {
            return;
        }
    }
}

/// Which projection a request is for, in the engine's numbering.
struct Target<'r> {
    projection: usize,
    request: &'r Request,
    /// Where a partition index opens its own connection.
    store: &'r StoreLocation,
}

/// The state a request asks for: before the first event, or at its row,
/// folding only the cursor event's stream when the projection keeps one
/// state per stream, or only its partition for a `partitionBy` projection.
fn state_for(
    engine: &mut Engine,
    partitions: &mut Option<PartitionIndex>,
    source: &dyn EventSource,
    target: Target<'_>,
    control: &mut dyn FnMut(Progress) -> bool,
) -> Result<StateAt, EngineError> {
    let (projection, request) = (target.projection, target.request);
    let Some(row) = request.row else {
        return engine.initial(projection, &request.scope);
    };
    let scope = &request.scope;
    if !partitions
        .as_ref()
        .is_some_and(|p| p.covers(projection, scope))
    {
        *partitions = match PartitionIndex::applies(engine, projection, scope) {
            true => Some(PartitionIndex::new(projection, scope, target.store.open()?)),
            false => None,
        };
    }
    if let Some(index) = partitions.as_mut() {
        if let Some(state) = index.state_at(engine, row, true, control)? {
            return Ok(state);
        }
    }
    let (scope, row) = engine.stream_target(source, projection, &request.scope, row)?;
    let query = Query {
        projection,
        scope: &scope,
        row,
        with_previous: true,
    };
    engine.state_at_with(source, query, control)
}

fn serve_loads(store: StoreLocation, loads: Receiver<Load>, replies: Sender<Reply>) {
    let source = store.open().map_err(|e| e.to_string());
    while let Ok(first) = loads.recv() {
        // Coalesce: one stream list and the newest histogram are enough.
        let mut want_streams = false;
        let mut histogram = None;
        for load in std::iter::once(first).chain(std::iter::from_fn(|| loads.try_recv().ok())) {
            match load {
                Load::Streams => want_streams = true,
                Load::Histogram(scope) => histogram = Some(scope),
            }
        }
        if let Some(scope) = histogram {
            let result = match &source {
                Ok(s) => s
                    .histogram(&scope, HISTOGRAM_BUCKETS)
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.clone()),
            };
            // A note that cannot be read is no reason to fail the scope.
            let note = source
                .as_ref()
                .ok()
                .and_then(|s| s.scope_note(&scope).ok().flatten());
            if replies
                .send(Reply::Histogram {
                    scope,
                    result,
                    note,
                })
                .is_err()
            {
                return;
            }
        }
        if want_streams {
            let result = match &source {
                Ok(s) => s.streams().map_err(|e| e.to_string()),
                Err(e) => Err(e.clone()),
            };
            if replies.send(Reply::Streams { result }).is_err() {
                return;
            }
        }
    }
}
