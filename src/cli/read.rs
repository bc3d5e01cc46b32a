//! Commands that only read: `streams`, `log`, `show` and `verify`. They
//! open the store read-only, so they never change a byte of it (Rewind's
//! own store excepted when a killed writer left a transaction to roll
//! back: see `SqliteStore::open_read_only`).

use anyhow::{anyhow, Result};
use serde_json::json;

use super::args::{LogArgs, ScopeArgs, ShowArgs, StoreOptions, StreamsArgs, TypesArgs, VerifyArgs};
use super::output::{thousands, Out};
use super::{exit, Exit};
use crate::core::answers;
use crate::core::fuzzy::Fuzzy;
use crate::core::ndjson::{event_line, EventJson};
use crate::core::store::sqlite::SqliteStore;
use crate::core::store::{open_with, EventSource, Scope};
use crate::core::time::rfc3339_ms;
use crate::core::Event;

impl StoreOptions {
    /// Opens a store read-only: detected, or as `--backend`/`--map` say.
    pub fn open(&self, store: &std::path::Path) -> Result<Box<dyn EventSource>> {
        Ok(open_with(store, self.backend, self.map.as_deref())?)
    }
}

impl ScopeArgs {
    pub fn scope(&self) -> Scope {
        match (&self.stream, &self.category) {
            (Some(stream), _) => Scope::Stream(stream.clone()),
            (None, Some(category)) => Scope::Category(category.clone()),
            (None, None) => Scope::All,
        }
    }
}

/// Fails with a helpful message when a named stream does not exist.
pub fn check_scope(source: &dyn EventSource, scope: &Scope) -> Result<()> {
    answers::check_scope(source, scope).map_err(anyhow::Error::msg)
}

/// Event types of a scope with their counts, most frequent first. The
/// store groups them (SQL `GROUP BY`), so this is quick on big stores.
pub fn types(args: TypesArgs, opts: &StoreOptions) -> Result<()> {
    let source = opts.open(&args.store)?;
    let scope = args.scope.scope();
    check_scope(source.as_ref(), &scope)?;
    let counts = source.type_counts(&scope)?;
    let mut out = Out::stdout();
    if args.json {
        let rows: Vec<_> = counts.iter().map(answers::type_json).collect();
        out.json(&serde_json::to_string(&rows)?)?;
    } else {
        let width = counts
            .first()
            .map_or(6, |t| t.count.to_string().len().max(6));
        out.text(&format!("{:>width$}  TYPE", "EVENTS"))?;
        for t in &counts {
            out.text(&format!("{:>width$}  {}", t.count, t.event_type))?;
        }
    }
    out.finish()?;
    Ok(())
}

pub fn streams(args: StreamsArgs, opts: &StoreOptions) -> Result<()> {
    let source = opts.open(&args.store)?;
    let streams = source.streams()?;
    let query = args.filter.as_deref().unwrap_or_default();
    let order = Fuzzy::default().order(query, streams.iter().map(|s| s.stream.as_str()));
    let mut out = Out::stdout();
    if args.json {
        let rows: Vec<_> = order
            .iter()
            .map(|&i| answers::stream_json(&streams[i]))
            .collect();
        out.json(&serde_json::to_string(&rows)?)?;
    } else {
        let width = order
            .iter()
            .map(|&i| streams[i].stream.chars().count())
            .max()
            .unwrap_or(6)
            .max(6);
        out.text(&format!(
            "{:<width$}  {:<12}  {:>8}  {:>8}  LAST EVENT",
            "STREAM", "CATEGORY", "VERSION", "EVENTS"
        ))?;
        for &i in &order {
            let s = &streams[i];
            out.text(&format!(
                "{:<width$}  {:<12}  {:>8}  {:>8}  {}",
                s.stream,
                s.category,
                s.last_version,
                s.count,
                rfc3339_ms(s.last_time_ms)
            ))?;
        }
    }
    out.finish()?;
    Ok(())
}

/// One event as a line of text: position, stream@version, time, type, data.
pub fn event_text_line(event: &Event) -> String {
    format!(
        "{:>8}  {}@{}  {}  {}  {}",
        event.position,
        event.stream,
        event.version,
        rfc3339_ms(event.time_ms),
        event.event_type,
        event.data
    )
}

/// The first row of `scope` at or after `from`: a version for a stream, a
/// global position otherwise.
fn first_row(source: &dyn EventSource, scope: &Scope, from: Option<i64>) -> Result<u64> {
    let Some(from) = from else { return Ok(0) };
    Ok(match scope {
        Scope::Stream(stream) => {
            let first = source
                .stream_info(stream)?
                .map_or(0, |info| info.first_version);
            (from - first).max(0) as u64
        }
        _ => source
            .row_at_or_before_position(scope, from - 1)?
            .map_or(0, |row| row + 1),
    })
}

/// How often `log --follow` asks the store for its head position: cheap on
/// every backend (a `max` over the position index).
const FOLLOW_POLL: std::time::Duration = std::time::Duration::from_millis(250);

