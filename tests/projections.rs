//! Projections over a real store: the shipped JavaScript projections on
//! hand-written histories with hand-computed results, the engine's answers
//! against full replays, and external reducers.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use rewind::core::ndjson::parse_line;
use rewind::core::projection::external::ExternalProjection;
use rewind::core::projection::js::{JsProjection, Limits};
use rewind::core::projection::{Engine, Projection, ProjectionSpec, Query};
use rewind::core::store::sqlite::SqliteStore;
use rewind::core::{EventSource, ExpectedVersion, NewEvent, Scope};

/// A store in a temporary file, removed when dropped.
struct TempStore {
    store: SqliteStore,
    path: PathBuf,
}

impl Drop for TempStore {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.path.display()));
        }
    }
}

fn temp_store() -> TempStore {
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
type Row<'a> = (&'a str, &'a str, i64, Value);

fn store_with(rows: &[Row<'_>]) -> TempStore {
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

fn demo_store(file: &str) -> TempStore {
    let mut temp = temp_store();
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("demo-data")
        .join(file);
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

fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/projections")
        .join(name)
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/examples")
        .join(name)
}

/// The state at the last event of `scope`, through the engine.
fn final_state(spec: ProjectionSpec, source: &dyn EventSource, scope: &Scope) -> Value {
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

fn stream(name: &str) -> Scope {
    Scope::Stream(name.to_string())
}

fn bank_history() -> TempStore {
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

#[test]
fn bank_js_gives_hand_computed_accounts() {
    let temp = bank_history();
    let spec = ProjectionSpec::JavaScript(shipped("bank.js"));
    let one = final_state(spec.clone(), &temp.store, &stream("account-1"));
    assert_eq!(
        one,
        json!({
            "accountId": "account-1",
            // Upcast from v1's {owner: "Ada Lovelace"}.
            "holder": {"name": "Ada Lovelace", "email": null},
            "currency": "GBP",
            "status": "closed",
            "balance": 0, // 100 + 50 - 30 - 20 - 100
            "overdraftLimit": 0,
            "deposits": 2,
            "withdrawals": 2,
            "rejections": 1,
            "transfersIn": {"count": 0, "total": 0},
            "transfersOut": {"count": 1, "total": 20},
            "frozenReason": null,
        })
    );
    let all = final_state(spec, &temp.store, &Scope::All);
    let partitions = all["partitions"].as_object().unwrap();
    assert_eq!(partitions.len(), 2, "carts are not accounts: {all}");
    let two = &all["partitions"]["account-2"];
    assert_eq!(
        two["holder"],
        json!({"name": "Grace Hopper", "email": "grace@example.org"})
    );
    assert_eq!(two["balance"], json!(20));
    assert_eq!(two["status"], json!("frozen"));
    assert_eq!(two["frozenReason"], json!("court order"));
    assert_eq!(two["overdraftLimit"], json!(100));
    assert_eq!(two["transfersIn"], json!({"count": 1, "total": 20}));
    assert_eq!(all["partitions"]["account-1"], one);
}

#[test]
fn bank_js_balance_at_each_step() {
    let temp = bank_history();
    let mut engine = Engine::new(vec![ProjectionSpec::JavaScript(shipped("bank.js"))
        .load()
        .unwrap()]);
    let scope = stream("account-1");
    let expected = [0, 100, 150, 120, 120, 100, 100, 100, 0, 0];
    for (row, balance) in expected.iter().enumerate() {
        let at = engine
            .state_at(
                &temp.store,
                Query {
                    projection: 0,
                    scope: &scope,
                    row: row as u64,
                    with_previous: true,
                },
            )
            .unwrap();
        assert_eq!(at.state["balance"], json!(balance), "row {row}");
        assert_eq!(at.partition.as_deref(), Some("account-1"));
        if row > 0 {
            assert_eq!(
                at.previous.unwrap()["balance"],
                json!(expected[row - 1]),
                "row {row}"
            );
        }
    }
}

#[test]
fn carts_js_totals_items_and_status() {
    let temp = store_with(&[
        (
            "cart-1",
            "CartCreated",
            1,
            json!({"cartId": "cart-1", "customerId": "customer-7"}),
        ),
        (
            "cart-1",
            "ItemAdded",
            1,
            json!({"sku": "SKU-1", "name": "Mug", "quantity": 2, "unitPrice": 12}),
        ),
        (
            "cart-1",
            "ItemAdded",
            1,
            json!({"sku": "SKU-2", "name": "Cable", "quantity": 1, "unitPrice": 9}),
        ),
        (
            "cart-1",
            "ItemAdded",
            1,
            json!({"sku": "SKU-1", "name": "Mug", "quantity": 1, "unitPrice": 12}),
        ),
        (
            "cart-1",
            "ItemRemoved",
            1,
            json!({"sku": "SKU-2", "quantity": 1}),
        ),
        ("cart-1", "CartAbandoned", 1, json!({"itemsLeft": 1})),
        (
            "cart-1",
            "CartRecovered",
            1,
            json!({"via": "reminder-email"}),
        ),
        (
            "cart-1",
            "ItemRemoved",
            1,
            json!({"sku": "SKU-1", "quantity": 1}),
        ),
        (
            "cart-1",
            "CheckedOut",
            1,
            json!({"total": 24, "paymentId": "pay-1", "items": 1}),
        ),
        (
            "cart-2",
            "CartCreated",
            1,
            json!({"cartId": "cart-2", "customerId": "customer-8"}),
        ),
        (
            "cart-2",
            "ItemAdded",
            1,
            json!({"sku": "SKU-3", "name": "Shoes", "quantity": 1, "unitPrice": 139}),
        ),
        ("cart-2", "CartAbandoned", 1, json!({"itemsLeft": 1})),
        ("cart-2", "CartExpired", 1, json!({"itemsLeft": 1})),
    ]);
    let spec = ProjectionSpec::JavaScript(shipped("carts.js"));
    let mut engine = Engine::new(vec![spec.load().unwrap()]);
    let scope = stream("cart-1");
    let at = |engine: &mut Engine, row: u64| {
        engine
            .state_at(
                &temp.store,
                Query {
                    projection: 0,
                    scope: &scope,
                    row,
                    with_previous: false,
                },
            )
            .unwrap()
            .state
    };
    let four = at(&mut engine, 4);
    assert_eq!(
        four["items"],
        json!({"SKU-1": {"name": "Mug", "quantity": 3, "unitPrice": 12}})
    );
    assert_eq!(four["total"], json!(36));
    assert_eq!(at(&mut engine, 5)["status"], json!("abandoned"));
    let done = at(&mut engine, 8);
    assert_eq!(done["status"], json!("checked-out"));
    assert_eq!(done["total"], json!(24));
    assert_eq!(done["recoveries"], json!(1));
    assert_eq!(done["paymentId"], json!("pay-1"));
    assert_eq!(done["customerId"], json!("customer-7"));
    let two = final_state(spec, &temp.store, &stream("cart-2"));
    assert_eq!(two["status"], json!("expired"));
    assert_eq!(two["total"], json!(139));
    assert_eq!(two["recoveries"], json!(0));
}

#[test]
fn flights_js_tracks_seat_bags_and_fees() {
    let temp = store_with(&[
        (
            "booking-ABC",
            "BookingCreated",
            1,
            json!({"pnr": "ABC", "passenger": "Mary Jackson", "flight": "AF1234", "from": "CDG", "to": "LIS", "fare": 101, "class": "economy"}),
        ),
        (
            "booking-ABC",
            "SeatAssigned",
            1,
            json!({"seat": "12A", "previousSeat": null}),
        ),
        (
            "booking-ABC",
            "BaggageAdded",
            1,
            json!({"pieces": 1, "weightKg": 20}),
        ),
        (
            "booking-ABC",
            "BaggageAdded",
            1,
            json!({"pieces": 2, "weightKg": 15}),
        ),
        (
            "booking-ABC",
            "FlightChanged",
            1,
            json!({"flight": "LH400", "from": "FRA", "to": "JFK", "fee": 50}),
        ),
        (
            "booking-ABC",
            "FlightChanged",
            1,
            json!({"flight": "BA117", "from": "LHR", "to": "JFK", "fee": 25}),
        ),
        ("booking-ABC", "CheckedIn", 1, json!({"seat": "14C"})),
        ("booking-ABC", "PassengerBoarded", 1, json!({"gate": "B12"})),
        (
            "booking-XYZ",
            "BookingCreated",
            1,
            json!({"pnr": "XYZ", "passenger": "Ken Thompson", "flight": "SK925", "from": "CPH", "to": "ORD", "fare": 400, "class": "economy"}),
        ),
        (
            "booking-XYZ",
            "BookingCancelled",
            1,
            json!({"refund": 140, "reason": "passenger request"}),
        ),
    ]);
    let spec = ProjectionSpec::JavaScript(shipped("flights.js"));
    let abc = final_state(spec.clone(), &temp.store, &stream("booking-ABC"));
    assert_eq!(
        abc,
        json!({
            "pnr": "ABC", "passenger": "Mary Jackson", "status": "boarded",
            "flight": "BA117", "route": "LHR-JFK", "class": "economy", "seat": "14C",
            "bags": {"pieces": 3, "weightKg": 35}, "fare": 101, "fees": 75,
            "flightChanges": 2, "refund": null, "gate": "B12",
        })
    );
    let xyz = final_state(spec, &temp.store, &stream("booking-XYZ"));
    assert_eq!(xyz["status"], json!("cancelled"));
    assert_eq!(xyz["refund"], json!(140));
}

/// A tiny deterministic pseudo-random sequence (xorshift).
struct Xorshift(u64);

impl Xorshift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// The state after rows `0..=row` of `scope`, by a fresh full replay.
fn replayed(spec: &ProjectionSpec, source: &dyn EventSource, scope: &Scope, row: u64) -> Value {
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

#[test]
fn engine_state_at_random_rows_equals_a_full_replay() {
    let cases = [
        ("bank.ndjson", "bank.js", "account-0003"),
        ("carts.ndjson", "carts.js", "cart-00002"),
        ("flights.ndjson", "flights.js", "booking-PYNAUT"),
    ];
    let mut rng = Xorshift(0x5eed_1234_abcd_0001);
    for (data, file, one_stream) in cases {
        let temp = demo_store(data);
        let spec = ProjectionSpec::JavaScript(shipped(file));
        let mut engine = Engine::new(vec![spec.load().unwrap()]);
        for scope in [Scope::All, stream(one_stream)] {
            let count = temp.store.count(&scope).unwrap();
            assert!(count > 3, "{file} {scope:?}");
            for _ in 0..6 {
                let row = rng.below(count);
                let at = engine
                    .state_at(
                        &temp.store,
                        Query {
                            projection: 0,
                            scope: &scope,
                            row,
                            with_previous: false,
                        },
                    )
                    .unwrap();
                assert!(at.error.is_none(), "{file} {row}: {:?}", at.error);
                assert_eq!(
                    at.state,
                    replayed(&spec, &temp.store, &scope, row),
                    "{file} {scope:?} row {row}"
                );
            }
        }
    }
}

#[test]
fn demo_bank_balances_never_go_below_zero_and_closed_accounts_are_empty() {
    // The demo generator never lets a balance go negative and pays out an
    // account before closing it: bank.js must agree on every account.
    let temp = demo_store("bank.ndjson");
    let all = final_state(
        ProjectionSpec::JavaScript(shipped("bank.js")),
        &temp.store,
        &Scope::All,
    );
    let accounts = all["partitions"].as_object().unwrap();
    assert!(accounts.len() > 50);
    for (id, account) in accounts {
        let balance = account["balance"].as_i64().unwrap();
        assert!(balance >= 0, "{id}: {account}");
        if account["status"] == "closed" {
            assert_eq!(balance, 0, "{id}: {account}");
        }
        assert!(account["holder"]["name"].is_string(), "{id}: {account}");
    }
}

fn js(source: &str) -> JsProjection {
    JsProjection::from_source("inline.js", source, Limits::default()).unwrap()
}

#[test]
fn a_failing_handler_stops_the_engine_with_the_position_and_the_state_before() {
    let temp = store_with(&[
        ("t-1", "Add", 1, json!({"n": 1})),
        ("t-1", "Add", 1, json!({"n": 2})),
        ("t-1", "Add", 1, json!({"n": "three"})),
        ("t-1", "Add", 1, json!({"n": 4})),
    ]);
    let projection = js(
        "fromAll().when({$init: () => ({sum: 0}), Add: (s, e) => {\n\
        if (typeof e.data.n !== 'number') throw new TypeError('not a number: ' + e.data.n);\n\
        s.sum += e.data.n; }})",
    );
    let mut engine = Engine::new(vec![Box::new(projection)]);
    let scope = Scope::All;
    let at = engine
        .state_at(
            &temp.store,
            Query {
                projection: 0,
                scope: &scope,
                row: 3,
                with_previous: false,
            },
        )
        .unwrap();
    let error = at.error.unwrap();
    assert_eq!(error.position, Some(3));
    assert_eq!(error.projection, "inline.js");
    assert!(
        error.message.contains("not a number: three"),
        "{}",
        error.message
    );
    assert!(error.stack.unwrap().contains("inline.js:2"));
    assert_eq!(at.row, Some(1));
    assert_eq!(at.state, json!({"sum": 3}));
}

#[test]
fn log_and_emit_reach_the_engine_output_of_the_event_shown() {
    let temp = store_with(&[
        ("t-1", "A", 1, json!({"n": 1})),
        ("t-1", "A", 1, json!({"n": 2})),
    ]);
    let projection = js("fromAll().when({A: (s, e) => { log('n is', e.data.n); \
                         emit('out-' + e.data.n, 'Seen', e.data); }})");
    let mut engine = Engine::new(vec![Box::new(projection)]);
    let scope = Scope::All;
    let at = engine
        .state_at(
            &temp.store,
            Query {
                projection: 0,
                scope: &scope,
                row: 1,
                with_previous: false,
            },
        )
        .unwrap();
    assert_eq!(at.output.logs, vec!["n is 2".to_string()]);
    assert_eq!(
        at.output.emitted,
        vec![json!({"kind": "emit", "streamId": "out-2", "eventType": "Seen", "body": {"n": 2}})]
    );
}

#[test]
fn an_endless_loop_in_a_projection_file_is_stopped() {
    let limits = Limits {
        time_per_call: Duration::from_millis(100),
        ..Limits::default()
    };
    let started = Instant::now();
    let error = JsProjection::from_source("spin.js", "while (true) {}", limits)
        .err()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(error.message.contains("time limit"), "{}", error.message);
}

#[test]
fn a_syntax_error_names_the_file() {
    let dir = std::env::temp_dir().join(format!("rewind-js-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("typo.js");
    std::fs::write(&path, "fromAll().when({\n  A: (s, e) => { s.n = ; }\n});\n").unwrap();
    let error = ProjectionSpec::JavaScript(path.clone())
        .load()
        .err()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(error.projection, "typo.js");
    assert!(
        error.message.starts_with("typo.js: SyntaxError"),
        "{}",
        error.message
    );
    assert!(error.message.contains("typo.js:2"), "{}", error.message);
}

#[test]
fn the_python_bank_reducer_computes_balances() {
    let temp = bank_history();
    let command = format!("python3 {}", example("bank_reducer.py").display());
    let spec = ProjectionSpec::Command(command.clone());
    let all = final_state(spec.clone(), &temp.store, &Scope::All);
    assert_eq!(
        all,
        json!({"accounts": {
            "account-1": {"holder": "Ada Lovelace", "balance": 0, "status": "closed"},
            "account-2": {"holder": "Grace Hopper", "balance": 20, "status": "frozen"},
        }})
    );
    // Jumping around works from the state Rewind keeps.
    let mut engine = Engine::new(vec![spec.load().unwrap()]);
    let scope = stream("account-1");
    for (row, balance) in [(3, 120), (1, 100), (9, 0), (2, 150)] {
        let at = engine
            .state_at(
                &temp.store,
                Query {
                    projection: 0,
                    scope: &scope,
                    row,
                    with_previous: false,
                },
            )
            .unwrap();
        assert_eq!(
            at.state["accounts"]["account-1"]["balance"],
            json!(balance),
            "row {row}"
        );
        assert_eq!(at.projection, command);
    }
}

#[test]
fn a_crashing_reducer_is_reported_and_restarted() {
    let temp = store_with(&[("t-1", "A", 1, json!({})), ("t-1", "B", 1, json!({}))]);
    // Answers init and the first event, then dies on the second.
    let script = r#"import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("init"):
        print(json.dumps({"state": {"seen": []}}), flush=True)
    elif m["event"]["type"] == "B":
        sys.stderr.write("boom: cannot handle B\n"); sys.stderr.flush(); sys.exit(3)
    else:
        print(json.dumps({"state": {"seen": m["state"]["seen"] + [m["event"]["type"]]}, "logs": ["saw A"]}), flush=True)
"#;
    let dir = std::env::temp_dir().join(format!("rewind-ext-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("crashy.py");
    std::fs::write(&path, script).unwrap();
    let mut engine = Engine::new(vec![ProjectionSpec::Command(format!(
        "python3 {}",
        path.display()
    ))
    .load()
    .unwrap()]);
    let scope = Scope::All;
    let query = Query {
        projection: 0,
        scope: &scope,
        row: 1,
        with_previous: false,
    };
    let at = engine.state_at(&temp.store, query).unwrap();
    let error = at.error.unwrap();
    assert_eq!(error.position, Some(2));
    assert!(error.message.contains("exited"), "{}", error.message);
    assert!(
        error.message.contains("boom: cannot handle B"),
        "{}",
        error.message
    );
    assert_eq!(at.state, json!({"seen": ["A"]}));
    // The reducer is started again for the next event, and fails again.
    let again = engine.state_at(&temp.store, query).unwrap().error.unwrap();
    assert!(again.message.contains("boom"), "{}", again.message);
    // A fresh replay starts it again too.
    engine.clear();
    let query = Query { row: 0, ..query };
    let at = engine.state_at(&temp.store, query).unwrap();
    assert!(at.error.is_none());
    assert_eq!(at.state, json!({"seen": ["A"]}));
    assert_eq!(at.output.logs, vec!["saw A".to_string()]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn misbehaving_reducers_give_clear_errors() {
    let dead = ProjectionSpec::Command("exit 4".into())
        .load()
        .err()
        .unwrap();
    assert!(dead.message.contains("exited"), "{}", dead.message);
    assert_eq!(dead.projection, "exit 4");

    let garbled = ProjectionSpec::Command("echo 'hello there'".into())
        .load()
        .err()
        .unwrap();
    assert!(garbled.message.contains("not JSON"), "{}", garbled.message);

    let started = Instant::now();
    let hung = ExternalProjection::spawn_with_timeout("sleep 5", Duration::from_millis(300))
        .err()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(
        hung.message.contains("did not answer within 0.3s"),
        "{}",
        hung.message
    );

    // The hung command itself is stopped, not only the shell around it.
    let hung = ExternalProjection::spawn_with_timeout("sleep 37.25", Duration::from_millis(200))
        .err()
        .unwrap();
    assert!(hung.message.contains("did not answer"), "{}", hung.message);
    let sleeping = || {
        let ps = std::process::Command::new("ps")
            .args(["-eo", "args"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&ps.stdout)
            .lines()
            .any(|l| l.starts_with("sleep 37.25"))
    };
    let stopped = Instant::now();
    while sleeping() && stopped.elapsed() < Duration::from_secs(3) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!sleeping(), "the reducer's child is still running");

    let mut silent = ExternalProjection::spawn_with_timeout(
        r#"read line; echo '{"state": 0}'; read line; echo '{"error": "no thanks"}'"#,
        Duration::from_secs(5),
    )
    .unwrap();
    let temp = store_with(&[("t-1", "A", 1, json!({}))]);
    let event = temp.store.read_rows(&Scope::All, 0, 1).unwrap().remove(0);
    let refused = silent.apply(&event).unwrap_err();
    assert_eq!(refused.message, "the reducer reported: no thanks");
    assert_eq!(refused.position, Some(1));
}

#[test]
fn engine_snapshots_of_reshaped_and_partitioned_states_resume_correctly() {
    let dir = std::env::temp_dir().join(format!("rewind-shaped-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("shaped.js");
    std::fs::write(
        &path,
        "fromCategory('account')\n\
           .partitionBy(e => e.streamId.slice(-1))\n\
           .when({\n\
             $init: () => ({n: 0, total: 0}),\n\
             $any: (s, e) => { s.n += 1; },\n\
             FundsDeposited: (s, e) => ({...s, total: s.total + e.data.amount}),\n\
           })\n\
           .transformBy(s => ({events: s.n, deposited: s.total}))\n\
           .filterBy(s => s.events % 3 !== 0);\n",
    )
    .unwrap();
    let temp = demo_store("bank.ndjson");
    let spec = ProjectionSpec::JavaScript(path);
    let mut engine = Engine::new(vec![spec.load().unwrap()]);
    let scope = Scope::All;
    let count = temp.store.count(&scope).unwrap();
    let mut rng = Xorshift(42);
    for _ in 0..8 {
        let row = rng.below(count);
        let at = engine
            .state_at(
                &temp.store,
                Query {
                    projection: 0,
                    scope: &scope,
                    row,
                    with_previous: false,
                },
            )
            .unwrap();
        assert!(at.error.is_none(), "{:?}", at.error);
        assert!(at.state["partitions"].is_object());
        assert_eq!(
            at.state,
            replayed(&spec, &temp.store, &scope, row),
            "row {row}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Blame reads a value through `value_at` after every event; for a
/// JavaScript projection that goes through the sandbox and must agree with
/// the state it shows.
#[test]
fn javascript_value_at_agrees_with_the_state() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/projections/bank.js");
    let mut bank = rewind::core::projection::ProjectionSpec::JavaScript(path)
        .load()
        .unwrap();
    bank.reset(None).unwrap();
    let opened = rewind::core::Event {
        position: 1,
        id: "e-1".into(),
        stream: "account-9".into(),
        version: 0,
        event_type: "AccountOpened".into(),
        schema_version: 1,
        data: r#"{"accountId":"account-9","owner":"Ada","currency":"EUR"}"#.into(),
        metadata: "{}".into(),
        time_ms: 0,
    };
    bank.apply(&opened).unwrap();
    let state = bank.state().unwrap();
    for pointer in [
        "/partitions/account-9/balance",
        "/partitions/account-9/holder",
        "/partitions/account-9/holder/name",
        "/partitions",
    ] {
        assert_eq!(
            bank.value_at(pointer).unwrap().as_ref(),
            state.pointer(pointer),
            "{pointer}"
        );
    }
    assert_eq!(
        bank.value_at("/partitions/account-9/nothing").unwrap(),
        None
    );
    assert_eq!(bank.value_at("/partitions/other-1/balance").unwrap(), None);
}
