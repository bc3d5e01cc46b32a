//! The command line, as clap types. Every command's help ends with
//! examples, because an example teaches faster than a flag list.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::core::store::Backend;
use crate::core::ExpectedVersion;

mod projection;

pub use projection::{
    BlameArgs, DiffArgs, McpArgs, PointArgs, ProjectionArgs, QueryArgs, SearchArgs, StateArgs,
    StateScopeArgs,
};

#[derive(Parser, Debug)]
#[command(
    name = "rewind",
    version,
    about = "Explore event-sourced histories: step through a stream, see the state at any event.",
    long_about = "Rewind keeps events in an append-only, hash-chained SQLite store and lets you \
                  explore them: open a store to browse streams and step through their history, \
                  or use the commands below from scripts.",
    args_conflicts_with_subcommands = true,
    after_help = "Examples:\n  \
        rewind                          # the explorer on the bundled demo store\n  \
        rewind shop.rewind              # the explorer on a store\n  \
        rewind app.sqlite               # a Python eventsourcing or Emmett SQLite store\n  \
        rewind postgres://me@db/app     # a message-db or Marten database\n  \
        rewind demo-data/carts.ndjson   # an NDJSON file, without importing it\n  \
        rewind kafka://localhost:9092/orders   # Kafka or Redpanda topics\n  \
        rewind 'kafka://localhost:9092/orders?since=-1d'   # from a day ago on\n  \
        rewind import shop.rewind demo-data/carts.ndjson   # import (creates the store)\n  \
        rewind log shop.rewind --stream cart-00042\n  \
        rewind streams shop.rewind --filter cart --json"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub explore: ExploreArgs,

    #[command(flatten)]
    pub store_options: StoreOptions,
}

/// How read commands open a store: detected, forced to a backend, or read
/// through a mapping file.
#[derive(Args, Debug, Clone, Default)]
pub struct StoreOptions {
    /// Open the store as this kind instead of detecting it: rewind,
    /// eventsourcing, emmett, message-db, marten, ndjson or kafka.
    #[arg(long, global = true, value_name = "NAME", value_parser = parse_backend)]
    pub backend: Option<Backend>,
    /// Read any SQL event table (SQLite file or postgres:// URL) through a
    /// TOML mapping of its columns; for kafka:// topics, where the stream
    /// and type come from (see assets/stores.md).
    #[arg(long, global = true, value_name = "FILE")]
    pub map: Option<PathBuf>,
}

/// Moves `--backend`/`--map` given before a command name to just after
/// it, so `rewind --backend emmett log app.sqlite` means what it says
/// (clap would otherwise take `log` for the store to explore).
pub fn hoist_store_options(args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    use clap::CommandFactory;
    let commands: Vec<String> = Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    let mut options = Vec::new();
    let mut i = 1;
    while let Some(arg) = args.get(i).and_then(|a| a.to_str()) {
        if arg == "--backend" || arg == "--map" {
            options.extend(args.get(i..i + 2).unwrap_or(&args[i..]).iter().cloned());
            i += 2;
        } else if arg.starts_with("--backend=") || arg.starts_with("--map=") {
            options.push(args[i].clone());
            i += 1;
        } else {
            break;
        }
    }
    let names_a_command = args
        .get(i)
        .and_then(|a| a.to_str())
        .is_some_and(|a| commands.iter().any(|c| c == a));
    if options.is_empty() || !names_a_command {
        return args;
    }
    let mut out = vec![args[0].clone(), args[i].clone()];
    out.extend(options);
    out.extend(args.into_iter().skip(i + 1));
    out
}

fn parse_backend(text: &str) -> Result<Backend, String> {
    text.parse()
}

#[derive(Args, Debug, Default)]
pub struct ExploreArgs {
    /// The store to explore; the bundled demo store when left out.
    pub store: Option<PathBuf>,

    /// Open on this stream, with the timeline focused.
    #[arg(long)]
    pub stream: Option<String>,

    /// With --stream: start at this version instead of the first event.
    #[arg(long, requires = "stream")]
    pub at: Option<i64>,

    /// Projections to load; `p` cycles through them and the built-in one.
    #[command(flatten)]
    pub projection: ProjectionArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create an empty store.
    #[command(after_help = "Example:\n  rewind init new.rewind")]
    Init { store: PathBuf },

