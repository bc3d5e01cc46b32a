//! Commands that write: `init`, `append` and `import`.

use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};

use super::args::{AppendArgs, ImportArgs, ImportFormat};
use super::output::{thousands, Out};
use crate::core::cloudevents;
use crate::core::ndjson::{parse_line, ImportRecord};
use crate::core::store::sqlite::{Appender, SqliteStore};
use crate::core::{ExpectedVersion, NewEvent, StoreError};

pub fn init(path: &Path) -> Result<()> {
    if path.exists() {
        // Opening upgrades an older store and checks an existing one.
        SqliteStore::create(path)?;
        eprintln!("{} is already a Rewind store", path.display());
        return Ok(());
    }
    SqliteStore::create(path)?;
    eprintln!("created an empty store at {}", path.display());
    Ok(())
}

pub fn append(args: AppendArgs) -> Result<()> {
    let data = if args.data == "-" {
        let mut text = String::new();
        io::stdin()
            .read_to_string(&mut text)
            .context("reading the event data from standard input")?;
        text
    } else {
        args.data.clone()
    };
    let mut event = NewEvent::new(&args.event_type, &data, args.metadata.as_deref())
        .map_err(anyhow::Error::msg)?;
    if let Some(id) = &args.id {
        let uuid =
            uuid::Uuid::try_parse(id).with_context(|| format!("--id {id:?} is not a UUID"))?;
        event.id = Some(uuid.hyphenated().to_string());
    }
    if args.schema_version < 1 {
        bail!("--schema-version must be 1 or more");
    }
    event.schema_version = args.schema_version;
    let mut store = SqliteStore::open(&args.store)?;
    let mut appender = store.appender()?;
    let outcome = appender.append(&args.stream, args.expected_version, &[event])?;
    appender.commit()?;
    let appended = outcome[0];
    let mut out = Out::stdout();
    if args.json {
        out.json(
            &serde_json::json!({
                "position": appended.position,
                "stream": args.stream,
                "version": appended.version,
                "duplicate": appended.duplicate,
            })
            .to_string(),
        )?;
    } else if appended.duplicate {
        out.text(&format!(
            "already stored at position {} (version {} of {}); nothing written",
            appended.position, appended.version, args.stream
        ))?;
    } else {
        out.text(&format!(
            "appended at position {}, version {} of {}",
            appended.position, appended.version, args.stream
        ))?;
    }
    out.finish()?;
    Ok(())
}

/// Page cache for imports: enough to keep the indexes of a few million
/// events in memory while one transaction writes them.
const IMPORT_CACHE_MIB: i64 = 512;

#[derive(Default)]
struct ImportCounts {
    lines: u64,
    written: u64,
    duplicates: u64,
    invalid: u64,
}

/// Imports files into a store in one transaction.
fn import_files(
    store_path: &Path,
    files: &[PathBuf],
    format: ImportFormat,
    skip_invalid: bool,
) -> Result<ImportCounts> {
    bulk_write(store_path, |appender| {
        let mut counts = ImportCounts::default();
        for file in files {
            import_file(appender, file, format, skip_invalid, &mut counts)?;
        }
        Ok(counts)
    })
}

