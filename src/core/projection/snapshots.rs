//! The engine's snapshots, within a memory budget. Each projection and
//! scope has its own set, taken every few events; all sets together stay
//! within a byte budget whatever the scope or the size of its states:
//! snapshots are spaced further apart as states grow, and when the budget
//! is full the largest set is thinned to every other snapshot.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::core::store::Scope;

/// A snapshot: the state as compact JSON text, as the projection saved it.
/// Text is what the budget counts, and it takes several times less memory
/// than the same state parsed.
pub type Snapshot = Arc<str>;

/// Which projection over which scope a set belongs to.
pub type SetKey = (usize, Scope);

/// The bytes all snapshots may take together, over every projection and
/// scope, unless set otherwise.
pub const DEFAULT_SNAPSHOT_MEMORY: usize = 256 * 1024 * 1024;
/// What a kept snapshot costs beyond its text (map entry, allocation).
const SNAPSHOT_OVERHEAD: usize = 64;

/// The snapshots of one projection over one scope.
#[derive(Default)]
struct SnapshotSet {
    rows: BTreeMap<u64, Snapshot>,
    bytes: usize,
    /// The size of the newest snapshot, which spaces the next ones.
    last_bytes: usize,
    /// At least this many events between snapshots: doubled each time the
    /// set is thinned to fit the budget, so it does not refill at once.
    min_spacing: u64,
}

pub struct Snapshots {
    sets: HashMap<SetKey, SnapshotSet>,
    /// Bytes held by all sets, and the most they may hold.
    bytes: usize,
    budget: usize,
}

impl Default for Snapshots {
    fn default() -> Self {
        Snapshots {
            sets: HashMap::new(),
            bytes: 0,
            budget: DEFAULT_SNAPSHOT_MEMORY,
        }
    }
}

impl Snapshots {
    pub fn set_budget(&mut self, bytes: usize) {
        self.budget = bytes;
        self.fit_budget(1);
    }

    /// Bytes the kept snapshots take now.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn clear(&mut self) {
        self.sets.clear();
        self.bytes = 0;
    }

    /// The rows and snapshots of a set, for saving to disk.
    pub fn rows(&self, key: &SetKey) -> Option<&BTreeMap<u64, Snapshot>> {
        self.sets.get(key).map(|set| &set.rows)
    }

    /// The snapshot of the state after `row`, if kept.
    pub fn get(&self, key: &SetKey, row: u64) -> Option<Snapshot> {
        self.sets.get(key)?.rows.get(&row).cloned()
    }

    /// The latest snapshot at or before `row`.
    pub fn at_or_before(&self, key: &SetKey, row: u64) -> Option<(u64, &Snapshot)> {
        let (row, saved) = self.sets.get(key)?.rows.range(..=row).next_back()?;
        Some((*row, saved))
    }

    /// The row of the latest snapshot strictly before `row`.
    pub fn last_row_before(&self, key: &SetKey, row: u64) -> Option<u64> {
        let (row, _) = self.sets.get(key)?.rows.range(..row).next_back()?;
        Some(*row)
    }

    /// How many events apart snapshots of this set are taken: `interval`
    /// (from the projection's cost), or more when `count` events' worth of
    /// snapshots of the current state size would not fit the budget.
    pub fn spacing(&self, key: &SetKey, count: u64, interval: u64) -> u64 {
        let Some(set) = self.sets.get(key) else {
            return interval;
        };
        let per_snapshot = (set.last_bytes + SNAPSHOT_OVERHEAD) as u128;
        let by_size = (count as u128 * per_snapshot / self.budget.max(1) as u128) as u64 + 1;
        interval.max(by_size).max(set.min_spacing)
    }

    /// Keeps `saved` as the state after `row`, thinning the largest sets
    /// if the budget is then exceeded (`interval` is K, which thinning
    /// doubles for the set it thins).
    pub fn insert(&mut self, key: &SetKey, row: u64, saved: Snapshot, interval: u64) {
        let bytes = saved.len() + SNAPSHOT_OVERHEAD;
        if bytes > self.budget {
            // A state bigger than the whole budget is never kept: jumps then
            // replay from the nearest smaller snapshot or the start.
            return;
        }
        let set = self.sets.entry(key.clone()).or_default();
        set.last_bytes = saved.len();
        if let Some(old) = set.rows.insert(row, saved) {
            set.bytes -= old.len() + SNAPSHOT_OVERHEAD;
            self.bytes -= old.len() + SNAPSHOT_OVERHEAD;
        }
        set.bytes += bytes;
        self.bytes += bytes;
        self.fit_budget(interval);
    }

    /// Thins the largest sets (every other snapshot goes) until all of
    /// them fit the budget; a jump in a thinned set replays at most twice
    /// as far.
    fn fit_budget(&mut self, interval: u64) {
        while self.bytes > self.budget {
            let Some(key) = self
                .sets
                .iter()
                .max_by_key(|(_, set)| set.bytes)
                .map(|(key, _)| key.clone())
            else {
                return;
            };
            let Some(set) = self.sets.get_mut(&key) else {
                return;
            };
            self.bytes -= thin(set, interval);
            if set.rows.is_empty() {
                self.sets.remove(&key);
            }
        }
    }
}

/// Drops every other snapshot of `set` (all of them when one is left) and
/// doubles its spacing; returns the bytes freed.
fn thin(set: &mut SnapshotSet, interval: u64) -> usize {
    let before = set.bytes;
    if set.rows.len() <= 1 {
        set.rows.clear();
        set.bytes = 0;
    } else {
        let mut keep = false;
        set.rows.retain(|_, saved| {
            keep = !keep;
            if !keep {
                set.bytes -= saved.len() + SNAPSHOT_OVERHEAD;
            }
            keep
        });
    }
    set.min_spacing = (set.min_spacing.max(interval) * 2).max(1);
    before - set.bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_holds_and_thinning_keeps_every_other_snapshot() {
        let mut snapshots = Snapshots::default();
        snapshots.set_budget(10 * (10 + SNAPSHOT_OVERHEAD));
        let key = (0, Scope::All);
        for row in 0..40u64 {
            snapshots.insert(&key, row * 8, Snapshot::from("0123456789"), 8);
            assert!(snapshots.bytes() <= 10 * (10 + SNAPSHOT_OVERHEAD));
        }
        let rows: Vec<u64> = snapshots.rows(&key).unwrap().keys().copied().collect();
        assert!(rows.len() <= 10 && rows.len() >= 5, "{rows:?}");
        // Thinned twice or more: the set now asks for wider spacing.
        assert!(snapshots.spacing(&key, 320, 8) >= 16);
        assert_eq!(snapshots.at_or_before(&key, 5).map(|(r, _)| r), Some(0));
        // A state bigger than the whole budget is not kept.
        let big = "x".repeat(20 * (10 + SNAPSHOT_OVERHEAD));
        snapshots.insert(&key, 1_000, Snapshot::from(big.as_str()), 8);
        assert!(snapshots.get(&key, 1_000).is_none());
    }
}
