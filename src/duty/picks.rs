//! The rotation's picks as `duty` needs them, under the team's double-duty policy: for sprints
//! to answer about (recorded turns, else picks), for started sprints to record, and for the
//! sprint in force's slots recorded with a stand-in.
//!
//! With `warn` and `allow` each discipline's pick continues from its own latest recorded turn
//! (`domain::base_assignment_from_turns`), as it always did. With `avoid` the disciplines pick
//! together (`domain::avoiding_picks`), replaying the last [`REPLAYED_SPRINTS`] recorded sprints
//! so that the rotation remembers whom it passed over; the memory lives in the recorded turns
//! alone, so it is the same after a restart. The turns to record come with the skips the
//! rotation made to reach them (whom it passed over, owed turns taken), recorded with them.
//! Reads only; `duty` records.

use crate::domain::roster_change::{RosterChange, projected_assignment, rewind};
use crate::domain::{
    Assignment, Discipline, DisciplineKey, DoubleDuty, Skip, Source, Sprint, SprintIndex, Team,
    Turn, avoiding_picks_noted, base_assignment, base_assignment_from_turns, plan_turns,
};
use crate::store::{Result, Store};

use super::Roster;

/// How many recorded sprints the rotation replays, under `double-duty = avoid`, before the
/// sprints it picks for: how far back it remembers whom it passed over. Someone passed over
/// longer ago has seen their own turn come round again since, in any rotation of up to this
/// many people.
pub const REPLAYED_SPRINTS: usize = 16;

/// The turn that records `assignment` (a rotation or stand-in pick) for `sprint`.
fn turn_of(sprint: SprintIndex, assignment: Assignment) -> Turn {
    Turn {
        sprint,
        discipline: assignment.discipline,
        slack_id: assignment.slack_id,
        source: assignment.source,
    }
}

/// The rotation's (or fallback's) assignment for one slot, before overrides: the recorded turn
/// if there is one, else the pick continuing from the latest recorded rotation turn, with the
/// roster as it will be then when dated changes are pending for the discipline.
fn base_of(
    store: &Store,
    roster: &Roster,
    discipline: &Discipline,
    sprint: SprintIndex,
    recorded: &[Turn],
) -> Result<Assignment> {
    let mut known: Vec<Turn> = recorded
        .iter()
        .filter(|t| t.discipline == discipline.key)
        .cloned()
        .collect();
    if !known.is_empty() {
        return Ok(known.remove(0).assignment());
    }
    let anchor = store.rotation_anchor(&discipline.key, sprint)?;
    let members = roster.members_of(&discipline.key);
    let changes = changes_by(store, Some(&discipline.key), sprint)?;
    if changes.is_empty() {
        known.extend(anchor);
        return Ok(base_assignment_from_turns(
            discipline, &members, &known, sprint,
        ));
    }
    // Plan every sprint from the anchor on, as recording them one by one will.
    let first = match &anchor {
        Some(turn) => Some(turn.sprint.next()),
        None => store.first_sprint_index()?,
    };
    let first = first.unwrap_or(sprint);
    known.extend(
        store
            .turns_between(first, sprint)?
            .into_iter()
            .filter(|t| t.discipline == discipline.key),
    );
    known.extend(anchor);
    let mut sprints: Vec<SprintIndex> = store
        .sprints_between(first, sprint)?
        .iter()
        .map(|s| s.index)
        .collect();
    if sprints.last() != Some(&sprint) {
        sprints.push(sprint);
    }
    Ok(
        projected_assignment(discipline, &members, &known, &sprints, &changes)
            .unwrap_or_else(|| base_assignment_from_turns(discipline, &members, &known, sprint)),
    )
}

/// The pending dated roster changes (of `discipline`, or of every discipline) that take effect
/// at `sprint` or before, each with its sprint, in the order they apply.
fn changes_by(
    store: &Store,
    discipline: Option<&DisciplineKey>,
    sprint: SprintIndex,
) -> Result<Vec<(SprintIndex, RosterChange)>> {
    let mut changes = Vec::new();
    for change in store.pending_roster_changes(discipline)? {
        if let Some(at) = store.first_sprint_from(change.on)?
            && at.index <= sprint
        {
            changes.push((at.index, change));
        }
    }
    changes.sort_by_key(|(at, change)| (*at, change.id));
    Ok(changes)
}

