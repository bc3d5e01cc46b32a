//! A foreign event table read through SQL: the shared engine behind every
//! backend that is not Rewind's own store (eventsourcing, Emmett, message-db,
//! Marten and TOML-mapped tables).
//!
//! A backend describes its table as SQL expressions ([`TableSpec`]) and a
//! decoding step for rows ([`Decode`]); a connection ([`SqlConn`]) runs the
//! statements on SQLite or PostgreSQL. Statements are written with `?N`
//! placeholders; the PostgreSQL connection rewrites them to `$N`.
//!
//! Rows of `$all` and of a category are addressed by keyset: the window of
//! positions read last is remembered, so reading the next or a nearby window
//! (scrolling, scanning) is `position > last ORDER BY position LIMIT n` on the
//! position index. Only a far jump falls back to `OFFSET`, which the server
//! has to walk. Rows stay stable because these stores only ever append at the
//! head (a transaction that commits a lower position late, possible on
//! PostgreSQL sequences, is picked up by the next far jump or reopen).

use std::cell::RefCell;
use std::collections::HashMap;

mod time;
mod window;

use window::Window;

use crate::core::error::StoreResult;
use crate::core::event::{category_of, Event};
use crate::core::store::{sorted_counts, EventSource, Histogram, Scope, StreamInfo, TypeCount};
use crate::core::time::Millis;

/// A statement parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Int(i64),
    Text(String),
}

/// One event row as the table holds it, before the backend decodes it.
#[derive(Debug, Clone, Default)]
pub struct RawRow {
    pub position: i64,
    pub stream: String,
    pub version: i64,
    pub event_type: String,
    pub schema_version: i64,
    /// Text or bytes (eventsourcing keeps compressed or encrypted blobs).
    pub data: Vec<u8>,
    pub metadata: Option<String>,
    pub time_ms: Option<i64>,
    pub id: Option<String>,
}

/// Runs read statements. `events` statements select the nine columns of
/// [`RawRow`] in order; `ints` statements select nullable integers; `keyed`
/// statements select a text key then nullable integers.
pub trait SqlConn: Send {
    fn events(&self, sql: &str, args: &[Arg]) -> StoreResult<Vec<RawRow>>;
    fn ints(&self, sql: &str, args: &[Arg]) -> StoreResult<Vec<Vec<Option<i64>>>>;
    fn keyed(&self, sql: &str, args: &[Arg]) -> StoreResult<Vec<(String, Vec<Option<i64>>)>>;
}

/// The table and the SQL expression of each event field.
#[derive(Debug, Clone)]
pub struct TableSpec {
    /// The `FROM` target, quoted as needed.
    pub table: String,
    /// Integer global position; should be the indexed key of the table.
    pub position: String,
    /// Stream id as text.
    pub stream: String,
    /// Integer version within the stream, in the store's own numbering.
    pub version: String,
    pub event_type: String,
    pub schema_version: String,
    pub data: String,
    /// Text JSON object, or `NULL`.
    pub metadata: String,
    /// Epoch milliseconds; `None` when the time is only known after
    /// decoding (eventsourcing keeps it inside the state).
    pub time_ms: Option<String>,
    /// The condition that a row is in stream `{p}` (a placeholder), written
    /// so that the table's stream index can serve it, e.g.
    /// `stream_id = CAST({p} AS uuid)` for a uuid column.
    pub stream_match: String,
    /// Text, or `NULL` when the table has no event ids.
    pub id: String,
    /// The stream's category as text (the part before the first `-`).
    pub category: String,
    /// A faster statement for the whole stream list, where the store's
    /// indexes allow one: rows of (stream, first version, last version,
    /// count, first time ms, last time ms) ordered by stream.
    pub streams_sql: Option<String>,
}

/// Turns a raw row into an event (decompressing, decoding, mapping types).
pub type Decode = fn(RawRow) -> Event;

/// The default decoding: text columns as they are.
pub fn plain_decode(row: RawRow) -> Event {
    Event {
        position: row.position,
        id: row
            .id
            .unwrap_or_else(|| derived_id(&[&row.stream, &row.version.to_string()])),
        stream: row.stream,
        version: row.version,
        event_type: row.event_type,
        schema_version: row.schema_version,
        data: String::from_utf8_lossy(&row.data).into_owned(),
        metadata: metadata_object(row.metadata),
        time_ms: row.time_ms.unwrap_or(0),
    }
}

