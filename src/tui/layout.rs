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

/// The panes side by side, none zoomed.
pub fn areas(screen: Rect) -> Areas {
    zoomed_areas(screen, None)
}

/// With `zoomed`, that pane fills the screen above the status bar (the
/// Timeline with its histogram) and the others get no room.
pub fn zoomed_areas(screen: Rect, zoomed: Option<Pane>) -> Areas {
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
    let streams_width = (screen.width * 3 / 10).clamp(20, 44).min(screen.width / 2);
    let [streams, right] =
        Layout::horizontal([Constraint::Length(streams_width), Constraint::Min(1)]).areas(main);
    let [histogram, timeline, bottom] = Layout::vertical([
        Constraint::Length(HISTOGRAM_HEIGHT),
        Constraint::Percentage(45),
        Constraint::Min(3),
    ])
    .areas(right);
    // The diff pane will take a share of this row once it exists.
    let [event, projection] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(bottom);
    Areas {
        streams,
        histogram,
        timeline,
        event,
        projection,
        status,
    }
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
