//! The projection worker: a thread that owns its own read-only store
//! connection and the projection [`Engine`], so that a cold replay of a long
//! stream never freezes the screen. Projections are loaded inside the
//! thread because a JavaScript runtime cannot move between threads.
//!
//! Every request carries a sequence number; a newer request makes the
//! running replay stop at its next progress check (the engine keeps the
//! work done, so the newer request starts from there).

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use super::action::WorkerReply;
use crate::core::projection::{Engine, EngineError, ProjectionSpec, Query};
use crate::core::store::sqlite::SqliteStore;
use crate::core::store::Scope;

/// Asks for the state of projection `projection` at `row` of `scope`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub seq: u64,
    pub projection: usize,
    pub scope: Scope,
    pub row: u64,
}

pub struct Worker {
    requests: Option<Sender<Request>>,
    replies: Receiver<WorkerReply>,
    latest: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    pub fn spawn(store: PathBuf, specs: Vec<ProjectionSpec>) -> Worker {
        let (request_tx, request_rx) = mpsc::channel::<Request>();
        let (reply_tx, reply_rx) = mpsc::channel::<WorkerReply>();
        let latest = Arc::new(AtomicU64::new(0));
        let thread_latest = Arc::clone(&latest);
        let thread = std::thread::Builder::new()
            .name("rewind-projection".into())
            .spawn(move || serve(store, specs, request_rx, reply_tx, thread_latest))
            .ok();
        Worker {
            requests: Some(request_tx),
            replies: reply_rx,
            latest,
            thread,
        }
    }

    pub fn request(&self, request: Request) {
        self.latest.store(request.seq, Ordering::SeqCst);
        if let Some(requests) = &self.requests {
            // A closed channel means the worker died; the pane then keeps
            // showing "computing", which is the honest answer.
            let _ = requests.send(request);
        }
    }

    pub fn try_recv(&self) -> Option<WorkerReply> {
        self.replies.try_recv().ok()
    }

    pub fn recv_timeout(&self, timeout: Duration) -> Option<WorkerReply> {
        match self.replies.recv_timeout(timeout) {
            Ok(reply) => Some(reply),
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => None,
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing the channel ends the thread's loop; a running replay sees
        // the sequence jump and stops at its next check.
        self.requests = None;
        self.latest.store(u64::MAX, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(
    store: PathBuf,
    specs: Vec<ProjectionSpec>,
    requests: Receiver<Request>,
    replies: Sender<WorkerReply>,
    latest: Arc<AtomicU64>,
) {
    let source = SqliteStore::open_read_only(&store).map_err(|e| e.to_string());
    let mut loaded = Vec::new();
    let mut engine_index = Vec::new();
    let mut load_errors = Vec::new();
    for spec in &specs {
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
    let mut engine = Engine::new(loaded);
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
                let query = Query {
                    projection: *index,
                    scope: &request.scope,
                    row: request.row,
                    with_previous: true,
                };
                let mut control = |progress| {
                    if latest.load(Ordering::SeqCst) != seq {
                        return false;
                    }
                    let _ = replies.send(WorkerReply::Progress { seq, progress });
                    true
                };
                match engine.state_at_with(source, query, &mut control) {
                    Ok(state) => Ok(Box::new(state)),
                    Err(EngineError::Cancelled) => continue,
                    Err(error) => Err(error.to_string()),
                }
            }
        };
        if replies.send(WorkerReply::Done { seq, result }).is_err() {
            return;
        }
    }
}
