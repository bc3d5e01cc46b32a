//! A blame's numbers over its history: a step line of the field's value
//! by version, from its first change to the cursor's event, which is
//! marked with a vertical line (`src/tui/report/chart.rs` has the points).

use ratatui::layout::Rect;
use ratatui::symbols::Marker;
use ratatui::text::Span;
use ratatui::widgets::{Axis, Chart, Dataset, GraphType};
use ratatui::Frame;

use crate::tui::app::App;
use crate::tui::report::chart::BlameChart;

pub fn render(app: &App, chart: &BlameChart, frame: &mut Frame, area: Rect) {
    let theme = &app.settings.theme;
    let [low, high] = chart.y_bounds;
    let marker = [(chart.cursor, low), (chart.cursor, high)];
    let datasets = vec![
        Dataset::default()
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(theme.json_number)
            .data(&chart.points),
        Dataset::default()
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(theme.selected)
            .data(&marker),
    ];
    let [first, last] = chart.x_bounds;
    let x_axis = Axis::default()
        .bounds(chart.x_bounds)
        .style(theme.dim)
        .labels([
            Span::raw(format!("v{first}")),
            Span::raw(format!("v{last} (cursor)")),
        ]);
    let y_axis = Axis::default()
        .bounds(chart.y_bounds)
        .style(theme.dim)
        .labels([Span::raw(number(low)), Span::raw(number(high))]);
    frame.render_widget(
        Chart::new(datasets)
            .x_axis(x_axis)
            .y_axis(y_axis)
            .legend_position(None),
        area,
    );
}

/// A bound as a label: whole numbers without a fraction.
fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value:.2}")
    }
}
