//! The index Rewind keeps of a set of topics: a Rewind store in the user's
//! cache holding every record read so far as an event, and how far each
//! partition has been read (in the store's `meta` table, committed with
//! the events). Kafka has no index by key, so answering "stream X at
//! version N" needs one; the broker is only ever read.
//!
//! A pass reads what the partitions gained since the last one and appends
//! it in the order of `$all`: by timestamp, then partition, then topic (as
//! listed in the URL), then offset. Each partition is read in offset
//! order, one batch at a time, and the partitions' next records are merged
//! by that order; so memory holds a batch per partition, and the index is
//! committed in chunks as it grows (the explorer shows it while it is
//! read, and a read that is stopped resumes where it stopped). Where a
//! partition's timestamps go back in time (a producer that sets them), its
//! records keep their offset order.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::broker::Broker;
use super::mapping::{Mapping, RawRecord};
use crate::core::error::{StoreError, StoreResult};
use crate::core::event::ExpectedVersion;
use crate::core::store::sqlite::SqliteStore;

/// The index's page cache while it is written, in MiB: ids derived from
/// offsets land all over the id index.
const INDEX_CACHE_MIB: i64 = 64;
/// A chunk is committed after this many records…
const CHUNK_RECORDS: usize = 20_000;
/// …or after this long reading them, whichever comes first.
const CHUNK_TIME: Duration = Duration::from_millis(700);

/// What a pass needs: the broker, the topics, the mapping, and the URL's
/// `?since=` as typed.
pub struct Source<'a> {
    pub broker: &'a mut Broker,
    pub topics: &'a [String],
    pub mapping: &'a Mapping,
    pub since: Option<&'a str>,
}

/// One partition in a pass: its records fetched and not yet appended, the
/// offset to fetch next, and the offset the pass stops at.
struct Lane {
    topic: usize,
    partition: i32,
    buffer: VecDeque<RawRecord>,
    next: i64,
    to: i64,
    /// The broker had deleted the records below this offset (retention,
    /// or a deletion by an administrator) before they were read.
    deleted_below: Option<i64>,
    /// Reading began at the first record at or after this time (`?since=`).
    since_ms: Option<i64>,
}

impl Lane {
    /// Where reading this partition resumes once the records taken from
    /// its buffer are in the index.
    fn resume_at(&self) -> i64 {
        self.buffer.front().map_or(self.next, |r| r.offset)
    }

    fn needs_fetch(&self) -> bool {
        self.buffer.is_empty() && self.next < self.to
    }
}

/// Brings the index at `path` up to the partitions' ends as they are now;
/// `progress(read, total)` after each chunk, which stops the pass (at a
/// chunk's end, with what it read kept) when it returns false. The number
/// of records appended.
pub fn sync(
    path: &Path,
    source: &mut Source<'_>,
    progress: &mut dyn FnMut(u64, u64) -> bool,
) -> StoreResult<u64> {
    // The index is made once the broker has answered for every topic, so
    // a mistyped topic leaves no file behind.
    let (read, since_ms) = match path.is_file() {
        true => {
            let store = SqliteStore::open(path)?;
            (read_offsets(&store)?, read_since(&store)?)
        }
        false => (HashMap::new(), None),
    };
    // A time back from now (`-2h`) is read once, at the first read; a
    // partition found later starts from the same time.
    let since_ms = since_ms.or_else(|| {
        source
            .since
            .and_then(|text| crate::core::time::parse_user_time(text, crate::core::time::now_ms()))
    });
    let planned = plan(&read, since_ms, source)?;
    let mut store = create(path)?;
    let lanes = match planned {
        Plan::Read(lanes) => lanes,
        Plan::UpToDate => return Ok(0),
        // A topic deleted and made again restarts its offsets: the index
        // no longer describes it. Readers that have it open keep the old
        // file until they open again.
        Plan::Rebuild => {
            drop(store);
            remove_store(path);
            store = create(path)?;
            match plan(&HashMap::new(), since_ms, source)? {
                Plan::Read(lanes) => lanes,
                Plan::UpToDate | Plan::Rebuild => return Ok(0),
            }
        }
    };
    store.set_cache_mib(INDEX_CACHE_MIB)?;
    merge(&mut store, source, lanes, progress)
}

