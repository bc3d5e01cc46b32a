//! Reading long values: zoom (the focused pane fills the screen, Tab
//! moves the zoom), sideways scrolling, and a value whole in its overlay.

use super::*;
use crate::tui::app::Pane;
use crate::tui::layout::{areas, inner};

fn open_with_bank(stream: &str) -> App {
    open_with_projection(stream, "bank.js", 120, 36)
}

/// A copy of the demo with one event in `notes-1` whose text is `body`
/// then `THE-END`, opened on that stream at `width` x `height`; the
/// store's directory (kept alive), the text and the explorer.
fn open_on_long_note(body: &str, width: u16, height: u16) -> (tempfile::TempDir, String, App) {
    let (dir, path) = writable_copy();
    let long = format!("{body}THE-END");
    append(
        &path,
        "notes-1",
        "NoteWritten",
        &format!(r#"{{"text":"{long}"}}"#),
    );
    let app = open(&path, Some("notes-1"), None, width, height);
    (dir, long, app)
}

#[test]
fn zoom_fills_the_screen_with_the_focused_pane() {
    let mut app = open(demo_path(), Some("account-0042"), None, 160, 48);
    let shared = areas(app.size);
    command(&mut app, Command::Zoom);
    let zoomed = app.areas();
    assert_eq!(app.focus, Pane::Timeline);
    // The timeline (with its histogram) takes every row above the status.
    assert_eq!(
        zoomed.histogram.y + zoomed.histogram.height,
        zoomed.timeline.y
    );
    assert_eq!(zoomed.timeline.y + zoomed.timeline.height, zoomed.status.y);
    assert_eq!(zoomed.timeline.width, 160);
    assert!(app.timeline_rows() > inner(shared.timeline).height as usize);
    assert_eq!(zoomed.event.width, 0);
    let text = screen_text(&draw(&app));
    assert!(!text.contains(" Event "), "{text}");
    assert!(text.contains("zoomed"), "{text}");
    // The zoom follows the focus.
    command(&mut app, Command::FocusNext);
    assert_eq!(app.focus, Pane::Event);
    assert_eq!(app.areas().event.width, 160);
    assert_eq!(app.areas().timeline.width, 0);
    let text = screen_text(&draw(&app));
    assert!(text.contains(" Event "), "{text}");
    // Zoom again: the panes share the screen as before.
    command(&mut app, Command::Zoom);
    assert_eq!(app.areas(), shared);
}

#[test]
fn long_lines_scroll_sideways_in_the_event_pane() {
    let mut app = open(demo_path(), Some("account-0042"), None, 80, 24);
    app.focus = Pane::Event;
    let before = screen_text(&draw(&app));
    command(&mut app, Command::ScrollRight);
    assert_eq!(app.event.tree.hscroll, 8);
    let after = screen_text(&draw(&app));
    assert_ne!(before, after, "the Event pane's lines moved left");
    command(&mut app, Command::ScrollLeft);
    command(&mut app, Command::ScrollLeft);
    assert_eq!(app.event.tree.hscroll, 0, "no further left than the start");
    assert_eq!(screen_text(&draw(&app)), before);
    // The timeline's rows fit its width: nothing to scroll there.
    app.focus = Pane::Timeline;
    command(&mut app, Command::ScrollRight);
    assert_eq!(app.event.tree.hscroll, 0);
}

#[test]
fn enter_in_the_projection_pane_shows_a_long_value_whole() {
    let (_dir, long, mut app) = open_on_long_note(&"0123456789".repeat(60), 80, 24);
    scroll_projection_to(&mut app, "/fields/text");
    // On the pane's line the value is cut; the overlay has all of it.
    assert!(!screen_text(&draw(&app)).contains("THE-END"));
    command(&mut app, Command::Confirm);
    let value = app.overlays.value().expect("the value overlay is open");
    assert_eq!(value.text, long);
    let screen = screen_text(&draw(&app));
    assert!(screen.contains("/fields/text"), "{screen}");
    assert!(screen.contains("THE-END"), "wrapped to the end: {screen}");
    // Any other key closes it.
    command(&mut app, Command::Cancel);
    assert!(app.overlays.value().is_none());
}

#[test]
fn changes_shows_what_the_event_changed_first() {
    let mut app = open_with_bank("account-0001");
    // The stream's last event closes the account.
    command(&mut app, Command::Last);
    assert_eq!(
        app.timeline.cursor_event().map(|e| e.event_type.as_str()),
        Some("AccountClosed")
    );
    command(&mut app, Command::Changes);
    assert!(app.projection.changes);
    let status = app
        .projection
        .tree
        .paths
        .iter()
        .position(|p| p == "/status")
        .expect("the status changed");
    assert!(
        status <= 3,
        "among the first lines: {:?}",
        app.projection.tree.paths
    );
    app.focus = Pane::Projection;
    let screen = screen_text(&draw(&app));
    assert!(screen.contains(r#"/status  "open" → "closed""#), "{screen}");
    // The mode stays as the cursor moves, and C shows the whole state.
    app.focus = Pane::Timeline;
    command(&mut app, Command::Up);
    assert_ne!(
        app.timeline.cursor_event().map(|e| e.event_type.as_str()),
        Some("AccountClosed")
    );
    assert!(app.projection.changes);
    command(&mut app, Command::Changes);
    assert!(!app.projection.changes);
    assert!(app.projection.tree.paths.iter().any(|p| p == "/holder"));
}

#[test]
fn y_copies_the_value_y_its_path_and_e_the_event() {
    let mut app = open(demo_path(), Some("account-0014"), None, 120, 36);
    scroll_projection_to(&mut app, "/fields/owner");
    command(&mut app, Command::Copy);
    assert_eq!(app.status.clipboard.as_deref(), Some("Grace Hopper"));
    let message = app.status.message.clone().unwrap_or_default();
    assert!(message.contains("/fields/owner"), "{message}");
    command(&mut app, Command::CopyPath);
    assert_eq!(app.status.clipboard.as_deref(), Some("/fields/owner"));
    // The event as a line `rewind import` reads back.
    command(&mut app, Command::CopyEvent);
    let line = app.status.clipboard.clone().expect("copied");
    let record = crate::core::ndjson::parse_line(&line).expect("an NDJSON event");
    let event = app.timeline.cursor_event().expect("event");
    assert_eq!(record.stream, event.stream);
    assert_eq!(record.event.event_type, event.event_type);
    assert!(!line.contains('\n'));
}

#[test]
fn braces_step_through_the_lines_the_event_changed() {
    let mut app = open(demo_path(), Some("account-0042"), Some(2), 120, 36);
    assert!(!app.projection.tree.changed.is_empty());
    let mut visited = Vec::new();
    while app.projection.tree.step_change(true) {
        visited.push(app.projection.tree.cursor);
    }
    assert_eq!(
        visited, app.projection.tree.changed,
        "every changed line, in order"
    );
    assert!(visited
        .iter()
        .any(|&line| app.projection.tree.paths[line] == "/events"));
    command(&mut app, Command::NextChange);
    let message = app.status.message.clone().unwrap_or_default();
    assert!(message.contains("no change below"), "{message}");
    command(&mut app, Command::PreviousChange);
    assert_eq!(
        Some(&app.projection.tree.cursor),
        visited.iter().rev().nth(1)
    );
}

#[test]
fn slash_in_a_pane_finds_a_pointer_or_text_there() {
    let mut app = open(demo_path(), Some("account-0042"), Some(5), 120, 36);
    app.focus = Pane::Projection;
    command(&mut app, Command::Filter);
    assert!(app
        .overlays
        .prompt()
        .is_some_and(|p| p.kind == crate::tui::overlay::PromptKind::Find));
    type_text(&mut app, "/events");
    command(&mut app, Command::Confirm);
    assert_eq!(
        app.projection.tree.paths[app.projection.tree.cursor],
        "/events"
    );
    // Text is found in keys and values as shown, and n goes on to the next.
    command(&mut app, Command::Filter);
    type_text(&mut app, "fundsdeposited");
    command(&mut app, Command::Confirm);
    let first = app.projection.tree.cursor;
    let line = |app: &App, i: usize| -> String {
        app.projection.tree.lines[i]
            .spans
            .iter()
            .map(|s| s.content.as_ref())
            .collect()
    };
    assert!(
        line(&app, first).contains("FundsDeposited"),
        "{}",
        line(&app, first)
    );
    command(&mut app, Command::SearchNext);
    let second = app.projection.tree.cursor;
    assert_ne!(second, first);
    assert!(line(&app, second).contains("FundsDeposited"));
    command(&mut app, Command::SearchPrevious);
    assert_eq!(app.projection.tree.cursor, first);
    // The timeline's cursor never moved: n and N stayed in the pane.
    assert_eq!(app.timeline.cursor, 5);
    // In the Event pane, the header is found too.
    app.focus = Pane::Event;
    command(&mut app, Command::Filter);
    type_text(&mut app, "correlation");
    command(&mut app, Command::Confirm);
    let shown: String = app.event.tree.lines[app.event.tree.cursor]
        .spans
        .iter()
        .map(|s| s.content.as_ref())
        .collect();
    assert!(shown.starts_with("correlation"), "{shown}");
    command(&mut app, Command::Filter);
    type_text(&mut app, "no such text");
    command(&mut app, Command::Confirm);
    let message = app.status.message.clone().unwrap_or_default();
    assert!(message.contains("is not in this pane"), "{message}");
}

#[test]
fn w_wraps_long_lines_in_the_projection_pane() {
    let (_dir, _long, mut app) = open_on_long_note(&"abcdefghij".repeat(12), 160, 48);
    scroll_projection_to(&mut app, "/fields/text");
    assert!(!screen_text(&draw(&app)).contains("THE-END"));
    command(&mut app, Command::Wrap);
    let screen = screen_text(&draw(&app));
    assert!(screen.contains("THE-END"), "{screen}");
    assert!(screen.contains("wrap"), "{screen}");
    assert_eq!(
        app.projection.tree.paths[app.projection.tree.cursor],
        "/fields/text"
    );
    command(&mut app, Command::Wrap);
    assert!(!screen_text(&draw(&app)).contains("THE-END"));
}

#[test]
fn objects_fold_into_one_line_and_stay_folded() {
    let mut app = open_with_bank("account-0001");
    command(&mut app, Command::Down);
    scroll_projection_to(&mut app, "/transfersIn");
    let has = |app: &App, p: &str| app.projection.tree.paths.iter().any(|q| q == p);
    assert!(has(&app, "/transfersIn/total"));
    // Enter on an object folds it; the top line stays on it.
    command(&mut app, Command::Confirm);
    assert!(app.overlays.value().is_none());
    assert!(!has(&app, "/transfersIn/total"));
    assert_eq!(
        app.projection.tree.paths[app.projection.tree.cursor],
        "/transfersIn"
    );
    let screen = screen_text(&draw(&app));
    assert!(screen.contains("\"transfersIn\": {…} 2 keys"), "{screen}");
    // Zoomed, the pane's title has room for the top line's pointer.
    command(&mut app, Command::Zoom);
    let screen = screen_text(&draw(&app));
    assert!(screen.contains("[account-0001] /transfersIn"), "{screen}");
    command(&mut app, Command::Zoom);
    // It stays folded as the cursor moves; o unfolds it.
    app.focus = Pane::Timeline;
    command(&mut app, Command::Down);
    assert!(!has(&app, "/transfersIn/total"));
    app.focus = Pane::Projection;
    command(&mut app, Command::ToggleFold);
    assert!(has(&app, "/transfersIn/total"));
    // Collapse all, expand all.
    command(&mut app, Command::CollapseAll);
    assert!(!has(&app, "/transfersIn/total") && !has(&app, "/transfersOut/total"));
    command(&mut app, Command::ExpandAll);
    assert!(has(&app, "/transfersIn/total") && has(&app, "/transfersOut/total"));
}

#[test]
fn the_tree_cursor_moves_and_the_pane_follows_it() {
    let mut app = open_with_bank("account-0001");
    app.focus = Pane::Projection;
    let (rows, _) = app.tree_rows(Pane::Projection);
    assert!(
        app.projection.tree.lines.len() > rows,
        "more lines than rows"
    );
    command(&mut app, Command::Last);
    let tree = &app.projection.tree;
    assert_eq!(tree.cursor, tree.lines.len() - 1);
    assert_eq!(
        tree.scroll,
        tree.lines.len() - rows,
        "the last line is in view"
    );
    command(&mut app, Command::First);
    assert_eq!(
        (app.projection.tree.cursor, app.projection.tree.scroll),
        (0, 0)
    );
    // The cursor, not the top line, is what the title names.
    scroll_projection_to(&mut app, "/transfersIn/total");
    let tree = &app.projection.tree;
    assert!(tree.scroll <= tree.cursor && tree.cursor < tree.scroll + rows);
    command(&mut app, Command::Zoom);
    let screen = screen_text(&draw(&app));
    assert!(screen.contains("] /transfersIn/total"), "{screen}");
    command(&mut app, Command::Zoom);
    // It stays on its field as the timeline's cursor moves.
    app.focus = Pane::Timeline;
    command(&mut app, Command::Down);
    command(&mut app, Command::Down);
    assert_eq!(app.projection.tree.pointer(), Some("/transfersIn/total"));
}

#[test]
fn the_event_pane_is_a_tree_too() {
    let mut app = open(demo_path(), Some("account-0042"), Some(1), 120, 36);
    app.focus = Pane::Event;
    command(&mut app, Command::Filter);
    type_text(&mut app, "/metadata");
    command(&mut app, Command::Confirm);
    assert_eq!(app.event.tree.pointer(), Some("/metadata"));
    command(&mut app, Command::ToggleFold);
    let has = |app: &App, p: &str| app.event.tree.paths.iter().any(|q| q == p);
    assert!(!has(&app, "/metadata/correlationId"));
    let screen = screen_text(&draw(&app));
    assert!(screen.contains("\"metadata\": {…} 3 keys"), "{screen}");
    // Folds outlive the event: the next one's metadata is folded too.
    app.focus = Pane::Timeline;
    command(&mut app, Command::Down);
    assert!(!has(&app, "/metadata/correlationId"));
    // A pointer inside a fold is unfolded to be found.
    app.focus = Pane::Event;
    command(&mut app, Command::Filter);
    type_text(&mut app, "/metadata/correlationId");
    command(&mut app, Command::Confirm);
    assert_eq!(app.event.tree.pointer(), Some("/metadata/correlationId"));
    // Enter on a value opens it; y copies it, as stored.
    command(&mut app, Command::Confirm);
    let value = app.overlays.value().expect("the value overlay");
    let event = app.timeline.cursor_event().expect("event");
    let correlation = event.metadata_json()["correlationId"]
        .as_str()
        .expect("a correlation id")
        .to_string();
    assert_eq!(value.text, correlation);
    command(&mut app, Command::Cancel);
    command(&mut app, Command::Copy);
    assert_eq!(app.status.clipboard.as_deref(), Some(correlation.as_str()));
    // On the header, y copies the event's data.
    command(&mut app, Command::First);
    command(&mut app, Command::Copy);
    let event = app.timeline.cursor_event().expect("event");
    assert_eq!(app.status.clipboard.as_deref(), Some(event.data.as_str()));
}
