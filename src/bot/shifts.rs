//! One person's shifts: the (sprint, discipline) slots they are on duty for, now and next.
//!
//! Built from `duty::schedule`, so overrides count: a person covering a slot has that shift,
//! and the person covered for does not. Reads no clock; knows nothing of Slack.

use jiff::Timestamp;

use crate::domain::{
    DisciplineKey, SlackUserId, Source, Sprint, SprintIndex, Team, sprint_ends_at, sprint_starts_at,
};
use crate::duty::{self, SprintDuty};
use crate::store::{Result, Store};

/// How many sprints ahead shifts are looked for.
pub const HORIZON: usize = 8;

/// One slot a person is on duty for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shift {
    pub sprint: Sprint,
    pub discipline: DisciplineKey,
    pub source: Source,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    /// The shift is in force at `now`.
    pub current: bool,
    /// The shift falls in one of the person's absences.
    pub away: bool,
}

impl Shift {
    /// The value that names this shift in buttons and menus: `<sprint>:<discipline>`.
    pub fn slot_value(&self) -> String {
        slot_value(self.sprint.index, &self.discipline)
    }
}

/// `<sprint>:<discipline>`, the way buttons and menus name a slot.
pub fn slot_value(sprint: SprintIndex, discipline: &DisciplineKey) -> String {
    format!("{sprint}:{discipline}")
}

/// Reads a slot written by [`slot_value`].
pub fn parse_slot_value(value: &str) -> Option<(SprintIndex, DisciplineKey)> {
    let (sprint, discipline) = value.split_once(':')?;
    Some((sprint.parse().ok()?, DisciplineKey::parse(discipline).ok()?))
}

/// The current and upcoming sprints' duty, from the one in force at `now`.
pub fn upcoming_duty(
    store: &Store,
    team: &Team,
    now: Timestamp,
    count: usize,
) -> Result<Vec<SprintDuty>> {
    duty::schedule(store, team, now, count, now, "rotation")
}

/// `user`'s shifts among `duties` (consecutive sprints, oldest first).
pub fn shifts_of(
    duties: &[SprintDuty],
    user: &SlackUserId,
    team: &Team,
    now: Timestamp,
) -> Vec<Shift> {
    let mut shifts = Vec::new();
    for (i, duty) in duties.iter().enumerate() {
        let next = duties.get(i + 1).map(|d| &d.sprint);
        let starts_at = sprint_starts_at(&duty.sprint, team);
        let ends_at = sprint_ends_at(&duty.sprint, next, team);
        for assignment in duty
            .assignments
            .iter()
            .filter(|a| a.slack_id.as_ref() == Some(user))
        {
            shifts.push(Shift {
                sprint: duty.sprint.clone(),
                discipline: assignment.discipline.clone(),
                source: assignment.source,
                starts_at,
                ends_at,
                current: starts_at <= now && now < ends_at,
                away: duty.is_away(user),
            });
        }
    }
    shifts
}

/// `user`'s shifts in the next [`HORIZON`] sprints, the current one included.
pub fn upcoming_shifts(
    store: &Store,
    team: &Team,
    user: &SlackUserId,
    now: Timestamp,
) -> Result<Vec<Shift>> {
    let duties = upcoming_duty(store, team, now, HORIZON)?;
    Ok(shifts_of(&duties, user, team, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_values_round_trip() {
        let key = DisciplineKey::parse("uiEng").unwrap();
        let value = slot_value(SprintIndex::new(12).unwrap(), &key);
        assert_eq!(value, "12:uiEng");
        assert_eq!(
            parse_slot_value(&value),
            Some((SprintIndex::new(12).unwrap(), key))
        );
        assert_eq!(parse_slot_value("x:ui"), None);
        assert_eq!(parse_slot_value("12"), None);
    }
}
