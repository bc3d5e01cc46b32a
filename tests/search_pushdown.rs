//! Searches pushed down to SQL find exactly what reading every event
//! finds: on a real SQLite store whose events spell the same values in
//! the ways JSON allows (escapes, the Kelvin sign, LIKE's wildcards), for
//! every kind of query, every scope and any range of rows.

use proptest::prelude::*;
use rewind::core::prefilter::Prefilter;
use rewind::core::search::{has_correlation, Matcher};
use rewind::core::store::sqlite::SqliteStore;
use rewind::core::store::{EventSource, Scope};
use rewind::core::{Event, ExpectedVersion, NewEvent};
use std::sync::OnceLock;
use tempfile::TempDir;

const STREAMS: [&str; 4] = ["acct-1", "acct-2", "order-1", "order_x-9"];
const TYPES: [&str; 4] = ["Opened", "Deposited", "Closed", "50%Off"];
/// Data written by hand, as different writers spell it.
const DATA: [&str; 16] = [
    r#"{"amount":500}"#,
    r#"{"amount":"500"}"#,
    r#"{"\u0061mount":500}"#,
    r#"{"amount": 5000, "note": "Ka"}"#,
    "{\"note\":\"\u{212A}a\"}",
    r#"{"note":"\u212Aa"}"#,
    r#"{"items":[1,500]}"#,
    r#"{"note":"a\/b"}"#,
    r#"{"note":"a/b"}"#,
    r#"{"tag_1":"x_y"}"#,
    r#"{"tagx1":"xzy"}"#,
    r#"{"50%":1}"#,
    r#"{"note":"caf\u00e9"}"#,
    r#"{"note":"café","İ":true}"#,
    r#"{"nested":{"amount":500}}"#,
    r#"[500, {"amount": 7}]"#,
];
const METADATA: [&str; 4] = [
    r#"{"correlationId":"c-1","actor":"atm-456"}"#,
    r#"{"correlation_id":"c-2"}"#,
    r#"{"correlationId":"c\u002d1"}"#,
    r#"{}"#,
];
const QUERIES: [&str; 30] = [
    "ka",
    "KA",
    "500",
    "/data/amount=500",
    "amount=500",
    "/data/amount>100",
    "/data/amount!=500",
    "/data/note",
    "/data/note=a/b",
    "note=Ka",
    "/data/items/1=500",
    "/data/0=500",
    "/data/1/amount=7",
    "nested.amount=500",
    "metadata.correlationId=c-1",
    "metadata.actor=atm-456",
    "type=Opened",
    "type=50%Off",
    "stream=acct-1",
    "50%",
    "x_y",
    "tag_1=x_y",
    "a/b",
    "café",
    "i",
    "İ",
    "\\u",
    "order_x",
    "/data/İ",
    "/data/note=café",
];

fn store() -> SqliteStore {
    static STORE: OnceLock<TempDir> = OnceLock::new();
    let dir = STORE.get_or_init(|| {
        let dir = TempDir::new().expect("temp dir");
        let mut store = SqliteStore::create(&dir.path().join("s.rewind")).expect("create");
        let mut appender = store.appender().expect("appender");
        // Every combination, spread over the streams in a fixed shuffle.
        let mut n = 0usize;
        for data in DATA {
            for (m, metadata) in METADATA.iter().enumerate() {
                let stream = STREAMS[(n / 3 + m + n / 5) % STREAMS.len()];
                let kind = TYPES[(n / 2) % TYPES.len()];
                let event = NewEvent::new(kind, data, Some(metadata)).expect("event");
                appender
                    .append(stream, ExpectedVersion::Any, &[event])
                    .expect("append");
                n += 1;
            }
        }
        appender.commit().expect("commit");
        dir
    });
    SqliteStore::open_read_only(&dir.path().join("s.rewind")).expect("open")
}

fn scopes() -> Vec<Scope> {
    vec![
        Scope::All,
        Scope::Category("acct".into()),
        Scope::Category("order_x".into()),
        Scope::Stream("acct-2".into()),
    ]
}

