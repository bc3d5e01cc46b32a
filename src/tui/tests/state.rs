//! `update` driven by actions, with assertions on the resulting state.

use std::time::Instant;

use super::*;
use crate::core::projection::{Engine, ProjectionSpec, Query};
use crate::core::store::Scope;
use crate::tui::action::Mouse;
use crate::tui::app::Pane;
use crate::tui::layout::{areas, inner};
use crate::tui::overlay::{Mode, PromptKind};

/// The state a fresh engine computes by replaying from the first event.
pub(super) fn full_replay(store: &Path, scope: &Scope, row: u64) -> serde_json::Value {
    let source = SqliteStore::open_read_only(store).expect("open");
    let generic = ProjectionSpec::Generic.load().expect("generic");
    let mut engine = Engine::new(vec![generic]);
    let query = Query {
        projection: 0,
        scope,
        row,
        with_previous: false,
    };
    engine.state_at(&source, query).expect("state").state
}

#[test]
fn starts_on_streams_with_all_selected() {
    let app = open(demo_path(), None, None, 80, 24);
    assert_eq!(app.focus, Pane::Streams);
    assert_eq!(app.timeline.scope, Scope::All);
    assert_eq!(app.timeline.count, 6000);
    assert_eq!(app.streams.entries[0].label, "$all");
    assert!(app.streams.entries[1].label.starts_with("$ce-"));
    assert_eq!(app.timeline.cursor, 0);
}

#[test]
fn stream_and_at_open_on_the_timeline() {
    let app = open(demo_path(), Some("account-0042"), Some(5), 80, 24);
    assert_eq!(app.focus, Pane::Timeline);
    assert_eq!(app.timeline.scope, Scope::Stream("account-0042".into()));
    assert_eq!(app.timeline.cursor_event().map(|e| e.version), Some(5));
    assert!(App::new(
        options(demo_path(), Some("nope"), None),
        Rect::new(0, 0, 80, 24)
    )
    .is_err());
}

#[test]
fn cursor_moves_and_clamps() {
    let mut app = open(demo_path(), Some("account-0042"), None, 80, 24);
    command(&mut app, Command::Down);
    command(&mut app, Command::Down);
    assert_eq!(app.timeline.cursor, 2);
    command(&mut app, Command::Up);
    assert_eq!(app.timeline.cursor, 1);
    command(&mut app, Command::Last);
    assert_eq!(app.timeline.cursor, app.timeline.count - 1);
    command(&mut app, Command::Down);
    assert_eq!(app.timeline.cursor, app.timeline.count - 1);
    command(&mut app, Command::First);
    assert_eq!(app.timeline.cursor, 0);
    command(&mut app, Command::PageDown);
    assert_eq!(app.timeline.cursor as usize, app.timeline_rows());
    // The cursor row is always in view.
    assert!(app.timeline.cursor >= app.timeline.offset);
    assert!(app.timeline.cursor < app.timeline.offset + app.timeline_rows() as u64);
}

#[test]
fn projection_at_cursor_equals_full_replay() {
    let mut app = open(demo_path(), Some("account-0042"), None, 80, 24);
    let scope = app.timeline.scope.clone();
    for steps in [Command::Down, Command::Down, Command::Last, Command::Up] {
        command(&mut app, steps);
        let shown = app.projection.shown.as_ref().expect("state shown");
        assert_eq!(shown.row, Some(app.timeline.cursor));
        let expected = full_replay(demo_path(), &scope, app.timeline.cursor);
        assert_eq!(shown.state, expected);
    }
    // On $all the generic projection shows the cursor event's stream: the
    // same state as that stream's partition in a full replay of $all.
    let mut app = open(demo_path(), None, None, 80, 24);
    app.focus = Pane::Timeline;
    for _ in 0..3 {
        command(&mut app, Command::PageDown);
        let stream = app
            .timeline
            .cursor_event()
            .map(|e| e.stream.clone())
            .expect("event");
        let shown = app.projection.shown.as_ref().expect("state shown");
        let everything = full_replay(demo_path(), &Scope::All, app.timeline.cursor);
        assert_eq!(shown.state, everything["partitions"][&stream]);
        assert_eq!(shown.partition.as_deref(), Some(stream.as_str()));
    }
}

