//! The read side of Rewind's own store: every query is a window over an
//! index or an aggregate, never a load of the whole log.

use rusqlite::types::ValueRef;
use rusqlite::{params, OptionalExtension, Row};

use super::SqliteStore;
use crate::core::error::StoreResult;
use crate::core::event::Event;
use crate::core::prefilter::Prefilter;
use crate::core::store::{
    scan_every_candidate, sorted_counts, EventSource, Histogram, Scope, StreamInfo, TypeCount,
    SCAN_CHUNK,
};
use crate::core::time::Millis;

pub(super) const EVENT_COLUMNS: &str =
    "position, id, stream, version, type, schema_version, data, metadata, time_ms";

pub(super) fn event_from_row(r: &Row<'_>) -> rusqlite::Result<Event> {
    Ok(Event {
        position: r.get(0)?,
        id: id_text(r.get_ref(1)?),
        stream: r.get(2)?,
        version: r.get(3)?,
        event_type: r.get(4)?,
        schema_version: r.get(5)?,
        data: r.get(6)?,
        metadata: r.get(7)?,
        time_ms: r.get(8)?,
    })
}

/// Ids are stored as the UUID's 16 bytes: half the size of the text, and
/// the unique index compares them faster.
pub(super) fn id_text(value: ValueRef<'_>) -> String {
    match value {
        ValueRef::Blob(bytes) => uuid::Uuid::from_slice(bytes)
            .map(|u| u.hyphenated().to_string())
            .unwrap_or_else(|_| crate::core::hash::to_hex(bytes)),
        ValueRef::Text(text) => String::from_utf8_lossy(text).into_owned(),
        _ => String::new(),
    }
}

fn stream_from_row(r: &Row<'_>) -> rusqlite::Result<StreamInfo> {
    let last_version: i64 = r.get(2)?;
    Ok(StreamInfo {
        stream: r.get(0)?,
        category: r.get(1)?,
        first_version: 0,
        last_version,
        count: (last_version + 1) as u64,
        first_time_ms: r.get(3)?,
        last_time_ms: r.get(4)?,
    })
}

impl SqliteStore {
    fn query_events(&self, sql: &str, args: impl rusqlite::Params) -> StoreResult<Vec<Event>> {
        let mut statement = self.conn.prepare_cached(sql)?;
        let rows = statement.query_map(args, event_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub(super) fn query_i64(
        &self,
        sql: &str,
        args: impl rusqlite::Params,
    ) -> StoreResult<Option<i64>> {
        let mut statement = self.conn.prepare_cached(sql)?;
        Ok(statement
            .query_row(args, |r| r.get(0))
            .optional()?
            .flatten())
    }

    /// Events of `scope` after a known position, in position order: the
    /// keyset page a scan of `$all` or a category uses.
    fn read_after_position(
        &self,
        scope: &Scope,
        after: i64,
        limit: usize,
    ) -> StoreResult<Vec<Event>> {
        match scope {
            Scope::Category(c) => self.query_events(
                &format!(
                    "SELECT {EVENT_COLUMNS} FROM events WHERE category = ?1 AND position > ?2
                     ORDER BY position LIMIT ?3"
                ),
                params![c, after, limit as i64],
            ),
            _ => self.query_events(
                &format!(
                    "SELECT {EVENT_COLUMNS} FROM events WHERE position > ?1 ORDER BY position LIMIT ?2"
                ),
                params![after, limit as i64],
            ),
        }
    }

    /// The time span of a scope's events, for histograms.
    fn time_span(&self, scope: &Scope) -> StoreResult<Option<(Millis, Millis)>> {
        let span = |sql: &str, arg: &str| -> StoreResult<Option<(Millis, Millis)>> {
            let mut statement = self.conn.prepare_cached(sql)?;
            let pair: (Option<i64>, Option<i64>) =
                statement.query_row([arg], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(pair.0.zip(pair.1))
        };
        match scope {
            Scope::Stream(s) => span(
                "SELECT first_time_ms, last_time_ms FROM streams WHERE stream = ?1",
                s,
            ),
            Scope::Category(c) => span(
                "SELECT min(first_time_ms), max(last_time_ms) FROM streams WHERE category = ?1",
                c,
            ),
            Scope::All => span(
                "SELECT min(time_ms), max(time_ms) FROM events WHERE ?1 = ?1",
                "",
            ),
        }
    }
}

impl EventSource for SqliteStore {
    fn label(&self) -> String {
        self.path.display().to_string()
    }

    fn identity(&self) -> String {
        self.store_id.clone()
    }

    fn immutable_history(&self) -> bool {
        // A random id made at creation, and triggers that refuse edits.
        true
    }

    fn streams(&self) -> StoreResult<Vec<StreamInfo>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT stream, category, last_version, first_time_ms, last_time_ms
             FROM streams ORDER BY stream",
        )?;
        let rows = statement.query_map([], stream_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn stream_info(&self, stream: &str) -> StoreResult<Option<StreamInfo>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT stream, category, last_version, first_time_ms, last_time_ms
             FROM streams WHERE stream = ?1",
        )?;
        Ok(statement.query_row([stream], stream_from_row).optional()?)
    }

    fn count(&self, scope: &Scope) -> StoreResult<u64> {
        let count = match scope {
            Scope::Stream(s) => self.query_i64(
                "SELECT last_version + 1 FROM streams WHERE stream = ?1",
                [s],
            )?,
            Scope::Category(c) => {
                self.query_i64("SELECT count(*) FROM events WHERE category = ?1", [c])?
            }
            Scope::All => self.query_i64("SELECT max(position) FROM events", [])?,
        };
        Ok(count.unwrap_or(0).max(0) as u64)
    }

    fn read_rows(&self, scope: &Scope, start: u64, limit: usize) -> StoreResult<Vec<Event>> {
        let (start, limit) = (start as i64, limit as i64);
        match scope {
            // Versions and positions have no gaps, so a row is a key.
            Scope::Stream(s) => self.query_events(
                &format!(
                    "SELECT {EVENT_COLUMNS} FROM events WHERE stream = ?1 AND version >= ?2
                     ORDER BY version LIMIT ?3"
                ),
                params![s, start, limit],
            ),
            Scope::All => self.query_events(
                &format!(
                    "SELECT {EVENT_COLUMNS} FROM events WHERE position > ?1 ORDER BY position LIMIT ?2"
                ),
                params![start, limit],
            ),
            // The category index holds positions in order: an index skip,
            // not a table scan.
            Scope::Category(c) => self.query_events(
                &format!(
                    "SELECT {EVENT_COLUMNS} FROM events WHERE position IN (
                         SELECT position FROM events WHERE category = ?1
                         ORDER BY position LIMIT ?3 OFFSET ?2)
                     ORDER BY position"
                ),
                params![c, start, limit],
            ),
        }
    }

