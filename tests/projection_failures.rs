//! Projections that fail or misbehave (thrown errors, endless loops, syntax
//! errors, crashing external reducers) and the less travelled paths: log
//! and emit output, reshaped state snapshots, values read for blame.

mod projection_support;

use std::time::{Duration, Instant};

use serde_json::json;

use projection_support::*;
use rewind::core::projection::external::ExternalProjection;
use rewind::core::projection::js::{JsProjection, Limits};
use rewind::core::projection::{Engine, Projection, ProjectionSpec, Query};
use rewind::core::{EventSource, Scope};

fn js(source: &str) -> JsProjection {
    JsProjection::from_source("inline.js", source, Limits::default()).unwrap()
}

#[test]
fn a_failing_handler_stops_the_engine_with_the_position_and_the_state_before() {
    let temp = store_with(&[
        ("t-1", "Add", 1, json!({"n": 1})),
        ("t-1", "Add", 1, json!({"n": 2})),
        ("t-1", "Add", 1, json!({"n": "three"})),
        ("t-1", "Add", 1, json!({"n": 4})),
    ]);
    let projection = js(
        "fromAll().when({$init: () => ({sum: 0}), Add: (s, e) => {\n\
        if (typeof e.data.n !== 'number') throw new TypeError('not a number: ' + e.data.n);\n\
        s.sum += e.data.n; }})",
    );
    let mut engine = Engine::new(vec![Box::new(projection)]);
    let scope = Scope::All;
    let at = engine
        .state_at(
            &temp.store,
            Query {
                projection: 0,
                scope: &scope,
                row: 3,
                with_previous: false,
            },
        )
        .unwrap();
    let error = at.error.unwrap();
    assert_eq!(error.position, Some(3));
    assert_eq!(error.projection, "inline.js");
    assert!(
        error.message.contains("not a number: three"),
        "{}",
        error.message
    );
    assert!(error.stack.unwrap().contains("inline.js:2"));
    assert_eq!(at.row, Some(1));
    assert_eq!(at.state, json!({"sum": 3}));
}

#[test]
fn log_and_emit_reach_the_engine_output_of_the_event_shown() {
    let temp = store_with(&[
        ("t-1", "A", 1, json!({"n": 1})),
        ("t-1", "A", 1, json!({"n": 2})),
    ]);
    let projection = js("fromAll().when({A: (s, e) => { log('n is', e.data.n); \
                         emit('out-' + e.data.n, 'Seen', e.data); }})");
    let mut engine = Engine::new(vec![Box::new(projection)]);
    let scope = Scope::All;
    let at = engine
        .state_at(
            &temp.store,
            Query {
                projection: 0,
                scope: &scope,
                row: 1,
                with_previous: false,
            },
        )
        .unwrap();
    assert_eq!(at.output.logs, vec!["n is 2".to_string()]);
    assert_eq!(
        at.output.emitted,
        vec![json!({"kind": "emit", "streamId": "out-2", "eventType": "Seen", "body": {"n": 2}})]
    );
}

#[test]
fn an_endless_loop_in_a_projection_file_is_stopped() {
    let limits = Limits {
        time_per_call: Duration::from_millis(100),
        ..Limits::default()
    };
    let started = Instant::now();
    let error = JsProjection::from_source("spin.js", "while (true) {}", limits)
        .err()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(error.message.contains("time limit"), "{}", error.message);
}

