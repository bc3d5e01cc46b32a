//! Kafka and Redpanda topics as an event store:
//! `kafka://HOST:PORT[,HOST:PORT…]/TOPIC[,TOPIC…]`, opened read-only (no
//! consumer group, no committed offset, nothing created on the broker).
//!
//! Records become events as [`mapping`] describes (the key is the stream,
//! a header the type, the value the data). Kafka cannot find a key's
//! records without reading the partitions, so the first open reads the
//! topics once into an index in the user's cache ([`mirror`]); later opens
//! read only what was added since, and following the store (the
//! explorer's `f`, its head poll) keeps reading new records as they come.

mod broker;
pub mod mapping;
mod mirror;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use self::broker::Broker;
use self::mapping::Mapping;
use crate::core::error::{StoreError, StoreResult};
use crate::core::event::Event;
use crate::core::paths::cache_dir;
use crate::core::prefilter::Prefilter;
use crate::core::store::sqlite::SqliteStore;
use crate::core::store::{EventSource, Histogram, Scope, StreamInfo, TypeCount};
use crate::core::time::Millis;

/// True for a `kafka://` URL.
pub fn is_kafka_url(text: &str) -> bool {
    text.starts_with("kafka://")
}

/// The brokers and topics of a `kafka://` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KafkaUrl {
    pub brokers: String,
    pub topics: Vec<String>,
}

impl KafkaUrl {
    pub fn parse(url: &str) -> Result<KafkaUrl, String> {
        let usage = || {
            format!("{url:?} is not a Kafka URL: write kafka://HOST:PORT/TOPIC (several topics: /TOPIC1,TOPIC2)")
        };
        let rest = url.strip_prefix("kafka://").ok_or_else(usage)?;
        let (brokers, topics) = rest.split_once('/').ok_or_else(usage)?;
        let topics: Vec<String> = topics
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect();
        let brokers_ok = !brokers.is_empty() && brokers.split(',').all(|b| b.contains(':'));
        if !brokers_ok || topics.is_empty() {
            return Err(usage());
        }
        Ok(KafkaUrl {
            brokers: brokers.to_string(),
            topics,
        })
    }
}

/// How often following asks the broker for new records at most.
const FOLLOW_EVERY: Duration = Duration::from_millis(250);

/// Topics read through their index; the broker is asked again when the
/// store is followed.
pub struct KafkaSource {
    url: String,
    index: SqliteStore,
    follow: Mutex<Follow>,
}

struct Follow {
    broker: Broker,
    path: PathBuf,
    topics: Vec<String>,
    mapping: Mapping,
    last: Instant,
}

/// Opens the topics of `url`, bringing their index up to date first;
/// `map` overrides where the stream and type come from.
pub fn open(url: &str, map: Option<&Path>) -> StoreResult<KafkaSource> {
    let unavailable = |reason: String| StoreError::Unavailable {
        path: PathBuf::from(url),
        reason,
    };
    let parsed = KafkaUrl::parse(url).map_err(unavailable)?;
    let mapping = match map {
        Some(path) => Mapping::load(path)?,
        None => Mapping::default(),
    };
    let path = index_path(&parsed, map)?;
    let mut follow = Follow {
        broker: Broker::connect(&parsed.brokers).map_err(unavailable)?,
        path,
        topics: parsed.topics,
        mapping,
        last: Instant::now(),
    };
    // Only a first read shows progress: later ones are short, and may run
    // on the explorer's threads while it draws.
    let first_read = !follow.path.is_file();
    follow.sync(&mut progress_line(url, first_read))?;
    let index = SqliteStore::open_read_only(&follow.path)?;
    Ok(KafkaSource {
        url: url.to_string(),
        index,
        follow: Mutex::new(follow),
    })
}

impl Follow {
    /// Brings the index up to the partitions' ends.
    fn sync(&mut self, progress: &mut dyn FnMut(u64, u64)) -> StoreResult<()> {
        let mut source = mirror::Source {
            broker: &mut self.broker,
            topics: &self.topics,
            mapping: &self.mapping,
        };
        mirror::sync(&self.path, &mut source, progress)?;
        self.last = Instant::now();
        Ok(())
    }
}