    fn event_at_position(&self, position: i64) -> StoreResult<Option<Event>> {
        let mut events = self.query_events(
            &format!("SELECT {EVENT_COLUMNS} FROM events WHERE position = ?1"),
            [position],
        )?;
        Ok(events.pop())
    }

    fn row_at_or_before_time(&self, scope: &Scope, time_ms: Millis) -> StoreResult<Option<u64>> {
        let position = match scope {
            Scope::Stream(s) => {
                return Ok(self
                    .query_i64(
                        "SELECT version FROM events WHERE stream = ?1 AND time_ms <= ?2
                         ORDER BY time_ms DESC, version DESC LIMIT 1",
                        params![s, time_ms],
                    )?
                    .map(|v| v as u64))
            }
            Scope::Category(c) => self.query_i64(
                "SELECT max(position) FROM events WHERE category = ?1 AND time_ms <= ?2",
                params![c, time_ms],
            )?,
            Scope::All => self.query_i64(
                "SELECT position FROM events WHERE time_ms <= ?1
                 ORDER BY time_ms DESC, position DESC LIMIT 1",
                [time_ms],
            )?,
        };
        match position {
            Some(p) => self.row_at_or_before_position(scope, p),
            None => Ok(None),
        }
    }

    fn row_at_or_before_position(&self, scope: &Scope, position: i64) -> StoreResult<Option<u64>> {
        let row = match scope {
            Scope::Stream(s) => self.query_i64(
                "SELECT max(version) FROM events WHERE stream = ?1 AND position <= ?2",
                params![s, position],
            )?,
            Scope::Category(c) => self
                .query_i64(
                    "SELECT count(*) FROM events WHERE category = ?1 AND position <= ?2",
                    params![c, position],
                )?
                .filter(|&n| n > 0)
                .map(|n| n - 1),
            Scope::All => {
                let head = self.head_position()?;
                (position >= 1 && head >= 1).then(|| position.min(head) - 1)
            }
        };
        Ok(row.map(|r| r as u64))
    }

