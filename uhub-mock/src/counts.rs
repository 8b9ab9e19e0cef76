//! Requests received per action: a counter for each action of the spec, and one shared by
//! every other `Action` (unknown, misspelt or missing), so no request can add a counter.

use std::sync::atomic::{AtomicU64, Ordering};

use uhub_sdk::ACTIONS;

/// The counters, in the order of [`ACTIONS`], the shared one last.
pub(crate) struct Counts {
    slots: Box<[AtomicU64]>,
}

impl Default for Counts {
    fn default() -> Self {
        Counts { slots: (0..=ACTIONS.len()).map(|_| AtomicU64::new(0)).collect() }
    }
}

impl Counts {
    pub fn add(&self, action: &str) {
        self.slots[slot(action)].fetch_add(1, Ordering::Relaxed);
    }

    /// Requests for `action`; for a name outside the spec, requests for any name outside it.
    pub fn get(&self, action: &str) -> u64 {
        self.slots[slot(action)].load(Ordering::Relaxed)
    }

    pub fn total(&self) -> u64 {
        self.slots.iter().map(|n| n.load(Ordering::Relaxed)).sum()
    }

    pub fn clear(&self) {
        self.slots.iter().for_each(|n| n.store(0, Ordering::Relaxed));
    }
}

fn slot(action: &str) -> usize {
    ACTIONS.iter().position(|known| *known == action).unwrap_or(ACTIONS.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_actions_count_apart_and_all_others_together() {
        let counts = Counts::default();
        for action in ["GetRepo", "GetRepo", "DeleteRepo", "Bogus", "", "getrepo"] {
            counts.add(action);
        }
        assert_eq!((counts.get("GetRepo"), counts.get("DeleteRepo"), counts.get("CreateRepo")), (2, 1, 0));
        assert_eq!(counts.get("Bogus"), 3, "Bogus, the missing Action and the misspelt getrepo");
        assert_eq!(counts.get("AnythingElse"), 3);
        assert_eq!(counts.total(), 6);
        assert_eq!(counts.slots.len(), ACTIONS.len() + 1, "one counter per spec action, one for the rest");
        counts.clear();
        assert_eq!(counts.total(), 0);
    }
}
