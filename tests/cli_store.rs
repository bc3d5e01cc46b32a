//! The store commands, run like a user: init, append, import, export,
//! streams, log, show and verify.

mod common;

use common::{demo_data, Sandbox};
use serde_json::json;

#[test]
fn append_prints_position_and_version_and_conflicts_exit_3() {
    let s = Sandbox::new();
    let store = s.path("bank.rewind");
    let store = store.to_str().unwrap();
    s.run(&["init", store]).ok();
    let first = s
        .run(&[
            "append",
            store,
            "--stream",
            "account-1",
            "--type",
            "AccountOpened",
            "--data",
            r#"{"owner":"Ada"}"#,
            "--expected-version",
            "no-stream",
            "--json",
        ])
        .ok();
    assert_eq!(
        first.json(),
        json!({"position": 1, "stream": "account-1", "version": 0, "duplicate": false})
    );
    let second = s
        .run_with_stdin(
            &[
                "append",
                store,
                "--stream",
                "account-1",
                "--type",
                "FundsDeposited",
                "--data",
                "-",
                "--expected-version",
                "0",
            ],
            r#"{"amount": 50}"#,
        )
        .ok();
    assert!(
        second.stdout.contains("position 2, version 1"),
        "{}",
        second.stdout
    );
    let conflict = s
        .run(&[
            "append",
            store,
            "--stream",
            "account-1",
            "--type",
            "FundsDeposited",
            "--data",
            "{}",
            "--expected-version",
            "0",
        ])
        .fails_with(3);
    assert!(
        conflict.stderr.contains("expected 0, actual 1"),
        "{}",
        conflict.stderr
    );
    let log = s.run(&["log", store, "--json"]).ok();
    assert_eq!(
        log.json_lines().len(),
        2,
        "the conflicting append wrote nothing"
    );
}

#[test]
fn append_with_the_same_id_is_idempotent() {
    let s = Sandbox::new();
    let store = s.path("s.rewind");
    let store = store.to_str().unwrap();
    s.run(&["init", store]).ok();
    let id = "0b6f7c7e-4a3b-4f43-9d1e-7a1c2b3d4e5f";
    let args = [
        "append",
        store,
        "--stream",
        "s-1",
        "--type",
        "T",
        "--data",
        "{\"n\":1}",
        "--id",
        id,
        "--expected-version",
        "no-stream",
        "--json",
    ];
    s.run(&args).ok();
    let retry = s.run(&args).ok();
    assert_eq!(retry.json()["duplicate"], json!(true));
    assert_eq!(retry.json()["position"], json!(1));
    let clash = s
        .run(&[
            "append",
            store,
            "--stream",
            "s-1",
            "--type",
            "T",
            "--data",
            "{\"n\":2}",
            "--id",
            id,
        ])
        .fails_with(1);
    assert!(
        clash.stderr.contains("different content"),
        "{}",
        clash.stderr
    );
}

#[test]
fn import_counts_and_reimport_adds_nothing() {
    let s = Sandbox::new();
    let store = s.path("demo.rewind");
    let store = store.to_str().unwrap();
    let bank = demo_data("bank.ndjson");
    let carts = demo_data("carts.ndjson");
    let run = s
        .run(&[
            "import",
            store,
            bank.to_str().unwrap(),
            carts.to_str().unwrap(),
            "--json",
        ])
        .ok();
    assert_eq!(run.json()["imported"], json!(4500));
    let again = s
        .run(&["import", store, bank.to_str().unwrap(), "--json"])
        .ok();
    assert_eq!(again.json()["imported"], json!(0));
    assert_eq!(again.json()["already_stored"], json!(2500));
    let verify = s.run(&["verify", store, "--json"]).ok();
    assert_eq!(verify.json()["events"], json!(4500));
    assert_eq!(verify.json()["ok"], json!(true));
}

