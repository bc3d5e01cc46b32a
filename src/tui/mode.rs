//! The modes of the explorer's keys: the panes, or the overlay on top.
//! Each has its own table in `assets/keymap.toml` and its own commands.

use super::action::Command;

/// How many of [`Command::ALL`], from the first, the explorer binds.
const EXPLORER_COMMANDS: usize = 53;

/// Which table of the keymap is in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    /// No overlay: the panes.
    Explorer,
    Help,
    Prompt,
    Picker,
    Report,
    Value,
}

impl Mode {
    pub const ALL: [Mode; 6] = [
        Mode::Explorer,
        Mode::Prompt,
        Mode::Picker,
        Mode::Report,
        Mode::Value,
        Mode::Help,
    ];

    /// The table's name in `keymap.toml` (the explorer's keys are at its
    /// top level).
    pub fn table(self) -> &'static str {
        match self {
            Mode::Explorer => "",
            Mode::Help => "help_screen",
            Mode::Prompt => "prompt",
            Mode::Picker => "picker",
            Mode::Report => "report",
            Mode::Value => "value",
        }
    }

    /// The commands the mode's table binds, in the order the help screen
    /// lists them.
    pub fn commands(self) -> &'static [Command] {
        use Command::*;
        match self {
            // Every command up to Cancel; the rest are the overlays' own.
            Mode::Explorer => &Command::ALL[..EXPLORER_COMMANDS],
            Mode::Prompt => &[
                Confirm,
                Cancel,
                DeleteBack,
                DeleteForward,
                DeleteWord,
                DeleteToStart,
                DeleteToEnd,
                CursorLeft,
                CursorRight,
                LineStart,
                LineEnd,
                Up,
                Down,
            ],
            Mode::Picker => &[
                Up, Down, PageUp, PageDown, First, Last, Toggle, Clear, Confirm, Cancel, Help, Quit,
            ],
            Mode::Report => &[
                Up, Down, PageUp, PageDown, First, Last, Confirm, SwitchView, Cancel, Help, Quit,
            ],
            Mode::Value => &[Up, Down, PageUp, PageDown, First, Last, Cancel, Help, Quit],
            Mode::Help => &[Up, Down, PageUp, PageDown, First, Last, Cancel, Quit],
        }
    }

    /// What `command` does in this mode.
    pub fn describe(self, command: Command) -> &'static str {
        match (self, command) {
            (Mode::Prompt, Command::Confirm) => return "confirm what is typed",
            (Mode::Prompt, Command::Cancel) => return "cancel",
            (Mode::Prompt, Command::Up | Command::Down) => {
                return "older / newer lines typed here (the matches, in the stream filter)"
            }
            (Mode::Picker, Command::Confirm) => return "show the ticked types (none ticked: all)",
            (Mode::Picker, Command::Cancel) => return "close the picker",
            (Mode::Report, Command::Confirm) => return "fold the path · open the event selected",
            (Mode::Report, Command::Cancel) => return "close (so does any key not listed)",
            (Mode::Report, Command::SwitchView) => {
                return "a diff: the changes as a tree / the states side by side"
            }
            (Mode::Value, Command::Cancel) => return "close (so does any key not listed)",
            (Mode::Help, Command::Cancel) => return "close the help (only these keys do)",
            (Mode::Value | Mode::Help, Command::Up) => return "scroll up",
            (Mode::Value | Mode::Help, Command::Down) => return "scroll down",
            (Mode::Value | Mode::Help, Command::First) => return "the top",
            (Mode::Value | Mode::Help, Command::Last) => return "the end",
            (Mode::Picker | Mode::Report, Command::Up) => return "move up",
            (Mode::Picker | Mode::Report, Command::Down) => return "move down",
            (Mode::Picker | Mode::Report, Command::First) => return "first line",
            (Mode::Picker | Mode::Report, Command::Last) => return "last line",
            _ => {}
        }
        command.describe()
    }

    /// The heading of the mode's keys on the help screen.
    pub fn title(self) -> &'static str {
        match self {
            Mode::Explorer => "The explorer",
            Mode::Help => "This help",
            Mode::Prompt => "Typing in a prompt (/ : S M)",
            Mode::Picker => "The event-type picker (T)",
            Mode::Report => "A diff, blame or list of events (d B c S)",
            Mode::Value => "A whole value (enter in the Projection pane)",
        }
    }
}
