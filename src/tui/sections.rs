//! The explorer's keys by where they work: the help screen lists them in
//! these sections (the focused pane's first), and the status bar's footer
//! shows the focused pane's main keys. Keys themselves come from the
//! keymap in force; this only says which commands go together.

use super::action::Command;
use super::layout::Pane;
use super::mode::Mode;

/// A heading, and the commands under it with what each does there (`None`:
/// the command's own description).
pub struct Section {
    pub title: &'static str,
    /// The pane the section is about, listed first when it has the focus.
    pub pane: Option<Pane>,
    pub commands: &'static [(Command, Option<&'static str>)],
}

use Command::*;

/// The explorer's sections, in the order the help screen lists them when
/// no pane comes first.
pub const EXPLORER: [Section; 6] = [
    Section {
        title: "In every pane",
        pane: None,
        commands: &[
            (Help, None),
            (Quit, None),
            (FocusNext, None),
            (FocusPrevious, None),
            (
                Up,
                Some("move up: the selection, the timeline's cursor, the tree cursor"),
            ),
            (Down, Some("move down")),
            (PageUp, None),
            (PageDown, None),
            (First, Some("to the top (the timeline: the first event)")),
            (Last, Some("to the end (the timeline: the last event)")),
            (GoTo, None),
            (JumpBack, None),
            (JumpForward, None),
            (MarkA, None),
            (MarkB, None),
            (Diff, None),
            (SwitchView, None),
            (NextProjection, None),
            (ToggleTime, None),
            (ShowError, None),
        ],
    },
    Section {
        title: "The layout",
        pane: None,
        commands: &[
            (Zoom, None),
            (ToggleStreams, None),
            (Grow, None),
            (Shrink, None),
        ],
    },
    Section {
        title: "The Streams pane",
        pane: Some(Pane::Streams),
        commands: &[
            (Filter, Some("fuzzy filter as you type")),
            (Confirm, Some("open the selected stream")),
            (Cancel, Some("clear the filter")),
        ],
    },
    Section {
        title: "The Timeline pane",
        pane: Some(Pane::Timeline),
        commands: &[
            (
                Filter,
                Some("search events: text or a condition (/data/amount>1000)"),
            ),
            (SearchNext, None),
            (SearchPrevious, None),
            (Cancel, Some("stop a search · show every event again")),
            (PreviousSameType, None),
            (NextSameType, None),
            (FilterTypes, None),
            (FilterMetadata, None),
            (StateSearch, None),
            (Correlation, None),
            (CopyEvent, None),
        ],
    },
    Section {
        title: "Playback and follow",
        pane: None,
        commands: &[
            (PlayPause, None),
            (Faster, None),
            (Slower, None),
            (SetRate, None),
            (Follow, None),
        ],
    },
    Section {
        title: "The Event and Projection panes",
        pane: Some(Pane::Event),
        commands: &[
            (Filter, Some("find text or a JSON Pointer in the pane")),
            (SearchNext, Some("the next line found")),
            (SearchPrevious, Some("the previous line found")),
            (
                Confirm,
                Some("fold the object or array · open a value whole"),
            ),
            (ToggleFold, Some("fold / unfold the object or array")),
            (ExpandAll, Some("unfold everything")),
            (CollapseAll, Some("fold every object and array")),
            (Copy, None),
            (CopyPath, None),
            (CopyEvent, None),
            (Wrap, Some("wrap long lines / cut them")),
            (ScrollLeft, Some("scroll left (long lines)")),
            (ScrollRight, Some("scroll right (long lines)")),
            (
                Blame,
                Some("Projection: who last set the field under the cursor"),
            ),
            (Changes, None),
            (NextChange, None),
            (PreviousChange, None),
        ],
    },
];

/// The explorer's sections, the one about `focus` first.
pub fn explorer_sections(focus: Pane) -> Vec<&'static Section> {
    // The Event and Projection panes share a section.
    let about = match focus {
        Pane::Projection => Pane::Event,
        other => other,
    };
    let mut sections: Vec<&Section> = EXPLORER.iter().filter(|s| s.pane == Some(about)).collect();
    sections.extend(EXPLORER.iter().filter(|s| s.pane != Some(about)));
    sections
}

/// The main keys of a pane, or of the overlay on top, for the footer,
/// each with the word shown after its key.
pub fn footer(mode: Mode, focus: Pane) -> &'static [(Command, &'static str)] {
    match (mode, focus) {
        (Mode::Explorer, Pane::Streams) => &[
            (Filter, "filter"),
            (Confirm, "open"),
            (ToggleStreams, "hide"),
            (Help, "help"),
            (Quit, "quit"),
        ],
        (Mode::Explorer, Pane::Timeline) => &[
            (GoTo, "go to"),
            (Filter, "search"),
            (MarkA, "mark"),
            (Diff, "diff"),
            (PlayPause, "play"),
            (Help, "help"),
        ],
        (Mode::Explorer, Pane::Event) => &[
            (ToggleFold, "fold"),
            (Filter, "find"),
            (Copy, "copy"),
            (Wrap, "wrap"),
            (Help, "help"),
        ],
        (Mode::Explorer, Pane::Projection) => &[
            (ToggleFold, "fold"),
            (Blame, "blame"),
            (Changes, "changes"),
            (Filter, "find"),
            (Copy, "copy"),
            (Help, "help"),
        ],
        (Mode::Report, _) => &[
            (Confirm, "open"),
            (SwitchView, "view"),
            (Cancel, "close"),
            (Help, "help"),
        ],
        (Mode::Picker, _) => &[(Toggle, "tick"), (Confirm, "apply"), (Cancel, "close")],
        (Mode::Value, _) => &[(Down, "scroll"), (Cancel, "close")],
        (Mode::Help, _) | (Mode::Prompt, _) => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_explorer_command_is_in_a_section() {
        for command in Mode::Explorer.commands() {
            assert!(
                EXPLORER
                    .iter()
                    .any(|s| s.commands.iter().any(|(c, _)| c == command)),
                "{} is in no section of the help screen",
                command.name()
            );
        }
    }

    #[test]
    fn sections_list_only_explorer_commands() {
        for section in &EXPLORER {
            for (command, _) in section.commands {
                assert!(
                    Mode::Explorer.commands().contains(command),
                    "{} ({}) is not an explorer command",
                    command.name(),
                    section.title
                );
            }
        }
    }

    #[test]
    fn footers_name_commands_of_their_mode() {
        for mode in Mode::ALL {
            for pane in Pane::ORDER {
                for (command, _) in footer(mode, pane) {
                    assert!(mode.commands().contains(command), "{mode:?} {command:?}");
                }
            }
        }
    }

    #[test]
    fn the_focused_pane_comes_first() {
        assert_eq!(
            explorer_sections(Pane::Timeline)[0].title,
            "The Timeline pane"
        );
        assert_eq!(
            explorer_sections(Pane::Projection)[0].title,
            "The Event and Projection panes"
        );
        assert_eq!(explorer_sections(Pane::Streams).len(), EXPLORER.len());
    }
}
