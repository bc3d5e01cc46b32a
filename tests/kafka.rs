//! Kafka topics as event stores, on a real Apache Kafka broker whose
//! topics the real confluent-kafka client wrote (tests/fixtures/
//! kafka_fixture.py): the same answers as the same events imported into a
//! Rewind store, CloudEvents, tombstones and odd values, the index kept in
//! the cache, follow, and errors that say what is wrong.
//!
//! Start the broker with `export REWIND_TEST_KAFKA=$(.ci/kafka.sh start)`
//! and write its topics with `python3 tests/fixtures/kafka_fixture.py
//! $REWIND_TEST_KAFKA` (`.ci/test` does both). Without the variable these
//! tests fail: they are never skipped silently.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::kafka::{delete_records, fresh_topic, produce, url};
use common::{demo_data, Sandbox};
use serde_json::{json, Value};

const BANK_JS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/projections/bank.js");

/// An answer without what differs by construction between a topic and an
/// import: event ids (derived from the offset on Kafka) and metadata
/// (headers and the record's partition and offset).
fn comparable(mut value: Value) -> Value {
    match &mut value {
        Value::Object(map) => {
            map.remove("id");
            map.remove("metadata");
            for item in map.values_mut() {
                *item = comparable(item.take());
            }
        }
        Value::Array(items) => {
            for item in items {
                *item = comparable(item.take());
            }
        }
        _ => {}
    }
    value
}

fn answers(s: &Sandbox, store: &str, stream: &str) -> Vec<(String, Value)> {
    let questions: Vec<Vec<&str>> = vec![
        vec!["streams", store, "--json"],
        vec!["log", store, "--json"],
        vec!["log", store, "--stream", stream, "--json"],
        vec!["state", store, "--stream", stream, "--json"],
        vec!["state", store, "--all", "--json"],
        vec![
            "diff", store, "--stream", stream, "--from", "1", "--to", "latest", "--json",
        ],
    ];
    questions
        .into_iter()
        .map(|args| {
            let run = s.run(&args).ok();
            let value = if args[0] == "log" {
                Value::Array(run.json_lines())
            } else {
                run.json()
            };
            (args.join(" ").replace(store, "STORE"), comparable(value))
        })
        .collect()
}

#[test]
fn topics_answer_as_the_same_events_imported() {
    let s = Sandbox::new();
    for (topic, file, stream) in [
        ("bank", "bank.ndjson", "account-0004"),
        ("carts", "carts.ndjson", "cart-00007"),
        ("flights", "flights.ndjson", "booking-BHIZMG"),
    ] {
        let imported = s.path(&format!("{topic}.rewind"));
        let imported = imported.to_str().expect("utf-8 path");
        s.run(&["import", imported, demo_data(file).to_str().expect("path")])
            .ok();
        let kafka = url(topic);
        let expected = answers(&s, imported, stream);
        let found = answers(&s, &kafka, stream);
        for ((question, want), (_, got)) in expected.iter().zip(&found) {
            assert_eq!(got, want, "{topic}: {question}");
        }
    }
    // A projection and a blame, on the bank's topic.
    let imported = s.path("bank.rewind");
    let imported = imported.to_str().expect("utf-8 path");
    let kafka = url("bank");
    for args in [
        vec![
            "state",
            "STORE",
            "--stream",
            "account-0004",
            "--projection",
            BANK_JS,
            "--json",
        ],
        vec![
            "blame",
            "STORE",
            "--stream",
            "account-0004",
            "--path",
            "/balance",
            "--projection",
            BANK_JS,
            "--json",
        ],
    ] {
        let ask = |store: &str| {
            let args: Vec<&str> = args
                .iter()
                .map(|a| if *a == "STORE" { store } else { a })
                .collect();
            comparable(s.run(&args).ok().json())
        };
        assert_eq!(ask(&kafka), ask(imported), "{}", args.join(" "));
    }
}

#[test]
fn records_keep_their_partition_offset_and_headers() {
    let s = Sandbox::new();
    let lines = s.run(&["log", &url("flights"), "--json"]).ok().json_lines();
    assert_eq!(lines.len(), 1500);
    let mut partitions = std::collections::BTreeSet::new();
    for line in &lines {
        let kafka = &line["metadata"]["$kafka"];
        assert_eq!(kafka["topic"], "flights");
        partitions.insert(kafka["partition"].as_i64().expect("partition"));
        assert!(kafka["offset"].as_i64().is_some());
        // The headers are the metadata; the type header is the type.
        assert!(line["metadata"]["correlationId"].is_string(), "{line}");
        assert!(line["metadata"].get("type").is_none());
    }
    assert_eq!(partitions.len(), 3, "{partitions:?}");
    // Each stream lies in one partition, its versions in offset order.
    let mut seen: std::collections::HashMap<&str, (i64, i64)> = Default::default();
    for line in &lines {
        let stream = line["stream"].as_str().expect("stream");
        let at = (
            line["metadata"]["$kafka"]["partition"].as_i64().expect("p"),
            line["metadata"]["$kafka"]["offset"].as_i64().expect("o"),
        );
        if let Some(before) = seen.insert(stream, at) {
            assert_eq!(before.0, at.0, "{stream} changed partition");
            assert!(before.1 < at.1, "{stream} went back in its partition");
        }
    }
}

