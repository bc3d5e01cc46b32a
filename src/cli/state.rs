//! `rewind state` and `rewind query`: projections on the command line.

use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};

use super::args::{PointArgs, ProjectionArgs, QueryArgs, StateArgs, StateScopeArgs, StoreOptions};
use super::output::Out;
use super::partitions::{write_partitions, WideAt};
use super::read::check_scope;
use super::{exit, Exit};
use crate::core::answers;
use crate::core::point::Point;
use crate::core::projection::{Engine, Projection, ProjectionSpec, StateAt};
use crate::core::settings::Settings;
use crate::core::store::{EventSource, Scope};
use crate::core::time::{now_ms, rfc3339_ms};

impl ProjectionArgs {
    /// The projections named on the command line, in order; a folder
    /// names the `.js` files in it, by name.
    pub fn named(&self) -> Vec<ProjectionSpec> {
        self.projections
            .iter()
            .flat_map(|p| scripts_in(p))
            .map(ProjectionSpec::JavaScript)
            .chain(
                self.commands
                    .iter()
                    .map(|c| ProjectionSpec::Command(c.clone())),
            )
            .collect()
    }

    /// The named projections; the generic projection when none is named.
    pub fn specs(&self) -> Vec<ProjectionSpec> {
        let specs = self.named();
        if specs.is_empty() {
            vec![ProjectionSpec::Generic]
        } else {
            specs
        }
    }

    /// The snapshot memory budget: the flag, else the config file and the
    /// environment.
    pub fn snapshot_memory(&self) -> Result<usize> {
        match self.snapshot_memory {
            Some(bytes) => Ok(bytes),
            None => Ok(Settings::load()?.snapshot_memory),
        }
    }

    /// An engine for one projection over `scope` (see [`Engine::for_scope`]).
    pub fn engine(
        &self,
        source: &dyn EventSource,
        projection: Box<dyn Projection>,
        scope: &Scope,
    ) -> Result<Engine> {
        Ok(Engine::for_scope(
            source,
            projection,
            scope,
            self.snapshot_memory()?,
        ))
    }
}

/// `path` itself, or the `.js` files of the folder `path`, sorted. A
/// folder that cannot be read is kept as it is, to fail with its own
/// message when loaded.
fn scripts_in(path: &std::path::Path) -> Vec<std::path::PathBuf> {
    if !path.is_dir() {
        return vec![path.to_path_buf()];
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return vec![path.to_path_buf()];
    };
    let mut scripts: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "js"))
        .collect();
    scripts.sort();
    scripts
}

impl StateScopeArgs {
    fn scope(&self) -> Result<Scope> {
        match (&self.stream, &self.category, self.all) {
            (Some(stream), _, _) => Ok(Scope::Stream(stream.clone())),
            (None, Some(category), _) => Ok(Scope::Category(category.clone())),
            (None, None, true) => Ok(Scope::All),
            (None, None, false) => bail!("name what to fold: --stream S, --category C or --all"),
        }
    }
}

impl PointArgs {
    fn point(&self) -> Result<Point> {
        Ok(match (self.at, self.position, &self.time) {
            (Some(version), _, _) => Point::Version(version),
            (None, Some(position), _) => Point::Position(position),
            (None, None, Some(time)) => match Point::parse(time, now_ms())
                .map_err(|e| anyhow!(e))?
            {
                Point::Time(ms) => Point::Time(ms),
                _ => bail!("--time {time:?} is not a time (RFC 3339, '2025-03-01 14:00' or -2h)"),
            },
            (None, None, None) => Point::Latest,
        })
    }
}

pub fn state(args: StateArgs, opts: &StoreOptions) -> Result<()> {
    let source = opts.open(&args.store)?;
    let scope = args.scope.scope()?;
    check_scope(source.as_ref(), &scope)?;
    if args.point.at.is_some() && !scope.is_stream() {
        bail!("--at is a stream version; with --category or --all use --position or --time");
    }
    let point = args.point.point()?;
    let row = point.resolve(source.as_ref(), &scope)?;
    let mut out = Out::stdout();
    let mut failures = Vec::new();
    for spec in args.projection.specs() {
        let mut engine = args
            .projection
            .engine(source.as_ref(), spec.load()?, &scope)?;
        if !scope.is_stream() && engine.folds_per_stream(0) {
            let at = WideAt::new(source.as_ref(), &scope, point, row, None)?;
            let failed = write_partitions(&mut out, &mut engine, source.as_ref(), &at, args.json)?;
            failures.extend(failed.map(|e| e.to_string()));
            continue;
        }
        let result = state_at_row(&mut engine, source.as_ref(), &scope, row)?;
        print_state(&mut out, &result, args.json)?;
        if let Some(error) = &result.error {
            failures.push(error.to_string());
        }
    }
    out.finish()?;
    projection_failures(failures)
}

