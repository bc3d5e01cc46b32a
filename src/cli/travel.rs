//! Time travel on the command line: `diff`, `blame` and `search`.

use anyhow::{anyhow, bail, Result};
use serde_json::Value;

use super::args::{BlameArgs, DiffArgs, ProjectionArgs, SearchArgs, StoreOptions};
use super::output::Out;
use super::read::{check_scope, event_text_line};
use super::{exit, Exit};
use crate::core::answers::{blame_json, DiffAnswer};
use crate::core::diff::PatchOp;
use crate::core::ndjson::event_line;
use crate::core::point::Point;
use crate::core::prefilter::Prefilter;
use crate::core::projection::{ProjectionSpec, StateAt};
use crate::core::search::{has_correlation, Matcher};
use crate::core::store::{EventSource, Scope};
use crate::core::time::{now_ms, rfc3339_ms};
use crate::core::Event;

/// Diff and blame answer for one projection.
fn single_projection(args: &ProjectionArgs) -> Result<ProjectionSpec> {
    let mut specs = args.specs();
    if specs.len() > 1 {
        bail!(
            "give one projection (--projection or --projection-cmd), not {}",
            specs.len()
        );
    }
    Ok(specs.remove(0))
}

/// The row a point names; `None` before the scope's first event.
fn resolve(source: &dyn EventSource, scope: &Scope, text: &str, flag: &str) -> Result<Option<u64>> {
    let point = Point::parse(text, now_ms()).map_err(|e| anyhow!("{flag}: {e}"))?;
    point
        .resolve(source, scope)
        .map_err(|e| anyhow!("{flag} {text}: {e}"))
}

fn failed(errors: impl IntoIterator<Item = String>) -> Result<()> {
    let errors: Vec<String> = errors.into_iter().collect();
    if errors.is_empty() {
        return Ok(());
    }
    Err(Exit {
        status: exit::PROJECTION_FAILED,
        message: errors.join("; "),
    }
    .into())
}

pub fn diff(args: DiffArgs, opts: &StoreOptions) -> Result<()> {
    let source = opts.open(&args.store)?;
    let scope = Scope::Stream(args.stream.clone());
    check_scope(source.as_ref(), &scope)?;
    let from = resolve(source.as_ref(), &scope, &args.from, "--from")?;
    let to = resolve(source.as_ref(), &scope, &args.to, "--to")?;
    let mut engine = args.projection.engine(
        source.as_ref(),
        single_projection(&args.projection)?.load()?,
        &scope,
    )?;
    let answer = DiffAnswer::compute(&mut engine, source.as_ref(), &scope, (from, to), usize::MAX)?;
    let mut out = Out::stdout();
    if args.json {
        out.json(&serde_json::to_string(&answer.json(&args.stream))?)?;
    } else {
        print_diff(
            &mut out,
            &args.stream,
            &answer.from,
            &answer.to,
            &answer.patch,
            &answer.between,
        )?;
    }
    let DiffAnswer { from: a, to: b, .. } = answer;
    out.finish()?;
    failed(
        [a.error, b.error]
            .into_iter()
            .flatten()
            .map(|e| e.to_string()),
    )
}

fn describe(state: &StateAt) -> String {
    match &state.event {
        Some(e) => format!(
            "v{} (@{}, {})",
            e.version,
            e.position,
            rfc3339_ms(e.time_ms)
        ),
        None => "before the first event".to_string(),
    }
}

fn print_diff(
    out: &mut Out,
    stream: &str,
    a: &StateAt,
    b: &StateAt,
    patch: &[PatchOp],
    between: &[Event],
) -> Result<()> {
    out.text(&format!(
        "{stream}: {} → {}, {} change(s) by {} event(s), projection {}",
        describe(a),
        describe(b),
        patch.len(),
        between.len(),
        a.projection
    ))?;
    for op in patch {
        let line = match op {
            PatchOp::Add { path, value } => format!("+ {path}  {value}"),
            PatchOp::Remove { path, old } => format!("- {path}  (was {old})"),
            PatchOp::Replace { path, value, old } => format!("~ {path}  {old} → {value}"),
        };
        out.text(&line)?;
    }
    if !between.is_empty() {
        out.text("events:")?;
        for event in between {
            out.text(&format!("  {}", event_text_line(event)))?;
        }
    }
    Ok(())
}

