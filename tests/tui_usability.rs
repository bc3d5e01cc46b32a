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
