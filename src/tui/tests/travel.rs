//! Time travel in the explorer, driven by actions: searches of events and
//! of the state, the diff and blame views, correlations.

use super::state::full_replay;
use super::*;
use crate::core::projection::{Engine, ProjectionSpec, Query};
use crate::core::store::{EventSource, Scope};
use crate::tui::app::Pane;
use crate::tui::overlay::PromptKind;

#[test]
fn slash_in_the_timeline_searches_events_and_n_finds_the_next() {
    let mut app = open(demo_path(), Some("account-0042"), None, 80, 24);
    command(&mut app, Command::Filter);
    assert!(app
        .overlays
        .prompt()
        .is_some_and(|p| p.kind == PromptKind::Search));
    type_text(&mut app, "type=TransferSent");
    update(&mut app, Action::Command(Command::Confirm));
    settle(&mut app);
    let first = app.timeline.cursor;
    assert_eq!(
        app.timeline
            .cursor_event()
            .map(|e| e.event_type.clone())
            .as_deref(),
        Some("TransferSent")
    );
    command(&mut app, Command::SearchNext);
    assert!(app.timeline.cursor > first);
    assert_eq!(
        app.timeline
            .cursor_event()
            .map(|e| e.event_type.clone())
            .as_deref(),
        Some("TransferSent")
    );
    command(&mut app, Command::SearchPrevious);
    assert_eq!(app.timeline.cursor, first);
    // Every match in between was visited: none lies between first and next.
    let source = SqliteStore::open_read_only(demo_path()).expect("open");
    let events = source
        .read_rows(&app.timeline.scope, 0, 1000)
        .expect("read");
    let expected: Vec<u64> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.event_type == "TransferSent")
        .map(|(i, _)| i as u64)
        .collect();
    assert_eq!(expected[0], first);

    // Text search is case-insensitive, in data and metadata.
    command(&mut app, Command::First);
    command(&mut app, Command::Filter);
    type_text(&mut app, "MOBILE-APP");
    update(&mut app, Action::Command(Command::Confirm));
    settle(&mut app);
    let event = app.timeline.cursor_event().cloned().expect("an event");
    assert!(event.metadata.contains("mobile-app") || event.data.contains("mobile-app"));

    // No match says so and leaves the cursor alone.
    let before = app.timeline.cursor;
    command(&mut app, Command::Filter);
    type_text(&mut app, "/data/amount=123456789");
    update(&mut app, Action::Command(Command::Confirm));
    settle(&mut app);
    assert_eq!(app.timeline.cursor, before);
    assert!(app
        .status
        .message
        .as_deref()
        .unwrap_or("")
        .contains("no match"));
}

#[test]
fn slash_in_the_stream_list_still_filters() {
    let mut app = open(demo_path(), None, None, 80, 24);
    command(&mut app, Command::Filter);
    assert!(app
        .overlays
        .prompt()
        .is_some_and(|p| p.kind == PromptKind::StreamQuery));
}

