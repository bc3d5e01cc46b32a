use tempfile::TempDir;

use super::SqliteStore;
use crate::core::error::StoreError;
use crate::core::event::{ExpectedVersion, NewEvent};
use crate::core::store::{EventSource, Scope};

fn store() -> (TempDir, SqliteStore) {
    let dir = TempDir::new().unwrap();
    let store = SqliteStore::create(&dir.path().join("t.rewind")).unwrap();
    (dir, store)
}

fn ev(event_type: &str, data: &str) -> NewEvent {
    NewEvent::new(event_type, data, None).unwrap()
}

fn with_id(mut event: NewEvent, id: &str) -> NewEvent {
    event.id = Some(id.to_string());
    event
}

fn with_time(mut event: NewEvent, ms: i64) -> NewEvent {
    event.time_ms = Some(ms);
    event
}

fn append(
    store: &mut SqliteStore,
    stream: &str,
    expected: ExpectedVersion,
    events: &[NewEvent],
) -> Result<Vec<(i64, i64)>, StoreError> {
    let mut appender = store.appender()?;
    let outcome = appender.append(stream, expected, events)?;
    appender.commit()?;
    Ok(outcome.iter().map(|o| (o.position, o.version)).collect())
}

const ID: &str = "6f9619ff-8b86-d011-b42d-00c04fc964ff";

#[test]
fn positions_and_versions_have_no_gaps() {
    let (_dir, mut s) = store();
    let a = append(
        &mut s,
        "a-1",
        ExpectedVersion::NoStream,
        &[ev("X", "1"), ev("Y", "2")],
    );
    assert_eq!(a.unwrap(), vec![(1, 0), (2, 1)]);
    let b = append(&mut s, "b-1", ExpectedVersion::Any, &[ev("X", "3")]).unwrap();
    assert_eq!(b, vec![(3, 0)]);
    let c = append(&mut s, "a-1", ExpectedVersion::Exact(1), &[ev("Z", "4")]).unwrap();
    assert_eq!(c, vec![(4, 2)]);
    assert_eq!(s.count(&Scope::All).unwrap(), 4);
    assert_eq!(s.count(&Scope::Stream("a-1".into())).unwrap(), 3);
    assert_eq!(s.count(&Scope::Category("a".into())).unwrap(), 3);
    assert!(s.verify().unwrap().is_ok());
}

#[test]
fn wrong_expected_version_writes_nothing() {
    let (_dir, mut s) = store();
    append(&mut s, "a-1", ExpectedVersion::Any, &[ev("X", "1")]).unwrap();
    let error = append(&mut s, "a-1", ExpectedVersion::Exact(5), &[ev("Y", "2")]).unwrap_err();
    match error {
        StoreError::WrongExpectedVersion {
            expected, actual, ..
        } => {
            assert_eq!(expected, ExpectedVersion::Exact(5));
            assert_eq!(actual, Some(0));
        }
        other => panic!("unexpected {other}"),
    }
    let error = append(&mut s, "a-1", ExpectedVersion::NoStream, &[ev("Y", "2")]).unwrap_err();
    assert!(
        error.to_string().contains("expected no-stream, actual 0"),
        "{error}"
    );
    let error = append(&mut s, "new-1", ExpectedVersion::Exists, &[ev("Y", "2")]).unwrap_err();
    assert!(error.to_string().contains("actual no-stream"), "{error}");
    assert_eq!(s.head_position().unwrap(), 1);
}

