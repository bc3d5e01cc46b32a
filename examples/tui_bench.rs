//! Measures the explorer's first frame, cursor step and fuzzy filtering:
//! `cargo run --release --example tui_bench -- STORE [STREAM]`.

use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let store = PathBuf::from(args.next().unwrap_or_else(|| "demo.rewind".into()));
    let stream = args.next().unwrap_or_else(|| "account-hot".into());
    let first = rewind::tui::bench_first_frame(&store)?;
    println!("first frame: {first:?}");
    let loaded = rewind::tui::bench_fully_loaded(&store)?;
    println!("stream list and histogram in: {loaded:?}");
    let step = rewind::tui::bench_cursor_step(&store, &stream, 200)?;
    println!("cursor step on {stream}: {step:?}");
    let names = rewind::tui::sample_stream_names(100_000);
    for query in ["acc42", "cart-0001", "zzz"] {
        let (took, found) = rewind::tui::bench_fuzzy_filter(&names, query);
        println!("fuzzy filter 100,000 names with {query:?}: {took:?} ({found} matches)");
    }
    Ok(())
}
