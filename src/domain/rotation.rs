//! Who is on duty: the rotation's pick for a sprint, the fallback when a discipline has no active
//! members, approved overrides on top, and people on duty in several disciplines at once.
//!
//! The rotation continues from its **anchor**, the latest recorded turn taken by the rotation
//! before the sprint in question: it steps once per sprint index through the discipline's active
//! members in `rotation_order`, starting from the place the anchor person holds in that order now.
//! Recorded turns are never recomputed, so adding, deactivating or moving a member changes no
//! started sprint and keeps everyone else's relative order. Overrides are never recorded as turns,
//! so one replaces exactly one slot and the rotation carries on as if it had not happened.
//! This module decides; it stores nothing and reads no clock.

use std::collections::BTreeMap;

use super::ids::{DisciplineKey, SlackUserId, SprintIndex};
use super::model::{Assignment, Discipline, Member, Override, OverrideStatus, Source, Turn};

mod line;

pub use line::{avoiding_picks, avoiding_picks_noted, avoiding_picks_with_changes};

/// The active members of `discipline`, in rotation order.
fn active_in_order<'a>(discipline: &DisciplineKey, members: &'a [Member]) -> Vec<&'a Member> {
    let mut active: Vec<&Member> = members
        .iter()
        .filter(|member| member.active && &member.discipline == discipline)
        .collect();
    active.sort_by_key(|member| member.rotation_order);
    active
}

/// The latest turn taken by the rotation for `discipline` before `sprint`, if any.
///
/// Turns taken by the fallback or by nobody are skipped: they say nothing about whose turn is next.
pub fn anchor_before<'a>(
    turns: &'a [Turn],
    discipline: &DisciplineKey,
    sprint: SprintIndex,
) -> Option<&'a Turn> {
    turns
        .iter()
        .filter(|turn| &turn.discipline == discipline && turn.sprint < sprint)
        .filter(|turn| turn.source == Source::Rotation && turn.slack_id.is_some())
        .max_by_key(|turn| turn.sprint)
}

/// The rotation order the anchor person holds now (active or not) and the anchor's sprint.
///
/// `None` when the anchor is not a rotation turn of `discipline` before `sprint`, or its person
/// is no longer listed in the discipline.
fn anchor_place(
    discipline: &DisciplineKey,
    members: &[Member],
    anchor: Option<&Turn>,
    sprint: SprintIndex,
) -> Option<(i64, SprintIndex)> {
    let anchor = anchor.filter(|turn| {
        &turn.discipline == discipline && turn.source == Source::Rotation && turn.sprint < sprint
    })?;
    let person = anchor.slack_id.as_ref()?;
    members
        .iter()
        .find(|member| &member.slack_id == person && &member.discipline == discipline)
        .map(|member| (member.rotation_order, anchor.sprint))
}

/// The active member whose turn `sprint` is, continuing from `anchor` (see the module docs).
///
/// Without a usable anchor the pick is the `sprint`-th active member, counting cyclically.
/// `None` when the discipline has no active members.
pub fn rotation_pick<'a>(
    discipline: &DisciplineKey,
    members: &'a [Member],
    anchor: Option<&Turn>,
    sprint: SprintIndex,
) -> Option<&'a Member> {
    let active = active_in_order(discipline, members);
    let count = i64::try_from(active.len())
        .ok()
        .filter(|&count| count > 0)?;
    let position = match anchor_place(discipline, members, anchor, sprint) {
        Some((order, anchor_sprint)) => {
            let first_after_anchor = active.partition_point(|m| m.rotation_order <= order);
            let steps = sprint.get() - anchor_sprint.get();
            first_after_anchor as i64 + (steps - 1) % count
        }
        None => sprint.get(),
    };
    let index = usize::try_from(position.rem_euclid(count)).ok()?;
    active.get(index).copied()
}

