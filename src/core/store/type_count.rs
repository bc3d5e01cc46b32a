//! How many events of a scope have each type: the figure the type picker and
//! `rewind types` show. Backends with SQL group in their store and sort with
//! [`sorted_counts`]; the others scan with [`count_types_by_scan`].

use std::collections::HashMap;

use crate::core::error::StoreResult;
use crate::core::store::{EventSource, Scope};

/// An event type and how many events of the scope have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeCount {
    pub event_type: String,
    pub count: u64,
}

/// Counts events by type by scanning; the fallback for backends that cannot
/// ask their store to group.
pub fn count_types_by_scan(
    source: &(impl EventSource + ?Sized),
    scope: &Scope,
) -> StoreResult<Vec<TypeCount>> {
    let mut counts = HashMap::<String, u64>::new();
    let count = source.count(scope)?;
    source.scan(scope, 0, count, &mut |event| {
        *counts.entry(event.event_type.clone()).or_default() += 1;
        true
    })?;
    Ok(sorted_counts(counts))
}

/// Most frequent first, then by name, as the picker lists them.
pub fn sorted_counts(counts: impl IntoIterator<Item = (String, u64)>) -> Vec<TypeCount> {
    let mut merged = HashMap::<String, u64>::new();
    for (event_type, count) in counts {
        *merged.entry(event_type).or_default() += count;
    }
    let mut list: Vec<TypeCount> = merged
        .into_iter()
        .map(|(event_type, count)| TypeCount { event_type, count })
        .collect();
    list.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.event_type.cmp(&b.event_type))
    });
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_sort_by_frequency_then_name() {
        let list = sorted_counts([("b".into(), 2), ("a".into(), 2), ("c".into(), 5)]);
        let names: Vec<_> = list.iter().map(|t| t.event_type.as_str()).collect();
        assert_eq!(names, ["c", "a", "b"]);
    }
}
