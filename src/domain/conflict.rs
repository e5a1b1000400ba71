//! Double and back-to-back duty, defined once: one person on duty for two disciplines in the same
//! sprint (double), or on duty in two consecutive sprints, whatever the disciplines
//! (back-to-back); and the team's policy about them (`double-duty = avoid | warn | allow`).
//!
//! Pure: the caller passes the assignments of a sprint and of the sprints just before and after
//! it. The rotation (`rotation::line`) asks it whom to skip, coverage asks it whether a cover
//! needs an admin or a confirmation, `schedule` and `doctor` ask it what to flag.

use std::fmt;
use std::str::FromStr;

use super::ids::{DisciplineKey, SlackUserId};
use super::model::Assignment;

/// What the rotation does about double and back-to-back duty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DoubleDuty {
    /// The rotation skips a person who would get double or back-to-back duty when someone else
    /// can take the turn; the skipped person is first in line next time (the default).
    #[default]
    Avoid,
    /// The rotation picks as if there were no such rule; conflicts are flagged.
    Warn,
    /// The rotation picks as if there were no such rule, and conflicts are noted as allowed.
    Allow,
}

impl DoubleDuty {
    pub const ALL: [DoubleDuty; 3] = [DoubleDuty::Avoid, DoubleDuty::Warn, DoubleDuty::Allow];

    /// Whether conflicts are flagged (in `schedule`, `doctor` and on approvals): with `avoid`
    /// and `warn`; `allow` flags nothing.
    pub fn flags(self) -> bool {
        self != DoubleDuty::Allow
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DoubleDuty::Avoid => "avoid",
            DoubleDuty::Warn => "warn",
            DoubleDuty::Allow => "allow",
        }
    }
}

impl fmt::Display for DoubleDuty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Text that names no double-duty policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected avoid, warn or allow")]
pub struct UnknownDoubleDuty;

impl FromStr for DoubleDuty {
    type Err = UnknownDoubleDuty;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        DoubleDuty::ALL
            .into_iter()
            .find(|policy| policy.as_str() == wanted)
            .ok_or(UnknownDoubleDuty)
    }
}

/// A conflict one slot has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Conflict {
    /// The same person is on duty for another discipline in the same sprint.
    Double,
    /// The same person is on duty (any discipline) in the sprint before or after.
    BackToBack,
}

impl Conflict {
    /// `double` or `back-to-back`, as JSON and the command line write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Conflict::Double => "double",
            Conflict::BackToBack => "back-to-back",
        }
    }

    /// `double duty` or `back-to-back duty`.
    pub fn describe(self) -> &'static str {
        match self {
            Conflict::Double => "double duty",
            Conflict::BackToBack => "back-to-back duty",
        }
    }
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which sprint a clashing slot is in, relative to the slot in question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Neighbour {
    Before,
    Same,
    After,
}

/// The slot a conflict is with: its discipline, in the sprint before, the same one or after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clash {
    pub conflict: Conflict,
    pub discipline: DisciplineKey,
    pub sprint: Neighbour,
}

/// A sprint's assignments with those of the sprints just before and after it (empty when there
/// is none, or when they do not count).
#[derive(Debug, Clone, Copy, Default)]
pub struct Around<'a> {
    pub before: &'a [Assignment],
    pub same: &'a [Assignment],
    pub after: &'a [Assignment],
}

/// The conflict `person` has, or would have, on duty for `discipline` in the sprint `around` is
/// centred on, with the slot it clashes with: double duty first (another discipline in `same`),
/// then back-to-back duty (any discipline in `before`, then in `after`). `None` without one.
pub fn clash_of(
    person: &SlackUserId,
    discipline: &DisciplineKey,
    around: Around<'_>,
) -> Option<Clash> {
    let holds = |a: &&Assignment| a.slack_id.as_ref() == Some(person);
    let found = |conflict, sprint| {
        move |a: &Assignment| Clash {
            conflict,
            discipline: a.discipline.clone(),
            sprint,
        }
    };
    let same = around.same.iter().filter(|a| &a.discipline != discipline);
    same.clone()
        .find(holds)
        .map(found(Conflict::Double, Neighbour::Same))
        .or_else(|| {
            around
                .before
                .iter()
                .find(holds)
                .map(found(Conflict::BackToBack, Neighbour::Before))
        })
        .or_else(|| {
            around
                .after
                .iter()
                .find(holds)
                .map(found(Conflict::BackToBack, Neighbour::After))
        })
}