/// Who the rotation puts on duty for `discipline` in `sprint`, before overrides: the rotation's
/// pick, else the discipline's fallback person, else nobody.
pub fn base_assignment(
    discipline: &Discipline,
    members: &[Member],
    anchor: Option<&Turn>,
    sprint: SprintIndex,
) -> Assignment {
    let (slack_id, source) = match rotation_pick(&discipline.key, members, anchor, sprint) {
        Some(member) => (Some(member.slack_id.clone()), Source::Rotation),
        None => match &discipline.fallback {
            Some(fallback) => (Some(fallback.clone()), Source::Fallback),
            None => (None, Source::None),
        },
    };
    Assignment {
        discipline: discipline.key.clone(),
        slack_id,
        source,
    }
}

/// The base assignment for `sprint`: its recorded turn if there is one, else what the rotation
/// would pick now, continuing from the recorded turns.
pub fn base_assignment_from_turns(
    discipline: &Discipline,
    members: &[Member],
    turns: &[Turn],
    sprint: SprintIndex,
) -> Assignment {
    let recorded = turns
        .iter()
        .find(|turn| turn.sprint == sprint && turn.discipline == discipline.key);
    match recorded {
        Some(turn) => turn.assignment(),
        None => base_assignment(
            discipline,
            members,
            anchor_before(turns, &discipline.key, sprint),
            sprint,
        ),
    }
}

/// Who is on duty: the replacement named by `approved` if it is an approved override for the
/// same discipline, else `base`. Any other override is ignored.
pub fn on_duty(base: Assignment, approved: Option<&Override>) -> Assignment {
    match approved {
        Some(found)
            if found.status == OverrideStatus::Approved && found.discipline == base.discipline =>
        {
            Assignment {
                discipline: base.discipline,
                slack_id: Some(found.replacement.clone()),
                source: Source::Override,
            }
        }
        _ => base,
    }
}

/// The turns to record for `started` sprints of `discipline` that have no recorded turn yet.
///
/// Sprints are planned in index order and each planned turn anchors the next, as if each had been
/// recorded when it began. Sprints that already have a turn are left alone.
pub fn plan_turns(
    discipline: &Discipline,
    members: &[Member],
    turns: &[Turn],
    started: &[SprintIndex],
) -> Vec<Turn> {
    let mut pending: Vec<SprintIndex> = started.to_vec();
    pending.sort();
    pending.dedup();
    let mut known: Vec<Turn> = turns
        .iter()
        .filter(|turn| turn.discipline == discipline.key)
        .cloned()
        .collect();
    let mut planned = Vec::new();
    for sprint in pending {
        if known.iter().any(|turn| turn.sprint == sprint) {
            continue;
        }
        let base = base_assignment_from_turns(discipline, members, &known, sprint);
        let turn = Turn {
            sprint,
            discipline: base.discipline,
            slack_id: base.slack_id,
            source: base.source,
        };
        known.push(turn.clone());
        planned.push(turn);
    }
    planned
}

/// People on duty in more than one discipline among `assignments` (one sprint's slots), each
/// with their disciplines in the order given, sorted by person.
pub fn double_duty(assignments: &[Assignment]) -> Vec<(SlackUserId, Vec<DisciplineKey>)> {
    let mut by_person: BTreeMap<&SlackUserId, Vec<DisciplineKey>> = BTreeMap::new();
    for assignment in assignments {
        if let Some(person) = &assignment.slack_id {
            let disciplines = by_person.entry(person).or_default();
            if !disciplines.contains(&assignment.discipline) {
                disciplines.push(assignment.discipline.clone());
            }
        }
    }
    by_person
        .into_iter()
        .filter(|(_, disciplines)| disciplines.len() > 1)
        .map(|(person, disciplines)| (person.clone(), disciplines))
        .collect()
}

