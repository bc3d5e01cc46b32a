//! Verification: recompute the hash chain from the first event and check
//! that positions and stream versions have no gaps, like `git fsck`.

use std::collections::HashMap;

use super::read::event_from_row;
use super::SqliteStore;
use crate::core::error::StoreResult;
use crate::core::hash::{self, to_hex, Hash, GENESIS};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub events: u64,
    pub streams: u64,
    /// The hash of the newest event: a fingerprint of the whole history.
    pub head_hash: String,
}

/// The first place where the stored history disagrees with itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("history is broken at position {position}: {reason}")]
pub struct VerifyError {
    pub position: i64,
    pub reason: String,
}

impl SqliteStore {
    /// Walks the whole log once, in position order, holding one event and
    /// one version per stream in memory.
    pub fn verify(&self) -> StoreResult<Result<VerifyReport, VerifyError>> {
        let mut statement = self.conn.prepare(
            "SELECT position, id, stream, version, type, schema_version, data, metadata, time_ms, hash
             FROM events ORDER BY position",
        )?;
        let mut rows = statement.query([])?;
        let mut previous: Hash = GENESIS;
        let mut versions: HashMap<String, i64> = HashMap::new();
        let mut expected_position = 1;
        while let Some(row) = rows.next()? {
            let event = event_from_row(row)?;
            let stored: Vec<u8> = row.get(9)?;
            let broken = |reason: String| {
                Ok(Err(VerifyError {
                    position: event.position,
                    reason,
                }))
            };
            if event.position != expected_position {
                return broken(format!(
                    "expected position {expected_position} (an event is missing)"
                ));
            }
            let next_version = versions.get(&event.stream).map_or(0, |v| v + 1);
            if event.version != next_version {
                return broken(format!(
                    "stream '{}' jumps to version {} where {} was expected",
                    event.stream, event.version, next_version
                ));
            }
            let computed = hash::chain(&previous, &event);
            if stored[..] != computed[..] {
                return broken(format!(
                    "the stored hash {} does not match the event's content (computed {}): \
                     the event or one before it was altered",
                    to_hex(&stored),
                    to_hex(&computed)
                ));
            }
            versions.insert(event.stream, event.version);
            previous = computed;
            expected_position += 1;
        }
        Ok(Ok(VerifyReport {
            events: (expected_position - 1) as u64,
            streams: versions.len() as u64,
            head_hash: to_hex(&previous),
        }))
    }
}