/// Metadata is an object in Rewind; a foreign store may hold SQL NULL,
/// JSON `null` (message-db writes it when there is none) or another value,
/// which is kept under `"value"` rather than dropped.
pub fn metadata_object(metadata: Option<String>) -> String {
    match metadata {
        Some(text) if text.trim_start().starts_with('{') => text,
        Some(text) if !text.trim().is_empty() && text.trim() != "null" => {
            format!(
                "{{\"value\":{}}}",
                crate::core::ndjson::raw_json(&text).get()
            )
        }
        _ => "{}".to_string(),
    }
}

/// A stable UUID for an event of a table without event ids, derived from
/// what identifies it there (e.g. stream and version), so that exports and
/// CloudEvents carry the same id every time.
pub fn derived_id(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update([0u8]);
    }
    let digest = hash.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    // Version 8 (custom) and the RFC 4122 variant, so it parses as a UUID.
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    uuid::Uuid::from_bytes(bytes).hyphenated().to_string()
}

/// An [`EventSource`] over a foreign table.
pub struct TableSource {
    conn: Box<dyn SqlConn>,
    spec: TableSpec,
    decode: Decode,
    label: String,
    identity: String,
    window: RefCell<Option<Window>>,
    /// `(head position, count of $all)`: the count grows with appends only,
    /// so it is topped up by counting past the old head, not recounted.
    all_count: RefCell<Option<(i64, u64)>>,
    /// Category counts, kept and topped up the same way.
    category_counts: RefCell<HashMap<String, (i64, u64)>>,
    /// The last histogram, valid while the head has not moved: the
    /// timeline asks for it every frame, the store is asked once.
    last_histogram: RefCell<Option<(Scope, usize, i64, Histogram)>>,
}

impl TableSource {
    pub fn new(
        conn: Box<dyn SqlConn>,
        spec: TableSpec,
        decode: Decode,
        label: String,
        identity: String,
    ) -> Self {
        TableSource {
            conn,
            spec,
            decode,
            label,
            identity,
            window: RefCell::new(None),
            all_count: RefCell::new(None),
            category_counts: RefCell::new(HashMap::new()),
            last_histogram: RefCell::new(None),
        }
    }

    fn columns(&self) -> String {
        let s = &self.spec;
        format!(
            "{}, {}, {}, {}, {}, {}, {}, {}, {}",
            s.position,
            s.stream,
            s.version,
            s.event_type,
            s.schema_version,
            s.data,
            s.metadata,
            s.time_ms.as_deref().unwrap_or("NULL"),
            s.id
        )
    }

    /// The `WHERE` condition of a scope, using placeholder `?n`.
    fn filter(&self, scope: &Scope, n: usize) -> (String, Vec<Arg>) {
        match scope {
            Scope::Stream(s) => (self.stream_eq(n), vec![Arg::Text(s.clone())]),
            Scope::Category(c) => (
                format!("{} = ?{n}", self.spec.category),
                vec![Arg::Text(c.clone())],
            ),
            Scope::All => ("1 = 1".to_string(), Vec::new()),
        }
    }

    /// `stream = ?n`, in the table's own terms.
    fn stream_eq(&self, n: usize) -> String {
        self.spec.stream_match.replace("{p}", &format!("?{n}"))
    }

    fn read(&self, sql: &str, args: &[Arg]) -> StoreResult<Vec<Event>> {
        Ok(self
            .conn
            .events(sql, args)?
            .into_iter()
            .map(self.decode)
            .collect())
    }

    fn int(&self, sql: &str, args: &[Arg]) -> StoreResult<Option<i64>> {
        Ok(self
            .conn
            .ints(sql, args)?
            .into_iter()
            .next()
            .and_then(|row| row.into_iter().next().flatten()))
    }

    /// The first version of a stream, in the store's own numbering.
    fn first_version(&self, stream: &str) -> StoreResult<Option<i64>> {
        self.int(
            &format!(
                "SELECT min({}) FROM {} WHERE {}",
                self.spec.version,
                self.spec.table,
                self.stream_eq(1)
            ),
            &[Arg::Text(stream.to_string())],
        )
    }

    fn time_at_row(&self, scope: &Scope, row: u64) -> StoreResult<Option<Millis>> {
        Ok(self
            .read_rows(scope, row, 1)?
            .first()
            .map(|event| event.time_ms))
    }

    /// Binary search for tables whose time is only known after decoding;
    /// times are taken to grow with rows, which holds for append order.
    fn search_time(&self, scope: &Scope, time_ms: Millis) -> StoreResult<Option<u64>> {
        let (mut low, mut high) = (0u64, self.count(scope)?);
        while low < high {
            let mid = low + (high - low) / 2;
            match self.time_at_row(scope, mid)? {
                Some(t) if t <= time_ms => low = mid + 1,
                _ => high = mid,
            }
        }
        Ok(low.checked_sub(1))
    }

