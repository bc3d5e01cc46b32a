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
    /// The indexes of the candidates that match `query`, best first (all
    /// of them, in input order, when `query` is empty).
    pub fn order<'a>(&self, query: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<usize> {
        self.filter(query, candidates)
            .into_iter()
            .map(|m| m.index)
            .collect()
    }

    /// The candidates that match `query`, best first; ties keep input order.
    /// An empty query matches everything, in input order. Match positions
    /// (for highlighting) are computed for the best [`HIGHLIGHTED`] only:
    /// scoring alone is several times cheaper, and nobody reads further.
    pub fn filter<'a>(&self, query: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<Match> {
        if query.is_empty() {
            return candidates
                .enumerate()
                .map(|(index, _)| Match {
                    index,
                    score: 0,
                    positions: Vec::new(),
                })
                .collect();
        }
        let texts: Vec<&str> = candidates.collect();
        let all: Vec<usize> = (0..texts.len()).collect();
        self.score(query, &texts, &all)
    }

    /// Like [`Fuzzy::filter`] for a query typed after `previous`'s: when it
    /// extends that query, only `previous`'s matches can match it (a fuzzy
    /// match of the longer query is one of the shorter), so only they are
    /// scored. The answer is the same as filtering everything, faster with
    /// every letter typed.
    pub fn refine(
        &self,
        query: &str,
        previous: Option<(&str, &[Match])>,
        candidates: &[&str],
    ) -> Vec<Match> {
        match previous {
            Some((before, matches)) if !before.is_empty() && query.starts_with(before) => {
                let among: Vec<usize> = matches.iter().map(|m| m.index).collect();
                self.score(query, candidates, &among)
            }
            _ => self.filter(query, candidates.iter().copied()),
        }
    }

    /// Scores `texts[i]` for each `i` of `among`; the matches best first,
    /// ties in input order, the best [`HIGHLIGHTED`] with their positions.
    fn score(&self, query: &str, texts: &[&str], among: &[usize]) -> Vec<Match> {
        // Scoring is independent per name: split it over the cores, so a
        // keystroke over 100,000 names stays within a frame.
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8);
        let chunk = among.len().div_ceil(threads).max(PARALLEL_FROM);
        let mut matches: Vec<Match> = std::thread::scope(|scope| {
            let workers: Vec<_> = among
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .filter_map(|&index| {
                                let text = texts.get(index)?;
                                self.matcher.fuzzy_match(text, query).map(|score| Match {
                                    index,
                                    score,
                                    positions: Vec::new(),
                                })
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                // Scoring does not panic; if it ever did, that part scores nothing.
                .flat_map(|w| w.join().unwrap_or_default())
                .collect()
        });
        // Index breaks ties, so the order is total and an unstable sort is exact.
        matches.sort_unstable_by(|a, b| b.score.cmp(&a.score).then(a.index.cmp(&b.index)));
        for m in matches.iter_mut().take(HIGHLIGHTED) {
            if let Some((_, positions)) = self.matcher.fuzzy_indices(texts[m.index], query) {
                m.positions = positions;
            }
        }
        matches
    }
}

/// Fewer names than this are scored on one thread.
const PARALLEL_FROM: usize = 8_192;

/// How many of the best matches carry their matched positions.
pub const HIGHLIGHTED: usize = 200;

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
        let found_names: Vec<_> = found.iter().map(|m| names[m.index]).collect();
        assert_eq!(found_names.len(), 2, "{found_names:?}");
        assert!(found_names.contains(&"account-0042") && found_names.contains(&"account-0420"));
        assert_eq!(found[0].positions.len(), 5);
    }

    #[test]
    fn many_names_are_scored_in_parallel_with_the_same_result() {
        let names: Vec<String> = (0..30_000)
            .map(|i| {
                format!(
                    "{}-{:05}",
                    ["account", "cart", "booking"][i % 3],
                    i * 7 % 30_000
                )
            })
            .collect();
        let fuzzy = Fuzzy::default();
        let found = fuzzy.filter("crt12", names.iter().map(String::as_str));
        let mut expected: Vec<(i64, usize)> = names
            .iter()
            .enumerate()
            .filter_map(|(i, n)| fuzzy.matcher.fuzzy_match(n, "crt12").map(|s| (s, i)))
            .collect();
        expected.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let got: Vec<(i64, usize)> = found.iter().map(|m| (m.score, m.index)).collect();
        assert_eq!(got, expected);
        assert!(found[..HIGHLIGHTED.min(found.len())]
            .iter()
            .all(|m| !m.positions.is_empty()));
    }

    #[test]
    fn empty_query_keeps_everything_in_order() {
        let found = Fuzzy::default().filter("", ["b", "a"].into_iter());
        assert_eq!(
            found.iter().map(|m| m.index).collect::<Vec<_>>(),
            vec![0, 1]
        );
    }

    #[test]
    fn refining_as_one_types_gives_what_filtering_everything_gives() {
        let names: Vec<String> = (0..5_000)
            .map(|i| {
                format!(
                    "{}-{:05}",
                    ["account", "cart", "Booking"][i % 3],
                    i * 7919 % 100_000
                )
            })
            .collect();
        let texts: Vec<&str> = names.iter().map(String::as_str).collect();
        let fuzzy = Fuzzy::default();
        for typed in ["acc42", "cart-0001", "BookingQ", "aB", "zzz"] {
            let mut previous: Option<(String, Vec<Match>)> = None;
            for end in 1..=typed.len() {
                let query = &typed[..end];
                let before = previous.as_ref().map(|(q, m)| (q.as_str(), m.as_slice()));
                let refined = fuzzy.refine(query, before, &texts);
                let full = fuzzy.filter(query, texts.iter().copied());
                assert_eq!(refined, full, "{query}");
                previous = Some((query.to_string(), refined));
            }
        }
        // A query that does not extend the last one is matched afresh.
        let before = fuzzy.filter("cart", texts.iter().copied());
        let other = fuzzy.refine("acc", Some(("cart", &before)), &texts);
        assert_eq!(other, fuzzy.filter("acc", texts.iter().copied()));
    }
}
