//! Answers at the edges: points before a stream began or past its end,
//! messages with line breaks, numbers exactly as stored, several
//! projections in one query, and one exit status for "no match".

mod common;

use common::{bank_store, Sandbox};
use serde_json::{json, Value};

const BANK_JS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/projections/bank.js");

#[test]
fn a_time_before_the_stream_began_gives_the_initial_state() {
    let s = Sandbox::new();
    let store = bank_store(&s);
    let at = |args: &[&str]| {
        let mut all = vec!["state", &store, "--stream", "account-0042", "--json"];
        all.extend_from_slice(args);
        s.run(&all).ok().json()
    };
    let before = at(&["--time", "2020-01-01T00:00:00Z", "--projection", BANK_JS]);
    assert_eq!(before["version"], Value::Null);
    assert_eq!(before["position"], Value::Null);
    // As in KurrentDB, a partition exists from its first handled event
    // on: before the stream began there is none.
    assert_eq!(before["state"], Value::Null);

    let generic = at(&["--time", "2020-01-01T00:00:00Z"]);
    assert_eq!(generic["version"], Value::Null);

    // A position before the stream's first event stands before it too.
    let first = at(&["--at", "0"]);
    let first_position = first["position"].as_i64().unwrap();
    let early = at(&["--position", &(first_position - 1).to_string()]);
    assert_eq!(early["version"], Value::Null);

    let text = s
        .run(&[
            "state",
            &store,
            "--stream",
            "account-0042",
            "--time",
            "2020-01-01",
        ])
        .ok();
    assert!(
        text.stdout.contains("before the first event"),
        "{}",
        text.stdout
    );
}

