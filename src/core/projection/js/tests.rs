use std::path::Path;

use serde_json::{json, Value};

use super::*;

pub(super) fn event(
    position: i64,
    stream: &str,
    version: i64,
    event_type: &str,
    data: &str,
) -> Event {
    Event {
        position,
        id: format!("00000000-0000-0000-0000-{position:012}"),
        stream: stream.into(),
        version,
        event_type: event_type.into(),
        schema_version: 1,
        data: data.into(),
        metadata: r#"{"actor":"test"}"#.into(),
        time_ms: 1_740_816_000_000 + position,
    }
}

pub(super) fn js(source: &str) -> JsProjection {
    JsProjection::from_source("test.js", source, Limits::default()).unwrap()
}

pub(super) fn load_error(source: &str) -> ProjectionError {
    match JsProjection::from_source("broken.js", source, Limits::default()) {
        Ok(_) => panic!("loading should fail"),
        Err(e) => e,
    }
}

fn fold(p: &mut JsProjection, events: &[Event]) -> State {
    p.reset(None).unwrap();
    for e in events {
        p.apply(e).unwrap();
    }
    p.state().unwrap()
}

#[test]
fn handlers_fold_events_in_order() {
    let mut p = js("fromAll().when({$init: () => ({n: 0, seen: []}), \
                    A: (s, e) => { s.n += e.data.x; s.seen.push(e.sequenceNumber); }})");
    let s = fold(
        &mut p,
        &[
            event(1, "a-1", 0, "A", r#"{"x":2}"#),
            event(2, "a-1", 1, "A", r#"{"x":3}"#),
        ],
    );
    assert_eq!(s, json!({"n": 5, "seen": [0, 1]}));
    assert!(!p.is_partitioned());
}

#[test]
fn returned_state_replaces_and_undefined_keeps_the_mutated_one() {
    let mut p = js("fromAll().when({$init: () => ({n: 1}), \
                    Replace: (s, e) => ({replaced: true, was: s.n}), \
                    Mutate: (s, e) => { s.n = 42; }, \
                    Number: (s, e) => 7})");
    let a = event(1, "a-1", 0, "Mutate", "{}");
    let b = event(2, "a-1", 1, "Replace", "{}");
    let c = event(3, "a-1", 2, "Number", "{}");
    assert_eq!(fold(&mut p, std::slice::from_ref(&a)), json!({"n": 42}));
    assert_eq!(
        fold(&mut p, &[a.clone(), b.clone()]),
        json!({"replaced": true, "was": 42})
    );
    assert_eq!(fold(&mut p, &[a, b, c]), json!(7));
}

#[test]
fn a_state_is_created_at_the_first_event_handled() {
    let mut p = js(
        "fromAll().when({$init: () => { log('init'); return {count: 0}; }, \
                    A: (s) => { s.count += 1; }})",
    );
    assert_eq!(fold(&mut p, &[]), json!(null));
    assert_eq!(
        fold(&mut p, &[event(1, "x", 0, "Other", "{}")]),
        json!(null)
    );
    assert!(p.take_output().logs.is_empty(), "$init ran early");
    assert_eq!(
        fold(
            &mut p,
            &[event(1, "x", 0, "Other", "{}"), event(2, "x", 1, "A", "{}")]
        ),
        json!({"count": 1})
    );
    let mut p = js("fromAll().when({A: (s) => { s.count = (s.count || 0) + 1; }})");
    assert_eq!(
        fold(&mut p, &[event(1, "x", 0, "A", "{}")]),
        json!({"count": 1})
    );
}

#[test]
fn any_takes_every_event_only_without_typed_handlers() {
    let mut p = js("fromAll().when({$init: () => [], $any: (s, e) => { s.push(e.eventType); }})");
    let events = [event(1, "x", 0, "A", "{}"), event(2, "x", 1, "B", "{}")];
    assert_eq!(fold(&mut p, &events), json!(["A", "B"]));
    // Before a typed handler, $any narrows to nothing: only B is handled.
    let mut p = js("fromAll().when({$init: () => [], \
                    $any: (s, e) => { s.push('any:' + e.eventType); }, B: (s) => { s.push('B'); }})");
    assert_eq!(fold(&mut p, &events), json!(["B"]));
    // After one, KurrentDB refuses the projection.
    let error = load_error("fromAll().when({B: (s) => s, $any: (s) => s})");
    assert!(
        error
            .message
            .contains("Both AllEvents and specific event filters"),
        "{}",
        error.message
    );
    // With no typed handler and no $any, the event's body becomes the state.
    let mut p = js("fromAll().when({$init: () => ({n: 0})})");
    assert_eq!(
        fold(&mut p, &[event(1, "x", 0, "A", r#"{"a":1}"#)]),
        json!({"a": 1})
    );
}

#[test]
fn events_of_types_without_handlers_are_skipped() {
    let mut p = js("fromAll().when({$init: () => ({n: 0}), A: (s) => { s.n++; }})");
    let s = fold(
        &mut p,
        &[
            event(1, "x", 0, "A", "{}"),
            event(2, "x", 1, "Other", "not json at all"),
        ],
    );
    assert_eq!(s, json!({"n": 1}));
}

#[test]
fn selectors_ignore_events_they_do_not_select() {
    let events = [
        event(1, "account-1", 0, "T", "{}"),
        event(2, "cart-1", 0, "T", "{}"),
        event(3, "account-2", 0, "T", "{}"),
        event(4, "solo", 0, "T", "{}"),
    ];
    let count = |selector: &str| {
        let mut p = js(&format!(
            "{selector}.when({{$init: () => ({{streams: []}}), T: (s, e) => {{ s.streams.push(e.streamId); }}}})"
        ));
        fold(&mut p, &events)["streams"].clone()
    };
    assert_eq!(
        count("fromAll()"),
        json!(["account-1", "cart-1", "account-2", "solo"])
    );
    assert_eq!(count("fromStream('cart-1')"), json!(["cart-1"]));
    assert_eq!(
        count("fromStreams(['solo', 'account-2'])"),
        json!(["account-2", "solo"])
    );
    assert_eq!(
        count("fromStreams('solo', 'cart-1')"),
        json!(["cart-1", "solo"])
    );
    assert_eq!(
        count("fromCategory('account')"),
        json!(["account-1", "account-2"])
    );
}

#[test]
fn the_event_object_has_the_kurrentdb_fields() {
    let mut p = js("fromAll().when({$any: (s, e) => ({ \
        streamId: e.streamId, eventType: e.eventType, data: e.data, body: e.body, \
        bodyRaw: e.bodyRaw, metadata: e.metadata, metadataRaw: e.metadataRaw, \
        sequenceNumber: e.sequenceNumber, eventId: e.eventId, created: e.created, \
        position: e.position, schemaVersion: e.schemaVersion, category: e.category, \
        partition: e.partition, isJson: e.isJson })})");
    let mut e = event(12, "account-7-x", 3, "Opened", r#"{"owner":"Ada"}"#);
    e.schema_version = 2;
    e.time_ms = 1_740_816_549_096;
    let s = fold(&mut p, &[e]);
    assert_eq!(
        s,
        json!({
            "streamId": "account-7-x", "eventType": "Opened", "data": {"owner": "Ada"},
            "body": {"owner": "Ada"}, "bodyRaw": r#"{"owner":"Ada"}"#,
            "metadata": {"actor": "test"}, "metadataRaw": r#"{"actor":"test"}"#,
            "sequenceNumber": 3, "eventId": "00000000-0000-0000-0000-000000000012",
            "created": "2025-03-01T08:09:09.096Z", "position": 12, "schemaVersion": 2,
            "category": "account", "partition": "", "isJson": true,
        })
    );
    let s = fold(&mut p, &[event(1, "x", 0, "T", "plain text")]);
    assert_eq!(s["data"], json!("plain text"));
    assert_eq!(s["isJson"], json!(false));
}

#[test]
fn foreach_stream_keeps_one_state_per_stream() {
    let mut p = js(
        "fromCategory('account').foreachStream().when({$init: () => ({n: 0}), \
                    T: (s, e) => { s.n += e.data; s.partition = e.partition; }})",
    );
    assert!(p.is_partitioned());
    let events = [
        event(1, "account-1", 0, "T", "1"),
        event(2, "account-2", 0, "T", "10"),
        event(3, "account-1", 1, "T", "2"),
        event(4, "cart-1", 0, "T", "100"),
    ];
    let s = fold(&mut p, &events);
    assert_eq!(
        s,
        json!({"partitions": {
            "account-1": {"n": 3, "partition": "account-1"},
            "account-2": {"n": 10, "partition": "account-2"},
        }})
    );
    assert_eq!(
        p.partition_of(&events[1]).unwrap(),
        Some("account-2".to_string())
    );
    // The same shape is accepted back, and the fold goes on from it.
    p.reset(Some(&s)).unwrap();
    p.apply(&event(5, "account-2", 1, "T", "5")).unwrap();
    assert_eq!(
        p.state().unwrap()["partitions"]["account-2"],
        json!({"n": 15, "partition": "account-2"})
    );
    assert_eq!(p.state().unwrap()["partitions"]["account-1"]["n"], json!(3));
    assert!(p.reset(Some(&json!({"n": 1}))).is_err());
}

#[test]
fn partition_by_uses_the_function_key() {
    let mut p = js(
        "fromAll().partitionBy(e => e.data.customer).when({$init: () => ({total: 0}), \
                    Order: (s, e) => { s.total += e.data.amount; }})",
    );
    let events = [
        event(1, "order-1", 0, "Order", r#"{"customer":"ada","amount":5}"#),
        event(2, "order-2", 0, "Order", r#"{"customer":"bob","amount":7}"#),
        event(3, "order-3", 0, "Order", r#"{"customer":"ada","amount":1}"#),
        event(4, "order-4", 0, "Order", r#"{"amount":1000}"#),
    ];
    let s = fold(&mut p, &events);
    assert_eq!(
        s,
        json!({"partitions": {"ada": {"total": 6}, "bob": {"total": 7}}})
    );
    assert_eq!(p.partition_of(&events[1]).unwrap(), Some("bob".into()));
    assert_eq!(p.partition_of(&events[3]).unwrap(), None);
}

#[test]
fn transform_and_filter_shape_the_state_shown() {
    let mut p = js(
        "fromAll().when({$init: () => ({n: 0}), T: (s) => { s.n++; }})\
                    .transformBy(s => ({count: s.n, even: s.n % 2 === 0}))\
                    .filterBy(s => s.count > 1)\
                    .outputState()",
    );
    let events: Vec<Event> = (0..3).map(|i| event(i + 1, "x", i, "T", "{}")).collect();
    assert_eq!(fold(&mut p, &events[..1]), json!(null));
    let two = fold(&mut p, &events[..2]);
    assert_eq!(two, json!({"count": 2, "even": true}));
    // A reshaped state handed out can be resumed from.
    p.reset(Some(&two)).unwrap();
    p.apply(&events[2]).unwrap();
    assert_eq!(p.state().unwrap(), json!({"count": 3, "even": false}));
    // One it never produced cannot.
    assert!(p.reset(Some(&json!({"count": 99}))).is_err());
}

#[test]
fn transform_cannot_change_the_working_state() {
    let mut p = js(
        "fromAll().when({$init: () => ({n: 0}), T: (s) => { s.n++; }})\
                    .transformBy(s => { s.n = 100; return s; })",
    );
    let events: Vec<Event> = (0..2).map(|i| event(i + 1, "x", i, "T", "{}")).collect();
    p.reset(None).unwrap();
    p.apply(&events[0]).unwrap();
    assert_eq!(p.state().unwrap(), json!({"n": 100}));
    p.apply(&events[1]).unwrap();
    assert_eq!(p.sandbox.text(Call::RawState).unwrap(), r#"{"n":2}"#);
}

#[test]
fn log_emit_and_link_to_are_captured() {
    let mut p = js("fromAll().when({T: (s, e) => { \
        log('seen', e.eventType, {n: 1}, 2); \
        emit('audit-1', 'Seen', {at: e.position}, {by: 'test'}); \
        linkTo('links', e); }})");
    p.reset(None).unwrap();
    p.apply(&event(9, "x-1", 4, "T", "{}")).unwrap();
    let output = p.take_output();
    assert_eq!(output.logs, vec![r#"seen T {"n":1} 2"#.to_string()]);
    assert_eq!(
        output.emitted,
        vec![
            json!({"kind": "emit", "streamId": "audit-1", "eventType": "Seen", "body": {"at": 9}, "metadata": {"by": "test"}}),
            json!({"kind": "linkTo", "streamId": "links", "target": "4@x-1", "eventId": "00000000-0000-0000-0000-000000000009"}),
        ]
    );
    assert!(p.take_output().is_empty());
}

#[test]
fn unknown_options_are_logged_not_fatal() {
    let mut p = js(
        "options({resultStreamName: 'r', $includeLinks: false, frobnicate: true});\
                    fromAll().when({})",
    );
    assert_eq!(
        p.warnings(),
        ["options: unknown option 'frobnicate' is ignored"]
    );
    assert_eq!(
        p.take_output().logs,
        vec!["test.js: options: unknown option 'frobnicate' is ignored"]
    );
}

#[test]
fn upcasters_run_before_handlers_and_chain() {
    let mut p = js("upcast('Opened', 1, e => ({...e, data: {holder: {name: e.data.owner}}}));\
                    upcast('Opened', 2, e => { e.data.holder.email = null; });\
                    fromAll().when({Opened: (s, e) => ({v: e.schemaVersion, data: e.data, body: e.body, \
                       meta: e.metadata, created: e.created, type: e.eventType})})");
    let v1 = event(1, "a-1", 0, "Opened", r#"{"owner":"Ada"}"#);
    let mut v3 = event(
        2,
        "a-2",
        0,
        "Opened",
        r#"{"holder":{"name":"Bo","email":"b@x"}}"#,
    );
    v3.schema_version = 3;
    let s = fold(&mut p, &[v1]);
    assert_eq!(s["v"], json!(3));
    assert_eq!(s["data"], json!({"holder": {"name": "Ada", "email": null}}));
    assert_eq!(s["body"], s["data"]);
    assert_eq!(s["meta"], json!({"actor": "test"}));
    assert_eq!(s["created"], json!("2025-03-01T08:00:00.001Z"));
    let s = fold(&mut p, &[v3]);
    assert_eq!(s["v"], json!(3));
    assert_eq!(s["data"], json!({"holder": {"name": "Bo", "email": "b@x"}}));
}

#[test]
fn source_hash_is_the_sha256_of_the_file() {
    let p = js("fromAll().when({})");
    assert_eq!(p.source_hash(), source_hash(b"fromAll().when({})"));
    assert_eq!(
        source_hash(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn spec_loads_a_file_named_after_it() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/projections/bank.js");
    let p = crate::core::projection::ProjectionSpec::JavaScript(path.clone())
        .load()
        .unwrap();
    assert_eq!(p.name(), "bank.js");
    assert!(p.is_partitioned());
    assert_eq!(p.source_hash(), source_hash(&std::fs::read(&path).unwrap()));
    let missing = crate::core::projection::ProjectionSpec::JavaScript("nope/none.js".into())
        .load()
        .err()
        .unwrap();
    assert!(
        missing.message.contains("cannot read"),
        "{}",
        missing.message
    );
}

#[test]
fn partitions_stay_apart_when_handlers_return_new_states() {
    let mut p = js("fromAll().foreachStream().when({$init: () => 0, \
                    Add: (s, e) => s + e.data, Double: (s) => s * 2})");
    let events = [
        event(1, "a", 0, "Add", "1"),
        event(2, "a", 1, "Add", "2"),
        event(3, "b", 0, "Add", "10"),
        event(4, "a", 2, "Double", "null"),
        event(5, "b", 1, "Double", "null"),
        event(6, "b", 2, "Add", "1"),
        event(7, "a", 3, "Add", "1"),
    ];
    assert_eq!(
        fold(&mut p, &events),
        json!({"partitions": {"a": 7, "b": 21}})
    );
    // After a reset from a state, runs of one partition continue from it.
    p.reset(Some(&json!({"partitions": {"a": 100, "b": 5}})))
        .unwrap();
    p.apply(&events[6]).unwrap();
    p.apply(&events[6]).unwrap();
    assert_eq!(
        p.state().unwrap(),
        json!({"partitions": {"a": 102, "b": 5}})
    );
}

#[test]
fn an_upcaster_may_rename_the_event_type() {
    let mut p = js("upcast('Deposit', 1, e => ({...e, eventType: 'FundsDeposited', data: {amount: e.data.cents / 100}}));\
                    fromAll().when({$init: () => ({balance: 0, types: []}), \
                      FundsDeposited: (s, e) => { s.balance += e.data.amount; s.types.push(e.eventType + '/v' + e.schemaVersion); }})");
    let old = event(1, "a-1", 0, "Deposit", r#"{"cents":250}"#);
    let new = event(2, "a-1", 1, "FundsDeposited", r#"{"amount":1}"#);
    assert_eq!(
        fold(&mut p, &[old, new]),
        json!({"balance": 3.5, "types": ["FundsDeposited/v2", "FundsDeposited/v1"]})
    );
}

#[test]
fn logging_an_event_shows_all_its_fields() {
    let mut p = js("fromAll().when({T: (s, e) => { log(e); }})");
    p.apply(&event(3, "x-1", 2, "T", r#"{"a":1}"#)).unwrap();
    let logs = p.take_output().logs;
    let logged: Value = serde_json::from_str(&logs[0]).unwrap();
    assert_eq!(logged["streamId"], json!("x-1"));
    assert_eq!(logged["data"], json!({"a": 1}));
    assert_eq!(logged["metadata"], json!({"actor": "test"}));
    assert_eq!(logged["created"], json!("2025-03-01T08:00:00.003Z"));
    assert_eq!(logged["category"], json!("x"));
    assert_eq!(logged["isJson"], json!(true));
}
