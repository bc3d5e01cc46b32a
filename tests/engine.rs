//! The projection engine's one promise: the state at any point equals a
//! full replay from the start, whatever sequence of jumps and steps led
//! there, for every scope.

use proptest::prelude::*;
use rewind::core::demo::{DemoConfig, DemoGenerator};
use rewind::core::projection::generic::Generic;
use rewind::core::projection::js::{JsProjection, Limits};
use rewind::core::projection::{Engine, Projection, ProjectionError, Query, State};
use rewind::core::store::sqlite::SqliteStore;
use rewind::core::store::{EventSource, Scope};
use rewind::core::{Event, ExpectedVersion};
use serde_json::{json, Value};
use std::sync::OnceLock;
use tempfile::TempDir;

/// A fold whose result depends on every event and on their order: a
/// running checksum of positions, plus the list of the last few types.
#[derive(Default)]
struct OrderSensitive {
    checksum: u64,
    count: u64,
    recent: Vec<String>,
}

impl Projection for OrderSensitive {
    fn name(&self) -> &str {
        "order-sensitive"
    }
    fn source_hash(&self) -> String {
        "test".into()
    }
    fn reset(&mut self, state: Option<&State>) -> Result<(), ProjectionError> {
        *self = OrderSensitive::default();
        if let Some(state) = state {
            self.checksum = state["checksum"].as_u64().unwrap_or(0);
            self.count = state["count"].as_u64().unwrap_or(0);
            self.recent = serde_json::from_value(state["recent"].clone()).unwrap_or_default();
        }
        Ok(())
    }
    fn apply(&mut self, event: &Event) -> Result<(), ProjectionError> {
        self.checksum = self
            .checksum
            .wrapping_mul(31)
            .wrapping_add(event.position as u64);
        self.count += 1;
        self.recent.push(event.event_type.clone());
        if self.recent.len() > 3 {
            self.recent.remove(0);
        }
        Ok(())
    }
    fn state(&mut self) -> Result<State, ProjectionError> {
        Ok(json!({"checksum": self.checksum, "count": self.count, "recent": self.recent}))
    }
}

fn demo_store(events: u64) -> (TempDir, SqliteStore) {
    let dir = TempDir::new().unwrap();
    let mut store = SqliteStore::create(&dir.path().join("demo.rewind")).unwrap();
    let mut appender = store.appender().unwrap();
    let config = DemoConfig {
        events,
        hot_share: 0.3,
        ..DemoConfig::default()
    };
    for record in DemoGenerator::new(config) {
        appender
            .append(&record.stream, ExpectedVersion::Any, &[record.event])
            .unwrap();
    }
    appender.commit().unwrap();
    (dir, store)
}

/// The state at `row` by folding from the first event, without the engine.
fn full_replay(
    source: &dyn EventSource,
    mut projection: Box<dyn Projection>,
    scope: &Scope,
    row: u64,
) -> State {
    projection.reset(None).unwrap();
    for event in source.read_rows(scope, 0, row as usize + 1).unwrap() {
        projection.apply(&event).unwrap();
    }
    let state = projection.state().unwrap();
    match scope {
        Scope::Stream(stream) if projection.is_partitioned() => state["partitions"][stream].clone(),
        _ => state,
    }
}

/// One demo store shared by every property case, built once.
fn shared_store() -> SqliteStore {
    static STORE: OnceLock<TempDir> = OnceLock::new();
    let dir = STORE.get_or_init(|| demo_store(3_000).0);
    SqliteStore::open_read_only(&dir.path().join("demo.rewind")).unwrap()
}

fn projections() -> Vec<Box<dyn Projection>> {
    vec![
        Box::new(OrderSensitive::default()),
        Box::new(Generic::default()),
    ]
}

