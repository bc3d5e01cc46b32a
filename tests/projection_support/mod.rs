//! Helpers shared by the projection tests: temporary stores filled with
//! hand-written or demo events, and the paths of shipped projections.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{json, Value};

use rewind::core::ndjson::parse_line;
use rewind::core::projection::{Engine, ProjectionSpec, Query};
use rewind::core::store::sqlite::SqliteStore;
use rewind::core::{EventSource, ExpectedVersion, NewEvent, Scope};

/// A store in a temporary file, removed when dropped.
pub struct TempStore {
    pub store: SqliteStore,
    pub path: PathBuf,
}

impl Drop for TempStore {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.path.display()));
        }
    }
}

pub fn temp_store() -> TempStore {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let path = std::env::temp_dir().join(format!(
        "rewind-projections-{}-{}.db",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_file(&path);
    TempStore {
        store: SqliteStore::create(&path).unwrap(),
        path,
    }
}

/// `(stream, type, schema version, data)`
pub type Row<'a> = (&'a str, &'a str, i64, Value);

pub fn store_with(rows: &[Row<'_>]) -> TempStore {
    let mut temp = temp_store();
    let mut appender = temp.store.appender().unwrap();
    for (i, (stream, event_type, schema_version, data)) in rows.iter().enumerate() {
        let mut event = NewEvent::new(event_type, &data.to_string(), None).unwrap();
        event.schema_version = *schema_version;
        event.time_ms = Some(1_740_816_000_000 + i as i64 * 1000);
        appender
            .append(stream, ExpectedVersion::Any, &[event])
            .unwrap();
    }
    appender.commit().unwrap();
    temp
}

pub fn demo_store(file: &str) -> TempStore {
    ndjson_store(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("demo-data")
            .join(file),
    )
}

/// A store holding the events of an NDJSON file, imported in order.
pub fn ndjson_store(path: &Path) -> TempStore {
    let mut temp = temp_store();
    let text = std::fs::read_to_string(path).unwrap();
    let mut appender = temp.store.appender().unwrap();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let record = parse_line(line).unwrap();
        appender
            .append(&record.stream, ExpectedVersion::Any, &[record.event])
            .unwrap();
    }
    appender.commit().unwrap();
    temp
}

pub fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/projections")
        .join(name)
}

pub fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/examples")
        .join(name)
}

/// The state at the last event of `scope`, through the engine.
pub fn final_state(spec: ProjectionSpec, source: &dyn EventSource, scope: &Scope) -> Value {
    let mut engine = Engine::new(vec![spec.load().unwrap()]);
    let at = engine
        .state_at(
            source,
            Query {
                projection: 0,
                scope,
                row: u64::MAX,
                with_previous: false,
            },
        )
        .unwrap();
    assert!(at.error.is_none(), "{:?}", at.error);
    at.state
}

pub fn stream(name: &str) -> Scope {
    Scope::Stream(name.to_string())
}

pub fn bank_history() -> TempStore {
    store_with(&[
        (
            "account-1",
            "AccountOpened",
            1,
            json!({"accountId": "account-1", "owner": "Ada Lovelace", "currency": "GBP"}),
        ),
        (
            "account-1",
            "FundsDeposited",
            1,
            json!({"amount": 100, "source": "teller-12"}),
        ),
        (
            "account-1",
            "FundsDeposited",
            1,
            json!({"amount": 50, "source": "payroll"}),
        ),
        (
            "account-1",
            "FundsWithdrawn",
            1,
            json!({"amount": 30, "channel": "atm-101"}),
        ),
        (
            "account-1",
            "WithdrawalRejected",
            1,
            json!({"amount": 500, "reason": "insufficient funds", "balance": 120}),
        ),
        (
            "account-2",
            "AccountOpened",
            2,
            json!({"accountId": "account-2", "holder": {"name": "Grace Hopper", "email": "grace@example.org"}, "currency": "EUR", "overdraftLimit": 100}),
        ),
        (
            "account-1",
            "TransferSent",
            1,
            json!({"transferId": "tr-1", "to": "account-2", "amount": 20}),
        ),
        (
            "account-2",
            "TransferReceived",
            1,
            json!({"transferId": "tr-1", "from": "account-1", "amount": 20}),
        ),
        (
            "cart-1",
            "CartCreated",
            1,
            json!({"cartId": "cart-1", "customerId": "c-1"}),
        ),
        (
            "account-2",
            "AccountFrozen",
            1,
            json!({"reason": "court order"}),
        ),
        (
            "account-1",
            "AccountFrozen",
            1,
            json!({"reason": "suspicious activity"}),
        ),
        (
            "account-1",
            "AccountUnfrozen",
            1,
            json!({"reviewedBy": "compliance-3"}),
        ),
        (
            "account-1",
            "FundsWithdrawn",
            1,
            json!({"amount": 100, "channel": "closing-payout"}),
        ),
        (
            "account-1",
            "AccountClosed",
            1,
            json!({"reason": "customer request"}),
        ),
    ])
}

/// A tiny deterministic pseudo-random sequence (xorshift).
pub struct Xorshift(pub u64);

impl Xorshift {
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// The state after rows `0..=row` of `scope`, by a fresh full replay.
pub fn replayed(spec: &ProjectionSpec, source: &dyn EventSource, scope: &Scope, row: u64) -> Value {
    let mut projection = spec.load().unwrap();
    projection.reset(None).unwrap();
    let mut last = None;
    source
        .scan(scope, 0, row + 1, &mut |event| {
            projection.apply(event).unwrap();
            last = Some(event.clone());
            true
        })
        .unwrap();
    let state = projection.state().unwrap();
    match (scope, &last) {
        (Scope::Stream(_), Some(event)) if projection.is_partitioned() => {
            let key = projection.partition_of(event).unwrap().unwrap_or_default();
            state["partitions"]
                .get(&key)
                .cloned()
                .unwrap_or(Value::Null)
        }
        _ => state,
    }
}
