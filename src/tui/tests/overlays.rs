//! The overlay stack: the top overlay gets every key, through its own
//! table of the keymap, and closing it gives the keys back to the one
//! under it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::tui::overlay::{Mode, PromptKind};
use crate::tui::terminal::key_action;

/// The action a key press becomes in the mode in force, then applied.
fn press(app: &mut App, code: KeyCode) {
    let key = KeyEvent::new(code, KeyModifiers::NONE);
    if let Some(action) = key_action(app, &key) {
        update(app, action);
        settle(app);
    }
}

#[test]
fn help_over_a_report_takes_one_key_then_the_report_has_them_again() {
    let mut app = open(demo_path(), Some("account-0042"), Some(1), 80, 24);
    press(&mut app, KeyCode::Char('a'));
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('d'));
    assert_eq!(app.overlays.mode(), Mode::Report);
    let cursor = app.timeline.cursor;
    press(&mut app, KeyCode::Char('?'));
    assert_eq!(app.overlays.mode(), Mode::Help);
    let text = screen_text(&draw(&app));
    assert!(
        text.contains("A diff, blame or list of events"),
        "the help screen lists the report's keys first: {text}"
    );
    // j scrolls the help; another key does nothing; Esc closes it, and
    // nothing else happened.
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.overlays.help_scroll, 1);
    press(&mut app, KeyCode::Char('x'));
    assert_eq!(app.overlays.mode(), Mode::Help);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.overlays.mode(), Mode::Report);
    assert_eq!(app.timeline.cursor, cursor);
    // In the report, j moves its selection rather than the cursor.
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.overlays.report().expect("report").cursor, 1);
    assert_eq!(app.timeline.cursor, cursor);
    // A key the report does not bind closes it; then keys reach the panes.
    press(&mut app, KeyCode::Char('z'));
    assert_eq!(app.overlays.mode(), Mode::Explorer);
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.timeline.cursor, cursor + 1);
}

#[test]
fn a_prompt_types_what_the_explorer_would_bind() {
    let mut app = open(demo_path(), Some("account-0042"), None, 80, 24);
    press(&mut app, KeyCode::Char(':'));
    assert!(app
        .overlays
        .prompt()
        .is_some_and(|p| p.kind == PromptKind::GoTo));
    // q quits in the explorer; in a prompt it is typed.
    for c in "q2".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Backspace);
    press(&mut app, KeyCode::Backspace);
    press(&mut app, KeyCode::Char('2'));
    assert!(!app.quit);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.overlays.mode(), Mode::Explorer);
    assert_eq!(app.timeline.cursor, 2);
}

#[test]
fn the_pickers_keys_are_its_own_table() {
    let dir = tempfile::tempdir().expect("dir");
    let keymap = "play_pause = [\"P\"]\n[picker]\ntoggle = [\"x\"]\n";
    std::fs::write(dir.path().join("keymap.toml"), keymap).expect("write");
    let mut opts = options(demo_path(), Some("account-0042"), None);
    opts.config_dir = Some(dir.path().to_path_buf());
    let mut app = App::new(opts, Rect::new(0, 0, 100, 40)).expect("app");
    settle(&mut app);
    press(&mut app, KeyCode::Char('T'));
    assert_eq!(app.overlays.mode(), Mode::Picker);
    // Space no longer ticks (it was rebound), x does; the hint says so.
    press(&mut app, KeyCode::Char(' '));
    assert!(app.overlays.picker().expect("picker").chosen.is_empty());
    press(&mut app, KeyCode::Char('x'));
    assert_eq!(app.overlays.picker().expect("picker").chosen.len(), 1);
    let text = screen_text(&draw(&app));
    assert!(text.contains("x ticks"), "{text}");
    // Play mode's key is not the picker's.
    press(&mut app, KeyCode::Char('P'));
    assert!(!app.playback.playing);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.overlays.mode(), Mode::Explorer);
    press(&mut app, KeyCode::Char('P'));
    assert!(app.playback.playing);
}
