//! Where each pane sits. A pure function of the screen size (and of the
//! pane zoomed to fill it, if any), used by the renderer to draw and by
//! `update` to map mouse clicks back to panes.

use ratatui::layout::{Constraint, Layout, Rect};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Areas {
    pub streams: Rect,
    pub histogram: Rect,
    pub timeline: Rect,
    pub event: Rect,
    pub projection: Rect,
    pub status: Rect,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Streams,
    Timeline,
    Event,
    Projection,
}

impl Pane {
    pub const ORDER: [Pane; 4] = [Pane::Streams, Pane::Timeline, Pane::Event, Pane::Projection];
}

/// Rows the histogram block takes, borders included.
const HISTOGRAM_HEIGHT: u16 = 4;

/// Below this width the Streams pane gives its room to the others once a
/// stream is open (the focus has left it).
pub const NARROW: u16 = 100;

/// Whether the Streams pane is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StreamsPane {
    /// Shown on wide screens; on narrow ones only while it has the focus.
    #[default]
    Auto,
    Shown,
    Hidden,
}

/// How the screen is shared: the Streams pane, and the splits `grow` and
/// `shrink` move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    pub streams: StreamsPane,
    /// Cells added to (or taken from) the Streams pane's default width.
    pub streams_extra: i16,
    /// The Timeline's share of the height right of the Streams pane.
    pub timeline_percent: u16,
    /// The Event pane's share of the row it shares with the Projection pane.
    pub event_percent: u16,
}

impl Default for Split {
    fn default() -> Split {
        Split {
            streams: StreamsPane::Auto,
            streams_extra: 0,
            timeline_percent: 45,
            event_percent: 50,
        }
    }
}

/// How far one `grow` or `shrink` moves a split.
const STREAMS_STEP: i16 = 4;
const PERCENT_STEP: i16 = 5;

impl Split {
    /// True when the Streams pane is drawn on a screen `width` wide.
    pub fn streams_shown(&self, width: u16, focus: Pane) -> bool {
        match self.streams {
            StreamsPane::Shown => true,
            StreamsPane::Hidden => false,
            StreamsPane::Auto => width >= NARROW || focus == Pane::Streams,
        }
    }

    /// The focused pane's split moved by one step: more room for it when
    /// `grow`, less otherwise.
    pub fn resize(&mut self, pane: Pane, grow: bool) {
        let sign = if grow { 1 } else { -1 };
        match pane {
            Pane::Streams => {
                self.streams_extra = (self.streams_extra + sign * STREAMS_STEP).clamp(-40, 80)
            }
            Pane::Timeline => self.timeline_percent = step(self.timeline_percent, sign),
            Pane::Event => self.event_percent = step(self.event_percent, sign),
            Pane::Projection => self.event_percent = step(self.event_percent, -sign),
        }
    }
}

fn step(percent: u16, sign: i16) -> u16 {
    (percent as i16 + sign * PERCENT_STEP).clamp(15, 85) as u16
}

/// The panes side by side, none zoomed, as they first open.
pub fn areas(screen: Rect) -> Areas {
    let split = Split {
        streams: StreamsPane::Shown,
        ..Split::default()
    };
    zoomed_areas(screen, &split, Pane::Streams, None)
}

/// The panes as `split` shares the screen with `focus` focused. With
/// `zoomed`, that pane fills the screen above the status bar (the Timeline
/// with its histogram) and the others get no room.
pub fn zoomed_areas(screen: Rect, split: &Split, focus: Pane, zoomed: Option<Pane>) -> Areas {
    let [main, status] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(screen);
    if let Some(pane) = zoomed {
        let mut areas = Areas {
            status,
            ..Areas::default()
        };
        match pane {
            Pane::Streams => areas.streams = main,
            Pane::Event => areas.event = main,
            Pane::Projection => areas.projection = main,
            Pane::Timeline => {
                let [histogram, timeline] =
                    Layout::vertical([Constraint::Length(HISTOGRAM_HEIGHT), Constraint::Min(1)])
                        .areas(main);
                areas.histogram = histogram;
                areas.timeline = timeline;
            }
        }
        return areas;
    }
    let streams_width = if split.streams_shown(screen.width, focus) {
        streams_width(screen.width, split.streams_extra)
    } else {
        0
    };
    let [streams, right] =
        Layout::horizontal([Constraint::Length(streams_width), Constraint::Min(1)]).areas(main);
    let [histogram, timeline, bottom] = Layout::vertical([
        Constraint::Length(HISTOGRAM_HEIGHT),
        Constraint::Percentage(split.timeline_percent),
        Constraint::Min(3),
    ])
    .areas(right);
    let [event, projection] = Layout::horizontal([
        Constraint::Percentage(split.event_percent),
        Constraint::Percentage(100 - split.event_percent),
    ])
    .areas(bottom);
    Areas {
        streams,
        histogram,
        timeline,
        event,
        projection,
        status,
    }
}

/// The Streams pane's width: about a third of the screen, moved by
/// `extra` cells, leaving the other panes 20 cells at least.
fn streams_width(width: u16, extra: i16) -> u16 {
    let base = (width * 3 / 10).clamp(20, 44).min(width / 2) as i32;
    let most = (width as i32 - 20).max(12);
    (base + extra as i32).clamp(12.min(most), most) as u16
}

/// The area inside a one-cell border.
pub fn inner(area: Rect) -> Rect {
    Rect {
        x: area.x.saturating_add(1),
        y: area.y.saturating_add(1),
        width: area.width.saturating_sub(2),
        height: area.height.saturating_sub(2),
    }
}

pub fn contains(area: Rect, column: u16, row: u16) -> bool {
    column >= area.x && column < area.x + area.width && row >= area.y && row < area.y + area.height
}
