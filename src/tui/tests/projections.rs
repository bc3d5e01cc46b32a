//! Which projection the Projection pane shows: the ones named first,
//! the generic one last, and on each stream the one whose selector reads
//! it, with a word when the one shown does not.

use super::*;
use crate::core::projection::ProjectionSpec;
use crate::tui::app::Pane;

#[test]
fn next_projection_cycles_and_shows_load_errors() {
    let mut opts = options(demo_path(), Some("account-0042"), None);
    opts.projections = vec![ProjectionSpec::Command("no-such-reducer".into())];
    let mut app = App::new(opts, Rect::new(0, 0, 80, 24)).expect("app");
    settle(&mut app);
    assert_eq!(app.projection.names.len(), 2);
    // The named projection is active first; it cannot load here. The
    // generic one comes last.
    assert_eq!(app.projection.active, 0);
    assert!(app.projection.error.is_some());
    command(&mut app, Command::NextProjection);
    assert_eq!(app.projection.active, 1);
    assert_eq!(app.projection.name(), "generic");
    assert!(app.projection.shown.is_some());
    assert!(app.projection.error.is_none());
    command(&mut app, Command::NextProjection);
    assert_eq!(app.projection.active, 0);
    assert!(app.projection.error.is_some());
}

#[test]
fn each_stream_opens_with_the_projection_that_reads_it() {
    let mut opts = options(demo_path(), Some("account-0042"), None);
    opts.projections = crate::core::projection::shipped::all();
    let mut app = App::new(opts, Rect::new(0, 0, 120, 36)).expect("app");
    settle(&mut app);
    assert_eq!(app.projection.name(), "bank.js");
    let names: Vec<String> = app
        .projection
        .names
        .iter()
        .map(|(n, _)| n.clone())
        .collect();
    assert_eq!(names, ["bank.js", "carts.js", "flights.js", "generic"]);
    // A cart: carts.js reads its category.
    let cart = app
        .streams
        .entries
        .iter()
        .position(|e| e.scope == crate::core::store::Scope::Stream("cart-00042".into()))
        .expect("cart-00042 is listed");
    app.focus = Pane::Streams;
    let shown = app
        .streams
        .matches
        .iter()
        .position(|m| m.index == cart)
        .expect("shown");
    app.select_entry(shown).expect("open");
    settle(&mut app);
    assert_eq!(app.projection.name(), "carts.js");
    assert!(app.projection.not_covered.is_none());
    // A projection that does not read the stream says so.
    command(&mut app, Command::NextProjection);
    settle(&mut app);
    assert_eq!(app.projection.name(), "flights.js");
    let note = app.projection.not_covered.clone().expect("a note");
    assert!(note.contains("cart-00042 is not in"), "{note}");
    let screen = screen_text(&draw(&app));
    assert!(screen.contains("flights.js reads"), "{screen}");
}

#[test]
fn a_partition_by_projection_on_all_shows_the_cursor_events_partition() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("by_sku.js");
    std::fs::write(
        &file,
        "fromAll().partitionBy(e => e.data.sku || null).when({\n\
           $init: () => ({ added: 0 }),\n\
           ItemAdded: (s, e) => { s.added += e.data.quantity; },\n\
         })",
    )
    .expect("write the projection");
    let mut opts = options(demo_path(), Some("$all"), None);
    opts.projections = vec![ProjectionSpec::JavaScript(file)];
    let mut app = App::new(opts, Rect::new(0, 0, 120, 36)).expect("app");
    settle(&mut app);
    let source = crate::core::store::open_read_only(demo_path()).expect("store");
    let all = crate::core::store::Scope::All;
    let rows = source.read_rows(&all, 0, 5_000).expect("rows");
    let row = rows
        .iter()
        .rposition(|e| e.event_type == "ItemAdded")
        .expect("an ItemAdded");
    let sku = rows[row].data_json()["sku"]
        .as_str()
        .expect("a sku")
        .to_string();
    app.jump_to(row as u64).expect("jump");
    settle(&mut app);
    let shown = app.projection.shown.clone().expect("a state");
    // Only that sku's partition, not every partition of the store.
    assert_eq!(shown.partition.as_deref(), Some(sku.as_str()));
    assert!(shown.state.get("partitions").is_none(), "{}", shown.state);
    let added: i64 = rows[..=row]
        .iter()
        .filter(|e| e.event_type == "ItemAdded" && e.data_json()["sku"] == sku.as_str())
        .map(|e| e.data_json()["quantity"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(shown.state["added"], added);
}