/// The index's file: one per set of brokers, topics and mapping.
fn index_path(url: &KafkaUrl, map: Option<&Path>) -> StoreResult<PathBuf> {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    hash.update(url.brokers.as_bytes());
    for topic in &url.topics {
        hash.update([0]);
        hash.update(topic.as_bytes());
    }
    if let Some(map) = map {
        hash.update([1]);
        hash.update(std::fs::read(map).unwrap_or_default());
    }
    let key = crate::core::hash::to_hex(&hash.finalize()[..12]);
    let dir = cache_dir().join("kafka");
    std::fs::create_dir_all(&dir).map_err(|e| StoreError::Unavailable {
        path: dir.clone(),
        reason: format!("cannot create the index folder: {e}"),
    })?;
    Ok(dir.join(format!("{key}.rewind")))
}

/// Progress of a first read on stderr, when it is a terminal and the read
/// is long enough to wonder about.
fn progress_line(url: &str, first_read: bool) -> impl FnMut(u64, u64) + '_ {
    use std::io::IsTerminal;
    let shown = first_read && std::io::stderr().is_terminal();
    let mut last = Instant::now();
    move |read, total| {
        let due = read >= total || last.elapsed() >= Duration::from_millis(200);
        if shown && total >= 50_000 && due {
            last = Instant::now();
            let end = if read >= total { "\n" } else { "\r" };
            eprint!(
                "{url}: indexing {} of {} records{end}",
                crate::core::time::thousands(read),
                crate::core::time::thousands(total)
            );
        }
    }
}

impl KafkaSource {
    /// Reads what the topics gained since the last look, at most every
    /// [`FOLLOW_EVERY`].
    fn catch_up(&self) -> StoreResult<()> {
        let Ok(mut follow) = self.follow.lock() else {
            return Ok(());
        };
        if follow.last.elapsed() < FOLLOW_EVERY {
            return Ok(());
        }
        follow.sync(&mut |_, _| {})
    }
}

impl EventSource for KafkaSource {
    fn label(&self) -> String {
        self.url.clone()
    }

    fn identity(&self) -> String {
        self.index.identity()
    }

    fn immutable_history(&self) -> bool {
        // The index only ever grows, and a new one gets a new identity.
        true
    }

    fn streams(&self) -> StoreResult<Vec<StreamInfo>> {
        self.index.streams()
    }

    fn stream_info(&self, stream: &str) -> StoreResult<Option<StreamInfo>> {
        self.index.stream_info(stream)
    }

    fn count(&self, scope: &Scope) -> StoreResult<u64> {
        self.index.count(scope)
    }

    fn read_rows(&self, scope: &Scope, start: u64, limit: usize) -> StoreResult<Vec<Event>> {
        self.index.read_rows(scope, start, limit)
    }

    fn event_at_position(&self, position: i64) -> StoreResult<Option<Event>> {
        self.index.event_at_position(position)
    }

    fn row_at_or_before_time(&self, scope: &Scope, time_ms: Millis) -> StoreResult<Option<u64>> {
        self.index.row_at_or_before_time(scope, time_ms)
    }

    fn row_at_or_before_position(&self, scope: &Scope, position: i64) -> StoreResult<Option<u64>> {
        self.index.row_at_or_before_position(scope, position)
    }

    fn histogram(&self, scope: &Scope, buckets: usize) -> StoreResult<Histogram> {
        self.index.histogram(scope, buckets)
    }

    /// Following asks the broker first, so new records show within a
    /// poll of the explorer.
    fn head_position(&self) -> StoreResult<i64> {
        self.catch_up()?;
        self.index.head_position()
    }

    fn type_counts(&self, scope: &Scope) -> StoreResult<Vec<TypeCount>> {
        self.index.type_counts(scope)
    }

    fn scan(
        &self,
        scope: &Scope,
        start: u64,
        end: u64,
        visit: &mut dyn FnMut(&Event) -> bool,
    ) -> StoreResult<()> {
        self.index.scan(scope, start, end, visit)
    }

    fn scan_candidates(
        &self,
        scope: &Scope,
        start: u64,
        end: u64,
        prefilter: &Prefilter,
        visit: &mut dyn FnMut(u64, Option<&Event>) -> bool,
    ) -> StoreResult<()> {
        self.index
            .scan_candidates(scope, start, end, prefilter, visit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_brokers_and_topics() {
        let url = KafkaUrl::parse("kafka://127.0.0.1:9092,b:9093/bank,carts").unwrap();
        assert_eq!(url.brokers, "127.0.0.1:9092,b:9093");
        assert_eq!(url.topics, ["bank", "carts"]);
        for bad in [
            "kafka://host/bank",
            "kafka://h:1/",
            "kafka://h:1",
            "kafka:///t",
        ] {
            let error = KafkaUrl::parse(bad).unwrap_err();
            assert!(error.contains("kafka://HOST:PORT/TOPIC"), "{error}");
        }
    }
}
