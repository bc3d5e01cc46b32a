//! Fuzzy matching of stream ids, shared by `rewind streams --filter` and
//! the explorer's stream list.

use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;

/// One candidate that matched: its index in the input, its score (higher
/// is better) and the char positions that matched, for highlighting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub index: usize,
    pub score: i64,
    pub positions: Vec<usize>,
}

/// Reusable matcher: building one is not free, matching with it is cheap.
pub struct Fuzzy {
    matcher: SkimMatcherV2,
}

impl Default for Fuzzy {
    fn default() -> Self {
        Fuzzy {
            matcher: SkimMatcherV2::default().smart_case(),
        }
    }
}

impl Fuzzy {
    /// The candidates that match `query`, best first; ties keep input order.
    /// An empty query matches everything, in input order.
    pub fn filter<'a>(&self, query: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<Match> {
        let mut matches: Vec<Match> = candidates
            .enumerate()
            .filter_map(|(index, text)| {
                if query.is_empty() {
                    return Some(Match {
                        index,
                        score: 0,
                        positions: Vec::new(),
                    });
                }
                self.matcher
                    .fuzzy_indices(text, query)
                    .map(|(score, positions)| Match {
                        index,
                        score,
                        positions,
                    })
            })
            .collect();
        matches.sort_by(|a, b| b.score.cmp(&a.score).then(a.index.cmp(&b.index)));
        matches
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_match_first_with_positions() {
        let names = [
            "cart-00001",
            "account-0042",
            "account-0420",
            "booking-ABCDEF",
        ];
        let found = Fuzzy::default().filter("acc42", names.iter().copied());
        assert_eq!(names[found[0].index], "account-0042");
        assert!(found.iter().all(|m| !names[m.index].starts_with("booking")));
        assert_eq!(found[0].positions.len(), 5);
    }

    #[test]
    fn empty_query_keeps_everything_in_order() {
        let found = Fuzzy::default().filter("", ["b", "a"].into_iter());
        assert_eq!(
            found.iter().map(|m| m.index).collect::<Vec<_>>(),
            vec![0, 1]
        );
    }
}
