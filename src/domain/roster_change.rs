//! Dated roster changes: a person joins or leaves a discipline's rotation at the first handoff
//! on or after a date, and until then the schedule already shows the sprints after that handoff
//! as they will be.
//!
//! A pending change applies when its sprint (the first live sprint starting on or after its date)
//! is recorded, before that sprint's turn; the projection of later sprints plans each sprint in
//! turn with the roster as it will be then ([`projected_assignment`]), exactly as recording them
//! one by one will. Plain functions: `today` and `now` are parameters.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::Date;

use super::ids::{DisciplineKey, SlackUserId, SprintIndex};
use super::model::{Assignment, Discipline, Member, Sprint, Team, Turn};
use super::rotation::plan_turns;
use super::sprint::sprint_starts_at;

/// Joining or leaving.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    /// Into the rotation: added at its end, or back in an inactive member's old place.
    Join,
    /// Out of the rotation (listed still, history kept).
    Leave,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Join => "join",
            ChangeKind::Leave => "leave",
        }
    }
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A pending change to a discipline's rotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterChange {
    pub id: i64,
    pub person: SlackUserId,
    pub discipline: DisciplineKey,
    pub kind: ChangeKind,
    /// The change takes effect at the first handoff on or after this day.
    pub on: Date,
    /// The joiner's display name, when given.
    pub name: Option<String>,
    pub created_by: String,
}

/// The sprint whose handoff a change dated `on` takes effect at: the first of `sprints` (live,
/// in index order) that starts on or after `on`. `None` while no such sprint is planned.
pub fn effective_sprint(on: Date, sprints: &[Sprint]) -> Option<&Sprint> {
    sprints.iter().find(|sprint| sprint.start >= on)
}

/// Why a dated change cannot be scheduled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RosterChangeError {
    /// The date is before today.
    #[error("{on} is in the past; a dated change takes effect at a handoff to come")]
    Past { on: Date },
    /// The first handoff on or after the date has already happened (the date is today).
    #[error(
        "the handoff of {sprint} on {on} has already happened; choose a later date, or make the change now"
    )]
    HandoffPassed { on: Date, sprint: String },
    /// A join for someone already in the rotation.
    #[error("{person} is already an active member of {discipline}")]
    AlreadyActive {
        person: SlackUserId,
        discipline: DisciplineKey,
    },
    /// A leave for someone not in the rotation.
    #[error("{person} is not an active member of {discipline}")]
    NotActive {
        person: SlackUserId,
        discipline: DisciplineKey,
    },
    /// Another change for the same person and discipline is pending.
    #[error(
        "a {kind} of {person} in {discipline} on {on} is already scheduled (change #{id}); cancel it first"
    )]
    AlreadyScheduled {
        id: i64,
        kind: ChangeKind,
        person: SlackUserId,
        discipline: DisciplineKey,
        on: Date,
    },
}

/// What is known when a change is asked for.
#[derive(Debug, Clone, Copy)]
pub struct ChangeFacts<'a> {
    /// The person's membership of the discipline, if they are listed.
    pub member: Option<&'a Member>,
    /// The pending change for the same person and discipline, if any.
    pub pending: Option<&'a RosterChange>,
    /// The sprint the change would take effect at, if one is planned.
    pub effective: Option<&'a Sprint>,
}

/// Checks a `kind` change of `person` in `discipline` dated `on`: the date is not in the past
/// and its handoff has not happened, a joiner is not in the rotation and a leaver is, and no
/// other change for them is pending. The same change again is no error: the pending one is
/// returned (an idempotent repeat).
#[allow(clippy::too_many_arguments)]
pub fn check_new_change<'a>(
    kind: ChangeKind,
    person: &SlackUserId,
    discipline: &DisciplineKey,
    on: Date,
    facts: ChangeFacts<'a>,
    team: &Team,
    today: Date,
    now: Timestamp,
) -> Result<Option<&'a RosterChange>, RosterChangeError> {
    if let Some(pending) = facts.pending {
        if pending.kind == kind && pending.on == on {
            return Ok(Some(pending));
        }
        return Err(RosterChangeError::AlreadyScheduled {
            id: pending.id,
            kind: pending.kind,
            person: person.clone(),
            discipline: discipline.clone(),
            on: pending.on,
        });
    }
    if on < today {
        return Err(RosterChangeError::Past { on });
    }
    if let Some(sprint) = facts.effective
        && sprint_starts_at(sprint, team) <= now
    {
        return Err(RosterChangeError::HandoffPassed {
            on: sprint.start,
            sprint: sprint.name.clone(),
        });
    }
    let active = facts.member.is_some_and(|m| m.active);
    match (kind, active) {
        (ChangeKind::Join, true) => Err(RosterChangeError::AlreadyActive {
            person: person.clone(),
            discipline: discipline.clone(),
        }),
        (ChangeKind::Leave, false) => Err(RosterChangeError::NotActive {
            person: person.clone(),
            discipline: discipline.clone(),
        }),
        _ => Ok(None),
    }
}