#[test]
fn points_past_the_end_are_errors_that_name_the_range() {
    let s = Sandbox::new();
    let store = bank_store(&s);
    let run = s
        .run(&["state", &store, "--stream", "account-0042", "--at", "999"])
        .fails_with(1);
    assert!(
        run.stderr.contains("versions run from 0 to 38"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
    let run = s
        .run(&["state", &store, "--stream", "account-0042", "--at=-1"])
        .fails_with(1);
    assert!(run.stderr.contains("from 0 to 38"), "{}", run.stderr);
    let run = s
        .run(&["state", &store, "--all", "--position", "99999"])
        .fails_with(1);
    assert!(run.stderr.contains("up to @2500"), "{}", run.stderr);
    let run = s
        .run(&[
            "diff",
            &store,
            "--stream",
            "account-0042",
            "--from",
            "3",
            "--to",
            "400",
        ])
        .fails_with(1);
    assert!(
        run.stderr.contains("--to 400") && run.stderr.contains("0 to 38"),
        "{}",
        run.stderr
    );
    s.run(&[
        "blame",
        &store,
        "--stream",
        "account-0042",
        "--path",
        "/fields",
        "--at",
        "39",
    ])
    .fails_with(1);
}

#[test]
fn diff_and_blame_from_before_the_first_event() {
    let s = Sandbox::new();
    let store = bank_store(&s);
    let diff = s
        .run(&[
            "diff",
            &store,
            "--stream",
            "account-0042",
            "--from",
            "2020-01-01",
            "--to",
            "1",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(diff["from"]["version"], Value::Null);
    assert_eq!(diff["to"]["version"], json!(1));
    // The events between are the first two, the ones that made the change.
    let versions: Vec<i64> = diff["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, [0, 1]);

    let blame = s
        .run(&[
            "blame",
            &store,
            "--stream",
            "account-0042",
            "--path",
            "/balance",
            "--at",
            "2020-01-01",
            "--projection",
            BANK_JS,
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(blame["value"], Value::Null);
    assert_eq!(blame["history"], json!([]));
}

#[test]
fn messages_break_lines_and_escape_only_untrusted_bytes() {
    let s = Sandbox::new();
    let bad = s.write(
        "bad.ndjson",
        b"{\"stream\":\"a-1\",\"type\":\"T\",\"data\":{}}\n{\"stream\":\"a-\\u001b[2J\",\"data\":{}}\n",
    );
    let store = s.path("x.rewind");
    let run = s
        .run(&["import", store.to_str().unwrap(), bad.to_str().unwrap()])
        .fails_with(1);
    assert!(
        run.stderr.contains("bad.ndjson:2:") && run.stderr.contains("\n  nothing was imported"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("\\u{a}"), "{}", run.stderr);
    assert!(!run.stderr.contains('\u{1b}'), "{}", run.stderr);

    let store = bank_store(&s);
    let run = s
        .run(&[
            "state",
            &store,
            "--stream",
            "account-0042",
            "--projection-cmd",
            "echo 'first line' >&2; printf 'evil \\033[2J\\n' >&2; exit 3",
        ])
        .fails_with(1);
    assert!(
        run.stderr.contains("standard error ended with:\n"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("first line"), "{}", run.stderr);
    assert!(!run.stderr.contains('\u{1b}'), "{}", run.stderr);
    assert!(run.stderr.contains("\\u{1b}"), "{}", run.stderr);
}

#[test]
fn text_output_shows_numbers_as_stored() {
    let s = Sandbox::new();
    let store = s.path("n.rewind");
    let store = store.to_str().unwrap();
    s.run(&["init", store]).ok();
    let data =
        r#"{"big":123456789012345678901234567890,"long":0.1000000000000000055511151231257827}"#;
    s.run(&[
        "append", store, "--stream", "n-1", "--type", "T", "--data", data,
    ])
    .ok();
    let wanted = [
        "123456789012345678901234567890",
        "0.1000000000000000055511151231257827",
    ];
    for args in [
        vec!["show", store, "1"],
        vec!["log", store],
        vec!["state", store, "--stream", "n-1"],
        vec!["diff", store, "--stream", "n-1", "--from", "2020-01-01"],
        vec!["blame", store, "--stream", "n-1", "--path", "/fields/big"],
    ] {
        let run = s.run(&args).ok();
        let expected: &[&str] = if args[0] == "blame" {
            &wanted[..1]
        } else {
            &wanted
        };
        for number in expected {
            assert!(
                run.stdout.contains(number),
                "{args:?}: {number} missing from\n{}",
                run.stdout
            );
        }
    }
}

#[test]
fn query_runs_several_projections_and_reducers() {
    let s = Sandbox::new();
    let store = bank_store(&s);
    let counts = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/examples/event-counts.js"
    );
    let reducer = concat!(
        "python3 ",
        env!("CARGO_MANIFEST_DIR"),
        "/assets/examples/bank_reducer.py"
    );
    let lines = s
        .run(&[
            "query",
            &store,
            "--projection",
            counts,
            "--projection",
            BANK_JS,
            "--projection-cmd",
            reducer,
            "--json",
        ])
        .ok()
        .json_lines();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["scope"], json!("$all"));
    assert_eq!(lines[0]["state"]["total"], json!(2500));
    assert_eq!(lines[0]["events"], json!(2500));
    assert_eq!(lines[1]["scope"], json!("$ce-account"));
    assert!(lines[1]["state"]["partitions"]["account-0042"].is_object());
    assert_eq!(lines[2]["events"], json!(2500));
    s.run(&["query", &store]).fails_with(1);
}

#[test]
fn no_match_is_status_one_for_every_search() {
    let s = Sandbox::new();
    let store = bank_store(&s);
    let run = s
        .run(&["search", &store, "no such text anywhere"])
        .fails_with(1);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("no event"), "{}", run.stderr);
    s.run(&[
        "search",
        &store,
        "--stream",
        "account-0042",
        "--state",
        "/fields/nothing=1",
    ])
    .fails_with(1);
    s.run(&["search", &store, "--correlation", "not-an-id"])
        .fails_with(1);
}
