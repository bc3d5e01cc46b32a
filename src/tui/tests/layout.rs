//! A layout for every size: the Streams pane hides itself at narrow widths
//! once a stream is open, `toggle_streams` hides and shows it, columns give
//! way in order of importance, and `grow` / `shrink` move the splits.

use insta::assert_snapshot;

use super::*;
use crate::tui::app::Pane;
use crate::tui::layout::StreamsPane;

fn open_stream(app: &mut App, query: &str) {
    command(app, Command::Filter);
    type_text(app, query);
    command(app, Command::Confirm);
    settle(app);
}

#[test]
fn a_narrow_screen_gives_the_streams_room_to_the_stream_opened() {
    let mut app = open(demo_path(), None, None, 80, 24);
    assert!(app.areas().streams.width > 0, "the list shows first");
    open_stream(&mut app, "account-0042");
    assert_eq!(app.focus, Pane::Timeline);
    assert_eq!(app.areas().streams.width, 0);
    assert_eq!(app.areas().timeline.width, 80);
    let screen = screen_text(&draw(&app));
    assert!(
        screen.contains("s streams"),
        "the border says how: {screen}"
    );
    // Tab comes round to the list, which shows while it has the focus.
    for _ in 0..3 {
        command(&mut app, Command::FocusNext);
    }
    assert_eq!(app.focus, Pane::Streams);
    assert!(app.areas().streams.width > 0);
    command(&mut app, Command::FocusNext);
    assert_eq!(app.areas().streams.width, 0);
}

#[test]
fn toggle_streams_hides_and_shows_the_list() {
    let mut app = open(demo_path(), Some("account-0042"), None, 160, 48);
    app.focus = Pane::Streams;
    assert!(app.areas().streams.width > 0, "wide screens show it");
    command(&mut app, Command::ToggleStreams);
    assert_eq!(app.settings.split.streams, StreamsPane::Hidden);
    assert_eq!(app.areas().streams.width, 0);
    assert_eq!(
        app.focus,
        Pane::Timeline,
        "the focus leaves the hidden pane"
    );
    assert_eq!(app.areas().timeline.width, 160);
    // Hidden, the pane is not in the focus cycle.
    let mut seen = Vec::new();
    for _ in 0..4 {
        command(&mut app, Command::FocusNext);
        seen.push(app.focus);
    }
    assert!(!seen.contains(&Pane::Streams), "{seen:?}");
    command(&mut app, Command::ToggleStreams);
    assert_eq!(app.focus, Pane::Streams);
    assert!(app.areas().streams.width > 0);
    // Shown on purpose, it stays when the focus moves on, even narrow.
    app.size = Rect::new(0, 0, 80, 24);
    command(&mut app, Command::FocusNext);
    assert!(app.areas().streams.width > 0);
}

#[test]
fn grow_and_shrink_move_the_focused_panes_split() {
    let mut app = open(demo_path(), Some("account-0042"), None, 160, 48);
    let before = app.areas();
    app.focus = Pane::Timeline;
    command(&mut app, Command::Grow);
    assert!(app.areas().timeline.height > before.timeline.height);
    command(&mut app, Command::Shrink);
    command(&mut app, Command::Shrink);
    assert!(app.areas().timeline.height < before.timeline.height);
    app.focus = Pane::Event;
    command(&mut app, Command::Grow);
    assert!(app.areas().event.width > before.event.width);
    assert!(app.areas().projection.width < before.projection.width);
    app.focus = Pane::Projection;
    command(&mut app, Command::Grow);
    command(&mut app, Command::Grow);
    assert!(app.areas().projection.width > before.projection.width);
    app.focus = Pane::Streams;
    command(&mut app, Command::Grow);
    assert_eq!(app.areas().streams.width, before.streams.width + 4);
    // A split never takes a pane away.
    app.focus = Pane::Timeline;
    for _ in 0..30 {
        command(&mut app, Command::Shrink);
    }
    assert!(app.areas().timeline.height >= 3);
    // Zoomed, the pane already has the screen.
    command(&mut app, Command::Zoom);
    command(&mut app, Command::Grow);
    let message = app.status.message.clone().unwrap_or_default();
    assert!(message.contains("shares it again"), "{message}");
}

#[test]
fn ages_and_actors_give_way_before_names_and_types() {
    let mut app = open(demo_path(), Some("$all"), None, 80, 24);
    app.focus = Pane::Streams;
    command(&mut app, Command::ToggleStreams);
    command(&mut app, Command::ToggleStreams);
    let screen = screen_text(&draw(&app));
    // The Streams pane, a third of 80 columns: names whole, ages gone.
    assert!(screen.contains("account-0001"), "{screen}");
    assert!(!screen.contains("account-00…"), "{screen}");
    // The timeline beside it: stream names and types whole.
    assert!(screen.contains("booking-BHIZMG:0"), "{screen}");
    assert!(screen.contains("BookingCreated"), "{screen}");
    assert!(!screen.contains("AccountOpe…"), "{screen}");
    // With the whole width, the ages and actors come back.
    command(&mut app, Command::ToggleStreams);
    let screen = screen_text(&draw(&app));
    assert!(screen.contains(" 30d "), "{screen}");
}

#[test]
fn every_pane_is_readable_at_80x24_with_the_streams_hidden() {
    let mut app = open_with_projection("account-0042", "bank.js", 80, 24);
    app.focus = Pane::Timeline;
    command(&mut app, Command::GoTo);
    type_text(&mut app, "12");
    command(&mut app, Command::Confirm);
    for pane in [Pane::Timeline, Pane::Event, Pane::Projection] {
        app.focus = pane;
        assert_eq!(app.areas().streams.width, 0);
        let name = format!("narrow_{pane:?}_80x24").to_lowercase();
        assert_snapshot!(name, draw(&app).backend());
    }
}