/// What a wait for new records found.
pub enum Followed {
    /// What came is in the index (maybe nothing: the wait ended).
    Done,
    /// The partitions changed (a new one, a topic made again, records
    /// that only a pass can skip): run [`sync`].
    NeedsPass,
}

/// Waits up to `wait_ms` for records after those in the index, on every
/// partition at once, and appends what comes.
pub fn follow(path: &Path, source: &mut Source<'_>, wait_ms: i32) -> StoreResult<Followed> {
    let mut store = SqliteStore::open(path)?;
    let read = read_offsets(&store)?;
    let mut lanes = Vec::new();
    for (index, topic) in source.topics.iter().enumerate() {
        for partition in source.broker.partitions(topic).map_err(broker_error)? {
            let Some(&next) = read.get(&offset_key(topic, partition)) else {
                return Ok(Followed::NeedsPass);
            };
            lanes.push(Lane {
                topic: index,
                partition,
                buffer: VecDeque::new(),
                next,
                to: next,
                deleted_below: None,
                since_ms: None,
            });
        }
    }
    let wants: Vec<(String, i32, i64)> = lanes
        .iter()
        .map(|l| (source.topics[l.topic].clone(), l.partition, l.next))
        .collect();
    let fetched = match source.broker.fetch_waiting(&wants, wait_ms) {
        Ok(fetched) => fetched,
        // Offsets out of range (retention, a topic made again) and the
        // like: a pass finds out what happened from the watermarks.
        Err(_) => return Ok(Followed::NeedsPass),
    };
    for (lane, (records, high)) in lanes.iter_mut().zip(fetched) {
        if records.is_empty() && high > lane.next {
            // Only transaction markers there: a pass steps over them.
            return Ok(Followed::NeedsPass);
        }
        if let Some(last) = records.last() {
            lane.next = last.offset + 1;
            lane.to = lane.next;
        }
        lane.buffer = records.into();
    }
    if lanes.iter().all(|l| l.buffer.is_empty()) {
        return Ok(Followed::Done);
    }
    merge(&mut store, source, lanes, &mut |_, _| true)?;
    Ok(Followed::Done)
}

enum Plan {
    UpToDate,
    Read(Vec<Lane>),
    Rebuild,
}

fn offset_key(topic: &str, partition: i32) -> String {
    format!("kafka:{topic}:{partition}")
}

/// The `meta` key saying below which offset a partition's records were
/// deleted before they were read.
fn deleted_key(topic: &str, partition: i32) -> String {
    format!("{DELETED}{topic}:{partition}")
}

/// What every [`deleted_key`] starts with.
pub const DELETED: &str = "kafka-deleted:";

/// The `meta` key holding the time `?since=` named at the first read, in
/// ms.
pub const SINCE: &str = "kafka-since";

/// The time reading began at, when `?since=` named one.
pub fn read_since(store: &SqliteStore) -> StoreResult<Option<i64>> {
    let values = store.meta_values(SINCE)?;
    Ok(values
        .iter()
        .find(|(k, _)| k == SINCE)
        .and_then(|(_, v)| v.parse().ok()))
}

/// What to read after the offsets `read` (none for a new index); a
/// partition not read yet starts at `since_ms` when given.
fn plan(
    read: &HashMap<String, i64>,
    since_ms: Option<i64>,
    source: &mut Source<'_>,
) -> StoreResult<Plan> {
    let mut lanes = Vec::new();
    for (index, topic) in source.topics.iter().enumerate() {
        for partition in source.broker.partitions(topic).map_err(broker_error)? {
            let (first, next) = source
                .broker
                .watermarks(topic, partition)
                .map_err(broker_error)?;
            let done = read.get(&offset_key(topic, partition)).copied();
            if done.is_some_and(|done| done > next) {
                return Ok(Plan::Rebuild);
            }
            // Records deleted by retention before they were read are gone;
            // the index says so (offsets start at 0).
            let mut from = done.unwrap_or(first).max(first);
            let mut deleted_below = (first > done.unwrap_or(0)).then_some(first);
            let since_ms = since_ms.filter(|_| done.is_none());
            if let Some(time_ms) = since_ms {
                let at = source
                    .broker
                    .offset_at_time(topic, partition, time_ms)
                    .map_err(broker_error)?;
                // Records before the time were not read, deleted or not.
                from = at.unwrap_or(next).max(first);
                deleted_below = None;
            }
            // A partition never read gets a lane even when it is empty, so
            // that the index records it as read (following asks a pass
            // for partitions it has no offset of).
            if from < next || done.is_none() {
                lanes.push(Lane {
                    topic: index,
                    partition,
                    buffer: VecDeque::new(),
                    next: from,
                    to: next,
                    deleted_below,
                    since_ms,
                });
            }
        }
    }
    Ok(if lanes.is_empty() {
        Plan::UpToDate
    } else {
        Plan::Read(lanes)
    })
}

