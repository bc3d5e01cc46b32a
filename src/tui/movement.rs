//! One way to move through a list or a pane's lines: a [`Move`], as the
//! keys ask for it, and one function that keeps a position within a
//! length. The stream list, the timeline, the Event and Projection panes,
//! the type picker and the report overlay all move with it.

use super::action::Command;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Up,
    Down,
    PageUp,
    PageDown,
    First,
    Last,
}

impl Move {
    /// The move a command asks for, if it is one.
    pub fn of(command: Command) -> Option<Move> {
        Some(match command {
            Command::Up => Move::Up,
            Command::Down => Move::Down,
            Command::PageUp => Move::PageUp,
            Command::PageDown => Move::PageDown,
            Command::First => Move::First,
            Command::Last => Move::Last,
            _ => return None,
        })
    }

    /// How far the move goes with pages of `page` items; First and Last go
    /// as far as any list is long, and [`offset`] stops them at its ends.
    pub fn delta(self, page: usize) -> i64 {
        let page = page.max(1) as i64;
        match self {
            Move::Up => -1,
            Move::Down => 1,
            Move::PageUp => -page,
            Move::PageDown => page,
            Move::First => i64::MIN / 2,
            Move::Last => i64::MAX / 2,
        }
    }

    /// Where `position` lands in a list of `len` items.
    pub fn apply(self, position: usize, len: usize, page: usize) -> usize {
        offset(position, self.delta(page), len)
    }
}

/// `position` moved by `delta`, kept within a list of `len` items (0 when
/// the list is empty).
pub fn offset(position: usize, delta: i64, len: usize) -> usize {
    (position as i64)
        .saturating_add(delta)
        .clamp(0, len.saturating_sub(1) as i64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_stop_at_the_ends() {
        assert_eq!(Move::Down.apply(3, 10, 4), 4);
        assert_eq!(Move::PageDown.apply(8, 10, 4), 9);
        assert_eq!(Move::PageUp.apply(2, 10, 4), 0);
        assert_eq!(Move::Last.apply(0, 10, 4), 9);
        assert_eq!(Move::First.apply(7, 10, 4), 0);
        assert_eq!(Move::Down.apply(0, 0, 4), 0);
        assert_eq!(Move::of(Command::Quit), None);
    }
}
