//! The wide-scope figures of `rewind bench`: projections over a category
//! and `$all`, as users run them (each command in its own process, so its
//! peak memory is its own) and as the explorer jumps in them.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::{json, Map, Value};

use super::timing::{ms, percentile, timed};
use crate::core::demo::Rng;
use crate::core::prefilter::Prefilter;
use crate::core::projection::js::{JsProjection, Limits};
use crate::core::projection::{Engine, ProjectionSpec, Query};
use crate::core::search::Matcher;
use crate::core::store::sqlite::SqliteStore;
use crate::core::store::{EventSource, Scope};

const JUMPS: usize = 1_000;

pub fn figures(store: &Path, bank: &Path, figures: &mut Map<String, Value>) -> Result<()> {
    let store_arg = store.display().to_string();
    let bank_arg = bank.display().to_string();
    let mut peak_kb = 0;
    for (key, args) in [
        ("all_state_generic_ms", vec!["--all"]),
        (
            "all_state_bank_ms",
            vec!["--all", "--projection", &bank_arg],
        ),
        (
            "category_state_ms",
            vec!["--category", "account", "--projection", &bank_arg],
        ),
    ] {
        let mut command = vec!["state", &store_arg];
        command.extend(args);
        command.push("--json");
        let (elapsed, rss_kb) = run_child(&command)?;
        figures.insert(key.into(), json!(ms(elapsed)));
        peak_kb = peak_kb.max(rss_kb);
    }
    figures.insert(
        "wide_peak_rss_mb".into(),
        json!((peak_kb as f64 / 1024.0 * 10.0).round() / 10.0),
    );
    let source = SqliteStore::open_read_only(store)?;
    let spec = ProjectionSpec::JavaScript(bank.to_path_buf());
    figures.insert("fold_all_ms".into(), json!(ms(fold_all(&source, bank)?)));
    let jumps = all_jumps(&source, &spec)?;
    figures.insert(
        "all_jump_p50_ms".into(),
        json!(ms(percentile(&jumps, 50.0))),
    );
    figures.insert(
        "all_jump_p99_ms".into(),
        json!(ms(percentile(&jumps, 99.0))),
    );
    // Searches that match nothing read the whole of `$all`: text, as `/`
    // takes it, and a condition on a field.
    for (key, query) in [
        ("all_search_text_ms", "velociraptor"),
        ("all_search_field_ms", "/data/amount=123456789"),
    ] {
        figures.insert(key.into(), json!(ms(search_all(&source, query)?)));
    }
    Ok(())
}

/// One search through every event of `$all` as the explorer and `rewind
/// search` run it: the store tests the prefilter, the matcher decides.
fn search_all(source: &SqliteStore, query: &str) -> Result<Duration> {
    let matcher = Matcher::parse(query).map_err(anyhow::Error::msg)?;
    let prefilter = Prefilter::of(&matcher);
    let count = source.count(&Scope::All)?;
    let (found, elapsed) = timed(|| {
        let mut found = 0u64;
        source.scan_candidates(&Scope::All, 0, count, &prefilter, &mut |_, event| {
            found += u64::from(event.is_some_and(|e| matcher.matches_event(e)));
            true
        })?;
        Ok(found)
    })?;
    if found > 0 {
        bail!("the bench's search for {query:?} found {found} events; it should find none");
    }
    Ok(elapsed)
}

/// One sequential fold of every event with the projection, keeping no
/// snapshots: the yardstick for the wide figures.
fn fold_all(source: &SqliteStore, bank: &Path) -> Result<Duration> {
    // The whole store's state in one runtime: more memory and time per
    // call than a user's projection gets by default, since this measures
    // the fold, not the sandbox's limits.
    let limits = Limits {
        memory_bytes: 16 << 30,
        time_per_call: Duration::from_secs(600),
        ..Limits::default()
    };
    let projection = JsProjection::load_with_limits(bank, limits)?;
    let mut engine = Engine::new(vec![Box::new(projection)]).one_shot();
    let last = source.count(&Scope::All)?.saturating_sub(1);
    let query = Query {
        projection: 0,
        scope: &Scope::All,
        row: last,
        with_previous: false,
    };
    Ok(timed(|| Ok(engine.state_at(source, query)?))?.1)
}

/// Random jumps in `$all` as the explorer makes them: the state of the
/// cursor event's stream, with the state before it for highlighting.
fn all_jumps(source: &SqliteStore, spec: &ProjectionSpec) -> Result<Vec<Duration>> {
    let mut engine = Engine::new(vec![spec.load()?]);
    let count = source.count(&Scope::All)?;
    let mut rng = Rng::new(11);
    let mut jumps = Vec::with_capacity(JUMPS);
    for _ in 0..JUMPS {
        let row = rng.below(count.max(1));
        let started = Instant::now();
        let (scope, row) = engine.stream_target(source, 0, &Scope::All, row)?;
        engine.state_at(
            source,
            Query {
                projection: 0,
                scope: &scope,
                row,
                with_previous: true,
            },
        )?;
        jumps.push(started.elapsed());
    }
    jumps.sort();
    Ok(jumps)
}

/// Runs `rewind ARGS` with its output discarded; how long it took and its
/// peak resident memory in KiB.
fn run_child(args: &[&str]) -> Result<(Duration, i64)> {
    let exe = std::env::current_exe().context("finding the rewind binary")?;
    let started = Instant::now();
    let mut child = std::process::Command::new(exe)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .with_context(|| format!("running rewind {}", args.join(" ")))?;
    let (success, rss_kb) = wait_with_peak(&mut child)?;
    let elapsed = started.elapsed();
    if !success {
        let mut stderr = String::new();
        if let Some(mut pipe) = child.stderr.take() {
            use std::io::Read;
            pipe.read_to_string(&mut stderr).ok();
        }
        bail!("rewind {} failed: {}", args.join(" "), stderr.trim());
    }
    Ok((elapsed, rss_kb))
}

/// Waits for `child`, reading its peak resident memory (VmHWM, in KiB)
/// while it runs. Not `wait4`'s `ru_maxrss`: a child started with vfork
/// inherits the parent's high-water mark at exec, so it would report the
/// bench's own peak. VmHWM only ever grows, so the last reading before the
/// exit is the peak up to within one poll.
fn wait_with_peak(child: &mut std::process::Child) -> Result<(bool, i64)> {
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0;
    loop {
        if let Some(kb) = std::fs::read_to_string(&status_file)
            .ok()
            .as_deref()
            .and_then(vm_hwm_kb)
        {
            peak_kb = peak_kb.max(kb);
        }
        if let Some(status) = child.try_wait().context("waiting for a bench child")? {
            return Ok((status.success(), peak_kb));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The `VmHWM:` figure of a `/proc/PID/status` text.
fn vm_hwm_kb(status: &str) -> Option<i64> {
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}