#[test]
fn a_bad_line_is_named_and_nothing_is_imported() {
    let s = Sandbox::new();
    let store = s.path("s.rewind");
    let store = store.to_str().unwrap();
    let file = s.write(
        "events.ndjson",
        b"{\"stream\":\"a-1\",\"type\":\"T\",\"data\":{}}\n\n{\"stream\":\"a-1\",\"type\":\"T\"}\n{\"stream\":\"a-2\",\"type\":\"T\",\"data\":1}\n",
    );
    let failed = s
        .run(&["import", store, file.to_str().unwrap()])
        .fails_with(1);
    assert!(
        failed.stderr.contains("events.ndjson:3: missing \"data\""),
        "{}",
        failed.stderr
    );
    let log = s.run(&["log", store, "--json"]).ok();
    assert_eq!(log.stdout, "", "nothing from the failed run is stored");
    let skipped = s
        .run(&[
            "import",
            store,
            file.to_str().unwrap(),
            "--skip-invalid",
            "--json",
        ])
        .ok();
    assert_eq!(skipped.json()["imported"], json!(2));
    assert_eq!(skipped.json()["invalid_skipped"], json!(1));
    assert!(
        skipped.stderr.contains("events.ndjson:3: skipped"),
        "{}",
        skipped.stderr
    );
}

#[test]
fn bad_files_get_clear_errors() {
    let s = Sandbox::new();
    let store = s.path("s.rewind");
    let store = store.to_str().unwrap();
    let empty = s.write("empty.ndjson", b"");
    let error = s
        .run(&["import", store, empty.to_str().unwrap()])
        .fails_with(1);
    assert!(
        error
            .stderr
            .contains("empty.ndjson: the file holds no events"),
        "{}",
        error.stderr
    );
    let latin1 = s.write(
        "latin1.ndjson",
        b"{\"stream\":\"a-1\",\"type\":\"T\",\"data\":\"caf\xe9\"}\n",
    );
    let error = s
        .run(&["import", store, latin1.to_str().unwrap()])
        .fails_with(1);
    assert!(
        error.stderr.contains("latin1.ndjson:1: not UTF-8"),
        "{}",
        error.stderr
    );
    let control = s.write(
        "control.ndjson",
        b"{\"stream\":\"a-\\u001b[2J\",\"type\":\"T\",\"data\":1}\n",
    );
    let error = s
        .run(&["import", store, control.to_str().unwrap()])
        .fails_with(1);
    assert!(
        error.stderr.contains("control.ndjson:1:"),
        "{}",
        error.stderr
    );
    assert!(
        !error.stderr.contains('\u{1b}'),
        "the escape is not echoed raw"
    );
    let not_a_store = s.write(
        "notes.txt",
        b"just some notes, certainly not a database file at all",
    );
    let error = s.run(&["log", not_a_store.to_str().unwrap()]).fails_with(1);
    assert!(
        error.stderr.contains("not an SQLite database"),
        "{}",
        error.stderr
    );
    let error = s
        .run(&["streams", s.path("missing.rewind").to_str().unwrap()])
        .fails_with(1);
    assert!(error.stderr.contains("no such store"), "{}", error.stderr);
}

#[test]
fn export_round_trips_exactly() {
    let s = Sandbox::new();
    let first = s.path("a.rewind");
    let first = first.to_str().unwrap();
    let exotic = concat!(
        r#"{"stream":"x-1","type":"T","data":{"big":123456789012345678901234567890,"neg0":-0.0,"#,
        r#""dec":0.1000000000000000055511151231257827,"z":1,"a":"日本語 ✓ \u00e9"},"metadata":{"b":1,"a":2}}"#,
        "\n"
    );
    let file = s.write("exotic.ndjson", exotic.as_bytes());
    let bank = demo_data("bank.ndjson");
    s.run(&[
        "import",
        first,
        file.to_str().unwrap(),
        bank.to_str().unwrap(),
    ])
    .ok();
    let exported = s.path("out.ndjson");
    s.run(&["export", first, "--out", exported.to_str().unwrap()])
        .ok();
    let text = std::fs::read_to_string(&exported).unwrap();
    assert!(text.contains(
        r#""data":{"big":123456789012345678901234567890,"neg0":-0.0,"dec":0.1000000000000000055511151231257827,"z":1,"a":"日本語 ✓ \u00e9"}"#
    ), "{}", text.lines().next().unwrap());
    let second = s.path("b.rewind");
    let second = second.to_str().unwrap();
    s.run(&["import", second, exported.to_str().unwrap()]).ok();
    let again = s.run(&["export", second]).ok();
    assert_eq!(
        again.stdout, text,
        "export → import → export is the identity"
    );
}

