//! Several writers append to the same streams with expected versions and
//! retry on conflict. Afterwards every acknowledged event is stored exactly
//! once, stream versions have no gaps, and the hash chain verifies.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::thread;

use common::Sandbox;
use rewind::core::store::sqlite::SqliteStore;
use rewind::core::store::{EventSource, Scope};
use rewind::core::{ExpectedVersion, NewEvent, StoreError};

const STREAMS: [&str; 3] = ["account-1", "account-2", "account-3"];

/// Appends `count` events as `writer`, each to a stream picked in turn, with
/// the version it read; on a conflict it reads again and retries. Returns
/// the acknowledged (id, stream) pairs and the number of conflicts seen.
fn writer(path: &Path, writer: usize, count: usize) -> (Vec<(String, String)>, usize) {
    let mut store = SqliteStore::open(path).expect("open");
    let mut acknowledged = Vec::new();
    let mut conflicts = 0;
    for n in 0..count {
        let stream = STREAMS[(writer + n) % STREAMS.len()];
        let id = uuid::Uuid::new_v4().to_string();
        loop {
            let expected = match store.stream_info(stream).expect("read") {
                Some(info) => ExpectedVersion::Exact(info.last_version),
                None => ExpectedVersion::NoStream,
            };
            // Work between reading the version and appending, as a real
            // command handler does: the window in which others get ahead.
            std::thread::sleep(std::time::Duration::from_micros(300));
            let mut event = NewEvent::new(
                "Counted",
                &format!(r#"{{"writer":{writer},"n":{n}}}"#),
                None,
            )
            .expect("event");
            event.id = Some(id.clone());
            let result = store.appender().and_then(|mut appender| {
                appender.append(stream, expected, &[event])?;
                appender.commit()
            });
            match result {
                Ok(()) => break,
                Err(StoreError::WrongExpectedVersion { .. }) => conflicts += 1,
                Err(StoreError::Busy { .. }) => conflicts += 1,
                Err(other) => panic!("writer {writer}: {other}"),
            }
        }
        acknowledged.push((id, stream.to_string()));
    }
    (acknowledged, conflicts)
}

#[test]
fn concurrent_writers_lose_nothing_and_leave_no_gaps() {
    let sandbox = Sandbox::new();
    let path = sandbox.path("shared.rewind");
    drop(SqliteStore::create(&path).expect("create"));
    let (writers, per_writer) = (6, 60);
    let handles: Vec<_> = (0..writers)
        .map(|w| {
            let path = path.clone();
            thread::spawn(move || writer(&path, w, per_writer))
        })
        .collect();
    let mut acknowledged = Vec::new();
    let mut conflicts = 0;
    for handle in handles {
        let (acks, seen) = handle.join().expect("writer thread");
        acknowledged.extend(acks);
        conflicts += seen;
    }
    assert_eq!(acknowledged.len(), writers * per_writer);
    eprintln!("{writers} writers × {per_writer} events: {conflicts} conflicts retried");

    let store = SqliteStore::open_read_only(&path).expect("reopen");
    let mut stored: HashMap<String, (String, i64)> = HashMap::new();
    for stream in STREAMS {
        let scope = Scope::Stream(stream.to_string());
        let events = store.read_rows(&scope, 0, 100_000).expect("read");
        for (i, event) in events.iter().enumerate() {
            assert_eq!(event.version, i as i64, "{stream} has a gap");
            let previous = stored.insert(event.id.clone(), (event.stream.clone(), event.version));
            assert!(previous.is_none(), "event {} stored twice", event.id);
        }
    }
    assert_eq!(stored.len(), acknowledged.len(), "no extra events");
    for (id, stream) in &acknowledged {
        let (stored_stream, _) = stored.get(id).expect("an acknowledged event is stored");
        assert_eq!(stored_stream, stream);
    }
    let report = store.verify().expect("verify").expect("chain intact");
    assert_eq!(report.events as usize, acknowledged.len());
}

#[test]
fn concurrent_processes_with_the_cli() {
    let sandbox = Sandbox::new();
    let path = sandbox.path("procs.rewind");
    let store = path.to_str().expect("utf-8 path").to_string();
    sandbox.run(&["init", &store]).ok();
    let children: Vec<_> = (0..4)
        .map(|p| {
            let mut command = sandbox.command(&[
                "append",
                &store,
                "--stream",
                "shared-1",
                "--type",
                "Ping",
                "--data",
                &format!(r#"{{"process":{p}}}"#),
            ]);
            command.spawn().expect("spawn")
        })
        .collect();
    for mut child in children {
        assert!(child.wait().expect("wait").success());
    }
    let log = sandbox
        .run(&["log", &store, "--stream", "shared-1", "--json"])
        .ok();
    let versions: Vec<i64> = log
        .json_lines()
        .iter()
        .map(|e| e["version"].as_i64().expect("version"))
        .collect();
    assert_eq!(versions, [0, 1, 2, 3]);
}
