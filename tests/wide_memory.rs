//! Wide scopes in bounded memory: `state --all`, `state --category` and
//! `query` on a store of 200,000 events succeed with the process's address
//! space capped at about 1 GB (before snapshots had a byte budget and
//! wide folds kept none, they needed several gigabytes).

#![cfg(unix)]

mod common;

use std::os::unix::process::CommandExt;

use common::{Run, Sandbox};

const BANK_JS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/projections/bank.js");
const COUNTS_JS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/examples/event-counts.js"
);
const ADDRESS_SPACE: u64 = 1 << 30;

fn capped(s: &Sandbox, args: &[&str]) -> Run {
    let mut command = s.command(args);
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between
    // fork and exec.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: ADDRESS_SPACE,
                rlim_max: ADDRESS_SPACE,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    Run::from(command.output().expect("run rewind"))
}

#[test]
fn wide_states_and_queries_fit_in_a_gigabyte() {
    let s = Sandbox::new();
    let store = s.path("wide.rewind");
    let store = store.to_str().unwrap();
    s.run(&["demo", "--out", store, "--events", "200000"]).ok();

    let generic = capped(&s, &["state", store, "--all", "--json"]).ok().json();
    let partitions = generic["state"]["partitions"].as_object().unwrap();
    let events: u64 = partitions
        .values()
        .map(|p| p["events"].as_u64().unwrap())
        .sum();
    assert_eq!(events, 200_000);

    let bank = capped(
        &s,
        &["state", store, "--all", "--projection", BANK_JS, "--json"],
    )
    .ok()
    .json();
    let accounts = bank["state"]["partitions"].as_object().unwrap();
    assert!(accounts.len() > 1_000, "{} accounts", accounts.len());
    assert!(accounts.values().all(|a| a["balance"].is_number()));
    let category = capped(
        &s,
        &[
            "state",
            store,
            "--category",
            "account",
            "--projection",
            BANK_JS,
            "--json",
        ],
    )
    .ok()
    .json();
    assert_eq!(category["state"], bank["state"]);

    let lines = capped(
        &s,
        &[
            "query",
            store,
            "--projection",
            BANK_JS,
            "--projection",
            COUNTS_JS,
            "--json",
        ],
    )
    .ok()
    .json_lines();
    assert_eq!(lines[0]["state"], bank["state"]);
    assert_eq!(lines[1]["state"]["total"], serde_json::json!(200_000));
}
