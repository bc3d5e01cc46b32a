use std::path::PathBuf;

use crate::core::event::ExpectedVersion;

pub type StoreResult<T> = Result<T, StoreError>;

/// Errors from the event store. Each variant carries enough context for the
/// CLI to print a message a user can act on without reading the source.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "wrong expected version for stream '{stream}': expected {expected}, actual {}",
        describe_version(*.actual)
    )]
    WrongExpectedVersion {
        stream: String,
        expected: ExpectedVersion,
        actual: Option<i64>,
    },

    #[error("event id {id} is already stored at position {position} with different content")]
    IdConflict { id: String, position: i64 },

    #[error("{0}: no such store (create one with `rewind init` or `rewind import`)")]
    Missing(PathBuf),

    #[error("{path}: not a Rewind store ({reason})")]
    NotAStore { path: PathBuf, reason: String },

    #[error(
        "{path}: store schema version {found} is newer than this Rewind understands ({supported}); \
         upgrade Rewind to open it"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    #[error("{path}: the store is busy (another process holds a write lock); try again")]
    Busy { path: PathBuf },

    #[error("{path}: {reason}")]
    Unavailable { path: PathBuf, reason: String },

    #[error("invalid event: {0}")]
    InvalidEvent(String),

    #[error("no stream named '{0}'")]
    NoSuchStream(String),

    #[error("stored event at position {position} is damaged: {reason}")]
    Corrupt { position: i64, reason: String },

    #[error("PostgreSQL: {0}")]
    Postgres(String),

    #[error("{path}: {reason}")]
    BadMapping { path: PathBuf, reason: String },

    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

fn describe_version(v: Option<i64>) -> String {
    match v {
        Some(v) => v.to_string(),
        None => "no-stream (the stream has no events)".to_string(),
    }
}