fn read_offsets(store: &SqliteStore) -> StoreResult<HashMap<String, i64>> {
    let offsets = store.meta_values("kafka:")?.into_iter();
    Ok(offsets
        .filter_map(|(key, value)| Some((key, value.parse().ok()?)))
        .collect())
}

/// Appends the lanes' records in `$all`'s order, a chunk per transaction,
/// until every lane reaches its end or `progress` says stop.
fn merge(
    store: &mut SqliteStore,
    source: &mut Source<'_>,
    mut lanes: Vec<Lane>,
    progress: &mut dyn FnMut(u64, u64) -> bool,
) -> StoreResult<u64> {
    let total: u64 = lanes
        .iter()
        .map(|l| l.buffer.len() as u64 + (l.to - l.next) as u64)
        .sum();
    // Records in the index (or skipped there as another process's), not
    // fetched: the buffers run ahead by a batch per partition.
    let (mut done, mut appended) = (0u64, 0u64);
    if !progress(0, total) {
        return Ok(0);
    }
    loop {
        // The clock starts at the chunk's first record: the first fetches
        // (connections to each partition's leader) would end it early.
        let mut started: Option<Instant> = None;
        let mut chunk = Vec::new();
        while chunk.len() < CHUNK_RECORDS && started.is_none_or(|s| s.elapsed() < CHUNK_TIME) {
            refill(&mut lanes, source)?;
            let Some(lane) = earliest(&lanes) else {
                break;
            };
            if let Some(record) = lanes[lane].buffer.pop_front() {
                chunk.push((lanes[lane].topic, record));
                started.get_or_insert_with(Instant::now);
            }
        }
        let finished = lanes.iter().all(|l| l.buffer.is_empty() && l.next >= l.to);
        done += chunk.len() as u64;
        appended += write_chunk(store, source, &lanes, chunk)?;
        // Offsets that hold no record (transaction markers, compaction)
        // count in the total: the end is all of it.
        let done = if finished { total } else { done.min(total) };
        if !progress(done, total) || finished {
            return Ok(appended);
        }
    }
}

/// Fetches a batch for every lane that has run dry and has more to read.
fn refill(lanes: &mut [Lane], source: &mut Source<'_>) -> StoreResult<()> {
    for lane in lanes.iter_mut().filter(|l| l.needs_fetch()) {
        let topic = &source.topics[lane.topic];
        let (batch, after) = source
            .broker
            .fetch_batch(topic, lane.partition, (lane.next, lane.to))
            .map_err(broker_error)?;
        lane.next = after;
        lane.buffer.extend(batch);
    }
    Ok(())
}

/// The lane whose next record comes first in `$all`'s order.
fn earliest(lanes: &[Lane]) -> Option<usize> {
    lanes
        .iter()
        .enumerate()
        .filter_map(|(i, lane)| Some((i, lane.buffer.front()?, lane.topic)))
        .min_by_key(|(_, r, topic)| (r.timestamp_ms, r.partition, *topic, r.offset))
        .map(|(i, _, _)| i)
}

