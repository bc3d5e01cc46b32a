//! Projections over a real store: the shipped JavaScript projections on
//! hand-written histories with hand-computed results, and the engine's
//! answers against full replays.

mod projection_support;

use serde_json::json;

use projection_support::*;
use rewind::core::projection::{Engine, ProjectionSpec, Query};
use rewind::core::{EventSource, Scope};

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
