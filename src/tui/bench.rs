//! The explorer's figures for `rewind bench`: the first frame, the first
//! fully loaded frame, a keystroke of the stream filter and a cursor step,
//! each on a 160x48 `TestBackend`, as a user would see them.

use std::time::{Duration, Instant};

use anyhow::Result;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::Terminal;

use super::action::{Action, Command};
use super::app::{App, Options};
use super::panes;
use super::update::update;
use crate::core::store::StoreLocation;

const SIZE: Rect = Rect::new(0, 0, 160, 48);

/// The explorer opened on `location` (on `stream`, when given).
fn open(location: &StoreLocation, stream: Option<&str>) -> Result<App> {
    let options = Options {
        store: location.path.clone(),
        backend: location.backend,
        map: location.map.clone(),
        stream: stream.map(str::to_string),
        ..Options::default()
    };
    App::new(options, SIZE)
}

/// Applies background replies while `busy` holds (or until one is more
/// than `timeout` away).
fn settle_while(app: &mut App, timeout: Duration, busy: impl Fn(&App) -> bool) {
    while busy(app) {
        match app.wait_worker(timeout) {
            Some(reply) => update(app, Action::Reply(reply)),
            None => break,
        }
    }
}

fn draw(app: &App) -> Result<()> {
    let mut terminal = Terminal::new(TestBackend::new(SIZE.width, SIZE.height))?;
    terminal.draw(|frame| panes::render(app, frame))?;
    Ok(())
}

/// Start to first complete frame (store opened, first timeline window
/// read, the projection at the cursor computed and drawn).
pub fn bench_first_frame(location: &StoreLocation) -> Result<Duration> {
    let started = Instant::now();
    let mut app = open(location, None)?;
    // The stream list and histogram follow in later frames on a big store.
    settle_while(&mut app, Duration::from_secs(30), |app| {
        app.projection.pending.is_some()
    });
    draw(&app)?;
    Ok(started.elapsed())
}

/// Start until the background reads (stream list, histogram) are in and
/// drawn too: on a big store they arrive after the first frame.
pub fn bench_fully_loaded(location: &StoreLocation) -> Result<Duration> {
    let started = Instant::now();
    let mut app = open(location, None)?;
    settle_while(&mut app, Duration::from_secs(60), App::is_busy);
    draw(&app)?;
    Ok(started.elapsed())
}

/// The time of each keystroke of typing `query` over `names`, as the
/// Streams pane filters: each letter matched against the last matches.
/// Also returns how many matched the whole query.
pub fn bench_fuzzy_typing(names: &[String], query: &str) -> (Vec<Duration>, usize) {
    let fuzzy = crate::core::fuzzy::Fuzzy::default();
    let texts: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut times = Vec::with_capacity(query.len());
    let mut previous: Option<(&str, Vec<crate::core::fuzzy::Match>)> = None;
    for end in 1..=query.len() {
        let typed = &query[..end];
        let started = Instant::now();
        let before = previous.as_ref().map(|(q, m)| (*q, m.as_slice()));
        let found = fuzzy.refine(typed, before, &texts);
        times.push(started.elapsed());
        previous = Some((typed, found));
    }
    (times, previous.map_or(0, |(_, m)| m.len()))
}

/// `count` stream names shaped like real ones, for [`bench_fuzzy_typing`].
pub fn sample_stream_names(count: usize) -> Vec<String> {
    let categories = ["account", "cart", "booking", "order", "customer"];
    (0..count)
        .map(|i| {
            format!(
                "{}-{:06}",
                categories[i % categories.len()],
                i * 7919 % 1_000_000
            )
        })
        .collect()
}

/// The mean time of one cursor step on `stream` (move, projection at the
/// new cursor from the worker, redraw), over `steps` steps from the
/// middle of the stream.
pub fn bench_cursor_step(location: &StoreLocation, stream: &str, steps: u32) -> Result<Duration> {
    let mut app = open(location, Some(stream))?;
    let settle = |app: &mut App| settle_while(app, Duration::from_secs(60), App::is_busy);
    // Warm up: the first visit replays the stream and leaves snapshots.
    let middle = app.timeline.count / 2;
    update(&mut app, Action::Command(Command::GoTo));
    for c in (middle + app.timeline.first_version as u64)
        .to_string()
        .chars()
    {
        update(&mut app, Action::Input(c));
    }
    update(&mut app, Action::Command(Command::Confirm));
    settle(&mut app);
    let started = Instant::now();
    for _ in 0..steps.max(1) {
        update(&mut app, Action::Command(Command::Down));
        settle(&mut app);
        draw(&app)?;
    }
    Ok(started.elapsed() / steps.max(1))
}
