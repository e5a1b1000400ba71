//! The App Home tab: am I on duty (and on which days) or when is my next shift, the current
//! and next sprint's teams, my shifts with "Request coverage" buttons, for admins the pending
//! requests with Approve and Decline buttons, and my time away (with Remove and *Add time
//! away*). Under the status, how many sprints I served next to the team median, and the handoff
//! notes handed over when the sprint in force started.
//!
//! [`home_view`] is also what the outbox worker calls to deliver a `PublishHome` effect, so it
//! takes `now` and reads everything it needs itself.

use jiff::Timestamp;
use serde_json::Value;

use super::shifts::{self, shifts_of};
use crate::config::Config;
use crate::dates::SlackDates;
use crate::domain::note::HandoffNote;
use crate::domain::stats::Scope;
use crate::domain::{OverrideStatus, SlackUserId, Sprint, sprint_starts_at};
use crate::duty::Roster;
use crate::slack::views::{self, HomeStatus};
use crate::slack::{absence, fairness, notes};
use crate::store::{Store, StoreError};

/// The Home tab of `user` at `now`.
pub fn home_view(
    store: &Store,
    config: &Config,
    user: &SlackUserId,
    now: Timestamp,
) -> Result<Value, StoreError> {
    let team = config.team();
    let duties = shifts::upcoming_duty(store, &team, now, shifts::HORIZON)?;
    let shifts = shifts_of(&duties, user, &team, now);
    let status = match shifts.first() {
        Some(shift) if shift.current => HomeStatus::OnDuty(shift),
        Some(shift) => HomeStatus::Next(shift),
        None => HomeStatus::Free,
    };
    let in_force = duties
        .first()
        .is_some_and(|d| sprint_starts_at(&d.sprint, &team) <= now);
    let titles: &[&str] = if in_force {
        &["Current sprint", "Next sprint"]
    } else {
        &["Next sprint"]
    };
    let teams: Vec<(&str, &crate::duty::SprintDuty)> =
        titles.iter().copied().zip(duties.iter()).collect();
    let is_admin = config.bot.admins.contains(user) || store.is_admin(user)?;
    let pending = if is_admin {
        Some(store.overrides(Some(OverrideStatus::Pending))?)
    } else {
        None
    };
    let roster = Roster::load(store)?;
    let sprints = store.sprints()?;
    let dates = SlackDates::new(&team, now);
    let view = views::home(
        status,
        &teams,
        &shifts,
        pending.as_deref(),
        &sprints,
        &roster,
        &dates,
    );
    let (counted, _) = crate::stats::fairness(store, &team, &Scope::default(), now)?;
    let view = match fairness::home_line(&counted, user, &roster) {
        Some(line) => fairness::with_home_line(view, &line),
        None => view,
    };
    let handed = match duties.first() {
        Some(current) if in_force => handed_over(store, &sprints, &current.sprint, &roster)?,
        _ => Vec::new(),
    };
    let view = notes::with_home_notes(view, &handed);
    let view = match duties.first() {
        Some(current) if in_force => super::notes::with_home_invite(
            view,
            store,
            config,
            user,
            (current, duties.get(1)),
            now,
        )?,
        _ => view,
    };
    let away = super::away::home_windows(store, config, user, now)?;
    Ok(absence::with_time_away(view, &away, &dates))
}

/// The notes handed over when `current` started: those left in the sprint just before it, each
/// with its discipline's name.
fn handed_over(
    store: &Store,
    sprints: &[Sprint],
    current: &Sprint,
    roster: &Roster,
) -> Result<Vec<(String, HandoffNote)>, StoreError> {
    let Some(previous) = sprints
        .iter()
        .filter(|s| s.start < current.start)
        .max_by_key(|s| s.start)
    else {
        return Ok(Vec::new());
    };
    let notes = store.handoff_notes(Some(previous.index))?;
    Ok(notes
        .into_iter()
        .map(|note| {
            let name = roster
                .discipline(&note.discipline)
                .map_or_else(|| note.discipline.to_string(), |d| d.name.clone());
            (name, note)
        })
        .collect())
}