fn fresh(index: usize) -> Box<dyn Projection> {
    projections().remove(index)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn state_at_any_point_equals_a_full_replay(
        jumps in proptest::collection::vec((0usize..3, 0.0f64..1.0, any::<bool>()), 1..40)
    ) {
        let store = shared_store();
        let scopes = [Scope::Stream("account-hot".into()), Scope::Category("cart".into()), Scope::All];
        let mut engine = Engine::new(projections());
        for (scope_index, fraction, with_previous) in jumps {
            let scope = &scopes[scope_index];
            let count = store.count(scope).unwrap();
            let row = ((count - 1) as f64 * fraction) as u64;
            for projection in 0..2 {
                let got = engine
                    .state_at(&store, Query { projection, scope, row, with_previous })
                    .unwrap();
                prop_assert_eq!(got.row, Some(row));
                prop_assert_eq!(&got.state, &full_replay(&store, fresh(projection), scope, row));
                if with_previous && row > 0 {
                    let before = full_replay(&store, fresh(projection), scope, row - 1);
                    prop_assert_eq!(got.previous.as_ref(), Some(&before));
                }
                // A step forward from here is one event.
                if row + 1 < count {
                    let next = engine
                        .state_at(&store, Query { projection, scope, row: row + 1, with_previous: false })
                        .unwrap();
                    prop_assert_eq!(next.replayed, 1);
                    prop_assert_eq!(&next.state, &full_replay(&store, fresh(projection), scope, row + 1));
                }
            }
        }
    }
}

#[test]
fn stepping_backward_and_jumping_replay_at_most_the_interval() {
    let (_dir, store) = demo_store(5_000);
    let scope = Scope::Stream("account-hot".into());
    let count = store.count(&scope).unwrap();
    assert!(count > 1_000, "the hot stream is long: {count}");
    let mut engine = Engine::new(vec![Box::new(OrderSensitive::default())]);
    // K adapts to measured cost after each replay; the first pass lays its
    // snapshots with the K in force while it runs.
    let interval = engine.interval();
    // One pass to the end leaves snapshots along the way.
    let end = engine
        .state_at(
            &store,
            Query {
                projection: 0,
                scope: &scope,
                row: count - 1,
                with_previous: false,
            },
        )
        .unwrap();
    assert_eq!(end.replayed, count);
    for row in [count / 2, count / 3, 7, count - 2] {
        let got = engine
            .state_at(
                &store,
                Query {
                    projection: 0,
                    scope: &scope,
                    row,
                    with_previous: false,
                },
            )
            .unwrap();
        assert!(
            got.replayed <= interval,
            "replayed {} > K = {interval}",
            got.replayed
        );
    }
}

#[test]
fn an_empty_scope_gives_the_initial_state() {
    let (_dir, store) = demo_store(100);
    let mut engine = Engine::new(vec![Box::new(OrderSensitive::default())]);
    let scope = Scope::Stream("nobody-1".into());
    let got = engine
        .state_at(
            &store,
            Query {
                projection: 0,
                scope: &scope,
                row: 5,
                with_previous: false,
            },
        )
        .unwrap();
    assert_eq!(got.row, None);
    assert_eq!(got.state["count"], json!(0));
}

#[test]
fn a_failing_event_leaves_the_state_before_it() {
    struct FailsAt(i64, u64);
    impl Projection for FailsAt {
        fn name(&self) -> &str {
            "fails"
        }
        fn source_hash(&self) -> String {
            "f".into()
        }
        fn reset(&mut self, state: Option<&State>) -> Result<(), ProjectionError> {
            self.1 = state.and_then(|s| s.as_u64()).unwrap_or(0);
            Ok(())
        }
        fn apply(&mut self, event: &Event) -> Result<(), ProjectionError> {
            if event.version == self.0 {
                return Err(ProjectionError::new("fails", Some(event.position), "boom"));
            }
            self.1 += 1;
            Ok(())
        }
        fn state(&mut self) -> Result<State, ProjectionError> {
            Ok(json!(self.1))
        }
    }
    let (_dir, store) = demo_store(2_000);
    let scope = Scope::Stream("account-hot".into());
    let mut engine = Engine::new(vec![Box::new(FailsAt(10, 0))]);
    let got = engine
        .state_at(
            &store,
            Query {
                projection: 0,
                scope: &scope,
                row: 50,
                with_previous: false,
            },
        )
        .unwrap();
    let error = got.error.expect("the failure is reported");
    assert_eq!(error.message, "boom");
    assert_eq!(got.row, Some(9));
    assert_eq!(got.state, json!(10));
    assert_eq!(got.event.map(|e| e.version), Some(9));
    let failing = store.read_rows(&scope, 10, 1).unwrap();
    assert_eq!(error.position, Some(failing[0].position));
}