#[test]
fn a_syntax_error_names_the_file() {
    let dir = std::env::temp_dir().join(format!("rewind-js-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("typo.js");
    std::fs::write(&path, "fromAll().when({\n  A: (s, e) => { s.n = ; }\n});\n").unwrap();
    let error = ProjectionSpec::JavaScript(path.clone())
        .load()
        .err()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(error.projection, "typo.js");
    assert!(
        error.message.starts_with("typo.js: SyntaxError"),
        "{}",
        error.message
    );
    assert!(error.message.contains("typo.js:2"), "{}", error.message);
}

#[test]
fn the_python_bank_reducer_computes_balances() {
    let temp = bank_history();
    let command = format!("python3 {}", example("bank_reducer.py").display());
    let spec = ProjectionSpec::Command(command.clone());
    let all = final_state(spec.clone(), &temp.store, &Scope::All);
    assert_eq!(
        all,
        json!({"accounts": {
            "account-1": {"holder": "Ada Lovelace", "balance": 0, "status": "closed"},
            "account-2": {"holder": "Grace Hopper", "balance": 20, "status": "frozen"},
        }})
    );
    // Jumping around works from the state Rewind keeps.
    let mut engine = Engine::new(vec![spec.load().unwrap()]);
    let scope = stream("account-1");
    for (row, balance) in [(3, 120), (1, 100), (9, 0), (2, 150)] {
        let at = engine
            .state_at(
                &temp.store,
                Query {
                    projection: 0,
                    scope: &scope,
                    row,
                    with_previous: false,
                },
            )
            .unwrap();
        assert_eq!(
            at.state["accounts"]["account-1"]["balance"],
            json!(balance),
            "row {row}"
        );
        assert_eq!(at.projection, command);
    }
}

#[test]
fn a_crashing_reducer_is_reported_and_restarted() {
    let temp = store_with(&[("t-1", "A", 1, json!({})), ("t-1", "B", 1, json!({}))]);
    // Answers init and the first event, then dies on the second.
    let script = r#"import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("init"):
        print(json.dumps({"state": {"seen": []}}), flush=True)
    elif m["event"]["type"] == "B":
        sys.stderr.write("boom: cannot handle B\n"); sys.stderr.flush(); sys.exit(3)
    else:
        print(json.dumps({"state": {"seen": m["state"]["seen"] + [m["event"]["type"]]}, "logs": ["saw A"]}), flush=True)
"#;
    let dir = std::env::temp_dir().join(format!("rewind-ext-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("crashy.py");
    std::fs::write(&path, script).unwrap();
    let mut engine = Engine::new(vec![ProjectionSpec::Command(format!(
        "python3 {}",
        path.display()
    ))
    .load()
    .unwrap()]);
    let scope = Scope::All;
    let query = Query {
        projection: 0,
        scope: &scope,
        row: 1,
        with_previous: false,
    };
    let at = engine.state_at(&temp.store, query).unwrap();
    let error = at.error.unwrap();
    assert_eq!(error.position, Some(2));
    assert!(error.message.contains("exited"), "{}", error.message);
    assert!(
        error.message.contains("boom: cannot handle B"),
        "{}",
        error.message
    );
    assert_eq!(at.state, json!({"seen": ["A"]}));
    // The reducer is started again for the next event, and fails again.
    let again = engine.state_at(&temp.store, query).unwrap().error.unwrap();
    assert!(again.message.contains("boom"), "{}", again.message);
    // A fresh replay starts it again too.
    engine.clear();
    let query = Query { row: 0, ..query };
    let at = engine.state_at(&temp.store, query).unwrap();
    assert!(at.error.is_none());
    assert_eq!(at.state, json!({"seen": ["A"]}));
    assert_eq!(at.output.logs, vec!["saw A".to_string()]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn misbehaving_reducers_give_clear_errors() {
    let dead = ProjectionSpec::Command("exit 4".into())
        .load()
        .err()
        .unwrap();
    assert!(dead.message.contains("exited"), "{}", dead.message);
    assert_eq!(dead.projection, "exit 4");

    let garbled = ProjectionSpec::Command("echo 'hello there'".into())
        .load()
        .err()
        .unwrap();
    assert!(garbled.message.contains("not JSON"), "{}", garbled.message);

    let started = Instant::now();
    let hung = ExternalProjection::spawn_with_timeout("sleep 5", Duration::from_millis(300))
        .err()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(
        hung.message.contains("did not answer within 0.3s"),
        "{}",
        hung.message
    );

    // The hung command itself is stopped, not only the shell around it.
    let hung = ExternalProjection::spawn_with_timeout("sleep 37.25", Duration::from_millis(200))
        .err()
        .unwrap();
    assert!(hung.message.contains("did not answer"), "{}", hung.message);
    let sleeping = || {
        let ps = std::process::Command::new("ps")
            .args(["-eo", "args"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&ps.stdout)
            .lines()
            .any(|l| l.starts_with("sleep 37.25"))
    };
    let stopped = Instant::now();
    while sleeping() && stopped.elapsed() < Duration::from_secs(3) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!sleeping(), "the reducer's child is still running");

    let mut silent = ExternalProjection::spawn_with_timeout(
        r#"read line; echo '{"state": 0}'; read line; echo '{"error": "no thanks"}'"#,
        Duration::from_secs(5),
    )
    .unwrap();
    let temp = store_with(&[("t-1", "A", 1, json!({}))]);
    let event = temp.store.read_rows(&Scope::All, 0, 1).unwrap().remove(0);
    let refused = silent.apply(&event).unwrap_err();
    assert_eq!(refused.message, "the reducer reported: no thanks");
    assert_eq!(refused.position, Some(1));
}

#[test]
fn engine_snapshots_of_reshaped_and_partitioned_states_resume_correctly() {
    let dir = std::env::temp_dir().join(format!("rewind-shaped-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("shaped.js");
    std::fs::write(
        &path,
        "fromCategory('account')\n\
           .partitionBy(e => e.streamId.slice(-1))\n\
           .when({\n\
             $init: () => ({n: 0, total: 0}),\n\
             $any: (s, e) => { s.n += 1; },\n\
             FundsDeposited: (s, e) => ({...s, total: s.total + e.data.amount}),\n\
           })\n\
           .transformBy(s => ({events: s.n, deposited: s.total}))\n\
           .filterBy(s => s.events % 3 !== 0);\n",
    )
    .unwrap();
    let temp = demo_store("bank.ndjson");
    let spec = ProjectionSpec::JavaScript(path);
    let mut engine = Engine::new(vec![spec.load().unwrap()]);
    let scope = Scope::All;
    let count = temp.store.count(&scope).unwrap();
    let mut rng = Xorshift(42);
    for _ in 0..8 {
        let row = rng.below(count);
        let at = engine
            .state_at(
                &temp.store,
                Query {
                    projection: 0,
                    scope: &scope,
                    row,
                    with_previous: false,
                },
            )
            .unwrap();
        assert!(at.error.is_none(), "{:?}", at.error);
        assert!(at.state["partitions"].is_object());
        assert_eq!(
            at.state,
            replayed(&spec, &temp.store, &scope, row),
            "row {row}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Blame reads a value through `value_at` after every event; for a
/// JavaScript projection that goes through the sandbox and must agree with
/// the state it shows.
#[test]
fn javascript_value_at_agrees_with_the_state() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/projections/bank.js");
    let mut bank = rewind::core::projection::ProjectionSpec::JavaScript(path)
        .load()
        .unwrap();
    bank.reset(None).unwrap();
    let opened = rewind::core::Event {
        position: 1,
        id: "e-1".into(),
        stream: "account-9".into(),
        version: 0,
        event_type: "AccountOpened".into(),
        schema_version: 1,
        data: r#"{"accountId":"account-9","owner":"Ada","currency":"EUR"}"#.into(),
        metadata: "{}".into(),
        time_ms: 0,
    };
    bank.apply(&opened).unwrap();
    let state = bank.state().unwrap();
    for pointer in [
        "/partitions/account-9/balance",
        "/partitions/account-9/holder",
        "/partitions/account-9/holder/name",
        "/partitions",
    ] {
        assert_eq!(
            bank.value_at(pointer).unwrap().as_ref(),
            state.pointer(pointer),
            "{pointer}"
        );
    }
    assert_eq!(
        bank.value_at("/partitions/account-9/nothing").unwrap(),
        None
    );
    assert_eq!(bank.value_at("/partitions/other-1/balance").unwrap(), None);
}
