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
