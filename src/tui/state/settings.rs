//! What the explorer was opened with and how it draws: the store, the
//! projections, the keys, the colours and the clock.

use crate::core::projection::ProjectionSpec;
use crate::core::store::StoreLocation;
use crate::core::time::Millis;
use crate::tui::keymap::Keymap;
use crate::tui::theme::Theme;

pub struct Settings {
    /// The store's file name, for the status bar.
    pub store_name: String,
    /// How to open the store again, for background jobs.
    pub location: StoreLocation,
    /// The projections, the generic one first, for jobs that load their own.
    pub specs: Vec<ProjectionSpec>,
    pub keymap: Keymap,
    pub theme: Theme,
    /// Times in local time instead of UTC.
    pub local_time: bool,
    /// The focused pane fills the screen.
    pub zoomed: bool,
    /// How the panes share the screen otherwise.
    pub split: crate::tui::layout::Split,
    /// The Event and Projection panes soft-wrap long lines.
    pub wrap: bool,
    /// "Now", for relative ages and times typed as `-2h`.
    pub now_ms: Millis,
    /// True when "now" is fixed (tests) rather than the wall clock.
    pub fixed_clock: bool,
}

impl Settings {
    /// The spec of projection `index`, the generic one if there is none.
    pub fn spec(&self, index: usize) -> ProjectionSpec {
        self.specs
            .get(index)
            .cloned()
            .unwrap_or(ProjectionSpec::Generic)
    }

    /// The zone a typed time without an offset is read in: the one the
    /// explorer shows times in.
    pub fn zone(&self) -> crate::core::time::Zone {
        if self.local_time {
            crate::core::time::Zone::Local
        } else {
            crate::core::time::Zone::Utc
        }
    }

    pub fn format_time(&self, ms: Millis) -> String {
        if self.local_time {
            let utc = crate::core::time::from_ms(ms);
            utc.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M:%S%.3f %:z")
                .to_string()
        } else {
            crate::core::time::rfc3339_ms(ms)
        }
    }

    /// The clock moved on (unless it is fixed).
    pub fn tick(&mut self, now_ms: Millis) {
        if !self.fixed_clock {
            self.now_ms = now_ms;
        }
    }
}
