//! `rewind bench`: the project's own benchmark. It builds a demo store in a
//! temporary directory and reports figures as numbers, so runs can be
//! compared; nothing here asserts a target.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::{json, Map, Value};

use super::args::{BenchArgs, StoreOptions};
use super::output::{thousands, Out};
use super::timing::{median_of, median_of_values, ms, percentile, time, us};
use crate::core::demo::{record_line, DemoConfig, DemoGenerator, Rng};
use crate::core::projection::{Engine, ProjectionSpec, Query};
use crate::core::store::sqlite::SqliteStore;
use crate::core::store::{open_read_only, EventSource, Scope};

/// The long stream every per-stream figure is measured on.
const HOT_STREAM: &str = "account-hot";
const HOT_EVENTS: u64 = 100_000;
const JUMPS: usize = 1_000;
const STEPS: u64 = 1_000;

/// The shipped bank projection, written next to the bench store.
const BANK_JS: &str = include_str!("../../assets/projections/bank.js");

pub fn run(args: BenchArgs, opts: &StoreOptions) -> Result<()> {
    let mut figures = Map::new();
    figures.insert("machine".into(), json!(machine()));
    if let Some(store) = &args.store {
        progress(args.json, &format!("measuring {}…", store.display()));
        let location = crate::core::store::StoreLocation {
            path: store.clone(),
            backend: opts.backend,
            map: opts.map.clone(),
            opening: Default::default(),
        };
        let text = store.to_string_lossy();
        let mut scratch_cache = None;
        if crate::core::store::kafka::is_kafka_url(&text) {
            // Measure the index's first read: build it in a cache of the
            // bench's own (threads start later, so the variable is safe to
            // set), which the figures below then reopen.
            let cache = tempfile_dir()?;
            std::env::set_var("XDG_CACHE_HOME", &cache);
            let (source, took) = super::timing::timed(|| Ok(location.open()?))?;
            let records = source.count(&Scope::All)?;
            figures.insert("index_build_ms".into(), json!(ms(took)));
            figures.insert(
                "index_records_per_s".into(),
                json!((records as f64 / took.as_secs_f64().max(1e-9)).round()),
            );
            scratch_cache = Some(cache);
        }
        super::bench_store::figures(&location, &mut figures)?;
        if let Some(cache) = scratch_cache {
            let _ = std::fs::remove_dir_all(cache);
        }
        figures.insert("peak_rss_mb".into(), json!(peak_rss_mb()));
        return report(args.json, &figures);
    }
    let dir = tempfile_dir()?;
    figures.insert("events".into(), json!(args.events));
    let store_path = dir.join("bench.rewind");
    progress(
        args.json,
        &format!("generating {} demo events…", thousands(args.events)),
    );
    let ndjson = dir.join("bench.ndjson");
    write_demo(&ndjson, args.events)?;
    progress(args.json, "importing…");
    // In a child process, as users run it, so its page cache does not
    // count in this process's peak memory.
    let seconds = time(|| import_in_child(&store_path, &ndjson))?.as_secs_f64();
    figures.insert(
        "import_events_per_s".into(),
        json!((args.events as f64 / seconds).round()),
    );
    std::fs::remove_file(&ndjson).ok();

    figures.insert(
        "open_ms".into(),
        json!(ms(median_of(5, || open_and_list(&store_path))?)),
    );
    let bank = dir.join("bank.js");
    std::fs::write(&bank, BANK_JS).context("writing bank.js for the bench")?;
    progress(args.json, "measuring fuzzy filtering…");
    fuzzy_figures(&store_path, &mut figures)?;
    progress(args.json, "measuring the projection engine…");
    engine_figures(&store_path, &bank, &mut figures)?;
    progress(args.json, "measuring wide scopes (category and $all)…");
    super::bench_wide::figures(&store_path, &bank, &mut figures)?;
    progress(args.json, "measuring the explorer…");
    explorer_figures(&store_path, &mut figures)?;
    figures.insert("peak_rss_mb".into(), json!(peak_rss_mb()));
    report(args.json, &figures)?;
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}

fn write_demo(path: &Path, events: u64) -> Result<()> {
    // Enough of the events go to one account for a 100k-event stream.
    let hot_share = (HOT_EVENTS as f64 * 1.1 / events.max(1) as f64).clamp(0.12, 0.9);
    let generator = DemoGenerator::new(DemoConfig {
        events,
        hot_share,
        ..DemoConfig::spanning_days(events, 90)
    });
    let file = std::fs::File::create(path).with_context(|| format!("{}", path.display()))?;
    let mut out = Out::file(file);
    for record in generator {
        out.json(&record_line(&record))?;
    }
    out.finish()?;
    Ok(())
}

