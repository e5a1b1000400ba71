//! The rotation under `double-duty = avoid`: whom each discipline's rotation picks in a run of
//! consecutive sprints when nobody should be on duty for two disciplines in one sprint, or in two
//! sprints running.
//!
//! Each discipline keeps a line. Its head is the plain rotation's pick ([`rotation_pick`] from
//! the line's anchor), and in front of it stand the members skipped earlier, owed a turn, first
//! skipped first. In each sprint the disciplines pick in display order, and a candidate who would
//! get double or back-to-back duty (`conflict::clash_of`: on duty for an earlier discipline in
//! the sprint, or for any discipline in the sprint before) is passed over for the next in line.
//! A member passed over is owed a turn, so they are first in line next time. When someone owed
//! a turn takes it, the plain rotation waits a sprint: its next pick is the one it would have
//! made now. When every member would get a conflict, the plain pick takes the turn anyway (duty
//! is filled, and the conflict shows in `schedule` and `doctor`).
//!
//! Recorded turns are replayed, not recomputed: the line moves as if the recorded person had been
//! picked now. A recorded turn the rule would not pick now (the roster changed since, or it was
//! recorded under another policy) moves the line the way the plain rotation does: its person
//! becomes the anchor. So where nobody has a conflict the picks are exactly the plain rotation's,
//! and the lines come out the same whenever they are re-derived from the same recorded turns.
//! [`avoiding_picks_noted`] also says, for each pick the line made rather than replayed, whom it
//! passed over and whether it was an owed turn taken ([`Skip`]s, recorded with the turn so that
//! fairness can count them from history). Pure, like the rest of `rotation`.

use std::collections::BTreeMap;

use super::{active_in_order, anchor_before, base_assignment, rotation_pick};
use crate::domain::conflict::{Around, clash_of};
use crate::domain::ids::{DisciplineKey, SlackUserId, SprintIndex};
use crate::domain::model::{Assignment, Discipline, Member, Skip, SkipKind, Source, Turn};
use crate::domain::roster_change::{RosterChange, apply_change};

/// Who the rotation puts on duty in each of `sprints` (consecutive live sprints, in index
/// order), per discipline in the order of `disciplines` (their display order), avoiding double
/// and back-to-back duty as the module docs say.
///
/// `turns` holds the recorded turns of `sprints` (replayed) and, per discipline, the latest
/// rotation turn before the first of them (the line's starting anchor; earlier turns are
/// ignored). A sprint with no recorded turn for a discipline gets the line's pick, or the
/// fallback person, or nobody.
pub fn avoiding_picks(
    disciplines: &[Discipline],
    members: &[Member],
    turns: &[Turn],
    sprints: &[SprintIndex],
) -> Vec<Vec<Assignment>> {
    avoiding_picks_with_changes(disciplines, members, turns, sprints, &[])
}

/// [`avoiding_picks`] with dated roster changes still to come: each of `changes` (sorted by
/// the sprint it takes effect at, then id) is applied to its discipline's members just before
/// that sprint is picked, as recording the sprints one by one will do.
pub fn avoiding_picks_with_changes(
    disciplines: &[Discipline],
    members: &[Member],
    turns: &[Turn],
    sprints: &[SprintIndex],
    changes: &[(SprintIndex, RosterChange)],
) -> Vec<Vec<Assignment>> {
    avoiding_picks_noted(disciplines, members, turns, sprints, changes).0
}

/// [`avoiding_picks_with_changes`], with the [`Skip`]s of the picks the lines made (not of the
/// recorded turns they replayed), by sprint, then discipline in display order, then each
/// passed-over member in the order the line passed them over. The picks are the same.
pub fn avoiding_picks_noted(
    disciplines: &[Discipline],
    members: &[Member],
    turns: &[Turn],
    sprints: &[SprintIndex],
    changes: &[(SprintIndex, RosterChange)],
) -> (Vec<Vec<Assignment>>, Vec<Skip>) {
    let Some(&first) = sprints.first() else {
        return (Vec::new(), Vec::new());
    };
    let recorded: BTreeMap<(SprintIndex, &DisciplineKey), &Turn> = turns
        .iter()
        .map(|turn| ((turn.sprint, &turn.discipline), turn))
        .collect();
    let mut lines: Vec<Line> = disciplines
        .iter()
        .map(|discipline| Line {
            discipline,
            members: members
                .iter()
                .filter(|m| m.discipline == discipline.key)
                .cloned()
                .collect(),
            anchor: anchor_before(turns, &discipline.key, first).cloned(),
            owed: Vec::new(),
        })
        .collect();
    let mut picks: Vec<Vec<Assignment>> = Vec::with_capacity(sprints.len());
    let mut skips: Vec<Skip> = Vec::new();
    let mut pending = changes.iter().peekable();
    for &sprint in sprints {
        while let Some((_, change)) = pending.next_if(|(at, _)| *at <= sprint) {
            let line = lines
                .iter_mut()
                .find(|l| l.discipline.key == change.discipline);
            if let Some(line) = line {
                apply_change(&mut line.members, change);
            }
        }
        let mut now: Vec<Assignment> = Vec::with_capacity(lines.len());
        for line in &mut lines {
            let discipline = line.discipline;
            let around = Around {
                before: picks.last().map_or(&[], Vec::as_slice),
                same: &now,
                after: &[],
            };
            let clashes =
                |person: &SlackUserId| clash_of(person, &discipline.key, around).is_some();
            let turn = recorded.get(&(sprint, &discipline.key)).copied();
            let assignment = line.take(sprint, turn, &clashes, &mut skips);
            now.push(assignment);
        }
        picks.push(now);
    }
    (picks, skips)
}

