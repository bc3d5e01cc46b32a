//! The state inspector as a user meets it on the demo with bank.js at
//! 120x36: find, fold, copy and blame on the tree cursor, a blame's
//! history opened, and numbers shown exactly as stored.

use super::*;
use crate::tui::app::Pane;

/// `/` then `text` then Enter, in the focused pane.
fn find(app: &mut App, text: &str) {
    command(app, Command::Filter);
    type_text(app, text);
    command(app, Command::Confirm);
}

#[test]
fn find_fold_copy_and_blame_on_grace_hoppers_account() {
    let mut app = open_with_projection("account-0042", "bank.js", 120, 36);
    command(&mut app, Command::Last);
    app.focus = Pane::Projection;
    find(&mut app, "/holder");
    assert_eq!(app.projection.tree.pointer(), Some("/holder"));
    assert!(screen_text(&draw(&app)).contains("Grace Hopper"));
    command(&mut app, Command::ToggleFold);
    let screen = screen_text(&draw(&app));
    assert!(!screen.contains("Grace Hopper"), "{screen}");
    assert!(screen.contains("\"holder\": {…} 2 keys"), "{screen}");
    // A pointer inside the fold is unfolded to be found, then copied.
    find(&mut app, "/holder/email");
    assert_eq!(app.projection.tree.pointer(), Some("/holder/email"));
    command(&mut app, Command::Copy);
    assert_eq!(app.status.clipboard.as_deref(), Some("grace@example.org"));
    // B blames the field under the cursor, however deep.
    find(&mut app, "/transfersIn/total");
    command(&mut app, Command::Blame);
    settle(&mut app);
    let report = &app.overlays.report().expect("the blame").report;
    assert_eq!(report.title, "Blame /transfersIn/total");
    assert!(report.chart.is_some(), "a number: its chart is drawn");
    // The oldest change is the last row; Enter opens its event.
    let (row, (_, version)) = report
        .targets
        .iter()
        .enumerate()
        .filter_map(|(i, t)| t.clone().map(|t| (i, t)))
        .next_back()
        .expect("history rows");
    command(&mut app, Command::Last);
    assert_eq!(app.overlays.report().expect("open").cursor, row);
    command(&mut app, Command::Confirm);
    settle(&mut app);
    assert!(app.overlays.report().is_none());
    let event = app.timeline.cursor_event().expect("an event");
    assert_eq!(event.version, version);
}

#[test]
fn the_event_pane_shows_numbers_as_stored() {
    let (_dir, path) = writable_copy();
    append(
        &path,
        "numbers-1",
        "Measured",
        r#"{"big":123456789012345678901234567890,"long":0.1000000000000000055511151231257827}"#,
    );
    let mut app = open(&path, Some("numbers-1"), None, 120, 36);
    app.focus = Pane::Event;
    command(&mut app, Command::Zoom);
    let screen = screen_text(&draw(&app));
    assert!(
        screen.contains("123456789012345678901234567890"),
        "{screen}"
    );
    assert!(
        screen.contains("0.1000000000000000055511151231257827"),
        "{screen}"
    );
    // Copied as stored too.
    find(&mut app, "/data/big");
    command(&mut app, Command::Copy);
    assert_eq!(
        app.status.clipboard.as_deref(),
        Some("123456789012345678901234567890")
    );
}
