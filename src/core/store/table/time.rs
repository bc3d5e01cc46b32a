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
    /// event: `(time - first) / width` grouped on the server.
    pub(super) fn compute_histogram(
        &self,
        scope: &Scope,
        buckets: usize,
    ) -> StoreResult<Histogram> {
        let count = self.count(scope)?;
        if count == 0 {
            return Ok(Histogram::default());
        }
        let buckets = buckets.max(1);
        let Some(time) = self.spec.time_ms.clone() else {
            return self.histogram_by_search(scope, count, buckets);
        };
        let (filter, mut args) = self.filter(scope, 3);
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
        let sql = format!(
            "SELECT ({time} - ?1) / ?2 AS bucket, count(*) FROM {} WHERE {filter} GROUP BY bucket",
            self.spec.table
        );
        let mut all = vec![Arg::Int(first), Arg::Int(bucket_ms)];
        all.append(&mut args);
        let mut counts = vec![0u64; buckets];
        for row in self.conn.ints(&sql, &all)? {
            let bucket = row.first().copied().flatten().unwrap_or(0);
            let n = row.get(1).copied().flatten().unwrap_or(0);
            counts[(bucket.max(0) as usize).min(buckets - 1)] += n.max(0) as u64;
        }
        Ok(Histogram {
            start_ms: first,
            bucket_ms,
            counts,
        })
    }
}
