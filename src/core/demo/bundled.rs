//! The demo the explorer opens without a store: the files of `demo-data/`,
//! built into the binary and written into a store of Rewind's own.

use std::path::Path;

use crate::core::ndjson::parse_line;
use crate::core::store::sqlite::SqliteStore;
use crate::core::ExpectedVersion;

/// The demo-data files, built into the binary so `rewind` works anywhere.
pub const DEMO_DATA: &[(&str, &str)] = &[
    (
        "bank.ndjson",
        include_str!("../../../demo-data/bank.ndjson"),
    ),
    (
        "carts.ndjson",
        include_str!("../../../demo-data/carts.ndjson"),
    ),
    (
        "flights.ndjson",
        include_str!("../../../demo-data/flights.ndjson"),
    ),
];

/// Writes the demo-data files into a new store at `path`, in time order.
pub fn build_demo_store(path: &Path) -> anyhow::Result<()> {
    let mut store = SqliteStore::create(path)?;
    let mut records = Vec::new();
    for (name, text) in DEMO_DATA {
        for (line, raw) in text.lines().enumerate() {
            let record = parse_line(raw)
                .map_err(|reason| anyhow::anyhow!("demo-data/{name}:{}: {reason}", line + 1))?;
            records.push(record);
        }
    }
    // The three files interleave in time; the log is in time order.
    records.sort_by_key(|r| r.event.time_ms);
    let mut appender = store.appender()?;
    for record in records {
        appender.append(&record.stream, ExpectedVersion::Any, &[record.event])?;
    }
    appender.commit()?;
    drop(store);
    // Leave a single file: fold the write-ahead log into the store.
    let conn = rusqlite::Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "DELETE")?;
    Ok(())
}
