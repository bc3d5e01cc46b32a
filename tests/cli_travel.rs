//! Time travel from the command line: diff, blame and search.

mod common;

use common::{bank_store, Sandbox};
use rewind::core::diff::{apply, PatchOp};
use serde_json::{json, Value};

fn state_at(s: &Sandbox, store: &str, stream: &str, version: i64) -> Value {
    let run = s
        .run(&[
            "state",
            store,
            "--stream",
            stream,
            "--at",
            &version.to_string(),
            "--json",
        ])
        .ok();
    run.json()["state"].clone()
}

fn patch_ops(patch: &Value) -> Vec<PatchOp> {
    patch
        .as_array()
        .unwrap()
        .iter()
        .map(|op| {
            let path = op["path"].as_str().unwrap().to_string();
            match op["op"].as_str().unwrap() {
                "add" => PatchOp::Add {
                    path,
                    value: op["value"].clone(),
                },
                "remove" => PatchOp::Remove {
                    path,
                    old: op["old"].clone(),
                },
                "replace" => PatchOp::Replace {
                    path,
                    value: op["value"].clone(),
                    old: op["old"].clone(),
                },
                other => panic!("unexpected op {other}"),
            }
        })
        .collect()
}

#[test]
fn diff_patch_turns_the_state_at_from_into_the_state_at_to() {
    let s = Sandbox::new();
    let store = bank_store(&s);
    for (from, to) in [(0, 5), (3, 20), (20, 3), (7, 7)] {
        let run = s
            .run(&[
                "diff",
                &store,
                "--stream",
                "account-0042",
                "--from",
                &from.to_string(),
                "--to",
                &to.to_string(),
                "--json",
            ])
            .ok();
        let out = run.json();
        assert_eq!(out["from"]["version"], json!(from));
        assert_eq!(out["to"]["version"], json!(to));
        for op in out["patch"].as_array().unwrap() {
            if op["op"] == "replace" || op["op"] == "remove" {
                assert!(op.get("old").is_some(), "{op}");
            }
        }
        let mut state = state_at(&s, &store, "account-0042", from);
        apply(&mut state, &patch_ops(&out["patch"])).unwrap();
        assert_eq!(
            state,
            state_at(&s, &store, "account-0042", to),
            "{from} → {to}"
        );
        assert_eq!(
            out["events"].as_array().unwrap().len(),
            (from - to).unsigned_abs() as usize
        );
    }
}

#[test]
fn diff_accepts_positions_and_times() {
    let s = Sandbox::new();
    let store = bank_store(&s);
    let log = s
        .run(&["log", &store, "--stream", "account-0042", "--json"])
        .ok()
        .json_lines();
    let at_position = format!("@{}", log[4]["position"]);
    let at_time = log[9]["time"].as_str().unwrap().to_string();
    let run = s
        .run(&[
            "diff",
            &store,
            "--stream",
            "account-0042",
            "--from",
            &at_position,
            "--to",
            &at_time,
            "--json",
        ])
        .ok();
    assert_eq!(run.json()["from"]["version"], json!(4));
    assert_eq!(run.json()["to"]["version"], json!(9));
    let text = s
        .run(&[
            "diff",
            &store,
            "--stream",
            "account-0042",
            "--from",
            "1",
            "--to",
            "2",
        ])
        .ok();
    assert!(text.stdout.contains("account-0042: v1"), "{}", text.stdout);
    let bad = s
        .run(&[
            "diff",
            &store,
            "--stream",
            "account-0042",
            "--from",
            "someday",
        ])
        .fails_with(1);
    assert!(bad.stderr.contains("not a point"), "{}", bad.stderr);
}

#[test]
fn blame_names_the_last_change_and_the_history() {
    let s = Sandbox::new();
    let store = bank_store(&s);
    let run = s
        .run(&[
            "blame",
            &store,
            "--stream",
            "account-0042",
            "--path",
            "/fields/amount",
            "--at",
            "10",
            "--json",
        ])
        .ok();
    let blame = run.json();
    for key in [
        "path", "value", "version", "position", "type", "time", "id", "history",
    ] {
        assert!(blame.get(key).is_some(), "blame --json lacks {key}");
    }
    let history = blame["history"].as_array().unwrap();
    let last = history.last().unwrap();
    assert_eq!(blame["version"], last["version"]);
    assert_eq!(blame["value"], last["value"]);
    // Each entry's value is the field's value in the state at its version,
    // and it differs from the entry before.
    let mut previous = Value::Null;
    for entry in history {
        let version = entry["version"].as_i64().unwrap();
        assert!(version <= 10);
        let state = state_at(&s, &store, "account-0042", version);
        assert_eq!(state["fields"]["amount"], entry["value"]);
        assert_ne!(entry["value"], previous);
        previous = entry["value"].clone();
    }
    let never = s
        .run(&[
            "blame",
            &store,
            "--stream",
            "account-0042",
            "--path",
            "/fields/nothing",
            "--json",
        ])
        .ok();
    assert_eq!(never.json()["history"], json!([]));
    assert_eq!(never.json()["value"], Value::Null);
}

#[test]
fn search_finds_events_states_and_correlations() {
    let s = Sandbox::new();
    let store = bank_store(&s);
    let found = s
        .run(&["search", &store, "/data/amount=500", "--json"])
        .ok()
        .json_lines();
    assert!(!found.is_empty());
    assert!(found.iter().all(|e| e["data"]["amount"] == json!(500)));
    let text = s
        .run(&[
            "search",
            &store,
            "--stream",
            "account-0042",
            "TRANSFERSENT",
            "--json",
        ])
        .ok();
    assert!(text
        .json_lines()
        .iter()
        .all(|e| e["type"] == "TransferSent"));

    let state = s
        .run(&[
            "search",
            &store,
            "--stream",
            "account-0042",
            "--state",
            "/eventCounts/TransferSent=2",
            "--json",
        ])
        .ok();
    let event = state.json();
    let version = event["version"].as_i64().unwrap();
    assert_eq!(
        state_at(&s, &store, "account-0042", version)["eventCounts"]["TransferSent"],
        json!(2)
    );
    assert_ne!(
        state_at(&s, &store, "account-0042", version - 1)["eventCounts"]["TransferSent"],
        json!(2)
    );

    let sent = s
        .run(&[
            "log",
            &store,
            "--stream",
            "account-0042",
            "--type",
            "TransferSent",
            "--limit",
            "1",
            "--json",
        ])
        .ok()
        .json();
    let correlation = sent["metadata"]["correlationId"].as_str().unwrap();
    let linked = s
        .run(&["search", &store, "--correlation", correlation, "--json"])
        .ok()
        .json_lines();
    let types: Vec<_> = linked.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["TransferSent", "TransferReceived"]);
    assert_eq!(linked[1]["metadata"]["causationId"], linked[0]["id"]);
}
