//! The numbers a blame's field took over its history, as points to draw
//! above the history: a step line (a value holds until the next change),
//! the cursor's event marked at its right end.

use crate::core::projection::travel::Change;

/// Points drawn at most: a long history is sampled down to what a screen
/// can show anyway.
const MAX_POINTS: usize = 2_000;

#[derive(Debug, Clone, PartialEq)]
pub struct BlameChart {
    /// (version, value) corners of the step line, oldest first.
    pub points: Vec<(f64, f64)>,
    /// The version the blame was asked at (the cursor's event).
    pub cursor: f64,
    pub x_bounds: [f64; 2],
    pub y_bounds: [f64; 2],
    /// How many changes the line stands on (before sampling).
    pub changes: usize,
}

/// The chart of `history` up to version `cursor`, when the field's values
/// are numbers (at least two of them; an absent value is a gap no line
/// can draw, so any makes it `None` too).
pub fn blame_chart(history: &[Change], cursor: i64) -> Option<BlameChart> {
    let values: Vec<(f64, f64)> = history
        .iter()
        .map(|c| Some((c.event.version as f64, c.value.as_ref()?.as_f64()?)))
        .collect::<Option<_>>()?;
    if values.len() < 2 {
        return None;
    }
    let stride = values.len().div_ceil(MAX_POINTS / 2).max(1);
    let cursor = (cursor as f64).max(values[values.len() - 1].0);
    let mut points = Vec::with_capacity(values.len().min(MAX_POINTS) + 2);
    let sampled: Vec<(f64, f64)> = values
        .iter()
        .step_by(stride)
        .chain(values.last().filter(|_| (values.len() - 1) % stride != 0))
        .copied()
        .collect();
    for (i, &(x, y)) in sampled.iter().enumerate() {
        points.push((x, y));
        let next_x = sampled.get(i + 1).map_or(cursor, |p| p.0);
        points.push((next_x, y));
    }
    let (low, high) = values
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &(_, y)| {
            (lo.min(y), hi.max(y))
        });
    // A flat line still needs a band to sit in.
    let pad = if high > low { 0.0 } else { 1.0 };
    Some(BlameChart {
        points,
        cursor,
        x_bounds: [values[0].0, cursor.max(values[0].0 + 1.0)],
        y_bounds: [low - pad, high + pad],
        changes: values.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::event::Event;
    use serde_json::{json, Value};

    fn change(version: i64, value: Option<Value>) -> Change {
        Change {
            event: Event {
                position: version + 1,
                id: format!("e{version}"),
                stream: "account-1".into(),
                version,
                event_type: "Deposited".into(),
                schema_version: 1,
                data: "{}".into(),
                metadata: "{}".into(),
                time_ms: 0,
            },
            value,
        }
    }

    #[test]
    fn numbers_make_a_step_line_to_the_cursor() {
        let history = [
            change(1, Some(json!(0))),
            change(3, Some(json!(10))),
            change(6, Some(json!(4.5))),
        ];
        let chart = blame_chart(&history, 9).expect("numbers");
        assert_eq!(
            chart.points,
            [
                (1.0, 0.0),
                (3.0, 0.0),
                (3.0, 10.0),
                (6.0, 10.0),
                (6.0, 4.5),
                (9.0, 4.5)
            ]
        );
        assert_eq!(chart.x_bounds, [1.0, 9.0]);
        assert_eq!(chart.y_bounds, [0.0, 10.0]);
        assert_eq!(chart.cursor, 9.0);
    }

    #[test]
    fn text_absent_values_and_single_points_draw_nothing() {
        let text = [
            change(1, Some(json!("open"))),
            change(2, Some(json!("closed"))),
        ];
        assert!(blame_chart(&text, 2).is_none());
        let gap = [change(1, Some(json!(1))), change(2, None)];
        assert!(blame_chart(&gap, 2).is_none());
        assert!(blame_chart(&[change(1, Some(json!(1)))], 1).is_none());
    }

    #[test]
    fn long_histories_are_sampled_but_keep_their_last_change() {
        let history: Vec<Change> = (1..=100_000)
            .map(|v| change(v, Some(json!(v % 7))))
            .collect();
        let chart = blame_chart(&history, 100_000).expect("numbers");
        assert!(
            chart.points.len() <= MAX_POINTS + 2,
            "{}",
            chart.points.len()
        );
        assert_eq!(
            chart.points[chart.points.len() - 2],
            (100_000.0, 100_000.0 % 7.0)
        );
        assert_eq!(chart.changes, 100_000);
    }
}
