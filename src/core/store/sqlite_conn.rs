//! Read-only connections to SQLite files that Rewind did not create.
//!
//! The file is opened through a URI with `mode=ro` and
//! `SQLITE_OPEN_READ_ONLY`: SQLite refuses every write and never migrates.
//! What is left is SQLite's own side files. A database in rollback-journal
//! mode needs none to be read. A database in WAL mode needs its `-shm`
//! index, and a read-only connection *creates* `-wal` and `-shm` when they
//! are missing (and, being read-only, cannot remove them afterwards). So:
//!
//! * WAL mode with a `-wal` file present: a writer is (or was) live; the
//!   files already exist, so open `mode=ro` and share them. Live follow sees
//!   the writer's appends.
//! * WAL mode without a `-wal` file: no writer has the store open, so open
//!   with `immutable=1`, which reads the main file only and creates nothing.
//!   An immutable connection would never see a later writer's appends
//!   (Emmett's library, for one, opens and closes the file per call), so
//!   the file (size, times, inode) and its `-wal` file are checked before
//!   each statement: when they change, the connection is opened again, in
//!   whichever mode now fits. Live follow keeps working and no trace is
//!   left.
//! * Rollback-journal mode: `mode=ro` only. `immutable=1` is not used since
//!   it would hide later appends from live follow, and a reader leaves no
//!   files behind in this mode anyway.

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use crate::core::error::{StoreError, StoreResult};
use crate::core::store::table::{Arg, RawRow, SqlConn};

pub struct ForeignSqlite {
    conn: RefCell<Connection>,
    path: PathBuf,
    /// For an immutable connection: the file as it was when opened.
    opened_as: Cell<Option<Stamp>>,
}

/// What changes when another process writes: the main file's size,
/// modification and (on Unix) change times and inode, and whether a `-wal`
/// file exists. A write that keeps the size within the same second of a
/// coarse clock still changes the change time's nanoseconds where the
/// file system keeps them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    changed: (i64, i64, u64),
    wal_file: bool,
}

impl Stamp {
    fn of(path: &Path) -> Stamp {
        let meta = std::fs::metadata(path).ok();
        Stamp {
            len: meta.as_ref().map_or(0, |m| m.len()),
            modified: meta.as_ref().and_then(|m| m.modified().ok()),
            changed: meta.as_ref().map_or((0, 0, 0), change_time),
            wal_file: sidecar(path, "-wal").exists(),
        }
    }
}

#[cfg(unix)]
fn change_time(meta: &std::fs::Metadata) -> (i64, i64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.ctime(), meta.ctime_nsec(), meta.ino())
}

#[cfg(not(unix))]
fn change_time(_: &std::fs::Metadata) -> (i64, i64, u64) {
    (0, 0, 0)
}

impl ForeignSqlite {
    pub fn open(path: &Path) -> StoreResult<Self> {
        if !path.is_file() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let (conn, opened_as) = connect(&absolute).map_err(|e| unavailable(path, e))?;
        Ok(ForeignSqlite {
            conn: RefCell::new(conn),
            path: absolute,
            opened_as: Cell::new(opened_as),
        })
    }

    /// The connection, opened again first if it is immutable and another
    /// process has written to the file since.
    fn conn(&self) -> StoreResult<std::cell::Ref<'_, Connection>> {
        if let Some(stamp) = self.opened_as.get() {
            if Stamp::of(&self.path) != stamp {
                let (conn, opened_as) =
                    connect(&self.path).map_err(|e| unavailable(&self.path, e))?;
                *self.conn.borrow_mut() = conn;
                self.opened_as.set(opened_as);
            }
        }
        Ok(self.conn.borrow())
    }

    /// Names of the file's tables (for detection).
    pub fn tables(&self) -> StoreResult<Vec<String>> {
        let conn = self.conn()?;
        let mut statement =
            conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")?;
        let names = statement.query_map([], |r| r.get(0))?;
        Ok(names.collect::<Result<_, _>>()?)
    }

    /// Whether a statement runs on this file (e.g. whether a table has a rowid).
    pub fn runs(&self, sql: &str) -> bool {
        let Ok(conn) = self.conn() else {
            return false;
        };
        conn.prepare(sql)
            .and_then(|mut s| s.query([]).map(|_| ()))
            .is_ok()
    }

    /// Names of a table's columns.
    pub fn columns(&self, table: &str) -> StoreResult<Vec<String>> {
        let conn = self.conn()?;
        let mut statement = conn.prepare("SELECT name FROM pragma_table_info(?1)")?;
        let names = statement.query_map([table], |r| r.get(0))?;
        Ok(names.collect::<Result<_, _>>()?)
    }
}

