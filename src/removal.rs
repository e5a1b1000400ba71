//! Taking someone out of a discipline's rotation, shared by the command line and the bot: in one
//! transaction the sprint in force is recorded first (so the removal cannot change who is on duty
//! now), the member is deactivated with the caller's outbox effects, and the answer says what the
//! removal means for duty: the person stays on duty until the sprint ends, and a discipline left
//! without active members gets its fallback (or nobody) from the next sprint.
//!
//! It reads no clock (`now` is a parameter) and knows nothing of Slack; callers word the answer.

use jiff::Timestamp;

use crate::domain::{DisciplineKey, SlackUserId, Sprint, Team};
use crate::duty::{self, DutyAt};
use crate::store::{Effects, MemberChange, MemberOutcome, Result, Store, StoreError};

/// A member taken out of a rotation, and what it means for duty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    pub change: MemberChange,
    /// Set when the person is on duty for the discipline in the sprint in force: they stay on
    /// duty until it ends.
    pub stays_on_duty: Option<StaysOnDuty>,
    /// Set when this removal left the discipline without active members.
    pub left_empty: Option<LeftEmpty>,
}

/// The sprint in which the removed person stays on duty, and the handoff that ends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaysOnDuty {
    pub sprint: Sprint,
    pub until: Timestamp,
}

/// A discipline with nobody left in its rotation: from the next sprint its fallback person is on
/// duty, or nobody when it has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftEmpty {
    pub fallback: Option<SlackUserId>,
}

/// Takes `user` out of `discipline`'s rotation and says what it means for duty.
pub fn remove_member(
    store: &Store,
    team: &Team,
    user: &SlackUserId,
    discipline: &DisciplineKey,
    actor: &str,
    now: Timestamp,
    effects: Effects<'_, MemberChange>,
) -> Result<Removal> {
    // One transaction: started sprints are recorded first (applying the dated roster changes
    // whose handoff has come, so a joiner can already be removed), and a refusal rolls that back
    // too, so a refused removal changes nothing.
    store.transaction(|store| remove_recorded(store, team, user, discipline, actor, now, effects))
}

fn remove_recorded(
    store: &Store,
    team: &Team,
    user: &SlackUserId,
    discipline: &DisciplineKey,
    actor: &str,
    now: Timestamp,
    effects: Effects<'_, MemberChange>,
) -> Result<Removal> {
    duty::record_started_turns(store, team, now, "rotation")?;
    if !store
        .members(Some(discipline))?
        .iter()
        .any(|m| &m.slack_id == user)
    {
        return Err(StoreError::NotAMember {
            slack_id: user.clone(),
            discipline: discipline.clone(),
        });
    }
    let change = store.deactivate_member_with(user, discipline, actor, None, now, effects)?;
    let (answer, roster) = duty::duty_and_roster_at(store, team, now, now, "rotation")?;
    let stays_on_duty = match answer {
        DutyAt::InForce { duty, until }
            if duty
                .assignments
                .iter()
                .any(|a| &a.discipline == discipline && a.slack_id.as_ref() == Some(user)) =>
        {
            Some(StaysOnDuty {
                sprint: duty.sprint,
                until,
            })
        }
        _ => None,
    };
    let nobody_active = roster.members_of(discipline).iter().all(|m| !m.active);
    let left_empty =
        (change.outcome == MemberOutcome::Deactivated && nobody_active).then(|| LeftEmpty {
            fallback: roster
                .discipline(discipline)
                .and_then(|d| d.fallback.clone()),
        });
    Ok(Removal {
        change,
        stays_on_duty,
        left_empty,
    })
}
