//! Crash consistency: `rewind import` is killed (SIGKILL) at random moments
//! while importing; afterwards the store always opens, verifies, and holds
//! either none or all of each import run.

mod common;

use std::collections::HashSet;
use std::process::Stdio;
use std::time::Duration;

use common::Sandbox;
use rewind::core::demo::{record_line, DemoConfig, DemoGenerator};

/// Kills per run (each lands at a different moment of an import); CI runs
/// 8, and `REWIND_CRASH_KILLS=100 cargo test --test crash` runs more.
fn kills() -> u64 {
    std::env::var("REWIND_CRASH_KILLS")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(8)
}

#[test]
fn killed_imports_leave_all_or_nothing() {
    let s = Sandbox::new();
    let store = s.path("crash.rewind");
    let store_str = store.to_str().unwrap().to_string();
    s.run(&["init", &store_str]).ok();
    let mut batches: Vec<(String, usize)> = Vec::new();
    let full = calibrate(&s);
    let mut committed_runs = 0;
    let kills = kills();
    for run in 0..kills {
        // Each run imports its own batch (a distinct seed, so distinct ids).
        let lines: Vec<String> = DemoGenerator::new(DemoConfig {
            seed: 1_000 + run,
            events: 10_000,
            ..DemoConfig::default()
        })
        .map(|r| record_line(&r))
        .collect();
        let file = s.write(
            &format!("batch-{run}.ndjson"),
            (lines.join("\n") + "\n").as_bytes(),
        );
        let first_id = serde_json::from_str::<serde_json::Value>(&lines[0]).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        batches.push((first_id, lines.len()));
        let mut child = s
            .command(&["import", &store_str, file.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Spread the kills from "just started" to "already committed".
        std::thread::sleep(full.mul_f64((run as f64 + 0.5) / kills as f64 * 1.4));
        let _ = child.kill();
        let _ = child.wait();

        let verify = s.run(&["verify", &store_str, "--json"]).ok();
        let stored = verify.json()["events"].as_u64().unwrap() as usize;
        let log = s.run(&["log", &store_str, "--json"]).ok();
        let ids: HashSet<String> = log
            .json_lines()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_string())
            .collect();
        let mut expected = 0;
        for (first_id, size) in &batches {
            if ids.contains(first_id) {
                expected += size;
            }
        }
        eprintln!("run {run}: {stored} events stored after the kill");
        assert_eq!(stored, expected, "run {run}: every batch is all or nothing");
        committed_runs += usize::from(ids.contains(&batches[run as usize].0));
    }
    eprintln!("{kills} kills, {committed_runs} imports had committed, none partial");
    assert!(
        committed_runs < kills as usize,
        "some kills landed mid-import"
    );
}

/// How long one whole import of a batch takes on this machine.
fn calibrate(s: &Sandbox) -> Duration {
    let lines: Vec<String> = DemoGenerator::new(DemoConfig {
        seed: 1,
        events: 10_000,
        ..DemoConfig::default()
    })
    .map(|r| record_line(&r))
    .collect();
    let file = s.write("calibrate.ndjson", (lines.join("\n") + "\n").as_bytes());
    let scratch = s.path("scratch.rewind");
    let started = std::time::Instant::now();
    s.run(&["import", scratch.to_str().unwrap(), file.to_str().unwrap()])
        .ok();
    started.elapsed()
}
