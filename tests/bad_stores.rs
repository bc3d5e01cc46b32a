//! Stores that cannot be used get a clear message and a non-zero exit,
//! never a panic or a hang.

mod common;

use common::{demo_data, Sandbox};

fn demo_store(s: &Sandbox) -> std::path::PathBuf {
    let store = s.path("a.rewind");
    s.run(&[
        "import",
        store.to_str().unwrap(),
        demo_data("flights.ndjson").to_str().unwrap(),
    ])
    .ok();
    store
}

fn assert_clean_failure(run: &common::Run, needle: &str) {
    assert_eq!(
        run.status,
        Some(1),
        "stdout: {}\nstderr: {}",
        run.stdout,
        run.stderr
    );
    assert!(run.stderr.starts_with("rewind: error: "), "{}", run.stderr);
    assert!(
        run.stderr.contains(needle),
        "wanted {needle:?} in {}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn truncated_and_overwritten_files() {
    let s = Sandbox::new();
    let store = demo_store(&s);
    let bytes = std::fs::read(&store).unwrap();
    let truncated = s.write("truncated.rewind", &bytes[..bytes.len() / 3]);
    let run = s.run(&["log", truncated.to_str().unwrap()]);
    assert_clean_failure(&run, "truncated.rewind");
    let mut scribbled = bytes.clone();
    for byte in scribbled.iter_mut().skip(4096).step_by(7).take(20_000) {
        *byte = 0xA5;
    }
    let scribbled = s.write("scribbled.rewind", &scribbled);
    let run = s.run(&["verify", scribbled.to_str().unwrap()]);
    assert!(
        run.status == Some(1) || run.status == Some(4),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let header = s.write("header.rewind", &bytes[..50]);
    assert_clean_failure(
        &s.run(&["streams", header.to_str().unwrap()]),
        "header.rewind",
    );
}

#[test]
fn a_store_from_a_newer_rewind_is_refused() {
    let s = Sandbox::new();
    let store = demo_store(&s);
    rusqlite::Connection::open(&store)
        .unwrap()
        .execute_batch("PRAGMA user_version = 42")
        .unwrap();
    let run = s.run(&["streams", store.to_str().unwrap()]);
    assert_clean_failure(&run, "newer than this Rewind understands");
    let run = s.run(&[
        "append",
        store.to_str().unwrap(),
        "--stream",
        "s-1",
        "--type",
        "T",
    ]);
    assert_clean_failure(&run, "upgrade Rewind");
}

#[test]
#[cfg(unix)]
fn a_read_only_store_can_be_read_but_not_appended_to() {
    use std::os::unix::fs::PermissionsExt;
    let s = Sandbox::new();
    let store = demo_store(&s);
    // Fold the write-ahead log in so that the file alone is the store.
    rusqlite::Connection::open(&store)
        .unwrap()
        .pragma_update(None, "journal_mode", "DELETE")
        .unwrap();
    let dir = s.path("ro");
    std::fs::create_dir(&dir).unwrap();
    let ro = dir.join("ro.rewind");
    std::fs::copy(&store, &ro).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    let ro_str = ro.to_str().unwrap();
    let read = s.run(&["log", ro_str, "--limit", "2", "--json"]);
    let append = s.run(&["append", ro_str, "--stream", "s-1", "--type", "T"]);
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    // Root ignores permission bits; the checks below hold for everyone else.
    if running_as_root() {
        return;
    }
    read.ok();
    assert_clean_failure(&append, "ro.rewind");
}

fn running_as_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

#[test]
fn a_locked_store_says_busy_instead_of_hanging() {
    let s = Sandbox::new();
    let store = demo_store(&s);
    let holder = rusqlite::Connection::open(&store).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = std::time::Instant::now();
    let run = s
        .command(&[
            "append",
            store.to_str().unwrap(),
            "--stream",
            "s-1",
            "--type",
            "T",
        ])
        .env("REWIND_BUSY_TIMEOUT_MS", "300")
        .output()
        .unwrap();
    let run = common::Run::from(run);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_clean_failure(&run, "busy");
    // Readers are not blocked by a writer (WAL).
    s.run(&["log", store.to_str().unwrap(), "--limit", "1"])
        .ok();
    holder.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn deep_nesting_and_huge_events() {
    let s = Sandbox::new();
    let store = s.path("b.rewind");
    let store = store.to_str().unwrap();
    let deep = format!(
        "{{\"stream\":\"d-1\",\"type\":\"T\",\"data\":{}1{}}}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let file = s.write("deep.ndjson", deep.as_bytes());
    let run = s.run(&["import", store, file.to_str().unwrap()]);
    assert_clean_failure(&run, "deep.ndjson:1:");
    let big_value = "x".repeat(50 * 1024 * 1024);
    let huge =
        format!("{{\"stream\":\"h-1\",\"type\":\"Big\",\"data\":{{\"blob\":\"{big_value}\"}}}}\n");
    let file = s.write("huge.ndjson", huge.as_bytes());
    s.run(&["import", store, file.to_str().unwrap()]).ok();
    let exported = s.run(&["export", store]).ok();
    assert_eq!(exported.stdout.len(), exported.stdout.trim_end().len() + 1);
    assert!(exported.stdout.contains(&big_value[..1000]));
    assert_eq!(exported.stdout.matches('x').count(), big_value.len());
}
