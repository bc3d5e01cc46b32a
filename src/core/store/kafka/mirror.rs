//! The index Rewind keeps of a set of topics: a Rewind store in the user's
//! cache holding every record read so far as an event, and how far each
//! partition has been read (in the store's `meta` table, committed with
//! the events). Kafka has no index by key, so answering "stream X at
//! version N" needs one; the broker is only ever read.
//!
//! Each pass reads what the partitions gained since the last one and
//! appends it in the order of `$all`: by timestamp, then partition, then
//! topic (as listed in the URL), then offset. The records of a pass are
//! sorted on disk (a scratch SQLite file beside the index), so memory
//! stays small whatever the topics hold.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection};

use super::broker::Broker;
use super::mapping::{Mapping, RawRecord};
use crate::core::error::{StoreError, StoreResult};
use crate::core::event::ExpectedVersion;
use crate::core::store::sqlite::SqliteStore;

/// The index's page cache while it is written, in KiB.
const INDEX_CACHE_KIB: i64 = 64 * 1024;

/// Where one partition's reading starts and ends in a pass.
struct Range {
    topic: usize,
    partition: i32,
    from: i64,
    to: i64,
}

/// What a pass needs: the broker, the topics and the mapping.
pub struct Source<'a> {
    pub broker: &'a mut Broker,
    pub topics: &'a [String],
    pub mapping: &'a Mapping,
}

/// Brings the index at `path` up to the partitions' ends, creating it on
/// first use; `progress(read, total)` as records arrive. The number of
/// records appended.
pub fn sync(
    path: &Path,
    source: &mut Source<'_>,
    progress: &mut dyn FnMut(u64, u64),
) -> StoreResult<u64> {
    if !path.is_file() {
        return build(path, source, progress);
    }
    let mut store = SqliteStore::open(path)?;
    match plan(&mut store, source)? {
        Plan::UpToDate => Ok(0),
        Plan::Read(ranges) => append(&mut store, source, &ranges, progress),
        // A topic deleted and made again restarts its offsets: the index
        // no longer describes it.
        Plan::Rebuild => {
            drop(store);
            remove_store(path);
            build(path, source, progress)
        }
    }
}

/// The first pass, into a file beside the index that is moved into place
/// when complete, so no reader ever sees half an index.
fn build(
    path: &Path,
    source: &mut Source<'_>,
    progress: &mut dyn FnMut(u64, u64),
) -> StoreResult<u64> {
    let partial = sibling(path, &format!("{}.partial", std::process::id()));
    remove_store(&partial);
    let built = (|| {
        let mut store = SqliteStore::create(&partial)?;
        let appended = match plan(&mut store, source)? {
            Plan::Read(ranges) => store
                .bulk_load(|store: &mut SqliteStore| append(store, source, &ranges, progress))?,
            Plan::UpToDate | Plan::Rebuild => 0,
        };
        Ok::<u64, StoreError>(appended)
    })();
    let appended = match built {
        Ok(appended) => appended,
        Err(error) => {
            remove_store(&partial);
            return Err(error);
        }
    };
    std::fs::rename(&partial, path).map_err(|e| StoreError::Unavailable {
        path: path.to_path_buf(),
        reason: format!("cannot move the new index into place: {e}"),
    })?;
    Ok(appended)
}

enum Plan {
    UpToDate,
    Read(Vec<Range>),
    Rebuild,
}

fn offset_key(topic: &str, partition: i32) -> String {
    format!("kafka:{topic}:{partition}")
}

fn plan(store: &mut SqliteStore, source: &mut Source<'_>) -> StoreResult<Plan> {
    let read = read_offsets(store)?;
    let mut ranges = Vec::new();
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
            // Records deleted by retention before they were read are gone.
            let from = done.unwrap_or(first).max(first);
            if from < next {
                ranges.push(Range {
                    topic: index,
                    partition,
                    from,
                    to: next,
                });
            }
        }
    }
    Ok(if ranges.is_empty() {
        Plan::UpToDate
    } else {
        Plan::Read(ranges)
    })
}

fn read_offsets(store: &SqliteStore) -> StoreResult<HashMap<String, i64>> {
    let conn = store.connection();
    let mut statement = conn.prepare("SELECT key, value FROM meta WHERE key LIKE 'kafka:%'")?;
    let rows = statement.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut offsets = HashMap::new();
    for row in rows {
        let (key, value) = row?;
        if let Ok(offset) = value.parse() {
            offsets.insert(key, offset);
        }
    }
    Ok(offsets)
}

/// Reads the ranges into a scratch file, then appends them in `$all`'s
/// order with the offsets reached, in one transaction.
fn append(
    store: &mut SqliteStore,
    source: &mut Source<'_>,
    ranges: &[Range],
    progress: &mut dyn FnMut(u64, u64),
) -> StoreResult<u64> {
    let total: u64 = ranges.iter().map(|r| (r.to - r.from) as u64).sum();
    // Ids derived from offsets land all over the id index: a larger page
    // cache keeps its pages at hand. Temporary data (the index builds at
    // the end of a first read) goes to files, not memory.
    let conn = store.connection();
    conn.pragma_update(None, "cache_size", -INDEX_CACHE_KIB)?;
    conn.pragma_update(None, "temp_store", "FILE")?;
    let scratch_path = sibling(store.path(), &format!("{}.scratch", std::process::id()));
    let _ = std::fs::remove_file(&scratch_path);
    let scratch = Scratch::create(&scratch_path)?;
    let result = (|| {
        let mut read = 0u64;
        scratch.begin()?;
        // A batch from each partition in turn: records then reach the
        // scratch file roughly in the order they are read back in.
        let mut next: Vec<i64> = ranges.iter().map(|r| r.from).collect();
        while let Some(i) = (0..ranges.len()).find(|&i| next[i] < ranges[i].to) {
            for (range, offset) in ranges.iter().zip(next.iter_mut()).skip(i) {
                if *offset >= range.to {
                    continue;
                }
                let topic = &source.topics[range.topic];
                let (batch, after) = source
                    .broker
                    .fetch_batch(topic, range.partition, (*offset, range.to))
                    .map_err(broker_error)?;
                for record in &batch {
                    scratch.put(range.topic, record)?;
                }
                read += batch.len() as u64;
                *offset = after;
                progress(read, total);
            }
        }
        scratch.commit()?;
        progress(read, total);
        append_sorted(store, source, ranges, &scratch)
    })();
    drop(scratch);
    let _ = std::fs::remove_file(&scratch_path);
    result
}

