//! Which kind of store a path or URL is, and opening it read-only.
//!
//! * SQLite file with tables `events`, `streams` and `meta`: Rewind's own.
//! * SQLite file with `stored_events`: the Python eventsourcing library.
//! * SQLite file with `emt_messages`: Emmett.
//! * `postgres://` or `postgresql://` URL: message-db when the schema
//!   `message_store` has its `messages` table, Marten when a table
//!   `mt_events` exists (in any schema; `public` first).
//! * `.ndjson` / `.jsonl` file: imported once into a Rewind store in the
//!   cache (keyed by the file's path, size and modification time), which is
//!   then opened; the file itself is only read.
//! * `kafka://HOST:PORT/TOPIC[,TOPIC…]`: Kafka or Redpanda topics, read
//!   through an index in the cache ([`super::kafka`]); `--map` then names
//!   record fields.
//! * `--map FILE`: any table, through a TOML mapping ([`super::mapped`]).

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::core::error::{StoreError, StoreResult};
use crate::core::event::ExpectedVersion;
use crate::core::ndjson::parse_line;
use crate::core::paths::cache_dir;
use crate::core::store::pg::PgConn;
use crate::core::store::sqlite::SqliteStore;
use crate::core::store::sqlite_conn::ForeignSqlite;
use crate::core::store::table::Arg;
use crate::core::store::{
    emmett, eventsourcing, kafka, mapped, marten, message_db, EventSource, Opening,
};

/// A kind of store, as `--backend NAME` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Rewind,
    Eventsourcing,
    Emmett,
    MessageDb,
    Marten,
    Ndjson,
    Kafka,
}

impl Backend {
    pub const NAMES: [&'static str; 7] = [
        "rewind",
        "eventsourcing",
        "emmett",
        "message-db",
        "marten",
        "ndjson",
        "kafka",
    ];
}

impl FromStr for Backend {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Ok(match name {
            "rewind" => Backend::Rewind,
            "eventsourcing" => Backend::Eventsourcing,
            "emmett" => Backend::Emmett,
            "message-db" | "messagedb" => Backend::MessageDb,
            "marten" => Backend::Marten,
            "ndjson" => Backend::Ndjson,
            "kafka" => Backend::Kafka,
            _ => {
                return Err(format!(
                    "unknown backend '{name}' (one of: {})",
                    Backend::NAMES.join(", ")
                ))
            }
        })
    }
}

fn is_url(text: &str) -> bool {
    text.starts_with("postgres://") || text.starts_with("postgresql://")
}

/// Opens a store to look at it, never to write: detects the kind unless
/// `backend` names it, or reads any table through the `map` file.
pub fn open_with(
    path: &Path,
    backend: Option<Backend>,
    map: Option<&Path>,
) -> StoreResult<Box<dyn EventSource>> {
    open_as(path, backend, map, Opening::Complete)
}

/// [`open_with`], saying what opening a store read into an index waits
/// for.
pub fn open_as(
    path: &Path,
    backend: Option<Backend>,
    map: Option<&Path>,
    opening: Opening,
) -> StoreResult<Box<dyn EventSource>> {
    let text = path.to_string_lossy();
    // A Kafka mapping names record fields, not table columns.
    if kafka::is_kafka_url(&text) || backend == Some(Backend::Kafka) {
        return Ok(Box::new(kafka::open(&text, map, opening)?));
    }
    if let Some(map) = map {
        return Ok(Box::new(mapped::open(&text, map)?));
    }
    let backend = match backend {
        Some(b) => b,
        None => detect(path)?,
    };
    Ok(match backend {
        Backend::Rewind => Box::new(SqliteStore::open_read_only(path)?),
        Backend::Eventsourcing => Box::new(eventsourcing::open(path)?),
        Backend::Emmett => Box::new(emmett::open(path)?),
        Backend::MessageDb => Box::new(message_db::open(&text, PgConn::connect(&text)?)?),
        Backend::Marten => {
            let conn = PgConn::connect(&text)?;
            let schema = marten_schema(&conn)?.unwrap_or_else(|| "public".to_string());
            Box::new(marten::open(&text, conn, &schema)?)
        }
        Backend::Ndjson => Box::new(SqliteStore::open_read_only(&ndjson_store(path)?)?),
        Backend::Kafka => Box::new(kafka::open(&text, map, opening)?),
    })
}