#[test]
fn csv_export_has_a_header_and_quoted_json() {
    let s = Sandbox::new();
    let store = s.path("a.rewind");
    let store = store.to_str().unwrap();
    s.run(&["import", store, demo_data("carts.ndjson").to_str().unwrap()])
        .ok();
    let csv = s
        .run(&["export", store, "--category", "cart", "--format", "csv"])
        .ok();
    let mut lines = csv.stdout.lines();
    assert_eq!(
        lines.next(),
        Some("position,stream,version,type,time,schema_version,id,data,metadata")
    );
    let row = lines.next().unwrap();
    assert!(row.starts_with("1,cart-"), "{row}");
    assert!(row.contains(r#","{""cartId"":"#), "{row}");
    assert_eq!(csv.stdout.lines().count(), 2001);
}

#[test]
fn read_commands_give_the_documented_shapes() {
    let s = Sandbox::new();
    let store = s.path("a.rewind");
    let store = store.to_str().unwrap();
    s.run(&["import", store, demo_data("bank.ndjson").to_str().unwrap()])
        .ok();

    let streams = s.run(&["streams", store, "--json"]).ok().json();
    let first = &streams[0];
    for key in [
        "stream",
        "category",
        "version",
        "count",
        "first_time",
        "last_time",
    ] {
        assert!(
            first.get(key).is_some(),
            "streams --json lacks {key}: {first}"
        );
    }
    assert_eq!(first["category"], json!("account"));
    assert!(first["last_time"].as_str().unwrap().ends_with('Z'));

    let filtered = s
        .run(&["streams", store, "--filter", "acc0042", "--json"])
        .ok()
        .json();
    assert_eq!(filtered[0]["stream"], json!("account-0042"));

    let log = s
        .run(&[
            "log",
            store,
            "--stream",
            "account-0002",
            "--limit",
            "3",
            "--json",
        ])
        .ok();
    let events = log.json_lines();
    assert_eq!(events.len(), 3);
    for key in [
        "position",
        "stream",
        "version",
        "type",
        "schema_version",
        "id",
        "time",
        "data",
        "metadata",
    ] {
        assert!(events[0].get(key).is_some(), "log --json lacks {key}");
    }
    assert_eq!(
        events
            .iter()
            .map(|e| e["version"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [0, 1, 2]
    );
    let time = events[0]["time"].as_str().unwrap();
    assert_eq!(time.len(), "2025-03-01T08:09:09.096Z".len(), "{time}");

    let typed = s
        .run(&[
            "log",
            store,
            "--type",
            "TransferSent",
            "--from",
            "100",
            "--limit",
            "5",
            "--json",
        ])
        .ok();
    let typed = typed.json_lines();
    assert_eq!(typed.len(), 5);
    assert!(typed
        .iter()
        .all(|e| e["type"] == "TransferSent" && e["position"].as_i64().unwrap() >= 100));

    let shown = s.run(&["show", store, "7", "--json"]).ok().json();
    assert_eq!(shown["position"], json!(7));
    let text = s.run(&["show", store, "7"]).ok();
    assert!(text.stdout.contains("position        7"), "{}", text.stdout);
    let missing = s.run(&["show", store, "999999"]).fails_with(1);
    assert!(
        missing.stderr.contains("no event at position 999999"),
        "{}",
        missing.stderr
    );
    let unknown = s.run(&["log", store, "--stream", "nope-1"]).fails_with(1);
    assert!(
        unknown.stderr.contains("no stream named 'nope-1'"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn verify_detects_tampering_through_plain_sql() {
    let s = Sandbox::new();
    let store = s.path("a.rewind");
    let store_str = store.to_str().unwrap();
    s.run(&[
        "import",
        store_str,
        demo_data("flights.ndjson").to_str().unwrap(),
    ])
    .ok();
    let ok = s.run(&["verify", store_str]).ok();
    assert!(ok.stdout.starts_with("ok: 1,500 events"), "{}", ok.stdout);
    {
        let conn = rusqlite::Connection::open(&store).unwrap();
        conn.execute_batch(
            "DROP TRIGGER events_are_immutable_update;
             UPDATE events SET data = '{\"refund\":999999}' WHERE position = 700;",
        )
        .unwrap();
    }
    let broken = s.run(&["verify", store_str, "--json"]).fails_with(4);
    assert_eq!(broken.json()["position"], json!(700));
    let text = s.run(&["verify", store_str]).fails_with(4);
    assert!(
        text.stderr.contains("broken at position 700"),
        "{}",
        text.stderr
    );
}

#[test]
fn reading_never_changes_the_store_file() {
    let s = Sandbox::new();
    let store = s.path("a.rewind");
    let store_str = store.to_str().unwrap();
    s.run(&[
        "import",
        store_str,
        demo_data("carts.ndjson").to_str().unwrap(),
    ])
    .ok();
    let before = std::fs::read(&store).unwrap();
    for args in [
        vec!["streams", store_str, "--json"],
        vec!["log", store_str, "--category", "cart"],
        vec!["show", store_str, "3"],
        vec!["verify", store_str],
        vec!["export", store_str, "--format", "csv"],
    ] {
        s.run(&args).ok();
    }
    assert_eq!(std::fs::read(&store).unwrap(), before);
}

#[test]
fn help_teaches_by_example() {
    let s = Sandbox::new();
    let help = s.run(&["append", "--help"]).ok();
    assert!(help.stdout.contains("Examples:"), "{}", help.stdout);
    assert!(help.stdout.contains("--expected-version"));
    let top = s.run(&["--help"]).ok();
    for command in [
        "init", "append", "import", "export", "streams", "log", "show", "verify", "demo",
    ] {
        assert!(top.stdout.contains(command), "--help lists {command}");
    }
}

#[test]
fn demo_is_deterministic() {
    let s = Sandbox::new();
    let a = s
        .run(&[
            "demo", "--format", "ndjson", "--events", "300", "--seed", "9",
        ])
        .ok();
    let b = s
        .run(&[
            "demo", "--format", "ndjson", "--events", "300", "--seed", "9",
        ])
        .ok();
    assert_eq!(a.stdout, b.stdout);
    assert_eq!(a.stdout.lines().count(), 300);
    let store = s.path("d.rewind");
    s.run(&["demo", "--out", store.to_str().unwrap(), "--events", "1000"])
        .ok();
    let verify = s.run(&["verify", store.to_str().unwrap(), "--json"]).ok();
    assert_eq!(verify.json()["events"], json!(1000));
}

#[test]
fn an_id_reused_with_other_content_is_named_by_line() {
    let s = Sandbox::new();
    let store = s.path("s.rewind");
    let store = store.to_str().unwrap();
    let id = "6f9619ff-8b86-d011-b42d-00c04fc964ff";
    let file = s.write(
        "dupes.ndjson",
        format!(
            "{{\"stream\":\"a-1\",\"type\":\"T\",\"data\":1,\"id\":\"{id}\"}}\n\
             {{\"stream\":\"a-1\",\"type\":\"T\",\"data\":1,\"id\":\"{id}\"}}\n\
             {{\"stream\":\"a-1\",\"type\":\"T\",\"data\":2,\"id\":\"{id}\"}}\n"
        )
        .as_bytes(),
    );
    let failed = s
        .run(&["import", store, file.to_str().unwrap()])
        .fails_with(1);
    assert!(
        failed.stderr.contains("dupes.ndjson:3:"),
        "{}",
        failed.stderr
    );
    assert!(
        failed.stderr.contains("different content"),
        "{}",
        failed.stderr
    );
    assert!(s.run(&["log", store, "--json"]).ok().stdout.is_empty());
}

#[test]
fn types_counts_every_event_by_type() {
    let s = Sandbox::new();
    let store = s.path("a.rewind");
    let store = store.to_str().unwrap();
    s.run(&["import", store, demo_data("bank.ndjson").to_str().unwrap()])
        .ok();
    for scope in [
        vec![],
        vec!["--stream", "account-0042"],
        vec!["--category", "account"],
    ] {
        let mut log_args = vec!["log", store, "--json"];
        log_args.extend(&scope);
        let mut expected = std::collections::BTreeMap::<String, u64>::new();
        for event in s.run(&log_args).ok().json_lines() {
            let t = event["type"].as_str().expect("type").to_string();
            *expected.entry(t).or_default() += 1;
        }
        let mut types_args = vec!["types", store, "--json"];
        types_args.extend(&scope);
        let types = s.run(&types_args).ok().json();
        let listed: std::collections::BTreeMap<String, u64> = types
            .as_array()
            .expect("an array")
            .iter()
            .map(|t| {
                (
                    t["type"].as_str().unwrap_or("").to_string(),
                    t["count"].as_u64().unwrap_or(0),
                )
            })
            .collect();
        assert_eq!(listed, expected, "{scope:?}");
        let counts: Vec<u64> = types
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["count"].as_u64().unwrap())
            .collect();
        assert!(
            counts.windows(2).all(|w| w[0] >= w[1]),
            "most frequent first"
        );
    }
    let text = s.run(&["types", store]).ok().stdout;
    assert!(
        text.starts_with("EVENTS  TYPE\n") || text.contains("  TYPE\n"),
        "{text}"
    );
}
