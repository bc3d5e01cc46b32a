//! What opens over the panes: the help screen, a prompt, the event-type
//! picker and the report view (a diff, a blame, a list of events). They
//! form a stack; the top one gets every key first, and which keys it
//! takes is its [`Mode`]'s table in `assets/keymap.toml`.

pub mod picker;
pub mod prompt;
pub mod report;

pub use picker::TypePicker;
pub use prompt::{Prompt, PromptKind};
pub use report::ReportView;

pub use super::mode::Mode;

pub enum Overlay {
    Help,
    Prompt(Prompt),
    Picker(TypePicker),
    Report(ReportView),
}

impl Overlay {
    pub fn mode(&self) -> Mode {
        match self {
            Overlay::Help => Mode::Help,
            Overlay::Prompt(_) => Mode::Prompt,
            Overlay::Picker(_) => Mode::Picker,
            Overlay::Report(_) => Mode::Report,
        }
    }
}

/// The open overlays, the top last.
#[derive(Default)]
pub struct Overlays {
    stack: Vec<Overlay>,
}

impl Overlays {
    /// The keys in force: the top overlay's, or the explorer's.
    pub fn mode(&self) -> Mode {
        self.stack.last().map_or(Mode::Explorer, Overlay::mode)
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Overlay> {
        self.stack.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.stack.is_empty()
    }

    /// Opens `overlay` on top; one of its kind already open is replaced.
    pub fn open(&mut self, overlay: Overlay) {
        let mode = overlay.mode();
        self.stack.retain(|o| o.mode() != mode);
        self.stack.push(overlay);
    }

    /// Closes the top overlay and returns it.
    pub fn close_top(&mut self) -> Option<Overlay> {
        self.stack.pop()
    }

    /// Closes the overlay of `mode`, wherever it is, and returns it.
    pub fn close(&mut self, mode: Mode) -> Option<Overlay> {
        let i = self.stack.iter().position(|o| o.mode() == mode)?;
        Some(self.stack.remove(i))
    }

    pub fn is_open(&self, mode: Mode) -> bool {
        self.stack.iter().any(|o| o.mode() == mode)
    }

    pub fn prompt(&self) -> Option<&Prompt> {
        self.stack.iter().find_map(|o| match o {
            Overlay::Prompt(p) => Some(p),
            _ => None,
        })
    }

    pub fn prompt_mut(&mut self) -> Option<&mut Prompt> {
        self.stack.iter_mut().find_map(|o| match o {
            Overlay::Prompt(p) => Some(p),
            _ => None,
        })
    }

    pub fn picker(&self) -> Option<&TypePicker> {
        self.stack.iter().find_map(|o| match o {
            Overlay::Picker(p) => Some(p),
            _ => None,
        })
    }

    pub fn picker_mut(&mut self) -> Option<&mut TypePicker> {
        self.stack.iter_mut().find_map(|o| match o {
            Overlay::Picker(p) => Some(p),
            _ => None,
        })
    }

    pub fn report(&self) -> Option<&ReportView> {
        self.stack.iter().find_map(|o| match o {
            Overlay::Report(r) => Some(r),
            _ => None,
        })
    }

    pub fn report_mut(&mut self) -> Option<&mut ReportView> {
        self.stack.iter_mut().find_map(|o| match o {
            Overlay::Report(r) => Some(r),
            _ => None,
        })
    }

    /// True while an overlay waits for a background answer.
    pub fn is_busy(&self) -> bool {
        self.report().is_some_and(|r| r.job.is_some())
            || self.picker().is_some_and(|p| p.job.is_some())
    }
}
