//! Dated joins and leaves as the command line and the bot both handle them: scheduling one
//! (checked by `domain::roster_change` against the roster and the plan inside the write
//! transaction), cancelling one, and listing the pending ones with the sprint each takes effect
//! at. Applying them is `duty::record_started_turns`'s, at their sprint's handoff.
//!
//! It reads no clock (`now` is a parameter) and knows nothing of Slack.

use jiff::Timestamp;

use crate::domain::roster_change::{ChangeFacts, ChangeKind, RosterChange, check_new_change};
use crate::domain::{DisciplineKey, SlackUserId, Sprint, Team};
use crate::duty::{self, local_date};
use crate::store::{NewRosterChange, Result, Store, StoreError};

/// A pending change and the sprint whose handoff it takes effect at (`None` while no sprint
/// starting on or after its date is planned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub change: RosterChange,
    pub effective: Option<Sprint>,
}

/// What scheduling did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheduled {
    pub pending: Pending,
    /// False when the same change was already scheduled: nothing changed.
    pub created: bool,
}

/// Schedules `new`, refused with the domain's reason (changing nothing) when it breaks a rule.
pub fn schedule(
    store: &Store,
    team: &Team,
    new: &NewRosterChange,
    now: Timestamp,
) -> Result<Scheduled> {
    store.transaction(|store| {
        duty::record_started_turns(store, team, now, "rotation")?;
        let members = store.members(Some(&new.discipline))?;
        let pending = store.pending_roster_changes(Some(&new.discipline))?;
        let effective = store.first_sprint_from(new.on)?;
        let facts = ChangeFacts {
            member: members.iter().find(|m| m.slack_id == new.person),
            pending: pending.iter().find(|c| c.person == new.person),
            effective: effective.as_ref(),
        };
        let today = local_date(team, now);
        let same = check_new_change(
            new.kind,
            &new.person,
            &new.discipline,
            new.on,
            facts,
            team,
            today,
            now,
        )?;
        let (change, created) = match same {
            Some(same) => (same.clone(), false),
            None => (store.schedule_roster_change(new, now)?, true),
        };
        Ok(Scheduled {
            pending: Pending { change, effective },
            created,
        })
    })
}

/// Cancels the pending `kind` change of `person` in `discipline`. One whose handoff has come
/// has taken effect (started sprints are recorded first) and can no longer be cancelled.
pub fn cancel(
    store: &Store,
    team: &Team,
    person: &SlackUserId,
    discipline: &DisciplineKey,
    kind: ChangeKind,
    actor: &str,
    now: Timestamp,
) -> Result<RosterChange> {
    store.transaction(|store| {
        duty::record_started_turns(store, team, now, "rotation")?;
        let found = store
            .pending_roster_changes(Some(discipline))?
            .into_iter()
            .find(|c| &c.person == person && c.kind == kind);
        let Some(change) = found else {
            return Err(StoreError::Invalid(format!(
                "no {kind} of {person} in {discipline} is scheduled"
            )));
        };
        store.cancel_roster_change(change.id, actor, now)
    })
}

/// The pending changes (of one discipline or all), by date, each with its sprint. Started
/// sprints are recorded first, so a change whose handoff has come is applied, not pending.
pub fn pending(
    store: &Store,
    team: &Team,
    discipline: Option<&DisciplineKey>,
    now: Timestamp,
) -> Result<Vec<Pending>> {
    duty::record_started_turns(store, team, now, "rotation")?;
    store.snapshot(|store| {
        let mut list = Vec::new();
        for change in store.pending_roster_changes(discipline)? {
            let effective = store.first_sprint_from(change.on)?;
            list.push(Pending { change, effective });
        }
        Ok(list)
    })
}