    /// Append one event to a stream, with optimistic concurrency.
    #[command(after_help = "Examples:\n  \
        rewind append bank.rewind --stream account-1 --type AccountOpened \\\n      \
            --data '{\"owner\":\"Ada\"}' --expected-version no-stream\n  \
        echo '{\"amount\":50}' | rewind append bank.rewind --stream account-1 \\\n      \
            --type FundsDeposited --data - --expected-version 0\n\n\
        Exit status 3 means the stream's version was not the expected one; nothing was written.\n\
        Appending again with the same --id and content is a no-op that succeeds.")]
    Append(AppendArgs),

    /// Import NDJSON events (one JSON object per line); creates the store.
    #[command(
        after_help = "Each line: {\"stream\": \"account-1\", \"type\": \"FundsDeposited\", \
        \"data\": {...},\n  \"metadata\": {...}, \"id\": \"<uuid>\", \"time\": \"<RFC 3339>\", \
        \"schema_version\": 1}\n\
        Only stream, type and data are required. The import is one transaction: a bad line \
        stops it\nwith FILE:LINE: reason and nothing is stored, unless --skip-invalid is given. \
        Lines whose\nid is already stored with the same content are skipped, so importing a \
        file twice adds nothing.\n\n\
        Examples:\n  rewind import shop.rewind demo-data/carts.ndjson\n  \
        rewind import shop.rewind demo-data/bank.ndjson demo-data/flights.ndjson --skip-invalid\n  \
        rewind import shop.rewind cloudevents.jsonl --format cloudevents"
    )]
    Import(ImportArgs),

    /// Export events as NDJSON (which `import` reads back) or CSV.
    #[command(
        after_help = "Examples:\n  rewind export bank.rewind --out backup.ndjson\n  \
        rewind export bank.rewind --category account --format csv --out accounts.csv\n  \
        rewind export bank.rewind --format cloudevents --out events.jsonl\n  \
        rewind export app.sqlite --format cloudevents --out events.jsonl"
    )]
    Export(ExportArgs),

    /// List streams with their category, version, event count and times.
    #[command(after_help = "Examples:\n  rewind streams bank.rewind\n  \
        rewind streams bank.rewind --filter acc42 --json   # fuzzy: matches account-0042")]
    Streams(StreamsArgs),

    /// Count events by type: in the whole store, one stream or one category.
    #[command(after_help = "Examples:\n  rewind types bank.rewind\n  \
        rewind types bank.rewind --stream account-0042 --json\n  \
        rewind types postgres://me@db/app --category account")]
    Types(TypesArgs),

    /// Print events in order: all of them, one stream's or one category's.
    #[command(
        after_help = "Examples:\n  rewind log bank.rewind --stream account-0001\n  \
        rewind log bank.rewind --category account --type TransferSent --limit 20\n  \
        rewind log bank.rewind --from 1000 --limit 10 --json\n  \
        rewind log postgres://me@db/app --category account --follow"
    )]
    Log(LogArgs),

    /// Show one event by its global position.
    #[command(after_help = "Example:\n  rewind show bank.rewind 1234")]
    Show(ShowArgs),

    /// Recompute the hash chain and check that no event was altered or lost.
    #[command(
        after_help = "Exit status 0 when intact; 4 and the first bad position otherwise.\n\n\
        Example:\n  rewind verify bank.rewind"
    )]
    Verify(VerifyArgs),

    /// The state of a projection at a point in a stream's history.
    #[command(
        after_help = "Without a point, the latest state. Without --projection, the generic \
        projection\n(latest value of every field, counts by type).\n\n\
        A time or position before the stream's first event gives the initial state\n\
        (\"version\": null); a version the stream does not have is an error naming its range.\n\n\
        Examples:\n  rewind state bank.rewind --stream account-0042 --at 10\n  \
        rewind state bank.rewind --stream account-0042 --time '2025-03-08 12:00' \\\n      \
            --projection assets/projections/bank.js --json\n  \
        rewind state bank.rewind --category account --projection assets/projections/bank.js\n  \
        rewind state bank.rewind --stream account-0042 \\\n      \
            --projection-cmd 'python3 assets/examples/bank_reducer.py'"
    )]
    State(StateArgs),

    /// Run a projection over its own selector to the end and print the result.
    #[command(
        after_help = "Reducers as a query language: write a KurrentDB-style projection,\n\
        run it over the events its selector names (fromAll, fromCategory...), and read the\n\
        answer. Several --projection and --projection-cmd run one after the other; a command\n\
        reads every event.\n\n\
        Examples:\n  rewind query bank.rewind --projection assets/examples/event-counts.js\n  \
        rewind query bank.rewind --projection assets/projections/bank.js \\\n      \
            --projection assets/examples/event-counts.js --json"
    )]
    Query(QueryArgs),

    /// What changed in the state between two points in a stream's history.
    #[command(
        after_help = "Points are versions (42), positions (@1234) or times ('2025-03-04 15:00',\n\
        RFC 3339, -2h). --json prints an RFC 6902 JSON Patch from the state at --from to the\n\
        state at --to; replace and remove entries also carry \"old\".\n\n\
        Examples:\n  rewind diff bank.rewind --stream account-0042 --from 3 --to 20\n  \
        rewind diff bank.rewind --stream account-0042 --from '2025-03-07 00:00' --to latest \\\n      \
            --projection assets/projections/bank.js --json"
    )]
    Diff(DiffArgs),

    /// Which event last changed a field of the state, and the field's history.
    #[command(
        after_help = "The path is a JSON Pointer into the state that `rewind state` shows.\n\n\
        Examples:\n  rewind blame bank.rewind --stream account-0042 --path /fields/amount\n  \
        rewind blame bank.rewind --stream account-0042 --path /balance --at 30 \\\n      \
            --projection assets/projections/bank.js --json"
    )]
    Blame(BlameArgs),

    /// Find events by text or field, or the first event after which the state matches.
    #[command(
        after_help = "QUERY is text (case-insensitive, anywhere in type, data or metadata) or\n\
        PATH=VALUE with a JSON Pointer (/data/amount=500) or a dotted path (metadata.actor=atm-456).\n\
        Exit status 1 when nothing matches, as with grep.\n\n\
        Examples:\n  rewind search bank.rewind /data/amount=500\n  \
        rewind search bank.rewind --stream account-0042 'suspicious'\n  \
        rewind search bank.rewind --stream account-0042 --state /fields/reason='suspicious activity'\n  \
        rewind search bank.rewind --correlation 0bfb5958-2bc3-4838-a77c-f1bc7912ff7a"
    )]
    Search(SearchArgs),

    /// Serve the store to AI agents over the Model Context Protocol (stdio), read-only.
    #[command(
        after_help = "Tools: list_streams, event_types, read_events, get_event, state_at, diff,\n\
        blame, search_events, search_state, correlation. They answer with the JSON the commands\n\
        print with --json. Nothing the server offers writes to the store. Event data reaches the\n\
        agent as JSON values only: agents should treat it as data, never as instructions.\n\n\
        Examples:\n  claude mcp add rewind -- rewind mcp bank.rewind --projection assets/projections\n  \
        rewind mcp postgres://me@db/app --projection bank.js\n  \
        rewind mcp   # the bundled demo store, with the generic projection"
    )]
    Mcp(McpArgs),

    /// Measure Rewind on a generated store and report the figures.
    #[command(
        after_help = "Builds a demo store of N events (one stream of at least 100,000) in a\n\
        temporary directory, then measures import, opening, projection replays, jumps and steps.\n\
        Figures are reported, not judged; compare runs with --json.\n\n\
        Examples:\n  rewind bench\n  rewind bench --events 200000 --json"
    )]
    Bench(BenchArgs),

    /// Generate realistic demo events (bank accounts, carts, flight bookings).
    #[command(
        after_help = "The same --seed and --events always give the same events.\n\n\
        Examples:\n  rewind demo --out demo.rewind --events 100000\n  \
        rewind demo --format ndjson --domain bank --events 2000 --out bank.ndjson"
    )]
    Demo(DemoArgs),
}

