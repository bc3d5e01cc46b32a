//! KurrentDB's projection semantics: when partitions are created,
//! `$created`, `$deleted`, bi-state handlers, options and outputTo.

use serde_json::json;

use super::tests::{event, js, load_error};
use super::*;

fn fold(p: &mut JsProjection, events: &[Event]) -> State {
    p.reset(None).unwrap();
    for e in events {
        p.apply(e).unwrap();
    }
    p.state().unwrap()
}

#[test]
fn a_partition_is_created_at_its_first_handled_event_with_created_first() {
    let mut p = js("fromCategory('account').foreachStream().when({\
        $init: () => ({n: 0, log: []}), \
        $created: (s, e) => { s.log.push('created:' + e.eventType + '@' + e.sequenceNumber); }, \
        Deposited: (s, e) => { s.n += e.data.amount; s.log.push('deposited'); }})");
    let opened = event(1, "account-1", 0, "Opened", "{}");
    let deposited = event(2, "account-1", 1, "Deposited", r#"{"amount":5}"#);
    // The unhandled first event never reaches the projection: no partition.
    assert_eq!(
        fold(&mut p, std::slice::from_ref(&opened)),
        json!({"partitions": {}})
    );
    assert_eq!(
        fold(&mut p, &[opened, deposited.clone(), deposited]),
        json!({"partitions": {"account-1": {"n": 10, "log": ["created:Deposited@1", "deposited", "deposited"]}}})
    );
}

#[test]
fn created_return_values_are_ignored_and_a_null_state_is_created_again() {
    let mut p = js("fromAll().partitionBy(e => e.data.k).when({\
        $init: () => ({runs: 0}), \
        $created: (s) => { s.runs += 1; return 'ignored'; }, \
        Touch: (s) => { s.touched = true; }, \
        Clear: () => null})");
    let touch = event(1, "x-1", 0, "Touch", r#"{"k":7}"#);
    let clear = event(2, "x-1", 1, "Clear", r#"{"k":7}"#);
    assert_eq!(
        fold(&mut p, std::slice::from_ref(&touch)),
        json!({"partitions": {"7": {"runs": 1, "touched": true}}})
    );
    // KurrentDB loads a null partition state as a new partition.
    assert_eq!(
        fold(&mut p, &[touch.clone(), clear.clone()]),
        json!({"partitions": {"7": null}})
    );
    assert_eq!(
        fold(&mut p, &[touch.clone(), clear, touch]),
        json!({"partitions": {"7": {"runs": 1, "touched": true}}})
    );
}

#[test]
fn bi_state_handlers_get_the_partition_and_shared_states_as_a_pair() {
    let source = "fromCategory('order').partitionBy(e => e.data.customer).when({\
        $init: () => ({orders: 0}), \
        $initShared: () => ({total: 0}), \
        Placed: (s, e) => { s[0].orders += 1; s[1].total += e.data.amount; }, \
        Refunded: ([mine, all], e) => [{...mine, refunded: true}, {total: all.total - e.data.amount}]})";
    let mut p = js(source);
    assert_eq!(fold(&mut p, &[]), json!({"partitions": {}, "shared": null}));
    let events = [
        event(
            1,
            "order-1",
            0,
            "Placed",
            r#"{"customer":"ada","amount":5}"#,
        ),
        event(
            2,
            "order-2",
            0,
            "Placed",
            r#"{"customer":"bob","amount":7}"#,
        ),
        event(
            3,
            "order-1",
            1,
            "Refunded",
            r#"{"customer":"ada","amount":5}"#,
        ),
    ];
    let after_two = fold(&mut p, &events[..2]);
    assert_eq!(
        after_two,
        json!({"partitions": {"ada": {"orders": 1}, "bob": {"orders": 1}}, "shared": {"total": 12}})
    );
    assert_eq!(
        fold(&mut p, &events),
        json!({"partitions": {"ada": {"orders": 1, "refunded": true}, "bob": {"orders": 1}}, "shared": {"total": 7}})
    );
    // Snapshots keep the shared state.
    p.reset(Some(&after_two)).unwrap();
    p.apply(&events[2]).unwrap();
    assert_eq!(p.state().unwrap()["shared"], json!({"total": 7}));
    assert_eq!(p.value_at("/shared/total").unwrap(), Some(json!(7)));
    assert!(p.reset(Some(&json!({"total": 1}))).is_err());
}

#[test]
fn bi_state_also_comes_from_options_and_works_unpartitioned() {
    let mut p = js("options({BiState: true}); fromAll().when({\
        T: (s, e) => { s[0] = (typeof s[0] === 'number' ? s[0] : 0) + 1; s[1].seen = e.streamId; }})");
    let events = [event(1, "a-1", 0, "T", "{}"), event(2, "b-1", 0, "T", "{}")];
    let state = fold(&mut p, &events);
    assert_eq!(state, json!({"state": 2, "shared": {"seen": "b-1"}}));
    p.reset(Some(&state)).unwrap();
    p.apply(&events[0]).unwrap();
    assert_eq!(
        p.state().unwrap(),
        json!({"state": 3, "shared": {"seen": "a-1"}})
    );
    let mut p = js("fromAll().when({$initShared: () => 0, T: () => 'oops'})");
    p.reset(None).unwrap();
    let error = p.apply(&events[0]).unwrap_err();
    assert!(
        error.message.contains("[state, sharedState]"),
        "{}",
        error.message
    );
}

#[test]
fn deleted_runs_for_hard_and_soft_deletes_of_selected_streams() {
    let source = "fromCategory('account').foreachStream().when({\
        $init: () => ({n: 0}), \
        $deleted: (s, e, partition, soft) => { s.deleted = [e, partition, soft]; return 'ignored'; }, \
        Deposited: (s) => { s.n += 1; }})";
    let mut p = js(source);
    let events = [
        event(1, "account-1", 0, "Deposited", "{}"),
        event(2, "account-1", 1, "$streamDeleted", "{}"),
        event(
            3,
            "$$account-2",
            0,
            "$metadata",
            r#"{"$tb":9223372036854775807}"#,
        ),
        event(
            4,
            "$$cart-1",
            0,
            "$metadata",
            r#"{"$tb":9223372036854775807}"#,
        ),
    ];
    assert_eq!(
        fold(&mut p, &events),
        json!({"partitions": {
            "account-1": {"n": 1, "deleted": [null, "account-1", false]},
            "account-2": {"n": 0, "deleted": [null, "account-2", false]},
        }})
    );
    assert_eq!(
        p.partition_of(&events[2]).unwrap().as_deref(),
        Some("account-2")
    );
    assert!(load_error("fromAll().when({$deleted: () => {}})")
        .message
        .contains("foreachStream"));
    assert!(load_error(
        "fromAll().foreachStream().when({$initShared: () => ({}), $deleted: () => {}})"
    )
    .message
    .contains("bi-state"));
}

#[test]
fn output_to_is_accepted_without_a_warning_and_options_are_checked() {
    let p = js("options({resultstreamname: 'r', $INCLUDELINKS: false}); \
                fromAll().when({T: () => {}}).outputTo('results', 'result-{0}')");
    assert!(p.warnings().is_empty(), "{:?}", p.warnings());
    assert!(load_error("fromAll().when({}).outputTo(5)")
        .message
        .contains("must be a string"));
    assert!(load_error("options({biState: 'yes'}); fromAll().when({})")
        .message
        .contains("'biState' must be a boolean"));
    assert!(load_error("fromStream('a').foreachStream().when({})")
        .message
        .contains("foreachStream()"));
    assert!(
        load_error("options({reorderEvents: true}); fromAll().when({})")
            .message
            .contains("reorderEvents")
    );
}

#[test]
fn partition_by_keys_are_strings_or_numbers() {
    let mut p =
        js("fromAll().partitionBy(e => e.data.k).when({T: (s) => { s.n = (s.n || 0) + 1; }})");
    let events = [
        event(1, "x-1", 0, "T", r#"{"k":"a"}"#),
        event(2, "x-1", 1, "T", r#"{"k":2}"#),
        event(3, "x-1", 2, "T", r#"{"k":true}"#),
        event(4, "x-1", 3, "T", r#"{"k":{"o":1}}"#),
        event(5, "x-1", 4, "Other", r#"{"k":"b"}"#),
    ];
    assert_eq!(
        fold(&mut p, &events),
        json!({"partitions": {"a": {"n": 1}, "2": {"n": 1}}})
    );
    // partitionBy only runs on events that reach the projection.
    assert_eq!(p.partition_of(&events[4]).unwrap(), None);
}
