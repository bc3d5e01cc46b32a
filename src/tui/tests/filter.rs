//! The timeline filter: the type picker with counts, the metadata filter,
//! and what the cursor, the projection and the mouse do under a filter.

use super::*;
use crate::core::store::Scope;
use crate::tui::action::Mouse;
use crate::tui::layout::{areas, inner};
use crate::tui::overlay::PromptKind;

/// Waits for the picker's counts and the filter's rows (they arrive as
/// replies, like every background answer).
pub fn wait_for_filter(app: &mut App) {
    settle(app);
}

/// Every event of the scope, read straight from the store.
fn all_events(app: &App) -> Vec<crate::core::event::Event> {
    let count = app.source.count(&app.timeline.scope).expect("count");
    app.source
        .read_rows(&app.timeline.scope, 0, count as usize)
        .expect("read")
}

/// Opens the picker and ticks the types named, then applies.
fn pick(app: &mut App, types: &[&str]) {
    command(app, Command::FilterTypes);
    wait_for_filter(app);
    for wanted in types {
        let picker = app.overlays.picker().expect("picker open");
        let i = picker
            .types
            .iter()
            .position(|t| t.event_type == *wanted)
            .expect("type listed");
        app.overlays.picker_mut().expect("picker").selected = i;
        command(app, Command::Toggle);
    }
    update(app, Action::Command(Command::Confirm));
    wait_for_filter(app);
}

#[test]
fn the_picker_lists_every_type_with_its_count() {
    let mut app = open(demo_path(), Some("account-0042"), None, 80, 24);
    command(&mut app, Command::FilterTypes);
    wait_for_filter(&mut app);
    let picker = app.overlays.picker().expect("picker");
    let mut expected = std::collections::HashMap::<String, u64>::new();
    for e in all_events(&app) {
        *expected.entry(e.event_type).or_default() += 1;
    }
    assert_eq!(picker.types.len(), expected.len());
    for t in &picker.types {
        assert_eq!(
            Some(&t.count),
            expected.get(&t.event_type),
            "{}",
            t.event_type
        );
    }
    // Most frequent first.
    assert!(picker.types.windows(2).all(|w| w[0].count >= w[1].count));
    let screen = screen_text(&draw(&app));
    assert!(screen.contains("Event types"), "{screen}");
    assert!(
        screen.contains(&format!("[ ] {}", picker.types[0].count)),
        "{screen}"
    );
    // Esc closes it without filtering.
    update(&mut app, Action::Command(Command::Cancel));
    assert!(app.overlays.picker().is_none());
    assert!(app.timeline.filter.is_none());
}

#[test]
fn picked_types_are_the_only_rows_and_steps_skip_the_rest() {
    let mut app = open(demo_path(), Some("account-0042"), None, 80, 24);
    let events = all_events(&app);
    let wanted = events[1].event_type.clone();
    pick(&mut app, &[&wanted]);
    let expected: Vec<u64> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.event_type == wanted)
        .map(|(i, _)| i as u64)
        .collect();
    let filter = app.timeline.filter.as_ref().expect("filter on");
    assert_eq!(filter.rows, expected);
    // The cursor lands on a shown row, and every step stays on one.
    assert!(expected.contains(&app.timeline.cursor));
    command(&mut app, Command::First);
    for want in &expected {
        assert_eq!(app.timeline.cursor, *want);
        assert_eq!(
            app.timeline.cursor_event().map(|e| e.event_type.as_str()),
            Some(wanted.as_str())
        );
        // The projection is still the fold of every event up to the cursor.
        let shown = app.projection.shown.as_ref().expect("state");
        assert_eq!(shown.row, Some(app.timeline.cursor));
        command(&mut app, Command::Down);
    }
    assert_eq!(app.timeline.cursor, *expected.last().expect("rows"));
    // Only the chosen type is drawn, and the title says how many are shown.
    let screen = screen_text(&draw(&app));
    assert!(
        screen.contains(&format!("{}/{} shown", expected.len(), expected.len())),
        "{screen}"
    );
    let other = events
        .iter()
        .find(|e| e.event_type != wanted)
        .expect("another type");
    let timeline = inner(areas(app.size).timeline);
    let rows: Vec<&str> = screen
        .lines()
        .skip(timeline.y as usize)
        .take(timeline.height as usize)
        .collect();
    assert!(
        rows.iter().all(|r| !r.contains(&other.event_type)),
        "{screen}"
    );
    // Esc in the timeline shows everything again.
    update(&mut app, Action::Command(Command::Cancel));
    assert!(app.timeline.filter.is_none());
    command(&mut app, Command::First);
    command(&mut app, Command::Down);
    assert_eq!(app.timeline.cursor, 1);
}

