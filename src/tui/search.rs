//! Finding events from the cursor: the next or previous event of the same
//! type (`[`/`]`) and of a search (`/` in the timeline, then `n`/`N`). Reads
//! go through `scan`, which pages by key, and stop after a bounded number
//! of rows so that a search never freezes the explorer on a long stream.

use anyhow::Result;

use super::app::App;
use crate::core::event::Event;

/// How far one search step reads before it reports "not found nearby".
pub const SEARCH_LIMIT: u64 = 200_000;
const CHUNK: u64 = 4096;

/// The row of the nearest event after (or before) the cursor for which
/// `wanted` holds, within [`SEARCH_LIMIT`] rows.
pub fn find(app: &App, forward: bool, wanted: &dyn Fn(&Event) -> bool) -> Result<Option<u64>> {
    if forward {
        let start = app.cursor + 1;
        let end = app.count.min(start.saturating_add(SEARCH_LIMIT));
        return matching_row(app, start, end, wanted, false);
    }
    // Backwards in chunks, nearest chunk first, the last match in each.
    let floor = app.cursor.saturating_sub(SEARCH_LIMIT);
    let mut end = app.cursor;
    while end > floor {
        let start = end.saturating_sub(CHUNK).max(floor);
        if let Some(row) = matching_row(app, start, end, wanted, true)? {
            return Ok(Some(row));
        }
        end = start;
    }
    Ok(None)
}

/// The first (or, with `last`, the last) row in `start..end` whose event
/// `wanted` accepts.
fn matching_row(
    app: &App,
    start: u64,
    end: u64,
    wanted: &dyn Fn(&Event) -> bool,
    last: bool,
) -> Result<Option<u64>> {
    let mut row = start;
    let mut found = None;
    app.source.scan(&app.scope, start, end, &mut |event| {
        if wanted(event) {
            found = Some(row);
            if !last {
                return false;
            }
        }
        row += 1;
        true
    })?;
    Ok(found)
}
