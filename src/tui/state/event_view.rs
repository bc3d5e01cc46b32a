//! The Event pane's state: the cursor event's data laid out as lines, and
//! how far the pane is scrolled.

use ratatui::text::Line;

use super::settings::Settings;
use crate::core::event::Event;
use crate::tui::json_view::json_lines;

#[derive(Debug, Default)]
pub struct EventView {
    pub lines: Vec<Line<'static>>,
    pub scroll: usize,
    /// Columns scrolled to the right, for lines wider than the pane.
    pub hscroll: u16,
}

impl EventView {
    /// Shows `event` (nothing before the first event) from its top.
    pub fn show(&mut self, event: Option<&Event>, settings: &Settings) {
        self.scroll = 0;
        self.lines = match event {
            Some(event) => json_lines(&event.data_json(), None, &settings.theme),
            None => Vec::new(),
        };
    }
}