    fn stream_infos(&self, stream: Option<&str>) -> StoreResult<Vec<StreamInfo>> {
        let s = &self.spec;
        let time = s.time_ms.as_deref().unwrap_or("NULL");
        let (filter, args) = match stream {
            Some(name) => (
                format!("WHERE {}", self.stream_eq(1)),
                vec![Arg::Text(name.to_string())],
            ),
            None => (String::new(), Vec::new()),
        };
        let sql = match (&s.streams_sql, stream) {
            (Some(sql), None) => sql.clone(),
            _ => format!(
                "SELECT {st}, min({v}), max({v}), count(*), min({time}), max({time}) FROM {} {filter}
                 GROUP BY {st} ORDER BY {st}",
                s.table,
                st = s.stream,
                v = s.version
            ),
        };
        let mut infos = Vec::new();
        for (name, ints) in self.conn.keyed(&sql, &args)? {
            let get = |i: usize| ints.get(i).copied().flatten().unwrap_or(0);
            let scope = Scope::Stream(name.clone());
            let count = get(2).max(0) as u64;
            let (first_time_ms, last_time_ms) = if s.time_ms.is_some() {
                (get(3), get(4))
            } else {
                // Two reads on the (stream, version) key per stream.
                let first = self.time_at_row(&scope, 0)?.unwrap_or(0);
                let last = self
                    .time_at_row(&scope, count.saturating_sub(1))?
                    .unwrap_or(0);
                (first, last)
            };
            infos.push(StreamInfo {
                category: category_of(&name).to_string(),
                stream: name,
                first_version: get(0),
                last_version: get(1),
                count,
                first_time_ms,
                last_time_ms,
            });
        }
        Ok(infos)
    }

    fn count_where(&self, scope: &Scope, extra: Option<(&str, i64)>) -> StoreResult<u64> {
        let (filter, mut args) = self.filter(scope, 1);
        let mut sql = format!("SELECT count(*) FROM {} WHERE {filter}", self.spec.table);
        if let Some((op, value)) = extra {
            sql.push_str(&format!(
                " AND {} {op} ?{}",
                self.spec.position,
                args.len() + 1
            ));
            args.push(Arg::Int(value));
        }
        Ok(self.int(&sql, &args)?.unwrap_or(0).max(0) as u64)
    }
}

impl EventSource for TableSource {
    fn label(&self) -> String {
        self.label.clone()
    }

    fn identity(&self) -> String {
        self.identity.clone()
    }

    fn streams(&self) -> StoreResult<Vec<StreamInfo>> {
        self.stream_infos(None)
    }

    fn stream_info(&self, stream: &str) -> StoreResult<Option<StreamInfo>> {
        Ok(self.stream_infos(Some(stream))?.into_iter().next())
    }

    fn count(&self, scope: &Scope) -> StoreResult<u64> {
        let key = match scope {
            Scope::Stream(_) => return self.count_where(scope, None),
            Scope::Category(c) => Some(c.clone()),
            Scope::All => None,
        };
        let head = self.head_position()?;
        let cached = match &key {
            Some(c) => self.category_counts.borrow().get(c).copied(),
            None => *self.all_count.borrow(),
        };
        let count = match cached {
            Some((h, c)) if h == head => c,
            Some((h, c)) if h < head => c + self.count_where(scope, Some((">", h)))?,
            _ => self.count_where(scope, None)?,
        };
        match key {
            Some(c) => {
                self.category_counts.borrow_mut().insert(c, (head, count));
            }
            None => *self.all_count.borrow_mut() = Some((head, count)),
        }
        Ok(count)
    }

    fn read_rows(&self, scope: &Scope, start: u64, limit: usize) -> StoreResult<Vec<Event>> {
        match scope {
            // Rows of a stream are versions counted from its first one.
            Scope::Stream(stream) => {
                let s = &self.spec;
                let sql = format!(
                    "SELECT {} FROM {t} WHERE {st} AND {v} >= (SELECT min({v}) FROM {t} WHERE {st}) + ?2
                     ORDER BY {v} LIMIT ?3",
                    self.columns(),
                    t = s.table,
                    st = self.stream_eq(1),
                    v = s.version
                );
                self.read(
                    &sql,
                    &[
                        Arg::Text(stream.clone()),
                        Arg::Int(start as i64),
                        Arg::Int(limit as i64),
                    ],
                )
            }
            _ => self.read_scope_rows(scope, start, limit),
        }
    }

