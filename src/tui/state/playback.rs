//! Play mode and follow mode: stepping through the timeline on the clock,
//! and watching the store's head for appended events.

use crate::core::time::Millis;

/// How often follow mode and the status look for new events.
pub const POLL_MS: i64 = 500;
/// Play mode's step at 1x.
pub const PLAY_STEP_MS: i64 = 400;
/// The fastest play: 64x, 160 events a second.
pub const MAX_SPEED: u32 = 64;
/// The range of a rate typed in events per second.
pub const MIN_RATE: f64 = 0.1;
pub const MAX_RATE: f64 = 10_000.0;

#[derive(Debug, Clone)]
pub struct Playback {
    pub playing: bool,
    /// 1x, 2x, 4x … up to [`MAX_SPEED`].
    pub speed: u32,
    /// A rate typed in events per second, which `speed` gives way to.
    pub typed_rate: Option<f64>,
    pub last_step_ms: Millis,
    /// Play was just turned on: its first step is due now, and the clock
    /// counts from there.
    pub resumed: bool,
    pub follow: bool,
    /// Following, paused because the reader moved the cursor away (as
    /// `less +F` stops at a scroll): `f` or the last event resumes it.
    pub follow_paused: bool,
    /// Events that arrived in the open scope while following was paused.
    pub new_events: u64,
    /// The store's head position when last looked at.
    pub head: i64,
    pub last_poll_ms: Millis,
    /// The look at the head under way: its id, and whether to move to the
    /// newest event even if nothing was appended (follow just turned on).
    pub head_pending: Option<(u64, bool)>,
}

impl Playback {
    pub fn new(head: i64) -> Playback {
        Playback {
            playing: false,
            speed: 1,
            typed_rate: None,
            last_step_ms: 0,
            resumed: false,
            follow: false,
            follow_paused: false,
            new_events: 0,
            head,
            last_poll_ms: 0,
            head_pending: None,
        }
    }

    /// Following stops while the reader looks back; true when it was on.
    pub fn pause_follow(&mut self) -> bool {
        if !self.follow {
            return false;
        }
        self.follow = false;
        self.follow_paused = true;
        self.new_events = 0;
        true
    }

    /// Following again (after a pause, or turned on).
    pub fn resume_follow(&mut self) {
        self.follow = true;
        self.follow_paused = false;
        self.new_events = 0;
    }

    /// Plays, or pauses.
    pub fn play_pause(&mut self) {
        self.playing = !self.playing;
        self.resumed = self.playing;
    }

    /// Twice as fast (a typed rate doubles too).
    pub fn faster(&mut self) {
        match &mut self.typed_rate {
            Some(rate) => *rate = (*rate * 2.0).min(MAX_RATE),
            None => self.speed = (self.speed * 2).min(MAX_SPEED),
        }
    }

    pub fn slower(&mut self) {
        match &mut self.typed_rate {
            Some(rate) => *rate = (*rate / 2.0).max(MIN_RATE),
            None => self.speed = (self.speed / 2).max(1),
        }
    }

    /// Sets the rate from what was typed: events per second (`100`,
    /// `0.5`, `100/s`) or a speed (`8x`).
    pub fn set_rate(&mut self, typed: &str) -> Result<(), String> {
        let text = typed.trim().to_ascii_lowercase();
        if let Some(speed) = text.strip_suffix('x') {
            return match speed.trim().parse::<u32>() {
                Ok(n) if n.is_power_of_two() && n <= MAX_SPEED => {
                    self.speed = n;
                    self.typed_rate = None;
                    Ok(())
                }
                _ => Err(format!(
                    "'{typed}': a speed is 1x, 2x, 4x … up to {MAX_SPEED}x"
                )),
            };
        }
        let number = text.trim_end_matches("ev/s").trim_end_matches("/s").trim();
        match number.parse::<f64>() {
            Ok(rate) if (MIN_RATE..=MAX_RATE).contains(&rate) => {
                self.typed_rate = Some(rate);
                Ok(())
            }
            _ => Err(format!(
                "'{typed}': type events per second, from {MIN_RATE} to {MAX_RATE}, or a speed such as 8x"
            )),
        }
    }

    /// Events played per second.
    pub fn rate(&self) -> f64 {
        self.typed_rate
            .unwrap_or(1000.0 * f64::from(self.speed.max(1)) / PLAY_STEP_MS as f64)
    }

    /// The rate as the status bar shows it: `4x (10 ev/s)` or `100 ev/s`.
    pub fn describe_rate(&self) -> String {
        let rate = self.rate();
        let per_s = if rate.fract() == 0.0 {
            format!("{rate} ev/s")
        } else {
            format!("{rate:.1} ev/s")
        };
        match self.typed_rate {
            Some(_) => per_s,
            None => format!("{}x ({per_s})", self.speed),
        }
    }

    /// How many steps play mode is due to take at `now_ms` (several per
    /// clock tick at high rates; none when paused).
    pub fn steps_due(&mut self, now_ms: Millis) -> u64 {
        let interval = 1000.0 / self.rate();
        let elapsed = (now_ms - self.last_step_ms) as f64;
        if !self.playing || (elapsed < interval && !self.resumed) {
            return 0;
        }
        let steps = (elapsed / interval) as u64;
        // After a pause (or a stall of over a second) play resumes from
        // now rather than catching up.
        if self.resumed || elapsed > 1000.0 + interval {
            self.resumed = false;
            self.last_step_ms = now_ms;
            return 1;
        }
        self.last_step_ms += (steps as f64 * interval) as i64;
        steps
    }

    /// True when it is time to look at the store's head again.
    pub fn poll_due(&mut self, now_ms: Millis) -> bool {
        if now_ms - self.last_poll_ms < POLL_MS {
            return false;
        }
        self.last_poll_ms = now_ms;
        true
    }
}