#[test]
fn d_diffs_the_state_at_mark_a_against_mark_b() {
    use crate::tui::report::ReportLine;
    let mut app = open(demo_path(), Some("account-0042"), Some(3), 80, 24);
    command(&mut app, Command::Diff);
    assert!(app.overlays.report().is_none(), "no mark A yet");
    assert!(app
        .status
        .message
        .as_deref()
        .unwrap_or("")
        .contains("mark A"));
    command(&mut app, Command::MarkA);
    for _ in 0..7 {
        command(&mut app, Command::Down);
    }
    command(&mut app, Command::MarkB);
    command(&mut app, Command::Diff);
    settle(&mut app);

    let scope = Scope::Stream("account-0042".into());
    let patch = crate::core::diff::diff(
        &full_replay(demo_path(), &scope, 3),
        &full_replay(demo_path(), &scope, 10),
    );
    let diff = app.overlays.report().expect("the diff view is open");
    let changes: Vec<&ReportLine> = diff
        .report
        .lines
        .iter()
        .filter(|l| {
            matches!(
                l,
                ReportLine::Added(_) | ReportLine::Changed(_) | ReportLine::Removed(_)
            )
        })
        .collect();
    assert_eq!(changes.len(), patch.len());
    for (line, op) in changes.iter().zip(&patch) {
        let text = match line {
            ReportLine::Added(t) | ReportLine::Changed(t) | ReportLine::Removed(t) => t,
            _ => unreachable!(),
        };
        // The tree shows each change under its path's last token.
        let tokens = crate::core::diff::pointer_tokens(op.path()).expect("pointer");
        let last = tokens.last().map_or("", String::as_str);
        assert!(
            text.trim_start().starts_with(last),
            "{text} for {}",
            op.path()
        );
    }
    // Enter on a path folds it (its changes hide) and unfolds it again.
    let node = diff
        .report
        .lines
        .iter()
        .position(|l| matches!(l, ReportLine::Node(_)))
        .expect("a path with changes under it");
    let before = diff.report.lines.len();
    for _ in 0..node {
        command(&mut app, Command::Down);
    }
    update(&mut app, Action::Command(Command::Confirm));
    let folded = &app.overlays.report().expect("still open").report;
    assert!(folded.lines.len() < before);
    assert!(matches!(&folded.lines[node], ReportLine::Node(t) if t.contains('▸')));
    update(&mut app, Action::Command(Command::Confirm));
    assert_eq!(
        app.overlays.report().expect("open").report.lines.len(),
        before
    );
    // `v`: the two states side by side, every line of each.
    command(&mut app, Command::SwitchView);
    let sides = &app.overlays.report().expect("open").report;
    let pairs: Vec<(&str, &str)> = sides
        .lines
        .iter()
        .filter_map(|l| match l {
            ReportLine::Pair { left, right, .. } => Some((left.as_str(), right.as_str())),
            _ => None,
        })
        .collect();
    let pretty =
        |row| serde_json::to_string_pretty(&full_replay(demo_path(), &scope, row)).expect("json");
    let left: Vec<&str> = pairs
        .iter()
        .map(|p| p.0)
        .filter(|l| !l.is_empty())
        .collect();
    let right: Vec<&str> = pairs
        .iter()
        .map(|p| p.1)
        .filter(|l| !l.is_empty())
        .collect();
    // Wrapped lines are pieces of one line: joined, they are the state.
    assert_eq!(left.concat(), pretty(3).lines().collect::<String>());
    assert_eq!(right.concat(), pretty(10).lines().collect::<String>());
    draw(&app);
    command(&mut app, Command::SwitchView);
    let diff = app.overlays.report().expect("open");
    assert!(diff
        .report
        .lines
        .iter()
        .any(|l| matches!(l, ReportLine::Node(_))));
    let events = diff
        .report
        .lines
        .iter()
        .filter(|l| matches!(l, ReportLine::Event(_)))
        .count();
    assert_eq!(events, 7, "the events after A up to B");
    assert!(
        diff.report.title.contains("v3") && diff.report.title.contains("v10"),
        "{}",
        diff.report.title
    );

    // Esc closes it; the screen is drawable throughout.
    draw(&app);
    update(&mut app, Action::Command(Command::Cancel));
    assert!(app.overlays.report().is_none());
}

#[test]
fn capital_b_blames_the_projection_field_and_enter_jumps_to_it() {
    use crate::tui::report::ReportLine;
    let mut app = open(demo_path(), Some("account-0042"), Some(10), 80, 24);
    scroll_projection_to(&mut app, "/fields/amount");
    command(&mut app, Command::Blame);
    settle(&mut app);

    let source = SqliteStore::open_read_only(demo_path()).expect("open");
    let scope = Scope::Stream("account-0042".into());
    let mut engine = Engine::new(vec![ProjectionSpec::Generic.load().expect("generic")]);
    let blame = engine
        .blame(&source, 0, &scope, 10, "/fields/amount")
        .expect("blame");
    let report = &app.overlays.report().expect("the blame view").report;
    let last = blame.last().expect("the field changed");
    assert_eq!(report.jump_to, Some(last.event.version as u64));
    let history = report
        .lines
        .iter()
        .filter(|l| matches!(l, ReportLine::Event(_)))
        .count();
    assert_eq!(history, blame.history.len());

    command(&mut app, Command::Up); // scrolls the report, not the pane
    update(&mut app, Action::Command(Command::Confirm));
    settle(&mut app);
    assert!(app.overlays.report().is_none());
    assert_eq!(app.focus, Pane::Timeline);
    assert_eq!(
        app.timeline.cursor_event().map(|e| e.version),
        Some(last.event.version)
    );
}

#[test]
fn enter_on_a_row_of_the_blame_history_opens_that_event() {
    let mut app = open(demo_path(), Some("account-0042"), Some(20), 80, 24);
    scroll_projection_to(&mut app, "/fields/amount");
    command(&mut app, Command::Blame);
    settle(&mut app);
    let report = &app.overlays.report().expect("the blame view").report;
    // The oldest change is the history's last row.
    let (row, (stream, version)) = report
        .targets
        .iter()
        .enumerate()
        .filter_map(|(i, t)| t.clone().map(|t| (i, t)))
        .next_back()
        .expect("history rows open their events");
    assert_eq!(stream, "account-0042");
    let newest = report.jump_to.expect("the last change");
    assert!(
        (version as u64) < newest,
        "the oldest change is not the last"
    );
    // The history's rows are selected with the arrows.
    for _ in 0..row {
        command(&mut app, Command::Down);
    }
    assert_eq!(app.overlays.report().expect("open").cursor, row);
    command(&mut app, Command::Confirm);
    settle(&mut app);
    assert!(app.overlays.report().is_none());
    assert_eq!(
        app.timeline.cursor_event().map(|e| e.version),
        Some(version)
    );
}

