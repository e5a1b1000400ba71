//! The App Home tab: am I on duty (and on which days) or when is my next shift, the current
//! and next sprint's teams, my shifts with "Request coverage" buttons, for admins the pending
//! requests with Approve and Decline buttons, and my time away (with Remove and *Add time
//! away*). Under the status, how many sprints I served next to the team median.
//!
//! [`home_view`] is also what the outbox worker calls to deliver a `PublishHome` effect, so it
//! takes `now` and reads everything it needs itself.

use jiff::Timestamp;
use serde_json::Value;

use super::shifts::{self, shifts_of};
use crate::config::Config;
use crate::dates::SlackDates;
use crate::domain::stats::Scope;
use crate::domain::{OverrideStatus, SlackUserId, sprint_starts_at};
use crate::duty::Roster;
use crate::slack::views::{self, HomeStatus};
use crate::slack::{absence, fairness};
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
    let away = super::away::home_windows(store, config, user, now)?;
    Ok(absence::with_time_away(view, &away, &dates))
}
