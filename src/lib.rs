//! Rewind: a terminal explorer for event-sourced histories.
//!
//! [`core`] holds the event store, time handling and the demo generator,
//! free of any terminal code; the CLI and the explorer build on it.

pub mod cli;
pub mod core;
pub mod mcp;
pub mod tui;
