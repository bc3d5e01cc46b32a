//! The jump list: every jump remembers where the cursor stood, and
//! `jump_back` / `jump_forward` walk those places, across streams.

use super::*;
use crate::tui::app::Pane;

fn go_to(app: &mut App, text: &str) {
    command(app, Command::GoTo);
    type_text(app, text);
    command(app, Command::Confirm);
    settle(app);
}

fn version(app: &App) -> Option<i64> {
    app.timeline.cursor_event().map(|e| e.version)
}

#[test]
fn jump_back_retraces_go_to_and_the_last_event() {
    let mut app = open(demo_path(), Some("account-0042"), None, 120, 36);
    go_to(&mut app, "10");
    assert_eq!(version(&app), Some(10));
    command(&mut app, Command::Last);
    assert_eq!(version(&app), Some(38));
    command(&mut app, Command::JumpBack);
    settle(&mut app);
    assert_eq!(version(&app), Some(10));
    command(&mut app, Command::JumpBack);
    settle(&mut app);
    assert_eq!(version(&app), Some(0), "where the stream opened");
    command(&mut app, Command::JumpBack);
    let message = app.status.message.clone().unwrap_or_default();
    assert!(message.contains("no jump to go back to"), "{message}");
    command(&mut app, Command::JumpForward);
    settle(&mut app);
    assert_eq!(version(&app), Some(10));
    // Steps are not jumps: back goes past them to the jump before.
    command(&mut app, Command::Down);
    command(&mut app, Command::Down);
    command(&mut app, Command::JumpBack);
    settle(&mut app);
    assert_eq!(version(&app), Some(0));
}

#[test]
fn a_report_opening_another_stream_is_a_jump_back_across_streams() {
    let mut app = open(demo_path(), Some("account-0042"), None, 120, 36);
    // A TransferSent's correlation spans two accounts.
    command(&mut app, Command::Filter);
    type_text(&mut app, "type=TransferSent");
    command(&mut app, Command::Confirm);
    settle(&mut app);
    let sender = version(&app);
    command(&mut app, Command::Correlation);
    settle(&mut app);
    let report = &app.overlays.report().expect("the correlation").report;
    let other = report
        .targets
        .iter()
        .position(|t| t.as_ref().is_some_and(|(s, _)| s != "account-0042"))
        .expect("an event of another stream");
    for _ in 0..other {
        command(&mut app, Command::Down);
    }
    command(&mut app, Command::Confirm);
    settle(&mut app);
    let opened = app.timeline.scope.clone();
    assert_ne!(
        opened,
        crate::core::store::Scope::Stream("account-0042".into())
    );
    // The stream list follows the stream opened.
    let selected = app.streams.selected_entry().map(|e| e.scope.clone());
    assert_eq!(selected, Some(opened));
    command(&mut app, Command::JumpBack);
    settle(&mut app);
    assert_eq!(
        app.timeline.scope,
        crate::core::store::Scope::Stream("account-0042".into())
    );
    assert_eq!(version(&app), sender);
    assert_eq!(app.focus, Pane::Timeline);
}

#[test]
fn enter_on_a_filter_that_matches_nothing_opens_nothing() {
    let mut app = open(demo_path(), Some("account-0042"), None, 120, 36);
    app.focus = Pane::Streams;
    command(&mut app, Command::Filter);
    type_text(&mut app, "zzzzqqqq");
    command(&mut app, Command::Confirm);
    settle(&mut app);
    assert_eq!(
        app.timeline.scope,
        crate::core::store::Scope::Stream("account-0042".into())
    );
    assert_eq!(app.focus, Pane::Streams);
    let message = app.status.message.clone().unwrap_or_default();
    assert!(
        message.contains("no stream matches 'zzzzqqqq'"),
        "{message}"
    );
}

#[test]
fn a_diff_in_all_names_the_streams_of_the_events_between() {
    let mut app = open(demo_path(), Some("$all"), None, 120, 36);
    command(&mut app, Command::MarkA);
    for _ in 0..5 {
        command(&mut app, Command::Down);
    }
    command(&mut app, Command::MarkB);
    command(&mut app, Command::Diff);
    settle(&mut app);
    let report = &app.overlays.report().expect("the diff").report;
    // The title and the status bar name the marks the same way.
    let (a, b) = (&app.timeline.window[0], &app.timeline.window[5]);
    let a = format!("v{} @{}", a.version, a.position);
    let b = format!("v{} @{}", b.version, b.position);
    assert!(
        report.title.contains(&format!("{a} → {b}")),
        "{}",
        report.title
    );
    let screen = screen_text(&draw(&app));
    assert!(screen.contains(&format!("A {a} B {b}")), "{screen}");
    let texts: Vec<String> = report.lines.iter().map(|l| format!("{l:?}")).collect();
    assert!(texts[0].contains("by 5 events"), "{}", texts[0]);
    let between: Vec<&String> = texts.iter().filter(|t| t.starts_with("Event(")).collect();
    assert_eq!(between.len(), 5);
    let first = app
        .timeline
        .window
        .get(1)
        .map(|e| e.stream.clone())
        .unwrap_or_default();
    assert!(between[0].contains(&first), "{between:?}");
}

