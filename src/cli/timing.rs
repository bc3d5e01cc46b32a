//! Timing helpers the bench commands share: how long work takes, the median
//! of several runs, percentiles, and durations as milliseconds or
//! microseconds.

use std::time::{Duration, Instant};

use anyhow::Result;

/// What `work` returned, and how long it took.
pub(super) fn timed<T>(work: impl FnOnce() -> Result<T>) -> Result<(T, Duration)> {
    let started = Instant::now();
    let value = work()?;
    Ok((value, started.elapsed()))
}

/// How long `work` took.
pub(super) fn time<T>(work: impl FnOnce() -> Result<T>) -> Result<Duration> {
    Ok(timed(work)?.1)
}

/// The median time of `runs` runs of `work`.
pub(super) fn median_of(runs: usize, mut work: impl FnMut() -> Result<()>) -> Result<Duration> {
    let mut times = (0..runs)
        .map(|_| time(&mut work))
        .collect::<Result<Vec<_>>>()?;
    times.sort();
    Ok(times[times.len() / 2])
}

/// The median of `runs` durations that `work` measures itself.
pub(super) fn median_of_values(
    runs: usize,
    mut work: impl FnMut() -> Result<Duration>,
) -> Result<Duration> {
    let mut times = (0..runs).map(|_| work()).collect::<Result<Vec<_>>>()?;
    times.sort();
    Ok(times[times.len() / 2])
}

/// The `p`th percentile (0–100) of durations sorted ascending; zero when
/// there are none.
pub(super) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() - 1) as f64 * p / 100.0).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// A duration in milliseconds, to the microsecond.
pub(super) fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1_000.0
}

/// A duration in microseconds.
pub(super) fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000_000.0
}