#[test]
fn marks_are_set_at_the_cursor() {
    let mut app = open(demo_path(), Some("account-0042"), None, 80, 24);
    command(&mut app, Command::Down);
    command(&mut app, Command::MarkA);
    command(&mut app, Command::Last);
    command(&mut app, Command::MarkB);
    assert_eq!(app.timeline.marks, [Some(1), Some(app.timeline.count - 1)]);
    assert!(app.timeline.mark_times[0].is_some() && app.timeline.mark_times[1].is_some());
}

#[test]
fn filter_updates_as_you_type_and_enter_opens_the_best() {
    let mut app = open(demo_path(), None, None, 80, 24);
    command(&mut app, Command::Filter);
    assert!(app
        .overlays
        .prompt()
        .is_some_and(|p| p.kind == PromptKind::StreamQuery));
    type_text(&mut app, "acc42");
    assert_eq!(
        app.streams.entries[app.streams.matches[0].index].label,
        "account-0042"
    );
    assert!(app.streams.matches.len() < app.streams.entries.len());
    update(&mut app, Action::Command(Command::DeleteBack));
    assert_eq!(app.streams.query, "acc4");
    update(&mut app, Action::Input('2'));
    update(&mut app, Action::Command(Command::Confirm));
    settle(&mut app);
    assert_eq!(app.timeline.scope, Scope::Stream("account-0042".into()));
    assert_eq!(app.focus, Pane::Timeline);
    assert!(app.overlays.prompt().is_none());
    // Back in the stream list, Esc in the prompt drops the filter.
    app.focus = Pane::Streams;
    command(&mut app, Command::Filter);
    update(&mut app, Action::Command(Command::Cancel));
    assert!(app.streams.query.is_empty());
    assert_eq!(app.streams.matches.len(), app.streams.entries.len());
}

#[test]
fn go_to_version_position_and_time() {
    let mut app = open(demo_path(), Some("account-0042"), None, 80, 24);
    let go = |app: &mut App, text: &str| {
        command(app, Command::GoTo);
        type_text(app, text);
        update(app, Action::Command(Command::Confirm));
        settle(app);
    };
    go(&mut app, "7");
    assert_eq!(app.timeline.cursor_event().map(|e| e.version), Some(7));
    let position = app
        .timeline
        .cursor_event()
        .map(|e| e.position)
        .expect("event");
    go(&mut app, "0");
    go(&mut app, &format!("@{position}"));
    assert_eq!(app.timeline.cursor_event().map(|e| e.version), Some(7));
    let time = app
        .timeline
        .cursor_event()
        .map(|e| e.time_ms)
        .expect("event");
    go(&mut app, "0");
    go(&mut app, &crate::core::time::rfc3339_ms(time));
    assert_eq!(app.timeline.cursor_event().map(|e| e.version), Some(7));
    go(&mut app, "-1000w");
    assert_eq!(app.timeline.cursor, 0);
    // Before the stream began: no event, the projection's initial state.
    assert!(app.timeline.before_first);
    assert_eq!(app.timeline.cursor_event(), None);
    let shown = app.projection.shown.as_ref().expect("a state");
    assert_eq!((shown.row, shown.event.as_ref()), (None, None));
    let screen = screen_text(&draw(&app));
    assert!(screen.contains("before the first event"), "{screen}");
    // Out of range: said, and the cursor stays.
    go(&mut app, "999");
    let message = app.status.message.clone().unwrap_or_default();
    assert!(message.contains("versions run from 0 to 38"), "{message}");
    assert!(app.timeline.before_first);
    go(&mut app, "@99999999");
    assert!(app
        .status
        .message
        .as_deref()
        .unwrap_or("")
        .contains("positions run up to"));
    // The first step forward lands on the first event.
    command(&mut app, Command::Down);
    assert!(!app.timeline.before_first);
    assert_eq!(app.timeline.cursor_event().map(|e| e.version), Some(0));
    go(&mut app, "gibberish");
    assert!(app
        .status
        .message
        .as_deref()
        .unwrap_or("")
        .contains("cannot go to"));
    assert_eq!(app.timeline.cursor, 0);
}

