//! `y`, `Y`, `E`: what goes to the clipboard. The value on the Projection
//! pane's top line (compact JSON; a string without its quotes), its JSON
//! Pointer, or the cursor's event as one NDJSON line `rewind import` reads.
//! The text is left in `app.status.clipboard` for the terminal loop.

use crate::core::ndjson::event_line;
use crate::core::sanitize::visible;
use crate::tui::action::Command;
use crate::tui::app::{App, Pane};

pub(super) fn copy(app: &mut App, command: Command) {
    let copied = match command {
        Command::CopyPath => top_pointer(app).map(|p| (p.clone(), format!("the path {p}"))),
        Command::CopyEvent => app
            .timeline
            .cursor_event()
            .map(|e| (event_line(e), format!("event @{} as NDJSON", e.position))),
        _ if app.focus == Pane::Projection => top_value(app),
        _ => app
            .timeline
            .cursor_event()
            .map(|e| (e.data.clone(), format!("the data of event @{}", e.position))),
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

/// The JSON Pointer of the Projection pane's top line.
fn top_pointer(app: &App) -> Option<&String> {
    app.projection
        .paths
        .get(app.projection.scroll)
        .filter(|p| !p.is_empty())
}

/// The value on the Projection pane's top line, as text to copy.
fn top_value(app: &App) -> Option<(String, String)> {
    let pointer = app.projection.paths.get(app.projection.scroll)?;
    let value = app.projection.shown.as_ref()?.state.pointer(pointer)?;
    let text = match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let name = if pointer.is_empty() { "/" } else { pointer };
    Some((text, format!("the value of {name}")))
}
