//! `y`, `Y`, `E`: what goes to the clipboard. The value under the Event or
//! Projection pane's cursor (compact JSON; a string without its quotes),
//! its JSON Pointer, or the cursor's event as one NDJSON line `rewind
//! import` reads.
//! The text is left in `app.status.clipboard` for the terminal loop.

use crate::core::ndjson::event_line;
use crate::core::sanitize::visible;
use crate::tui::action::Command;
use crate::tui::app::{App, Pane};

pub(super) fn copy(app: &mut App, command: Command) {
    let copied = match command {
        Command::CopyPath => cursor_value(app).map(|(p, _)| {
            let what = format!("the path {}", shown_pointer(&p));
            (p, what)
        }),
        Command::CopyEvent => app
            .timeline
            .cursor_event()
            .map(|e| (event_line(e), format!("event @{} as NDJSON", e.position))),
        _ => match cursor_value(app) {
            Some((pointer, value)) => {
                Some((value, format!("the value of {}", shown_pointer(&pointer))))
            }
            // Elsewhere (and on the Event pane's header), the event's data.
            None => app
                .timeline
                .cursor_event()
                .map(|e| (e.data.clone(), format!("the data of event @{}", e.position))),
        },
    };
    match copied {
        Some((text, what)) => {
            app.status.message = Some(format!(
                "copied {} ({} bytes) to the clipboard",
                visible(&what),
                text.len()
            ));
            app.status.clipboard = Some(text);
        }
        None => app.status.message = Some("nothing to copy here".into()),
    }
}

/// The pointer under the focused pane's cursor and its value as text to
/// copy: compact JSON, a string without its quotes.
fn cursor_value(app: &App) -> Option<(String, String)> {
    let (pointer, value) = match app.focus {
        Pane::Event => app.event.value_at_cursor()?,
        Pane::Projection => app.projection.value_at_cursor()?,
        Pane::Streams | Pane::Timeline => return None,
    };
    let text = match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Some((pointer.to_string(), text))
}

/// The whole document's pointer is empty: say so.
fn shown_pointer(pointer: &str) -> &str {
    if pointer.is_empty() {
        "(the whole state)"
    } else {
        pointer
    }
}