#[test]
fn metadata_filter_keeps_matching_events_across_streams() {
    let (_dir, path) = writable_copy();
    append(&path, "account-0042", "Audited", "{}");
    let mut app = open(&path, None, None, 80, 24);
    app.focus = crate::tui::app::Pane::Timeline;
    command(&mut app, Command::FilterMetadata);
    assert!(app
        .overlays
        .prompt()
        .is_some_and(|p| p.kind == PromptKind::MetadataFilter));
    type_text(&mut app, "actor=test");
    update(&mut app, Action::Command(Command::Confirm));
    wait_for_filter(&mut app);
    let filter = app.timeline.filter.as_ref().expect("filter");
    assert_eq!(filter.rows, vec![app.timeline.count - 1]);
    assert_eq!(
        app.timeline.cursor_event().map(|e| e.event_type.as_str()),
        Some("Audited")
    );
    // Types and metadata combine; a type without such events shows none.
    pick(&mut app, &["AccountOpened"]);
    assert!(app
        .timeline
        .filter
        .as_ref()
        .expect("filter")
        .rows
        .is_empty());
    let screen = screen_text(&draw(&app));
    assert!(screen.contains("no events match the filter"), "{screen}");
    // An empty metadata filter and no types: the filter is off.
    command(&mut app, Command::FilterTypes);
    wait_for_filter(&mut app);
    command(&mut app, Command::Clear);
    update(&mut app, Action::Command(Command::Confirm));
    command(&mut app, Command::FilterMetadata);
    for _ in 0.."actor=test".len() {
        update(&mut app, Action::Command(Command::DeleteBack));
    }
    update(&mut app, Action::Command(Command::Confirm));
    assert!(app.timeline.filter.is_none());
}

#[test]
fn clicks_pick_shown_rows_and_the_filter_follows_the_open_stream() {
    let mut app = open(demo_path(), Some("account-0042"), None, 80, 24);
    pick(&mut app, &["FundsDeposited"]);
    let rows = app.timeline.filter.as_ref().expect("filter").rows.clone();
    assert_ne!(rows[1], 1, "shown rows are not the scope's rows");
    // A click on the second timeline line opens the second shown row.
    let area = inner(areas(app.size).timeline);
    update(
        &mut app,
        Action::Mouse(Mouse::Down {
            column: area.x + 2,
            row: area.y + 1,
        }),
    );
    assert_eq!(app.timeline.cursor, rows[1]);
    // Opening another stream keeps the filter and finds its rows there.
    app.open_scope(Scope::Stream("account-0007".into()), 0)
        .expect("open");
    wait_for_filter(&mut app);
    let expected: Vec<u64> = all_events(&app)
        .iter()
        .enumerate()
        .filter(|(_, e)| e.event_type == "FundsDeposited")
        .map(|(i, _)| i as u64)
        .collect();
    let filter = app.timeline.filter.as_ref().expect("filter kept");
    assert_eq!(filter.scope, Scope::Stream("account-0007".into()));
    assert_eq!(filter.rows, expected);
}

#[test]
fn appends_add_their_matches_without_moving_the_cursor() {
    let (_dir, path) = writable_copy();
    let mut app = open(&path, Some("account-0042"), None, 80, 24);
    pick(&mut app, &["FundsDeposited"]);
    let before = app.timeline.filter.as_ref().expect("filter").rows.clone();
    command(&mut app, Command::First);
    let cursor = app.timeline.cursor;
    append(&path, "account-0042", "FundsDeposited", r#"{"amount":1}"#);
    append(&path, "account-0042", "Audited", "{}");
    crate::tui::update::poll_head(&mut app, false);
    settle(&mut app);
    wait_for_filter(&mut app);
    let filter = app.timeline.filter.as_ref().expect("filter");
    // Only the new rows were scanned; the new deposit is in, the audit not.
    let mut expected = before.clone();
    expected.push(app.timeline.count - 2);
    assert_eq!(filter.rows, expected);
    assert_eq!(filter.scanned, app.timeline.count);
    assert_eq!(app.timeline.cursor, cursor);
    // From a hidden row past the last shown one, Down has nowhere to go.
    app.move_cursor_to(app.timeline.count - 1).expect("move");
    command(&mut app, Command::Down);
    assert_eq!(app.timeline.cursor, app.timeline.count - 1);
    command(&mut app, Command::Up);
    assert_eq!(app.timeline.cursor, app.timeline.count - 2);
}
