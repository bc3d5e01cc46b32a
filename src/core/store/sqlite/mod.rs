//! Rewind's own event store: one SQLite file, append-only, hash-chained.

mod append;
mod ids;
mod read;
mod schema;
mod search;
mod verify;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::core::error::{StoreError, StoreResult};

pub use append::{AppendOutcome, Appender};
pub use schema::CURRENT as SCHEMA_VERSION;
pub use verify::{VerifyError, VerifyReport};

/// How long a writer waits for another writer's lock before giving up;
/// `REWIND_BUSY_TIMEOUT_MS` overrides it (scripts that prefer to fail fast).
fn busy_timeout() -> Duration {
    std::env::var("REWIND_BUSY_TIMEOUT_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(Duration::from_secs(10), Duration::from_millis)
}

/// A connection to a Rewind store, opened either to look (read-only, which
/// never writes a byte of the store) or to append.
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    read_only: bool,
    store_id: String,
}

impl SqliteStore {
    /// Creates a new empty store, or opens and upgrades an existing one.
    pub fn create(path: &Path) -> StoreResult<Self> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        Self::open_with(path, flags, false)
    }

    /// Opens an existing store to append to it.
    pub fn open(path: &Path) -> StoreResult<Self> {
        require_file(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        Self::open_with(path, flags, false)
    }

    /// Opens an existing store to look at it: SQLite refuses every write on
    /// this connection, and no migration is attempted.
    pub fn open_read_only(path: &Path) -> StoreResult<Self> {
        require_file(path)?;
        roll_back_dead_writer(path);
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        Self::open_with(path, flags, true)
    }

    fn open_with(path: &Path, flags: OpenFlags, read_only: bool) -> StoreResult<Self> {
        let conn = Connection::open_with_flags(path, flags).map_err(|e| classify(path, e))?;
        conn.busy_timeout(busy_timeout())?;
        let mut store = SqliteStore {
            conn,
            path: path.to_path_buf(),
            read_only,
            store_id: String::new(),
        };
        store.prepare_schema().map_err(|e| match e {
            StoreError::Sqlite(e) => classify(path, e),
            other => other,
        })?;
        store.store_id = store
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'store_id'", [], |r| {
                r.get(0)
            })
            .map_err(|e| classify(path, e))?;
        Ok(store)
    }

    fn prepare_schema(&mut self) -> StoreResult<()> {
        let found = schema::user_version(&self.conn)?;
        if found > schema::CURRENT {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found,
                supported: schema::CURRENT,
            });
        }
        if found == 0 && self.has_foreign_tables()? {
            return Err(StoreError::NotAStore {
                path: self.path.clone(),
                reason: "it holds tables of another program".into(),
            });
        }
        if self.read_only {
            if found < schema::CURRENT {
                return Err(StoreError::NotAStore {
                    path: self.path.clone(),
                    reason: if found == 0 {
                        "it has no Rewind schema (create a store with `rewind init`)".into()
                    } else {
                        format!("schema version {found} is older than {}; run `rewind init` on it to upgrade", schema::CURRENT)
                    },
                });
            }
            return Ok(());
        }
        if found == 0 {
            // Larger pages mean shallower b-trees for the event indexes;
            // only possible before the first table exists.
            self.conn.pragma_update(None, "page_size", 16384)?;
        }
        // WAL lets readers (the explorer) keep reading while a writer appends.
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        // An acknowledged append must survive a power cut, not just a crash.
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        schema::migrate(&mut self.conn)?;
        Ok(())
    }

    fn has_foreign_tables(&self) -> StoreResult<bool> {
        let count: i64 = self.conn.query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table'",
            [],
            |r| r.get(0),
        )?;
        Ok(count > 0)
    }

    /// Lets SQLite keep up to `mib` MiB of pages in memory. Large imports
    /// touch index pages all over the file; without a large cache every
    /// insert would spill pages to the write-ahead log and read them back.
    pub fn set_cache_mib(&self, mib: i64) -> StoreResult<()> {
        self.conn.pragma_update(None, "cache_size", -(mib * 1024))?;
        // Index builds at the end of a bulk load sort in memory.
        self.conn.pragma_update(None, "temp_store", "MEMORY")?;
        Ok(())
    }

    /// Runs `load` with the store in rollback-journal mode when the store is
    /// empty. In WAL mode every page of a bulk load is written twice (to
    /// the log, then to the store); a rollback journal only records pages
    /// that existed before, so a first import writes its data once. Crash
    /// safety is the same. WAL mode is restored afterwards either way.
    pub fn bulk_load<T, E: From<StoreError>>(
        &mut self,
        load: impl FnOnce(&mut SqliteStore) -> Result<T, E>,
    ) -> Result<T, E> {
        let empty = self.head_position_now()? == 0;
        if empty {
            self.conn
                .pragma_update(None, "journal_mode", "TRUNCATE")
                .map_err(StoreError::from)?;
        }
        let result = load(self);
        if empty {
            self.conn
                .pragma_update(None, "journal_mode", "WAL")
                .map_err(StoreError::from)?;
        }
        result
    }

    fn head_position_now(&self) -> StoreResult<i64> {
        Ok(self
            .conn
            .query_row("SELECT coalesce(max(position), 0) FROM events", [], |r| {
                r.get(0)
            })?)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Starts a write transaction. Appends made through the [`Appender`]
    /// become visible together when it commits, or not at all.
    pub fn appender(&mut self) -> StoreResult<Appender<'_>> {
        let path = self.path.clone();
        if self.read_only {
            return Err(StoreError::Unavailable {
                path,
                reason: "the store was opened read-only".into(),
            });
        }
        Appender::begin(&mut self.conn).map_err(|e| match e {
            StoreError::Sqlite(e) => classify(&path, e),
            other => other,
        })
    }

    /// The values of the `meta` table whose keys start with `prefix` (what
    /// a mirror of another store recorded there), in key order.
    pub fn meta_values(&self, prefix: &str) -> StoreResult<Vec<(String, String)>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT key, value FROM meta WHERE substr(key, 1, length(?1)) = ?1 ORDER BY key",
        )?;
        let rows = statement.query_map([prefix], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The raw connection, for tests that tamper with a store on purpose.
    #[doc(hidden)]
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// A writer killed mid-transaction in rollback-journal mode (a first bulk
/// import runs in that mode) leaves a "hot" journal, and SQLite refuses to
/// read the store read-only until someone rolls it back
/// (SQLITE_READONLY_ROLLBACK). This is Rewind's own store, so it does what
/// any writer's open would do: a read-write connection reads one page,
/// which makes SQLite roll the dead transaction back, restoring the last
/// committed state. Nothing is done when there is no journal, when another
/// writer is alive (its lock makes the journal not hot), or when the file
/// cannot be opened for writing (the read-only open then reports it).
/// Foreign stores never get this: they are opened strictly read-only.
fn roll_back_dead_writer(path: &Path) {
    let mut journal = path.as_os_str().to_os_string();
    journal.push("-journal");
    let has_journal = std::fs::metadata(PathBuf::from(journal)).is_ok_and(|m| m.len() > 0);
    if !has_journal {
        return;
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if let Ok(conn) = Connection::open_with_flags(path, flags) {
        let _ = conn.busy_timeout(busy_timeout());
        let _ = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
            r.get::<_, i64>(0)
        });
    }
}

fn require_file(path: &Path) -> StoreResult<()> {
    if path.is_file() {
        Ok(())
    } else {
        Err(StoreError::Missing(path.to_path_buf()))
    }
}

/// Turns SQLite's error codes into messages that say what to do.
fn classify(path: &Path, error: rusqlite::Error) -> StoreError {
    match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::NotAStore {
            path: path.to_path_buf(),
            reason: "the file is not an SQLite database".into(),
        },
        Some(ErrorCode::DatabaseCorrupt) => StoreError::NotAStore {
            path: path.to_path_buf(),
            reason: "the SQLite file is damaged (truncated or overwritten)".into(),
        },
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => StoreError::Busy {
            path: path.to_path_buf(),
        },
        Some(ErrorCode::CannotOpen) => StoreError::Unavailable {
            path: path.to_path_buf(),
            reason: "the file cannot be opened (check its permissions and its folder's)".into(),
        },
        Some(ErrorCode::ReadOnly) => StoreError::Unavailable {
            path: path.to_path_buf(),
            reason: "the file or its folder is read-only; appending needs write access".into(),
        },
        _ => StoreError::Sqlite(error),
    }
}

#[cfg(test)]
mod tests;