fn append_sorted(
    store: &mut SqliteStore,
    source: &Source<'_>,
    ranges: &[Range],
    scratch: &Scratch,
) -> StoreResult<u64> {
    let mut appender = store.appender()?;
    appender.defer_indexes()?;
    // Another process may have read some of these since the plan was
    // made; what it appended is skipped.
    let mut done = HashMap::new();
    for range in ranges {
        let key = offset_key(&source.topics[range.topic], range.partition);
        let reached = appender.meta(&key)?.and_then(|v| v.parse::<i64>().ok());
        done.insert((range.topic, range.partition), reached.unwrap_or(i64::MIN));
    }
    let mut appended = 0;
    scratch.sorted(source.topics, &mut |record, topic| {
        if record.offset < done[&(topic, record.partition)] {
            return Ok(());
        }
        let (stream, event) = source.mapping.event(&record);
        appender.append(&stream, ExpectedVersion::Any, &[event])?;
        appended += 1;
        Ok(())
    })?;
    for range in ranges {
        let key = offset_key(&source.topics[range.topic], range.partition);
        let reached = done[&(range.topic, range.partition)].max(range.to);
        appender.set_meta(&key, &reached.to_string())?;
    }
    appender.commit()?;
    Ok(appended)
}

/// The records of a pass on disk, to be read back in `$all`'s order.
struct Scratch {
    conn: Connection,
}

impl Scratch {
    fn create(path: &Path) -> StoreResult<Scratch> {
        let conn = Connection::open(path)?;
        // A scratch file: nothing to recover after a crash. Kept in the
        // order it is read back in, so reading it needs no sort (which
        // SQLite would do in memory); records mostly arrive in that order
        // already, so each insert lands near the last.
        conn.execute_batch(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA temp_store = FILE;
             PRAGMA cache_size = -65536;
             CREATE TABLE records (time_ms INTEGER, partition INTEGER, topic INTEGER,
                 offset INTEGER, key BLOB, value BLOB, headers BLOB,
                 PRIMARY KEY (time_ms, partition, topic, offset)) WITHOUT ROWID;",
        )?;
        Ok(Scratch { conn })
    }

    fn begin(&self) -> StoreResult<()> {
        Ok(self.conn.execute_batch("BEGIN")?)
    }

    fn commit(&self) -> StoreResult<()> {
        Ok(self.conn.execute_batch("COMMIT")?)
    }

    fn put(&self, topic: usize, record: &RawRecord) -> StoreResult<()> {
        let headers = encode_headers(&record.headers);
        self.conn
            .prepare_cached("INSERT INTO records VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?
            .execute(params![
                record.timestamp_ms,
                record.partition,
                topic as i64,
                record.offset,
                record.key,
                record.value,
                headers
            ])?;
        Ok(())
    }

    fn sorted(
        &self,
        topics: &[String],
        take: &mut dyn FnMut(RawRecord, usize) -> StoreResult<()>,
    ) -> StoreResult<()> {
        let mut statement = self.conn.prepare(
            "SELECT time_ms, partition, topic, offset, key, value, headers FROM records
             ORDER BY time_ms, partition, topic, offset",
        )?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let topic: i64 = row.get(2)?;
            let topic = topic as usize;
            let headers: Vec<u8> = row.get(6)?;
            let record = RawRecord {
                topic: topics[topic].clone(),
                partition: row.get(1)?,
                offset: row.get(3)?,
                timestamp_ms: row.get(0)?,
                key: row.get(4)?,
                value: row.get(5)?,
                headers: decode_headers(&headers),
            };
            take(record, topic)?;
        }
        Ok(())
    }
}

/// Headers as one blob: each name and value after its length (4 bytes).
fn encode_headers(headers: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, value) in headers {
        for part in [name.as_bytes(), value.as_slice()] {
            out.extend_from_slice(&(part.len() as u32).to_le_bytes());
            out.extend_from_slice(part);
        }
    }
    out
}

fn decode_headers(mut bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut part = || -> Option<Vec<u8>> {
        let (len, rest) = bytes.split_first_chunk::<4>()?;
        let len = u32::from_le_bytes(*len) as usize;
        let value = rest.get(..len)?.to_vec();
        bytes = &rest[len..];
        Some(value)
    };
    let mut headers = Vec::new();
    while let (Some(name), Some(value)) = (part(), part()) {
        headers.push((String::from_utf8_lossy(&name).into_owned(), value));
    }
    headers
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
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

    #[test]
    fn headers_survive_the_scratch_file() {
        let headers = vec![
            ("type".to_string(), b"Opened".to_vec()),
            ("raw".to_string(), vec![0, 255, 10]),
            (String::new(), Vec::new()),
        ];
        assert_eq!(decode_headers(&encode_headers(&headers)), headers);
        assert!(decode_headers(&[1, 0]).is_empty());
    }
}
