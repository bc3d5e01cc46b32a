//! Untrusted data and hostile conditions: escapes, wide characters,
//! huge payloads, tiny terminals, empty stores, and read-only access.

use std::time::Instant;

use super::*;
use crate::core::store::Scope;
use crate::tui::action::Mouse;
use crate::tui::app::Pane;

#[test]
fn hostile_payloads_render_as_visible_escapes() {
    let (_dir, path) = writable_copy();
    let evil = r#"{"title":"\u001b]0;pwned\u0007","clear":"\u001b[2J","clip":"\u001b]52;c;aGk=\u0007","bidi":"\u202eevil","wide":"日本語テキスト🎉"}"#;
    // The store refuses control characters in names, not bidi overrides
    // or invisible characters.
    append(&path, "evil-\u{202e}der", "Evil\u{200b}Type", evil);
    let mut app = open(&path, Some("evil-\u{202e}der"), None, 160, 48);
    settle(&mut app);
    let text = screen_text(&draw(&app));
    let dangerous = text
        .chars()
        .filter(|c| crate::core::sanitize::is_dangerous(*c) && *c != '\n');
    assert_eq!(dangerous.count(), 0);
    assert!(text.contains("Evil\\u{200b}Type"), "{text}");
    assert!(text.contains("evil-\\u{202e}der"));
    assert!(text.contains("\\u001b]0;pwned\\u0007"));
    assert!(text.contains("日"));
}

#[test]
fn huge_and_deep_payloads_render_quickly() {
    let (_dir, path) = writable_copy();
    let big = format!(r#"{{"blob":"{}","n":1}}"#, "x".repeat(5_000_000));
    append(&path, "big-1", "Big", &big);
    let deep = format!("{}1{}", "[".repeat(120), "]".repeat(120));
    append(&path, "big-1", "Deep", &deep);
    let mut app = open(&path, Some("big-1"), None, 80, 24);
    let started = Instant::now();
    let _ = draw(&app);
    command(&mut app, Command::Down);
    let _ = draw(&app);
    assert!(started.elapsed().as_secs() < 5);
}

#[test]
fn wide_characters_keep_columns_aligned() {
    let (_dir, path) = writable_copy();
    for i in 0..3 {
        append(
            &path,
            "注文-日本語🎉",
            "注文作成🎉イベント",
            &format!(r#"{{"品目":"寿司🍣","n":{i}}}"#),
        );
    }
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = open(&path, None, None, w, h);
        command(&mut app, Command::Filter);
        type_text(&mut app, "注文");
        update(&mut app, Action::Command(Command::Confirm));
        settle(&mut app);
        assert_eq!(app.timeline.scope, Scope::Stream("注文-日本語🎉".into()));
        let terminal = draw(&app);
        let buffer = terminal.backend().buffer();
        let panes = app.areas();
        // Every row keeps its pane borders where the layout put them.
        let shown = [panes.streams, panes.timeline, panes.event, panes.projection];
        for area in shown.into_iter().filter(|a| a.width > 0) {
            for y in area.y + 1..area.y + area.height - 1 {
                let left = buffer[(area.x, y)].symbol();
                let right = buffer[(area.x + area.width - 1, y)].symbol();
                assert_eq!((left, right), ("│", "│"), "row {y} of {area:?} at {w}x{h}");
            }
        }
        assert!(screen_text(&terminal).contains("注"));
    }
}

#[test]
fn tiny_terminals_and_empty_stores_do_not_panic() {
    let mut app = open(demo_path(), Some("account-0042"), None, 80, 24);
    for (w, h) in [(1, 1), (2, 2), (10, 5), (20, 8), (33, 12), (0, 0)] {
        update(
            &mut app,
            Action::Resize {
                width: w,
                height: h,
            },
        );
        settle(&mut app);
        let _ = draw(&app);
        command(&mut app, Command::Help);
        let _ = draw(&app);
        command(&mut app, Command::Help);
        command(&mut app, Command::Down);
        update(&mut app, Action::Mouse(Mouse::Down { column: 0, row: 0 }));
        update(&mut app, Action::Mouse(Mouse::Drag { column: 3, row: 1 }));
        settle(&mut app);
    }

    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("empty.rewind");
    drop(SqliteStore::create(&path).expect("create"));
    let mut app = open(&path, None, None, 80, 24);
    assert_eq!(app.timeline.count, 0);
    for c in Command::ALL {
        if c != Command::Quit {
            command(&mut app, c);
        }
    }
    update(&mut app, Action::Command(Command::Cancel));
    command(&mut app, Command::GoTo);
    type_text(&mut app, "@5");
    update(&mut app, Action::Command(Command::Confirm));
    settle(&mut app);
    update(&mut app, Action::Tick { now_ms: 5_000 });
    let text = screen_text(&draw(&app));
    assert!(text.contains("no events"));
}

#[test]
fn exploring_never_writes_to_the_store() {
    use sha2::{Digest, Sha256};
    let (dir, path) = writable_copy();
    let digest = |p: &Path| Sha256::digest(std::fs::read(p).expect("read")).to_vec();
    let before = digest(&path);
    let files_before = std::fs::read_dir(dir.path()).expect("dir").count();
    {
        let mut app = open(&path, None, None, 80, 24);
        app.focus = Pane::Timeline;
        for c in [
            Command::Last,
            Command::PageUp,
            Command::NextSameType,
            Command::Follow,
        ] {
            command(&mut app, c);
        }
        update(&mut app, Action::Tick { now_ms: 1_000 });
        settle(&mut app);
    }
    assert_eq!(digest(&path), before);
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("dir").count(),
        files_before
    );
}
