//! The state inspector end to end: the real binary in a pseudo-terminal
//! (`tests/common/pty.rs`). Zoom and wrap show a long escaped value whole,
//! a fold hides a subtree, find moves the tree cursor, `B` blames a nested
//! field, and Enter on a blame's history row opens that event.

mod common;

use common::pty::Session;

/// A store with one `notes-1` event whose text is long and full of
/// escapes, in `home`; its path.
fn long_note_store(home: &std::path::Path) -> String {
    let store = home.join("notes.rewind");
    let store = store.to_str().expect("utf-8 path").to_string();
    let rewind = env!("CARGO_BIN_EXE_rewind");
    let run = |args: &[&str]| {
        let status = std::process::Command::new(rewind)
            .args(args)
            .env("HOME", home)
            .status()
            .expect("run rewind");
        assert!(status.success(), "rewind {args:?} failed");
    };
    run(&["init", &store]);
    let text = format!(
        "\u{1b}]52;c;cHduZWQ=\u{7}{}THE-END",
        "0123456789".repeat(60)
    );
    let data = serde_json::json!({"text": text, "tags": ["a", "b"]}).to_string();
    run(&[
        "append",
        &store,
        "--stream",
        "notes-1",
        "--type",
        "NoteWritten",
        "--data",
        &data,
    ]);
    store
}

#[test]
fn zoom_and_wrap_show_a_long_value_whole_and_a_fold_hides_it() {
    let home = tempfile::tempdir().expect("home");
    let store = long_note_store(home.path());
    let mut session = Session::start(home.path(), &[&store, "--stream", "notes-1"]);
    session.wait_for("the stream's timeline", |s| {
        s.contains("Timeline notes-1 1/1")
    });
    // Tab twice: the Projection pane. z fills the screen with it, w wraps.
    session.send("\t\t");
    session.send("z");
    session.wait_for("the zoomed Projection pane", |s| {
        s.contains("zoomed") && !s.contains("Timeline notes-1")
    });
    assert!(!session.screen().contains("THE-END"), "cut before wrapping");
    session.send("w");
    session.wait_for("the whole value, its escapes visible", |s| {
        s.contains("THE-END") && s.contains(r"\u001b]52;c;cHduZWQ=\u0007")
    });
    // Find /fields, fold it: the long value is gone, a count stands in.
    session.send("/");
    session.send("/fields\r");
    session.wait_for("the cursor on /fields", |s| s.contains("] /fields"));
    session.send("o");
    session.wait_for("the folded object", |s| {
        s.contains("\"fields\": {…} 2 keys") && !s.contains("THE-END")
    });
    session.quit();
    let raw = String::from_utf8_lossy(&session.raw);
    assert!(
        !raw.contains("\u{1b}]52"),
        "the payload's OSC 52 reached the terminal"
    );
}

#[test]
fn blame_a_nested_field_and_open_its_oldest_change() {
    let home = tempfile::tempdir().expect("home");
    let bank = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/projections/bank.js");
    let mut session = Session::start(
        home.path(),
        &["--stream", "account-0042", "--projection", bank],
    );
    session.wait_for("the stream's timeline", |s| {
        s.contains("Timeline account-0042 1/")
    });
    // To the last event, then find the field in the Projection pane.
    session.send("G");
    session.wait_for("the state at the last event", |s| {
        s.contains("AccountClosed") && s.contains(r#""status": "closed""#)
    });
    session.send("\t\t/");
    session.send("/transfersIn/total\r");
    session.wait_for("the cursor on the field", |s| {
        s.contains("] /transfersIn/total")
    });
    session.send("B");
    session.wait_for("the blame and its history", |s| {
        s.contains("Blame /transfersIn/total") && s.contains("history (")
    });
    // G selects the oldest change; Enter opens it in the timeline.
    session.send("G\r");
    session.wait_for("the oldest change under the cursor", |s| {
        !s.contains("Blame /transfersIn")
            && s.lines()
                .any(|line| line.contains('›') && line.contains("AccountOpened"))
    });
    session.quit();
}