#[test]
fn same_type_jumps() {
    let mut app = open(demo_path(), Some("account-0042"), None, 80, 24);
    command(&mut app, Command::Down);
    let wanted = app
        .timeline
        .cursor_event()
        .map(|e| e.event_type.clone())
        .expect("event");
    let start = app.timeline.cursor;
    command(&mut app, Command::NextSameType);
    assert!(app.timeline.cursor > start);
    assert_eq!(
        app.timeline.cursor_event().map(|e| e.event_type.clone()),
        Some(wanted.clone())
    );
    let found = app.timeline.cursor;
    command(&mut app, Command::PreviousSameType);
    assert!(app.timeline.cursor < found);
    assert_eq!(
        app.timeline.cursor_event().map(|e| e.event_type.clone()),
        Some(wanted)
    );
    // Across streams too, where reads page by position.
    for scope_label in ["$all", "$ce-account"] {
        let mut app = open(demo_path(), None, None, 80, 24);
        let index = app
            .streams
            .matches
            .iter()
            .position(|m| app.streams.entries[m.index].label == scope_label)
            .expect("pseudo-stream");
        app.select_entry(index).expect("select");
        settle(&mut app);
        app.focus = Pane::Timeline;
        command(&mut app, Command::PageDown);
        let wanted = app.timeline.cursor_event().map(|e| e.event_type.clone());
        let start = app.timeline.cursor;
        command(&mut app, Command::NextSameType);
        let next = app.timeline.cursor;
        assert!(next > start);
        assert_eq!(
            app.timeline.cursor_event().map(|e| e.event_type.clone()),
            wanted
        );
        command(&mut app, Command::PreviousSameType);
        assert_eq!(app.timeline.cursor, start, "back on {scope_label}");
    }
}

#[test]
fn focus_cycles_and_toggles() {
    let mut app = open(demo_path(), None, None, 80, 24);
    command(&mut app, Command::FocusNext);
    assert_eq!(app.focus, Pane::Timeline);
    command(&mut app, Command::FocusPrevious);
    command(&mut app, Command::FocusPrevious);
    assert_eq!(app.focus, Pane::Projection);
    command(&mut app, Command::ToggleTime);
    assert!(app.settings.local_time);
    command(&mut app, Command::Help);
    assert!(app.overlays.is_open(Mode::Help));
    update(&mut app, Action::Command(Command::Cancel));
    assert!(!app.overlays.is_open(Mode::Help));
    // The overlay is modal: a movement key closes it and moves nothing.
    command(&mut app, Command::Help);
    let focus = app.focus;
    command(&mut app, Command::FocusNext);
    assert!(!app.overlays.is_open(Mode::Help));
    assert_eq!(app.focus, focus);
    command(&mut app, Command::Quit);
    assert!(app.quit);
}

#[test]
fn play_advances_with_the_clock_and_speeds_up() {
    let mut app = open(demo_path(), Some("account-0042"), None, 80, 24);
    command(&mut app, Command::PlayPause);
    assert!(app.playback.playing);
    update(&mut app, Action::Tick { now_ms: 1_000 });
    update(&mut app, Action::Tick { now_ms: 1_100 });
    assert_eq!(app.timeline.cursor, 1);
    command(&mut app, Command::Faster);
    command(&mut app, Command::Faster);
    assert_eq!(app.playback.speed, 4);
    update(&mut app, Action::Tick { now_ms: 1_110 });
    assert_eq!(app.timeline.cursor, 2);
    command(&mut app, Command::Slower);
    assert_eq!(app.playback.speed, 2);
    command(&mut app, Command::PlayPause);
    update(&mut app, Action::Tick { now_ms: 9_000 });
    assert_eq!(app.timeline.cursor, 2);
    // Up to 64x: 160 events a second, several steps per clock tick.
    for _ in 0..10 {
        command(&mut app, Command::Faster);
    }
    assert_eq!(app.playback.speed, 64);
    command(&mut app, Command::PlayPause);
    update(&mut app, Action::Tick { now_ms: 10_000 });
    assert_eq!(app.timeline.cursor, 3, "the first step, at once");
    update(&mut app, Action::Tick { now_ms: 10_100 });
    assert_eq!(app.timeline.cursor, 3 + 16);
    assert_eq!(app.playback.rate(), 160.0);
    let screen = screen_text(&draw(&app));
    assert!(screen.contains("▶ 64x"), "{screen}");
}