#[test]
fn a_second_session_starts_warm_from_the_snapshot_cache() {
    use rewind::core::projection::cache::SnapshotCache;
    let (dir, store) = demo_store(4_000);
    let cache = SnapshotCache::new(dir.path().join("snapshots"), &store.identity());
    let scope = Scope::Stream("account-hot".into());
    let last = store.count(&scope).unwrap() - 1;
    let query = Query {
        projection: 0,
        scope: &scope,
        row: last,
        with_previous: false,
    };
    let mut first =
        Engine::new(vec![Box::new(OrderSensitive::default())]).with_cache(cache.clone());
    let cold = first.state_at(&store, query).unwrap();
    assert_eq!(cold.replayed, last + 1);
    drop(first);

    let mut second =
        Engine::new(vec![Box::new(OrderSensitive::default())]).with_cache(cache.clone());
    let warm = second.state_at(&store, query).unwrap();
    assert!(
        warm.replayed <= second.interval(),
        "replayed {}",
        warm.replayed
    );
    assert_eq!(warm.state, cold.state);
    assert_eq!(
        warm.state,
        full_replay(&store, Box::new(OrderSensitive::default()), &scope, last)
    );

    // Another projection source never meets these snapshots.
    struct Renamed(OrderSensitive);
    impl Projection for Renamed {
        fn name(&self) -> &str {
            "renamed"
        }
        fn source_hash(&self) -> String {
            "another source".into()
        }
        fn reset(&mut self, s: Option<&State>) -> Result<(), ProjectionError> {
            self.0.reset(s)
        }
        fn apply(&mut self, e: &Event) -> Result<(), ProjectionError> {
            self.0.apply(e)
        }
        fn state(&mut self) -> Result<State, ProjectionError> {
            self.0.state()
        }
    }
    let mut other =
        Engine::new(vec![Box::new(Renamed(OrderSensitive::default()))]).with_cache(cache);
    assert_eq!(other.state_at(&store, query).unwrap().replayed, last + 1);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// Walking back through snapshot intervals finds the same event as the
    /// full history, for fields that change often, rarely or never.
    #[test]
    fn last_change_agrees_with_the_full_history(
        asks in proptest::collection::vec((0.0f64..1.0, 0usize..5), 1..6)
    ) {
        let store = shared_store();
        let scope = Scope::Stream("account-hot".into());
        let count = store.count(&scope).unwrap();
        let pointers = ["/fields/amount", "/events", "/fields/holder/name", "/lastEvent/type", "/nothing/here"];
        let mut engine = Engine::new(projections()).with_interval(50);
        for (fraction, p) in asks {
            let row = ((count - 1) as f64 * fraction) as u64;
            let fast = engine.last_change(&store, 1, &scope, row, pointers[p]).unwrap();
            let full = Engine::new(projections()).blame(&store, 1, &scope, row, pointers[p]).unwrap();
            prop_assert_eq!(&fast.value, &full.value);
            prop_assert_eq!(fast.change.as_ref(), full.history.last());
        }
    }

    /// The newest changes, found walking back, are the end of the full
    /// history: at least as many as asked for (or all there are), and the
    /// whole history when the walk reached the first event.
    #[test]
    fn recent_changes_are_the_end_of_the_full_history(
        asks in proptest::collection::vec((0.0f64..1.0, 0usize..5, 1usize..300), 1..6)
    ) {
        let store = shared_store();
        let scope = Scope::Stream("account-hot".into());
        let count = store.count(&scope).unwrap();
        let pointers = ["/fields/amount", "/events", "/fields/holder/name", "/lastEvent/type", "/nothing/here"];
        let mut engine = Engine::new(projections()).with_interval(50);
        for (fraction, p, at_least) in asks {
            let row = ((count - 1) as f64 * fraction) as u64;
            let recent = engine.recent_changes(&store, 1, &scope, row, pointers[p], at_least).unwrap();
            let full = Engine::new(projections()).blame(&store, 1, &scope, row, pointers[p]).unwrap();
            prop_assert_eq!(&recent.value, &full.value);
            let n = recent.history.len();
            prop_assert!(n >= at_least.min(full.history.len()));
            prop_assert!(n <= full.history.len());
            prop_assert_eq!(&recent.history[..], &full.history[full.history.len() - n..]);
            if recent.whole {
                prop_assert_eq!(n, full.history.len());
            }
        }
    }
}