/// Rows in `start..end` that `keep` accepts, by reading every event.
fn by_reading(
    source: &dyn EventSource,
    scope: &Scope,
    start: u64,
    end: u64,
    keep: &dyn Fn(&Event) -> bool,
) -> Vec<u64> {
    let events = source.read_rows(scope, 0, end as usize).expect("read");
    events
        .iter()
        .enumerate()
        .skip(start as usize)
        .filter(|(_, e)| keep(e))
        .map(|(row, _)| row as u64)
        .collect()
}

fn by_prefilter(
    source: &dyn EventSource,
    scope: &Scope,
    (start, end): (u64, u64),
    prefilter: &Prefilter,
    keep: &dyn Fn(&Event) -> bool,
) -> Vec<u64> {
    let mut rows = Vec::new();
    source
        .scan_candidates(scope, start, end, prefilter, &mut |row, event| {
            if event.is_some_and(keep) {
                rows.push(row);
            }
            true
        })
        .expect("scan");
    rows
}

#[test]
fn every_query_finds_the_same_rows_in_every_scope() {
    let source = store();
    for scope in scopes() {
        let count = source.count(&scope).expect("count");
        assert!(count > 0, "{scope:?} is empty");
        for query in QUERIES {
            let matcher = Matcher::parse(query).expect("query");
            let keep = |e: &Event| matcher.matches_event(e);
            let expected = by_reading(&source, &scope, 0, count, &keep);
            let found = by_prefilter(&source, &scope, (0, count), &Prefilter::of(&matcher), &keep);
            assert_eq!(found, expected, "{query:?} in {scope:?}");
        }
    }
    // The store really spells values in more than one way.
    let all = source.count(&Scope::All).expect("count");
    let matcher = Matcher::parse("/data/amount=500").expect("query");
    let found = by_reading(&source, &Scope::All, 0, all, &|e| matcher.matches_event(e));
    assert!(found.len() >= 12, "{found:?}");
}

#[test]
fn correlation_and_types_find_the_same_rows() {
    let source = store();
    let all = source.count(&Scope::All).expect("count");
    for id in ["c-1", "c-2", "atm-456"] {
        let keep = |e: &Event| has_correlation(e, id);
        let expected = by_reading(&source, &Scope::All, 0, all, &keep);
        let found = by_prefilter(
            &source,
            &Scope::All,
            (0, all),
            &Prefilter::correlation(id),
            &keep,
        );
        assert_eq!(found, expected, "{id}");
        // `c\u002d1` is c-1 too.
        assert!(
            id != "c-1" || expected.len() == 2 * DATA.len(),
            "{expected:?}"
        );
    }
    let types = vec!["Closed".to_string(), "50%Off".to_string()];
    let keep = |e: &Event| types.contains(&e.event_type);
    let expected = by_reading(&source, &Scope::All, 0, all, &keep);
    assert!(!expected.is_empty());
    let found = by_prefilter(
        &source,
        &Scope::All,
        (0, all),
        &Prefilter::event_types(&types),
        &keep,
    );
    assert_eq!(found, expected);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Any range of rows: a search from the cursor, forward or back.
    #[test]
    fn any_range_finds_the_same_rows(
        query in 0..QUERIES.len(),
        scope in 0..4usize,
        a in 0u64..80,
        b in 0u64..80,
    ) {
        let source = store();
        let scope = &scopes()[scope];
        let count = source.count(scope).expect("count");
        let (start, end) = (a.min(b).min(count), a.max(b).min(count));
        let matcher = Matcher::parse(QUERIES[query]).expect("query");
        let keep = |e: &Event| matcher.matches_event(e);
        let expected = by_reading(&source, scope, start, end, &keep);
        let found = by_prefilter(&source, scope, (start, end), &Prefilter::of(&matcher), &keep);
        prop_assert_eq!(found, expected);
    }
}
