//! Appending: optimistic concurrency with expected versions, idempotent
//! event ids, and the hash chain, all inside one write transaction.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

use super::ids::IdSequence;
use super::read::{event_from_row, EVENT_COLUMNS};
use super::schema;
use crate::core::error::{StoreError, StoreResult};
use crate::core::event::{category_of, Event, ExpectedVersion, NewEvent};
use crate::core::hash::{self, Hash, GENESIS};
use crate::core::time::{now_ms, Millis};

/// Where one event of an append landed. `duplicate` is true when the event
/// was already stored with the same id and content (an idempotent retry),
/// and nothing was written for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendOutcome {
    pub position: i64,
    pub version: i64,
    pub duplicate: bool,
}

#[derive(Debug, Clone)]
struct StreamState {
    last_version: Option<i64>,
    first_time_ms: Millis,
    last_time_ms: Millis,
    dirty: bool,
}

/// A write transaction on the store. Appends are visible to readers only
/// after [`Appender::commit`]; dropping it without committing discards them.
pub struct Appender<'c> {
    tx: Transaction<'c>,
    head_position: i64,
    head_hash: Hash,
    streams: HashMap<String, StreamState>,
    /// Secondary indexes were dropped for a bulk load and are rebuilt on
    /// commit.
    indexes_deferred: bool,
    /// Ids of events appended without one.
    ids: IdSequence,
}