/// The conflict of every assignment of every sprint in `run`, consecutive sprints in order (a
/// sprint's neighbours are the ones next to it in `run`). Nobody on duty has no conflict.
pub fn conflicts(run: &[Vec<Assignment>]) -> Vec<Vec<Option<Conflict>>> {
    let empty: &[Assignment] = &[];
    (0..run.len())
        .map(|at| {
            let around = Around {
                before: at.checked_sub(1).map_or(empty, |b| &run[b]),
                same: &run[at],
                after: run.get(at + 1).map_or(empty, Vec::as_slice),
            };
            run[at]
                .iter()
                .map(|a| {
                    let person = a.slack_id.as_ref()?;
                    clash_of(person, &a.discipline, around).map(|clash| clash.conflict)
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Source;

    fn sprint(slots: &[(&str, Option<&str>)]) -> Vec<Assignment> {
        slots
            .iter()
            .map(|&(discipline, who)| Assignment {
                discipline: DisciplineKey::parse(discipline).unwrap(),
                slack_id: who.map(|w| SlackUserId::parse(w).unwrap()),
                source: Source::Rotation,
            })
            .collect()
    }

    /// Each sprint's conflicts written as `-`, `double` or `back-to-back`, one line per sprint.
    #[track_caller]
    fn check(run: &[&[(&str, Option<&str>)]], expected: &[&[&str]]) {
        let run: Vec<Vec<Assignment>> = run.iter().map(|s| sprint(s)).collect();
        let found: Vec<Vec<&str>> = conflicts(&run)
            .iter()
            .map(|s| s.iter().map(|c| c.map_or("-", Conflict::as_str)).collect())
            .collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn double_duty_is_two_disciplines_in_one_sprint() {
        check(
            &[&[("ui", Some("U1")), ("po", Some("U1")), ("be", Some("U2"))]],
            &[&["double", "double", "-"]],
        );
    }

    #[test]
    fn back_to_back_is_any_discipline_in_the_next_or_previous_sprint() {
        check(
            &[
                &[("ui", Some("U1")), ("po", Some("U2"))],
                &[("ui", Some("U3")), ("po", Some("U1"))],
                &[("ui", Some("U1")), ("po", Some("U4"))],
            ],
            &[
                &["back-to-back", "-"],
                &["-", "back-to-back"],
                &["back-to-back", "-"],
            ],
        );
        // The same discipline twice running counts too.
        check(
            &[&[("ui", Some("U1"))], &[("ui", Some("U1"))]],
            &[&["back-to-back"], &["back-to-back"]],
        );
    }

    #[test]
    fn double_comes_before_back_to_back_and_nobody_has_no_conflict() {
        check(
            &[
                &[("ui", Some("U1")), ("po", None)],
                &[("ui", Some("U1")), ("po", Some("U1"))],
                &[("ui", None), ("po", None)],
            ],
            &[&["back-to-back", "-"], &["double", "double"], &["-", "-"]],
        );
    }

    #[test]
    fn a_clash_names_the_other_slot() {
        let before = sprint(&[("ui", Some("U1")), ("po", Some("U2"))]);
        let same = sprint(&[("ui", Some("U3")), ("po", Some("U2"))]);
        let around = Around {
            before: &before,
            same: &same,
            after: &[],
        };
        let clash = |who: &str, discipline: &str| {
            clash_of(
                &SlackUserId::parse(who).unwrap(),
                &DisciplineKey::parse(discipline).unwrap(),
                around,
            )
        };
        assert_eq!(
            clash("U2", "ui"),
            Some(Clash {
                conflict: Conflict::Double,
                discipline: DisciplineKey::parse("po").unwrap(),
                sprint: Neighbour::Same,
            })
        );
        assert_eq!(
            clash("U1", "po").map(|c| (c.conflict, c.sprint)),
            Some((Conflict::BackToBack, Neighbour::Before))
        );
        // Holding the slot itself is no conflict.
        assert_eq!(clash("U3", "ui"), None);
    }

    #[test]
    fn policies_read_back() {
        for policy in DoubleDuty::ALL {
            assert_eq!(policy.as_str().parse::<DoubleDuty>(), Ok(policy));
        }
        assert_eq!(" Warn ".parse::<DoubleDuty>(), Ok(DoubleDuty::Warn));
        assert_eq!(DoubleDuty::default(), DoubleDuty::Avoid);
        assert_eq!(
            "never".parse::<DoubleDuty>().unwrap_err().to_string(),
            "expected avoid, warn or allow"
        );
    }
}
