//! The real terminal: raw mode, the alternate screen and mouse capture on
//! the way in, and always the reverse on the way out, on quit, on error and
//! on panic.

use std::io::{self, Stdout};
use std::time::{Duration, Instant};

use anyhow::Result;
use crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event as TermEvent, KeyCode, KeyEvent,
    KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};
use crossterm::execute;
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

use super::action::{Action, Command, Mouse};
use super::app::App;
use super::overlay::Mode;
use super::panes::render;
use super::update::update;

/// How long the loop waits for input before drawing again, so worker
/// replies and the clock are handled promptly.
const FRAME: Duration = Duration::from_millis(40);
const TICK: Duration = Duration::from_millis(100);

/// Puts the terminal back as it was. Safe to call more than once.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

/// Runs the explorer on the terminal until the user quits.
pub fn run(mut app: App) -> Result<()> {
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // A background thread's panic is caught there and shown in a pane;
        // printing it would scribble over the screen.
        if super::threads::is_background_thread() {
            return;
        }
        restore();
        previous_hook(info);
    }));
    enable_raw_mode()?;
    let result = (|| -> Result<()> {
        // A direct clear: ratatui's `Terminal::clear` asks the terminal
        // where the cursor is, which not every terminal answers.
        execute!(
            io::stdout(),
            EnterAlternateScreen,
            EnableMouseCapture,
            crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
        )?;
        let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
        event_loop(&mut app, &mut terminal)
    })();
    restore();
    result
}

fn event_loop(app: &mut App, terminal: &mut Terminal<CrosstermBackend<Stdout>>) -> Result<()> {
    let size = terminal.size()?;
    update(
        app,
        Action::Resize {
            width: size.width,
            height: size.height,
        },
    );
    let mut last_tick = Instant::now();
    while !app.quit {
        terminal.draw(|frame| render(app, frame))?;
        copy_to_clipboard(app, terminal)?;
        if event::poll(FRAME)? {
            // Handle everything already queued before drawing again, so
            // a held key or a fast wheel never lags behind.
            loop {
                if let Some(action) = to_action(app, event::read()?) {
                    update(app, action);
                }
                if app.quit || !event::poll(Duration::ZERO)? {
                    break;
                }
            }
        }
        while let Some(reply) = app.poll_worker() {
            update(app, Action::Reply(reply));
        }
        if last_tick.elapsed() >= TICK {
            last_tick = Instant::now();
            update(
                app,
                Action::Tick {
                    now_ms: crate::core::time::now_ms(),
                },
            );
        }
    }
    Ok(())
}

/// Sends text `update` left to copy to the terminal's clipboard. The
/// text goes base64-encoded inside OSC 52: none of its bytes reach the
/// screen.
fn copy_to_clipboard(
    app: &mut App,
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
) -> Result<()> {
    if let Some(text) = app.status.clipboard.take() {
        use std::io::Write;
        let backend = terminal.backend_mut();
        backend.write_all(super::clipboard::osc52(&text).as_bytes())?;
        backend.flush()?;
    }
    Ok(())
}

/// Maps a terminal event to an action: a key through the keymap's table
/// of the mode in force ([`key_action`]), the mouse and resizes as they are.
pub fn to_action(app: &App, event: TermEvent) -> Option<Action> {
    match event {
        TermEvent::Key(key) if key.kind != KeyEventKind::Release => key_action(app, &key),
        TermEvent::Mouse(mouse) => {
            let (column, row) = (mouse.column, mouse.row);
            match mouse.kind {
                MouseEventKind::Down(MouseButton::Left) => {
                    Some(Action::Mouse(Mouse::Down { column, row }))
                }
                MouseEventKind::Drag(MouseButton::Left) => {
                    Some(Action::Mouse(Mouse::Drag { column, row }))
                }
                MouseEventKind::ScrollUp => Some(Action::Mouse(Mouse::ScrollUp { column, row })),
                MouseEventKind::ScrollDown => {
                    Some(Action::Mouse(Mouse::ScrollDown { column, row }))
                }
                _ => None,
            }
        }
        TermEvent::Resize(width, height) => Some(Action::Resize { width, height }),
        _ => None,
    }
}

/// A key, through the table of the mode in force (the top overlay's, or
/// the explorer's). In a prompt an unbound character is typed; in the
/// report, value and help screens an unbound key closes them.
pub fn key_action(app: &App, key: &KeyEvent) -> Option<Action> {
    let mode = app.overlays.mode();
    if let Some(command) = app.settings.keymap.command_in(mode, key) {
        return Some(Action::Command(command));
    }
    // Ctrl with Alt is AltGr on some layouts (`@`, `{`): that types too.
    let control_only =
        key.modifiers.contains(KeyModifiers::CONTROL) && !key.modifiers.contains(KeyModifiers::ALT);
    match (mode, key.code) {
        (Mode::Prompt, KeyCode::Char(c)) if !control_only => Some(Action::Input(c)),
        (Mode::Report | Mode::Value, _) => Some(Action::Command(Command::Cancel)),
        _ => None,
    }
}
