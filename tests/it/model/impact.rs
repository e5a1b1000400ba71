//! The change-impact window as the model keeps it (the rules, not the code): a roster or plan
//! change that moves someone's duty in the eight sprints after the one in force opens a window
//! (unless one is open) holding who had which of those slots just before; a decision made while
//! it is open (or a swap an absence made) marks the slot as told for the two people whose duty
//! it moved; when it has lasted
//! ten minutes, a round closes it and tells each person whose slots in the same sprints differ
//! (leaving out slots they were told about, and the slots of sprints that started meanwhile for
//! whoever holds them now: the handoff told them).

use super::*;

/// The configured window (the default).
const WINDOW: SignedDuration = SignedDuration::from_mins(10);
/// Sprints after the one in force that a window compares.
const HORIZON: usize = 8;

/// Each person's (sprint, discipline) slots.
pub type Duties = BTreeMap<usize, BTreeSet<(usize, usize)>>;

#[derive(Debug, Clone)]
pub struct Window {
    pub opened_at: Timestamp,
    /// Who held which slot of the sprints after `opened_at` when it opened.
    pub baseline: Duties,
    /// (person, sprint, discipline) a decision told the person about.
    pub told: BTreeSet<(usize, usize, usize)>,
}

impl Model {
    /// Who holds which slot in the [`HORIZON`] sprints that start after `from`, as it is now.
    pub fn upcoming(&self, from: Timestamp) -> Duties {
        let mut duties = Duties::new();
        let sprints = (0..self.sprints.len()).filter(|s| self.start(*s) > from);
        for sprint in sprints.take(HORIZON) {
            for discipline in 0..2 {
                if let Some(person) = self.holder(sprint, discipline) {
                    duties
                        .entry(person)
                        .or_default()
                        .insert((sprint, discipline));
                }
            }
        }
        duties
    }

    /// After a step: a change to the roster or the plan that moved someone opens the window;
    /// a decision that moved a slot's holder while it is open marks the slot told for both.
    pub fn note_impact(&mut self, action: &Action, expected: &Expected, before: &Model) {
        let change = matches!(
            action,
            Action::AddMember { .. }
                | Action::RemoveMember { .. }
                | Action::MoveMember { .. }
                | Action::AddSprint(_)
                | Action::ChangeOn { .. }
                | Action::CancelChange { .. }
        );
        if change && expected.ok && self.window.is_none() {
            let baseline = before.upcoming(before.now);
            if baseline != self.upcoming(self.now) {
                self.window = Some(Window {
                    opened_at: self.now,
                    baseline,
                    told: BTreeSet::new(),
                });
            }
        }
        // A decision on a swap moves both halves' slots; an absence's swaps, theirs.
        let halves: Vec<usize> = match expected.decided {
            Some(i) => std::iter::once(i).chain(self.requests[i].partner).collect(),
            None if expected.swaps > 0 => (before.requests.len()..self.requests.len()).collect(),
            None => Vec::new(),
        };
        for half in halves {
            let (sprint, discipline) = (self.requests[half].sprint, self.requests[half].discipline);
            let (was, is) = (
                before.holder(sprint, discipline),
                self.holder(sprint, discipline),
            );
            if let Some(window) = self.window.as_mut().filter(|_| was != is) {
                for person in was.into_iter().chain(is) {
                    window.told.insert((person, sprint, discipline));
                }
            }
        }
    }

    /// A round of the scheduler: closes the window once it has lasted [`WINDOW`], expecting one
    /// notice per person it moved.
    pub fn impact_round(&mut self) -> Expected {
        let mut expected = Expected::done();
        let Some(window) = self.window.clone() else {
            return expected;
        };
        if self.now < window.opened_at + WINDOW {
            return expected;
        }
        let after = self.upcoming(window.opened_at);
        let mut told = window.told.clone();
        for (person, slots) in &after {
            for (sprint, discipline) in slots {
                if self.started(*sprint) {
                    told.insert((*person, *sprint, *discipline));
                }
            }
        }
        let untold = |duties: &Duties, person: usize| -> BTreeSet<(usize, usize)> {
            duties
                .get(&person)
                .into_iter()
                .flatten()
                .filter(|(s, d)| !told.contains(&(person, *s, *d)))
                .copied()
                .collect()
        };
        let people: BTreeSet<usize> = window
            .baseline
            .keys()
            .chain(after.keys())
            .copied()
            .collect();
        let moved = people
            .into_iter()
            .filter(|p| untold(&window.baseline, *p) != untold(&after, *p))
            .collect();
        self.window = None;
        expected.notified = Some(moved);
        expected
    }
}