/// The rotation's (or fallback's) assignments in each of `sprints` (live sprints, in index
/// order), per discipline in display order, before overrides: the recorded turns, else the
/// rotation's picks under the team's double-duty policy.
pub(super) fn base_assignments(
    store: &Store,
    team: &Team,
    roster: &Roster,
    sprints: &[Sprint],
) -> Result<Vec<Vec<Assignment>>> {
    let recorded: Vec<Vec<Turn>> = sprints
        .iter()
        .map(|sprint| store.turns(sprint.index))
        .collect::<Result<_>>()?;
    let complete = recorded.iter().all(|turns| {
        let has = |d: &Discipline| turns.iter().any(|t| t.discipline == d.key);
        roster.disciplines.iter().all(has)
    });
    if team.double_duty == DoubleDuty::Avoid && !complete {
        return Ok(avoiding(store, roster, sprints, None)?.0);
    }
    sprints
        .iter()
        .zip(&recorded)
        .map(|(sprint, turns)| {
            let base = |d| base_of(store, roster, d, sprint.index, turns);
            roster.disciplines.iter().map(base).collect()
        })
        .collect()
}

/// The rotation's picks under `double-duty = avoid` for `targets` (live sprints, in index
/// order), per discipline in display order: every sprint from [`REPLAYED_SPRINTS`] recorded ones
/// before the first sprint to compute, up to the last target, goes through
/// `domain::avoiding_picks`, recorded turns replayed. The stand-ins (nobody, the fallback)
/// recorded for sprint `set_aside` are left out, so the rotation picks for their slots. With the
/// skips of the picks it made (see `domain::avoiding_picks_noted`), replayed turns having none.
fn avoiding(
    store: &Store,
    roster: &Roster,
    targets: &[Sprint],
    set_aside: Option<SprintIndex>,
) -> Result<(Vec<Vec<Assignment>>, Vec<Skip>)> {
    let (Some(first), Some(last)) = (targets.first(), targets.last()) else {
        return Ok((Vec::new(), Vec::new()));
    };
    // Replay from before the first sprint that may need picking: the first target, or the
    // first sprint after the last recorded one, whichever comes first. With nothing recorded
    // yet, from the first sprint.
    let start = match store.last_recorded_sprint()? {
        Some(last_recorded) => {
            let before = last_recorded.next().min(first.index);
            let replayed = store.sprints_before(before, REPLAYED_SPRINTS)?;
            replayed.first().map_or(first.index, |s| s.index)
        }
        None => store.first_sprint_index()?.unwrap_or(first.index),
    }
    .min(first.index);
    let mut run: Vec<SprintIndex> = store
        .sprints_between(start, last.index)?
        .iter()
        .map(|s| s.index)
        .collect();
    run.extend(targets.iter().map(|t| t.index));
    run.sort();
    run.dedup();
    let mut turns = store.turns_between(start, last.index)?;
    turns.retain(|t| Some(t.sprint) != set_aside || t.source == Source::Rotation);
    for discipline in &roster.disciplines {
        turns.extend(store.rotation_anchor(&discipline.key, start)?);
    }
    // Recorded sprints are replayed with the roster each was planned with: the dated changes
    // applied since the replay's first sprint are taken back, then made again at their sprint,
    // and the pending ones after them.
    let applied = store.applied_roster_changes_between(start, last.index)?;
    let (members, mut changes) = rewind(&roster.members, &applied);
    changes.extend(changes_by(store, None, last.index)?);
    let (picks, skips) =
        avoiding_picks_noted(&roster.disciplines, &members, &turns, &run, &changes);
    let picks = targets
        .iter()
        .filter_map(|target| run.iter().position(|index| *index == target.index))
        .map(|at| picks[at].clone())
        .collect();
    Ok((picks, skips))
}

