//! Prompts edit like a shell line, through the real key path (keymap →
//! action): the cursor moves, words and ends are deleted, and ↑ ↓ recall
//! what was typed before, across sessions.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::tui::terminal::key_action;

fn key(app: &mut App, code: KeyCode, modifiers: KeyModifiers) {
    if let Some(action) = key_action(app, &KeyEvent::new(code, modifiers)) {
        update(app, action);
    }
}

fn ctrl(app: &mut App, c: char) {
    key(app, KeyCode::Char(c), KeyModifiers::CONTROL);
}

fn typed(app: &App) -> String {
    app.overlays
        .prompt()
        .map(|p| p.text().to_string())
        .unwrap_or_default()
}

#[test]
fn a_prompt_edits_like_a_shell_line() {
    let mut app = open(demo_path(), Some("account-0042"), None, 120, 36);
    command(&mut app, Command::Filter);
    type_text(&mut app, "crt42 uzzz");
    ctrl(&mut app, 'w');
    assert_eq!(typed(&app), "crt42 ");
    ctrl(&mut app, 'u');
    assert_eq!(typed(&app), "");
    type_text(&mut app, "type=Transfer");
    ctrl(&mut app, 'a');
    type_text(&mut app, "/");
    key(&mut app, KeyCode::End, KeyModifiers::NONE);
    type_text(&mut app, "Sent");
    assert_eq!(typed(&app), "/type=TransferSent");
    for _ in 0..4 {
        key(&mut app, KeyCode::Left, KeyModifiers::NONE);
    }
    ctrl(&mut app, 'k');
    assert_eq!(typed(&app), "/type=Transfer");
    ctrl(&mut app, 'h');
    key(&mut app, KeyCode::Right, KeyModifiers::NONE);
    assert_eq!(typed(&app), "/type=Transfe");
    // The cursor is drawn where it is, not at the end.
    ctrl(&mut app, 'a');
    key(&mut app, KeyCode::Right, KeyModifiers::NONE);
    let screen = screen_text(&draw(&app));
    assert!(screen.contains("//▏type=Transfe"), "{screen}");
}

#[test]
fn up_and_down_recall_what_was_typed_and_it_outlives_the_session() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("prompt_history.json");
    let open_with_history = || {
        let mut opts = options(demo_path(), Some("account-0042"), None);
        opts.history_file = Some(file.clone());
        let mut app = App::new(opts, Rect::new(0, 0, 120, 36)).expect("app");
        settle(&mut app);
        app
    };
    let mut app = open_with_history();
    for point in ["10", "@2700"] {
        command(&mut app, Command::GoTo);
        type_text(&mut app, point);
        command(&mut app, Command::Confirm);
        settle(&mut app);
    }
    let mut app = open_with_history();
    command(&mut app, Command::GoTo);
    type_text(&mut app, "draft");
    key(&mut app, KeyCode::Up, KeyModifiers::NONE);
    assert_eq!(typed(&app), "@2700");
    key(&mut app, KeyCode::Up, KeyModifiers::NONE);
    assert_eq!(typed(&app), "10");
    key(&mut app, KeyCode::Up, KeyModifiers::NONE);
    assert_eq!(typed(&app), "10", "the oldest stays");
    key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    assert_eq!(typed(&app), "@2700");
    key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    assert_eq!(
        typed(&app),
        "draft",
        "past the newest: what was being typed"
    );
    // Each prompt has its own history.
    command(&mut app, Command::Cancel);
    command(&mut app, Command::Filter);
    key(&mut app, KeyCode::Up, KeyModifiers::NONE);
    assert_eq!(typed(&app), "");
}
