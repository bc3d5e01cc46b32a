//! Reading topics into their index on a thread of its own: a first pass to
//! the partitions' ends, then waiting on the broker for new records and
//! appending them as they come, until the last reader of the index is
//! gone. The readers (the explorer's threads, a command) share one thread
//! per index in a process, and ask it how far it has read.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, Weak};
use std::time::Duration;

use super::broker::Broker;
use super::mapping::Mapping;
use super::mirror::{self, Followed, Source};
use crate::core::error::StoreError;

/// How long a wait for new records lasts before the thread looks whether
/// it is still wanted.
const FOLLOW_WAIT_MS: i32 = 500;
/// The first and the longest pause before trying a failed read again.
const RETRY_FIRST: Duration = Duration::from_millis(500);
const RETRY_MAX: Duration = Duration::from_secs(8);

/// What the thread reads, and into which index.
pub struct Config {
    pub brokers: String,
    pub topics: Vec<String>,
    /// `?since=` as typed.
    pub since: Option<String>,
    pub mapping: Mapping,
    pub path: PathBuf,
}

/// How far the thread has read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reading {
    /// The broker answered and every topic was found: the first pass has
    /// begun (or had nothing to read).
    pub started: bool,
    /// Records read, and to read, in the first pass.
    pub read: u64,
    pub total: u64,
    /// The first pass reached the partitions' ends as they were when it
    /// began; the index is now kept current as records come.
    pub caught_up: bool,
    /// Why the last try failed, until a try succeeds.
    pub error: Option<String>,
}

/// A handle on the thread reading one index; the thread stops soon after
/// the last handle is dropped.
pub struct Indexer {
    shared: Arc<Shared>,
}

struct Shared {
    reading: Mutex<Reading>,
    changed: Condvar,
    stop: AtomicBool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Reading> {
        // A panic while holding the lock leaves a value still worth
        // reading: it only counts records.
        self.reading.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn update(&self, change: impl FnOnce(&mut Reading)) {
        change(&mut self.lock());
        self.changed.notify_all();
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

/// The thread reading `config.path`, started unless one is running in
/// this process already.
pub fn start(config: Config) -> Arc<Indexer> {
    static RUNNING: OnceLock<Mutex<HashMap<PathBuf, Weak<Indexer>>>> = OnceLock::new();
    let mut running = RUNNING
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    running.retain(|_, indexer| indexer.strong_count() > 0);
    if let Some(indexer) = running.get(&config.path).and_then(Weak::upgrade) {
        return indexer;
    }
    let shared = Arc::new(Shared {
        reading: Mutex::new(Reading::default()),
        changed: Condvar::new(),
        stop: AtomicBool::new(false),
    });
    let path = config.path.clone();
    let thread_shared = Arc::clone(&shared);
    let spawned = std::thread::Builder::new()
        .name("kafka index".into())
        .spawn(move || run(&thread_shared, config));
    if let Err(error) = spawned {
        shared.update(|r| r.error = Some(format!("cannot start reading: {error}")));
    }
    let indexer = Arc::new(Indexer { shared });
    running.insert(path, Arc::downgrade(&indexer));
    indexer
}

impl Indexer {
    pub fn reading(&self) -> Reading {
        self.shared.lock().clone()
    }

    /// Waits until `done` holds of the reading, or the reading fails;
    /// `progress` sees it as it goes.
    pub fn wait(
        &self,
        done: impl Fn(&Reading) -> bool,
        progress: &mut dyn FnMut(&Reading),
    ) -> Result<(), String> {
        let mut reading = self.shared.lock();
        loop {
            if done(&reading) {
                return Ok(());
            }
            if let Some(error) = &reading.error {
                return Err(error.clone());
            }
            progress(&reading);
            reading = self
                .shared
                .changed
                .wait_timeout(reading, Duration::from_millis(200))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

impl Drop for Indexer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
    }
}

/// The thread: passes and waits for new records, trying again after a
/// failure (a broker restarting, a network gone) with a growing pause.
fn run(shared: &Shared, config: Config) {
    let mut broker = None;
    let mut needs_pass = true;
    let mut pause = RETRY_FIRST;
    while !shared.stopped() {
        match step(shared, &config, &mut broker, &mut needs_pass) {
            Ok(()) => pause = RETRY_FIRST,
            Err(reason) => {
                shared.update(|r| r.error = Some(reason));
                needs_pass = true;
                sleep_unless_stopped(shared, pause);
                pause = (pause * 2).min(RETRY_MAX);
            }
        }
    }
}

fn step(
    shared: &Shared,
    config: &Config,
    broker: &mut Option<Broker>,
    needs_pass: &mut bool,
) -> Result<(), String> {
    let broker = match broker {
        Some(broker) => broker,
        None => broker.insert(Broker::connect(&config.brokers)?),
    };
    let mut source = Source {
        broker,
        topics: &config.topics,
        mapping: &config.mapping,
        since: config.since.as_deref(),
    };
    if !*needs_pass {
        let followed = mirror::follow(&config.path, &mut source, FOLLOW_WAIT_MS);
        if let Followed::NeedsPass = followed.map_err(describe)? {
            *needs_pass = true;
        }
        return Ok(());
    }
    let first = !shared.lock().caught_up;
    mirror::sync(&config.path, &mut source, &mut |read, total| {
        shared.update(|r| {
            r.started = true;
            r.error = None;
            if first {
                (r.read, r.total) = (read, total);
            }
        });
        !shared.stopped()
    })
    .map_err(describe)?;
    *needs_pass = false;
    shared.update(|r| {
        r.started = true;
        r.caught_up = true;
        r.error = None;
        r.read = r.total;
    });
    Ok(())
}

/// A failure as the reader is told it: the broker's own words, without
/// the `kafka:` a store error puts first (the caller names the URL).
fn describe(error: StoreError) -> String {
    match error {
        StoreError::Unavailable { path, reason } if path.as_os_str() == "kafka" => reason,
        other => other.to_string(),
    }
}

fn sleep_unless_stopped(shared: &Shared, pause: Duration) {
    let step = Duration::from_millis(100);
    let mut slept = Duration::ZERO;
    while slept < pause && !shared.stopped() {
        std::thread::sleep(step);
        slept += step;
    }
}
