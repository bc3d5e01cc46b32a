//! `rewind bench --store STORE`: the read side measured on a store that
//! already exists, of any backend (a big PostgreSQL database, a foreign
//! SQLite file). Nothing is written to it. `benches/postgres.sh` runs this
//! on a 10-million-message message-db store and on a small one.

use anyhow::{Context, Result};
use serde_json::{json, Map, Value};

use super::timing::{ms, percentile, timed};
use crate::core::demo::Rng;
use crate::core::store::{EventSource, Scope, StoreLocation};
// Windows of the rows a timeline reads, as the explorer reads them.
use crate::tui::app::{HISTOGRAM_BUCKETS, WINDOW};

const JUMPS: usize = 200;
const PAGES: usize = 200;

pub fn figures(location: &StoreLocation, figures: &mut Map<String, Value>) -> Result<()> {
    let (source, open) = timed(|| {
        location
            .open()
            .with_context(|| format!("{}: cannot open", location.path.display()))
    })?;
    figures.insert("store".into(), json!(source.label()));
    figures.insert("open_ms".into(), json!(ms(open)));
    let (count, took) = timed(|| Ok(source.count(&Scope::All)?))?;
    figures.insert("events".into(), json!(count));
    figures.insert("count_all_ms".into(), json!(ms(took)));
    let (streams, took) = timed(|| Ok(source.streams()?))?;
    figures.insert("streams".into(), json!(streams.len()));
    figures.insert("streams_ms".into(), json!(ms(took)));
    let (_, took) = timed(|| Ok(source.histogram(&Scope::All, HISTOGRAM_BUCKETS)?))?;
    figures.insert("histogram_ms".into(), json!(ms(took)));
    let (_, took) = timed(|| Ok(source.type_counts(&Scope::All)?))?;
    figures.insert("types_ms".into(), json!(ms(took)));
    window_figures(source.as_ref(), count, figures)?;
    let first = timed(|| crate::tui::bench_first_frame(location))?.0;
    figures.insert("first_frame_ms".into(), json!(ms(first)));
    if let Some(longest) = streams.iter().max_by_key(|s| s.count) {
        let step = crate::tui::bench_cursor_step(location, &longest.stream, 100)?;
        figures.insert("cursor_step_stream".into(), json!(longest.stream));
        figures.insert("cursor_step_ms".into(), json!(ms(step)));
    }
    Ok(())
}

/// Far jumps (a window at a random row of `$all`) and scrolling (the next
/// window after the last one), as p50/p99 in milliseconds.
fn window_figures(
    source: &dyn EventSource,
    count: u64,
    out: &mut Map<String, Value>,
) -> Result<()> {
    if count == 0 {
        return Ok(());
    }
    let mut rng = Rng::new(7);
    let mut jumps = Vec::with_capacity(JUMPS);
    for _ in 0..JUMPS {
        let row = rng.below(count);
        jumps.push(timed(|| Ok(source.read_rows(&Scope::All, row, WINDOW)?))?.1);
    }
    let mut pages = Vec::with_capacity(PAGES);
    let mut row = count / 2;
    for _ in 0..PAGES {
        pages.push(timed(|| Ok(source.read_rows(&Scope::All, row, WINDOW)?))?.1);
        row = (row + WINDOW as u64) % count;
    }
    for (name, mut times) in [("far_jump", jumps), ("scroll_page", pages)] {
        times.sort();
        out.insert(
            format!("{name}_p50_ms"),
            json!(ms(percentile(&times, 50.0))),
        );
        out.insert(
            format!("{name}_p99_ms"),
            json!(ms(percentile(&times, 99.0))),
        );
    }
    Ok(())
}
