//! Everything that can happen to the explorer, as data. Keys and the mouse
//! become [`Action`]s through the keymap; the worker's answers and the clock
//! arrive as actions too, so `update` is the only place state changes.

use serde::{Deserialize, Serialize};

use super::report::Report;
use crate::core::projection::{Progress, StateAt};
use crate::core::store::TypeCount;
use crate::core::store::{Histogram, Scope, StreamInfo};

/// What a key can be bound to. The serde names are the words used in
/// `keymap.toml`, so the keymap file and the help screen share one vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    Quit,
    Help,
    FocusNext,
    FocusPrevious,
    Up,
    Down,
    PageUp,
    PageDown,
    First,
    Last,
    Filter,
    GoTo,
    MarkA,
    MarkB,
    NextProjection,
    ToggleTime,
    PlayPause,
    Faster,
    Slower,
    PreviousSameType,
    NextSameType,
    SearchNext,
    SearchPrevious,
    Diff,
    Blame,
    Correlation,
    StateSearch,
    FilterTypes,
    FilterMetadata,
    SwitchView,
    Follow,
    /// The focused pane fills the screen, or shares it again.
    Zoom,
    /// The Event or Projection pane shows columns further left / right.
    ScrollLeft,
    ScrollRight,
    /// The Event and Projection panes wrap long lines, or cut them again.
    Wrap,
    /// The Projection pane shows what the cursor's event changed, or the
    /// whole state again.
    Changes,
    /// The object or array under the Event or Projection pane's cursor
    /// folds into one line, or unfolds; every one unfolds; every one folds.
    ToggleFold,
    ExpandAll,
    CollapseAll,
    /// Copies the value under the cursor, its JSON Pointer, or the whole
    /// event as an NDJSON line.
    Copy,
    CopyPath,
    CopyEvent,
    /// The Projection pane's tree cursor goes to the next / previous line
    /// the cursor's event changed.
    NextChange,
    PreviousChange,
    /// Back to where the cursor stood before its last jump (a go-to, the
    /// first or last event, a search hit, an event opened from a report),
    /// or forward again.
    JumpBack,
    JumpForward,
    /// The projection's failure whole: message, failing event and stack.
    ShowError,
    /// The Streams pane is hidden, or shown again (at narrow widths it
    /// hides itself once a stream is open).
    ToggleStreams,
    /// The focused pane takes more / less of the screen.
    Grow,
    Shrink,
    /// Play at a rate typed in events per second.
    SetRate,
    /// Enter: what it confirms depends on the mode.
    Confirm,
    /// Esc: closes the overlay, or in the explorer stops a search or
    /// clears a filter.
    Cancel,
    /// In a prompt: deletes the character before the end.
    DeleteBack,
    /// In the picker: ticks or unticks the selected type.
    Toggle,
    /// In the picker: unticks every type.
    Clear,
    /// In a prompt: the cursor a character left / right, to the start /
    /// end of the line.
    CursorLeft,
    CursorRight,
    LineStart,
    LineEnd,
    /// In a prompt: deletes the character under the cursor, the word
    /// before it, everything before it, everything from it on.
    DeleteForward,
    DeleteWord,
    DeleteToStart,
    DeleteToEnd,
}

impl Command {
    /// Every command, in the order the help screen lists them.
    pub const ALL: [Command; 64] = [
        Command::Quit,
        Command::Help,
        Command::FocusNext,
        Command::FocusPrevious,
        Command::Up,
        Command::Down,
        Command::PageUp,
        Command::PageDown,
        Command::First,
        Command::Last,
        Command::Filter,
        Command::GoTo,
        Command::MarkA,
        Command::MarkB,
        Command::NextProjection,
        Command::ToggleTime,
        Command::PlayPause,
        Command::Faster,
        Command::Slower,
        Command::PreviousSameType,
        Command::NextSameType,
        Command::SearchNext,
        Command::SearchPrevious,
        Command::Diff,
        Command::Blame,
        Command::Correlation,
        Command::StateSearch,
        Command::FilterTypes,
        Command::FilterMetadata,
        Command::SwitchView,
        Command::Follow,
        Command::Zoom,
        Command::ScrollLeft,
        Command::ScrollRight,
        Command::Wrap,
        Command::Changes,
        Command::ToggleFold,
        Command::ExpandAll,
        Command::CollapseAll,
        Command::Copy,
        Command::CopyPath,
        Command::CopyEvent,
        Command::NextChange,
        Command::PreviousChange,
        Command::JumpBack,
        Command::JumpForward,
        Command::ShowError,
        Command::ToggleStreams,
        Command::Grow,
        Command::Shrink,
        Command::SetRate,
        Command::Confirm,
        Command::Cancel,
        Command::DeleteBack,
        Command::Toggle,
        Command::Clear,
        Command::CursorLeft,
        Command::CursorRight,
        Command::LineStart,
        Command::LineEnd,
        Command::DeleteForward,
        Command::DeleteWord,
        Command::DeleteToStart,
        Command::DeleteToEnd,
    ];

