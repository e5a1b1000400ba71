//! The old bot's `currentState.json` made the present, inside the import's transaction.
//!
//! The sprint that took over last at the import's `now` (the one in force, or the last one when
//! every sprint has ended) is the present. When the state file is for that sprint, each person in
//! it is recorded as their discipline's rotation turn for it, so `who` names them and the next
//! sprint continues the rotation after them. A stale file (for an earlier sprint) anchors the
//! rotation the same way at its own sprint, and the rotation carries on from there to the
//! present. Then the present's turns are recorded and who is on duty in it becomes the announced
//! state, so the bot's first start has nothing to announce for it. Anything that cannot be kept
//! as it is becomes a warning; none of it fails the import.

use jiff::Timestamp;
use rusqlite::Connection;

use super::{ImportCurrentState, ImportReport, ImportState};
use crate::domain::{
    DisciplineKey, SlackUserId, Source, Sprint, SprintLookup, Team, Turn,
    base_assignment_from_turns, on_duty, plan_turns, sprint_in_force,
};
use crate::legacy::STATE_FILE;
use crate::store::codec::{self, SPRINT_COLUMNS};
use crate::store::error::Result;
use crate::store::{disciplines, members, overrides, state};

/// Keeps `current` (if any) on duty and records the announced state of the present.
pub(super) fn import_present(
    tx: &Connection,
    current: Option<&ImportCurrentState>,
    team: &Team,
    actor: &str,
    now: Timestamp,
    report: &mut ImportReport,
) -> Result<()> {
    let sprints = live_sprints(tx)?;
    let present = match sprint_in_force(&sprints, team, now) {
        SprintLookup::InForce { sprint, .. } => Some(sprint.clone()),
        SprintLookup::AfterLast { last, .. } => Some(last.clone()),
        SprintLookup::Gap { previous, .. } => Some(previous.clone()),
        SprintLookup::BeforeFirst { .. } | SprintLookup::NoSprints => None,
    };
    if let Some(current) = current {
        if let Some(sprint) = state_sprint(current, &sprints, present.as_ref(), report) {
            for person in &current.on_duty {
                keep_on_duty(tx, person, &sprint, actor, now, report)?;
            }
        }
    }
    let Some(present) = present else {
        return Ok(());
    };
    report.present = Some(present.index);
    record_rotation(tx, &present, &sprints, actor, now)?;
    announce(tx, &present, actor, now, report)
}