#[test]
fn c_lists_the_correlation_across_streams_and_enter_opens_one() {
    use crate::core::search::{correlation_id, has_correlation};
    let mut app = open(demo_path(), Some("account-0042"), None, 80, 24);
    // Go to a TransferSent: its correlation spans two accounts.
    command(&mut app, Command::Filter);
    type_text(&mut app, "type=TransferSent");
    update(&mut app, Action::Command(Command::Confirm));
    settle(&mut app);
    let sent = app.timeline.cursor_event().cloned().expect("a transfer");
    let id = correlation_id(&sent).expect("a correlation id");
    command(&mut app, Command::Correlation);
    settle(&mut app);
    let report = &app.overlays.report().expect("the correlation list").report;
    let source = SqliteStore::open_read_only(demo_path()).expect("open");
    let all = source.read_rows(&Scope::All, 0, 10_000).expect("read");
    let expected: Vec<(String, i64)> = all
        .iter()
        .filter(|e| has_correlation(e, &id))
        .map(|e| (e.stream.clone(), e.version))
        .collect();
    let listed: Vec<(String, i64)> = report.targets.iter().flatten().cloned().collect();
    assert_eq!(listed, expected);
    assert!(listed.len() >= 2, "a transfer touches two streams");

    // Scroll to the received side and open it.
    let received = listed
        .iter()
        .position(|(s, _)| s != "account-0042")
        .expect("another stream")
        + 1;
    for _ in 0..received {
        command(&mut app, Command::Down);
    }
    update(&mut app, Action::Command(Command::Confirm));
    settle(&mut app);
    assert!(app.overlays.report().is_none());
    let (stream, version) = &listed[received - 1];
    assert_eq!(app.timeline.scope, Scope::Stream(stream.clone()));
    assert_eq!(
        app.timeline.cursor_event().map(|e| e.version),
        Some(*version)
    );
}

#[test]
fn capital_s_finds_the_first_event_after_which_the_state_matches() {
    use crate::core::search::Matcher;
    let mut app = open(demo_path(), Some("account-0042"), None, 80, 24);
    command(&mut app, Command::StateSearch);
    assert!(app
        .overlays
        .prompt()
        .is_some_and(|p| p.kind == PromptKind::StateSearch));
    type_text(&mut app, "/eventCounts/TransferSent=2");
    update(&mut app, Action::Command(Command::Confirm));
    settle(&mut app);
    let source = SqliteStore::open_read_only(demo_path()).expect("open");
    let scope = Scope::Stream("account-0042".into());
    let mut engine = Engine::new(vec![ProjectionSpec::Generic.load().expect("generic")]);
    let matcher = Matcher::parse("/eventCounts/TransferSent=2").expect("matcher");
    let expected = engine
        .first_state_match(&source, 0, &scope, &|s| matcher.matches_state(s))
        .expect("search")
        .expect("a match");
    let report = &app.overlays.report().expect("the result").report;
    assert_eq!(report.jump_to, Some(expected.version as u64));
    update(&mut app, Action::Command(Command::Confirm));
    settle(&mut app);
    assert_eq!(
        app.timeline.cursor_event().map(|e| e.version),
        Some(expected.version)
    );
}

