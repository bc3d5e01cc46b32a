//! Kafka and Redpanda topics as an event store:
//! `kafka://HOST:PORT[,HOST:PORT…]/TOPIC[,TOPIC…]`, opened read-only (no
//! consumer group, no committed offset, nothing created on the broker).
//!
//! Records become events as [`mapping`] describes (the key is the stream,
//! a header the type, the value the data). Kafka cannot find a key's
//! records without reading the partitions, so the first open reads the
//! topics once into an index in the user's cache ([`mirror`]); later opens
//! read only what was added since. While the store is open, a thread
//! keeps reading new records into the index as the broker hands them over
//! ([`indexer`]), so following it (the explorer's `f`, `log --follow`)
//! sees them within a second.

mod broker;
mod indexer;
pub mod mapping;
mod mirror;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use self::indexer::{Indexer, Reading};
use self::mapping::Mapping;
use crate::core::error::{StoreError, StoreResult};
use crate::core::event::Event;
use crate::core::paths::cache_dir;
use crate::core::prefilter::Prefilter;
use crate::core::store::sqlite::SqliteStore;
use crate::core::store::{EventSource, Histogram, Opening, Scope, StreamInfo, TypeCount};
use crate::core::time::Millis;

/// True for a `kafka://` URL.
pub fn is_kafka_url(text: &str) -> bool {
    text.starts_with("kafka://")
}

/// The brokers and topics of a `kafka://` URL, and where reading starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KafkaUrl {
    pub brokers: String,
    pub topics: Vec<String>,
    /// `?since=TIME`: each partition is read from its first record at or
    /// after that time (the broker's offsets-by-timestamp lookup), as typed.
    pub since: Option<String>,
}

impl KafkaUrl {
    pub fn parse(url: &str) -> Result<KafkaUrl, String> {
        let usage = || {
            "not a Kafka URL: write kafka://HOST:PORT/TOPIC (several topics: /TOPIC1,TOPIC2; \
             from a time on: ?since=2025-03-01T14:00:00Z or ?since=-2h)"
                .to_string()
        };
        let rest = url.strip_prefix("kafka://").ok_or_else(usage)?;
        let (rest, since) = match rest.split_once('?') {
            Some((rest, query)) => {
                let since = query.strip_prefix("since=").ok_or_else(usage)?;
                if crate::core::time::parse_user_time(since, 0).is_none() {
                    return Err(format!(
                        "cannot read the time {since:?} of ?since= (write 2025-03-01, \
                         2025-03-01T14:00:00Z or a time back from now: -2h, -3d)"
                    ));
                }
                (rest, Some(since.to_string()))
            }
            None => (rest, None),
        };
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
            since,
        })
    }
}

/// Topics read through their index, which a thread of this process keeps
/// reading into while the source is open ([`indexer`]).
pub struct KafkaSource {
    url: String,
    index: SqliteStore,
    indexer: Arc<Indexer>,
}

/// Opens the topics of `url`; `map` overrides where the stream and type
/// come from.
pub fn open(url: &str, map: Option<&Path>, opening: Opening) -> StoreResult<KafkaSource> {
    let parsed = KafkaUrl::parse(url).map_err(|reason| unavailable(url, reason))?;
    let mapping = match map {
        Some(path) => Mapping::load(path)?,
        None => Mapping::default(),
    };
    let path = index_path(&parsed, map)?;
    open_index(url, parsed, mapping, path, opening)
}

/// [`open`] with the index at `path`.
fn open_index(
    url: &str,
    parsed: KafkaUrl,
    mapping: Mapping,
    path: PathBuf,
    opening: Opening,
) -> StoreResult<KafkaSource> {
    let existed = path.is_file();
    let indexer = indexer::start(indexer::Config {
        brokers: parsed.brokers,
        topics: parsed.topics,
        since: parsed.since,
        mapping,
        path: path.clone(),
    });
    let waited = match opening {
        Opening::Complete => {
            let mut line = ProgressLine::new(url, !existed);
            let waited = indexer.wait(|r| r.caught_up, &mut |r| line.update(r));
            line.finish(&indexer.reading());
            waited
        }
        Opening::WhileReading => indexer.wait(|r| r.started, &mut |_| {}),
    };
    // The explorer shows an index read before while the broker cannot be
    // reached, and says why it is not current; a command's answer must be.
    if let Err(reason) = waited {
        if opening == Opening::Complete || !existed {
            return Err(unavailable(url, reason));
        }
    }
    Ok(KafkaSource {
        url: url.to_string(),
        index: SqliteStore::open_read_only(&path)?,
        indexer,
    })
}

