//! The status bar: store, scope, cursor, projection, marks, modes and key
//! hints; the prompt replaces it while the user types a go-to or a search.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::core::sanitize::visible;
use crate::tui::action::Command;
use crate::tui::app::App;
use crate::tui::overlay::PromptKind;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let typing = app
        .overlays
        .prompt()
        .and_then(|p| Some((prompt(p.kind)?, p.split_at_cursor())));
    let line = if let Some(((word, hint), (before, after))) = typing {
        let mut hint = hint.to_string();
        if app
            .overlays
            .prompt()
            .is_some_and(|p| p.kind == PromptKind::GoTo)
        {
            // Say which zone a time without an offset is read in.
            hint.push_str(&format!(
                " · times in {}",
                app.settings.zone().describe(app.settings.now_ms)
            ));
        }
        Line::from(vec![
            Span::raw(word),
            Span::raw(visible(before).into_owned()),
            Span::raw("▏"),
            Span::raw(visible(after).into_owned()),
            Span::styled(hint, app.settings.theme.dim),
        ])
    } else if let Some(message) = &app.status.message {
        Line::styled(visible(message).into_owned(), app.settings.theme.error)
    } else {
        Line::from(summary(app))
    };
    frame.render_widget(Paragraph::new(line).style(app.settings.theme.status), area);
}

/// The word before what is typed, and the hint after it, for the prompts
/// typed in the status bar (the stream filter is typed in its pane).
fn prompt(kind: PromptKind) -> Option<(&'static str, &'static str)> {
    const SEARCH: &str = "  text, or path=value: /data/amount=500 · metadata.actor=atm-456";
    match kind {
        PromptKind::GoTo => Some((
            ":",
            "  version 42 · position @1234 · time 2025-03-01 14:00 or -2h",
        )),
        PromptKind::Search => Some(("/", SEARCH)),
        PromptKind::StateSearch => Some(("state: ", SEARCH)),
        PromptKind::MetadataFilter => Some((
            "metadata: ",
            "  key=value (actor=atm-456) or text · empty shows all",
        )),
        PromptKind::Find => Some((
            "find: ",
            "  text in the pane, or a JSON Pointer (/holder/email) · n/N the next",
        )),
        PromptKind::Rate => Some((
            "rate: ",
            "  events per second (100, 0.5) or a speed (8x, 1x to 64x)",
        )),
        PromptKind::StreamQuery => None,
    }
}

fn summary(app: &App) -> Vec<Span<'static>> {
    let mut parts = vec![
        visible(&app.settings.store_name).into_owned(),
        visible(&app.timeline.scope.label()).into_owned(),
    ];
    if app.timeline.before_first {
        parts.push("before the first event".to_string());
    } else if let Some(event) = app.timeline.cursor_event() {
        parts.push(format!(
            "v{} @{} {}",
            event.version,
            event.position,
            app.settings.format_time(event.time_ms)
        ));
    }
    // What the explorer is doing comes before what it shows: on a narrow
    // screen the end of the line is cut.
    if let Some(note) = &app.status.store_note {
        parts.push(visible(note).into_owned());
    }
    if app.playback.playing {
        parts.push(format!("▶ {}", app.playback.describe_rate()));
    }
    if app.playback.follow {
        parts.push("following".into());
    } else if app.playback.follow_paused {
        parts.push(format!("follow paused, {} new", app.playback.new_events));
    }
    if app.settings.wrap {
        parts.push("wrap".into());
    }
    if app.settings.zoomed {
        parts.push("zoomed".into());
    }
    if app.settings.local_time {
        parts.push("local time".into());
    }
    let (projection, _) = app
        .projection
        .names
        .get(app.projection.active)
        .cloned()
        .unwrap_or_default();
    parts.push(format!("proj {}", visible(&projection)));
    // Written as a diff's title writes them: version and position.
    let mark = |point: Option<(i64, i64)>| match point {
        Some((version, position)) => format!("v{version} @{position}"),
        None => "-".to_string(),
    };
    if app.timeline.marks.iter().any(Option::is_some) {
        parts.push(format!(
            "A {} B {}",
            mark(app.timeline.mark_points[0]),
            mark(app.timeline.mark_points[1])
        ));
    }
    let hints = footer(app);
    // A narrow screen drops the store's name, then the scope's (the
    // Timeline's title names it too), before it cuts the end of the line.
    let width = usize::from(app.size.width);
    let long = |parts: &[String]| parts.join(" │ ").chars().count() + 4 + hints.chars().count();
    for _ in 0..2 {
        if long(&parts) > width && parts.len() > 2 {
            parts.remove(0);
        }
    }
    vec![
        Span::raw(format!(" {}", parts.join(" │ "))),
        Span::styled(format!("   {hints}"), app.settings.theme.dim),
    ]
}

/// The overlay on top's main keys, or (the panes showing theirs on their
/// borders) the help key.
fn footer(app: &App) -> String {
    let mode = app.overlays.mode();
    let keymap = &app.settings.keymap;
    if mode == crate::tui::overlay::Mode::Explorer {
        return format!("{} help", keymap.hint(Command::Help));
    }
    crate::tui::sections::footer(mode, app.focus)
        .iter()
        .map(|(command, word)| format!("{} {word}", keymap.hint_in(mode, *command)))
        .collect::<Vec<_>>()
        .join("  ")
}