/// The state at `row`, or before the scope's first event when `None`.
pub fn state_at_row(
    engine: &mut Engine,
    source: &dyn EventSource,
    scope: &Scope,
    row: Option<u64>,
) -> Result<StateAt> {
    Ok(answers::state_at_row(engine, source, scope, row)?)
}

fn print_state(out: &mut Out, result: &StateAt, json_output: bool) -> Result<()> {
    let event = result.event.as_ref();
    let object = answers::state_json(result);
    if json_output {
        return Ok(out.json(&serde_json::to_string(&object)?)?);
    }
    let label = if result.generic {
        format!("{} (built-in)", result.projection)
    } else {
        result.projection.clone()
    };
    let at = match event {
        Some(e) => format!(
            "{}@{} (position {}, {})",
            e.stream,
            e.version,
            e.position,
            rfc3339_ms(e.time_ms)
        ),
        None => "the start: before the first event, no event applied".to_string(),
    };
    out.text(&format!("{label} at {at}"))?;
    for line in serde_json::to_string_pretty(&result.state)?.lines() {
        out.text(line)?;
    }
    for log in &result.output.logs {
        out.text(&format!("log: {log}"))?;
    }
    if let Some(error) = &result.error {
        out.text(&format!("error: {error}"))?;
        if let Some(stack) = &error.stack {
            out.text(stack)?;
        }
    }
    Ok(())
}

fn projection_failures(failures: Vec<String>) -> Result<()> {
    if failures.is_empty() {
        return Ok(());
    }
    Err(Exit {
        status: exit::PROJECTION_FAILED,
        message: format!(
            "{} (the state shown is the one before the failing event)",
            failures.join("; ")
        ),
    }
    .into())
}

pub fn query(args: QueryArgs, opts: &StoreOptions) -> Result<()> {
    let specs = args.projection.named();
    if specs.is_empty() {
        bail!("name the projection to run: --projection FILE.js or --projection-cmd CMD");
    }
    let source = opts.open(&args.store)?;
    let mut out = Out::stdout();
    let mut failures = Vec::new();
    for spec in &specs {
        let projection = spec
            .load()
            .with_context(|| format!("loading {}", spec.label()))?;
        // Each projection reads what its selector names; a reducer, all.
        let scope = projection.selector_scope().unwrap_or(Scope::All);
        let mut engine = args
            .projection
            .engine(source.as_ref(), projection, &scope)?;
        let count = source.count(&scope)?;
        let row = count.checked_sub(1);
        if !scope.is_stream() && engine.folds_per_stream(0) {
            let at = WideAt::new(source.as_ref(), &scope, Point::Latest, row, Some(count))?;
            let failed = write_partitions(&mut out, &mut engine, source.as_ref(), &at, args.json)?;
            failures.extend(failed.map(|e| e.to_string()));
            continue;
        }
        let result = state_at_row(&mut engine, source.as_ref(), &scope, row)?;
        print_query(&mut out, &result, count, args.json)?;
        for log in &result.output.logs {
            eprintln!("log: {}", crate::core::sanitize::visible(log));
        }
        failures.extend(result.error.iter().map(|e| e.to_string()));
    }
    out.finish()?;
    projection_failures(failures)
}

fn print_query(out: &mut Out, result: &StateAt, count: u64, json_output: bool) -> Result<()> {
    let position = result.event.as_ref().map(|e| e.position);
    if json_output {
        let value: Value = json!({
            "projection": result.projection,
            "scope": result.scope.label(),
            "events": count,
            "position": position,
            "state": result.state,
        });
        return Ok(out.json(&serde_json::to_string(&value)?)?);
    }
    let through = position.map_or_else(|| "no events".to_string(), |p| format!("up to @{p}"));
    out.text(&format!(
        "{} over {}: {count} events, {through}",
        result.projection,
        result.scope.label()
    ))?;
    for line in serde_json::to_string_pretty(&result.state)?.lines() {
        out.text(line)?;
    }
    Ok(())
}