fn unavailable(url: &str, reason: String) -> StoreError {
    StoreError::Unavailable {
        path: PathBuf::from(url),
        reason,
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
    // As typed: `-2h` means two hours before the first read, and later
    // opens go on from that index.
    if let Some(since) = &url.since {
        hash.update([2]);
        hash.update(since.as_bytes());
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
struct ProgressLine<'a> {
    url: &'a str,
    shown: bool,
    last: Instant,
    drawn: bool,
}

impl<'a> ProgressLine<'a> {
    fn new(url: &'a str, first_read: bool) -> Self {
        use std::io::IsTerminal;
        ProgressLine {
            url,
            shown: first_read && std::io::stderr().is_terminal(),
            last: Instant::now(),
            drawn: false,
        }
    }

    /// Draws the line again, at most five times a second.
    fn update(&mut self, reading: &Reading) {
        if self.shown
            && reading.total >= 50_000
            && self.last.elapsed() >= Duration::from_millis(200)
        {
            self.last = Instant::now();
            self.drawn = true;
            eprint!("{}: {}\r", self.url, reading_note(reading));
        }
    }

    /// Ends a line that was drawn with the reading as it ended.
    fn finish(&mut self, reading: &Reading) {
        if self.drawn {
            eprintln!("{}: {}", self.url, reading_note(reading));
        }
    }
}

/// How far the first read of the topics is, for a status line.
fn reading_note(reading: &Reading) -> String {
    use crate::core::time::thousands;
    format!(
        "reading into the index: {} of {} records",
        thousands(reading.read),
        thousands(reading.total)
    )
}

impl KafkaSource {
    /// Partitions whose oldest records the broker deleted before they
    /// were read: for a stream, its own partition (where its first record
    /// came from); for `$all` and a category, every one.
    fn deleted_note(&self, scope: &Scope) -> StoreResult<Option<String>> {
        let deleted = self.index.meta_values(mirror::DELETED)?;
        if deleted.is_empty() {
            return Ok(None);
        }
        let mut partitions: Vec<(String, String)> = deleted
            .into_iter()
            .filter_map(|(key, below)| {
                let (topic, partition) = key.strip_prefix(mirror::DELETED)?.rsplit_once(':')?;
                Some((format!("{topic}[{partition}]"), below))
            })
            .collect();
        if let Scope::Stream(_) = scope {
            let Some(first) = self.index.read_rows(scope, 0, 1)?.into_iter().next() else {
                return Ok(None);
            };
            let origin = serde_json::from_str::<serde_json::Value>(&first.metadata)
                .ok()
                .and_then(|m| {
                    let at = &m["$kafka"];
                    Some(format!(
                        "{}[{}]",
                        at["topic"].as_str()?,
                        at["partition"].as_i64()?
                    ))
                });
            partitions.retain(|(partition, _)| Some(partition) == origin.as_ref());
        }
        let described: Vec<String> = partitions
            .iter()
            .map(|(partition, below)| format!("{partition} below offset {below}"))
            .collect();
        Ok((!described.is_empty()).then(|| {
            format!(
                "the broker deleted records before they were read ({}): {} may have begun earlier",
                described.join(", "),
                match scope {
                    Scope::Stream(_) => "this stream",
                    _ => "its streams",
                }
            )
        }))
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

    /// The index's head: its thread appends new records as the broker
    /// hands them over.
    fn head_position(&self) -> StoreResult<i64> {
        self.index.head_position()
    }

    fn status_note(&self) -> Option<String> {
        let reading = self.indexer.reading();
        if let Some(error) = &reading.error {
            return Some(format!("{error}; trying again"));
        }
        (!reading.caught_up).then(|| reading_note(&reading))
    }

    /// Where reading began when `?since=` named a time, and which
    /// partitions lost records before they were read.
    fn scope_note(&self, scope: &Scope) -> StoreResult<Option<String>> {
        let since = mirror::read_since(&self.index)?.map(|ms| {
            format!(
                "read from {} on (?since=): earlier records were not read",
                crate::core::time::rfc3339_ms(ms)
            )
        });
        let notes: Vec<String> = since.into_iter().chain(self.deleted_note(scope)?).collect();
        Ok((!notes.is_empty()).then(|| notes.join("; ")))
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
        assert_eq!(url.since, None);
        let from = KafkaUrl::parse("kafka://h:1/bank?since=2025-03-01T14:00:00Z").unwrap();
        assert_eq!(from.topics, ["bank"]);
        assert_eq!(from.since.as_deref(), Some("2025-03-01T14:00:00Z"));
        assert!(KafkaUrl::parse("kafka://h:1/bank?since=-2h").is_ok());
        let error = KafkaUrl::parse("kafka://h:1/bank?since=yesterday").unwrap_err();
        assert!(
            error.contains("cannot read the time \"yesterday\""),
            "{error}"
        );
        for bad in [
            "kafka://h:1/bank?from=2025-03-01",
            "kafka://host/bank",
            "kafka://h:1/",
            "kafka://h:1",
            "kafka:///t",
        ] {
            let error = KafkaUrl::parse(bad).unwrap_err();
            assert!(error.contains("kafka://HOST:PORT/TOPIC"), "{error}");
        }
    }

    #[test]
    fn the_explorer_shows_an_index_while_the_broker_is_down_and_commands_refuse() {
        use crate::core::event::{ExpectedVersion, NewEvent};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.rewind");
        let mut store = SqliteStore::create(&path).unwrap();
        let mut appender = store.appender().unwrap();
        let event = NewEvent::new("Opened", r#"{"n": 1}"#, None).unwrap();
        appender
            .append("acct-1", ExpectedVersion::Any, &[event])
            .unwrap();
        appender.commit().unwrap();
        drop(store);
        // Nothing listens on port 1.
        let url = "kafka://127.0.0.1:1/bank";
        let open = |opening| {
            let parsed = KafkaUrl::parse(url).unwrap();
            open_index(url, parsed, Mapping::default(), path.clone(), opening)
        };
        let source = open(Opening::WhileReading).expect("the index, while the broker is down");
        assert_eq!(source.count(&Scope::All).unwrap(), 1);
        let note = source.status_note().unwrap_or_default();
        assert!(
            note.contains("cannot reach the Kafka broker at 127.0.0.1:1"),
            "{note}"
        );
        assert!(note.ends_with("trying again"), "{note}");
        drop(source);
        let refused = open(Opening::Complete).err().map(|e| e.to_string());
        let refused = refused.unwrap_or_default();
        assert!(
            refused.contains("cannot reach the Kafka broker"),
            "{refused}"
        );
    }
}