    fn event_at_position(&self, position: i64) -> StoreResult<Option<Event>> {
        let sql = format!(
            "SELECT {} FROM {} WHERE {} = ?1",
            self.columns(),
            self.spec.table,
            self.spec.position
        );
        Ok(self.read(&sql, &[Arg::Int(position)])?.into_iter().next())
    }

    fn row_at_or_before_time(&self, scope: &Scope, time_ms: Millis) -> StoreResult<Option<u64>> {
        let Some(time) = self.spec.time_ms.clone() else {
            return self.search_time(scope, time_ms);
        };
        let (filter, mut args) = self.filter(scope, 1);
        let n = args.len();
        let sql = format!(
            "SELECT {pos} FROM {} WHERE {filter} AND {time} <= ?{} ORDER BY {time} DESC, {pos} DESC LIMIT 1",
            self.spec.table,
            n + 1,
            pos = self.spec.position
        );
        args.push(Arg::Int(time_ms));
        match self.int(&sql, &args)? {
            Some(position) => self.row_at_or_before_position(scope, position),
            None => Ok(None),
        }
    }

    fn row_at_or_before_position(&self, scope: &Scope, position: i64) -> StoreResult<Option<u64>> {
        if let Scope::Stream(stream) = scope {
            let s = &self.spec;
            let last = self.int(
                &format!(
                    "SELECT max({}) FROM {} WHERE {} AND {} <= ?2",
                    s.version,
                    s.table,
                    self.stream_eq(1),
                    s.position
                ),
                &[Arg::Text(stream.clone()), Arg::Int(position)],
            )?;
            let first = self.first_version(stream)?;
            return Ok(last.zip(first).map(|(l, f)| (l - f).max(0) as u64));
        }
        if *scope == Scope::All {
            if let Some(first) = self.dense_first_position()? {
                let head = self.head_position()?;
                return Ok((position >= first).then(|| (position.min(head) - first) as u64));
            }
        }
        let n = if *scope == Scope::All && position >= self.head_position()? {
            self.count(scope)?
        } else {
            self.count_where(scope, Some(("<=", position)))?
        };
        Ok(n.checked_sub(1))
    }

    fn histogram(&self, scope: &Scope, buckets: usize) -> StoreResult<Histogram> {
        let head = self.head_position()?;
        if let Some((s, b, h, histogram)) = self.last_histogram.borrow().as_ref() {
            if s == scope && *b == buckets && *h == head {
                return Ok(histogram.clone());
            }
        }
        let histogram = self.compute_histogram(scope, buckets)?;
        *self.last_histogram.borrow_mut() = Some((scope.clone(), buckets, head, histogram.clone()));
        Ok(histogram)
    }

    fn type_counts(&self, scope: &Scope) -> StoreResult<Vec<TypeCount>> {
        let (condition, args) = self.filter(scope, 1);
        let sql = format!(
            "SELECT {t}, count(*) FROM {table} WHERE {condition} GROUP BY {t}",
            t = self.spec.event_type,
            table = self.spec.table
        );
        let groups = self.conn.keyed(&sql, &args)?;
        // The column may hold more than the type (eventsourcing's topics):
        // decode each group's key as a row would be, and merge.
        Ok(sorted_counts(groups.into_iter().map(|(raw, n)| {
            let row = RawRow {
                event_type: raw,
                ..RawRow::default()
            };
            let count = n.first().copied().flatten().unwrap_or(0).max(0) as u64;
            ((self.decode)(row).event_type, count)
        })))
    }

    /// The span of `$all`'s positions: two index probes, and the exact
    /// count where no position was skipped (a rolled-back insert skips
    /// one). Once counted, the exact count is kept and used.
    fn count_estimate(&self, scope: &Scope) -> StoreResult<Option<u64>> {
        if *scope != Scope::All || self.all_count.borrow().is_some() {
            return Ok(None);
        }
        let position = &self.spec.position;
        let sql = format!(
            "SELECT max({position}) - min({position}) + 1 FROM {}",
            self.spec.table
        );
        Ok(Some(self.int(&sql, &[])?.unwrap_or(0).max(0) as u64))
    }

    fn head_position(&self) -> StoreResult<i64> {
        Ok(self
            .int(
                &format!(
                    "SELECT max({}) FROM {}",
                    self.spec.position, self.spec.table
                ),
                &[],
            )?
            .unwrap_or(0))
    }
}
