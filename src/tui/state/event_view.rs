//! The Event pane's state: the cursor event laid out as one document (its
//! identity and metadata, then its data as JSON), the JSON Pointer of each
//! data line, how far the pane is scrolled, and the last find in it.

use ratatui::text::{Line, Span};

use super::settings::Settings;
use crate::core::event::Event;
use crate::core::sanitize::visible;
use crate::tui::json_view::lay_out;
use crate::tui::text::{clip_chars, fit};

#[derive(Debug, Default)]
pub struct EventView {
    pub lines: Vec<Line<'static>>,
    /// The JSON Pointer of the data value on each line (empty for the
    /// header's lines).
    pub paths: Vec<String>,
    pub scroll: usize,
    /// Columns scrolled to the right, for lines wider than the pane.
    pub hscroll: u16,
    /// The last text found in the pane, for `n`/`N`.
    pub find: Option<String>,
}

impl EventView {
    /// Shows `event` (nothing before the first event) from its top.
    pub fn show(&mut self, event: Option<&Event>, settings: &Settings) {
        self.scroll = 0;
        self.lines.clear();
        self.paths.clear();
        let Some(event) = event else {
            return;
        };
        self.lines = header(event, settings);
        self.paths = vec![String::new(); self.lines.len()];
        let data = lay_out(&event.data_json(), None, &settings.theme);
        self.lines.extend(data.lines);
        self.paths.extend(data.paths);
    }
}

/// The event's identity and metadata, a line each (bounded: metadata is
/// untrusted), then the heading of its data.
fn header(event: &Event, settings: &Settings) -> Vec<Line<'static>> {
    let theme = &settings.theme;
    let metadata = event.metadata_json();
    let meta = |key: &str| match metadata.get(key) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => "-".to_string(),
    };
    let field = |name: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{:<12}", visible(name)), theme.dim),
            Span::raw(visible(&clip_chars(&value, 200)).into_owned()),
        ])
    };
    let mut header = vec![
        Line::from(Span::styled(
            visible(&clip_chars(&event.event_type, 200)).into_owned(),
            theme.json_key,
        )),
        field("stream", event.stream.clone()),
        field("version", event.version.to_string()),
        field("position", event.position.to_string()),
        field("time", settings.format_time(event.time_ms)),
        field("schema", format!("v{}", event.schema_version)),
        field("id", event.id.clone()),
        field("correlation", meta("correlationId")),
        field("causation", meta("causationId")),
    ];
    let actor = event.actor();
    if !actor.is_empty() {
        header.push(field("actor", actor));
    }
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
    header.push(Line::styled("data", theme.dim));
    header
}
