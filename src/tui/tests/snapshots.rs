//! Snapshots of each pane and of the whole screen at 80x24 and 160x48.

use insta::assert_snapshot;
use ratatui::Frame;

use super::*;
use crate::tui::app::Pane;
use crate::tui::panes;

fn whole(name: &str, app: &App) {
    assert_snapshot!(name, draw(app).backend());
}

/// One pane drawn alone on a screen of its own.
fn pane(name: &str, app: &App, width: u16, height: u16, draw_pane: fn(&App, &mut Frame, Rect)) {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal
        .draw(|frame| draw_pane(app, frame, frame.area()))
        .expect("draw");
    assert_snapshot!(name, terminal.backend());
}

#[test]
fn start_screen() {
    for (w, h) in [(80, 24), (160, 48)] {
        let app = open(demo_path(), None, None, w, h);
        whole(&format!("start_{w}x{h}"), &app);
    }
}

#[test]
fn stream_screen_with_marks() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = open(demo_path(), Some("account-0042"), Some(3), w, h);
        command(&mut app, Command::MarkA);
        command(&mut app, Command::Down);
        command(&mut app, Command::Down);
        command(&mut app, Command::MarkB);
        command(&mut app, Command::Down);
        whole(&format!("stream_{w}x{h}"), &app);
    }
}

#[test]
fn filtering_screen() {
    let mut app = open(demo_path(), None, None, 80, 24);
    command(&mut app, Command::Filter);
    type_text(&mut app, "cart1");
    whole("filter_80x24", &app);
}

#[test]
fn help_screen() {
    let mut app = open(demo_path(), None, None, 80, 24);
    command(&mut app, Command::Help);
    whole("help_80x24", &app);
    app.size = Rect::new(0, 0, 160, 48);
    whole("help_160x48", &app);
    // Scrolled to its end, at every size: nothing is cut.
    for (w, h) in [(80, 24), (120, 36), (200, 60)] {
        app.size = Rect::new(0, 0, w, h);
        command(&mut app, Command::Last);
        let screen = screen_text(&draw(&app));
        assert!(
            screen.contains("help_screen") || screen.contains("This help"),
            "{screen}"
        );
        whole(&format!("help_end_{w}x{h}"), &app);
        command(&mut app, Command::First);
    }
}

#[test]
fn each_pane() {
    let mut app = open(demo_path(), Some("cart-00001"), Some(2), 160, 48);
    app.focus = Pane::Event;
    pane("pane_streams", &app, 40, 14, panes::streams::render);
    pane("pane_timeline", &app, 100, 12, panes::timeline::render);
    pane(
        "pane_histogram",
        &app,
        100,
        4,
        panes::timeline::render_histogram,
    );
    pane("pane_event", &app, 60, 24, panes::event::render);
    pane("pane_projection", &app, 60, 24, panes::projection::render);
    pane("pane_status", &app, 160, 1, panes::status::render);
    command(&mut app, Command::GoTo);
    type_text(&mut app, "@12");
    pane("pane_status_goto", &app, 100, 1, panes::status::render);
}

#[test]
fn diff_view() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = open(demo_path(), Some("account-0042"), Some(3), w, h);
        command(&mut app, Command::MarkA);
        for _ in 0..4 {
            command(&mut app, Command::Down);
        }
        command(&mut app, Command::MarkB);
        command(&mut app, Command::Diff);
        settle(&mut app);
        whole(&format!("diff_{w}x{h}"), &app);
        command(&mut app, Command::SwitchView);
        whole(&format!("diff_sides_{w}x{h}"), &app);
    }
}

#[test]
fn blame_view_with_its_chart() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = open(demo_path(), Some("account-0042"), Some(10), w, h);
        scroll_projection_to(&mut app, "/fields/amount");
        command(&mut app, Command::Blame);
        settle(&mut app);
        assert!(app
            .overlays
            .report()
            .is_some_and(|r| r.report.chart.is_some()));
        whole(&format!("blame_{w}x{h}"), &app);
    }
}

#[test]
fn correlation_view() {
    let mut app = open(demo_path(), Some("account-0042"), None, 80, 24);
    command(&mut app, Command::Filter);
    type_text(&mut app, "type=TransferSent");
    update(&mut app, Action::Command(Command::Confirm));
    settle(&mut app);
    command(&mut app, Command::Correlation);
    settle(&mut app);
    whole("correlation_80x24", &app);
}

#[test]
fn state_search_view() {
    let mut app = open(demo_path(), Some("account-0042"), None, 80, 24);
    command(&mut app, Command::StateSearch);
    type_text(&mut app, "/eventCounts/TransferSent=2");
    update(&mut app, Action::Command(Command::Confirm));
    settle(&mut app);
    whole("state_search_80x24", &app);
}

#[test]
fn type_picker_and_filtered_timeline() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = open(demo_path(), Some("account-0042"), None, w, h);
        command(&mut app, Command::FilterTypes);
        super::filter::wait_for_filter(&mut app);
        command(&mut app, Command::Down);
        command(&mut app, Command::Toggle);
        whole(&format!("type_picker_{w}x{h}"), &app);
        update(&mut app, Action::Command(Command::Confirm));
        super::filter::wait_for_filter(&mut app);
        command(&mut app, Command::Down);
        whole(&format!("filtered_{w}x{h}"), &app);
    }
}

#[test]
fn state_tree_unfolded_folded_and_changes() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = open_with_projection("account-0042", "bank.js", w, h);
        command(&mut app, Command::Last);
        scroll_projection_to(&mut app, "/holder");
        whole(&format!("tree_unfolded_{w}x{h}"), &app);
        command(&mut app, Command::ToggleFold);
        command(&mut app, Command::Zoom);
        whole(&format!("tree_folded_zoomed_{w}x{h}"), &app);
        command(&mut app, Command::Zoom);
        command(&mut app, Command::Changes);
        whole(&format!("tree_changes_{w}x{h}"), &app);
    }
}

#[test]
fn value_overlay() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = open_with_projection("account-0042", "bank.js", w, h);
        scroll_projection_to(&mut app, "/holder/email");
        command(&mut app, Command::Confirm);
        assert!(app.overlays.value().is_some());
        whole(&format!("value_{w}x{h}"), &app);
    }
}
