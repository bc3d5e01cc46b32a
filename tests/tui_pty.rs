//! End-to-end: the real `rewind` binary in a pseudo-terminal, read back
//! through a terminal emulator (vt100), with HOME and the XDG directories
//! in a temporary folder.

mod common;
#[path = "foreign/fixtures.rs"]
mod fixtures;

use std::path::{Path, PathBuf};

use common::pty::{clipboard_writes, Session};
use rewind::core::projection::{Engine, ProjectionSpec, Query};
use rewind::core::store::sqlite::SqliteStore;
use rewind::core::store::{EventSource, Scope};

fn demo_store_in(cache: &Path) -> PathBuf {
    std::fs::read_dir(cache.join("rewind"))
        .expect("cache dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "rewind"))
        .expect("the demo store was built")
}

/// The state of bank.js (which plain `rewind` shows for an account) for
/// `stream` at its last event, the way `rewind state --json` computes it.
fn expected_state(store: &Path, stream: &str) -> serde_json::Value {
    let source = SqliteStore::open_read_only(store).expect("open");
    let scope = Scope::Stream(stream.to_string());
    let count = source.count(&scope).expect("count");
    let bank = ProjectionSpec::Shipped("bank.js").load().expect("bank.js");
    let mut engine = Engine::new(vec![bank]);
    let query = Query {
        projection: 0,
        scope: &scope,
        row: count - 1,
        with_previous: false,
    };
    engine.state_at(&source, query).expect("state").state
}

#[test]
fn explore_the_demo_filter_jump_and_quit() {
    let home = tempfile::tempdir().expect("home");
    let mut session = Session::start(home.path(), &[]);
    session.wait_for("the stream list", |s| s.contains("Streams 843 "));
    assert!(session.parser.screen().alternate_screen());

    session.send("/account-0042");
    session.wait_for("the filter to apply", |s| s.contains("/account-0042"));
    session.send("\r");
    session.wait_for("the stream's timeline", |s| {
        s.contains("Timeline account-0042 1/39")
    });

    session.send("G");
    session.wait_for("the last event", |s| {
        s.contains("Timeline account-0042 39/39")
    });
    let store = demo_store_in(&home.path().join("cache"));
    let expected = expected_state(&store, "account-0042");
    let pretty = serde_json::to_string_pretty(&expected).expect("json");
    let wanted: Vec<&str> = pretty.lines().map(str::trim).take(30).collect();
    session.wait_for("the projection at the last event", |s| {
        wanted.iter().all(|line| s.contains(line))
    });
    assert!(pretty.contains("\"status\": \"closed\""));

    session.send(":5\r");
    session.wait_for("version 5", |s| {
        s.contains("Timeline account-0042 6/39") && s.contains("│ v5 @")
    });

    // `/` in the timeline searches events; `n` finds the next match.
    let log = SqliteStore::open_read_only(&store)
        .expect("open")
        .read_rows(&Scope::Stream("account-0042".into()), 0, 100)
        .expect("read");
    let sent: Vec<i64> = log
        .iter()
        .filter(|e| e.event_type == "TransferSent" && e.version > 5)
        .map(|e| e.version)
        .collect();
    session.send("/type=TransferSent\r");
    let first = format!("│ v{} @", sent[0]);
    session.wait_for("the first match after version 5", |s| s.contains(&first));
    session.send("n");
    let second = format!("│ v{} @", sent[1]);
    session.wait_for("the next match", |s| s.contains(&second));

    // Marks A and B, then `d`: the diff view between them; Esc closes it.
    session.send("a");
    session.send("jj");
    session.send("b");
    session.send("d");
    let from = format!("Diff v{} @", sent[1]);
    session.wait_for("the diff view", |s| {
        s.contains(&from) && s.contains("events between:")
    });
    // `v` shows the two states side by side; Esc closes the view.
    session.send("v");
    session.wait_for("the states side by side", |s| {
        s.contains("(left) · ") && !s.contains("events between:")
    });
    session.send("\x1b");
    session.wait_for("the diff view to close", |s| !s.contains("(left) · "));

    // `B` in the projection pane blames the field on its top line (the
    // state itself at first); Enter jumps to the event that last set it.
    session.send("\t\t");
    session.send("B");
    session.wait_for("the blame view", |s| {
        s.contains("Blame ") && s.contains("history (")
    });
    session.send("\r");
    session.wait_for("the blame view to close", |s| !s.contains("history ("));

    session.quit();
    let screen = session.parser.screen();
    assert!(!screen.alternate_screen(), "still on the alternate screen");
    assert!(!screen.hide_cursor(), "the cursor is still hidden");
}

#[test]
fn escape_sequences_in_payloads_never_reach_the_terminal() {
    let home = tempfile::tempdir().expect("home");
    let store = home.path().join("evil.rewind");
    let rewind = env!("CARGO_BIN_EXE_rewind");
    let run = |args: &[&str]| {
        let status = std::process::Command::new(rewind)
            .args(args)
            .env("HOME", home.path())
            .status()
            .expect("run rewind");
        assert!(status.success(), "rewind {args:?} failed");
    };
    let store_arg = store.to_str().expect("utf-8 path");
    run(&["init", store_arg]);
    let payload = r#"{"title":"\u001b]0;pwned\u0007","clear":"\u001b[2J","clip":"\u001b]52;c;cHduZWQ=\u0007"}"#;
    run(&[
        "append", store_arg, "--stream", "evil-1", "--type", "Evil", "--data", payload,
    ]);

    let mut session = Session::start(home.path(), &[store_arg, "--stream", "evil-1"]);
    session.wait_for("the payload as visible escapes", |s| {
        s.contains(r#""title": "\u001b]0;pwned\u0007""#)
            && s.contains(r#""clear": "\u001b[2J""#)
            && s.contains(r#""clip": "\u001b]52;c;cHduZWQ=\u0007""#)
    });
    session.quit();
    let raw = String::from_utf8_lossy(&session.raw);
    assert!(
        !raw.contains("\u{1b}]0;pwned"),
        "the title sequence reached the terminal"
    );
    assert!(
        !raw.contains("\u{1b}]52"),
        "the clipboard sequence reached the terminal"
    );
    assert!(
        !raw.contains("\u{1b}[2J\""),
        "the clear sequence reached the terminal"
    );
    assert!(!raw.contains('\u{7}'), "a BEL reached the terminal");
}

#[test]
fn mouse_clicks_and_follow_mode() {
    let home = tempfile::tempdir().expect("home");
    let store = home.path().join("live.rewind");
    let store_arg = store.to_str().expect("utf-8 path");
    let rewind = env!("CARGO_BIN_EXE_rewind");
    let append = |stream: &str, event_type: &str| {
        let status = std::process::Command::new(rewind)
            .args([
                "append", store_arg, "--stream", stream, "--type", event_type,
            ])
            .env("HOME", home.path())
            .status()
            .expect("run rewind");
        assert!(status.success());
    };
    let init = std::process::Command::new(rewind)
        .args(["init", store_arg])
        .env("HOME", home.path())
        .status()
        .expect("run rewind");
    assert!(init.success());
    append("live-1", "First");
    append("other-1", "Elsewhere");

    let mut session = Session::start(home.path(), &[store_arg]);
    session.wait_for("the stream list", |s| s.contains("Streams 5 "));
    // The list is $all, $ce-live, $ce-other, live-1, other-1 under the
    // filter line; a left click (SGR encoding, 1-based) on live-1.
    session.send("\u{1b}[<0;6;6M\u{1b}[<0;6;6m");
    session.wait_for("live-1's timeline", |s| s.contains("Timeline live-1 1/1"));

    session.send("f");
    session.wait_for("follow mode", |s| s.contains("following"));
    append("live-1", "Second");
    session.wait_for("the appended event", |s| {
        s.contains("Timeline live-1 2/2") && s.contains("│ v1 @3")
    });
    session.quit();
    assert!(!session.parser.screen().alternate_screen());
}

/// The explorer on a store another program owns: an Emmett SQLite file
/// written by the real library. Same keys, same panes; the type picker
/// filters the timeline; follow picks up the library's next append; and
/// the file holds nothing the session wrote.
#[test]
fn explore_an_emmett_store_filter_types_and_follow() {
    let sandbox = common::Sandbox::new();
    let store = fixtures::emmett_fixture(&sandbox);
    let store_arg = store.to_str().expect("utf-8 path");
    let mut session = Session::start(sandbox.dir.path(), &[store_arg]);
    // $all, $ce-shopping_cart and the two carts.
    session.wait_for("the stream list", |s| s.contains("Streams 4 "));
    session.send("/cart-1\r");
    session.wait_for("the cart's timeline", |s| {
        s.contains("Timeline shopping_cart-1 1/3")
    });
    session.send("G");
    session.wait_for("the state at the last event", |s| {
        s.contains("Timeline shopping_cart-1 3/3") && s.contains("\"confirmedAt\"")
    });

    // T: the picker lists each type with its count; space ticks, Enter
    // filters the timeline to it.
    session.send("T");
    session.wait_for("the type picker", |s| {
        s.contains("Event types") && s.contains("[ ] 2  ProductItemAdded")
    });
    session.send(" \r");
    session.wait_for("the filtered timeline", |s| {
        s.contains("shown · ProductItemAdded") && !s.contains("ShoppingCartConfirmed    ")
    });
    session.send("\x1b");
    session.wait_for("every event again", |s| !s.contains("shown · "));

    session.send("f");
    session.wait_for("follow mode", |s| s.contains("following"));
    fixtures::emmett_append(&store, "shopping_cart-1", "ShoppingCartCancelled", "{}");
    session.wait_for("the library's append", |s| {
        s.contains("Timeline shopping_cart-1 4/4") && s.contains("ShoppingCartCancelled")
    });
    session.quit();
    assert!(!session.parser.screen().alternate_screen());
}

/// The explorer on message-db in a real PostgreSQL server: the same keys
/// and panes, and follow picking up a message another client writes.
#[test]
fn explore_a_message_db_store_and_follow_it() {
    use common::pg::{fresh_database, write_message};
    let (url, mut writer) = fresh_database("pty");
    write_message(
        &mut writer,
        "account-1",
        "Opened",
        r#"{"owner":"Ada"}"#,
        r#"{"actor":"teller"}"#,
    );
    write_message(
        &mut writer,
        "account-1",
        "Deposited",
        r#"{"amount":5}"#,
        "null",
    );
    write_message(&mut writer, "cart-9", "ItemAdded", r#"{"sku":"a"}"#, "null");
    let home = tempfile::tempdir().expect("home");
    let mut session = Session::start(home.path(), &[&url]);
    // $all, the two categories and the two streams.
    session.wait_for("the stream list", |s| s.contains("Streams 5 "));
    session.send("/account-1\r");
    // message-db numbers positions from 0: the stream's rows are 0 and 1.
    session.wait_for("the stream's timeline", |s| {
        s.contains("Timeline account-1 1/2")
    });
    session.send("G");
    session.wait_for("the state at the last message", |s| {
        s.contains("Timeline account-1 2/2") && s.contains("\"amount\": 5")
    });
    session.send("f");
    session.wait_for("follow mode", |s| s.contains("following"));
    write_message(
        &mut writer,
        "account-1",
        "Withdrawn",
        r#"{"amount":2}"#,
        "null",
    );
    session.wait_for("the new message", |s| {
        s.contains("Timeline account-1 3/3") && s.contains("Withdrawn")
    });
    session.quit();
    assert!(!session.parser.screen().alternate_screen());
}

/// Searches read the whole scope in the background: from the top of
/// `$all` of a 250,000-event store, `/` finds an event more than 200,000
/// rows away, and Esc stops a search that is still reading.
#[test]
fn timeline_search_reaches_every_event_and_esc_cancels_it() {
    let home = tempfile::tempdir().expect("home");
    let store = home.path().join("big.rewind");
    let store_arg = store.to_str().expect("utf-8 path");
    let sandbox = common::Sandbox::new();
    sandbox
        .run(&["demo", "--out", store_arg, "--events", "250000"])
        .ok();
    sandbox
        .run(&[
            "append",
            store_arg,
            "--stream",
            "needle-1",
            "--type",
            "NeedleFound",
        ])
        .ok();
    let mut session = Session::start(home.path(), &[store_arg, "--stream", "$all"]);
    session.wait_for("the top of $all", |s| s.contains("Timeline $all 1/250001"));
    session.send("/type=NeedleFound\r");
    session.wait_for("the match 250,000 rows down", |s| {
        s.contains("250001/250001") && s.contains("NeedleFound")
    });
    session.send("g");
    session.wait_for("the top again", |s| s.contains("Timeline $all 1/250001"));
    // Text search tests every byte of every event: still reading when Esc
    // arrives.
    session.send("/no such text anywhere at all\r\x1b");
    session.wait_for("the search to be cancelled", |s| s.contains("cancelled"));
    assert!(session.screen().contains("Timeline $all 1/250001"));
    session.quit();
}

/// The payloads of the OSC 52 clipboard sequences in `raw`, decoded.
#[test]
fn copy_sends_the_value_and_the_event_through_osc_52_only() {
    let home = tempfile::tempdir().expect("home");
    let mut session = Session::start(home.path(), &["--stream", "account-0014"]);
    session.wait_for("the stream's timeline", |s| {
        s.contains("Timeline account-0014 1/")
    });
    // In the timeline, y copies the event's data; E the event itself.
    session.send("y");
    session.wait_for("the copy message", |s| {
        s.contains("copied the data of event")
    });
    session.send("E");
    session.wait_for("the second copy message", |s| s.contains("as NDJSON"));
    session.quit();
    let copied = clipboard_writes(&session.raw);
    assert_eq!(copied.len(), 2, "{copied:?}");
    let data: serde_json::Value = serde_json::from_str(&copied[0]).expect("the data is JSON");
    assert_eq!(data["owner"], "Grace Hopper");
    let event: serde_json::Value = serde_json::from_str(&copied[1]).expect("an NDJSON line");
    assert_eq!(event["stream"], "account-0014");
    assert_eq!(event["type"], "AccountOpened");
    // The copied text never reached the screen itself.
    let raw = String::from_utf8_lossy(&session.raw);
    assert!(
        !raw.contains("Grace Hopper\",\"currency"),
        "the data was written raw"
    );
}