    fn type_counts(&self, scope: &Scope) -> StoreResult<Vec<TypeCount>> {
        let (filter, key) = scope_condition(scope, 1);
        let sql = format!("SELECT type, count(*) FROM events WHERE {filter} GROUP BY type");
        let mut statement = self.conn.prepare_cached(&sql)?;
        let rows = statement.query_map([key], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64))
        })?;
        Ok(sorted_counts(rows.collect::<Result<Vec<_>, _>>()?))
    }

    fn histogram(&self, scope: &Scope, buckets: usize) -> StoreResult<Histogram> {
        let Some((first, last)) = self.time_span(scope)? else {
            return Ok(Histogram::default());
        };
        let buckets = buckets.max(1);
        let bucket_ms = ((last - first) / buckets as i64 + 1).max(1);
        let mut counts = vec![0u64; buckets];
        let (filter, key) = scope_condition(scope, 3);
        let sql = format!(
            "SELECT (time_ms - ?1) / ?2 AS bucket, count(*) FROM events
             WHERE {filter} GROUP BY bucket"
        );
        let mut statement = self.conn.prepare_cached(&sql)?;
        let rows = statement.query_map(params![first, bucket_ms, key], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
        })?;
        for row in rows {
            let (bucket, count) = row?;
            let index = (bucket.max(0) as usize).min(buckets - 1);
            counts[index] += count as u64;
        }
        Ok(Histogram {
            start_ms: first,
            bucket_ms,
            counts,
        })
    }

    fn head_position(&self) -> StoreResult<i64> {
        Ok(self
            .query_i64("SELECT max(position) FROM events", [])?
            .unwrap_or(0))
    }

    fn scan(
        &self,
        scope: &Scope,
        start: u64,
        end: u64,
        visit: &mut dyn FnMut(&Event) -> bool,
    ) -> StoreResult<()> {
        if end.saturating_sub(start) >= PREFETCH_FROM {
            return self.scan_prefetching(scope, start, end, visit);
        }
        self.scan_chunks(scope, start, end, &mut |events| {
            events.iter().all(&mut *visit)
        })
    }

    fn scan_candidates(
        &self,
        scope: &Scope,
        start: u64,
        end: u64,
        prefilter: &Prefilter,
        visit: &mut dyn FnMut(u64, Option<&Event>) -> bool,
    ) -> StoreResult<()> {
        if prefilter.is_none() {
            return scan_every_candidate(self, scope, start, end, visit);
        }
        self.scan_filtered(scope, start, end, prefilter, visit)
    }
}

/// Scans this long read the next chunk on a second connection while the
/// caller works through the current one (a replay folds while SQLite reads).
pub(super) const PREFETCH_FROM: u64 = 16_384;

impl SqliteStore {
    /// Reads rows `start..end` of `scope` chunk by chunk, in order, until
    /// `take` returns false.
    fn scan_chunks(
        &self,
        scope: &Scope,
        start: u64,
        end: u64,
        take: &mut dyn FnMut(Vec<Event>) -> bool,
    ) -> StoreResult<()> {
        if start >= end {
            return Ok(());
        }
        let mut remaining = end - start;
        if scope.is_stream() {
            // Stream rows are versions: paging by row is already by key.
            let mut row = start;
            while remaining > 0 {
                let events = self.read_rows(scope, row, SCAN_CHUNK.min(remaining as usize))?;
                if events.is_empty() {
                    break;
                }
                row += events.len() as u64;
                remaining -= events.len() as u64;
                if !take(events) {
                    break;
                }
            }
            return Ok(());
        }
        let Some(first) = self.read_rows(scope, start, 1)?.into_iter().next() else {
            return Ok(());
        };
        let mut after = first.position - 1;
        while remaining > 0 {
            let events =
                self.read_after_position(scope, after, SCAN_CHUNK.min(remaining as usize))?;
            let Some(last) = events.last() else { break };
            after = last.position;
            remaining -= events.len() as u64;
            if !take(events) {
                break;
            }
        }
        Ok(())
    }

    fn scan_prefetching(
        &self,
        scope: &Scope,
        start: u64,
        end: u64,
        visit: &mut dyn FnMut(&Event) -> bool,
    ) -> StoreResult<()> {
        // Two chunks in flight: enough to overlap, little memory.
        let (chunks, received) = std::sync::mpsc::sync_channel::<StoreResult<Vec<Event>>>(2);
        let path = self.path.clone();
        std::thread::scope(|threads| {
            threads.spawn(move || {
                let reader = match SqliteStore::open_read_only(&path) {
                    Ok(reader) => reader,
                    Err(error) => {
                        let _ = chunks.send(Err(error));
                        return;
                    }
                };
                let result = reader.scan_chunks(scope, start, end, &mut |events| {
                    // The receiver hung up: the caller stopped early.
                    chunks.send(Ok(events)).is_ok()
                });
                if let Err(error) = result {
                    let _ = chunks.send(Err(error));
                }
            });
            for chunk in received {
                if !chunk?.iter().all(&mut *visit) {
                    break;
                }
            }
            Ok(())
        })
    }
}

/// The `WHERE` condition of a scope, with its one parameter as `?n` (a
/// condition that always holds for `$all`), and that parameter's value.
pub(super) fn scope_condition(scope: &Scope, n: usize) -> (String, &str) {
    match scope {
        Scope::Stream(s) => (format!("stream = ?{n}"), s.as_str()),
        Scope::Category(c) => (format!("category = ?{n}"), c.as_str()),
        Scope::All => (format!("?{n} = ?{n}"), ""),
    }
}