    /// The keymap word, e.g. `focus_next`.
    pub fn name(self) -> String {
        toml::Value::try_from(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// What the command does in the explorer (the overlays' tables say
    /// it their way: [`Mode::describe`](super::mode::Mode::describe)).
    pub fn describe(self) -> &'static str {
        match self {
            Command::Quit => "quit",
            Command::Help => "show or hide this help",
            Command::FocusNext => "focus the next pane",
            Command::FocusPrevious => "focus the previous pane",
            Command::Up => "move up / previous event",
            Command::Down => "move down / next event",
            Command::PageUp => "page up",
            Command::PageDown => "page down",
            Command::First => "first event",
            Command::Last => "last event",
            Command::Filter => "filter streams · search the timeline · find in Event/Projection",
            Command::GoTo => "go to a version, @position or time",
            Command::MarkA => "set mark A at the cursor",
            Command::MarkB => "set mark B at the cursor",
            Command::NextProjection => "next projection",
            Command::ToggleTime => "UTC / local time",
            Command::PlayPause => "play / pause",
            Command::Faster => "play faster",
            Command::Slower => "play slower",
            Command::PreviousSameType => "previous event of the same type",
            Command::NextSameType => "next event of the same type",
            Command::SearchNext => "next search match",
            Command::SearchPrevious => "previous search match",
            Command::Diff => "diff the state at mark A with B (or the cursor)",
            Command::Blame => "who last set the field under the Projection pane's cursor",
            Command::Correlation => "every event sharing this correlation id",
            Command::StateSearch => "first event after which the state matches",
            Command::FilterTypes => "timeline: show only some event types (picker)",
            Command::FilterMetadata => "timeline: show only events whose metadata matches",
            Command::SwitchView => "diff: the changes as a tree / the states side by side",
            Command::Follow => "follow new events",
            Command::Zoom => "the focused pane fills the screen / shares it again",
            Command::ScrollLeft => "Event, Projection: scroll left (long lines)",
            Command::ScrollRight => "Event, Projection: scroll right (long lines)",
            Command::Wrap => "Event, Projection: wrap long lines / cut them",
            Command::Changes => "Projection: what this event changed / the whole state",
            Command::ToggleFold => "Event, Projection: fold / unfold the object or array",
            Command::ExpandAll => "Event, Projection: unfold everything",
            Command::CollapseAll => "Event, Projection: fold every object and array",
            Command::Copy => "copy the value under the cursor (else the event's data)",
            Command::CopyPath => "copy the JSON Pointer of the value under the cursor",
            Command::CopyEvent => "copy the cursor's event as an NDJSON line rewind import reads",
            Command::NextChange => "Projection: the next line this event changed",
            Command::PreviousChange => "Projection: the previous line this event changed",
            Command::JumpBack => "back to where the cursor was before a jump",
            Command::JumpForward => "forward again to where jump_back came from",
            Command::ShowError => "the projection's error whole: message, event, stack",
            Command::ToggleStreams => "hide / show the Streams pane",
            Command::Grow => "the focused pane takes more of the screen",
            Command::Shrink => "the focused pane takes less of the screen",
            Command::SetRate => "play at a rate typed in events per second",
            Command::Confirm => "open the selected stream · fold, or open the value whole",
            Command::Cancel => "stop a search · clear the stream filter or the timeline filter",
            Command::DeleteBack => "delete the character before the cursor",
            Command::Toggle => "tick or untick the selected type",
            Command::Clear => "untick every type",
            Command::CursorLeft => "cursor one character left",
            Command::CursorRight => "cursor one character right",
            Command::LineStart => "cursor to the start of the line",
            Command::LineEnd => "cursor to the end of the line",
            Command::DeleteForward => "delete the character under the cursor",
            Command::DeleteWord => "delete the word before the cursor",
            Command::DeleteToStart => "delete everything before the cursor",
            Command::DeleteToEnd => "delete everything from the cursor on",
        }
    }
}

/// A mouse gesture in terminal cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mouse {
    Down { column: u16, row: u16 },
    Drag { column: u16, row: u16 },
    ScrollUp { column: u16, row: u16 },
    ScrollDown { column: u16, row: u16 },
}

/// The background threads' answers, all on one channel: projection
/// states, the reads that take too long on a big store to make the first
/// frame wait (the stream list, a histogram), searches, reports, type
/// counts and filter scans.
#[derive(Debug, Clone)]
pub enum Reply {
    Streams {
        result: Result<Vec<StreamInfo>, String>,
    },
    Histogram {
        scope: Scope,
        result: Result<Histogram, String>,
        /// [`EventSource::scope_note`](crate::core::store::EventSource::scope_note).
        note: Option<String>,
    },
    Progress {
        seq: u64,
        progress: Progress,
    },
    Done {
        seq: u64,
        result: Result<Box<StateAt>, String>,
    },
    /// How many rows a running search has read.
    SearchProgress {
        id: u64,
        scanned: u64,
    },
    /// Where a search ended: the matching row, or none up to the end.
    SearchFound {
        id: u64,
        result: Result<Option<u64>, String>,
    },
    /// Where a row the UI asked for is ([`Locate`](super::locate::Locate)).
    Located {
        id: u64,
        result: Result<super::locate::Located, String>,
    },
    /// A job crashed (a bug): whatever waits for `id` stops waiting.
    JobFailed {
        id: u64,
        message: String,
    },
    /// A report for the report view; `last` when no more will follow.
    Report {
        id: u64,
        result: Result<Report, String>,
        last: bool,
    },
    /// The picker's event types with their counts.
    TypeCounts {
        id: u64,
        result: Result<Vec<TypeCount>, String>,
    },
    /// A timeline filter's scan: the matching rows from where it started
    /// and the row count it reached; `None` when it was cancelled.
    FilterRows {
        id: u64,
        result: Result<Option<(Vec<u64>, u64)>, String>,
    },
}

#[derive(Debug, Clone)]
pub enum Action {
    Command(Command),
    /// A character typed into the prompt.
    Input(char),
    Mouse(Mouse),
    Resize {
        width: u16,
        height: u16,
    },
    /// The clock: drives play mode and follow polling.
    Tick {
        now_ms: i64,
    },
    Reply(Reply),
}
