//! What opens over the panes: the help screen, a prompt, the event-type
//! picker and the report view (a diff, a blame, a list of events). They
//! form a stack; the top one gets every key first, and which keys it
//! takes is its [`Mode`]'s table in `assets/keymap.toml`.

pub mod picker;
pub mod prompt;
pub mod report;
pub mod value;

pub use picker::TypePicker;
pub use prompt::{Prompt, PromptKind};
pub use report::ReportView;
pub use value::ValueView;

pub use super::mode::Mode;

pub enum Overlay {
    Help,
    Prompt(Prompt),
    Picker(TypePicker),
    Report(ReportView),
    Value(ValueView),
}

impl Overlay {
    pub fn mode(&self) -> Mode {
        match self {
            Overlay::Help => Mode::Help,
            Overlay::Prompt(_) => Mode::Prompt,
            Overlay::Picker(_) => Mode::Picker,
            Overlay::Report(_) => Mode::Report,
            Overlay::Value(_) => Mode::Value,
        }
    }
}

/// `name` and `name_mut`: the open overlay of `variant`, wherever it is in
/// the stack.
macro_rules! accessors {
    ($name:ident, $name_mut:ident, $variant:ident, $type:ty) => {
        pub fn $name(&self) -> Option<&$type> {
            self.stack.iter().find_map(|o| match o {
                Overlay::$variant(inner) => Some(inner),
                _ => None,
            })
        }

        pub fn $name_mut(&mut self) -> Option<&mut $type> {
            self.stack.iter_mut().find_map(|o| match o {
                Overlay::$variant(inner) => Some(inner),
                _ => None,
            })
        }
    };
}

/// The open overlays, the top last.
#[derive(Default)]
pub struct Overlays {
    stack: Vec<Overlay>,
    /// How far the help screen is scrolled.
    pub help_scroll: usize,
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
        if mode == Mode::Help {
            self.help_scroll = 0;
        }
        self.stack.retain(|o| o.mode() != mode);
        self.stack.push(overlay);
    }

    /// Closes the overlay of `mode`, wherever it is, and returns it.
    pub fn close(&mut self, mode: Mode) -> Option<Overlay> {
        let i = self.stack.iter().position(|o| o.mode() == mode)?;
        Some(self.stack.remove(i))
    }

    pub fn is_open(&self, mode: Mode) -> bool {
        self.stack.iter().any(|o| o.mode() == mode)
    }

    accessors!(prompt, prompt_mut, Prompt, Prompt);
    accessors!(picker, picker_mut, Picker, TypePicker);
    accessors!(report, report_mut, Report, ReportView);
    accessors!(value, value_mut, Value, ValueView);

    /// True while an overlay waits for a background answer.
    pub fn is_busy(&self) -> bool {
        self.report().is_some_and(|r| r.job.is_some())
            || self.picker().is_some_and(|p| p.job.is_some())
    }
}