/// `members` (one discipline's) with `change` applied: a joiner becomes active (renamed when a
/// name is given), or is added after everyone else; a leaver becomes inactive.
pub fn apply_change(members: &mut Vec<Member>, change: &RosterChange) {
    let listed = members
        .iter_mut()
        .find(|m| m.slack_id == change.person && m.discipline == change.discipline);
    match (change.kind, listed) {
        (ChangeKind::Join, Some(member)) => {
            member.active = true;
            if let Some(name) = &change.name {
                member.name = name.trim().to_string();
            }
        }
        (ChangeKind::Join, None) => {
            let last = members
                .iter()
                .filter(|m| m.discipline == change.discipline)
                .map(|m| m.rotation_order)
                .max()
                .unwrap_or(0);
            members.push(Member {
                slack_id: change.person.clone(),
                discipline: change.discipline.clone(),
                name: change
                    .name
                    .as_deref()
                    .map_or_else(|| change.person.to_string(), |n| n.trim().to_string()),
                rotation_order: last + 1,
                active: true,
            });
        }
        (ChangeKind::Leave, Some(member)) => member.active = false,
        (ChangeKind::Leave, None) => {}
    }
}

/// `members` (the roster now) as it was before the dated changes `applied` took effect (each
/// with the sprint whose handoff it took effect at, in that order), and the changes that bring
/// it back to now at those same sprints: for replaying recorded sprints with the roster each was
/// planned with. A person's state before their first change is the opposite of that change; at
/// each change it becomes what the change made it, and at the last what it is now (a later
/// immediate edit, say a removal, counts from then on).
pub fn rewind(
    members: &[Member],
    applied: &[(SprintIndex, RosterChange)],
) -> (Vec<Member>, Vec<(SprintIndex, RosterChange)>) {
    let mut before = members.to_vec();
    let mut replay = Vec::with_capacity(applied.len());
    for (i, (sprint, change)) in applied.iter().enumerate() {
        let same =
            |c: &RosterChange| c.person == change.person && c.discipline == change.discipline;
        let Some(now) = members
            .iter()
            .find(|m| m.slack_id == change.person && m.discipline == change.discipline)
        else {
            continue;
        };
        if !applied[..i].iter().any(|(_, c)| same(c))
            && let Some(member) = before
                .iter_mut()
                .find(|m| m.slack_id == change.person && m.discipline == change.discipline)
        {
            member.active = change.kind == ChangeKind::Leave;
        }
        let last = !applied[i + 1..].iter().any(|(_, c)| same(c));
        let kind = match (last, now.active) {
            (true, true) => ChangeKind::Join,
            (true, false) => ChangeKind::Leave,
            (false, _) => change.kind,
        };
        replay.push((
            *sprint,
            RosterChange {
                kind,
                name: None,
                ..change.clone()
            },
        ));
    }
    (before, replay)
}

