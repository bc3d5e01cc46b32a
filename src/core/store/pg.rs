//! One read-only PostgreSQL session for the message-db and Marten backends.
//!
//! The session is made read-only on the server (`default_transaction_read_
//! only`), so even a bug in Rewind could not write. Statements are prepared
//! once and kept; every statement the table engine sends is a keyset window,
//! a point read or an aggregate that the server computes.

use std::cell::RefCell;
use std::collections::HashMap;

use postgres::types::ToSql;
use postgres::{Client, NoTls, Row, Statement};

use crate::core::error::{StoreError, StoreResult};
use crate::core::store::table::{Arg, RawRow, SqlConn};

pub struct PgConn {
    client: RefCell<Client>,
    statements: RefCell<HashMap<String, Statement>>,
}

/// The server's own message when there is one ("relation … does not
/// exist"), not just "db error".
pub fn pg_error(error: postgres::Error) -> StoreError {
    StoreError::Postgres(describe(&error))
}

fn describe(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => {
            let mut text = error.to_string();
            let mut source = std::error::Error::source(error);
            while let Some(cause) = source {
                text.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            text
        }
    }
}

/// The URL without its password, for labels and messages.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((user, host)) => {
            let user = user.split(':').next().unwrap_or(user);
            format!("{scheme}://{user}@{host}")
        }
        None => url.to_string(),
    }
}

impl PgConn {
    pub fn connect(url: &str) -> StoreResult<Self> {
        let mut client = Client::connect(url, NoTls).map_err(|e| {
            StoreError::Postgres(format!(
                "cannot connect to {}: {}",
                redact(url),
                describe(&e)
            ))
        })?;
        client
            .batch_execute(
                "SET default_transaction_read_only = on; SET application_name = 'rewind'",
            )
            .map_err(pg_error)?;
        Ok(PgConn {
            client: RefCell::new(client),
            statements: RefCell::new(HashMap::new()),
        })
    }

    fn query(&self, sql: &str, args: &[Arg]) -> StoreResult<Vec<Row>> {
        let sql = dollar_placeholders(sql);
        let mut client = self.client.borrow_mut();
        let statement = {
            let mut statements = self.statements.borrow_mut();
            match statements.get(&sql) {
                Some(s) => s.clone(),
                None => {
                    let s = client.prepare(&sql).map_err(pg_error)?;
                    statements.insert(sql.clone(), s.clone());
                    s
                }
            }
        };
        let values: Vec<Box<dyn ToSql + Sync>> = args
            .iter()
            .map(|a| -> Box<dyn ToSql + Sync> {
                match a {
                    Arg::Int(i) => Box::new(*i),
                    Arg::Text(t) => Box::new(t.clone()),
                }
            })
            .collect();
        let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
        client.query(&statement, &refs).map_err(pg_error)
    }

    /// Rows of text columns, for detection and schema questions.
    pub fn texts(&self, sql: &str, args: &[Arg]) -> StoreResult<Vec<Vec<Option<String>>>> {
        Ok(self
            .query(sql, args)?
            .iter()
            .map(|row| (0..row.len()).map(|i| text(row, i)).collect())
            .collect())
    }
}

/// `?3` → `$3`, outside quoted strings.
fn dollar_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
        }
        if c == '?' && !quoted && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

fn int(row: &Row, i: usize) -> Option<i64> {
    row.try_get::<_, Option<i64>>(i)
        .or_else(|_| row.try_get::<_, Option<i32>>(i).map(|v| v.map(i64::from)))
        .ok()
        .flatten()
}

fn text(row: &Row, i: usize) -> Option<String> {
    row.try_get::<_, Option<String>>(i).ok().flatten()
}

impl SqlConn for PgConn {
    fn events(&self, sql: &str, args: &[Arg]) -> StoreResult<Vec<RawRow>> {
        Ok(self
            .query(sql, args)?
            .iter()
            .map(|row| RawRow {
                position: int(row, 0).unwrap_or(0),
                stream: text(row, 1).unwrap_or_default(),
                version: int(row, 2).unwrap_or(0),
                event_type: text(row, 3).unwrap_or_default(),
                schema_version: int(row, 4).unwrap_or(1),
                data: text(row, 5).unwrap_or_else(|| "null".into()).into_bytes(),
                metadata: text(row, 6),
                time_ms: int(row, 7),
                id: text(row, 8),
            })
            .collect())
    }

    fn ints(&self, sql: &str, args: &[Arg]) -> StoreResult<Vec<Vec<Option<i64>>>> {
        Ok(self
            .query(sql, args)?
            .iter()
            .map(|row| (0..row.len()).map(|i| int(row, i)).collect())
            .collect())
    }

    fn keyed(&self, sql: &str, args: &[Arg]) -> StoreResult<Vec<(String, Vec<Option<i64>>)>> {
        Ok(self
            .query(sql, args)?
            .iter()
            .map(|row| {
                let key = text(row, 0).unwrap_or_default();
                (key, (1..row.len()).map(|i| int(row, i)).collect())
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_redaction() {
        assert_eq!(
            dollar_placeholders("a = ?1 AND b = '?2' LIMIT ?12"),
            "a = $1 AND b = '?2' LIMIT $12"
        );
        assert_eq!(redact("postgres://me:secret@db/x"), "postgres://me@db/x");
    }
}
