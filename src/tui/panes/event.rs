//! The Event pane: the event under the cursor, its identity and metadata,
//! then its data as pretty, coloured JSON (laid out in `update`).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{pane_block, title, visible_slice};
use crate::core::sanitize::visible;
use crate::tui::app::{App, Pane};
use crate::tui::layout::inner;
use crate::tui::text::{clip_chars, fit};

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let block = pane_block(app, Some(Pane::Event), title(app, "Event", Vec::new()));
    frame.render_widget(block, area);
    let body = inner(area);
    let Some(event) = app.timeline.cursor_event() else {
        let text = if app.timeline.before_first {
            "before the first event: none applied yet (j or ↓ goes to the first)"
        } else {
            "no event"
        };
        frame.render_widget(
            Paragraph::new(Line::styled(text, app.settings.theme.dim)),
            body,
        );
        return;
    };
    let metadata = event.metadata_json();
    let meta = |key: &str| match metadata.get(key) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => "-".to_string(),
    };
    let field = |name: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{:<12}", visible(name)), app.settings.theme.dim),
            Span::raw(visible(&clip_chars(&value, 200)).into_owned()),
        ])
    };
    let mut header = vec![
        Line::from(Span::styled(
            visible(&clip_chars(&event.event_type, 200)).into_owned(),
            app.settings.theme.json_key,
        )),
        field("stream", event.stream.clone()),
        field("version", event.version.to_string()),
        field("position", event.position.to_string()),
        field("time", app.settings.format_time(event.time_ms)),
        field("schema", format!("v{}", event.schema_version)),
        field("id", event.id.clone()),
        field("correlation", meta("correlationId")),
        field("causation", meta("causationId")),
    ];
    let actor = super::timeline::actor(event);
    if !actor.is_empty() {
        header.push(field("actor", actor));
    }
    // The rest of the metadata, a line per key (bounded: it is untrusted).
    if let Some(map) = metadata.as_object() {
        let shown = ["correlationId", "causationId", "actor"];
        for (key, value) in map
            .iter()
            .filter(|(k, _)| !shown.contains(&k.as_str()))
            .take(20)
        {
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            header.push(field(&fit(key, 11), text));
        }
    }
    header.push(Line::styled("data", app.settings.theme.dim));
    // The header scrolls away with the data, as one document.
    let mut lines = Vec::with_capacity(body.height as usize);
    let skip_header = app.event.scroll.min(header.len());
    lines.extend(header.into_iter().skip(skip_header));
    let data_scroll = app.event.scroll.saturating_sub(skip_header);
    let remaining = Rect {
        height: body.height.saturating_sub(lines.len() as u16),
        ..body
    };
    lines.extend(
        visible_slice(&app.event.lines, data_scroll, remaining)
            .iter()
            .cloned(),
    );
    frame.render_widget(Paragraph::new(lines).scroll((0, app.event.hscroll)), body);
}