#[cfg(test)]
mod properties;

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> DisciplineKey {
        DisciplineKey::parse(text).unwrap()
    }

    fn user(text: &str) -> SlackUserId {
        SlackUserId::parse(text).unwrap()
    }

    fn index(value: i64) -> SprintIndex {
        SprintIndex::new(value).unwrap()
    }

    fn discipline(fallback: Option<&str>) -> Discipline {
        Discipline {
            key: key("ui"),
            name: "UI".to_string(),
            position: 0,
            fallback: fallback.map(user),
            usergroup_id: None,
        }
    }

    /// `"U1:10 U2:20- U3:30"`: slack id, rotation order, and `-` for an inactive member.
    fn roster(spec: &str) -> Vec<Member> {
        spec.split_whitespace()
            .map(|entry| {
                let (id, order) = entry.split_once(':').unwrap();
                let active = !order.ends_with('-');
                Member {
                    slack_id: user(id),
                    discipline: key("ui"),
                    name: id.to_lowercase(),
                    rotation_order: order.trim_end_matches('-').parse().unwrap(),
                    active,
                }
            })
            .collect()
    }

    fn turn(sprint: i64, who: Option<&str>, source: Source) -> Turn {
        Turn {
            sprint: index(sprint),
            discipline: key("ui"),
            slack_id: who.map(user),
            source,
        }
    }

    fn show(assignment: &Assignment) -> String {
        let who = assignment
            .slack_id
            .as_ref()
            .map_or("-", SlackUserId::as_str);
        format!("{who} {}", assignment.source)
    }

    /// Checks the base assignment of each sprint in `sprints`, each computed from `anchor`.
    #[track_caller]
    fn check(members: &str, anchor: Option<Turn>, sprints: &[i64], expected: &[&str]) {
        let members = roster(members);
        let picks: Vec<String> = sprints
            .iter()
            .map(|&k| {
                show(&base_assignment(
                    &discipline(Some("W9")),
                    &members,
                    anchor.as_ref(),
                    index(k),
                ))
            })
            .collect();
        assert_eq!(picks, expected);
    }

    #[test]
    fn without_an_anchor_the_sprint_index_picks() {
        check(
            "U1:10 U2:20 U3:30",
            None,
            &[0, 1, 2, 3],
            &["U1 rotation", "U2 rotation", "U3 rotation", "U1 rotation"],
        );
    }

    #[test]
    fn rotation_order_decides_not_listing_order_or_name() {
        check(
            "U3:30 U1:10 U2:20-",
            None,
            &[0, 1, 2],
            &["U1 rotation", "U3 rotation", "U1 rotation"],
        );
    }

    #[test]
    fn the_rotation_continues_from_the_anchor() {
        let anchor = turn(7, Some("U2"), Source::Rotation);
        check(
            "U1:10 U2:20 U3:30",
            Some(anchor),
            &[8, 9, 10],
            &["U3 rotation", "U1 rotation", "U2 rotation"],
        );
    }

    #[test]
    fn a_deactivated_anchor_hands_on_to_the_next_in_order() {
        let anchor = turn(7, Some("U2"), Source::Rotation);
        check(
            "U1:10 U2:20- U3:30",
            Some(anchor),
            &[8, 9],
            &["U3 rotation", "U1 rotation"],
        );
    }

    #[test]
    fn a_moved_anchor_continues_from_its_new_place() {
        let anchor = turn(7, Some("U2"), Source::Rotation);
        check(
            "U1:10 U2:40 U3:30",
            Some(anchor),
            &[8, 9],
            &["U1 rotation", "U3 rotation"],
        );
    }

    #[test]
    fn a_newcomer_joins_at_their_place_in_the_order() {
        let anchor = turn(7, Some("U1"), Source::Rotation);
        check(
            "U1:10 U2:20 U3:30 U4:15",
            Some(anchor),
            &[8, 9],
            &["U4 rotation", "U2 rotation"],
        );
    }

    #[test]
    fn an_unknown_anchor_person_counts_as_no_anchor() {
        let anchor = turn(7, Some("U8"), Source::Rotation);
        check("U1:10 U2:20 U3:30", Some(anchor), &[8], &["U3 rotation"]);
    }

    #[test]
    fn an_anchor_not_before_the_sprint_is_ignored() {
        let anchor = turn(8, Some("U1"), Source::Rotation);
        check("U1:10 U2:20 U3:30", Some(anchor), &[8], &["U3 rotation"]);
    }

    #[test]
    fn huge_gaps_wrap_around() {
        let anchor = turn(0, Some("U1"), Source::Rotation);
        check(
            "U1:10 U2:20 U3:30",
            Some(anchor),
            &[SprintIndex::MAX],
            &["U2 rotation"],
        );
        check(
            "U1:10 U2:20 U3:30",
            None,
            &[SprintIndex::MAX],
            &["U2 rotation"],
        );
    }

    #[test]
    fn no_active_members_means_fallback_then_nobody() {
        check("U1:10-", None, &[0], &["W9 fallback"]);
        let base = base_assignment(&discipline(None), &[], None, index(0));
        assert_eq!(show(&base), "- none");
    }

    #[test]
    fn anchors_skip_fallback_turns_and_other_disciplines() {
        let mut other = turn(6, Some("U3"), Source::Rotation);
        other.discipline = key("be");
        let turns = vec![
            turn(4, Some("U1"), Source::Rotation),
            turn(5, Some("W9"), Source::Fallback),
            other,
            turn(9, Some("U2"), Source::Rotation),
        ];
        let anchor = anchor_before(&turns, &key("ui"), index(7));
        assert_eq!(anchor, Some(&turns[0]));
    }

    #[test]
    fn recorded_turns_win_over_the_current_roster() {
        let members = roster("U1:10 U2:20 U3:30");
        let turns = vec![turn(4, Some("U3"), Source::Rotation)];
        let at = |k| {
            show(&base_assignment_from_turns(
                &discipline(None),
                &members,
                &turns,
                index(k),
            ))
        };
        assert_eq!(
            [at(4), at(5), at(6)],
            ["U3 rotation", "U1 rotation", "U2 rotation"]
        );
    }

    #[test]
    fn planning_chains_turns_and_skips_recorded_sprints() {
        let members = roster("U1:10 U2:20 U3:30");
        let turns = vec![turn(4, Some("U3"), Source::Rotation)];
        let planned = plan_turns(&discipline(None), &members, &turns, &[6, 4, 5].map(index));
        assert_eq!(
            planned,
            vec![
                turn(5, Some("U1"), Source::Rotation),
                turn(6, Some("U2"), Source::Rotation)
            ]
        );
    }

    fn approved(replacement: &str, status: OverrideStatus) -> Override {
        Override {
            id: 1,
            sprint: index(4),
            discipline: key("ui"),
            original: Some(user("U1")),
            replacement: user(replacement),
            requested_by: user("U1"),
            status,
            decided_by: None,
            decided_at: None,
            reason: None,
            created_at: jiff::Timestamp::UNIX_EPOCH,
            decision_reason: None,
            revoked_by: None,
            revoked_at: None,
            revoke_reason: None,
        }
    }

    #[track_caller]
    fn check_on_duty(found: Option<Override>, expected: &str) {
        let base = turn(4, Some("U1"), Source::Rotation).assignment();
        assert_eq!(show(&on_duty(base, found.as_ref())), expected);
    }

    #[test]
    fn approved_overrides_replace_the_base() {
        check_on_duty(None, "U1 rotation");
        check_on_duty(
            Some(approved("U2", OverrideStatus::Approved)),
            "U2 override",
        );
        check_on_duty(Some(approved("U2", OverrideStatus::Pending)), "U1 rotation");
        let mut elsewhere = approved("U2", OverrideStatus::Approved);
        elsewhere.discipline = key("be");
        check_on_duty(Some(elsewhere), "U1 rotation");
    }

    #[track_caller]
    fn check_double_duty(slots: &[(&str, Option<&str>)], expected: &[(&str, &[&str])]) {
        let assignments: Vec<Assignment> = slots
            .iter()
            .map(|&(discipline, who)| Assignment {
                discipline: key(discipline),
                slack_id: who.map(user),
                source: Source::Rotation,
            })
            .collect();
        let expected: Vec<(SlackUserId, Vec<DisciplineKey>)> = expected
            .iter()
            .map(|(who, keys)| (user(who), keys.iter().map(|k| key(k)).collect()))
            .collect();
        assert_eq!(double_duty(&assignments), expected);
    }

    #[test]
    fn double_duty_reports_people_in_several_disciplines() {
        check_double_duty(&[("ui", Some("U1")), ("be", Some("U2"))], &[]);
        check_double_duty(&[("ui", None), ("be", None)], &[]);
        check_double_duty(
            &[
                ("po", Some("U2")),
                ("ui", Some("U1")),
                ("be", Some("U2")),
                ("qa", Some("U1")),
            ],
            &[("U1", &["ui", "qa"]), ("U2", &["po", "be"])],
        );
    }
}