/// Live sprints in index order (their start dates increase along it).
fn live_sprints(conn: &Connection) -> Result<Vec<Sprint>> {
    let sql = format!(
        "SELECT {SPRINT_COLUMNS} FROM sprints WHERE retired_at IS NULL ORDER BY sprint_index"
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map([], codec::sprint)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The sprint whose turns the state file's people become: its own sprint, if that sprint
/// exists and has started. Says why when it is stale or cannot be used.
fn state_sprint(
    current: &ImportCurrentState,
    sprints: &[Sprint],
    present: Option<&Sprint>,
    report: &mut ImportReport,
) -> Option<Sprint> {
    let nobody_kept = "so nobody in it was kept on duty; the rotation decides";
    let Some(index) = current.sprint else {
        report
            .warnings
            .push(format!("{STATE_FILE}: sprintIndex is null, {nobody_kept}"));
        return None;
    };
    let Some(sprint) = sprints.iter().find(|s| s.index == index) else {
        report.warnings.push(format!(
            "{STATE_FILE}: sprint {index} does not exist, {nobody_kept}"
        ));
        return None;
    };
    match present {
        Some(present) if present.index == index => Some(sprint.clone()),
        Some(present) if present.index > index => {
            report.warnings.push(format!(
                "{STATE_FILE} is stale: it is for sprint {index} ({}), but sprint {} ({}) took \
                 over since; its people were kept as sprint {index}'s turns and the rotation \
                 continues from them",
                sprint.name, present.index, present.name
            ));
            Some(sprint.clone())
        }
        _ => {
            report.warnings.push(format!(
                "{STATE_FILE}: sprint {index} ({}) has not started yet, {nobody_kept}",
                sprint.name
            ));
            None
        }
    }
}

/// Records `person` as the rotation's turn for their discipline in `sprint`. A person whom an
/// approved override of the slot already puts on duty is left to it (the rotation's own pick
/// stays the turn).
fn keep_on_duty(
    tx: &Connection,
    person: &ImportState,
    sprint: &Sprint,
    actor: &str,
    now: Timestamp,
    report: &mut ImportReport,
) -> Result<()> {
    let Some(slack_id) = &person.slack_id else {
        return Ok(());
    };
    let discipline = &person.discipline;
    if disciplines::find(tx, discipline)?.is_none() {
        report.warnings.push(format!(
            "{STATE_FILE}: {discipline} is not a discipline, so {slack_id} was not kept on duty"
        ));
        return Ok(());
    }
    if let Some(problem) = membership_problem(tx, slack_id, discipline)? {
        report.warnings.push(format!(
            "{STATE_FILE}: {slack_id} {problem} of {discipline}; kept on duty for sprint {} \
             all the same",
            sprint.index
        ));
    }
    if let Some(approved) = overrides::approved_for(tx, sprint.index, discipline)? {
        if &approved.replacement == slack_id {
            return Ok(());
        }
        report.warnings.push(format!(
            "{STATE_FILE}: {slack_id} is on duty for {discipline}, but an approved override \
             puts {} on duty in sprint {}; the override stays in force",
            approved.replacement, sprint.index
        ));
    }
    record_kept_turn(tx, discipline, slack_id, sprint, actor, now, report)
}

/// Why `slack_id` is not an active member of `discipline`, if they are not.
fn membership_problem(
    conn: &Connection,
    slack_id: &SlackUserId,
    discipline: &DisciplineKey,
) -> Result<Option<&'static str>> {
    Ok(match members::find(conn, slack_id, discipline)? {
        Some(member) if member.active => None,
        Some(_) => Some("is an inactive member"),
        None => Some("is not a member"),
    })
}

fn record_kept_turn(
    tx: &Connection,
    discipline: &DisciplineKey,
    slack_id: &SlackUserId,
    sprint: &Sprint,
    actor: &str,
    now: Timestamp,
    report: &mut ImportReport,
) -> Result<()> {
    let turn = Turn {
        sprint: sprint.index,
        discipline: discipline.clone(),
        slack_id: Some(slack_id.clone()),
        source: Source::Rotation,
    };
    if state::insert_turn(tx, &turn, &[], actor, now)? {
        report.on_duty.count(true);
        return Ok(());
    }
    let recorded = state::turns_between(tx, sprint.index, sprint.index)?
        .into_iter()
        .find(|t| &t.discipline == discipline);
    match recorded.and_then(|t| t.slack_id) {
        Some(same) if &same == slack_id => report.on_duty.count(false),
        other => report.warnings.push(format!(
            "{STATE_FILE}: sprint {}'s turn for {discipline} was already recorded as {}, \
             which stays; {slack_id} was not kept on duty",
            sprint.index,
            other.map_or("nobody".to_string(), |id| id.to_string())
        )),
    }
    Ok(())
}

/// Records the rotation's pick for `present` and every sprint since the last recorded one, as
/// `duty::record_started_turns` does the first time a command sees a sprint in force.
fn record_rotation(
    tx: &Connection,
    present: &Sprint,
    sprints: &[Sprint],
    actor: &str,
    now: Timestamp,
) -> Result<()> {
    let first = match state::last_recorded_sprint(tx)? {
        Some(last) if last < present.index => last.next(),
        _ => present.index,
    };
    let started: Vec<_> = sprints
        .iter()
        .map(|s| s.index)
        .filter(|index| (first..=present.index).contains(index))
        .collect();
    let recorded = state::turns_between(tx, first, present.index)?;
    for discipline in disciplines::all(tx)? {
        let members = members::of_discipline(tx, &discipline.key)?;
        let mut known = recorded.clone();
        known.extend(state::latest_rotation_turn(tx, &discipline.key, first)?);
        for turn in plan_turns(&discipline, &members, &known, &started) {
            state::insert_turn(tx, &turn, &[], actor, now)?;
        }
    }
    Ok(())
}

/// Makes who is on duty in `present` the announced state of every discipline that has none.
fn announce(
    tx: &Connection,
    present: &Sprint,
    actor: &str,
    now: Timestamp,
    report: &mut ImportReport,
) -> Result<()> {
    let recorded = state::turns_between(tx, present.index, present.index)?;
    let announced = state::current_states(tx)?;
    for discipline in disciplines::all(tx)? {
        if announced.iter().any(|a| a.discipline == discipline.key) {
            report.current_state.count(false);
            continue;
        }
        let members = members::of_discipline(tx, &discipline.key)?;
        let base = base_assignment_from_turns(&discipline, &members, &recorded, present.index);
        let approved = overrides::approved_for(tx, present.index, &discipline.key)?;
        let on = on_duty(base, approved.as_ref());
        let person = on.slack_id.as_ref();
        state::set_state(tx, &discipline.key, Some(present.index), person, actor, now)?;
        report.current_state.count(true);
    }
    Ok(())
}