fn import_in_child(store: &Path, file: &Path) -> Result<()> {
    let exe = std::env::current_exe().context("finding the rewind binary")?;
    let output = std::process::Command::new(exe)
        .arg("import")
        .arg(store)
        .arg(file)
        .stdin(std::process::Stdio::null())
        .output()
        .context("running rewind import")?;
    if !output.status.success() {
        anyhow::bail!(
            "rewind import failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

fn open_and_list(path: &Path) -> Result<()> {
    let source = open_read_only(path)?;
    source.streams()?;
    source.count(&Scope::All)?;
    Ok(())
}

fn engine_figures(store: &Path, bank: &Path, figures: &mut Map<String, Value>) -> Result<()> {
    let source = SqliteStore::open_read_only(store)?;
    let scope = Scope::Stream(HOT_STREAM.to_string());
    let count = source.count(&scope)?;
    figures.insert("hot_stream_events".into(), json!(count));
    let last = count.saturating_sub(1);
    let spec = ProjectionSpec::JavaScript(bank.to_path_buf());
    let mut engine = Engine::new(vec![spec.load()?]);
    let at = |engine: &mut Engine, row: u64| -> Result<()> {
        engine.state_at(
            &source,
            Query {
                projection: 0,
                scope: &scope,
                row,
                with_previous: false,
            },
        )?;
        Ok(())
    };
    let cold = time(|| at(&mut engine, last))?;
    figures.insert("cold_state_100k_ms".into(), json!(ms(cold)));
    at(&mut engine, 0)?;
    let warm = time(|| at(&mut engine, last))?;
    figures.insert("warm_state_100k_ms".into(), json!(ms(warm)));

    let mut rng = Rng::new(7);
    let mut jumps = Vec::with_capacity(JUMPS);
    for _ in 0..JUMPS {
        let row = rng.below(count.max(1));
        jumps.push(time(|| at(&mut engine, row))?);
    }
    jumps.sort();
    figures.insert("jump_p50_ms".into(), json!(ms(percentile(&jumps, 50.0))));
    figures.insert("jump_p99_ms".into(), json!(ms(percentile(&jumps, 99.0))));

    let start = count / 2;
    at(&mut engine, start)?;
    let forward = time(|| (1..=STEPS).try_for_each(|i| at(&mut engine, start + i)))?;
    figures.insert("step_forward_us".into(), json!(us(forward) / STEPS as f64));
    let top = start + STEPS;
    let backward = time(|| (1..=STEPS).try_for_each(|i| at(&mut engine, top - i)))?;
    figures.insert(
        "step_backward_us".into(),
        json!(us(backward) / STEPS as f64),
    );
    figures.insert("snapshot_interval".into(), json!(engine.interval()));

    // Time travel, with the snapshots the figures above left behind.
    let diff = time(|| {
        let query = |row| Query {
            projection: 0,
            scope: &scope,
            row,
            with_previous: false,
        };
        let first = engine.state_at(&source, query(0))?;
        let last = engine.state_at(&source, query(last))?;
        Ok(crate::core::diff::diff(&first.state, &last.state))
    })?;
    figures.insert("diff_ms".into(), json!(ms(diff)));
    // What the explorer shows first: the newest page of changes.
    let page = crate::tui::jobs::FIRST_PAGE;
    let first_page =
        time(|| Ok(engine.recent_changes(&source, 0, &scope, last, "/balance", page)?))?;
    figures.insert("blame_first_page_ms".into(), json!(ms(first_page)));
    let blame = time(|| Ok(engine.blame(&source, 0, &scope, last, "/balance")?))?;
    figures.insert("blame_ms".into(), json!(ms(blame)));
    // What the explorer shows first: the event that last set the field.
    let answer = time(|| Ok(engine.last_change(&source, 0, &scope, last, "/balance")?))?;
    figures.insert("blame_last_change_ms".into(), json!(ms(answer)));
    Ok(())
}

/// Fuzzy filtering as typed: every keystroke filters 100,000 real stream
/// names. Measured first, before anything else has run in this process.
fn fuzzy_figures(store: &Path, figures: &mut Map<String, Value>) -> Result<()> {
    let mut names: Vec<String> = open_read_only(store)?
        .streams()?
        .into_iter()
        .map(|s| s.stream)
        .collect();
    names.truncate(100_000);
    let mut keystrokes = Vec::new();
    for query in ["acc42", "cart-0001", "bookingQ", "account-hot", "zzz"] {
        keystrokes.extend(crate::tui::bench_fuzzy_typing(&names, query).0);
    }
    keystrokes.sort();
    figures.insert("fuzzy_names".into(), json!(names.len()));
    figures.insert(
        "fuzzy_100k_ms".into(),
        json!(ms(percentile(&keystrokes, 99.0))),
    );
    Ok(())
}

fn explorer_figures(store: &Path, figures: &mut Map<String, Value>) -> Result<()> {
    let location = crate::core::store::StoreLocation {
        path: store.to_path_buf(),
        backend: None,
        map: None,
        opening: Default::default(),
    };
    let first = median_of_values(5, || crate::tui::bench_first_frame(&location))?;
    figures.insert("first_frame_ms".into(), json!(ms(first)));
    let loaded = crate::tui::bench_fully_loaded(&location)?;
    figures.insert("loaded_ms".into(), json!(ms(loaded)));
    let step = crate::tui::bench_cursor_step(&location, HOT_STREAM, 500)?;
    figures.insert("cursor_step_ms".into(), json!(ms(step)));
    Ok(())
}

fn report(json_output: bool, figures: &Map<String, Value>) -> Result<()> {
    let mut out = Out::stdout();
    if json_output {
        out.json(&serde_json::to_string(figures)?)?;
    } else {
        for (key, value) in figures {
            out.text(&format!("{key:<22} {value}"))?;
        }
    }
    out.finish()?;
    Ok(())
}

fn progress(json_output: bool, message: &str) {
    if !json_output {
        eprintln!("{message}");
    }
}

fn tempfile_dir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("rewind-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    Ok(dir)
}

/// CPU model and core count, from /proc/cpuinfo where there is one.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    format!("{model}, {cores} cores")
}

/// The process's peak resident memory (VmHWM), in MiB.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| (kb / 1024.0 * 10.0).round() / 10.0)
}