#[test]
fn last_change_of_a_field_every_event_sets_is_the_last_event() {
    let store = shared_store();
    let scope = Scope::Stream("account-hot".into());
    let count = store.count(&scope).unwrap();
    let mut engine = Engine::new(projections()).with_interval(50);
    // Warm, as the explorer is when you press B.
    engine
        .state_at(
            &store,
            Query {
                projection: 1,
                scope: &scope,
                row: count - 1,
                with_previous: false,
            },
        )
        .unwrap();
    assert!(
        count > 2 * engine.interval(),
        "the stream spans several intervals"
    );
    let found = engine
        .last_change(&store, 1, &scope, count - 1, "/events")
        .unwrap();
    // `/events` counts every event: the last one changed it.
    let change = found.change.expect("a change");
    assert_eq!(change.event.version as u64 + 1, count);
    assert_eq!(found.value, Some(json!(count)));
}

/// KurrentDB-style projections of each kind the engine treats apart: one
/// state per stream, one per value of a body field, and one global state.
const FOREACH_STREAM: &str = "fromCategory('cart').foreachStream().when({
  $init: () => ({ items: 0, skus: [] }),
  ItemAdded: (s, e) => { s.items += e.data.quantity; s.skus.push(e.data.sku); },
  ItemRemoved: (s, e) => { s.items -= 1; },
})";
const PARTITION_BY: &str = "fromAll().partitionBy(e => e.data.sku || null).when({
  $init: () => ({ added: 0 }),
  ItemAdded: (s, e) => { s.added += e.data.quantity; },
})";
const GLOBAL: &str = "fromAll().when({
  $init: () => ({ n: 0, last: null, byType: {} }),
  $any: (s, e) => { s.n += 1; s.last = e.streamId; s.byType[e.eventType] = (s.byType[e.eventType] || 0) + 1; },
})";

fn js(source: &str) -> Box<dyn Projection> {
    Box::new(JsProjection::from_source("test.js", source, Limits::default()).unwrap())
}

fn wide_projections() -> Vec<Box<dyn Projection>> {
    vec![
        Box::new(Generic::default()),
        js(FOREACH_STREAM),
        js(PARTITION_BY),
        js(GLOBAL),
    ]
}