#[test]
fn follow_picks_up_appended_events() {
    let (_dir, path) = writable_copy();
    let mut app = open(&path, Some("account-0042"), None, 80, 24);
    let before = app.timeline.count;
    command(&mut app, Command::Follow);
    assert!(app.playback.follow);
    assert_eq!(app.timeline.cursor, before - 1);
    append(&path, "account-0042", "FundsDeposited", r#"{"amount": 1}"#);
    update(&mut app, Action::Tick { now_ms: 10_000 });
    settle(&mut app);
    assert_eq!(app.timeline.count, before + 1);
    assert_eq!(app.timeline.cursor, before);
    assert_eq!(
        app.timeline.cursor_event().map(|e| e.event_type.as_str()),
        Some("FundsDeposited")
    );
    // A brand-new stream shows up in the list.
    append(&path, "zebra-1", "Born", "{}");
    update(&mut app, Action::Tick { now_ms: 20_000 });
    settle(&mut app);
    assert!(app.streams.entries.iter().any(|e| e.label == "zebra-1"));
}

#[test]
fn looking_back_pauses_follow_and_g_resumes_it() {
    let (_dir, path) = writable_copy();
    let mut app = open(&path, Some("account-0042"), None, 120, 36);
    command(&mut app, Command::Follow);
    settle(&mut app);
    command(&mut app, Command::Up);
    assert!(!app.playback.follow && app.playback.follow_paused);
    let message = app.status.message.clone().unwrap_or_default();
    assert!(message.contains("following paused"), "{message}");
    let looking_at = app.timeline.cursor;
    append(&path, "account-0042", "FundsDeposited", r#"{"amount": 1}"#);
    append(&path, "account-0042", "FundsDeposited", r#"{"amount": 2}"#);
    update(&mut app, Action::Tick { now_ms: 10_000 });
    settle(&mut app);
    // The cursor stays where the reader is; the title counts what came.
    assert_eq!(app.timeline.cursor, looking_at);
    assert_eq!(app.playback.new_events, 2);
    let screen = screen_text(&draw(&app));
    assert!(screen.contains("2 new, following paused"), "{screen}");
    // G goes to the newest event and follows again.
    command(&mut app, Command::Last);
    settle(&mut app);
    assert!(app.playback.follow && !app.playback.follow_paused);
    assert_eq!(app.timeline.cursor, app.timeline.count - 1);
    append(&path, "account-0042", "FundsDeposited", r#"{"amount": 3}"#);
    update(&mut app, Action::Tick { now_ms: 20_000 });
    settle(&mut app);
    assert_eq!(app.timeline.cursor, app.timeline.count - 1);
    assert_eq!(
        app.timeline.cursor_event().map(|e| e.data.clone()),
        Some(r#"{"amount": 3}"#.to_string())
    );
}

#[test]
fn mouse_clicks_focus_and_select() {
    let mut app = open(demo_path(), None, None, 160, 48);
    let panes = areas(app.size);
    // Third row of the stream list (row 0 is the filter line).
    let list = inner(panes.streams);
    update(
        &mut app,
        Action::Mouse(Mouse::Down {
            column: list.x + 2,
            row: list.y + 3,
        }),
    );
    settle(&mut app);
    assert_eq!(app.focus, Pane::Streams);
    assert_eq!(app.streams.selected, 2);
    assert_eq!(
        app.timeline.scope,
        app.streams.entries[app.streams.matches[2].index].scope
    );
    let rows = inner(panes.timeline);
    update(
        &mut app,
        Action::Mouse(Mouse::Down {
            column: rows.x + 5,
            row: rows.y + 4,
        }),
    );
    settle(&mut app);
    assert_eq!(app.focus, Pane::Timeline);
    assert_eq!(app.timeline.cursor, 4);
    update(
        &mut app,
        Action::Mouse(Mouse::ScrollDown {
            column: rows.x + 5,
            row: rows.y,
        }),
    );
    settle(&mut app);
    assert_eq!(app.timeline.cursor, 7);
    // Click then drag across the histogram: the cursor follows the time.
    let bars = inner(panes.histogram);
    update(
        &mut app,
        Action::Mouse(Mouse::Down {
            column: bars.x,
            row: bars.y,
        }),
    );
    settle(&mut app);
    let at_start = app.timeline.cursor;
    update(
        &mut app,
        Action::Mouse(Mouse::Drag {
            column: bars.x + bars.width - 1,
            row: bars.y,
        }),
    );
    settle(&mut app);
    assert!(
        at_start < app.timeline.count / 10,
        "cursor {at_start} of {}",
        app.timeline.count
    );
    assert!(
        app.timeline.cursor > app.timeline.count * 9 / 10,
        "cursor {} of {}",
        app.timeline.cursor,
        app.timeline.count
    );
    // A click on a line of the Event pane puts its cursor there.
    let event = inner(panes.event);
    update(
        &mut app,
        Action::Mouse(Mouse::Down {
            column: event.x + 2,
            row: event.y + 2,
        }),
    );
    assert_eq!(app.focus, Pane::Event);
    assert_eq!(app.event.tree.cursor, 2);
}

#[test]
fn cursor_steps_are_fast_once_warm() {
    let mut app = open(demo_path(), Some("account-0008"), None, 160, 48);
    command(&mut app, Command::Last);
    command(&mut app, Command::First);
    let started = Instant::now();
    let steps = 50;
    for _ in 0..steps {
        command(&mut app, Command::Down);
        let _ = draw(&app);
    }
    let per_step = started.elapsed() / steps;
    // Debug builds are slow; the release target is 5 ms.
    assert!(per_step.as_millis() < 100, "{per_step:?} per step");
}

#[test]
fn remapped_keys_show_in_help() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("keymap.toml"), "quit = [\"x\"]\n").expect("write");
    let mut opts = options(demo_path(), None, None);
    opts.config_dir = Some(dir.path().to_path_buf());
    let mut app = App::new(opts, Rect::new(0, 0, 100, 40)).expect("app");
    settle(&mut app);
    command(&mut app, Command::Help);
    let text = screen_text(&draw(&app));
    assert!(text.lines().any(|l| l.contains(" x  quit")), "{text}");
}

#[test]
fn arrows_pick_another_match_and_esc_clears_the_filter() {
    let mut app = open(demo_path(), None, None, 80, 24);
    command(&mut app, Command::Filter);
    type_text(&mut app, "account-00");
    command(&mut app, Command::Down);
    assert!(app.overlays.prompt().is_some(), "the prompt stays open");
    let second = app.streams.entries[app.streams.matches[1].index]
        .scope
        .clone();
    update(&mut app, Action::Command(Command::Confirm));
    settle(&mut app);
    assert_eq!(app.timeline.scope, second);
    assert_eq!(app.streams.query, "account-00");
    app.focus = Pane::Streams;
    update(&mut app, Action::Command(Command::Cancel));
    assert!(app.streams.query.is_empty());
    assert_eq!(app.streams.matches.len(), app.streams.entries.len());
}

#[test]
fn fields_the_event_changed_are_highlighted() {
    let app = open(demo_path(), Some("account-0042"), Some(6), 160, 48);
    let changed: Vec<String> = app
        .projection
        .tree
        .lines
        .iter()
        .filter(|line| line.style == app.settings.theme.changed)
        .map(|line| {
            line.spans
                .iter()
                .map(|s| s.content.as_ref())
                .collect::<String>()
        })
        .map(|text| text.trim().to_string())
        .collect();
    assert!(
        changed.contains(&"\"amount\": 670,".to_string()),
        "{changed:?}"
    );
    assert!(
        changed.contains(&"\"TransferSent\": 1".to_string()),
        "{changed:?}"
    );
    assert!(
        changed.contains(&"\"events\": 7,".to_string()),
        "{changed:?}"
    );
    assert!(
        !changed.iter().any(|l| l.contains("currency")),
        "{changed:?}"
    );
    // And the highlight reaches the screen.
    let terminal = draw(&app);
    let buffer = terminal.backend().buffer();
    let area = inner(areas(app.size).projection);
    let highlighted_cells = (area.y..area.y + area.height)
        .flat_map(|y| (area.x..area.x + area.width).map(move |x| (x, y)))
        .filter(|&(x, y)| buffer[(x, y)].bg == app.settings.theme.changed.bg.unwrap_or_default())
        .count();
    assert!(highlighted_cells > 0);
}