/// Who the rotation will put on duty for `discipline` in the last of `sprints`, before overrides,
/// when the changes take effect as planned: each of `sprints` (live, in index order, after the
/// latest recorded rotation turn, none of them recorded except those in `recorded`) is planned in
/// turn, continuing from `recorded` (the anchor and any turns recorded since), with every change
/// of `changes` (sorted by the sprint they take effect at, then id) whose sprint is not after it
/// applied first. `None` when `sprints` is empty.
pub fn projected_assignment(
    discipline: &Discipline,
    members: &[Member],
    recorded: &[Turn],
    sprints: &[SprintIndex],
    changes: &[(SprintIndex, RosterChange)],
) -> Option<Assignment> {
    let mut members = members.to_vec();
    let mut known = recorded.to_vec();
    let mut pending = changes.iter().peekable();
    let mut last = None;
    for &sprint in sprints {
        while let Some((_, change)) = pending.next_if(|(at, _)| *at <= sprint) {
            apply_change(&mut members, change);
        }
        let turn = match known.iter().find(|t| t.sprint == sprint) {
            Some(turn) => turn.clone(),
            None => {
                let planned = plan_turns(discipline, &members, &known, &[sprint]);
                let turn = planned.into_iter().next()?;
                known.push(turn.clone());
                turn
            }
        };
        last = Some(turn.assignment());
    }
    last
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};
    use jiff::civil::{Time, date};
    use jiff::tz::TimeZone;

    use super::*;
    use crate::domain::Source;

    fn user(id: &str) -> SlackUserId {
        SlackUserId::parse(id).unwrap()
    }

    fn key() -> DisciplineKey {
        DisciplineKey::parse("ui").unwrap()
    }

    fn index(i: i64) -> SprintIndex {
        SprintIndex::new(i).unwrap()
    }

    fn team() -> Team {
        Team {
            zone: TimeZone::get("America/Los_Angeles").unwrap(),
            handoff: Time::constant(8, 0, 0, 0),
            double_duty: Default::default(),
        }
    }

    fn member(id: &str, order: i64, active: bool) -> Member {
        Member {
            slack_id: user(id),
            discipline: key(),
            name: id.to_lowercase(),
            rotation_order: order,
            active,
        }
    }

    fn change(id: i64, who: &str, kind: ChangeKind, on: Date) -> RosterChange {
        RosterChange {
            id,
            person: user(who),
            discipline: key(),
            kind,
            on,
            name: None,
            created_by: "cli".into(),
        }
    }

    fn sprint(i: i64) -> Sprint {
        let start = date(2026, 3, 9)
            .checked_add(jiff::Span::new().days(14 * i))
            .unwrap();
        Sprint {
            index: index(i),
            name: format!("Sprint {}", i + 1),
            start,
            end: start.checked_add(jiff::Span::new().days(13)).unwrap(),
        }
    }

    #[track_caller]
    fn check_change(kind: ChangeKind, who: &str, on: Date, now: &str, expected: Expect) {
        let members = [member("U1", 1, true), member("U2", 2, false)];
        let pending = change(7, "U3", ChangeKind::Join, date(2026, 4, 1));
        let sprints = [sprint(0), sprint(1), sprint(2)];
        let facts = ChangeFacts {
            member: members.iter().find(|m| m.slack_id.as_str() == who),
            pending: (who == "U3").then_some(&pending),
            effective: effective_sprint(on, &sprints),
        };
        let now: Timestamp = now.parse().unwrap();
        let today = now.to_zoned(team().zone).date();
        let outcome = check_new_change(kind, &user(who), &key(), on, facts, &team(), today, now);
        let shown = match outcome {
            Ok(None) => "scheduled".to_string(),
            Ok(Some(same)) => format!("already #{}", same.id),
            Err(error) => format!("error: {error}"),
        };
        expected.assert_eq(&shown);
    }

    #[test]
    fn a_dated_change_is_checked_against_the_roster_and_the_plan() {
        let noon = "2026-03-23T19:00:00Z";
        use ChangeKind::{Join, Leave};
        check_change(Join, "U9", date(2026, 3, 24), noon, expect!["scheduled"]);
        check_change(Join, "U2", date(2026, 3, 24), noon, expect!["scheduled"]);
        check_change(Leave, "U1", date(2026, 9, 1), noon, expect!["scheduled"]);
        check_change(
            Join,
            "U1",
            date(2026, 3, 24),
            noon,
            expect!["error: U1 is already an active member of ui"],
        );
        check_change(
            Leave,
            "U2",
            date(2026, 3, 24),
            noon,
            expect!["error: U2 is not an active member of ui"],
        );
        check_change(
            Join,
            "U9",
            date(2026, 3, 22),
            noon,
            expect![
                "error: 2026-03-22 is in the past; a dated change takes effect at a handoff to come"
            ],
        );
        // Sprint 2 started this morning at 08:00.
        check_change(
            Join,
            "U9",
            date(2026, 3, 23),
            noon,
            expect![
                "error: the handoff of Sprint 2 on 2026-03-23 has already happened; choose a later date, or make the change now"
            ],
        );
        check_change(
            Join,
            "U9",
            date(2026, 3, 23),
            "2026-03-23T14:59:59Z",
            expect!["scheduled"],
        );
        check_change(Join, "U3", date(2026, 4, 1), noon, expect!["already #7"]);
        check_change(
            Leave,
            "U3",
            date(2026, 4, 1),
            noon,
            expect![
                "error: a join of U3 in ui on 2026-04-01 is already scheduled (change #7); cancel it first"
            ],
        );
    }

    #[test]
    fn a_change_takes_effect_at_the_first_sprint_starting_on_or_after_its_date() {
        let sprints = [sprint(0), sprint(1), sprint(2)];
        let at = |on| effective_sprint(on, &sprints).map(|s| s.index.get());
        assert_eq!(at(date(2026, 3, 1)), Some(0));
        assert_eq!(at(date(2026, 3, 9)), Some(0));
        assert_eq!(at(date(2026, 3, 10)), Some(1));
        assert_eq!(at(date(2026, 4, 6)), Some(2));
        assert_eq!(at(date(2026, 4, 7)), None);
    }

    fn discipline() -> Discipline {
        Discipline {
            key: key(),
            name: "UI".into(),
            position: 0,
            fallback: None,
            usergroup_id: None,
        }
    }

    /// Who each of sprints `from..=to` gets, projected from an anchor at sprint 0 held by U1.
    fn project(members: &[Member], changes: &[(i64, RosterChange)], to: i64) -> String {
        let anchor = Turn {
            sprint: index(0),
            discipline: key(),
            slack_id: Some(user("U1")),
            source: Source::Rotation,
        };
        let changes: Vec<(SprintIndex, RosterChange)> = changes
            .iter()
            .map(|(at, c)| (index(*at), c.clone()))
            .collect();
        (1..=to)
            .map(|target| {
                let sprints: Vec<SprintIndex> = (1..=target).map(index).collect();
                let pick = projected_assignment(
                    &discipline(),
                    members,
                    std::slice::from_ref(&anchor),
                    &sprints,
                    &changes,
                )
                .unwrap();
                pick.slack_id.map_or("-".to_string(), |u| u.to_string())
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn the_projection_plans_each_sprint_with_the_roster_as_it_will_be() {
        let members = [
            member("U1", 1, true),
            member("U2", 2, true),
            member("U3", 3, true),
        ];
        let on = date(2026, 1, 1);
        assert_eq!(project(&members, &[], 6), "U2 U3 U1 U2 U3 U1");
        let join = change(1, "U4", ChangeKind::Join, on);
        assert_eq!(project(&members, &[(3, join)], 6), "U2 U3 U4 U1 U2 U3");
        let leave = change(2, "U2", ChangeKind::Leave, on);
        assert_eq!(
            project(&members, &[(3, leave.clone())], 6),
            "U2 U3 U1 U3 U1 U3"
        );
        let back = change(3, "U2", ChangeKind::Join, on);
        assert_eq!(
            project(&members, &[(2, leave), (5, back)], 7),
            "U2 U3 U1 U3 U1 U2 U3"
        );
    }

    #[test]
    fn joiners_are_appended_in_the_order_their_changes_apply() {
        let mut members = vec![member("U1", 1, true), member("U2", 5, false)];
        let on = date(2026, 1, 1);
        apply_change(&mut members, &change(1, "U7", ChangeKind::Join, on));
        let mut named = change(2, "U2", ChangeKind::Join, on);
        named.name = Some(" Bea ".into());
        apply_change(&mut members, &named);
        apply_change(&mut members, &change(3, "U8", ChangeKind::Join, on));
        apply_change(&mut members, &change(4, "U1", ChangeKind::Leave, on));
        let shown: Vec<String> = members
            .iter()
            .map(|m| {
                format!(
                    "{}:{}:{}:{}",
                    m.slack_id, m.name, m.rotation_order, m.active
                )
            })
            .collect();
        expect![[r#"["U1:u1:1:false", "U2:Bea:5:true", "U7:U7:6:true", "U8:U8:7:true"]"#]]
            .assert_eq(&format!("{shown:?}"));
    }

    #[test]
    fn rewinding_takes_dated_changes_back_and_makes_them_again_at_their_sprint() {
        let on = date(2026, 4, 1);
        let now = [
            member("U1", 1, true),
            member("U2", 2, true),
            member("U3", 3, false),
        ];
        let applied = [
            (index(2), change(1, "U2", ChangeKind::Join, on)),
            (index(3), change(2, "U3", ChangeKind::Leave, on)),
            // U1 left at Sprint 4 and an admin added them back at once since.
            (index(4), change(3, "U1", ChangeKind::Leave, on)),
        ];
        let (before, replay) = rewind(&now, &applied);
        let states: Vec<(&str, bool)> = before
            .iter()
            .map(|m| (m.slack_id.as_str(), m.active))
            .collect();
        assert_eq!(states, [("U1", true), ("U2", false), ("U3", true)]);
        let replayed: Vec<(i64, &str, ChangeKind)> = replay
            .iter()
            .map(|(at, c)| (at.get(), c.person.as_str(), c.kind))
            .collect();
        // Each person's last change brings them to what they are now.
        assert_eq!(
            replayed,
            [
                (2, "U2", ChangeKind::Join),
                (3, "U3", ChangeKind::Leave),
                (4, "U1", ChangeKind::Join)
            ]
        );
    }
}