/// Opens `path` read-only in the mode its state calls for (see the module
/// notes); the stamp is `Some` when the connection is immutable.
fn connect(path: &Path) -> rusqlite::Result<(Connection, Option<Stamp>)> {
    let stamp = Stamp::of(path);
    let immutable = is_wal_mode(path) && !stamp.wal_file;
    let uri = format!(
        "file:{}?mode=ro{}",
        uri_path(path),
        if immutable { "&immutable=1" } else { "" }
    );
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(&uri, flags)?;
    // A writer holding a lock briefly: wait rather than fail.
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok((conn, immutable.then_some(stamp)))
}

fn unavailable(path: &Path, error: rusqlite::Error) -> StoreError {
    StoreError::Unavailable {
        path: path.to_path_buf(),
        reason: format!("cannot open it read-only: {error}"),
    }
}

/// Byte 18 of the SQLite header is 2 for WAL mode.
fn is_wal_mode(path: &Path) -> bool {
    use std::io::Read;
    let mut header = [0u8; 20];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut header))
        .map(|()| header[18] == 2)
        .unwrap_or(false)
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// Percent-encodes the characters that mean something in a URI.
fn uri_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '?' | '#' | '%' | '&' | '=' => out.push_str(&format!("%{:02X}", c as u32)),
            _ => out.push(c),
        }
    }
    out
}

fn bind(args: &[Arg]) -> Vec<rusqlite::types::Value> {
    args.iter()
        .map(|a| match a {
            Arg::Int(i) => rusqlite::types::Value::Integer(*i),
            Arg::Text(t) => rusqlite::types::Value::Text(t.clone()),
        })
        .collect()
}

fn text(value: ValueRef<'_>) -> Option<String> {
    match value {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
    }
}

fn int(value: ValueRef<'_>) -> Option<i64> {
    match value {
        ValueRef::Integer(i) => Some(i),
        ValueRef::Real(f) => Some(f as i64),
        ValueRef::Text(t) => std::str::from_utf8(t).ok()?.trim().parse().ok(),
        _ => None,
    }
}

impl SqlConn for ForeignSqlite {
    fn events(&self, sql: &str, args: &[Arg]) -> StoreResult<Vec<RawRow>> {
        let conn = self.conn()?;
        let mut statement = conn.prepare_cached(sql)?;
        let rows = statement.query_map(rusqlite::params_from_iter(bind(args)), |r| {
            let data = match r.get_ref(5)? {
                ValueRef::Blob(b) | ValueRef::Text(b) => b.to_vec(),
                ValueRef::Null => b"null".to_vec(),
                other => text(other).unwrap_or_default().into_bytes(),
            };
            Ok(RawRow {
                position: int(r.get_ref(0)?).unwrap_or(0),
                stream: text(r.get_ref(1)?).unwrap_or_default(),
                version: int(r.get_ref(2)?).unwrap_or(0),
                event_type: text(r.get_ref(3)?).unwrap_or_default(),
                schema_version: int(r.get_ref(4)?).unwrap_or(1),
                data,
                metadata: text(r.get_ref(6)?),
                time_ms: int(r.get_ref(7)?),
                id: text(r.get_ref(8)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn ints(&self, sql: &str, args: &[Arg]) -> StoreResult<Vec<Vec<Option<i64>>>> {
        let conn = self.conn()?;
        let mut statement = conn.prepare_cached(sql)?;
        let width = statement.column_count();
        let rows = statement.query_map(rusqlite::params_from_iter(bind(args)), |r| {
            (0..width)
                .map(|i| Ok(int(r.get_ref(i)?)))
                .collect::<rusqlite::Result<Vec<_>>>()
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn keyed(&self, sql: &str, args: &[Arg]) -> StoreResult<Vec<(String, Vec<Option<i64>>)>> {
        let conn = self.conn()?;
        let mut statement = conn.prepare_cached(sql)?;
        let width = statement.column_count();
        let rows = statement.query_map(rusqlite::params_from_iter(bind(args)), |r| {
            let key = text(r.get_ref(0)?).unwrap_or_default();
            let ints = (1..width)
                .map(|i| Ok(int(r.get_ref(i)?)))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((key, ints))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
