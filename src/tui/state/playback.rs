//! Play mode and follow mode: stepping through the timeline on the clock,
//! and watching the store's head for appended events.

use crate::core::time::Millis;

/// How often follow mode and the status look for new events.
pub const POLL_MS: i64 = 500;
/// Play mode's step at 1x.
pub const PLAY_STEP_MS: i64 = 400;

#[derive(Debug, Clone)]
pub struct Playback {
    pub playing: bool,
    /// 1x, 2x or 4x.
    pub speed: u32,
    pub last_step_ms: Millis,
    pub follow: bool,
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
            last_step_ms: 0,
            follow: false,
            head,
            last_poll_ms: 0,
            head_pending: None,
        }
    }

    pub fn faster(&mut self) {
        self.speed = (self.speed * 2).min(4);
    }

    pub fn slower(&mut self) {
        self.speed = (self.speed / 2).max(1);
    }

    /// True when play mode is due to take its next step at `now_ms`.
    pub fn step_due(&mut self, now_ms: Millis) -> bool {
        if !self.playing || now_ms - self.last_step_ms < PLAY_STEP_MS / self.speed.max(1) as i64 {
            return false;
        }
        self.last_step_ms = now_ms;
        true
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
