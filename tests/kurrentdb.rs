//! KurrentDB-style projections over hand-written histories: each
//! tests/fixtures/kurrentdb/NAME.js runs over NAME.ndjson and must give the
//! states (and would-be writes) in NAME.expected.json, which were worked out
//! by hand from the events, at the end and at points along the way.

mod projection_support;

use std::path::{Path, PathBuf};

use serde_json::Value;

use projection_support::*;
use rewind::core::projection::{Engine, ProjectionSpec, Query};
use rewind::core::{EventSource, Scope};

const FIXTURES: [&str; 7] = [
    "count-by-type",
    "orders-payments",
    "revenue-by-region",
    "customer-spend",
    "tenant-index",
    "cart-items",
    "account-deletions",
];

fn fixture(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/kurrentdb")
        .join(file)
}

fn spec(name: &str) -> ProjectionSpec {
    ProjectionSpec::JavaScript(fixture(&format!("{name}.js")))
}

/// Runs every check of NAME.expected.json, each with a fresh engine so
/// that the output shown is the one of the event the check stands at.
fn check(name: &str) {
    let temp = ndjson_store(&fixture(&format!("{name}.ndjson")));
    let text = std::fs::read_to_string(fixture(&format!("{name}.expected.json"))).unwrap();
    let expected: Value = serde_json::from_str(&text).unwrap();
    let checks = expected["checks"].as_array().unwrap();
    assert!(!checks.is_empty(), "{name}: no checks");
    for check in checks {
        let scope = Scope::parse(check["scope"].as_str().unwrap());
        let row = match &check["row"] {
            Value::String(word) if word == "last" => u64::MAX,
            number => number.as_u64().unwrap(),
        };
        let mut engine = Engine::new(vec![spec(name).load().unwrap()]);
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
        let place = format!("{name}: {} at row {}", scope.label(), check["row"]);
        assert!(at.error.is_none(), "{place}: {:?}", at.error);
        assert_eq!(at.state, check["state"], "{place}");
        if let Some(partition) = check.get("partition") {
            assert_eq!(
                at.partition.as_deref(),
                partition.as_str(),
                "{place}: partition"
            );
        }
        if let Some(emitted) = check.get("emitted") {
            assert_eq!(
                &Value::Array(at.output.emitted.clone()),
                emitted,
                "{place}: emitted"
            );
        }
    }
}

#[test]
fn count_by_type_over_all() {
    check("count-by-type");
}

#[test]
fn from_streams_join() {
    check("orders-payments");
}

#[test]
fn partition_by_a_body_field_with_handlers_returning_new_states() {
    check("revenue-by-region");
}

#[test]
fn bi_state_partitions_and_shared_state() {
    check("customer-spend");
}

#[test]
fn link_to_and_emit_index() {
    check("tenant-index");
}

#[test]
fn foreach_stream_created_at_the_first_handled_event() {
    check("cart-items");
}

#[test]
fn deleted_for_hard_and_soft_stream_deletes() {
    check("account-deletions");
}

/// Snapshots hold `state()` and resume with `reset`: jumping around with a
/// snapshot every two events must give what a full replay gives, shared
/// states and not-yet-created partitions included.
#[test]
fn every_fixture_resumes_from_snapshots_as_a_full_replay_does() {
    for name in FIXTURES {
        let temp = ndjson_store(&fixture(&format!("{name}.ndjson")));
        let spec = spec(name);
        let mut engine = Engine::new(vec![spec.load().unwrap()]).with_interval(2);
        let scope = Scope::All;
        let count = temp.store.count(&scope).unwrap();
        let forward = 0..count;
        let mut rng = Xorshift(7);
        let jumps: Vec<u64> = (0..count * 2).map(|_| rng.below(count)).collect();
        for row in forward.chain(jumps) {
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
            assert!(at.error.is_none(), "{name} row {row}: {:?}", at.error);
            assert_eq!(
                at.state,
                replayed(&spec, &temp.store, &scope, row),
                "{name} row {row}"
            );
        }
    }
}

#[test]
fn every_fixture_has_its_three_files() {
    for name in FIXTURES {
        for suffix in [".js", ".ndjson", ".expected.json"] {
            assert!(
                fixture(&format!("{name}{suffix}")).exists(),
                "{name}{suffix}"
            );
        }
    }
}
