//! The streams a generator may still write to, kept as they come and go,
//! so that each step picks one in constant time. (Filtering every stream
//! ever made at each step made generating millions of events quadratic.)
//! Picks are the same as from the filtered list in index order, so a seed
//! gives the same events as before.

use super::Rng;

#[derive(Debug, Default)]
pub(super) struct Live {
    /// Indices into the generator's list, ascending.
    indices: Vec<usize>,
}

impl Live {
    /// Adds a new index, larger than every one before it.
    pub fn push(&mut self, index: usize) {
        debug_assert!(self.indices.last().is_none_or(|&last| last < index));
        self.indices.push(index);
    }

    pub fn remove(&mut self, index: usize) {
        if let Ok(at) = self.indices.binary_search(&index) {
            self.indices.remove(at);
        }
    }

    pub fn len(&self) -> usize {
        self.indices.len()
    }

    /// One of them at random, as `rng.pick` from the list would.
    pub fn pick(&self, rng: &mut Rng) -> usize {
        *rng.pick(&self.indices)
    }

    /// One at random other than `except`, as `rng.pick` from the list
    /// without it would.
    pub fn pick_other(&self, rng: &mut Rng, except: usize) -> usize {
        let Ok(at) = self.indices.binary_search(&except) else {
            return self.pick(rng);
        };
        let k = rng.below(self.indices.len() as u64 - 1) as usize;
        self.indices[if k < at { k } else { k + 1 }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_as_the_filtered_list_would() {
        let mut live = Live::default();
        let mut all: Vec<usize> = (0..50).collect();
        for i in &all {
            live.push(*i);
        }
        for gone in [3, 17, 18, 49, 0] {
            live.remove(gone);
            all.retain(|&i| i != gone);
        }
        let (mut a, mut b) = (Rng::new(5), Rng::new(5));
        for _ in 0..200 {
            assert_eq!(live.pick(&mut a), *b.pick(&all));
            let except = all[3];
            let others: Vec<usize> = all.iter().copied().filter(|&i| i != except).collect();
            assert_eq!(live.pick_other(&mut a, except), *b.pick(&others));
        }
        assert_eq!(live.len(), all.len());
    }
}
