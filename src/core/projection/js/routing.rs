//! Which events reach a JavaScript projection, as KurrentDB decides it: the
//! selector's streams (`fromAll` leaves out system streams and links), and
//! stream deletions, which go to `$deleted` instead of the handlers.

use crate::core::event::{category_of, Event};

use super::definition::SelectorKind;

/// The event type of a link written by `linkTo` (KurrentDB's `$>`).
const LINK_TYPE: &str = "$>";
/// A hard-deleted stream's tombstone event.
const STREAM_DELETED_TYPE: &str = "$streamDeleted";
/// A metadata event, in the metastream `$$S` of a stream S.
const METADATA_TYPE: &str = "$metadata";
const METASTREAM_PREFIX: &str = "$$";
/// The truncate-before (`$tb`) that KurrentDB writes when it soft-deletes a
/// stream (its `EventNumber.DeletedStream`).
const DELETED_TRUNCATE_BEFORE: i64 = i64::MAX;

/// What the projection's definition says about routing.
#[derive(Debug)]
pub(super) struct Router {
    pub selector: SelectorKind,
    pub streams: std::collections::HashSet<String>,
    pub category: String,
    pub all_events: bool,
    pub deleted: bool,
    pub include_links: bool,
}

/// Where an event goes.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Route<'a> {
    Skip,
    /// To the handlers, with its type's number (-1: no handler of its own).
    Apply(i32),
    /// To `$deleted`, for this stream.
    Delete(&'a str),
}

impl Router {
    pub fn route<'a>(&self, event: &'a Event, type_number: Option<i32>) -> Route<'a> {
        if let Some(stream) = deleted_stream(event) {
            if self.deleted {
                return if self.selects_stream(stream) {
                    Route::Delete(stream)
                } else {
                    Route::Skip
                };
            }
            // KurrentDB's stream and category readers never hand a deletion
            // over as an event; reading $all, it is one like any other.
            if self.selector != SelectorKind::All {
                return Route::Skip;
            }
        }
        if !self.selects_stream(&event.stream) {
            return Route::Skip;
        }
        if self.selector == SelectorKind::All
            && !self.include_links
            && event.event_type == LINK_TYPE
        {
            return Route::Skip;
        }
        match type_number {
            Some(number) => Route::Apply(number),
            None if self.all_events => Route::Apply(-1),
            None => Route::Skip,
        }
    }

    fn selects_stream(&self, stream: &str) -> bool {
        match self.selector {
            // $all without the system streams ($...), but with the
            // metastreams of user streams ($$S), as KurrentDB reads it.
            SelectorKind::All => match stream.strip_prefix(METASTREAM_PREFIX) {
                Some(original) => !is_system(original),
                None => !is_system(stream),
            },
            SelectorKind::Streams => self.streams.contains(stream),
            SelectorKind::Category => category_of(stream) == self.category,
        }
    }
}

fn is_system(stream: &str) -> bool {
    stream.starts_with('$')
}

/// The stream whose deletion `event` records: a `$streamDeleted` tombstone
/// in it (a hard delete), or a `$metadata` event in its metastream setting
/// `$tb` to the deleted mark (a soft delete).
pub(super) fn deleted_stream(event: &Event) -> Option<&str> {
    match event.stream.strip_prefix(METASTREAM_PREFIX) {
        Some(original) if event.event_type == METADATA_TYPE => {
            let data: serde_json::Value = serde_json::from_str(&event.data).ok()?;
            (data.get("$tb")?.as_i64()? == DELETED_TRUNCATE_BEFORE).then_some(original)
        }
        None if event.event_type == STREAM_DELETED_TYPE => Some(&event.stream),
        _ => None,
    }
}

/// The partition of `event` in a foreachStream projection: its stream, or
/// for a metastream ($$S) the stream S, as KurrentDB keys them.
pub(super) fn stream_partition(event: &Event) -> &str {
    deleted_stream(event).unwrap_or_else(|| {
        event
            .stream
            .strip_prefix(METASTREAM_PREFIX)
            .unwrap_or(&event.stream)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::projection::js::tests::event;

    fn router(selector: SelectorKind, deleted: bool) -> Router {
        Router {
            selector,
            streams: ["account-1".to_string()].into_iter().collect(),
            category: "account".into(),
            all_events: false,
            deleted,
            include_links: false,
        }
    }

    #[test]
    fn hard_and_soft_deletes_are_recognised() {
        let tombstone = event(1, "account-1", 3, "$streamDeleted", "{}");
        assert_eq!(deleted_stream(&tombstone), Some("account-1"));
        let soft = event(
            2,
            "$$account-1",
            0,
            "$metadata",
            r#"{"$tb":9223372036854775807}"#,
        );
        assert_eq!(deleted_stream(&soft), Some("account-1"));
        let truncated = event(3, "$$account-1", 1, "$metadata", r#"{"$tb":4}"#);
        assert_eq!(deleted_stream(&truncated), None);
        let odd = event(4, "$$account-1", 2, "$streamDeleted", "{}");
        assert_eq!(deleted_stream(&odd), None);
        assert_eq!(stream_partition(&soft), "account-1");
        assert_eq!(stream_partition(&truncated), "account-1");
    }

    #[test]
    fn deletions_go_to_deleted_or_nowhere_except_under_from_all() {
        let tombstone = event(1, "account-1", 3, "$streamDeleted", "{}");
        let category = router(SelectorKind::Category, true);
        assert_eq!(category.route(&tombstone, None), Route::Delete("account-1"));
        let category = router(SelectorKind::Category, false);
        assert_eq!(category.route(&tombstone, Some(0)), Route::Skip);
        let all = router(SelectorKind::All, false);
        assert_eq!(all.route(&tombstone, Some(0)), Route::Apply(0));
    }

    #[test]
    fn from_all_leaves_out_system_streams_and_links() {
        let mut all = router(SelectorKind::All, false);
        all.all_events = true;
        let system = event(1, "$ce-account", 0, "$>", "\"0@account-1\"");
        assert_eq!(all.route(&system, None), Route::Skip);
        let meta = event(2, "$$account-1", 0, "$metadata", r#"{"$maxCount":5}"#);
        assert_eq!(all.route(&meta, None), Route::Apply(-1));
        let system_meta = event(3, "$$$stats", 0, "$metadata", "{}");
        assert_eq!(all.route(&system_meta, None), Route::Skip);
        let link = event(4, "index-1", 0, "$>", "\"0@account-1\"");
        assert_eq!(all.route(&link, None), Route::Skip);
        all.include_links = true;
        assert_eq!(all.route(&link, None), Route::Apply(-1));
    }
}
