//! What a projection file declares (selector, partitioning, handled
//! types), as the prelude reports it after running the file, and how load
//! failures are worded.

use serde::Deserialize;

use super::runtime::Failure;

/// What the projection file declared, as the prelude reports it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Definition {
    pub selector: Selector,
    pub partitioning: Partitioning,
    /// The event types with a handler or an upcaster, in the order the
    /// prelude numbers them.
    pub types: Vec<String>,
    /// Every selected event reaches the projection, not only the types in
    /// `types` (`$any`, or no typed handler at all).
    pub all_events: bool,
    /// The projection has a `$deleted` handler (only with foreachStream).
    pub deleted: bool,
    /// `options({$includeLinks: true})`.
    pub include_links: bool,
    pub shaped: bool,
    /// `$initShared` or `options({biState: true})`: a shared state beside
    /// the partitions.
    #[serde(default)]
    pub bi_state: bool,
    pub warnings: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Selector {
    pub kind: SelectorKind,
    pub streams: Vec<String>,
    pub category: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub(super) enum SelectorKind {
    All,
    Streams,
    Category,
}

#[derive(Debug, Deserialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub(super) enum Partitioning {
    None,
    Stream,
    Function,
}

/// A load failure as `FILE: message (at FILE:LINE:COLUMN)`.
pub(super) fn load_message(name: &str, failure: &Failure) -> String {
    let location = failure
        .stack
        .as_deref()
        .and_then(|stack| stack.lines().find(|line| line.contains(name)))
        .and_then(|line| {
            let start = line.find(name)?;
            let rest = &line[start..];
            Some(rest.trim_end_matches(')').to_string())
        });
    match location {
        Some(location) if !failure.message.contains(&location) => {
            format!("{name}: {} (at {location})", failure.message)
        }
        _ => format!("{name}: {}", failure.message),
    }
}