#[test]
fn cloud_events_in_binary_mode_take_their_type_from_ce_type() {
    let s = Sandbox::new();
    let ce = s.run(&["log", &url("bank-ce"), "--json"]).ok().json_lines();
    let plain = s.run(&["log", &url("bank"), "--json"]).ok().json_lines();
    assert_eq!(ce.len(), plain.len());
    for (a, b) in ce.iter().zip(&plain) {
        assert_eq!(
            (&a["stream"], &a["type"], &a["data"]),
            (&b["stream"], &b["type"], &b["data"])
        );
        assert_eq!(a["metadata"]["ce_source"], "/bank");
        assert_eq!(a["metadata"]["ce_subject"], a["stream"]);
    }
}

#[test]
fn tombstones_and_values_that_are_not_json_are_shown_as_such() {
    let s = Sandbox::new();
    let erased = s
        .run(&[
            "log",
            &url("bank-compacted"),
            "--stream",
            "account-0001",
            "--json",
        ])
        .ok()
        .json_lines();
    let last = erased.last().expect("events");
    assert_eq!(
        (&last["type"], &last["data"]),
        (&json!("Tombstone"), &Value::Null)
    );
    let streams = s
        .run(&["streams", &url("bank-compacted"), "--json"])
        .ok()
        .json();
    assert_eq!(streams.as_array().map(Vec::len), Some(5));

    let odd = s.run(&["log", &url("odd"), "--json"]).ok().json_lines();
    let case = |name: &str| {
        odd.iter()
            .find(|l| l["metadata"]["case"] == name)
            .map(|l| (l["stream"].clone(), l["data"].clone()))
            .unwrap_or_else(|| panic!("no record of case {name}: {odd:?}"))
    };
    assert_eq!(
        case("binary").1,
        json!({"hex": "0001027f80feff", "size": 7})
    );
    assert_eq!(
        case("latin-1").1,
        json!({"hex": "636166e9206372e86d65", "size": 10})
    );
    assert_eq!(
        case("text").1,
        json!({"text": "plain text, not JSON", "size": 20})
    );
    assert_eq!(case("empty").1, json!({"text": "", "size": 0}));
    // A record without a key is in the stream named after its topic.
    assert_eq!(case("no-key").0, json!("odd"));
    // The terminal never gets the raw bytes.
    let text = s.run(&["log", &url("odd")]).ok();
    assert!(!text
        .stdout
        .bytes()
        .any(|b| b == 0x1b || (b < 0x20 && b != b'\n')));
}