#[test]
fn same_id_same_content_is_a_no_op() {
    let (_dir, mut s) = store();
    let e = with_id(ev("X", r#"{"a":1}"#), ID);
    assert_eq!(
        append(
            &mut s,
            "a-1",
            ExpectedVersion::NoStream,
            std::slice::from_ref(&e)
        )
        .unwrap(),
        vec![(1, 0)]
    );
    // A retry with the same expected version succeeds without writing.
    assert_eq!(
        append(&mut s, "a-1", ExpectedVersion::NoStream, &[e]).unwrap(),
        vec![(1, 0)]
    );
    assert_eq!(s.head_position().unwrap(), 1);
}

#[test]
fn same_id_other_content_is_refused() {
    let (_dir, mut s) = store();
    append(
        &mut s,
        "a-1",
        ExpectedVersion::Any,
        &[with_id(ev("X", "1"), ID)],
    )
    .unwrap();
    let error = append(
        &mut s,
        "a-1",
        ExpectedVersion::Any,
        &[with_id(ev("X", "2"), ID)],
    );
    assert!(matches!(
        error,
        Err(StoreError::IdConflict { position: 1, .. })
    ));
    let error = append(
        &mut s,
        "b-1",
        ExpectedVersion::Any,
        &[with_id(ev("X", "1"), ID)],
    );
    assert!(matches!(error, Err(StoreError::IdConflict { .. })));
}

#[test]
fn a_failing_batch_is_all_or_nothing() {
    let (_dir, mut s) = store();
    append(
        &mut s,
        "a-1",
        ExpectedVersion::Any,
        &[with_id(ev("X", "1"), ID)],
    )
    .unwrap();
    let batch = [ev("Y", "1"), with_id(ev("X", "999"), ID)];
    assert!(append(&mut s, "a-1", ExpectedVersion::Any, &batch).is_err());
    assert_eq!(s.head_position().unwrap(), 1);
}

#[test]
fn names_are_validated() {
    let (_dir, mut s) = store();
    for stream in ["", "evil\u{1b}[2J", "tab\there"] {
        let error = append(&mut s, stream, ExpectedVersion::Any, &[ev("X", "1")]);
        assert!(
            matches!(error, Err(StoreError::InvalidEvent(_))),
            "{stream:?}"
        );
    }
    let error = append(
        &mut s,
        "a-1",
        ExpectedVersion::Any,
        &[with_id(ev("X", "1"), "nope")],
    );
    assert!(matches!(error, Err(StoreError::InvalidEvent(_))));
}

#[test]
fn events_cannot_be_updated_or_deleted() {
    let (_dir, mut s) = store();
    append(&mut s, "a-1", ExpectedVersion::Any, &[ev("X", "1")]).unwrap();
    let conn = s.connection();
    let update = conn.execute("UPDATE events SET data = '2'", []);
    assert!(update.unwrap_err().to_string().contains("immutable"));
    let delete = conn.execute("DELETE FROM events", []);
    assert!(delete.unwrap_err().to_string().contains("immutable"));
}

#[test]
fn reads_windows_of_every_scope() {
    let (_dir, mut s) = store();
    for i in 0..10 {
        let stream = if i % 2 == 0 { "even-1" } else { "odd-1" };
        append(
            &mut s,
            stream,
            ExpectedVersion::Any,
            &[with_time(ev("N", &i.to_string()), i * 1000)],
        )
        .unwrap();
    }
    let data =
        |events: Vec<crate::core::Event>| events.iter().map(|e| e.data.clone()).collect::<Vec<_>>();
    assert_eq!(data(s.read_rows(&Scope::All, 3, 2).unwrap()), ["3", "4"]);
    assert_eq!(
        data(s.read_rows(&Scope::Stream("odd-1".into()), 1, 2).unwrap()),
        ["3", "5"]
    );
    assert_eq!(
        data(s.read_rows(&Scope::Category("even".into()), 2, 10).unwrap()),
        ["4", "6", "8"]
    );
    let mut seen = Vec::new();
    s.scan(&Scope::Category("odd".into()), 1, 4, &mut |e| {
        seen.push(e.data.clone());
        true
    })
    .unwrap();
    assert_eq!(seen, ["3", "5", "7"]);
    // Time lookups: the last event at or before a time.
    assert_eq!(s.row_at_or_before_time(&Scope::All, 4500).unwrap(), Some(4));
    assert_eq!(
        s.row_at_or_before_time(&Scope::Stream("odd-1".into()), 4500)
            .unwrap(),
        Some(1)
    );
    assert_eq!(
        s.row_at_or_before_time(&Scope::Category("even".into()), 4500)
            .unwrap(),
        Some(2)
    );
    assert_eq!(s.row_at_or_before_time(&Scope::All, -1).unwrap(), None);
    assert_eq!(
        s.row_at_or_before_position(&Scope::Stream("odd-1".into()), 6)
            .unwrap(),
        Some(2)
    );
    assert_eq!(
        s.row_at_or_before_position(&Scope::Category("odd".into()), 1)
            .unwrap(),
        None
    );
    let h = s.histogram(&Scope::All, 5).unwrap();
    assert_eq!(h.counts.iter().sum::<u64>(), 10);
    assert_eq!(h.counts.len(), 5);
    let streams = s.streams().unwrap();
    assert_eq!(streams.len(), 2);
    assert_eq!(
        (
            streams[0].stream.as_str(),
            streams[0].count,
            streams[0].last_time_ms
        ),
        ("even-1", 5, 8000)
    );
}

#[test]
fn read_only_refuses_to_write_and_to_open_foreign_files() {
    let (dir, mut s) = store();
    append(&mut s, "a-1", ExpectedVersion::Any, &[ev("X", "1")]).unwrap();
    let path = s.path().to_path_buf();
    drop(s);
    let mut ro = SqliteStore::open_read_only(&path).unwrap();
    assert!(ro.appender().is_err());
    let other = dir.path().join("other.db");
    let conn = rusqlite::Connection::open(&other).unwrap();
    conn.execute_batch("CREATE TABLE t (x)").unwrap();
    drop(conn);
    assert!(matches!(
        SqliteStore::open(&other),
        Err(StoreError::NotAStore { .. })
    ));
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "hello, this is not sqlite at all, just some text!").unwrap();
    let error = SqliteStore::open_read_only(&text).err().unwrap();
    assert!(
        error.to_string().contains("not an SQLite database"),
        "{error}"
    );
    assert!(matches!(
        SqliteStore::open_read_only(&dir.path().join("missing")),
        Err(StoreError::Missing(_))
    ));
}

#[test]
fn newer_schema_is_refused() {
    let (_dir, s) = store();
    let path = s.path().to_path_buf();
    s.connection()
        .execute_batch("PRAGMA user_version = 99")
        .unwrap();
    drop(s);
    let error = SqliteStore::open(&path).err().unwrap();
    assert!(
        matches!(error, StoreError::TooNew { found: 99, .. }),
        "{error}"
    );
}

#[test]
fn verify_names_the_first_tampered_event() {
    let (_dir, mut s) = store();
    for i in 0..5 {
        append(
            &mut s,
            "a-1",
            ExpectedVersion::Any,
            &[ev("X", &i.to_string())],
        )
        .unwrap();
    }
    let conn = s.connection();
    conn.execute_batch("DROP TRIGGER events_are_immutable_update; UPDATE events SET data = '42' WHERE position = 3")
        .unwrap();
    let broken = s.verify().unwrap().unwrap_err();
    assert_eq!(broken.position, 3);
}

#[test]
fn verify_notices_a_deleted_event() {
    let (_dir, mut s) = store();
    for i in 0..5 {
        append(
            &mut s,
            "a-1",
            ExpectedVersion::Any,
            &[ev("X", &i.to_string())],
        )
        .unwrap();
    }
    s.connection()
        .execute_batch(
            "DROP TRIGGER events_are_immutable_delete; DELETE FROM events WHERE position = 2",
        )
        .unwrap();
    let broken = s.verify().unwrap().unwrap_err();
    assert_eq!(broken.position, 3);
}

#[test]
fn long_scans_prefetch_on_a_second_connection_and_see_the_same_events() {
    let (_dir, mut s) = store();
    let mut appender = s.appender().unwrap();
    for i in 0..40_000 {
        let stream = if i % 4 == 0 { "odd-1" } else { "even-1" };
        appender
            .append(stream, ExpectedVersion::Any, &[ev("N", &i.to_string())])
            .unwrap();
    }
    appender.commit().unwrap();
    for scope in [
        Scope::All,
        Scope::Category("even".into()),
        Scope::Stream("even-1".into()),
    ] {
        let count = s.count(&scope).unwrap();
        assert!(
            count > super::read::PREFETCH_FROM,
            "{scope:?} is long enough"
        );
        let expected: Vec<i64> = s
            .read_rows(&scope, 5, count as usize)
            .unwrap()
            .iter()
            .map(|e| e.position)
            .collect();
        let mut seen = Vec::new();
        s.scan(&scope, 5, count, &mut |e| {
            seen.push(e.position);
            true
        })
        .unwrap();
        assert_eq!(seen, expected, "{scope:?}");
        let mut first_few = Vec::new();
        s.scan(&scope, 5, count, &mut |e| {
            first_few.push(e.position);
            first_few.len() < 10
        })
        .unwrap();
        assert_eq!(first_few, expected[..10], "{scope:?} stops early");
    }
}
