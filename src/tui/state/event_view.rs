//! The Event pane's state: the cursor event laid out as one document (its
//! identity, then its data and metadata as a JSON tree with a cursor).

use ratatui::text::{Line, Span};

use super::settings::Settings;
use crate::core::event::Event;
use crate::core::sanitize::visible;
use serde_json::Value;

use super::json_tree::JsonTree;
use crate::tui::json_view::{container_pointers, lay_out_members, JsonLines};
use crate::tui::text::clip_chars;

#[derive(Debug, Default)]
pub struct EventView {
    /// The header's lines, then the data and the metadata as a tree
    /// (pointers start `/data` and `/metadata`).
    pub tree: JsonTree,
    /// The event as one document, `{"data": …, "metadata": …}`: what the
    /// tree's pointers point into.
    pub document: Value,
}

impl EventView {
    /// Shows `event` (nothing before the first event), the cursor on the
    /// value it was on when the new event has one there, the folds kept.
    pub fn show(&mut self, event: Option<&Event>, settings: &Settings) {
        let Some(event) = event else {
            self.tree.clear();
            self.document = Value::Null;
            return;
        };
        self.document = serde_json::json!({
            "data": event.data_json(),
            "metadata": event.metadata_json(),
        });
        self.lay_out(event, settings);
    }

    fn lay_out(&mut self, event: &Event, settings: &Settings) {
        let mut lines = header(event, settings);
        let mut paths = vec![String::new(); lines.len()];
        let body = lay_out_members(&self.document, &settings.theme, Some(&self.tree.folded));
        lines.extend(body.lines);
        paths.extend(body.paths);
        self.tree.replace(JsonLines {
            lines,
            paths,
            changed: Vec::new(),
        });
    }

    /// Folds or unfolds the object or array under the cursor; false on a
    /// plain value or the header.
    pub fn toggle_fold(&mut self, event: Option<&Event>, settings: &Settings) -> bool {
        let Some(pointer) = self.tree.pointer().map(str::to_string) else {
            return false;
        };
        let foldable = !pointer.is_empty()
            && self.document.pointer(&pointer).is_some_and(|v| {
                matches!(v, Value::Object(m) if !m.is_empty())
                    || matches!(v, Value::Array(a) if !a.is_empty())
            });
        let Some(event) = event.filter(|_| foldable) else {
            return false;
        };
        self.tree.flip_fold(&pointer);
        self.lay_out(event, settings);
        self.tree.place_on(&pointer);
        true
    }

    /// Unfolds everything (`expand`), or folds every object and array.
    pub fn fold_all(&mut self, expand: bool, event: Option<&Event>, settings: &Settings) {
        self.tree.folded = if expand {
            Default::default()
        } else {
            container_pointers(&self.document, FOLD_ALL_LIMIT)
        };
        if let Some(event) = event {
            self.lay_out(event, settings);
        }
    }

    /// The value under the cursor: a field of the data or metadata.
    pub fn value_at_cursor(&self) -> Option<(&str, &Value)> {
        let pointer = self.tree.pointer().filter(|p| !p.is_empty())?;
        Some((pointer, self.document.pointer(pointer)?))
    }
}

/// Containers "collapse all" folds at most.
const FOLD_ALL_LIMIT: usize = 100_000;

/// The event's identity and correlation, a line each (bounded: metadata
/// is untrusted); the data and the whole metadata follow as a tree.
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
    header
}