#[derive(Args, Debug)]
pub struct AppendArgs {
    pub store: PathBuf,
    #[arg(long)]
    pub stream: String,
    #[arg(long = "type", value_name = "TYPE")]
    pub event_type: String,
    /// The event's data as JSON, or `-` to read it from standard input.
    #[arg(long, default_value = "{}")]
    pub data: String,
    /// A JSON object, e.g. '{"actor":"teller-12","correlationId":"…"}'.
    #[arg(long)]
    pub metadata: Option<String>,
    /// any, no-stream, exists, or the stream's current last version.
    #[arg(long, default_value = "any", value_parser = parse_expected)]
    pub expected_version: ExpectedVersion,
    /// The event's id (a UUID), for idempotent retries; random when left out.
    #[arg(long)]
    pub id: Option<String>,
    #[arg(long, default_value_t = 1)]
    pub schema_version: i64,
    #[arg(long)]
    pub json: bool,
}

fn parse_expected(text: &str) -> Result<ExpectedVersion, String> {
    text.parse()
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    pub store: PathBuf,
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Skip and report bad lines instead of stopping with nothing stored.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Rewind's NDJSON, or CloudEvents 1.0 structured JSON (one event or
    /// one batch array per line; see assets/stores.md for the mapping).
    #[arg(long, value_enum, default_value_t = ImportFormat::Ndjson)]
    pub format: ImportFormat,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug, Clone, Default)]
