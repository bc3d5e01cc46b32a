//! What the status bar says instead of its summary, and what `update`
//! hands to the terminal beyond drawing: text to copy to the clipboard.

#[derive(Debug, Default)]
pub struct Status {
    /// A message, shown until the next key.
    pub message: Option<String>,
    /// What the store is still doing (reading topics into their index, or
    /// why it cannot), as its last look at the head said.
    pub store_note: Option<String>,
    /// Text to put on the terminal's clipboard (OSC 52); the terminal
    /// loop takes it after `update`, since drawing never writes it.
    pub clipboard: Option<String>,
}
