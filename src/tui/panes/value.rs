//! Draws the value overlay: one value, whole, wrapped to the screen.

use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::core::sanitize::visible;
use crate::tui::action::Command;
use crate::tui::app::App;
use crate::tui::overlay::{Mode, ValueView};
use crate::tui::panes::centered;
use crate::tui::text::fit;

pub fn render(app: &App, value: &ValueView, frame: &mut Frame, screen: Rect) {
    let area = centered(
        screen,
        screen.width.saturating_sub(4).max(10),
        screen.height.saturating_sub(2).max(3),
    );
    let close = app.settings.keymap.hint_in(Mode::Value, Command::Cancel);
    let title = format!(" {} ({close} closes) ", visible(&value.pointer));
    let title = fit(&title, area.width.saturating_sub(4) as usize);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(app.settings.theme.focused_border)
        .title(title.trim_end().to_string());
    // The text was escaped when the overlay opened; wrapping only breaks
    // it into rows.
    let paragraph = Paragraph::new(value.text.as_str())
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((value.scroll.min(u16::MAX as usize) as u16, 0));
    frame.render_widget(Clear, area);
    frame.render_widget(paragraph, area);
}