impl<'c> Appender<'c> {
    pub(super) fn begin(conn: &'c mut Connection) -> StoreResult<Self> {
        // IMMEDIATE takes the write lock now, so the head we read below is
        // still the head when we write after it.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let head = tx
            .query_row(
                "SELECT position, hash FROM events ORDER BY position DESC LIMIT 1",
                [],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)),
            )
            .optional()?;
        let (head_position, head_hash) = match head {
            Some((position, bytes)) => {
                let hash = bytes.try_into().map_err(|_| StoreError::Corrupt {
                    position,
                    reason: "its hash is not 32 bytes".into(),
                })?;
                (position, hash)
            }
            None => (0, GENESIS),
        };
        Ok(Appender {
            tx,
            head_position,
            head_hash,
            streams: HashMap::new(),
            indexes_deferred: false,
            ids: IdSequence::default(),
        })
    }

    /// Prepares for a bulk load: when the store is empty, the secondary
    /// indexes are dropped now and rebuilt in one pass on commit. Readers
    /// never see the store without them: the whole load is one transaction.
    pub fn defer_indexes(&mut self) -> StoreResult<()> {
        if self.head_position == 0 && !self.indexes_deferred {
            self.tx.execute_batch(schema::DROP_SECONDARY_INDEXES)?;
            self.indexes_deferred = true;
        }
        Ok(())
    }

    /// A value of the store's `meta` table, as this transaction sees it.
    pub fn meta(&self, key: &str) -> StoreResult<Option<String>> {
        Ok(self
            .tx
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Sets a value of the `meta` table in this transaction: what a mirror
    /// of another store records with the events (how far it has read), so
    /// both are committed together or not at all. Rewind's own keys are
    /// not for callers to change.
    pub fn set_meta(&mut self, key: &str, value: &str) -> StoreResult<()> {
        if key == "store_id" {
            return Err(StoreError::InvalidEvent(
                "the store's id cannot be changed".into(),
            ));
        }
        self.tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    /// Appends `events` to `stream` if its last version matches `expected`.
    /// Either every event is appended (or recognised as already stored), or
    /// nothing is and an error says why.
    pub fn append(
        &mut self,
        stream: &str,
        expected: ExpectedVersion,
        events: &[NewEvent],
    ) -> StoreResult<Vec<AppendOutcome>> {
        validate_name("stream", stream)?;
        for event in events {
            validate_name("event type", &event.event_type)?;
            validate_id(event.id.as_deref())?;
        }
        if let [event] = events {
            return Ok(vec![self.append_one(stream, expected, event)?]);
        }
        let mut outcomes: Vec<Option<AppendOutcome>> = Vec::with_capacity(events.len());
        for event in events {
            outcomes.push(self.find_duplicate(stream, event)?);
        }
        let fresh = outcomes.iter().filter(|o| o.is_none()).count();
        let current = self.stream_state(stream)?.last_version;
        // A retry of a batch that was fully stored succeeds without writing,
        // even though the stream may have moved on since.
        if fresh > 0 && !expected.admits(current) {
            return Err(StoreError::WrongExpectedVersion {
                stream: stream.to_string(),
                expected,
                actual: current,
            });
        }
        let mut batch_ids: HashMap<&str, (&NewEvent, AppendOutcome)> = HashMap::new();
        let mut result = Vec::with_capacity(events.len());
        for (event, known) in events.iter().zip(outcomes) {
            if let Some(outcome) = known {
                result.push(outcome);
                continue;
            }
            if let Some((first, outcome)) = event.id.as_deref().and_then(|id| batch_ids.get(id)) {
                if *first != event {
                    return Err(StoreError::IdConflict {
                        id: event.id.clone().unwrap_or_default(),
                        position: outcome.position,
                    });
                }
                result.push(AppendOutcome {
                    duplicate: true,
                    ..*outcome
                });
                continue;
            }
            let outcome = self.insert(stream, event)?;
            if let Some(id) = event.id.as_deref() {
                batch_ids.insert(id, (event, outcome));
            }
            result.push(outcome);
        }
        Ok(result)
    }

    /// The common case (every import line, every CLI append): one event.
    /// The insert itself detects a taken id through the unique index, so
    /// the duplicate lookup is paid only when an id is actually reused.
    fn append_one(
        &mut self,
        stream: &str,
        expected: ExpectedVersion,
        event: &NewEvent,
    ) -> StoreResult<AppendOutcome> {
        let current = self.stream_state(stream)?.last_version;
        if !expected.admits(current) {
            // An idempotent retry still succeeds after the stream moved on.
            return match self.find_duplicate(stream, event)? {
                Some(known) => Ok(known),
                None => Err(StoreError::WrongExpectedVersion {
                    stream: stream.to_string(),
                    expected,
                    actual: current,
                }),
            };
        }
        match self.insert(stream, event) {
            Err(StoreError::Sqlite(error)) if event.id.is_some() && is_id_taken(&error) => self
                .find_duplicate(stream, event)?
                .ok_or(StoreError::Sqlite(error)),
            other => other,
        }
    }

    /// The stored twin of `event` if its id is already taken by an event
    /// with identical content; an error if the id is taken by another.
    fn find_duplicate(&self, stream: &str, event: &NewEvent) -> StoreResult<Option<AppendOutcome>> {
        let Some(id) = event.id.as_deref() else {
            return Ok(None);
        };
        let mut statement = self
            .tx
            .prepare_cached(&format!("SELECT {EVENT_COLUMNS} FROM events WHERE id = ?1"))?;
        let stored = statement
            .query_row([id_bytes(id)], event_from_row)
            .optional()?;
        let Some(stored) = stored else {
            return Ok(None);
        };
        let same = stored.stream == stream
            && stored.event_type == event.event_type
            && stored.schema_version == event.schema_version
            && stored.data == event.data
            && stored.metadata == event.metadata
            && event.time_ms.is_none_or(|t| t == stored.time_ms);
        if same {
            Ok(Some(AppendOutcome {
                position: stored.position,
                version: stored.version,
                duplicate: true,
            }))
        } else {
            Err(StoreError::IdConflict {
                id: id.to_string(),
                position: stored.position,
            })
        }
    }

    fn stream_state(&mut self, stream: &str) -> StoreResult<&mut StreamState> {
        if !self.streams.contains_key(stream) {
            let state = self
                .tx
                .prepare_cached(
                    "SELECT last_version, first_time_ms, last_time_ms FROM streams WHERE stream = ?1",
                )?
                .query_row([stream], |r| {
                    Ok(StreamState {
                        last_version: Some(r.get(0)?),
                        first_time_ms: r.get(1)?,
                        last_time_ms: r.get(2)?,
                        dirty: false,
                    })
                })
                .optional()?
                .unwrap_or(StreamState {
                    last_version: None,
                    first_time_ms: Millis::MAX,
                    last_time_ms: Millis::MIN,
                    dirty: false,
                });
            self.streams.insert(stream.to_string(), state);
        }
        Ok(self
            .streams
            .get_mut(stream)
            .expect("stream state was inserted above"))
    }

    fn insert(&mut self, stream: &str, new: &NewEvent) -> StoreResult<AppendOutcome> {
        let state = self.stream_state(stream)?;
        let version = state.last_version.map_or(0, |v| v + 1);
        let event = Event {
            position: self.head_position + 1,
            id: new
                .id
                .clone()
                .unwrap_or_else(|| self.ids.next().to_string()),
            stream: stream.to_string(),
            version,
            event_type: new.event_type.clone(),
            schema_version: new.schema_version,
            data: new.data.clone(),
            metadata: new.metadata.clone(),
            time_ms: new.time_ms.unwrap_or_else(now_ms),
        };
        let hash = hash::chain(&self.head_hash, &event);
        self.tx
            .prepare_cached(
                "INSERT INTO events (position, id, stream, category, version, type,
                     schema_version, data, metadata, time_ms, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                event.position,
                id_bytes(&event.id),
                event.stream,
                category_of(stream),
                event.version,
                event.event_type,
                event.schema_version,
                event.data,
                event.metadata,
                event.time_ms,
                &hash[..],
            ])?;
        let state = self.stream_state(stream)?;
        state.last_version = Some(version);
        state.first_time_ms = state.first_time_ms.min(event.time_ms);
        state.last_time_ms = state.last_time_ms.max(event.time_ms);
        state.dirty = true;
        self.head_position = event.position;
        self.head_hash = hash;
        Ok(AppendOutcome {
            position: event.position,
            version,
            duplicate: false,
        })
    }

    /// Makes every append of this transaction durable and visible.
    pub fn commit(self) -> StoreResult<()> {
        if self.indexes_deferred {
            self.tx.execute_batch(schema::CREATE_SECONDARY_INDEXES)?;
        }
        {
            let mut upsert = self.tx.prepare_cached(
                "INSERT INTO streams (stream, category, last_version, first_time_ms, last_time_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (stream) DO UPDATE SET
                     last_version = excluded.last_version,
                     first_time_ms = excluded.first_time_ms,
                     last_time_ms = excluded.last_time_ms",
            )?;
            for (stream, state) in self.streams.iter().filter(|(_, s)| s.dirty) {
                upsert.execute(params![
                    stream,
                    category_of(stream),
                    state.last_version,
                    state.first_time_ms,
                    state.last_time_ms
                ])?;
            }
        }
        self.tx.commit()?;
        Ok(())
    }
}

fn is_id_taken(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(e, Some(message))
            if e.code == rusqlite::ErrorCode::ConstraintViolation && message.contains("events.id")
    )
}

