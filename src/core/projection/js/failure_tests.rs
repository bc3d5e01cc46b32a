//! JavaScript projections that fail: thrown errors, time and memory
//! limits, syntax errors, states that are not JSON.

use std::time::{Duration, Instant};

use serde_json::json;

use super::tests::{event, js, load_error};
use super::*;

#[test]
fn a_throwing_handler_reports_position_and_stack_and_keeps_the_state_before() {
    let mut p = js("fromAll().when({$init: () => ({n: 0, list: []}),\n\
                    T: (s, e) => {\n\
                      s.n += 1; s.list.push(e.position);\n\
                      if (e.data.bad) throw new Error('bad amount ' + e.data.bad);\n\
                    }})");
    p.reset(None).unwrap();
    p.apply(&event(1, "x", 0, "T", "{}")).unwrap();
    let error = p.apply(&event(2, "x", 1, "T", r#"{"bad":5}"#)).unwrap_err();
    assert_eq!(error.projection, "test.js");
    assert_eq!(error.position, Some(2));
    assert_eq!(error.message, "bad amount 5");
    let stack = error.stack.unwrap();
    assert!(stack.contains("test.js:4"), "{stack}");
    assert!(!stack.contains("prelude"), "{stack}");
    // The mutations made before the throw are undone.
    assert_eq!(p.state().unwrap(), json!({"n": 1, "list": [1]}));
    p.apply(&event(3, "x", 2, "T", "{}")).unwrap();
    assert_eq!(p.state().unwrap(), json!({"n": 2, "list": [1, 3]}));
}

#[test]
fn a_thrown_non_error_is_reported() {
    let mut p = js("fromAll().when({T: () => { throw {code: 7}; }})");
    let error = p.apply(&event(1, "x", 0, "T", "{}")).unwrap_err();
    assert_eq!(error.message, r#"uncaught {"code":7}"#);
    let mut p = js("fromAll().when({T: (s, e) => e.data.missing.deeper})");
    let error = p.apply(&event(1, "x", 0, "T", "{}")).unwrap_err();
    assert!(error.message.starts_with("TypeError"), "{}", error.message);
}

#[test]
fn an_endless_loop_is_stopped_at_the_time_limit() {
    let limits = Limits {
        time_per_call: Duration::from_millis(200),
        ..Limits::default()
    };
    let mut p = JsProjection::from_source(
        "loop.js",
        "fromAll().when({$init: () => ({n: 0}), Ok: (s) => { s.n++; }, Spin: (s) => { while (true) {} }})",
        limits,
    )
    .unwrap();
    p.apply(&event(1, "x", 0, "Ok", "{}")).unwrap();
    let started = Instant::now();
    let error = p.apply(&event(2, "x", 1, "Spin", "{}")).unwrap_err();
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(200) && took < Duration::from_secs(2),
        "{took:?}"
    );
    assert_eq!(error.position, Some(2));
    assert!(
        error.message.contains("time limit of 200ms"),
        "{}",
        error.message
    );
    // The runtime is still usable afterwards.
    p.apply(&event(3, "x", 2, "Ok", "{}")).unwrap();
    assert_eq!(p.state().unwrap(), json!({"n": 2}));
}

#[test]
fn a_runaway_allocation_is_reported_not_fatal() {
    let limits = Limits {
        memory_bytes: 32 << 20,
        ..Limits::default()
    };
    let mut p = JsProjection::from_source(
        "hog.js",
        "fromAll().when({$init: () => ({n: 0}), Ok: (s) => { s.n++; }, \
         Hog: (s) => { const a = []; while (true) a.push(new Array(1000).fill(1.5)); }})",
        limits,
    )
    .unwrap();
    p.apply(&event(1, "x", 0, "Ok", "{}")).unwrap();
    let error = p.apply(&event(2, "x", 1, "Hog", "{}")).unwrap_err();
    assert!(error.message.contains("out of memory"), "{}", error.message);
    assert!(error.message.contains("32 MiB"), "{}", error.message);
    p.apply(&event(3, "x", 2, "Ok", "{}")).unwrap();
    assert_eq!(p.state().unwrap(), json!({"n": 2}));
}

#[test]
fn deep_recursion_is_reported() {
    let mut p = js("function f(n) { return f(n + 1) + 1; } fromAll().when({T: () => f(0)})");
    let error = p.apply(&event(1, "x", 0, "T", "{}")).unwrap_err();
    assert!(
        error.message.contains("Maximum call stack size exceeded"),
        "{}",
        error.message
    );
}

#[test]
fn syntax_errors_name_the_file_and_line() {
    let error = load_error("fromAll()\n  .when({ T: (s, e) => { s.n += ; } })");
    assert_eq!(error.projection, "broken.js");
    assert_eq!(error.position, None);
    assert!(
        error.message.starts_with("broken.js: SyntaxError"),
        "{}",
        error.message
    );
    assert!(error.message.contains("broken.js:2"), "{}", error.message);
}

#[test]
fn incomplete_definitions_are_explained() {
    assert!(load_error("const x = 1;").message.contains("fromAll()"));
    assert!(load_error("fromAll()").message.contains("when({...})"));
    assert!(load_error("fromAll().when({T: 1})")
        .message
        .contains("'T' is not a function"));
    assert!(load_error("fromAll(); fromAll().when({})")
        .message
        .contains("twice"));
    assert!(load_error("throw new Error('nope')")
        .message
        .contains("nope"));
}

#[test]
fn non_json_states_give_a_clear_error() {
    let mut p = js("fromAll().when({$init: () => ({f: () => 1}), T: () => {}})");
    p.apply(&event(1, "x", 0, "T", "{}")).unwrap();
    let error = p.state().unwrap_err();
    assert!(
        error.message.contains("function at key 'f'"),
        "{}",
        error.message
    );
    let mut p = js("fromAll().when({T: () => { const s = {}; s.self = s; return s; }})");
    p.apply(&event(1, "x", 0, "T", "{}")).unwrap();
    let error = p.state().unwrap_err();
    assert!(
        error.message.contains("cannot be shown as JSON"),
        "{}",
        error.message
    );
    assert!(
        error.message.to_lowercase().contains("circular"),
        "{}",
        error.message
    );
}

#[test]
fn the_sandbox_has_no_way_out() {
    let mut p = js("fromAll().when({T: () => ({ \
        globals: ['require', 'process', 'std', 'os', 'fetch', 'XMLHttpRequest', 'Deno', 'setTimeout'] \
          .filter(name => typeof globalThis[name] !== 'undefined'), \
        host: typeof host })})");
    p.apply(&event(1, "x", 0, "T", "{}")).unwrap();
    assert_eq!(
        p.state().unwrap(),
        json!({"globals": [], "host": "undefined"})
    );
    let error = load_error("import { readFile } from 'fs';\nfromAll().when({})");
    assert!(error.message.contains("SyntaxError"), "{}", error.message);
}

#[test]
fn the_state_before_a_failure_is_rebuilt_across_checkpoints() {
    let mut p = js("fromAll().when({$init: () => ({n: 0, last: null}), \
                    T: (s, e) => { s.n += 1; s.last = e.position; if (e.data.fail) throw new Error('no'); }})");
    p.reset(None).unwrap();
    let mut position = 0;
    let mut next = |data: &str| {
        position += 1;
        event(position, "x", position - 1, "T", data)
    };
    // More events than the replay log keeps, then a state read (a
    // checkpoint), then a few more, then a failure.
    for _ in 0..5000 {
        p.apply(&next("{}")).unwrap();
    }
    assert_eq!(p.state().unwrap(), json!({"n": 5000, "last": 5000}));
    for _ in 0..10 {
        p.apply(&next("{}")).unwrap();
    }
    let error = p.apply(&next(r#"{"fail":true}"#)).unwrap_err();
    assert_eq!(error.position, Some(5011));
    assert_eq!(p.state().unwrap(), json!({"n": 5010, "last": 5010}));
    // Without a state read in between, the log's own checkpoints do it.
    p.reset(None).unwrap();
    for _ in 0..4100 {
        p.apply(&next("{}")).unwrap();
    }
    assert!(p.apply(&next(r#"{"fail":true}"#)).is_err());
    assert_eq!(p.state().unwrap()["n"], json!(4100));
}