/// Appends `chunk` with where each lane resumes, in one transaction.
/// Another process may have read some of these records since this one
/// fetched them; those it appended are skipped.
fn write_chunk(
    store: &mut SqliteStore,
    source: &Source<'_>,
    lanes: &[Lane],
    chunk: Vec<(usize, RawRecord)>,
) -> StoreResult<u64> {
    let mut appender = store.appender()?;
    let mut reached = HashMap::new();
    for lane in lanes {
        let key = offset_key(&source.topics[lane.topic], lane.partition);
        let done = appender.meta(&key)?.and_then(|v| v.parse::<i64>().ok());
        reached.insert(
            (lane.topic, lane.partition),
            (key, done.unwrap_or(i64::MIN)),
        );
    }
    let mut appended = 0;
    for (topic, record) in chunk {
        if record.offset < reached[&(topic, record.partition)].1 {
            continue;
        }
        let (stream, event) = source.mapping.event(&record);
        appender.append(&stream, ExpectedVersion::Any, &[event])?;
        appended += 1;
    }
    for lane in lanes {
        let (key, done) = &reached[&(lane.topic, lane.partition)];
        appender.set_meta(key, &lane.resume_at().max(*done).to_string())?;
        if let Some(time_ms) = lane.since_ms {
            if appender.meta(SINCE)?.is_none() {
                appender.set_meta(SINCE, &time_ms.to_string())?;
            }
        }
        if let Some(first) = lane.deleted_below {
            let key = deleted_key(&source.topics[lane.topic], lane.partition);
            let known = appender.meta(&key)?.and_then(|v| v.parse::<i64>().ok());
            appender.set_meta(&key, &known.unwrap_or(0).max(first).to_string())?;
        }
    }
    appender.commit()?;
    Ok(appended)
}

/// Opens the index at `path`, making it first when there is none. Two
/// processes may open a new index at once (the explorer and a command):
/// the empty store is made beside it and linked into place only if no
/// other got there first, so neither ever sees a store half made.
fn create(path: &Path) -> StoreResult<SqliteStore> {
    if !path.is_file() {
        let mut name = path.as_os_str().to_owned();
        name.push(format!(".{}.new", std::process::id()));
        let new = PathBuf::from(name);
        remove_store(&new);
        drop(SqliteStore::create(&new)?);
        let linked = std::fs::hard_link(&new, path);
        remove_store(&new);
        match linked {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
                return Err(StoreError::Unavailable {
                    path: path.to_path_buf(),
                    reason: format!("cannot make the index: {e}"),
                })
            }
            _ => {}
        }
    }
    SqliteStore::open(path)
}

/// Removes a store file and the side files SQLite may have left.
fn remove_store(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

fn broker_error(reason: String) -> StoreError {
    StoreError::Unavailable {
        path: PathBuf::from("kafka"),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(partition: i32, offset: i64, timestamp_ms: i64) -> RawRecord {
        RawRecord {
            topic: "t".into(),
            partition,
            offset,
            timestamp_ms,
            key: None,
            value: None,
            headers: Vec::new(),
        }
    }

    fn lane(topic: usize, partition: i32, records: &[(i64, i64)]) -> Lane {
        Lane {
            topic,
            partition,
            buffer: records
                .iter()
                .map(|&(offset, time)| record(partition, offset, time))
                .collect(),
            next: 100,
            to: 100,
            deleted_below: None,
            since_ms: None,
        }
    }

    #[test]
    fn partitions_merge_by_time_then_partition_then_topic() {
        let mut lanes = vec![
            lane(0, 1, &[(0, 10), (1, 30)]),
            lane(0, 0, &[(0, 10), (1, 20), (2, 5)]),
            lane(1, 0, &[(0, 10)]),
        ];
        let mut order = Vec::new();
        while let Some(i) = earliest(&lanes) {
            let r = lanes[i].buffer.pop_front().unwrap();
            order.push((lanes[i].topic, r.partition, r.offset));
        }
        // A partition's records keep their offset order even where its
        // timestamps go back (offset 2 of partition 0).
        assert_eq!(
            order,
            [
                (0, 0, 0),
                (1, 0, 0),
                (0, 1, 0),
                (0, 0, 1),
                (0, 0, 2),
                (0, 1, 1)
            ]
        );
    }

    #[test]
    fn a_lane_resumes_at_its_first_record_not_appended() {
        let mut lane = lane(0, 0, &[(7, 1), (9, 2)]);
        assert_eq!(lane.resume_at(), 7);
        lane.buffer.clear();
        assert_eq!(lane.resume_at(), 100);
    }
}
