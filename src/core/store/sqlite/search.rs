//! Searches pushed down to SQL: the store tests a search's prefilter
//! (`LIKE` on the stored text) where the events are, and hands back only
//! the events that pass, with their rows, for the exact matcher to decide.
//! Reading every event into Rust instead costs about six times as long.

use rusqlite::types::Value;

use super::read::{event_from_row, scope_condition, EVENT_COLUMNS};
use super::SqliteStore;
use crate::core::error::StoreResult;
use crate::core::event::Event;
use crate::core::prefilter::{Column, Needle, Prefilter};
use crate::core::store::{EventSource, Scope};

/// Keys (versions or positions) per query: a query takes tens of
/// milliseconds, so progress and cancel are never far apart.
const WINDOW: i64 = 65_536;
/// Events that pass, read at most at once.
const PAGE: i64 = 4096;

type Visit<'v> = dyn FnMut(u64, Option<&Event>) -> bool + 'v;

impl SqliteStore {
    pub(super) fn scan_filtered(
        &self,
        scope: &Scope,
        start: u64,
        end: u64,
        prefilter: &Prefilter,
        visit: &mut Visit<'_>,
    ) -> StoreResult<()> {
        if start >= end {
            return Ok(());
        }
        let (start, end) = (start as i64, end as i64);
        let (condition, param) = scope_condition(scope, 1);
        match scope {
            // Versions and positions have no gaps: a row is a key.
            Scope::Stream(_) => {
                let query = FilteredQuery::new(&condition, Key::Version, prefilter);
                self.scan_keyed(&query, param, (start, end), 0, visit)
            }
            Scope::All => {
                let query = FilteredQuery::new(&condition, Key::Position, prefilter);
                self.scan_keyed(&query, param, (start, end), 1, visit)
            }
            Scope::Category(c) => {
                let query = FilteredQuery::new(&condition, Key::Position, prefilter);
                self.scan_category(&query, c, (start, end), visit)
            }
        }
    }

    /// A scope whose row is its key less `offset`.
    fn scan_keyed(
        &self,
        query: &FilteredQuery,
        param: &str,
        (start, end): (i64, i64),
        offset: i64,
        visit: &mut Visit<'_>,
    ) -> StoreResult<()> {
        let mut lo = start;
        while lo < end {
            let hi = (lo + WINDOW).min(end);
            let mut go = true;
            query.run(
                self,
                param,
                (lo + offset, hi + offset),
                &mut |event, key| {
                    go = visit((key - offset) as u64, Some(event));
                    go
                },
            )?;
            if !go || !visit(hi as u64, None) {
                return Ok(());
            }
            lo = hi;
        }
        Ok(())
    }

    /// A category's rows are counted along its index: between two events
    /// that pass, the rows skipped are counted, not read.
    fn scan_category(
        &self,
        query: &FilteredQuery,
        category: &str,
        (start, end): (i64, i64),
        visit: &mut Visit<'_>,
    ) -> StoreResult<()> {
        let scope = Scope::Category(category.to_string());
        let Some(first) = self.read_rows(&scope, start as u64, 1)?.pop() else {
            return Ok(());
        };
        let (first, head) = (first.position, self.head_position()?);
        let between = |from: i64, to: i64| -> StoreResult<i64> {
            Ok(self
                .query_i64(
                    "SELECT count(*) FROM events WHERE category = ?1 AND position >= ?2
                     AND position < ?3",
                    rusqlite::params![category, from, to],
                )?
                .unwrap_or(0))
        };
        // The next position to count from, and its row.
        let (mut at, mut row) = (first, start);
        let mut lo = first;
        while lo <= head && row < end {
            let hi = lo + WINDOW;
            let mut go = true;
            let mut failure = None;
            query.run(self, category, (lo, hi), &mut |event, position| {
                match between(at, position) {
                    Ok(skipped) => row += skipped,
                    Err(error) => {
                        failure = Some(error);
                        return false;
                    }
                }
                if row >= end {
                    go = false;
                    return false;
                }
                go = visit(row as u64, Some(event));
                at = position + 1;
                row += 1;
                go
            })?;
            if let Some(error) = failure {
                return Err(error);
            }
            if !go {
                return Ok(());
            }
            row += between(at, hi)?;
            at = hi;
            if !visit(row.min(end) as u64, None) {
                return Ok(());
            }
            lo = hi;
        }
        Ok(())
    }
}

/// What a scope's rows are counted by: a stream's versions, or positions.
#[derive(Clone, Copy)]
enum Key {
    Version,
    Position,
}

impl Key {
    fn column(self) -> &'static str {
        match self {
            Key::Version => "version",
            Key::Position => "position",
        }
    }

    fn of(self, event: &Event) -> i64 {
        match self {
            Key::Version => event.version,
            Key::Position => event.position,
        }
    }
}

/// `SELECT … WHERE <scope> AND <key> >= lo AND <key> < hi AND <prefilter>`
/// with its parameters after the first three.
struct FilteredQuery {
    sql: String,
    key: Key,
    needles: Vec<String>,
}

impl FilteredQuery {
    /// `condition` is the scope's, on `?1` ([`scope_condition`]).
    fn new(condition: &str, key: Key, prefilter: &Prefilter) -> FilteredQuery {
        let key_column = key.column();
        let mut needles = Vec::new();
        let mut clauses = Vec::new();
        for clause in &prefilter.clauses {
            let tests: Vec<String> = clause
                .any
                .iter()
                .map(|test| {
                    needles.push(match &test.needle {
                        Needle::Contains(text) => format!("%{}%", like_escaped(text)),
                        Needle::Equals(text) => text.clone(),
                    });
                    let n = needles.len() + 3;
                    let column = column_name(test.column);
                    match test.needle {
                        Needle::Contains(_) => format!("{column} LIKE ?{n} ESCAPE '\\'"),
                        Needle::Equals(_) => format!("{column} = ?{n}"),
                    }
                })
                .collect();
            clauses.push(format!("({})", tests.join(" OR ")));
        }
        let mut sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events
             WHERE {condition} AND {key_column} >= ?2 AND {key_column} < ?3"
        );
        for clause in clauses {
            sql.push_str(" AND ");
            sql.push_str(&clause);
        }
        sql.push_str(&format!(" ORDER BY {key_column} LIMIT {PAGE}"));
        FilteredQuery { sql, key, needles }
    }

    /// The events with keys in `lo..hi` that pass, in key order, page by
    /// page, until `take` returns false.
    fn run(
        &self,
        store: &SqliteStore,
        param: &str,
        (mut lo, hi): (i64, i64),
        take: &mut dyn FnMut(&Event, i64) -> bool,
    ) -> StoreResult<()> {
        let mut statement = store.conn.prepare_cached(&self.sql)?;
        loop {
            let mut values = vec![
                Value::Text(param.to_string()),
                Value::Integer(lo),
                Value::Integer(hi),
            ];
            values.extend(self.needles.iter().cloned().map(Value::Text));
            let mut rows = statement.query(rusqlite::params_from_iter(values))?;
            let mut read = 0;
            while let Some(row) = rows.next()? {
                let event = event_from_row(row)?;
                let key = self.key.of(&event);
                read += 1;
                lo = key + 1;
                if !take(&event, key) {
                    return Ok(());
                }
            }
            if read < PAGE {
                return Ok(());
            }
        }
    }
}

fn column_name(column: Column) -> &'static str {
    match column {
        Column::Type => "type",
        Column::Stream => "stream",
        Column::Data => "data",
        Column::Metadata => "metadata",
    }
}

/// `text` with LIKE's wildcards (and the escape itself) taken literally.
fn like_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
