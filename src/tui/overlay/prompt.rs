//! A prompt: a line the user types into, in the status bar (or, for the
//! stream list's query, in its pane).

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
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub text: String,
}

impl Prompt {
    pub fn new(kind: PromptKind, text: impl Into<String>) -> Prompt {
        Prompt {
            kind,
            text: text.into(),
        }
    }
}