/// The rotation's (or fallback's) assignment for `discipline` in `sprint`, before overrides.
pub(super) fn slot_base(
    store: &Store,
    team: &Team,
    roster: &Roster,
    sprint: &Sprint,
    discipline: &Discipline,
) -> Result<Option<Assignment>> {
    if team.double_duty == DoubleDuty::Avoid {
        let bases = base_assignments(store, team, roster, std::slice::from_ref(sprint))?;
        let found = bases.into_iter().flatten();
        return Ok(found.into_iter().find(|a| a.discipline == discipline.key));
    }
    let recorded = store.turns(sprint.index)?;
    base_of(store, roster, discipline, sprint.index, &recorded).map(Some)
}

/// The turns to record for the started sprints `first..=latest` that have none yet, each
/// discipline's continuing from the turns before (planned in order, each anchoring the next),
/// and, under `double-duty = avoid`, the skips made to reach them (none otherwise).
pub(super) fn new_turns(
    store: &Store,
    team: &Team,
    roster: &Roster,
    first: SprintIndex,
    latest: SprintIndex,
) -> Result<(Vec<Turn>, Vec<Skip>)> {
    let started = store.sprints_between(first, latest)?;
    let recorded = store.turns_between(first, latest)?;
    if team.double_duty == DoubleDuty::Avoid {
        let (picks, skips) = avoiding(store, roster, &started, None)?;
        let mut new = Vec::new();
        for (sprint, assignments) in started.iter().zip(picks) {
            let is_new = |a: &Assignment| {
                let same = |t: &&Turn| t.sprint == sprint.index && t.discipline == a.discipline;
                !recorded.iter().any(|t| same(&t))
            };
            let fresh = assignments.into_iter().filter(is_new);
            new.extend(fresh.map(|a| turn_of(sprint.index, a)));
        }
        // The store keeps a skip only with its slot's turn, when that turn is new.
        return Ok((new, skips));
    }
    let started: Vec<SprintIndex> = started.iter().map(|s| s.index).collect();
    let mut new = Vec::new();
    for discipline in &roster.disciplines {
        let mut known: Vec<Turn> = recorded.clone();
        known.extend(store.rotation_anchor(&discipline.key, first)?);
        let members = roster.members_of(&discipline.key);
        new.extend(plan_turns(discipline, &members, &known, &started));
    }
    Ok((new, Vec::new()))
}

/// Better picks for `stand_ins`, the slots of `latest` (the sprint in force) recorded with
/// nobody or the fallback person: a member, once the rotation can pick one (or the fallback
/// instead of nobody). Under `avoid`, the rotation picks for them as if they were not recorded.
pub(super) fn fills(
    store: &Store,
    team: &Team,
    roster: &Roster,
    latest: &Sprint,
    stand_ins: &[Turn],
) -> Result<Vec<Turn>> {
    let avoiding_now = match team.double_duty {
        DoubleDuty::Avoid => {
            let only = std::slice::from_ref(latest);
            avoiding(store, roster, only, Some(latest.index))?.0
        }
        DoubleDuty::Warn | DoubleDuty::Allow => Vec::new(),
    };
    let mut fills = Vec::new();
    for turn in stand_ins {
        let Some(discipline) = roster.discipline(&turn.discipline) else {
            continue;
        };
        let pick = match avoiding_now.first() {
            Some(picks) => match picks.iter().find(|a| a.discipline == discipline.key) {
                Some(pick) => pick.clone(),
                None => continue,
            },
            None => {
                let anchor = store.rotation_anchor(&discipline.key, latest.index)?;
                let members = roster.members_of(&discipline.key);
                base_assignment(discipline, &members, anchor.as_ref(), latest.index)
            }
        };
        let better = match turn.source {
            Source::Fallback => pick.source == Source::Rotation,
            _ => pick.slack_id.is_some(),
        };
        if better {
            fills.push(turn_of(latest.index, pick));
        }
    }
    Ok(fills)
}
