//! The jump list: where the cursor stood before each jump (a go-to, the
//! first or last event, a search hit, an event opened from a report), so
//! `jump_back` and `jump_forward` walk them, across streams, as a
//! browser's back and forward do.

use crate::core::store::Scope;

/// Places remembered at most; the oldest go first.
const MAX_JUMPS: usize = 100;

/// A place the cursor stood: the scope, its first version (to open it
/// again) and the row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spot {
    pub scope: Scope,
    pub first_version: i64,
    pub row: u64,
}

#[derive(Debug, Default)]
pub struct JumpList {
    back: Vec<Spot>,
    forward: Vec<Spot>,
}

impl JumpList {
    /// A jump leaves `from`: it is where `jump_back` returns. A new jump
    /// forgets the places ahead.
    pub fn leave(&mut self, from: Spot) {
        if self.back.last() == Some(&from) {
            return;
        }
        self.back.push(from);
        if self.back.len() > MAX_JUMPS {
            self.back.remove(0);
        }
        self.forward.clear();
    }

    /// The place to go back to from `here`, which becomes the way forward.
    pub fn back(&mut self, here: Spot) -> Option<Spot> {
        let to = self.back.pop()?;
        self.forward.push(here);
        Some(to)
    }

    /// The place to go forward to from `here`, which becomes the way back.
    pub fn forward(&mut self, here: Spot) -> Option<Spot> {
        let to = self.forward.pop()?;
        self.back.push(here);
        Some(to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(row: u64) -> Spot {
        Spot {
            scope: Scope::All,
            first_version: 0,
            row,
        }
    }

    #[test]
    fn back_and_forward_retrace_the_jumps() {
        let mut jumps = JumpList::default();
        jumps.leave(at(1));
        jumps.leave(at(5));
        assert_eq!(jumps.back(at(9)), Some(at(5)));
        assert_eq!(jumps.back(at(5)), Some(at(1)));
        assert_eq!(jumps.back(at(1)), None);
        assert_eq!(jumps.forward(at(1)), Some(at(5)));
        assert_eq!(jumps.forward(at(5)), Some(at(9)));
        // A new jump forgets the way forward.
        jumps.back(at(9));
        jumps.leave(at(5));
        assert_eq!(jumps.forward(at(7)), None);
    }
}