/// A budget far below what the scopes' snapshots want, so every run thins.
const TINY_BUDGET: usize = 16 * 1024;

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn wide_scopes_under_a_tiny_budget_equal_a_full_replay(
        jumps in proptest::collection::vec((0usize..2, 0.0f64..1.0, 0usize..4), 1..16)
    ) {
        let store = shared_store();
        let scopes = [Scope::Category("cart".into()), Scope::All];
        let mut engine = Engine::new(wide_projections())
            .with_interval(16)
            .with_snapshot_memory(TINY_BUDGET);
        for (scope_index, fraction, projection) in jumps {
            let scope = &scopes[scope_index];
            let count = store.count(scope).unwrap();
            let row = ((count - 1) as f64 * fraction) as u64;
            let query = Query { projection, scope, row, with_previous: false };
            let got = engine.state_at(&store, query).unwrap();
            let wanted = full_replay(&store, wide_projections().remove(projection), scope, row);
            prop_assert_eq!(&got.state, &wanted);
            prop_assert!(engine.snapshot_bytes() <= TINY_BUDGET);
            // One step on, and one back.
            for next in [row + 1, row.saturating_sub(1)] {
                if next < count {
                    let query = Query { row: next, ..query };
                    let got = engine.state_at(&store, query).unwrap();
                    let wanted = full_replay(&store, wide_projections().remove(projection), scope, next);
                    prop_assert_eq!(&got.state, &wanted);
                }
            }
            // Per-stream projections show the cursor event's stream, folded
            // alone: the same as that stream's partition of the full fold.
            let (target, stream_row) = engine.stream_target(&store, projection, scope, row).unwrap();
            if engine.folds_per_stream(projection) {
                let Scope::Stream(stream) = &target else { panic!("{target:?}") };
                let alone = engine
                    .state_at(&store, Query { projection, scope: &target, row: stream_row, with_previous: false })
                    .unwrap();
                prop_assert_eq!(&alone.state, &wanted["partitions"][stream]);
            } else {
                prop_assert_eq!(&target, scope);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// A partitionBy projection on a wide scope, folded one partition at a
    /// time through the partition index, shows at any row what the full
    /// fold holds for that row's partition, and, as the state before, what
    /// it held one event earlier.
    #[test]
    fn partition_by_folded_alone_equals_its_partition_of_a_full_replay(
        jumps in proptest::collection::vec((0usize..2, 0.0f64..1.0), 1..16)
    ) {
        use rewind::core::projection::partitions::PartitionIndex;
        let store = shared_store();
        let scopes = [Scope::Category("cart".into()), Scope::All];
        let mut engine = Engine::new(vec![js(PARTITION_BY)])
            .with_interval(16)
            .with_snapshot_memory(TINY_BUDGET);
        let mut indexes: Vec<PartitionIndex> = scopes
            .iter()
            .map(|scope| {
                prop_assert!(PartitionIndex::applies(&engine, 0, scope));
                Ok(PartitionIndex::new(0, scope, Box::new(shared_store())))
            })
            .collect::<Result<_, _>>()?;
        prop_assert!(!PartitionIndex::applies(&engine, 0, &Scope::Stream("cart-00001".into())));
        for (scope_index, fraction) in jumps {
            let scope = &scopes[scope_index];
            let count = store.count(scope).unwrap();
            let row = ((count - 1) as f64 * fraction) as u64;
            for row in [row, row + 1, row.saturating_sub(1)].into_iter().filter(|r| *r < count) {
                let index = &mut indexes[scope_index];
                let got = index.state_at(&mut engine, row, true, &mut |_| true).unwrap();
                let event = store.read_rows(scope, row, 1).unwrap().remove(0);
                let full = full_replay(&store, js(PARTITION_BY), scope, row);
                let Some(got) = got else {
                    // Only events without a partition are left to the caller:
                    // those no handler takes, or without a sku.
                    prop_assert!(event.event_type != "ItemAdded" || event.data_json()["sku"].is_null());
                    continue;
                };
                let key = got.partition.clone().expect("the partition shown");
                let sku = event.data_json()["sku"].as_str().map(str::to_string);
                prop_assert_eq!(Some(key.clone()), sku);
                prop_assert_eq!(&got.state, &full["partitions"][&key]);
                prop_assert_eq!(got.row, Some(row));
                prop_assert_eq!(&got.scope, scope);
                let before = match row {
                    0 => Value::Null,
                    _ => full_replay(&store, js(PARTITION_BY), scope, row - 1)["partitions"][&key].clone(),
                };
                prop_assert_eq!(got.previous.unwrap_or(Value::Null), before);
                prop_assert!(engine.snapshot_bytes() <= TINY_BUDGET);
            }
        }
        // And an event that surely has a partition: the last sku added.
        let all = store.read_rows(&Scope::All, 0, 10_000).unwrap();
        let row = all.iter().rposition(|e| e.event_type == "ItemAdded").expect("an ItemAdded");
        let got = indexes[1].state_at(&mut engine, row as u64, false, &mut |_| true).unwrap();
        let full = full_replay(&store, js(PARTITION_BY), &Scope::All, row as u64);
        let got = got.expect("its partition's state");
        let key = got.partition.clone().expect("the partition shown");
        prop_assert_eq!(&got.state, &full["partitions"][&key]);
        prop_assert!(got.state["added"].as_i64().unwrap_or(0) > 0, "{}", got.state);
    }
}
