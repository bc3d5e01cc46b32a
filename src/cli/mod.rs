//! The command-line edge: parses arguments, runs a command over the core,
//! and turns errors into messages and exit statuses.

mod args;
mod bench;
mod bench_store;
mod bench_wide;
pub(crate) mod demo;
mod export;
pub(crate) mod output;
pub(crate) mod partitions;
mod read;
mod state;
mod timing;
mod travel;
mod write;

use std::process::ExitCode;

use clap::Parser;

pub use args::Cli;
use args::Command;

use crate::core::StoreError;

/// Exit statuses a script can rely on.
pub mod exit {
    /// Any failure without a more specific status.
    pub const FAILURE: u8 = 1;
    /// Wrong usage (clap's own status).
    pub const USAGE: u8 = 2;
    /// The stream was not at the expected version; nothing was written.
    pub const WRONG_EXPECTED_VERSION: u8 = 3;
    /// `verify` found altered or missing history.
    pub const VERIFY_FAILED: u8 = 4;
    /// A projection failed (user code threw, timed out, or ran out of memory).
    pub const PROJECTION_FAILED: u8 = 5;
}

/// A failure that has already been reported and carries its own status.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Exit {
    pub status: u8,
    pub message: String,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse_from(args::hoist_store_options(std::env::args_os().collect()));
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // `rewind log | head` closes the pipe early: that is not a failure.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            let status = status_of(&error);
            eprintln!("rewind: error: {}", output::error_chain(&error));
            ExitCode::from(status)
        }
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn status_of(error: &anyhow::Error) -> u8 {
    for cause in error.chain() {
        if let Some(exit) = cause.downcast_ref::<Exit>() {
            return exit.status;
        }
        if let Some(StoreError::WrongExpectedVersion { .. }) = cause.downcast_ref::<StoreError>() {
            return exit::WRONG_EXPECTED_VERSION;
        }
    }
    exit::FAILURE
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let opts = &cli.store_options;
    match cli.command {
        None => demo::explore(cli.explore, opts),
        Some(Command::Init { store }) => write::init(&store),
        Some(Command::Append(args)) => write::append(args),
        Some(Command::Import(args)) => write::import(args),
        Some(Command::Export(args)) => export::run(args, opts),
        Some(Command::Streams(args)) => read::streams(args, opts),
        Some(Command::Types(args)) => read::types(args, opts),
        Some(Command::Log(args)) => read::log(args, opts),
        Some(Command::Show(args)) => read::show(args, opts),
        Some(Command::Verify(args)) => read::verify(args),
        Some(Command::State(args)) => state::state(args, opts),
        Some(Command::Query(args)) => state::query(args, opts),
        Some(Command::Diff(args)) => travel::diff(args, opts),
        Some(Command::Blame(args)) => travel::blame(args, opts),
        Some(Command::Search(args)) => travel::search(args, opts),
        Some(Command::Bench(args)) => bench::run(args, opts),
        Some(Command::Demo(args)) => demo::run(args),
        Some(Command::Mcp(args)) => mcp(args, opts),
    }
}

/// `rewind mcp`: the tools can name every projection given, and the
/// generic one, which comes last.
fn mcp(args: args::McpArgs, opts: &args::StoreOptions) -> anyhow::Result<()> {
    let (store, mut projections) = demo::store_or_demo(args.store, args.projection.named())?;
    projections.push(crate::core::projection::ProjectionSpec::Generic);
    crate::mcp::serve(crate::mcp::Config {
        store,
        backend: opts.backend,
        map: opts.map.clone(),
        projections,
        snapshot_memory: args.projection.snapshot_memory()?,
    })
}
