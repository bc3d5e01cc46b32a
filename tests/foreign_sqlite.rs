//! Foreign SQLite stores read through the real `rewind` binary: the Python
//! eventsourcing library's store and Emmett's, each written by the real
//! library (Python, Node), a TOML-mapped table and a plain NDJSON file.

mod common;
#[path = "foreign/fixtures.rs"]
mod fixtures;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::Sandbox;
use fixtures::{emmett_append, emmett_fixture, eventsourcing_fixture, snapshot, stream_of};
use serde_json::{json, Value};

fn stream_keys(value: &Value) -> Vec<String> {
    value.as_object().expect("object").keys().cloned().collect()
}

#[test]
fn eventsourcing_store_keeps_numbering_and_decodes_states() {
    let sandbox = Sandbox::new();
    let ids = eventsourcing_fixture(sandbox.dir.path());
    let plain = sandbox.path("plain.sqlite");
    let plain_arg = plain.to_str().expect("utf-8 path");
    let ada = stream_of(&ids, "plain", "ada");

    let streams = sandbox.run(&["streams", plain_arg, "--json"]).ok().json();
    let list = streams.as_array().expect("array");
    assert_eq!(list.len(), 2);
    assert_eq!(
        stream_keys(&list[0]),
        [
            "stream",
            "category",
            "version",
            "count",
            "first_time",
            "last_time"
        ]
    );
    let ada_info = list
        .iter()
        .find(|s| s["stream"] == ada.as_str())
        .expect("ada's stream");
    assert_eq!(
        ada_info["version"], 3,
        "versions keep the library's numbering (from 1)"
    );
    assert_eq!(ada_info["count"], 3);
    assert!(!ada_info["first_time"]
        .as_str()
        .unwrap_or("")
        .starts_with("1970"));

    let log = sandbox
        .run(&["log", plain_arg, "--stream", &ada, "--json"])
        .ok()
        .json_lines();
    let versions: Vec<i64> = log
        .iter()
        .map(|e| e["version"].as_i64().unwrap_or(-1))
        .collect();
    assert_eq!(versions, [1, 2, 3]);
    let types: Vec<&str> = log
        .iter()
        .map(|e| e["type"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        types,
        ["Account.Opened", "Account.Deposited", "Account.Renamed"]
    );
    let deposit = &log[1];
    assert_eq!(
        deposit["data"]["reference"],
        "6f9619ff-8b86-d011-b42d-00c04fc964ff"
    );
    assert_eq!(
        deposit["data"]["booked_at"],
        "2025-03-01T08:09:09.096000+00:00"
    );
    // Parsed with its digits as stored, so the decimal stays 12.50.
    assert_eq!(deposit["data"]["amount"].to_string(), "12.50");
    assert!(deposit["metadata"]["topic"]
        .as_str()
        .unwrap_or("")
        .ends_with(":Account.Deposited"));
    assert_eq!(deposit["metadata"]["encoding"], "json");
    // The decimal is written exactly as the library stored it.
    let raw = sandbox
        .run(&["log", plain_arg, "--stream", &ada, "--json"])
        .ok()
        .stdout;
    assert!(raw.contains(r#""amount":12.50"#), "{raw}");
    // The event time is the state's timestamp.
    let stamp = deposit["data"]["timestamp"].as_str().expect("timestamp");
    assert_eq!(&deposit["time"].as_str().unwrap_or("")[..19], &stamp[..19]);

    let from_two = sandbox
        .run(&["log", plain_arg, "--stream", &ada, "--from", "2", "--json"])
        .ok()
        .json_lines();
    assert_eq!(from_two.len(), 2);
    assert_eq!(from_two[0]["version"], 2);

    // $all follows the notification order (rowid), positions from 1.
    let all = sandbox.run(&["log", plain_arg, "--json"]).ok().json_lines();
    let positions: Vec<i64> = all
        .iter()
        .map(|e| e["position"].as_i64().unwrap_or(0))
        .collect();
    assert_eq!(positions, [1, 2, 3, 4, 5]);

    let state = sandbox
        .run(&["state", plain_arg, "--stream", &ada, "--json"])
        .ok()
        .json();
    assert_eq!(state["state"]["fields"]["owner"], "Ada L.");
    assert_eq!(state["version"], 3);
    let at_first = sandbox
        .run(&["state", plain_arg, "--stream", &ada, "--at", "1", "--json"])
        .ok()
        .json();
    assert_eq!(at_first["state"]["fields"]["owner"], "Ada");
}

#[test]
fn eventsourcing_compressed_and_encrypted_states() {
    let sandbox = Sandbox::new();
    let ids = eventsourcing_fixture(sandbox.dir.path());
    let zlib = sandbox.path("zlib.sqlite");
    let ada = stream_of(&ids, "zlib", "ada");
    let log = sandbox
        .run(&[
            "log",
            zlib.to_str().unwrap_or(""),
            "--stream",
            &ada,
            "--json",
        ])
        .ok()
        .json_lines();
    assert_eq!(log.len(), 3);
    assert_eq!(log[1]["metadata"]["encoding"], "zlib");
    assert_eq!(
        log[1]["data"]["reference"],
        "6f9619ff-8b86-d011-b42d-00c04fc964ff"
    );
    assert_eq!(log[2]["data"]["owner"], "Ada L.");

    let encrypted = sandbox.path("encrypted.sqlite");
    let ada = stream_of(&ids, "encrypted", "ada");
    let log = sandbox
        .run(&[
            "log",
            encrypted.to_str().unwrap_or(""),
            "--stream",
            &ada,
            "--json",
        ])
        .ok()
        .json_lines();
    assert_eq!(log.len(), 3);
    for event in &log {
        assert_eq!(event["data"]["encrypted"], true, "{event}");
        assert!(event["data"]["bytes"].as_u64().unwrap_or(0) > 16);
        assert_eq!(event["metadata"]["encoding"], "encrypted");
    }
    // The topic is not encrypted: types are still known.
    assert_eq!(log[0]["type"], "Account.Opened");
}

#[test]
fn emmett_store_reads_like_any_other() {
    let sandbox = Sandbox::new();
    let path = emmett_fixture(&sandbox);
    let store = path.to_str().unwrap_or("");
    let streams = sandbox.run(&["streams", store, "--json"]).ok().json();
    let shape: Vec<(String, String, i64, i64)> = streams
        .as_array()
        .expect("an array")
        .iter()
        .map(|s| {
            (
                s["stream"].as_str().unwrap_or("").to_string(),
                s["category"].as_str().unwrap_or("").to_string(),
                s["version"].as_i64().unwrap_or(-1),
                s["count"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    // Emmett numbers stream positions from 1.
    assert_eq!(
        shape,
        [
            ("shopping_cart-1".into(), "shopping_cart".into(), 3, 3),
            ("shopping_cart-2".into(), "shopping_cart".into(), 1, 1)
        ]
    );
    let log = sandbox.run(&["log", store, "--json"]).ok().json_lines();
    let rows: Vec<(i64, &str, i64, &str)> = log
        .iter()
        .map(|e| {
            (
                e["position"].as_i64().unwrap_or(-1),
                e["stream"].as_str().unwrap_or(""),
                e["version"].as_i64().unwrap_or(-1),
                e["type"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (1, "shopping_cart-1", 1, "ProductItemAdded"),
            (2, "shopping_cart-1", 2, "ProductItemAdded"),
            (3, "shopping_cart-1", 3, "ShoppingCartConfirmed"),
            (4, "shopping_cart-2", 1, "ProductItemAdded"),
        ]
    );
    assert_eq!(log[0]["data"], json!({"productId": "p1", "quantity": 2}));
    assert_eq!(log[2]["metadata"]["correlationId"], "corr-1");
    assert_eq!(log[2]["metadata"]["causationId"], "cmd-3");
    assert_eq!(log[3]["id"], log[3]["metadata"]["messageId"]);
    // `created` is the library's wall clock, stored to the second.
    assert!(log[0]["time"]
        .as_str()
        .is_some_and(|t| t.ends_with(".000Z")));
    let types = sandbox.run(&["types", store, "--json"]).ok().json();
    assert_eq!(
        types,
        json!([{"type": "ProductItemAdded", "count": 3}, {"type": "ShoppingCartConfirmed", "count": 1}])
    );
    let state = sandbox
        .run(&["state", store, "--stream", "shopping_cart-1", "--json"])
        .ok()
        .json();
    assert_eq!(state["state"]["fields"]["quantity"], 1);
    assert_eq!(
        state["state"]["fields"]["confirmedAt"],
        "2025-01-01T10:00:00Z"
    );
    assert_eq!(state["state"]["events"], 3);
    // The correlation is followed across the store.
    let found = sandbox
        .run(&["search", store, "--correlation", "corr-1", "--json"])
        .ok()
        .json_lines();
    assert_eq!(found.len(), 3);
}

#[test]
fn follow_prints_events_appended_by_another_process() {
    let sandbox = Sandbox::new();
    let path = emmett_fixture(&sandbox);
    let mut child = sandbox
        .command(&[
            "log",
            path.to_str().unwrap_or(""),
            "--stream",
            "shopping_cart-2",
            "--json",
            "--follow",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn rewind log --follow");
    let stdout = child.stdout.take().expect("stdout");
    let (lines_tx, lines_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let first = lines_rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the history first");
    assert!(first.contains("\"version\":1"), "{first}");
    // Node and the library append, as the application would.
    emmett_append(&path, "shopping_cart-1", "Ignored", "{}");
    let started = Instant::now();
    emmett_append(
        &path,
        "shopping_cart-2",
        "ProductItemRemoved",
        r#"{"productId":"p3"}"#,
    );
    let next = lines_rx.recv_timeout(Duration::from_secs(10));
    let _ = child.kill();
    let _ = child.wait();
    let next = next.expect("the appended event is printed");
    let event: Value = serde_json::from_str(&next).expect("a JSON line");
    assert_eq!(event["type"], "ProductItemRemoved");
    assert_eq!(event["version"], 2);
    // Node's start-up is in this figure: the event arrives well within it.
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// Runs every read command on `store`; the folder must be byte for byte
/// the same afterwards, with no new files (no `-wal`, `-shm`, journal).
fn assert_session_leaves_no_trace(sandbox: &Sandbox, store: &Path, stream: &str) {
    let dir = store.parent().expect("folder");
    let before = snapshot(dir);
    let s = store.to_str().unwrap_or("");
    let out = dir.join("..").join("export.ndjson");
    sandbox.run(&["streams", s, "--json"]).ok();
    sandbox.run(&["log", s, "--json"]).ok();
    sandbox.run(&["log", s, "--stream", stream]).ok();
    sandbox
        .run(&["state", s, "--stream", stream, "--json"])
        .ok();
    sandbox.run(&["state", s, "--all", "--json"]).ok();
    sandbox.run(&["show", s, "1"]).ok();
    sandbox
        .run(&["export", s, "--out", out.to_str().unwrap_or("")])
        .ok();
    assert!(std::fs::metadata(&out)
        .map(|m| m.len() > 0)
        .unwrap_or(false));
    assert_eq!(
        snapshot(dir),
        before,
        "a read session changed {}",
        store.display()
    );
}

#[test]
fn sessions_leave_foreign_sqlite_files_unchanged() {
    let sandbox = Sandbox::new();
    for name in ["es", "emmett"] {
        std::fs::create_dir_all(sandbox.path(name)).expect("folder");
    }
    let ids = eventsourcing_fixture(&sandbox.path("es"));
    // The library leaves its stores in WAL mode; Emmett's here is in
    // rollback-journal mode: both ways of opening are covered.
    let es = sandbox.path("es").join("plain.sqlite");
    assert_session_leaves_no_trace(&sandbox, &es, &stream_of(&ids, "plain", "bob"));
    let zlib = sandbox.path("es").join("zlib.sqlite");
    assert_session_leaves_no_trace(&sandbox, &zlib, &stream_of(&ids, "zlib", "ada"));
    let emmett = emmett_fixture(&sandbox);
    let moved = sandbox.path("emmett").join("emmett.sqlite");
    std::fs::rename(&emmett, &moved).expect("move");
    assert_session_leaves_no_trace(&sandbox, &moved, "shopping_cart-1");
}

#[test]
fn mapped_table_through_toml() {
    let sandbox = Sandbox::new();
    let path = sandbox.path("app.sqlite");
    let conn = rusqlite::Connection::open(&path).expect("create");
    conn.execute_batch(
        "CREATE TABLE domain_events (seq INTEGER PRIMARY KEY, aggregate TEXT, n INTEGER,
            name TEXT, body TEXT, at INTEGER);
         INSERT INTO domain_events (aggregate, n, name, body, at) VALUES
            ('order-7', 10, 'Placed', '{\"total\":3}', 1740816549096),
            ('order-7', 11, 'Paid', '{\"by\":\"card\"}', 1740816550000);",
    )
    .expect("table");
    drop(conn);
    let map = sandbox.write(
        "map.toml",
        br#"table = "domain_events"
position = "seq"
stream = "aggregate"
version = "n"
type = "name"
data = "body"
time = "at"
time_format = "epoch_ms"
"#,
    );
    let store = path.to_str().unwrap_or("");
    let map = map.to_str().unwrap_or("");
    let log = sandbox
        .run(&["log", store, "--map", map, "--json"])
        .ok()
        .json_lines();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["version"], 10);
    assert_eq!(log[0]["time"], "2025-03-01T08:09:09.096Z");
    assert_eq!(log[1]["data"]["by"], "card");
    let state = sandbox
        .run(&[
            "state", store, "--map", map, "--stream", "order-7", "--at", "10", "--json",
        ])
        .ok()
        .json();
    assert_eq!(state["state"]["fields"]["total"], 3);
    // Without the mapping, the table is not a known store and says so.
    let err = sandbox.run(&["streams", store]).fails_with(1).stderr;
    assert!(err.contains("--map"), "{err}");
    let bad = sandbox.write("bad.toml", b"table = \"nope\"\nposition = \"a\"\nstream = \"b\"\nversion = \"c\"\ntype = \"d\"\ndata = \"e\"\n");
    let err = sandbox
        .run(&["streams", store, "--map", bad.to_str().unwrap_or("")])
        .fails_with(1)
        .stderr;
    assert!(err.contains("does not fit"), "{err}");
}

#[test]
fn ndjson_file_opens_without_importing_by_hand() {
    let sandbox = Sandbox::new();
    let file = sandbox.write(
        "events.ndjson",
        b"{\"stream\":\"acc-1\",\"type\":\"Opened\",\"data\":{\"owner\":\"Ada\"}}\n\
          {\"stream\":\"acc-1\",\"type\":\"Renamed\",\"data\":{\"owner\":\"Ada L.\"}}\n",
    );
    let before = std::fs::read(&file).expect("read");
    let path = file.to_str().unwrap_or("");
    let streams = sandbox.run(&["streams", path, "--json"]).ok().json();
    assert_eq!(streams[0]["stream"], "acc-1");
    assert_eq!(streams[0]["count"], 2);
    let state = sandbox
        .run(&["state", path, "--stream", "acc-1", "--json"])
        .ok()
        .json();
    assert_eq!(state["state"]["fields"]["owner"], "Ada L.");
    assert_eq!(std::fs::read(&file).expect("read"), before);
    let cached: Vec<_> = std::fs::read_dir(sandbox.path("cache/rewind/ndjson"))
        .expect("the cache holds the built store")
        .filter_map(Result::ok)
        .collect();
    assert_eq!(cached.len(), 1, "one store file, no side files");
}

#[test]
fn eventsourcing_time_lookups_search_by_notification_order() {
    use rewind::core::store::{open_read_only, Scope};
    let sandbox = Sandbox::new();
    let ids = eventsourcing_fixture(sandbox.dir.path());
    let source = open_read_only(&sandbox.path("plain.sqlite")).expect("open");
    let all = source.read_rows(&Scope::All, 0, 10).expect("rows");
    assert_eq!(all.len(), 5);
    let histogram = source.histogram(&Scope::All, 4).expect("histogram");
    assert_eq!(histogram.counts.iter().sum::<u64>(), 5);
    assert_eq!(histogram.start_ms, all[0].time_ms);
    // The last event at or before each event's own time is that event or
    // a later one with the same millisecond.
    for (row, event) in all.iter().enumerate() {
        let found = source
            .row_at_or_before_time(&Scope::All, event.time_ms)
            .expect("time lookup")
            .expect("a row");
        assert!(found as usize >= row && all[found as usize].time_ms == event.time_ms);
    }
    assert_eq!(
        source
            .row_at_or_before_time(&Scope::All, all[0].time_ms - 1)
            .expect("before"),
        None
    );
    let ada = Scope::Stream(stream_of(&ids, "plain", "ada"));
    assert_eq!(
        source.row_at_or_before_position(&ada, 2).expect("row"),
        Some(1)
    );
    assert_eq!(source.count(&ada).expect("count"), 3);
}

#[test]
fn follow_sees_appends_of_a_live_wal_writer() {
    let sandbox = Sandbox::new();
    let ids = eventsourcing_fixture(sandbox.dir.path());
    let path = sandbox.path("plain.sqlite");
    // A live writer keeps its `-wal` file: Rewind shares it (no immutable
    // mode) and sees what the writer commits.
    let writer = rusqlite::Connection::open(&path).expect("writer");
    writer
        .pragma_update(None, "journal_mode", "WAL")
        .expect("wal");
    writer
        .execute_batch("BEGIN; SELECT count(*) FROM stored_events; COMMIT;")
        .expect("touch");
    assert!(sandbox.path("plain.sqlite-wal").exists());
    let bob = stream_of(&ids, "plain", "bob");
    let mut child = sandbox
        .command(&[
            "log",
            path.to_str().unwrap_or(""),
            "--stream",
            &bob,
            "--json",
            "--follow",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    for _ in 0..2 {
        rx.recv_timeout(Duration::from_secs(20)).expect("history");
    }
    // The row the library would write for `bob.rename("Robert")`.
    writer
        .execute(
            "INSERT INTO stored_events VALUES (?1, 3, '__main__:Account.Renamed', ?2)",
            rusqlite::params![
                bob,
                br#"{"timestamp":{"_type_":"datetime_iso","_data_":"2026-11-22T22:24:45.000000+00:00"},"owner":"Robert"}"#.to_vec()
            ],
        )
        .expect("append");
    let next = rx.recv_timeout(Duration::from_secs(10));
    let _ = child.kill();
    let _ = child.wait();
    let event: Value = serde_json::from_str(&next.expect("the append is printed")).expect("JSON");
    assert_eq!(event["version"], 3);
    assert_eq!(event["data"]["owner"], "Robert");
    assert_eq!(event["time"], "2026-11-22T22:24:45.000Z");
}
