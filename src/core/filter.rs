//! Which events a timeline shows: some event types, and events whose
//! metadata matches (`actor=atm-456`, or text). A filter only hides rows
//! from view; projections still fold every event of the scope, so the state
//! at a shown event is the same as without the filter.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::core::error::StoreResult;
use crate::core::event::Event;
use crate::core::search::Matcher;
use crate::core::store::{EventSource, Scope};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// The types shown; empty shows every type.
    pub types: BTreeSet<String>,
    /// A match on the metadata, as typed (for the title) and as
    /// [`metadata_matcher`] parsed it.
    pub metadata: Option<(String, Matcher)>,
}

impl EventFilter {
    pub fn is_empty(&self) -> bool {
        self.types.is_empty() && self.metadata.is_none()
    }

    pub fn matches(&self, event: &Event) -> bool {
        (self.types.is_empty() || self.types.contains(&event.event_type))
            && self
                .metadata
                .as_ref()
                .is_none_or(|(_, m)| matches_metadata(m, event))
    }

    /// A short description for titles: `3 types · actor=atm-456`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        match self.types.len() {
            0 => {}
            1 => parts.extend(self.types.iter().cloned()),
            n => parts.push(format!("{n} types")),
        }
        if let Some((text, _)) = &self.metadata {
            parts.push(format!("metadata {text}"));
        }
        parts.join(" · ")
    }
}

/// Parses a metadata filter: text, or `path=value` where the path (with
/// or without a leading `metadata`) is within the metadata. Paths are
/// anchored here, once, not for every event a scan tests.
pub fn metadata_matcher(query: &str) -> Result<Matcher, String> {
    Ok(match Matcher::parse(query)? {
        Matcher::Field { tokens, op, value } => {
            let mut path = vec!["metadata".to_string()];
            match tokens.split_first() {
                Some((head, rest)) if head == "metadata" => path.extend_from_slice(rest),
                _ => path.extend(tokens),
            }
            Matcher::Field {
                tokens: path,
                op,
                value,
            }
        }
        text => text,
    })
}

/// Whether the metadata holds the text, or the field equal to the value
/// (`matcher` as [`metadata_matcher`] gives it).
fn matches_metadata(matcher: &Matcher, event: &Event) -> bool {
    match matcher {
        Matcher::Text(text) => event.metadata.to_lowercase().contains(text.as_str()),
        field => field.matches_event(event),
    }
}

/// The rows of `scope` from row `from` on that `filter` shows, in order,
/// and the row count the scan reached (rows appended later are not in
/// it). `None` when `cancel` was set before the scan ended.
pub fn matching_rows(
    source: &dyn EventSource,
    scope: &Scope,
    filter: &EventFilter,
    from: u64,
    cancel: &AtomicBool,
) -> StoreResult<Option<(Vec<u64>, u64)>> {
    let count = source.count(scope)?;
    let mut rows = Vec::new();
    let mut row = from;
    let mut cancelled = false;
    source.scan(scope, from, count, &mut |event| {
        if filter.matches(event) {
            rows.push(row);
        }
        row += 1;
        cancelled = row % 16_384 == 0 && cancel.load(Ordering::Relaxed);
        !cancelled
    })?;
    Ok((!cancelled).then_some((rows, count.max(from))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(event_type: &str, metadata: &str) -> Event {
        Event {
            position: 1,
            id: "e".into(),
            stream: "account-1".into(),
            version: 0,
            event_type: event_type.into(),
            schema_version: 1,
            data: r#"{"actor":"in-data"}"#.into(),
            metadata: metadata.into(),
            time_ms: 0,
        }
    }

    fn filter(types: &[&str], metadata: Option<&str>) -> EventFilter {
        EventFilter {
            types: types.iter().map(|t| t.to_string()).collect(),
            metadata: metadata.map(|m| (m.to_string(), metadata_matcher(m).unwrap())),
        }
    }

    #[test]
    fn types_and_metadata_both_apply() {
        let e = event("FundsWithdrawn", r#"{"actor":"atm-456"}"#);
        assert!(filter(&[], None).matches(&e));
        assert!(filter(&["FundsWithdrawn", "X"], None).matches(&e));
        assert!(!filter(&["FundsDeposited"], None).matches(&e));
        assert!(filter(&["FundsWithdrawn"], Some("actor=atm-456")).matches(&e));
        assert!(!filter(&["FundsWithdrawn"], Some("actor=atm-1")).matches(&e));
    }

    #[test]
    fn metadata_paths_look_in_the_metadata_only() {
        let e = event("T", r#"{"actor":"atm-456","tags":["a","b"]}"#);
        assert!(filter(&[], Some("metadata.actor=atm-456")).matches(&e));
        assert!(filter(&[], Some("/tags/1=b")).matches(&e));
        assert!(filter(&[], Some("ATM")).matches(&e));
        // The data has an `actor` too; a metadata filter ignores it.
        assert!(!filter(&[], Some("actor=in-data")).matches(&e));
        assert!(!filter(&[], Some("in-data")).matches(&e));
    }

    #[test]
    fn descriptions_name_what_is_shown() {
        assert_eq!(filter(&["A"], None).describe(), "A");
        assert_eq!(
            filter(&["A", "B"], Some("actor=x")).describe(),
            "2 types · metadata actor=x"
        );
    }
}
