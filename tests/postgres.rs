//! message-db and Marten on a real PostgreSQL server.
//!
//! Start one with `export REWIND_TEST_PG_URL=$(.ci/postgres.sh start)`: it
//! loads the real message-db SQL (from the `@eventide/message-db` npm
//! package) and a Marten-shaped schema into the template database
//! `rewind_test`. Each test copies the template into a database of its own.
//! Without the variable these tests fail: they are never skipped silently.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::pg::{fresh_database, write_message};
use common::Sandbox;
use postgres::Client;
use rewind::core::store::pg::PgConn;
use rewind::core::store::{open_read_only, open_with, Backend, Scope};
use serde_json::{json, Value};

#[test]
fn message_db_reads_like_any_other_store() {
    let (url, mut writer) = fresh_database("mdb_shape");
    assert_eq!(
        write_message(
            &mut writer,
            "account-1",
            "Opened",
            r#"{"owner":"Ada"}"#,
            r#"{"actor":"teller"}"#
        ),
        0
    );
    assert_eq!(
        write_message(
            &mut writer,
            "account-1",
            "Deposited",
            r#"{"amount":5}"#,
            "null"
        ),
        1
    );
    write_message(&mut writer, "cart-9", "ItemAdded", r#"{"sku":"a"}"#, "null");
    writer
        .batch_execute("UPDATE message_store.messages SET time = '2025-03-01 08:09:09.096'")
        .expect("fix times");
    let sandbox = Sandbox::new();
    let streams = sandbox.run(&["streams", &url, "--json"]).ok().json();
    assert_eq!(
        streams,
        json!([
            {"stream": "account-1", "category": "account", "version": 1, "count": 2,
             "first_time": "2025-03-01T08:09:09.096Z", "last_time": "2025-03-01T08:09:09.096Z"},
            {"stream": "cart-9", "category": "cart", "version": 0, "count": 1,
             "first_time": "2025-03-01T08:09:09.096Z", "last_time": "2025-03-01T08:09:09.096Z"}
        ])
    );
    // Types are grouped by the server.
    let types = sandbox.run(&["types", &url, "--json"]).ok().json();
    assert_eq!(
        types,
        json!([{"type": "Deposited", "count": 1}, {"type": "ItemAdded", "count": 1},
               {"type": "Opened", "count": 1}])
    );
    let types = sandbox
        .run(&["types", &url, "--category", "account", "--json"])
        .ok()
        .json();
    assert_eq!(
        types,
        json!([{"type": "Deposited", "count": 1}, {"type": "Opened", "count": 1}])
    );
    let log = sandbox
        .run(&["log", &url, "--category", "account", "--json"])
        .ok()
        .json_lines();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["version"], 0, "message-db positions start at 0");
    assert_eq!(log[0]["position"], 1);
    assert_eq!(log[0]["metadata"]["actor"], "teller");
    assert_eq!(log[1]["metadata"], json!({}));
    assert_eq!(log[1]["data"]["amount"], 5);
    let state = sandbox
        .run(&[
            "state",
            &url,
            "--stream",
            "account-1",
            "--at",
            "0",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(state["state"]["fields"]["owner"], "Ada");
    // Gapless positions: a jump is a key lookup (row = position - first).
    let tail = sandbox
        .run(&["log", &url, "--from", "3", "--json"])
        .ok()
        .json_lines();
    assert_eq!(tail.len(), 1);
    assert_eq!(tail[0]["stream"], "cart-9");
    let source = open_read_only(Path::new(&url)).expect("open");
    assert_eq!(
        source.read_rows(&Scope::All, 1, 5).expect("rows")[0].position,
        2
    );
    assert_eq!(
        source
            .row_at_or_before_position(&Scope::All, 99)
            .expect("row"),
        Some(2)
    );
    let shown = sandbox.run(&["show", &url, "3", "--json"]).ok().json();
    assert_eq!(shown["stream"], "cart-9");
    let forced = sandbox
        .run(&[
            "log",
            &url,
            "--backend",
            "message-db",
            "--stream",
            "cart-9",
            "--json",
        ])
        .ok()
        .json_lines();
    assert_eq!(forced.len(), 1);
}

#[test]
fn message_db_windows_are_keyset_pages_and_aggregates() {
    let (url, mut writer) = fresh_database("mdb_keyset");
    // 60,000 messages in 600 streams of two categories, one minute apart,
    // with a gap in global positions as a rolled-back sequence would leave.
    writer
        .batch_execute(
            "INSERT INTO message_store.messages (stream_name, position, type, data, time)
             SELECT (CASE WHEN g % 2 = 0 THEN 'even-' ELSE 'odd-' END) || (g % 600),
                    g / 600, 'Ticked', jsonb_build_object('n', g),
                    timestamp '2025-01-01' + g * interval '1 minute'
             FROM generate_series(0, 59999) AS g;
             SELECT setval('message_store.messages_global_position_seq', 70000);
             INSERT INTO message_store.messages (stream_name, position, type, data, time)
             VALUES ('odd-1', 100, 'Late', '{}', timestamp '2025-03-01');",
        )
        .expect("bulk insert");
    let source = open_read_only(Path::new(&url)).expect("open message-db");
    assert_eq!(source.count(&Scope::All).expect("count"), 60_001);
    assert_eq!(source.head_position().expect("head"), 70_001);
    let even = Scope::Category("even".into());
    assert_eq!(source.count(&even).expect("count"), 30_000);

    // A far jump, then scrolling forward and back near it: every window
    // must be the rows in order, whichever way it was read.
    let far = source.read_rows(&Scope::All, 59_990, 20).expect("far jump");
    assert_eq!(far.len(), 11);
    assert_eq!(far.last().map(|e| e.position), Some(70_001));
    let back = source.read_rows(&Scope::All, 59_980, 10).expect("back");
    assert_eq!(back[0].position, 59_981);
    let mid = source.read_rows(&even, 10_000, 5).expect("category jump");
    let positions: Vec<i64> = mid.iter().map(|e| e.position).collect();
    assert_eq!(positions, [20_001, 20_003, 20_005, 20_007, 20_009]);

    // Scrolling window by window stays fast once positioned.
    let started = Instant::now();
    let mut row = 40_000;
    for _ in 0..200 {
        let page = source.read_rows(&Scope::All, row, 50).expect("page");
        assert_eq!(page[0].position, row as i64 + 1);
        row += 50;
    }
    let per_page = started.elapsed() / 200;
    assert!(
        per_page < Duration::from_millis(25),
        "{per_page:?} per window"
    );

    // A full scan in order, with nothing repeated or missed.
    let mut seen = 0u64;
    let mut last = 0;
    source
        .scan(&Scope::All, 0, 60_001, &mut |e| {
            assert!(e.position > last);
            last = e.position;
            seen += 1;
            true
        })
        .expect("scan");
    assert_eq!(seen, 60_001);

    // Time and position lookups are server aggregates.
    let t = rewind::core::time::parse_rfc3339("2025-01-01T00:09:30Z").expect("time");
    assert_eq!(
        source
            .row_at_or_before_time(&Scope::All, t)
            .expect("time row"),
        Some(9)
    );
    assert_eq!(
        source.row_at_or_before_position(&even, 20).expect("row"),
        Some(9)
    );
    let histogram = source.histogram(&Scope::All, 10).expect("histogram");
    assert_eq!(histogram.counts.iter().sum::<u64>(), 60_001);
    assert_eq!(histogram.counts.len(), 10);
    // Counts and histograms are kept while the head stays put and topped up
    // (not recomputed from scratch) when it moves.
    assert_eq!(source.histogram(&Scope::All, 10).expect("again"), histogram);
    write_message(&mut writer, "even-2", "Ticked", "{}", "null");
    assert_eq!(source.count(&even).expect("count"), 30_001);
    assert_eq!(source.count(&Scope::All).expect("count"), 60_002);
    let grown = source.histogram(&Scope::All, 10).expect("after append");
    assert_eq!(grown.counts.iter().sum::<u64>(), 60_002);
    let stream = source
        .read_rows(&Scope::Stream("odd-1".into()), 99, 5)
        .expect("stream rows");
    assert_eq!(stream.len(), 2);
    assert_eq!(stream[1].event_type, "Late");
}

#[test]
fn postgres_sessions_are_read_only() {
    let (url, mut writer) = fresh_database("mdb_ro");
    write_message(&mut writer, "account-1", "Opened", "{}", "null");
    let source = open_with(Path::new(&url), Some(Backend::MessageDb), None).expect("open");
    assert_eq!(source.head_position().expect("head"), 1);
    // The connection Rewind opens refuses writes on the server side.
    let conn = PgConn::connect(&url).expect("connect");
    let setting = conn
        .texts("SHOW default_transaction_read_only", &[])
        .expect("show");
    assert_eq!(setting, [[Some("on".to_string())]]);
    let refused = conn.texts(
        "INSERT INTO message_store.messages (stream_name, position, type) VALUES ('x-1', 0, 'T') RETURNING 'no'",
        &[],
    );
    let error = refused.expect_err("a write must be refused").to_string();
    assert!(error.contains("read-only"), "{error}");
    let rows: i64 = writer
        .query_one("SELECT count(*) FROM message_store.messages", &[])
        .expect("count")
        .get(0);
    assert_eq!(rows, 1);
}

#[test]
fn follow_prints_messages_written_later() {
    let (url, mut writer) = fresh_database("mdb_follow");
    write_message(&mut writer, "account-1", "Opened", "{}", "null");
    let sandbox = Sandbox::new();
    let mut child = sandbox
        .command(&["log", &url, "--category", "account", "--json", "--follow"])
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
    let first = rx.recv_timeout(Duration::from_secs(20)).expect("history");
    assert!(first.contains("Opened"), "{first}");
    write_message(&mut writer, "cart-1", "Other", "{}", "null");
    write_message(&mut writer, "account-2", "Opened", r#"{"n":2}"#, "null");
    let next = rx.recv_timeout(Duration::from_secs(10));
    let _ = child.kill();
    let _ = child.wait();
    let event: Value = serde_json::from_str(&next.expect("new message printed")).expect("JSON");
    assert_eq!(event["stream"], "account-2");
}

fn marten_append(
    writer: &mut Client,
    seq: i64,
    stream: &str,
    version: i64,
    kind: &str,
    data: &str,
) {
    writer
        .execute(
            "INSERT INTO mt_streams (id, type, version) VALUES ($1::text::uuid, 'Trip', $2)
             ON CONFLICT (id) DO UPDATE SET version = excluded.version",
            &[&stream, &version],
        )
        .expect("stream row");
    writer
        .execute(
            "INSERT INTO mt_events (seq_id, id, stream_id, version, data, type, timestamp,
                 mt_dotnet_type, correlation_id, headers)
             VALUES ($1, gen_random_uuid(), $2::text::uuid, $3, $4::text::jsonb, $5::text,
                 timestamptz '2025-03-01 08:09:09.096+00', 'Trips.' || $5::text, 'corr-1',
                 '{\"user\":\"u1\"}')",
            &[&seq, &stream, &version, &data, &kind],
        )
        .expect("event row");
}

#[test]
fn marten_events_keep_versions_and_gather_metadata() {
    let (url, mut writer) = fresh_database("marten");
    // A Marten-only database: detection must find mt_events.
    writer
        .batch_execute("DROP SCHEMA message_store CASCADE")
        .expect("drop message-db");
    let trip = "2f1d4c5e-0000-4000-8000-000000000001";
    let other = "2f1d4c5e-0000-4000-8000-000000000002";
    marten_append(&mut writer, 1, trip, 1, "trip_started", r#"{"day":1}"#);
    marten_append(&mut writer, 2, other, 1, "trip_started", r#"{"day":5}"#);
    marten_append(&mut writer, 4, trip, 2, "trip_ended", r#"{"day":3}"#);
    let sandbox = Sandbox::new();
    let streams = sandbox.run(&["streams", &url, "--json"]).ok().json();
    assert_eq!(streams[0]["stream"], trip);
    assert_eq!(streams[0]["version"], 2);
    assert_eq!(streams[0]["count"], 2);
    assert_eq!(streams[0]["first_time"], "2025-03-01T08:09:09.096Z");
    let log = sandbox
        .run(&["log", &url, "--stream", trip, "--json"])
        .ok()
        .json_lines();
    let versions: Vec<i64> = log
        .iter()
        .map(|e| e["version"].as_i64().unwrap_or(0))
        .collect();
    assert_eq!(versions, [1, 2], "Marten versions start at 1");
    assert_eq!(log[1]["position"], 4);
    assert_eq!(log[1]["metadata"]["correlation_id"], "corr-1");
    assert_eq!(log[1]["metadata"]["headers"]["user"], "u1");
    assert_eq!(log[1]["metadata"]["mt_dotnet_type"], "Trips.trip_ended");
    let state = sandbox
        .run(&["state", &url, "--stream", trip, "--json"])
        .ok()
        .json();
    assert_eq!(state["state"]["fields"]["day"], 3);
    // A stream id that is not a UUID is simply not there.
    let err = sandbox
        .run(&["log", &url, "--stream", "nope"])
        .fails_with(1)
        .stderr;
    assert!(err.contains("no stream named"), "{err}");
    let all = sandbox
        .run(&["log", &url, "--json", "--from", "2"])
        .ok()
        .json_lines();
    assert_eq!(all.len(), 2);
}

#[test]
fn marten_can_be_forced_next_to_message_db() {
    let (url, mut writer) = fresh_database("marten_forced");
    marten_append(
        &mut writer,
        1,
        "2f1d4c5e-0000-4000-8000-000000000003",
        1,
        "a",
        "{}",
    );
    write_message(&mut writer, "account-1", "Opened", "{}", "null");
    let sandbox = Sandbox::new();
    let detected = sandbox.run(&["log", &url, "--json"]).ok().json_lines();
    assert_eq!(
        detected[0]["stream"], "account-1",
        "message-db is detected first"
    );
    let forced = sandbox
        .run(&["log", &url, "--backend", "marten", "--json"])
        .ok()
        .json_lines();
    assert_eq!(forced[0]["type"], "a");
}

#[test]
fn any_postgres_table_through_a_mapping() {
    let (url, mut writer) = fresh_database("mapped");
    writer
        .batch_execute(
            "CREATE SCHEMA app;
             CREATE TABLE app.domain_events (seq bigserial PRIMARY KEY, aggregate uuid NOT NULL,
                 n integer NOT NULL, name varchar NOT NULL, body jsonb NOT NULL,
                 occurred timestamptz NOT NULL, headers jsonb);
             CREATE UNIQUE INDEX ON app.domain_events (aggregate, n);
             INSERT INTO app.domain_events (aggregate, n, name, body, occurred, headers) VALUES
               ('2f1d4c5e-0000-4000-8000-0000000000aa', 1, 'Placed', '{\"total\":3}',
                '2025-03-01 08:09:09.096+00', '{\"user\":\"u1\"}'),
               ('2f1d4c5e-0000-4000-8000-0000000000aa', 2, 'Paid', '{\"by\":\"card\"}',
                '2025-03-01 08:10:00+00', NULL);",
        )
        .expect("table");
    let sandbox = Sandbox::new();
    let map = sandbox.write(
        "map.toml",
        br#"table = "app.domain_events"
position = "seq"
stream = "aggregate"
version = "n"
type = "name"
data = "body"
metadata = "headers"
time = "occurred"
"#,
    );
    let map = map.to_str().unwrap_or("");
    let log = sandbox
        .run(&["log", &url, "--map", map, "--json"])
        .ok()
        .json_lines();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["stream"], "2f1d4c5e-0000-4000-8000-0000000000aa");
    assert_eq!(log[0]["version"], 1);
    assert_eq!(log[0]["time"], "2025-03-01T08:09:09.096Z");
    assert_eq!(log[0]["metadata"]["user"], "u1");
    assert_eq!(log[1]["metadata"], json!({}));
    let state = sandbox
        .run(&[
            "state",
            &url,
            "--map",
            map,
            "--stream",
            "2f1d4c5e-0000-4000-8000-0000000000aa",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(state["state"]["fields"]["by"], "card");
}