/// Writes many events into the store at `store_path` (created if missing)
/// in one transaction, the fast way: a big page cache, secondary indexes
/// built once at commit, and no write-ahead log while the store is empty.
/// `import` and `demo --out` both write this way.
pub fn bulk_write<T>(
    store_path: &Path,
    write: impl FnOnce(&mut Appender<'_>) -> Result<T>,
) -> Result<T> {
    let mut store = SqliteStore::create(store_path)?;
    store.set_cache_mib(IMPORT_CACHE_MIB)?;
    store.bulk_load(|store| {
        let mut appender = store.appender()?;
        appender.defer_indexes()?;
        let result = write(&mut appender)?;
        appender
            .commit()
            .with_context(|| format!("committing the events into {}", store_path.display()))?;
        Ok(result)
    })
}

pub fn import(args: ImportArgs) -> Result<()> {
    let started = Instant::now();
    let counts = import_files(&args.store, &args.files, args.format, args.skip_invalid)?;
    let seconds = started.elapsed().as_secs_f64();
    if io::stderr().is_terminal() {
        eprint!("\r\x1b[K");
    }
    let mut out = Out::stdout();
    if args.json {
        out.json(
            &serde_json::json!({
                "imported": counts.written, "already_stored": counts.duplicates,
                "invalid_skipped": counts.invalid, "lines": counts.lines, "seconds": seconds,
            })
            .to_string(),
        )?;
    } else {
        out.text(&format!(
            "imported {} events ({} already stored, {} invalid lines skipped) into {} in {:.2}s",
            thousands(counts.written),
            thousands(counts.duplicates),
            thousands(counts.invalid),
            args.store.display(),
            seconds
        ))?;
    }
    out.finish()?;
    Ok(())
}

fn import_file(
    appender: &mut Appender<'_>,
    path: &Path,
    format: ImportFormat,
    skip_invalid: bool,
    counts: &mut ImportCounts,
) -> Result<()> {
    let file = File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let progress = io::stderr().is_terminal();
    let mut buffer = Vec::new();
    let mut line_no = 0u64;
    let mut events_in_file = 0u64;
    loop {
        buffer.clear();
        let read = reader
            .read_until(b'\n', &mut buffer)
            .with_context(|| format!("{}:{}: cannot read", path.display(), line_no + 1))?;
        if read == 0 {
            break;
        }
        line_no += 1;
        counts.lines += 1;
        match import_line(appender, &buffer, format) {
            Ok(outcomes) => {
                for duplicate in outcomes {
                    events_in_file += 1;
                    if duplicate {
                        counts.duplicates += 1;
                    } else {
                        counts.written += 1;
                    }
                }
            }
            Err(LineError::Store(error)) => {
                return Err(error).with_context(|| format!("{}:{line_no}", path.display()))
            }
            Err(LineError::Bad(reason)) if skip_invalid => {
                counts.invalid += 1;
                eprintln!("{}:{line_no}: skipped: {reason}", path.display());
            }
            Err(LineError::Bad(reason)) => bail!(
                "{}:{line_no}: {reason}\nnothing was imported (use --skip-invalid to skip bad lines)",
                path.display()
            ),
        }
        if progress && line_no % 50_000 == 0 {
            eprint!("\r{}: {} lines…", path.display(), thousands(line_no));
            let _ = io::stderr().flush();
        }
    }
    if events_in_file == 0 && counts.invalid == 0 {
        bail!("{}: the file holds no events", path.display());
    }
    Ok(())
}

enum LineError {
    /// The line itself is wrong: report it with its file and line.
    Bad(String),
    /// The store failed (disk full, I/O): no line can fix that.
    Store(StoreError),
}

impl From<String> for LineError {
    fn from(reason: String) -> Self {
        LineError::Bad(reason)
    }
}

/// Imports one raw line: for each event on it (none on a blank line, many
/// in a CloudEvents batch), whether it was already stored.
fn import_line(
    appender: &mut Appender<'_>,
    raw: &[u8],
    format: ImportFormat,
) -> Result<Vec<bool>, LineError> {
    let text = std::str::from_utf8(raw)
        .map_err(|e| format!("not UTF-8 (invalid byte at column {})", e.valid_up_to() + 1))?;
    let text = text.trim_end_matches(['\n', '\r']);
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let records = match format {
        ImportFormat::Ndjson => vec![parse_line(text)?],
        ImportFormat::Cloudevents => cloudevents::parse_line(text)?,
    };
    let mut outcomes = Vec::with_capacity(records.len());
    for ImportRecord { stream, event } in records {
        let outcome = appender
            .append(&stream, ExpectedVersion::Any, std::slice::from_ref(&event))
            .map_err(|e| match e {
                StoreError::InvalidEvent(_) | StoreError::IdConflict { .. } => {
                    LineError::Bad(e.to_string())
                }
                other => LineError::Store(other),
            })?;
        outcomes.push(outcome[0].duplicate);
    }
    Ok(outcomes)
}