/// The kind of store at `path` (a file or a URL).
pub fn detect(path: &Path) -> StoreResult<Backend> {
    let text = path.to_string_lossy();
    if kafka::is_kafka_url(&text) {
        return Ok(Backend::Kafka);
    }
    if is_url(&text) {
        let conn = PgConn::connect(&text)?;
        let message_db = conn.texts(
            "SELECT to_regclass('message_store.messages')::text",
            &[] as &[Arg],
        )?;
        if message_db
            .first()
            .and_then(|r| r.first().cloned().flatten())
            .is_some()
        {
            return Ok(Backend::MessageDb);
        }
        if marten_schema(&conn)?.is_some() {
            return Ok(Backend::Marten);
        }
        return Err(StoreError::Postgres(
            "the database has neither message-db's message_store.messages nor Marten's \
             mt_events; use --map FILE to describe another table"
                .into(),
        ));
    }
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if matches!(extension, "ndjson" | "jsonl") {
        return Ok(Backend::Ndjson);
    }
    let tables = match ForeignSqlite::open(path).and_then(|c| c.tables()) {
        Ok(tables) => tables,
        Err(StoreError::Missing(path)) => return Err(StoreError::Missing(path)),
        // Not SQLite, damaged, locked, mid-recovery: Rewind's own opener
        // either reads it or explains what is wrong.
        Err(_) => return Ok(Backend::Rewind),
    };
    let has = |name: &str| tables.iter().any(|t| t == name);
    if has("events") && has("streams") && has("meta") {
        Ok(Backend::Rewind)
    } else if has(eventsourcing::TABLE) {
        Ok(Backend::Eventsourcing)
    } else if has(emmett::TABLE) {
        Ok(Backend::Emmett)
    } else if tables.is_empty() {
        // An empty file: let Rewind's own store explain what is missing.
        Ok(Backend::Rewind)
    } else {
        Err(StoreError::NotAStore {
            path: path.to_path_buf(),
            reason: format!(
                "no known event table among its tables ({}); describe yours with --map FILE",
                tables.join(", ")
            ),
        })
    }
}

/// The schema holding `mt_events`, `public` first.
fn marten_schema(conn: &PgConn) -> StoreResult<Option<String>> {
    Ok(conn
        .texts(
            "SELECT table_schema::text FROM information_schema.tables WHERE table_name = 'mt_events'
             ORDER BY (table_schema = 'public') DESC, table_schema LIMIT 1",
            &[],
        )?
        .into_iter()
        .next()
        .and_then(|row| row.into_iter().next().flatten()))
}

/// The cached Rewind store built from an NDJSON file, built on first use.
/// It is keyed by the file's absolute path, size and modification time, so
/// an edited file gets a fresh store.
pub fn ndjson_store(path: &Path) -> StoreResult<PathBuf> {
    use sha2::{Digest, Sha256};
    let unavailable = |reason: String| StoreError::Unavailable {
        path: path.to_path_buf(),
        reason,
    };
    let meta = std::fs::metadata(path).map_err(|_| StoreError::Missing(path.to_path_buf()))?;
    let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let mut hash = Sha256::new();
    hash.update(absolute.to_string_lossy().as_bytes());
    hash.update(format!("\0{}\0{mtime}", meta.len()).as_bytes());
    let key = crate::core::hash::to_hex(&hash.finalize()[..12]);
    let dir = cache_dir().join("ndjson");
    let store = dir.join(format!("{key}.rewind"));
    if store.is_file() {
        return Ok(store);
    }
    std::fs::create_dir_all(&dir)
        .map_err(|e| unavailable(format!("cannot create {}: {e}", dir.display())))?;
    // Build beside the final name and rename, so a crash or a concurrent
    // opener never sees half a store.
    let partial = dir.join(format!("{key}.{}.partial", std::process::id()));
    let _ = std::fs::remove_file(&partial);
    let built = import_ndjson(path, &partial);
    if let Err(e) = built {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, &store)
        .map_err(|e| unavailable(format!("cannot move the cached store into place: {e}")))?;
    Ok(store)
}

fn import_ndjson(path: &Path, store_path: &Path) -> StoreResult<()> {
    let file = File::open(path).map_err(|_| StoreError::Missing(path.to_path_buf()))?;
    let mut store = SqliteStore::create(store_path)?;
    store.bulk_load(|store| {
        let mut appender = store.appender()?;
        for (index, line) in BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|e| {
                StoreError::InvalidEvent(format!(
                    "{}:{}: cannot read: {e}",
                    path.display(),
                    index + 1
                ))
            })?;
            if line.trim().is_empty() {
                continue;
            }
            let record = parse_line(&line).map_err(|reason| {
                StoreError::InvalidEvent(format!("{}:{}: {reason}", path.display(), index + 1))
            })?;
            appender.append(&record.stream, ExpectedVersion::Any, &[record.event])?;
        }
        appender.commit()
    })?;
    drop(store);
    // Leave one plain file: in rollback mode, reading it later creates no
    // WAL side files in the cache.
    let conn = rusqlite::Connection::open(store_path)?;
    conn.pragma_update(None, "journal_mode", "DELETE")?;
    Ok(())
}
