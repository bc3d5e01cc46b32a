//! `rewind demo`, and the bundled demo store that plain `rewind` opens.

use std::fs::{self, File};
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};

use super::args::{DemoArgs, DemoDomain, DemoFormat, ExploreArgs, StoreOptions};
use super::output::{thousands, Out};
use crate::core::demo::{record_line, DemoConfig, DemoGenerator, Domain};
use crate::core::hash::to_hex;
use crate::core::paths::cache_dir;
use crate::core::ExpectedVersion;

pub fn run(args: DemoArgs) -> Result<()> {
    if !(0.0..1.0).contains(&args.hot_share) {
        bail!("--hot-share must be at least 0 and below 1");
    }
    let domains = if args.domain.is_empty() {
        Domain::ALL.to_vec()
    } else {
        args.domain
            .iter()
            .map(|d| match d {
                DemoDomain::Bank => Domain::Bank,
                DemoDomain::Carts => Domain::Carts,
                DemoDomain::Flights => Domain::Flights,
            })
            .collect()
    };
    // Small demos keep the pace of demo-data/; large ones span 90 days
    // rather than running years into the future.
    let pace = if args.events > 20_000 {
        DemoConfig::spanning_days(args.events, 90)
    } else {
        DemoConfig::default()
    };
    let generator = DemoGenerator::new(DemoConfig {
        seed: args.seed,
        events: args.events,
        domains,
        hot_share: args.hot_share,
        ..pace
    });
    match args.format {
        DemoFormat::Ndjson => {
            let mut out = match &args.out {
                Some(path) => Out::file(
                    File::create(path)
                        .with_context(|| format!("{}: cannot create", path.display()))?,
                ),
                None => Out::stdout(),
            };
            for record in generator {
                out.json(&record_line(&record))?;
            }
            out.finish()?;
        }
        DemoFormat::Store => {
            let path = args.out.unwrap_or_else(|| PathBuf::from("demo.rewind"));
            if path.exists() {
                bail!(
                    "{} already exists; pick another --out or remove it",
                    path.display()
                );
            }
            super::write::bulk_write(&path, |appender| {
                for record in generator {
                    appender.append(&record.stream, ExpectedVersion::Any, &[record.event])?;
                }
                Ok(())
            })?;
            eprintln!(
                "wrote {} demo events to {}",
                thousands(args.events),
                path.display()
            );
        }
    }
    Ok(())
}

/// Builds the demo store from the bundled demo data once, in the cache
/// directory, and returns its path. Built under a temporary name and then
/// renamed, so an interrupted build never leaves a half store behind.
pub fn demo_store() -> Result<PathBuf> {
    let mut hasher = Sha256::new();
    // A new schema gets a new demo store rather than an old one to upgrade.
    hasher.update(crate::core::store::sqlite::SCHEMA_VERSION.to_le_bytes());
    for (name, text) in crate::core::demo::bundled::DEMO_DATA {
        hasher.update(name.as_bytes());
        hasher.update(text.as_bytes());
    }
    let digest = to_hex(&hasher.finalize()[..6]);
    let dir = cache_dir();
    let path = dir.join(format!("demo-{digest}.rewind"));
    if path.is_file() {
        return Ok(path);
    }
    fs::create_dir_all(&dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    let partial = dir.join(format!("demo-{digest}.{}.partial", std::process::id()));
    crate::core::demo::bundled::build_demo_store(&partial)?;
    fs::rename(&partial, &path).with_context(|| format!("{}: cannot create", path.display()))?;
    Ok(path)
}

/// The store named, or the bundled demo store, which comes with the
/// projections written for it when none are named.
pub fn store_or_demo(
    store: Option<PathBuf>,
    named: Vec<crate::core::projection::ProjectionSpec>,
) -> Result<(PathBuf, Vec<crate::core::projection::ProjectionSpec>)> {
    match store {
        Some(path) => Ok((path, named)),
        None if named.is_empty() => Ok((demo_store()?, crate::core::projection::shipped::all())),
        None => Ok((demo_store()?, named)),
    }
}

pub fn explore(args: ExploreArgs, opts: &StoreOptions) -> Result<()> {
    let (store, projections) = store_or_demo(args.store, args.projection.named())?;
    crate::tui::run(crate::tui::Options {
        store,
        projections,
        stream: args.stream,
        at: args.at,
        now_ms: None,
        config_dir: Some(crate::core::paths::config_dir()),
        history_file: Some(crate::core::paths::data_dir().join("prompt_history.json")),
        backend: opts.backend,
        map: opts.map.clone(),
        snapshot_memory: Some(args.projection.snapshot_memory()?),
    })
}
