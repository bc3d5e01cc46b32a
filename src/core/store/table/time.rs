//! Histograms for tables whose event time is only known after decoding.

use super::TableSource;
use crate::core::error::StoreResult;
use crate::core::store::{Histogram, Scope};

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
}