/// One discipline's line: where its plain rotation stands, and who is owed a turn.
struct Line<'a> {
    discipline: &'a Discipline,
    /// The discipline's members, active or not.
    members: Vec<Member>,
    /// The turn the plain rotation continues from (see `rotation_pick`).
    anchor: Option<Turn>,
    /// Members passed over, first passed over first.
    owed: Vec<SlackUserId>,
}

/// Whom the line would pick in a sprint, and what that does to it.
struct Choice {
    person: SlackUserId,
    /// Someone owed a turn takes it: the plain rotation waits a sprint, its next pick being
    /// this sprint's regular one, which follows `before_regular`.
    owed_turn: bool,
    before_regular: SlackUserId,
    /// Members of the rotation passed over to reach `person`; they are owed a turn.
    passed_over: Vec<SlackUserId>,
}

impl Line<'_> {
    /// The assignment of this line's discipline in `sprint`: the recorded `turn` if there is
    /// one, else the line's choice, whose skips go to `skips`; the line moves on accordingly.
    fn take(
        &mut self,
        sprint: SprintIndex,
        turn: Option<&Turn>,
        clashes: &dyn Fn(&SlackUserId) -> bool,
        skips: &mut Vec<Skip>,
    ) -> Assignment {
        let choice = self.choose(sprint, clashes);
        match (turn, choice) {
            (Some(turn), _) if turn.source != Source::Rotation || turn.slack_id.is_none() => {
                // A stand-in (the fallback person, or nobody) says nothing about whose turn it is.
                turn.assignment()
            }
            (Some(turn), Some(choice)) if turn.slack_id.as_ref() == Some(&choice.person) => {
                self.move_on(choice, sprint);
                turn.assignment()
            }
            (Some(turn), _) => {
                self.owed.retain(|p| Some(p) != turn.slack_id.as_ref());
                self.anchor = Some(turn.clone());
                turn.assignment()
            }
            (None, Some(choice)) => {
                let person = choice.person.clone();
                skips.extend(self.skips_of(&choice, sprint));
                self.move_on(choice, sprint);
                Assignment {
                    discipline: self.discipline.key.clone(),
                    slack_id: Some(person),
                    source: Source::Rotation,
                }
            }
            (None, None) => base_assignment(self.discipline, &self.members, None, sprint),
        }
    }

    /// The first in line who would get no conflict: someone owed a turn, else the plain pick or
    /// the next after it in rotation order; if everyone would, the plain pick. `None` when the
    /// discipline has no active members.
    fn choose(
        &self,
        sprint: SprintIndex,
        clashes: &dyn Fn(&SlackUserId) -> bool,
    ) -> Option<Choice> {
        let key = &self.discipline.key;
        let active = active_in_order(key, &self.members);
        let regular = rotation_pick(key, &self.members, self.anchor.as_ref(), sprint)?;
        let at = active.iter().position(|m| m.slack_id == regular.slack_id)?;
        let count = active.len();
        let before_regular = active[(at + count - 1) % count].slack_id.clone();
        let owed: Vec<&SlackUserId> = self
            .owed
            .iter()
            .filter(|p| **p != regular.slack_id && active.iter().any(|m| &m.slack_id == *p))
            .collect();
        if let Some(person) = owed.iter().find(|p| !clashes(p)) {
            return Some(Choice {
                person: (*person).clone(),
                owed_turn: true,
                before_regular,
                passed_over: Vec::new(),
            });
        }
        let cycle: Vec<&SlackUserId> = (0..count)
            .map(|step| &active[(at + step) % count].slack_id)
            .filter(|p| !owed.contains(p))
            .collect();
        let (person, passed_over) = match cycle.iter().position(|p| !clashes(p)) {
            Some(free) => (cycle[free], &cycle[..free]),
            None => (&regular.slack_id, &cycle[..0]),
        };
        Some(Choice {
            person: person.clone(),
            owed_turn: false,
            before_regular,
            passed_over: passed_over.iter().map(|p| (*p).clone()).collect(),
        })
    }

    /// What reaching `choice` in `sprint` did: the members passed over, or the owed turn taken.
    fn skips_of(&self, choice: &Choice, sprint: SprintIndex) -> Vec<Skip> {
        let skip = |person: &SlackUserId, kind| Skip {
            sprint,
            discipline: self.discipline.key.clone(),
            slack_id: person.clone(),
            kind,
        };
        if choice.owed_turn {
            return vec![skip(&choice.person, SkipKind::OwedTurn)];
        }
        let passed = choice.passed_over.iter();
        passed.map(|p| skip(p, SkipKind::PassedOver)).collect()
    }

    /// Moves the line past `choice`, taken in `sprint`.
    fn move_on(&mut self, choice: Choice, sprint: SprintIndex) {
        let active = active_in_order(&self.discipline.key, &self.members);
        self.owed
            .retain(|p| *p != choice.person && active.iter().any(|m| &m.slack_id == p));
        let anchor_person = if choice.owed_turn {
            choice.before_regular
        } else {
            for person in choice.passed_over {
                if !self.owed.contains(&person) {
                    self.owed.push(person);
                }
            }
            choice.person
        };
        self.anchor = Some(Turn {
            sprint,
            discipline: self.discipline.key.clone(),
            slack_id: Some(anchor_person),
            source: Source::Rotation,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plan_turns;

    /// One discipline a line, `key: U1 U2 U3`, members in rotation order; `U2-` is inactive.
    fn team(spec: &str) -> (Vec<Discipline>, Vec<Member>) {
        let mut disciplines = Vec::new();
        let mut members = Vec::new();
        for (position, line) in spec
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            let (key, people) = line.split_once(':').unwrap();
            let key = DisciplineKey::parse(key.trim()).unwrap();
            for (place, person) in people.split_whitespace().enumerate() {
                members.push(Member {
                    slack_id: SlackUserId::parse(person.trim_end_matches('-')).unwrap(),
                    discipline: key.clone(),
                    name: person.to_lowercase(),
                    rotation_order: 10 * (place as i64 + 1),
                    active: !person.ends_with('-'),
                });
            }
            disciplines.push(Discipline {
                key,
                name: line.to_string(),
                position: position as i64,
                fallback: None,
                usergroup_id: None,
            });
        }
        (disciplines, members)
    }

    fn index(value: i64) -> SprintIndex {
        SprintIndex::new(value).unwrap()
    }

    /// Each sprint's picks as `U1 U4`, disciplines in order, `-` for nobody.
    fn show(picks: &[Vec<Assignment>]) -> Vec<String> {
        picks
            .iter()
            .map(|sprint| {
                let who = sprint
                    .iter()
                    .map(|a| a.slack_id.as_ref().map_or("-", |p| p.as_str()));
                who.collect::<Vec<_>>().join(" ")
            })
            .collect()
    }

    /// Picks for sprints `0..count` from the recorded `turns`.
    fn picks(spec: &str, turns: &[Turn], count: i64) -> Vec<String> {
        let (disciplines, members) = team(spec);
        let sprints: Vec<SprintIndex> = (0..count).map(index).collect();
        show(&avoiding_picks(&disciplines, &members, turns, &sprints))
    }

    /// The plain rotation's picks for sprints `0..count`, each discipline on its own.
    fn plain(spec: &str, count: i64) -> Vec<String> {
        let (disciplines, members) = team(spec);
        let sprints: Vec<SprintIndex> = (0..count).map(index).collect();
        let per_discipline: Vec<Vec<Turn>> = disciplines
            .iter()
            .map(|d| plan_turns(d, &members, &[], &sprints))
            .collect();
        let by_sprint: Vec<Vec<Assignment>> = (0..sprints.len())
            .map(|s| per_discipline.iter().map(|t| t[s].assignment()).collect())
            .collect();
        show(&by_sprint)
    }

    #[track_caller]
    fn check(spec: &str, count: i64, expected_plain: &[&str], expected: &[&str]) {
        assert_eq!(plain(spec, count), expected_plain, "plain rotation");
        assert_eq!(picks(spec, &[], count), expected, "avoiding");
    }

    #[test]
    fn a_dated_join_counts_from_its_sprint_and_is_still_kept_apart_from_double_duty() {
        let (disciplines, members) = team(
            "be: U4 U5
             ui: U1 U2",
        );
        let sprints: Vec<SprintIndex> = (0..5).map(index).collect();
        let join = |who: &str, discipline: &str| RosterChange {
            id: 1,
            person: SlackUserId::parse(who).unwrap(),
            discipline: DisciplineKey::parse(discipline).unwrap(),
            kind: crate::domain::roster_change::ChangeKind::Join,
            on: jiff::civil::date(2026, 1, 1),
            name: None,
            created_by: "cli".into(),
        };
        // U3 joins UI at Sprint 2, last in order: after U2 comes U3, then U1 again.
        let changes = [(index(2), join("U3", "ui"))];
        let found = avoiding_picks_with_changes(&disciplines, &members, &[], &sprints, &changes);
        assert_eq!(show(&found), ["U4 U1", "U5 U2", "U4 U3", "U5 U1", "U4 U2"]);
        // U4 joins UI at Sprint 1 as well: never on UI while on Backend, nor right after it.
        let changes = [(index(1), join("U4", "ui"))];
        let found = avoiding_picks_with_changes(&disciplines, &members, &[], &sprints, &changes);
        assert_eq!(show(&found), ["U4 U1", "U5 U2", "U4 U1", "U5 U2", "U4 U1"]);
    }

    #[test]
    fn double_duty_is_avoided_and_the_skipped_person_is_first_next_time() {
        // Plain: U1 holds po and ui in sprints 0, 3 and 6, and back-to-back duty follows.
        check(
            "po: U1 U2 U3
             ui: U1 U4 U5",
            8,
            &[
                "U1 U1", "U2 U4", "U3 U5", "U1 U1", "U2 U4", "U3 U5", "U1 U1", "U2 U4",
            ],
            &[
                // ui passes U1 over (on po); U1 is owed, but on po the sprint before, so U5.
                "U1 U4", "U2 U5", // U1's own turn in ui.
                "U3 U1",
                // po passes U1 over (on ui the sprint before): U2 now, U1 first next time,
                // then po's rotation carries on with U3.
                "U2 U4", "U1 U5", "U3 U4", "U1 U5", "U2 U4",
            ],
        );
    }

    #[test]
    fn nobody_free_means_the_plain_pick_takes_the_turn() {
        // U1 alone in both: duty is filled, with double duty every sprint.
        check(
            "po: U1\nui: U1",
            2,
            &["U1 U1", "U1 U1"],
            &["U1 U1", "U1 U1"],
        );
        // In sprint 1, U2 (po's pick the sprint before) and U1 (ui's) would both get
        // back-to-back duty in ui; in sprint 2, both po members would in po.
        check(
            "po: U2 U3\nui: U1 U2",
            3,
            &["U2 U1", "U3 U2", "U2 U1"],
            &["U2 U1", "U3 U2", "U2 U1"],
        );
    }

    #[test]
    fn without_conflicts_the_picks_are_the_plain_rotation() {
        let spec = "po: U1 U2 U3\nui: U4 U5-\nbe: U6 U7 U8 U9";
        assert_eq!(picks(spec, &[], 9), plain(spec, 9));
    }

    #[test]
    fn someone_owed_a_turn_waits_while_they_would_get_a_conflict() {
        // po has two members, so U1 is on po every other sprint: ui never picks them, and its
        // other members take turns between themselves.
        check(
            "po: U1 U2\nui: U1 U3 U4",
            6,
            &["U1 U1", "U2 U3", "U1 U4", "U2 U1", "U1 U3", "U2 U4"],
            &["U1 U3", "U2 U4", "U1 U3", "U2 U4", "U1 U3", "U2 U4"],
        );
    }

    fn turn(sprint: i64, discipline: &str, who: &str) -> Turn {
        Turn {
            sprint: index(sprint),
            discipline: DisciplineKey::parse(discipline).unwrap(),
            slack_id: Some(SlackUserId::parse(who).unwrap()),
            source: Source::Rotation,
        }
    }

    #[test]
    fn recorded_turns_are_replayed_so_re_deriving_changes_nothing() {
        let spec = "po: U1 U2 U3\nui: U1 U4 U5";
        let (disciplines, members) = team(spec);
        let all: Vec<SprintIndex> = (0..8).map(index).collect();
        let whole = avoiding_picks(&disciplines, &members, &[], &all);
        // Record sprints 0 to 3 as they were picked, then derive the rest from the records.
        let recorded: Vec<Turn> = whole[..4]
            .iter()
            .zip(0..)
            .flat_map(|(sprint, s)| {
                sprint.iter().map(move |a| Turn {
                    sprint: index(s),
                    discipline: a.discipline.clone(),
                    slack_id: a.slack_id.clone(),
                    source: a.source,
                })
            })
            .collect();
        assert_eq!(picks(spec, &recorded, 8), show(&whole));
    }

    #[test]
    fn a_recorded_turn_the_rule_would_not_pick_anchors_the_line_like_the_plain_rotation() {
        // Recorded under `allow`: U1 on both in sprint 0. The line carries on from U1 in ui
        // (as the plain rotation would), owing nobody.
        let turns = [turn(0, "po", "U1"), turn(0, "ui", "U1")];
        assert_eq!(
            picks("po: U1 U2 U3\nui: U1 U4 U5", &turns, 3),
            ["U1 U1", "U2 U4", "U3 U5"]
        );
        // An anchor before the run is where the line starts.
        let anchor = [turn(4, "ui", "U5")];
        let (disciplines, members) = team("po: U2 U3\nui: U1 U4 U5");
        let found = avoiding_picks(&disciplines, &members, &anchor, &[index(5), index(6)]);
        assert_eq!(show(&found), ["U3 U1", "U2 U4"]);
    }

    /// The skips of the picks for sprints `0..count` from the recorded `turns`, as
    /// `<sprint> <discipline> <person> <kind>`.
    fn skips(spec: &str, turns: &[Turn], count: i64) -> Vec<String> {
        let (disciplines, members) = team(spec);
        let sprints: Vec<SprintIndex> = (0..count).map(index).collect();
        let (_, skips) = avoiding_picks_noted(&disciplines, &members, turns, &sprints, &[]);
        let show = |s: &Skip| {
            let kind = s.kind.as_str();
            format!("{} {} {} {kind}", s.sprint, s.discipline, s.slack_id)
        };
        skips.iter().map(show).collect()
    }

    #[test]
    fn the_line_says_whom_it_passed_over_and_when_an_owed_turn_is_taken() {
        // The picks of `double_duty_is_avoided_and_the_skipped_person_is_first_next_time`:
        // "U1 U4", "U2 U5", "U3 U1", "U2 U4", "U1 U5", "U3 U4", "U1 U5", "U2 U4".
        let spec = "po: U1 U2 U3\nui: U1 U4 U5";
        assert_eq!(
            skips(spec, &[], 8),
            [
                // On po in the same sprint; in sprint 2 U1's own ui turn comes round, which
                // is no owed turn but makes up for it all the same.
                "0 ui U1 passed_over",
                "3 po U1 passed_over", // on ui the sprint before
                "4 po U1 owed_turn",
                "5 ui U1 passed_over", // on po the sprint before
                "7 ui U1 passed_over", // again: still owed one turn
            ]
        );
        // Without conflicts, and when nobody is free, nobody is passed over.
        assert_eq!(skips("po: U1 U2 U3\nui: U4 U5", &[], 6), [""; 0]);
        assert_eq!(skips("po: U1\nui: U1", &[], 2), [""; 0]);
    }

    #[test]
    fn replayed_turns_say_nothing_and_the_picks_are_the_same() {
        let spec = "po: U1 U2 U3\nui: U1 U4 U5";
        let (disciplines, members) = team(spec);
        let all: Vec<SprintIndex> = (0..8).map(index).collect();
        let (whole, _) = avoiding_picks_noted(&disciplines, &members, &[], &all, &[]);
        assert_eq!(whole, avoiding_picks(&disciplines, &members, &[], &all));
        let recorded: Vec<Turn> = (0..4)
            .flat_map(|s: usize| {
                whole[s].iter().map(move |a| Turn {
                    sprint: index(s as i64),
                    discipline: a.discipline.clone(),
                    slack_id: a.slack_id.clone(),
                    source: a.source,
                })
            })
            .collect();
        assert_eq!(
            skips(spec, &recorded, 8),
            [
                "4 po U1 owed_turn",
                "5 ui U1 passed_over",
                "7 ui U1 passed_over"
            ]
        );
    }

    #[test]
    fn a_discipline_without_active_members_gets_its_fallback_and_its_line_waits() {
        let (mut disciplines, members) = team("po: U1-\nui: U1 U2");
        disciplines[0].fallback = Some(SlackUserId::parse("U9").unwrap());
        let found = avoiding_picks(&disciplines, &members, &[], &[index(0), index(1)]);
        assert_eq!(show(&found), ["U9 U1", "U9 U2"]);
        assert_eq!(found[0][0].source, Source::Fallback);
    }
}