/// Stream ids and event types are shown in terminals and used as keys, so
/// they must be non-empty and free of control characters.
fn validate_name(what: &str, name: &str) -> StoreResult<()> {
    if name.is_empty() {
        return Err(StoreError::InvalidEvent(format!("the {what} is empty")));
    }
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        return Err(StoreError::InvalidEvent(format!(
            "the {what} {:?} contains the control character {:?}",
            name, c
        )));
    }
    if name.len() > 1024 {
        return Err(StoreError::InvalidEvent(format!(
            "the {what} is {} bytes long; the limit is 1024",
            name.len()
        )));
    }
    Ok(())
}

/// The 16 bytes an id is stored as (ids are validated UUIDs by then).
fn id_bytes(id: &str) -> Vec<u8> {
    uuid::Uuid::try_parse(id).map_or_else(|_| id.as_bytes().to_vec(), |u| u.as_bytes().to_vec())
}

/// Ids are UUIDs in their canonical lower-case hyphenated form, so that one
/// id has one spelling and the uniqueness check means what it says.
fn validate_id(id: Option<&str>) -> StoreResult<()> {
    let Some(id) = id else { return Ok(()) };
    match uuid::Uuid::try_parse(id) {
        Ok(uuid) if uuid.hyphenated().to_string() == id => Ok(()),
        Ok(uuid) => Err(StoreError::InvalidEvent(format!(
            "the id {id:?} is not in canonical form; write it as {}",
            uuid.hyphenated()
        ))),
        Err(_) => Err(StoreError::InvalidEvent(format!(
            "the id {id:?} is not a UUID"
        ))),
    }
}