#[test]
fn a_failing_projection_shows_its_error_whole_and_marks_the_event() {
    let dir = tempfile::tempdir().expect("dir");
    let script = dir.path().join("throw.js");
    std::fs::write(
        &script,
        "fromAll().when({ $init: () => ({n: 0}),\n  FundsDeposited: (s, e) => {\n    if (s.n > 2) { throw new Error('boom at ' + e.position); }\n    s.n += 1;\n  } });\n",
    )
    .expect("write");
    let mut opts = options(demo_path(), Some("account-0042"), None);
    opts.projections = vec![crate::core::projection::ProjectionSpec::JavaScript(script)];
    let mut app = App::new(opts, Rect::new(0, 0, 120, 36)).expect("app");
    settle(&mut app);
    command(&mut app, Command::Last);
    settle(&mut app);
    let failed = app.projection.failed_at().expect("the projection failed");
    command(&mut app, Command::ShowError);
    let report = &app.overlays.report().expect("the error overlay").report;
    let texts: Vec<String> = report.lines.iter().map(|l| format!("{l:?}")).collect();
    assert!(texts[0].contains(&format!("boom at {failed}")), "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("stack:")), "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("throw.js")), "{texts:?}");
    // Enter goes to the failing event, which the timeline marks.
    command(&mut app, Command::Confirm);
    settle(&mut app);
    assert_eq!(
        app.timeline.cursor_event().map(|e| e.position),
        Some(failed)
    );
    command(&mut app, Command::Down);
    settle(&mut app);
    let screen = screen_text(&draw(&app));
    assert!(screen.contains("✗ "), "{screen}");
}

#[test]
fn playback_takes_a_rate_in_events_per_second() {
    let mut app = open(demo_path(), Some("account-0042"), None, 120, 36);
    app.focus = Pane::Timeline;
    command(&mut app, Command::SetRate);
    type_text(&mut app, "100");
    command(&mut app, Command::Confirm);
    assert!(app.playback.playing, "a rate typed starts play");
    assert_eq!(app.playback.rate(), 100.0);
    update(&mut app, Action::Tick { now_ms: 1_000 });
    assert_eq!(app.timeline.cursor, 1, "the first step, at once");
    update(&mut app, Action::Tick { now_ms: 1_100 });
    assert_eq!(app.timeline.cursor, 11, "ten steps in a tenth of a second");
    let screen = screen_text(&draw(&app));
    assert!(screen.contains("▶ 100 ev/s"), "{screen}");
    command(&mut app, Command::Faster);
    assert_eq!(app.playback.rate(), 200.0, "faster doubles a typed rate");
    // A speed still works, and a word is refused with the forms it takes.
    command(&mut app, Command::SetRate);
    type_text(&mut app, "8x");
    command(&mut app, Command::Confirm);
    assert_eq!((app.playback.speed, app.playback.rate()), (8, 20.0));
    command(&mut app, Command::SetRate);
    type_text(&mut app, "fast");
    command(&mut app, Command::Confirm);
    let message = app.status.message.clone().unwrap_or_default();
    assert!(message.contains("events per second"), "{message}");
    assert_eq!(app.playback.rate(), 20.0, "the rate stays");
}

/// A table whose `$all` count is a guess first: positions 1, 2 and 10 (a
/// span of 10 for 3 rows, as rolled-back inserts leave in PostgreSQL).
#[test]
fn a_guessed_count_is_drawn_first_then_the_exact_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("app.sqlite");
    let conn = rusqlite::Connection::open(&path).expect("create");
    conn.execute_batch(
        "CREATE TABLE domain_events (seq INTEGER PRIMARY KEY, aggregate TEXT, n INTEGER,
            name TEXT, body TEXT, at INTEGER);
         INSERT INTO domain_events VALUES
            (1, 'order-7', 1, 'Placed', '{\"total\":3}', 1740816549096),
            (2, 'order-7', 2, 'Paid', '{\"by\":\"card\"}', 1740816550000),
            (10, 'order-8', 1, 'Placed', '{\"total\":5}', 1740816551000);",
    )
    .expect("table");
    drop(conn);
    let map = dir.path().join("map.toml");
    std::fs::write(
        &map,
        "table = \"domain_events\"\nposition = \"seq\"\nstream = \"aggregate\"\n\
         version = \"n\"\ntype = \"name\"\ndata = \"body\"\ntime = \"at\"\n\
         time_format = \"epoch_ms\"\n",
    )
    .expect("map");
    let options = Options {
        map: Some(map),
        ..options(&path, None, None)
    };
    let mut app = App::new(options, Rect::new(0, 0, 100, 30)).expect("app");
    assert!(app.timeline.count_estimated);
    assert_eq!(app.timeline.count, 10);
    assert!(
        screen_text(&draw(&app)).contains("Timeline $all 1/~10"),
        "{}",
        screen_text(&draw(&app))
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while app.timeline.count_estimated && std::time::Instant::now() < deadline {
        if let Some(reply) = app.wait_worker(Duration::from_secs(1)) {
            update(&mut app, Action::Reply(reply));
        }
    }
    assert_eq!(app.timeline.count, 3, "the exact count replaces the guess");
    assert!(
        screen_text(&draw(&app)).contains("Timeline $all 1/3 "),
        "{}",
        screen_text(&draw(&app))
    );
}
