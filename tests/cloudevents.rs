//! CloudEvents 1.0 import and export through the real binary.

mod common;

use common::{demo_data, Sandbox};
use serde_json::Value;

#[test]
fn export_then_import_round_trips() {
    let sandbox = Sandbox::new();
    let a = sandbox.path("a.rewind");
    let b = sandbox.path("b.rewind");
    let ce = sandbox.path("events.jsonl");
    let (a, b, ce) = (
        a.to_str().unwrap_or(""),
        b.to_str().unwrap_or(""),
        ce.to_str().unwrap_or(""),
    );
    let bank = demo_data("bank.ndjson");
    sandbox
        .run(&["import", a, bank.to_str().unwrap_or("")])
        .ok();
    sandbox
        .run(&["export", a, "--format", "cloudevents", "--out", ce])
        .ok();
    let text = std::fs::read_to_string(ce).expect("export written");
    let first: Value = serde_json::from_str(text.lines().next().unwrap_or("")).expect("JSON");
    assert_eq!(first["specversion"], "1.0");
    assert_eq!(first["rewindposition"], 1);
    assert_eq!(first["rewindversion"], 0);
    assert!(first["subject"]
        .as_str()
        .is_some_and(|s| s.starts_with("account-")));
    assert!(first["source"]
        .as_str()
        .is_some_and(|s| s == "/rewind/account"));
    assert!(
        first["rewindmetadata"].is_string(),
        "extension values are strings"
    );

    sandbox
        .run(&["import", b, ce, "--format", "cloudevents"])
        .ok();
    let original = sandbox.run(&["export", a]).ok().stdout;
    let imported = sandbox.run(&["export", b]).ok().stdout;
    assert!(!original.is_empty());
    assert_eq!(imported, original, "every field survives the round trip");
    // Importing the same CloudEvents again adds nothing (same ids).
    let again = sandbox
        .run(&["import", b, ce, "--format", "cloudevents", "--json"])
        .ok()
        .json();
    assert_eq!(again["imported"], 0);
}

#[test]
fn imports_events_of_other_producers_and_batches() {
    let sandbox = Sandbox::new();
    let file = sandbox.write(
        "foreign.jsonl",
        br#"{"specversion":"1.0","id":"A234-1234-1234","source":"https://example.com/orders","subject":"order-7","type":"com.example.order.placed","time":"2018-04-05T17:31:00Z","comexampleextension1":"value","datacontenttype":"application/json","data":{"total":12}}
[{"specversion":"1.0","id":"b-1","source":"/carts","type":"ItemAdded","data":{"sku":"x"}},{"specversion":"1.0","id":"b-2","source":"/carts","type":"ItemAdded","data_base64":"aGk="}]
"#,
    );
    let store = sandbox.path("s.rewind");
    let store = store.to_str().unwrap_or("");
    let out = sandbox
        .run(&[
            "import",
            store,
            file.to_str().unwrap_or(""),
            "--format",
            "cloudevents",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(out["imported"], 3);
    let log = sandbox.run(&["log", store, "--json"]).ok().json_lines();
    assert_eq!(log[0]["stream"], "order-7");
    assert_eq!(log[0]["type"], "com.example.order.placed");
    assert_eq!(log[0]["time"], "2018-04-05T17:31:00.000Z");
    assert_eq!(log[0]["data"]["total"], 12);
    assert_eq!(log[0]["metadata"]["source"], "https://example.com/orders");
    assert_eq!(log[0]["metadata"]["comexampleextension1"], "value");
    assert_eq!(log[0]["metadata"]["ceid"], "A234-1234-1234");
    assert_eq!(
        log[1]["stream"], "/carts",
        "without a subject the source is the stream"
    );
    assert_eq!(log[2]["data"], "aGk=");
    assert_eq!(log[2]["version"], 1);

    let bad = sandbox.write("bad.jsonl", br#"{"specversion":"1.0","id":"1","type":"t"}"#);
    let err = sandbox
        .run(&[
            "import",
            store,
            bad.to_str().unwrap_or(""),
            "--format",
            "cloudevents",
        ])
        .fails_with(1)
        .stderr;
    assert!(
        err.contains("bad.jsonl:1") && err.contains("source"),
        "{err}"
    );
}
