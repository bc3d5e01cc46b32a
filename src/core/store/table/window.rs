//! Row windows of `$all` and categories: keyset pages anchored on the
//! window read last, `OFFSET` only for far jumps (see the parent module).

use super::{Arg, TableSource};
use crate::core::error::StoreResult;
use crate::core::event::Event;
use crate::core::store::{EventSource, Scope};

/// How far back (in rows) from the last window a read still walks by key.
const NEAR_ROWS: u64 = 100_000;

pub(super) struct Window {
    pub(super) scope: Scope,
    pub(super) start: u64,
    pub(super) positions: Vec<i64>,
}

pub(super) enum Plan {
    After(Option<i64>),
    From(i64),
    Back(i64, u64),
    Offset,
}

impl TableSource {
    /// Events of a scope with position after (`>`) or from (`>=`) a known
    /// position, in position order: a keyset window.
    pub(super) fn read_keyset(
        &self,
        scope: &Scope,
        bound: (&str, i64),
        limit: usize,
    ) -> StoreResult<Vec<Event>> {
        let (filter, mut args) = self.filter(scope, 1);
        let n = args.len();
        let sql = format!(
            "SELECT {} FROM {} WHERE {filter} AND {} {} ?{} ORDER BY {} LIMIT ?{}",
            self.columns(),
            self.spec.table,
            self.spec.position,
            bound.0,
            n + 1,
            self.spec.position,
            n + 2
        );
        args.push(Arg::Int(bound.1));
        args.push(Arg::Int(limit as i64));
        self.read(&sql, &args)
    }

    fn plan(&self, scope: &Scope, start: u64) -> Plan {
        if start == 0 {
            return Plan::After(None);
        }
        let window = self.window.borrow();
        let Some(w) = window.as_ref().filter(|w| w.scope == *scope) else {
            return Plan::Offset;
        };
        let (Some(&first), Some(&last)) = (w.positions.first(), w.positions.last()) else {
            return Plan::Offset;
        };
        let end = w.start + w.positions.len() as u64;
        if start >= w.start && start < end {
            Plan::From(w.positions[(start - w.start) as usize])
        } else if start == end {
            Plan::After(Some(last))
        } else if start < w.start && w.start - start <= NEAR_ROWS {
            Plan::Back(first, w.start - start)
        } else {
            Plan::Offset
        }
    }

    pub(super) fn read_scope_rows(
        &self,
        scope: &Scope,
        start: u64,
        limit: usize,
    ) -> StoreResult<Vec<Event>> {
        let mut plan = self.plan(scope, start);
        if matches!(plan, Plan::Offset | Plan::Back(..)) && *scope == Scope::All {
            // Without gaps in the positions, row r is simply position
            // first + r: a far jump is a key lookup, not an OFFSET walk.
            if let Some(first) = self.dense_first_position()? {
                plan = Plan::From(first + start as i64);
            }
        }
        let events = match plan {
            Plan::After(None) => self.read_keyset(scope, (">", i64::MIN), limit)?,
            Plan::After(Some(p)) => self.read_keyset(scope, (">", p), limit)?,
            Plan::From(p) => self.read_keyset(scope, (">=", p), limit)?,
            Plan::Back(first, rows) => {
                // The `rows` positions just before the window, newest first:
                // the last of them is row `start`.
                let (filter, mut args) = self.filter(scope, 1);
                let n = args.len();
                let sql = format!(
                    "SELECT {pos} FROM {} WHERE {filter} AND {pos} < ?{} ORDER BY {pos} DESC LIMIT ?{}",
                    self.spec.table,
                    n + 1,
                    n + 2,
                    pos = self.spec.position
                );
                args.push(Arg::Int(first));
                args.push(Arg::Int(rows as i64));
                let before = self.conn.ints(&sql, &args)?;
                match before.last().and_then(|r| r.first().copied().flatten()) {
                    Some(p) if before.len() as u64 == rows => {
                        self.read_keyset(scope, (">=", p), limit)?
                    }
                    _ => self.read_offset(scope, start, limit)?,
                }
            }
            Plan::Offset => self.read_offset(scope, start, limit)?,
        };
        *self.window.borrow_mut() = Some(Window {
            scope: scope.clone(),
            start,
            positions: events.iter().map(|e| e.position).collect(),
        });
        Ok(events)
    }

    /// The first position when `$all`'s positions have no gaps (the count
    /// equals the span), the common case; `None` when some are missing.
    pub(super) fn dense_first_position(&self) -> StoreResult<Option<i64>> {
        let count = self.count(&Scope::All)?;
        let head = self.head_position()?;
        let first = self.int(
            &format!(
                "SELECT min({}) FROM {}",
                self.spec.position, self.spec.table
            ),
            &[],
        )?;
        Ok(first.filter(|&f| count > 0 && head - f + 1 == count as i64))
    }

    /// A far jump: the server walks `start` index entries.
    fn read_offset(&self, scope: &Scope, start: u64, limit: usize) -> StoreResult<Vec<Event>> {
        let (filter, mut args) = self.filter(scope, 1);
        let n = args.len();
        let sql = format!(
            "SELECT {} FROM {} WHERE {filter} ORDER BY {} LIMIT ?{} OFFSET ?{}",
            self.columns(),
            self.spec.table,
            self.spec.position,
            n + 1,
            n + 2
        );
        args.push(Arg::Int(limit as i64));
        args.push(Arg::Int(start as i64));
        self.read(&sql, &args)
    }
}
