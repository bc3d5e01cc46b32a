//! Histograms: bucket counts computed by the database where the table has
//! a time column, by binary search where the time is only known after
//! decoding.

use super::{Arg, TableSource};
use crate::core::error::StoreResult;
use crate::core::store::{EventSource, Histogram, Scope};

impl TableSource {
    /// Bucket counts from the rows at each bucket boundary, found by binary
    /// search: O(buckets × log n) point reads instead of a decoding scan.
    pub(super) fn histogram_by_search(
        &self,
        scope: &Scope,
        count: u64,
        buckets: usize,
    ) -> StoreResult<Histogram> {
        let first = self.time_at_row(scope, 0)?.unwrap_or(0);
        let last = self.time_at_row(scope, count - 1)?.unwrap_or(first);
        let bucket_ms = ((last - first).max(0) / buckets as i64 + 1).max(1);
        let mut counts = Vec::with_capacity(buckets);
        let mut before = 0u64;
        for i in 1..=buckets {
            let upto = if i == buckets {
                count
            } else {
                self.search_time(scope, first + bucket_ms * i as i64 - 1)?
                    .map_or(0, |row| row + 1)
            };
            counts.push(upto.saturating_sub(before));
            before = upto.max(before);
        }
        Ok(Histogram {
            start_ms: first,
            bucket_ms,
            counts,
        })
    }

    /// Counts per equal time bucket between the scope's first and last
    /// event: `(time - first) / width` grouped on the server, one window
    /// of positions at a time, each window's sum handed to `partial`.
    pub(super) fn compute_histogram(
        &self,
        scope: &Scope,
        buckets: usize,
        partial: &mut dyn FnMut(&Histogram),
    ) -> StoreResult<Histogram> {
        let count = self.count(scope)?;
        if count == 0 {
            return Ok(Histogram::default());
        }
        let buckets = buckets.max(1);
        let Some(time) = self.spec.time_ms.clone() else {
            return self.histogram_by_search(scope, count, buckets);
        };
        let (filter, args) = self.filter(scope, 3);
        // The span from the first and last rows' times (two index reads)
        // rather than min/max over the scope, which on a table without a
        // time index (message-db) is one more full scan. Times out of step
        // with positions are counted in the end buckets.
        let (Some(a), Some(b)) = (
            self.time_at_row(scope, 0)?,
            self.time_at_row(scope, count - 1)?,
        ) else {
            return Ok(Histogram::default());
        };
        let (first, last) = (a.min(b), a.max(b));
        let bucket_ms = ((last - first) / buckets as i64 + 1).max(1);
        let position = &self.spec.position;
        let (low, high) = self.position_span()?;
        let window_args = args.len() + 3;
        let sql = format!(
            "SELECT ({time} - ?1) / ?2 AS bucket, count(*) FROM {} WHERE {filter} \
             AND {position} >= ?{window_args} AND {position} < ?{} GROUP BY bucket",
            self.spec.table,
            window_args + 1
        );
        let mut histogram = Histogram {
            start_ms: first,
            bucket_ms,
            counts: vec![0u64; buckets],
        };
        let mut from = low;
        while from <= high {
            let to = from.saturating_add(self.histogram_window);
            let mut all = vec![Arg::Int(first), Arg::Int(bucket_ms)];
            all.extend(args.iter().cloned());
            all.extend([Arg::Int(from), Arg::Int(to)]);
            for row in self.conn.ints(&sql, &all)? {
                let bucket = row.first().copied().flatten().unwrap_or(0);
                let n = row.get(1).copied().flatten().unwrap_or(0);
                histogram.counts[(bucket.max(0) as usize).min(buckets - 1)] += n.max(0) as u64;
            }
            from = to;
            if from <= high {
                partial(&histogram);
            }
        }
        Ok(histogram)
    }

    /// The least and greatest position of the table (two index probes).
    fn position_span(&self) -> StoreResult<(i64, i64)> {
        let sql = format!(
            "SELECT min({p}), max({p}) FROM {}",
            self.spec.table,
            p = self.spec.position
        );
        let row = self.conn.ints(&sql, &[])?.into_iter().next();
        let value = |i: usize| row.as_ref().and_then(|r| r.get(i).copied().flatten());
        Ok((value(0).unwrap_or(0), value(1).unwrap_or(-1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A mapped SQLite table of `rows` events a minute apart, positions
    /// 1 to `rows`.
    fn table(dir: &std::path::Path, rows: i64) -> TableSource {
        let path = dir.join("app.sqlite");
        let conn = rusqlite::Connection::open(&path).expect("create");
        conn.execute_batch(
            "CREATE TABLE events (seq INTEGER PRIMARY KEY, stream TEXT, n INTEGER,
                 type TEXT, body TEXT, at INTEGER);",
        )
        .expect("table");
        for seq in 1..=rows {
            conn.execute(
                "INSERT INTO events VALUES (?1, 'order-1', ?1, 'Placed', '{}', ?2)",
                [seq, 1_740_816_000_000 + seq * 60_000],
            )
            .expect("row");
        }
        let map = dir.join("map.toml");
        std::fs::write(
            &map,
            "table = \"events\"\nposition = \"seq\"\nstream = \"stream\"\nversion = \"n\"\n\
             type = \"type\"\ndata = \"body\"\ntime = \"at\"\ntime_format = \"epoch_ms\"\n",
        )
        .expect("map");
        crate::core::store::mapped::open(path.to_str().expect("utf-8"), &map).expect("open")
    }

    #[test]
    fn a_histogram_grows_window_by_window_to_the_whole_count() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut source = table(dir.path(), 10);
        let whole = source.histogram(&Scope::All, 5).expect("histogram");
        assert_eq!(whole.counts.iter().sum::<u64>(), 10);
        source.histogram_window = 3;
        *source.last_histogram.borrow_mut() = None;
        let mut partials = Vec::new();
        let last = source
            .histogram_progressive(&Scope::All, 5, &mut |h| {
                partials.push(h.counts.iter().sum::<u64>())
            })
            .expect("histogram");
        // Positions 1-3, 4-6 and 7-9 are drawn before 10 completes it.
        assert_eq!(partials, [3, 6, 9]);
        assert_eq!(last, whole);
    }
}
