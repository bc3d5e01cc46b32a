//! The event-type picker's state: every type of the open scope with its
//! count (counted in the background), the ones ticked and the selection.

use std::collections::BTreeSet;

use crate::core::store::TypeCount;

pub struct TypePicker {
    /// The type count it waits for, by job id.
    pub job: Option<u64>,
    pub types: Vec<TypeCount>,
    pub chosen: BTreeSet<String>,
    pub selected: usize,
    pub error: Option<String>,
}

impl TypePicker {
    /// Ticks or unticks the selected type.
    pub fn toggle(&mut self) {
        if let Some(t) = self.types.get(self.selected) {
            if !self.chosen.remove(&t.event_type) {
                self.chosen.insert(t.event_type.clone());
            }
        }
    }

    /// The answer of job `id`, when it is the one awaited.
    pub fn receive(&mut self, id: u64, result: Result<Vec<TypeCount>, String>) {
        if self.job != Some(id) {
            return;
        }
        self.job = None;
        match result {
            Ok(types) => self.types = types,
            Err(error) => self.error = Some(error),
        }
    }
}
