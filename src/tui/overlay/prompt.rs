//! A prompt: a line the user types into, in the status bar (or, for the
//! stream list's query, in its pane).

use tui_input::{Input, InputRequest};

/// What the prompt is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// The stream list's fuzzy query, typed in the Streams pane.
    StreamQuery,
    GoTo,
    Search,
    StateSearch,
    MetadataFilter,
    /// Text or a JSON Pointer to find in the Event or Projection pane.
    Find,
    /// Play mode's rate, in events per second or as a speed (`8x`).
    Rate,
}

/// A line being typed: its text and cursor (edited like a shell line),
/// and where it stands in the prompt's history.
#[derive(Debug, Clone)]
pub struct Prompt {
    pub kind: PromptKind,
    pub input: Input,
    /// How far back in the history ↑ went (`None`: the line being typed).
    pub recalled: Option<usize>,
    /// The line being typed, kept while ↑ shows older ones.
    pub draft: String,
}

impl Prompt {
    pub fn new(kind: PromptKind, text: impl Into<String>) -> Prompt {
        Prompt {
            kind,
            input: Input::new(text.into()),
            recalled: None,
            draft: String::new(),
        }
    }

    pub fn text(&self) -> &str {
        self.input.value()
    }

    /// The text before the cursor and from the cursor on, for drawing.
    pub fn split_at_cursor(&self) -> (&str, &str) {
        let text = self.input.value();
        let at = text
            .char_indices()
            .nth(self.input.cursor())
            .map_or(text.len(), |(i, _)| i);
        text.split_at(at)
    }

    /// Applies an edit; true when the text changed.
    pub fn edit(&mut self, request: InputRequest) -> bool {
        self.input
            .handle(request)
            .is_some_and(|changed| changed.value)
    }

    /// Shows `text` (a line from the history), the cursor at its end.
    pub fn show(&mut self, text: &str) {
        self.input = Input::new(text.to_string());
    }
}

impl PartialEq for Prompt {
    fn eq(&self, other: &Prompt) -> bool {
        self.kind == other.kind && self.text() == other.text()
    }
}

impl PromptKind {
    /// The name its history is kept under.
    pub fn history_name(self) -> &'static str {
        match self {
            PromptKind::StreamQuery => "stream_filter",
            PromptKind::GoTo => "go_to",
            PromptKind::Search => "search",
            PromptKind::StateSearch => "state_search",
            PromptKind::MetadataFilter => "metadata_filter",
            PromptKind::Find => "find",
            PromptKind::Rate => "rate",
        }
    }
}
