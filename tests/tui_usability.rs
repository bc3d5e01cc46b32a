//! The explorer as a new user meets it, end to end in a pseudo-terminal
//! (`tests/common/pty.rs`): what plain `rewind` opens with, editing a
//! prompt like a shell, local times, follow, the jump list, errors.

mod common;

use common::pty::Session;

#[test]
fn plain_rewind_opens_each_demo_stream_with_its_projection() {
    let home = tempfile::tempdir().expect("home");
    let mut session = Session::start(home.path(), &["--stream", "account-0042"]);
    session.wait_for("bank.js on an account", |s| {
        s.contains("Projection bank.js 1/4") && s.contains(r#""holder": {"#)
    });
    session.quit();
}

#[test]
fn in_local_time_a_typed_time_is_read_in_the_local_zone() {
    let home = tempfile::tempdir().expect("home");
    let mut session = Session::start_with(
        home.path(),
        &["--stream", "account-0042"],
        &[("TZ", "Europe/Paris")],
    );
    session.wait_for("the stream", |s| s.contains("Timeline account-0042 1/"));
    session.send("t:");
    session.wait_for("the prompt naming the zone", |s| {
        s.contains("times in local time, Europe/Paris +01:00")
    });
    // 16:50 in Paris is 15:50 UTC: v7 (12:22 UTC), not v8 (16:49 UTC).
    session.send("2025-03-06 16:50\r");
    session.wait_for("version 7", |s| {
        s.contains("│ v7 @2631 2025-03-06 13:22:06")
    });
    session.send("t:");
    session.wait_for("the prompt in UTC", |s| s.contains("times in UTC"));
    session.send("2025-03-06 16:50\r");
    session.wait_for("version 8", |s| {
        s.contains("│ v8 @2723 2025-03-06T16:49:07")
    });
    session.quit();
}

#[test]
fn ctrl_o_goes_back_from_the_last_event_to_the_version_gone_to() {
    let home = tempfile::tempdir().expect("home");
    let mut session = Session::start(home.path(), &["--stream", "account-0042"]);
    session.wait_for("the stream", |s| s.contains("Timeline account-0042 1/39"));
    session.send(":10\r");
    session.wait_for("version 10", |s| s.contains("Timeline account-0042 11/39"));
    session.send("G");
    session.wait_for("the last event", |s| {
        s.contains("Timeline account-0042 39/39")
    });
    session.send("\x0f");
    session.wait_for("back at version 10", |s| {
        s.contains("Timeline account-0042 11/39") && s.contains("│ v10 @")
    });
    session.quit();
}

#[test]
fn the_error_overlay_shows_a_failing_handlers_stack() {
    let home = tempfile::tempdir().expect("home");
    let script = home.path().join("throw.js");
    std::fs::write(
        &script,
        "fromAll().when({ $init: () => ({n: 0}),\n  FundsDeposited: (s, e) => {\n    if (s.n > 2) { throw new Error('boom at ' + e.position); }\n    s.n += 1;\n  } });\n",
    )
    .expect("write");
    let script = script.to_str().expect("utf-8 path");
    let mut session = Session::start(
        home.path(),
        &["--stream", "account-0042", "--projection", script],
    );
    session.wait_for("the stream", |s| s.contains("Timeline account-0042 1/39"));
    session.send("G");
    session.wait_for("the failure in the pane", |s| {
        s.contains("[!: the whole error]")
    });
    session.send("!");
    session.wait_for("the error overlay with its stack", |s| {
        s.contains("Projection throw.js failed") && s.contains("stack:") && s.contains("throw.js:3")
    });
    session.quit();
}

#[test]
fn ctrl_w_and_ctrl_u_edit_the_stream_filter() {
    let home = tempfile::tempdir().expect("home");
    let mut session = Session::start(home.path(), &[]);
    session.wait_for("the stream list", |s| s.contains("Streams 843 "));
    session.send("/crt42 uzzz");
    session.wait_for("the filter typed", |s| s.contains("/crt42 uzzz▏"));
    session.send("\x17");
    session.wait_for("the last word gone", |s| {
        s.contains("/crt42 ▏") && s.contains("cart-00042")
    });
    session.send("\x15acc42");
    session.wait_for("the line replaced", |s| {
        s.contains("/acc42▏") && s.contains("account-0042") && !s.contains("cart-00042")
    });
    session.send("\x1b");
    session.wait_for("the prompt closed", |s| s.contains("Streams 843 "));
    session.quit();
}

#[test]
fn a_scroll_back_pauses_follow_while_another_process_appends() {
    let sandbox = common::Sandbox::new();
    let store = sandbox.path("live.rewind");
    let store = store.to_str().expect("utf-8 path");
    let append = |event_type: &str| {
        sandbox
            .run(&["append", store, "--stream", "live-1", "--type", event_type])
            .ok();
    };
    sandbox.run(&["init", store]).ok();
    for event_type in ["Opened", "Changed", "Changed"] {
        append(event_type);
    }
    let mut session = Session::start(sandbox.dir.path(), &[store, "--stream", "live-1"]);
    session.wait_for("the stream", |s| s.contains("Timeline live-1 1/3"));
    session.send("f");
    session.wait_for("following, at the last event", |s| {
        s.contains("Timeline live-1 3/3") && s.contains("following")
    });
    session.send("k");
    session.wait_for("following paused by the move back", |s| {
        s.contains("Timeline live-1 2/3 · 0 new, following paused")
    });
    append("Closed");
    session.wait_for("the new event counted, the cursor left where it was", |s| {
        s.contains("Timeline live-1 2/4 · 1 new, following paused")
    });
    session.send("f");
    session.wait_for("following again, at the newest event", |s| {
        s.contains("Timeline live-1 4/4") && s.contains("│ following")
    });
    session.quit();
}

#[test]
fn at_80x24_the_streams_pane_gives_way_and_s_brings_it_back() {
    let home = tempfile::tempdir().expect("home");
    let mut session = Session::start_sized(home.path(), &[], &[], (24, 80));
    session.wait_for("the stream list", |s| s.contains("Streams 843 "));
    session.send("/account-0042\r");
    session.wait_for("the stream on the whole width, types whole", |s| {
        !s.contains("Streams 843")
            && s.contains("┌ Timeline account-0042 1/39 ")
            && s.contains("AccountOpened")
            && s.contains("s streams")
    });
    session.send("s");
    session.wait_for("the list back, as it was filtered", |s| {
        s.contains("┌ Streams 1 ") && s.contains("/account-0042")
    });
    session.send("s");
    session.wait_for("the list hidden again", |s| !s.contains("┌ Streams"));
    session.quit();
}
