//! Any other SQL event table, described by a small TOML mapping file
//! (`rewind STORE --map FILE`). The store is an SQLite file or a
//! `postgres://` URL. Example:
//!
//! ```toml
//! table = "app.domain_events"   # optionally schema-qualified
//! position = "seq"              # integer, increasing in append order (required)
//! stream = "aggregate_id"       # required
//! version = "aggregate_version" # integer (required)
//! type = "event_name"           # required
//! data = "payload"              # JSON text or jsonb (required)
//! metadata = "headers"          # JSON object (optional)
//! time = "occurred_at"          # optional
//! time_format = "timestamp"     # timestamp (a date/time or ISO text) | epoch_ms | epoch_s
//! id = "event_id"               # optional; derived from stream and version otherwise
//! ```
//!
//! Column names are quoted as identifiers, never pasted as SQL. For speed
//! the table needs indexes on the position and on (stream, version); Rewind
//! never creates them.

use std::path::Path;

use serde::Deserialize;

use crate::core::error::{StoreError, StoreResult};
use crate::core::store::eventsourcing::sqlite_category;
use crate::core::store::pg::{redact, PgConn};
use crate::core::store::sqlite_conn::ForeignSqlite;
use crate::core::store::table::{plain_decode, SqlConn, TableSource, TableSpec};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    pub table: String,
    pub position: String,
    pub stream: String,
    pub version: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub data: String,
    pub metadata: Option<String>,
    pub time: Option<String>,
    #[serde(default)]
    pub time_format: TimeFormat,
    pub id: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TimeFormat {
    #[default]
    Timestamp,
    EpochMs,
    EpochS,
}

impl Mapping {
    pub fn load(path: &Path) -> StoreResult<Mapping> {
        let text = std::fs::read_to_string(path).map_err(|e| StoreError::BadMapping {
            path: path.to_path_buf(),
            reason: format!("cannot read the mapping file: {e}"),
        })?;
        toml::from_str(&text).map_err(|e| StoreError::BadMapping {
            path: path.to_path_buf(),
            reason: format!("not a valid mapping: {e}"),
        })
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Sqlite,
    Postgres,
}

fn quote(name: &str) -> String {
    name.split('.')
        .map(|part| format!("\"{}\"", part.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(".")
}

fn spec(m: &Mapping, dialect: Dialect) -> TableSpec {
    let col = |name: &str| quote(name);
    let pg = dialect == Dialect::Postgres;
    let text = |name: &str| {
        if pg {
            format!("{}::text", col(name))
        } else {
            col(name)
        }
    };
    let int = |name: &str| {
        if pg {
            format!("{}::bigint", col(name))
        } else {
            col(name)
        }
    };
    let time_ms = m.time.as_deref().map(|t| {
        let c = col(t);
        match (dialect, m.time_format) {
            (Dialect::Sqlite, TimeFormat::Timestamp) => {
                crate::core::store::emmett::sqlite_time_ms(&c)
            }
            (Dialect::Postgres, TimeFormat::Timestamp) => {
                format!("(extract(epoch from {c}::timestamptz) * 1000)::bigint")
            }
            (Dialect::Sqlite, TimeFormat::EpochMs) => format!("CAST({c} AS INTEGER)"),
            (Dialect::Postgres, TimeFormat::EpochMs) => format!("({c})::bigint"),
            (Dialect::Sqlite, TimeFormat::EpochS) => format!("CAST({c} * 1000 AS INTEGER)"),
            (Dialect::Postgres, TimeFormat::EpochS) => format!("({c} * 1000)::bigint"),
        }
    });
    let stream = text(&m.stream);
    TableSpec {
        table: quote(&m.table),
        position: col(&m.position),
        stream: stream.clone(),
        version: int(&m.version),
        event_type: text(&m.event_type),
        schema_version: if pg { "1::bigint".into() } else { "1".into() },
        data: text(&m.data),
        metadata: m.metadata.as_deref().map_or("NULL".into(), text),
        time_ms,
        stream_match: format!("{stream} = {{p}}"),
        id: m.id.as_deref().map_or("NULL".into(), text),
        category: if pg {
            format!("split_part({stream}, '-', 1)")
        } else {
            sqlite_category(&stream)
        },
        streams_sql: None,
    }
}

/// Opens an SQLite file or a PostgreSQL URL through a mapping.
pub fn open(store: &str, map: &Path) -> StoreResult<TableSource> {
    let mapping = Mapping::load(map)?;
    let (conn, dialect, label): (Box<dyn SqlConn>, _, _) =
        if store.starts_with("postgres://") || store.starts_with("postgresql://") {
            (
                Box::new(PgConn::connect(store)?),
                Dialect::Postgres,
                redact(store),
            )
        } else {
            (
                Box::new(ForeignSqlite::open(Path::new(store))?),
                Dialect::Sqlite,
                store.to_string(),
            )
        };
    let spec = spec(&mapping, dialect);
    // Fail now, with the mapping named, if a column or the table is wrong.
    conn.events(
        &format!(
            "SELECT {}, {}, {}, {}, {}, {}, {}, {}, {} FROM {} LIMIT 1",
            spec.position,
            spec.stream,
            spec.version,
            spec.event_type,
            spec.schema_version,
            spec.data,
            spec.metadata,
            spec.time_ms.as_deref().unwrap_or("NULL"),
            spec.id,
            spec.table
        ),
        &[],
    )
    .map_err(|e| StoreError::BadMapping {
        path: map.to_path_buf(),
        reason: format!("the mapping does not fit {label}: {e}"),
    })?;
    Ok(TableSource::new(
        conn,
        spec,
        plain_decode,
        format!("{label} (mapped by {})", map.display()),
        format!("mapped:{label}:{}", map.display()),
    ))
}