#[test]
fn the_index_is_read_once_then_only_what_was_added() {
    let s = Sandbox::new();
    let topic = fresh_topic("index");
    let record = |n: i64| {
        json!({"key": "acct-1", "value": {"n": n}, "headers": {"type": "Counted"},
               "timestamp": 1_740_816_000_000i64 + n})
    };
    produce(&topic, 2, &[record(1), record(2)]);
    let store = url(&topic);
    let first = s.run(&["log", &store, "--json"]).ok().json_lines();
    assert_eq!(first.len(), 2);
    let index = std::fs::read_dir(s.path("cache/rewind/kafka"))
        .expect("the index folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "rewind"))
        .collect::<Vec<_>>();
    assert_eq!(index.len(), 1, "{index:?}");
    produce(&topic, 2, &[record(3)]);
    let second = s.run(&["log", &store, "--json"]).ok().json_lines();
    assert_eq!(second.len(), 3);
    assert_eq!(second[..2], first[..], "what was read stays as it was");
    assert_eq!(second[2]["data"], json!({"n": 3}));
    assert_eq!(second[2]["version"], 2);
}

#[test]
fn follow_shows_a_record_another_client_produces() {
    let s = Sandbox::new();
    let topic = fresh_topic("follow");
    produce(
        &topic,
        1,
        &[json!({"key": "acct-1", "value": {"n": 1}, "headers": {"type": "A"}})],
    );
    let mut child = s
        .command(&["log", &url(&topic), "--follow", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("rewind log --follow");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a line").expect("utf-8");
    assert!(first.contains("\"type\":\"A\""), "{first}");
    let produced = Instant::now();
    produce(
        &topic,
        1,
        &[json!({"key": "acct-1", "value": {"n": 2}, "headers": {"type": "B"}})],
    );
    let (sender, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(lines.next());
    });
    let next = received.recv_timeout(Duration::from_secs(20));
    let _ = child.kill();
    let _ = child.wait();
    let line = next
        .expect("the new record within 20 s")
        .expect("a line")
        .expect("utf-8");
    assert!(line.contains("\"type\":\"B\""), "{line}");
    eprintln!(
        "follow: the record showed {:?} after it was produced",
        produced.elapsed()
    );
}

#[test]
fn nothing_is_written_to_the_broker() {
    let groups = || {
        common::kafka::admin(
            "print(sorted(g.group_id for g in a.list_consumer_groups().result().valid))\n\
             print(sorted(a.list_topics(timeout=10).topics))",
            &[],
        )
    };
    let before = groups();
    let s = Sandbox::new();
    s.run(&["streams", &url("bank,carts")]).ok();
    s.run(&["log", &url("flights"), "--limit", "3"]).ok();
    let after = groups();
    // Other tests may make topics of their own meanwhile: compare groups,
    // and that every topic seen before is still there.
    let (groups_before, topics_before) = before.split_once('\n').expect("two lines");
    let (groups_after, topics_after) = after.split_once('\n').expect("two lines");
    assert_eq!(groups_after, groups_before, "a consumer group appeared");
    for topic in ["'bank'", "'carts'", "'flights'"] {
        assert!(topics_before.contains(topic) && topics_after.contains(topic));
    }
}

#[test]
fn a_missing_topic_or_broker_is_named() {
    let s = Sandbox::new();
    let run = s.run(&["streams", &url("no-such-topic")]).fails_with(1);
    assert!(
        run.stderr.contains("no topic named \"no-such-topic\""),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("bank"),
        "lists the topics there: {}",
        run.stderr
    );
    let run = s
        .run(&["streams", "kafka://127.0.0.1:1/bank"])
        .fails_with(1);
    assert!(
        run.stderr
            .contains("cannot reach the Kafka broker at 127.0.0.1:1"),
        "{}",
        run.stderr
    );
    let run = s.run(&["streams", "kafka://127.0.0.1/bank"]).fails_with(1);
    assert!(
        run.stderr.contains("kafka://HOST:PORT/TOPIC"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_mapping_file_reads_the_stream_from_the_value() {
    let s = Sandbox::new();
    let map = s.write("map.toml", b"stream = \"/accountId\"\n");
    let lines = s
        .run(&[
            "log",
            &url("bank"),
            "--map",
            map.to_str().expect("path"),
            "--json",
            "--limit",
            "1",
        ])
        .ok()
        .json_lines();
    assert_eq!(lines[0]["stream"], "account-0001");
    let bad = s.write("bad.toml", b"stream = \"value\"\n");
    let run = s
        .run(&[
            "streams",
            &url("bank"),
            "--map",
            bad.to_str().expect("path"),
        ])
        .fails_with(1);
    assert!(run.stderr.contains("header:NAME"), "{}", run.stderr);
}

#[test]
fn the_explorer_opens_topics_and_follows_them() {
    use common::pty::Session;
    let s = Sandbox::new();
    // The same stream list and timeline as on the imported events.
    let mut session = Session::start(s.dir.path(), &[&url("bank")]);
    let streams = s.run(&["streams", &url("bank"), "--json"]).ok().json();
    let count = streams.as_array().map_or(0, Vec::len);
    // $all, the one category, and the streams.
    let listed = format!("Streams {} ", count + 2);
    session.wait_for("the stream list", |screen| screen.contains(&listed));
    session.send("/account-0004\r");
    session.wait_for("the stream's timeline", |screen| {
        screen.contains("Timeline account-0004 1/31")
    });
    session.send("G");
    session.wait_for("the last event", |screen| screen.contains("31/31"));
    session.quit();

    let topic = fresh_topic("explore");
    let record =
        |kind: &str| json!({"key": "live-1", "value": {"kind": kind}, "headers": {"type": kind}});
    produce(&topic, 1, &[record("First")]);
    let mut session = Session::start(s.dir.path(), &[&url(&topic), "--stream", "live-1"]);
    session.wait_for("the stream's timeline", |screen| {
        screen.contains("Timeline live-1 1/1")
    });
    session.send("f");
    session.wait_for("follow mode", |screen| screen.contains("following"));
    produce(&topic, 1, &[record("Second")]);
    session.wait_for("the new record", |screen| {
        screen.contains("Timeline live-1 2/2") && screen.contains("Second")
    });
    session.quit();
}

#[test]
fn the_explorer_shows_a_topic_while_it_is_read_and_a_stopped_read_resumes() {
    use common::pty::Session;
    const RECORDS: usize = 150_000;
    const ACCOUNTS: usize = 500;
    let s = Sandbox::new();
    let topic = fresh_topic("big");
    let records: Vec<Value> = (0..RECORDS)
        .map(|n| {
            json!({"key": format!("acct-{}", n % ACCOUNTS), "value": {"n": n},
                   "headers": {"type": "Counted"},
                   "timestamp": 1_740_816_000_000i64 + n as i64})
        })
        .collect();
    produce(&topic, 3, &records);
    let store = url(&topic);
    let size = (30, 160);
    // The explorer opens at once and says how far the first read is; it
    // is quit halfway.
    let mut session = Session::start_sized(s.dir.path(), &[&store], &[], size);
    session.wait_for("the read under way", |screen| {
        screen.contains("reading into the index:")
    });
    session.quit();
    // The next explorer reads on from there, and says nothing once done.
    let listed = format!("Streams {} ", ACCOUNTS + 2);
    let mut session = Session::start_sized(s.dir.path(), &[&store], &[], size);
    session.wait_for("every stream, read", |screen| {
        screen.contains(&listed) && !screen.contains("reading into the index")
    });
    session.quit();
    // Every record once, each stream in offset order.
    let streams = s.run(&["streams", &store, "--json"]).ok().json();
    let events: u64 = streams
        .as_array()
        .expect("a list")
        .iter()
        .map(|stream| stream["count"].as_u64().expect("a count"))
        .sum();
    assert_eq!(events, RECORDS as u64);
    let log = s
        .run(&["log", &store, "--stream", "acct-7", "--json"])
        .ok()
        .json_lines();
    let numbers: Vec<u64> = log.iter().filter_map(|e| e["data"]["n"].as_u64()).collect();
    let expected: Vec<u64> = (7..RECORDS as u64).step_by(ACCOUNTS).collect();
    assert_eq!(numbers, expected);
}

#[test]
fn records_the_broker_deleted_before_they_were_read_are_said_to_be_gone() {
    use common::pty::Session;
    let s = Sandbox::new();
    let topic = fresh_topic("retention");
    let records: Vec<Value> = (0..5)
        .map(|n| {
            json!({"key": "acct-1", "value": {"n": n}, "headers": {"type": "Counted"},
                   "timestamp": 1_740_816_000_000i64 + n})
        })
        .collect();
    produce(&topic, 1, &records);
    delete_records(&topic, 0, 3);
    let store = url(&topic);
    let run = s.run(&["log", &store, "--stream", "acct-1", "--json"]).ok();
    let numbers: Vec<Value> = run
        .json_lines()
        .iter()
        .map(|e| e["data"]["n"].clone())
        .collect();
    assert_eq!(numbers, [json!(3), json!(4)], "the stream starts later");
    let note = format!(
        "note: the broker deleted records before they were read ({topic}[0] below offset 3): \
         this stream may have begun earlier"
    );
    assert!(run.stderr.contains(&note), "{}", run.stderr);
    // The explorer says so in the timeline's header.
    let mut session = Session::start_sized(
        s.dir.path(),
        &[&store, "--stream", "acct-1"],
        &[],
        (30, 200),
    );
    session.wait_for("the note in the timeline's header", |screen| {
        screen.contains("Timeline acct-1 1/2") && screen.contains("the broker deleted records")
    });
    session.quit();
}

#[test]
fn since_reads_each_partition_from_a_time_on() {
    let s = Sandbox::new();
    let topic = fresh_topic("since");
    let start = 1_740_816_000_000i64;
    // Two partitions, records a second apart, keys spread over both.
    let records: Vec<Value> = (0..10)
        .map(|n| {
            json!({"key": format!("acct-{}", n % 2), "value": {"n": n},
                   "headers": {"type": "Counted"}, "timestamp": start + n * 1000})
        })
        .collect();
    produce(&topic, 2, &records);
    // 2025-03-01T08:00:04Z: the records of n = 4 and after.
    let store = format!("{}?since=2025-03-01T08:00:04Z", url(&topic));
    let run = s.run(&["log", &store, "--json"]).ok();
    let mut numbers: Vec<i64> = run
        .json_lines()
        .iter()
        .filter_map(|e| e["data"]["n"].as_i64())
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, [4, 5, 6, 7, 8, 9]);
    assert!(
        run.stderr.contains(
            "read from 2025-03-01T08:00:04.000Z on (?since=): earlier records were not read"
        ),
        "{}",
        run.stderr
    );
    // The whole topic is an index of its own.
    let all = s.run(&["log", &url(&topic), "--json"]).ok().json_lines();
    assert_eq!(all.len(), 10);
    // A time after every record reads nothing, and follows from the end.
    let later = format!("{}?since=2030-01-01", url(&topic));
    let none = s.run(&["log", &later, "--json"]).ok().json_lines();
    assert!(none.is_empty(), "{none:?}");
}