#[test]
fn d_in_the_event_pane_diffs_two_payloads_and_diff_events_open() {
    use crate::tui::report::ReportLine;
    let mut app = open(demo_path(), Some("account-0042"), Some(1), 80, 24);
    command(&mut app, Command::MarkA);
    command(&mut app, Command::Down);
    command(&mut app, Command::Down);
    app.focus = Pane::Event;
    command(&mut app, Command::Diff);
    let source = SqliteStore::open_read_only(demo_path()).expect("open");
    let scope = Scope::Stream("account-0042".into());
    let events = source.read_rows(&scope, 1, 3).expect("read");
    let patch = crate::core::diff::diff(&events[0].data_json(), &events[2].data_json());
    let report = &app.overlays.report().expect("the payload diff").report;
    assert!(report.title.starts_with("Payload"), "{}", report.title);
    let changes = report
        .lines
        .iter()
        .filter(|l| {
            matches!(
                l,
                ReportLine::Added(_) | ReportLine::Changed(_) | ReportLine::Removed(_)
            )
        })
        .count();
    assert_eq!(changes, patch.len());
    update(&mut app, Action::Command(Command::Cancel));

    // In the state diff, Enter on an event of the list opens it.
    app.focus = Pane::Timeline;
    command(&mut app, Command::Diff);
    settle(&mut app);
    let targets = app.overlays.report().expect("diff").report.targets.clone();
    let first_event = targets
        .iter()
        .position(Option::is_some)
        .expect("an event line");
    for _ in 0..first_event {
        command(&mut app, Command::Down);
    }
    update(&mut app, Action::Command(Command::Confirm));
    settle(&mut app);
    assert!(app.overlays.report().is_none());
    assert_eq!(
        app.timeline.cursor_event().map(|e| e.version),
        Some(2),
        "the first event after A"
    );
}

#[test]
fn n_and_n_after_a_state_search_step_where_the_state_starts_to_match() {
    use crate::core::search::Matcher;
    let condition = "/fields/amount>1000";
    let source = SqliteStore::open_read_only(demo_path()).expect("open");
    let scope = Scope::Stream("account-0042".into());
    let count = source.count(&scope).expect("count");
    // Where the condition turns true, from the state after every event.
    let matcher = Matcher::parse(condition).expect("matcher");
    let mut engine = Engine::new(vec![ProjectionSpec::Generic.load().expect("generic")]);
    let mut was = false;
    let mut turns = Vec::new();
    for row in 0..count {
        let query = Query {
            projection: 0,
            scope: &scope,
            row,
            with_previous: false,
        };
        let now = matcher.matches_state(&engine.state_at(&source, query).expect("state").state);
        if now && !was {
            turns.push(row);
        }
        was = now;
    }
    assert!(
        turns.len() >= 3,
        "the condition turns true often: {turns:?}"
    );

    let mut app = open(demo_path(), Some("account-0042"), None, 80, 24);
    command(&mut app, Command::StateSearch);
    type_text(&mut app, condition);
    update(&mut app, Action::Command(Command::Confirm));
    settle(&mut app);
    let report = &app.overlays.report().expect("the result").report;
    assert_eq!(report.jump_to, Some(turns[0]));
    update(&mut app, Action::Command(Command::Confirm));
    settle(&mut app);
    assert_eq!(app.timeline.cursor, turns[0]);
    command(&mut app, Command::SearchNext);
    assert_eq!(app.timeline.cursor, turns[1]);
    command(&mut app, Command::SearchNext);
    assert_eq!(app.timeline.cursor, turns[2]);
    command(&mut app, Command::SearchPrevious);
    assert_eq!(app.timeline.cursor, turns[1]);
}

/// The blame view's first page, the newest changes found walking back,
/// says the older ones are still being read and draws no chart of part of
/// the history; the whole history then replaces it.
#[test]
fn the_newest_changes_come_first_and_say_the_history_is_not_whole() {
    use crate::tui::report::{blame_report, ReportLine};
    let source = SqliteStore::open_read_only(demo_path()).expect("open");
    let scope = Scope::Stream("account-0042".into());
    let count = source.count(&scope).expect("count");
    let generic = || vec![ProjectionSpec::Generic.load().expect("generic")];
    let mut engine = Engine::new(generic()).with_interval(4);
    let recent = engine
        .recent_changes(&source, 0, &scope, count - 1, "/events", 2)
        .expect("recent changes");
    assert!(!recent.whole, "a few intervals back, not the first event");
    let full = Engine::new(generic())
        .blame(&source, 0, &scope, count - 1, "/events")
        .expect("blame");
    assert!(recent.history.len() >= 2 && recent.history.len() < full.history.len());
    let notes = |report: &crate::tui::report::Report| -> String {
        let notes = report.lines.iter().filter_map(|l| match l {
            ReportLine::Note(text) => Some(text.as_str()),
            _ => None,
        });
        notes.collect::<Vec<_>>().join("\n")
    };
    let first = blame_report(&recent, 0, count - 1);
    let n = recent.history.len();
    assert!(
        notes(&first).contains(&format!(
            "the newest {n} changes, newest first; reading the older ones"
        )),
        "{}",
        notes(&first)
    );
    assert!(first.chart.is_none());
    let whole = blame_report(&full, 0, count - 1);
    let total = full.history.len();
    assert!(notes(&whole).contains(&format!("history ({total} changes, newest first")));
    assert!(whole.chart.is_some(), "/events is a number: its chart");
}