pub fn log(args: LogArgs, opts: &StoreOptions) -> Result<()> {
    let source = opts.open(&args.store)?;
    let scope = args.scope.scope();
    check_scope(source.as_ref(), &scope)?;
    // On stderr, so that the JSON lines on stdout stay the events alone.
    if let Some(note) = source.scope_note(&scope)? {
        eprintln!("note: {}", crate::core::sanitize::visible(&note));
    }
    let start = first_row(source.as_ref(), &scope, args.from)?;
    // The head is read before the count: an append landing in between is
    // then both counted now and seen as a head change later (printed once,
    // since printing resumes at the count), never missed.
    let mut head = source.head_position()?;
    let end = source.count(&scope)?;
    let mut out = Out::stdout();
    print_rows(
        source.as_ref(),
        &scope,
        start..end,
        &args,
        &mut out,
        args.limit,
    )?;
    if !args.follow {
        out.finish()?;
        return Ok(());
    }
    out.flush()?;
    // Follow: wait for the head to move, then print the scope's new rows.
    // Rows only grow at the end, so the next row to print is the old count.
    let mut next = end;
    loop {
        std::thread::sleep(FOLLOW_POLL);
        let now = source.head_position()?;
        if now == head {
            continue;
        }
        head = now;
        let count = source.count(&scope)?;
        if count > next {
            print_rows(source.as_ref(), &scope, next..count, &args, &mut out, None)?;
            out.flush()?;
            next = count;
        }
    }
}

/// Prints rows of a scope (at most `limit` events passing the type filter).
fn print_rows(
    source: &dyn EventSource,
    scope: &Scope,
    rows: std::ops::Range<u64>,
    args: &LogArgs,
    out: &mut Out,
    limit: Option<u64>,
) -> Result<()> {
    let mut printed = 0u64;
    let limit = limit.unwrap_or(u64::MAX);
    let mut failure = None;
    source.scan(scope, rows.start, rows.end, &mut |event| {
        if printed >= limit {
            return false;
        }
        if args
            .event_type
            .as_deref()
            .is_some_and(|t| t != event.event_type)
        {
            return true;
        }
        let written = if args.json {
            out.json(&event_line(event))
        } else {
            out.text(&event_text_line(event))
        };
        printed += 1;
        match written {
            Ok(()) => true,
            Err(e) => {
                failure = Some(e);
                false
            }
        }
    })?;
    match failure {
        Some(error) => Err(error.into()),
        None => Ok(()),
    }
}

pub fn show(args: ShowArgs, opts: &StoreOptions) -> Result<()> {
    let source = opts.open(&args.store)?;
    let event = source.event_at_position(args.position)?.ok_or_else(|| {
        anyhow!(
            "no event at position {} in {} (positions run from 1 to {})",
            args.position,
            source.label(),
            source.head_position().unwrap_or(0)
        )
    })?;
    let mut out = Out::stdout();
    if args.json {
        out.json(&serde_json::to_string_pretty(&EventJson::new(&event))?)?;
    } else {
        let pretty = |v: serde_json::Value| serde_json::to_string_pretty(&v);
        out.text(&format!("position        {}", event.position))?;
        out.text(&format!("stream          {}", event.stream))?;
        out.text(&format!("version         {}", event.version))?;
        out.text(&format!("type            {}", event.event_type))?;
        out.text(&format!("schema version  {}", event.schema_version))?;
        out.text(&format!("id              {}", event.id))?;
        out.text(&format!("time            {}", rfc3339_ms(event.time_ms)))?;
        out.text("metadata")?;
        for line in pretty(event.metadata_json())?.lines() {
            out.text(&format!("  {line}"))?;
        }
        out.text("data")?;
        for line in pretty(event.data_json())?.lines() {
            out.text(&format!("  {line}"))?;
        }
    }
    out.finish()?;
    Ok(())
}

pub fn verify(args: VerifyArgs) -> Result<()> {
    let store = SqliteStore::open_read_only(&args.store)?;
    let result = store.verify()?;
    let mut out = Out::stdout();
    match result {
        Ok(report) => {
            if args.json {
                out.json(
                    &json!({"ok": true, "events": report.events, "streams": report.streams,
                            "head_hash": report.head_hash})
                    .to_string(),
                )?;
            } else {
                out.text(&format!(
                    "ok: {} events in {} streams verified; head hash {}",
                    thousands(report.events),
                    thousands(report.streams),
                    report.head_hash
                ))?;
            }
            out.finish()?;
            Ok(())
        }
        Err(broken) => {
            if args.json {
                out.json(
                    &json!({"ok": false, "position": broken.position, "reason": broken.reason})
                        .to_string(),
                )?;
            }
            out.finish()?;
            Err(Exit {
                status: exit::VERIFY_FAILED,
                message: format!("{}: {broken}", args.store.display()),
            }
            .into())
        }
    }
}