pub fn blame(args: BlameArgs, opts: &StoreOptions) -> Result<()> {
    let source = opts.open(&args.store)?;
    let scope = Scope::Stream(args.stream.clone());
    check_scope(source.as_ref(), &scope)?;
    if !args.path.is_empty() && !args.path.starts_with('/') {
        bail!(
            "--path {:?} is not a JSON Pointer: write it like /balance or /items/0/sku",
            args.path
        );
    }
    let row = match &args.at {
        Some(at) => resolve(source.as_ref(), &scope, at, "--at")?,
        None => source.count(&scope)?.checked_sub(1),
    };
    let mut engine = args.projection.engine(
        source.as_ref(),
        single_projection(&args.projection)?.load()?,
        &scope,
    )?;
    let blame = match row {
        Some(row) => engine.blame(source.as_ref(), 0, &scope, row, &args.path)?,
        None => engine.blame_before_first(0, &scope, &args.path)?,
    };
    let last = blame.last().map(|c| &c.event);
    let mut out = Out::stdout();
    if args.json {
        let value = blame_json(&blame, usize::MAX);
        out.json(&serde_json::to_string(&value)?)?;
    } else {
        let value = blame
            .value
            .as_ref()
            .map_or("(absent)".to_string(), Value::to_string);
        match last {
            Some(e) => {
                out.text(&format!("{} = {value}", blame.pointer))?;
                out.text(&format!(
                    "last changed by {} at v{} (@{}, {}, id {})",
                    e.event_type,
                    e.version,
                    e.position,
                    rfc3339_ms(e.time_ms),
                    e.id
                ))?
            }
            None => out.text(&format!(
                "{} = {value}, never changed by an event",
                blame.pointer
            ))?,
        }
        if !blame.history.is_empty() {
            out.text("history:")?;
        }
        for change in &blame.history {
            let value = change
                .value
                .as_ref()
                .map_or("(absent)".to_string(), Value::to_string);
            let e = &change.event;
            out.text(&format!(
                "  v{:<6} @{:<8} {}  {:<22} {value}",
                e.version,
                e.position,
                rfc3339_ms(e.time_ms),
                e.event_type
            ))?;
        }
    }
    out.finish()?;
    failed(blame.error.map(|e| e.to_string()))
}

pub fn search(args: SearchArgs, opts: &StoreOptions) -> Result<()> {
    let source = opts.open(&args.store)?;
    if let Some(correlation) = &args.correlation {
        return correlated(source.as_ref(), correlation, &args);
    }
    let query = args.query.as_deref().unwrap_or_default();
    let matcher = Matcher::parse(query).map_err(|e| anyhow!(e))?;
    let scope = args.scope.scope();
    check_scope(source.as_ref(), &scope)?;
    let mut out = Out::stdout();
    if args.state {
        let mut engine = args.projection.engine(
            source.as_ref(),
            single_projection(&args.projection)?.load()?,
            &scope,
        )?;
        let found =
            engine.first_state_match(source.as_ref(), 0, &scope, &|s| matcher.matches_state(s))?;
        match found {
            Some(event) if args.json => out.json(&event_line(&event))?,
            Some(event) => {
                out.text("the state first matches after:")?;
                out.text(&event_text_line(&event))?
            }
            None => bail!("no state of {} matches {query:?}", scope.label()),
        }
        out.finish()?;
        return Ok(());
    }
    let limit = args.limit.unwrap_or(u64::MAX);
    let found = Found {
        prefilter: Prefilter::of(&matcher),
        keep: &|e| matcher.matches_event(e),
    };
    let printed = print_matching(source.as_ref(), &scope, &mut out, args.json, limit, found)?;
    out.finish()?;
    // Like grep: nothing found is status 1, for every kind of search.
    if printed == 0 {
        bail!("no event of {} matches {query:?}", scope.label());
    }
    Ok(())
}

/// The events a search prints: those the store's prefilter lets through
/// and `keep` accepts.
struct Found<'k> {
    prefilter: Prefilter,
    keep: &'k dyn Fn(&Event) -> bool,
}

fn print_matching(
    source: &dyn EventSource,
    scope: &Scope,
    out: &mut Out,
    json_output: bool,
    limit: u64,
    found: Found<'_>,
) -> Result<u64> {
    let mut printed = 0;
    let mut failure = None;
    let end = source.count(scope)?;
    source.scan_candidates(scope, 0, end, &found.prefilter, &mut |_, event| {
        if printed >= limit {
            return false;
        }
        let Some(event) = event.filter(|e| (found.keep)(e)) else {
            return true;
        };
        printed += 1;
        let written = if json_output {
            out.json(&event_line(event))
        } else {
            out.text(&event_text_line(event))
        };
        written.map_err(|e| failure = Some(e)).is_ok()
    })?;
    if let Some(error) = failure {
        return Err(error.into());
    }
    Ok(printed)
}

fn correlated(source: &dyn EventSource, correlation: &str, args: &SearchArgs) -> Result<()> {
    let mut out = Out::stdout();
    let limit = args.limit.unwrap_or(u64::MAX);
    let found = Found {
        prefilter: Prefilter::correlation(correlation),
        keep: &|event| has_correlation(event, correlation),
    };
    let printed = print_matching(source, &Scope::All, &mut out, args.json, limit, found)?;
    out.finish()?;
    if printed == 0 {
        bail!("no event has the correlation id {correlation}");
    }
    Ok(())
}
