//! The help overlay: every binding of every mode, read from the keymap in
//! force, so a remapped key shows up as remapped. The keys of the overlay
//! it was opened over come first; descriptions wrap to the screen, and the
//! list scrolls.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::tui::action::Command;
use crate::tui::app::App;
use crate::tui::overlay::Mode;
use crate::tui::panes::{centered, overlay};
use crate::tui::sections::explorer_sections;

/// The help screen's width on a screen `width` wide.
fn help_width(width: u16) -> u16 {
    width.min(100)
}

/// Rows the help screen's lines get on a screen `height` rows high.
pub fn rows(height: u16) -> usize {
    usize::from(height.saturating_sub(2).max(1))
}

/// Every line of the help screen, descriptions wrapped to fit inside a
/// screen `width` wide.
pub fn lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let inner = usize::from(help_width(width).saturating_sub(2));
    let layout = Columns {
        keys: key_width(app),
        width: inner,
    };
    let mut lines = Vec::new();
    for mode in modes(app) {
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(mode.title(), app.settings.theme.title));
        if mode == Mode::Explorer {
            lines.extend(explorer_lines(app, &layout));
        } else {
            let commands: Vec<(Command, &str)> = mode
                .commands()
                .iter()
                .map(|c| (*c, mode.describe(*c)))
                .collect();
            lines.extend(command_lines(app, mode, &commands, &layout));
        }
    }
    lines
}

/// The explorer's keys by pane, the focused pane's first, then the mouse.
fn explorer_lines(app: &App, layout: &Columns) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for section in explorer_sections(app.focus) {
        lines.push(Line::styled(
            format!(" {}", section.title),
            app.settings.theme.title,
        ));
        let commands: Vec<(Command, &str)> = section
            .commands
            .iter()
            .map(|(c, what)| (*c, what.unwrap_or_else(|| c.describe())))
            .collect();
        lines.extend(command_lines(app, Mode::Explorer, &commands, layout));
    }
    let mouse = "mouse: click to focus and select, wheel to scroll, drag on the histogram to scrub";
    for piece in wrap_words(mouse, layout.width.saturating_sub(3)) {
        lines.push(Line::styled(format!("   {piece}"), app.settings.theme.dim));
    }
    lines
}

pub fn render(app: &App, frame: &mut Frame, screen: Rect) {
    let all = lines(app, screen.width);
    let rows = rows(screen.height);
    let top = app.overlays.help_scroll.min(all.len().saturating_sub(rows));
    let shown: Vec<Line> = all.iter().skip(top).take(rows).cloned().collect();
    let height = (shown.len() + 2).min(u16::MAX as usize) as u16;
    let area = centered(screen, help_width(screen.width), height);
    let keys = |command| {
        app.settings
            .keymap
            .keys_in(Mode::Help, command)
            .join(" or ")
    };
    let more = if all.len() > rows {
        format!(
            " · lines {}-{} of {}, {} scroll",
            top + 1,
            top + shown.len(),
            all.len(),
            keys(Command::Down)
        )
    } else {
        String::new()
    };
    let title = format!(" Keys ({} closes{more}) ", keys(Command::Cancel));
    overlay(app, frame, area, &title, shown);
}

/// The modes to list: the one under the help screen first, then the
/// explorer, then the other overlays, the help screen's own keys last.
fn modes(app: &App) -> Vec<Mode> {
    let under = app
        .overlays
        .iter()
        .map(|o| o.mode())
        .rfind(|m| *m != Mode::Help)
        .unwrap_or(Mode::Explorer);
    let mut modes = vec![under];
    modes.extend(
        Mode::ALL
            .into_iter()
            .filter(|m| *m != under && *m != Mode::Help),
    );
    modes.push(Mode::Help);
    modes
}

/// The help screen's columns: the keys' width, and the whole width inside
/// the border.
struct Columns {
    keys: usize,
    width: usize,
}

/// The keys' column: as wide as the most keys of one command need, so
/// that every description starts in the same column.
fn key_width(app: &App) -> usize {
    Mode::ALL
        .iter()
        .flat_map(|mode| {
            mode.commands().iter().map(|c| {
                app.settings
                    .keymap
                    .keys_in(*mode, *c)
                    .join(" ")
                    .chars()
                    .count()
            })
        })
        .max()
        .unwrap_or(0)
        .clamp(8, 18)
}

/// One line per command (more when its description wraps): its keys in
/// `mode`, its name, what it does.
fn command_lines(
    app: &App,
    mode: Mode,
    commands: &[(Command, &str)],
    layout: &Columns,
) -> Vec<Line<'static>> {
    let theme = &app.settings.theme;
    // Keys, the action's name, then what it does, wrapped under itself.
    let key_width = layout.keys;
    let left = key_width + 2 + 20;
    let room = layout.width.saturating_sub(left).max(20);
    let mut lines = Vec::new();
    for (command, what) in commands {
        let keys = app.settings.keymap.keys_in(mode, *command).join(" ");
        let mut pieces = wrap_words(what, room).into_iter();
        lines.push(Line::from(vec![
            Span::styled(format!("{keys:>key_width$}  "), theme.json_key),
            Span::raw(format!("{:<20}", command.name())),
            Span::styled(pieces.next().unwrap_or_default(), theme.dim),
        ]));
        for piece in pieces {
            lines.push(Line::styled(
                format!("{}{piece}", " ".repeat(left)),
                theme.dim,
            ));
        }
    }
    lines
}

/// `text` cut between words into lines of at most `width` characters.
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split(' ') {
        let last = lines.last_mut().expect("one line at least");
        if !last.is_empty() && last.chars().count() + 1 + word.chars().count() > width {
            lines.push(word.to_string());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    lines
}
