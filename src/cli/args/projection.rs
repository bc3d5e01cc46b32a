//! The arguments of the commands that fold a projection (state, query,
//! diff, blame, search) and the groups they share: which projections to
//! load, which scope to fold and which point of it to stand at.

use std::path::PathBuf;

use clap::Args;

use super::ScopeArgs;

#[derive(Args, Debug, Clone, Default)]
pub struct ProjectionArgs {
    /// A KurrentDB-style JavaScript projection, or a folder of them
    /// (repeatable); the built-in generic projection when none is given.
    #[arg(long = "projection", value_name = "FILE.js")]
    pub projections: Vec<PathBuf>,
    /// Your own reducer, in any language, speaking NDJSON on stdin/stdout
    /// (see assets/projections/README.md).
    #[arg(long = "projection-cmd", value_name = "CMD")]
    pub commands: Vec<String>,
    /// The memory projection snapshots may take, e.g. 512MB [default: 256MB,
    /// or snapshot_memory in ~/.config/rewind/config.toml, or
    /// $REWIND_SNAPSHOT_MEMORY].
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub snapshot_memory: Option<usize>,
}

fn parse_size(text: &str) -> Result<usize, String> {
    crate::core::settings::parse_bytes(text)
}

#[derive(Args, Debug, Clone, Default)]
#[group(multiple = false)]
pub struct StateScopeArgs {
    /// The stream to fold.
    #[arg(long)]
    pub stream: Option<String>,
    /// Fold every stream of a category, in position order.
    #[arg(long)]
    pub category: Option<String>,
    /// Fold the whole store, in position order.
    #[arg(long)]
    pub all: bool,
}

#[derive(Args, Debug, Clone, Default)]
#[group(multiple = false)]
pub struct PointArgs {
    /// Stand at this stream version.
    #[arg(long, value_name = "VERSION")]
    pub at: Option<i64>,
    /// Stand at the last event at or before this global position.
    #[arg(long, value_name = "P")]
    pub position: Option<i64>,
    /// Stand at the last event at or before this time (RFC 3339,
    /// '2025-03-01 14:00', or relative such as -2h).
    #[arg(long, value_name = "TIME")]
    pub time: Option<String>,
}

#[derive(Args, Debug)]
pub struct StateArgs {
    pub store: PathBuf,
    #[command(flatten)]
    pub scope: StateScopeArgs,
    #[command(flatten)]
    pub point: PointArgs,
    #[command(flatten)]
    pub projection: ProjectionArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct McpArgs {
    /// The store to serve; the bundled demo store when left out.
    pub store: Option<PathBuf>,
    #[command(flatten)]
    pub projection: ProjectionArgs,
}

#[derive(Args, Debug)]
pub struct QueryArgs {
    pub store: PathBuf,
    #[command(flatten)]
    pub projection: ProjectionArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    pub store: PathBuf,
    #[arg(long)]
    pub stream: String,
    /// The earlier point: a version, @position or time.
    #[arg(long)]
    pub from: String,
    /// The later point; `latest` for the newest event.
    #[arg(long, default_value = "latest")]
    pub to: String,
    #[command(flatten)]
    pub projection: ProjectionArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct BlameArgs {
    pub store: PathBuf,
    #[arg(long)]
    pub stream: String,
    /// A JSON Pointer into the state, e.g. /balance or /items/0/quantity.
    #[arg(long)]
    pub path: String,
    /// Blame as of this point (a version, @position or time); the latest when left out.
    #[arg(long)]
    pub at: Option<String>,
    #[command(flatten)]
    pub projection: ProjectionArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct SearchArgs {
    pub store: PathBuf,
    /// Text, or PATH=VALUE.
    #[arg(required_unless_present = "correlation")]
    pub query: Option<String>,
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Search the projected state instead: print the first event after which it matches.
    #[arg(long, requires = "query")]
    pub state: bool,
    /// Every event with this correlation id, in all streams, with its causation.
    #[arg(long, conflicts_with_all = ["state", "query"])]
    pub correlation: Option<String>,
    #[command(flatten)]
    pub projection: ProjectionArgs,
    /// Print at most this many events.
    #[arg(long)]
    pub limit: Option<u64>,
    #[arg(long)]
    pub json: bool,
}
