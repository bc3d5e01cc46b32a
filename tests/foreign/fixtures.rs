//! Fixtures for tests/foreign_sqlite.rs: stores written by the real Python
//! eventsourcing library and by the real Emmett library (Node).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::common::Sandbox;

/// Writes the eventsourcing fixtures with the real library; returns the
/// aggregate ids it printed. Fails (never skips) when Python or the
/// library is missing: CI installs them.
pub fn eventsourcing_fixture(dir: &Path) -> Value {
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eventsourcing_fixture.py");
    let output = Command::new("python3")
        .arg(&script)
        .arg(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!("python3 is needed for the eventsourcing fixture ({e}); install Python 3 and run `pip install -r tests/fixtures/requirements.txt`")
        });
    assert!(
        output.status.success(),
        "the eventsourcing fixture failed; run `pip install -r tests/fixtures/requirements.txt`\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the fixture prints JSON")
}

/// The library stores UUID originator ids as 32 hex digits.
pub fn stream_of(ids: &Value, store: &str, who: &str) -> String {
    ids[store][who].as_str().expect("an id").replace('-', "")
}

/// Runs `tests/fixtures/emmett/write_emmett_fixture.mjs` with `args`: the
/// real `@event-driven-io/emmett-sqlite` library writes the store. Fails
/// (never skips) when Node or the packages are missing: CI installs them.
fn emmett_script(args: &[&str]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/emmett");
    let hint = "run `npm ci` in tests/fixtures/emmett (as .ci/test does)";
    assert!(
        dir.join("node_modules/@event-driven-io/emmett-sqlite")
            .exists(),
        "the Emmett fixture needs its packages: {hint}"
    );
    let output = Command::new("node")
        .arg(dir.join("write_emmett_fixture.mjs"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("node is needed for the Emmett fixture ({e}); {hint}"));
    assert!(
        output.status.success(),
        "the Emmett fixture script failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// An Emmett SQLite store written by the library: `shopping_cart-1` with
/// two `ProductItemAdded` and a `ShoppingCartConfirmed`, `shopping_cart-2`
/// with one `ProductItemAdded`; each event carries a correlationId.
pub fn emmett_fixture(sandbox: &Sandbox) -> PathBuf {
    let path = sandbox.path("emmett.sqlite");
    emmett_script(&[path.to_str().unwrap_or("")]);
    path
}

/// Appends one event to an Emmett store through the library, from a
/// process of its own.
pub fn emmett_append(path: &Path, stream: &str, kind: &str, data: &str) {
    emmett_script(&[path.to_str().unwrap_or(""), "append", stream, kind, data]);
}

/// File name → SHA-256 of every file in `dir`.
pub fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .map(|e| {
            let bytes = std::fs::read(e.path()).expect("read file");
            let digest: String = Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            (e.file_name().to_string_lossy().into_owned(), digest)
        })
        .collect()
}