#[group(multiple = false)]
pub struct ScopeArgs {
    /// Only this stream.
    #[arg(long)]
    pub stream: Option<String>,
    /// Only streams of this category (the part of the stream id before the first `-`).
    #[arg(long)]
    pub category: Option<String>,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum ExportFormat {
    Ndjson,
    Csv,
    /// CloudEvents 1.0 structured JSON, one event per line.
    Cloudevents,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum ImportFormat {
    Ndjson,
    Cloudevents,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    pub store: PathBuf,
    #[command(flatten)]
    pub scope: ScopeArgs,
    #[arg(long, value_enum, default_value_t = ExportFormat::Ndjson)]
    pub format: ExportFormat,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct StreamsArgs {
    pub store: PathBuf,
    /// Fuzzy filter on stream ids, best matches first.
    #[arg(long)]
    pub filter: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct TypesArgs {
    pub store: PathBuf,
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// A JSON array of {"type", "count"}, most frequent first.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct LogArgs {
    pub store: PathBuf,
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Only events of this type.
    #[arg(long = "type", value_name = "TYPE")]
    pub event_type: Option<String>,
    /// Start at this version (with --stream) or global position.
    #[arg(long)]
    pub from: Option<i64>,
    /// Print at most this many events (of the history printed before
    /// --follow starts waiting).
    #[arg(long)]
    pub limit: Option<u64>,
    /// One JSON object per line.
    #[arg(long)]
    pub json: bool,
    /// After printing, keep watching the store (every 250 ms) and print new
    /// events of the scope as they arrive, until interrupted.
    #[arg(long, short = 'f')]
    pub follow: bool,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    pub store: PathBuf,
    pub position: i64,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    pub store: PathBuf,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// How many events the bench store holds.
    #[arg(long, default_value_t = 1_000_000)]
    pub events: u64,
    /// Measure the read side of this existing store instead (any backend,
    /// e.g. a postgres:// URL; only read): open, counts, stream list,
    /// windows, first frame. See benches/postgres.sh.
    #[arg(long, value_name = "STORE")]
    pub store: Option<std::path::PathBuf>,
    /// One JSON object with every figure.
    #[arg(long)]
    pub json: bool,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum DemoFormat {
    Store,
    Ndjson,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum DemoDomain {
    Bank,
    Carts,
    Flights,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Where to write: a store file, or with --format ndjson a file (standard output when left out).
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[arg(long, default_value_t = 6_000)]
    pub events: u64,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    #[arg(long, value_enum, default_value_t = DemoFormat::Store)]
    pub format: DemoFormat,
    /// Only these domains (repeatable); all three when left out.
    #[arg(long, value_enum)]
    pub domain: Vec<DemoDomain>,
    /// Share of events (0 to 1) that go to one long stream, `account-hot`.
    #[arg(long, default_value_t = 0.0)]
    pub hot_share: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hoisted(args: &[&str]) -> Vec<String> {
        hoist_store_options(args.iter().map(Into::into).collect())
            .into_iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn store_options_before_a_command_move_after_it() {
        assert_eq!(
            hoisted(&["rewind", "--backend", "emmett", "log", "a.sqlite", "--json"]),
            ["rewind", "log", "--backend", "emmett", "a.sqlite", "--json"]
        );
        assert_eq!(
            hoisted(&["rewind", "--map=m.toml", "--backend", "x", "streams", "db"]),
            ["rewind", "streams", "--map=m.toml", "--backend", "x", "db"]
        );
        // Exploring a store keeps its order; so does anything else.
        for args in [
            &["rewind", "--backend", "emmett", "a.sqlite"][..],
            &["rewind", "log", "a.sqlite", "--backend", "emmett"],
            &["rewind", "--backend"],
        ] {
            assert_eq!(hoisted(args), args);
        }
        let cli = Cli::parse_from(hoist_store_options(
            ["rewind", "--backend", "emmett", "log", "a.sqlite"]
                .iter()
                .map(Into::into)
                .collect(),
        ));
        assert!(matches!(cli.command, Some(Command::Log(_))));
        assert_eq!(cli.store_options.backend, Some(Backend::Emmett));
    }
}
