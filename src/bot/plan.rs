//! Keeping the sprint plan from running out, on every scheduler round and when `serve` starts:
//! with a declared cadence the plan is extended (`Store::extend_plan`, audited as the bot);
//! without one, the admin channel is warned 14 and 2 days before the last planned sprint ends,
//! each warning once (an outbox idempotency key per last sprint and lead time).

use jiff::Timestamp;

use crate::bot::announce::ACTOR;
use crate::bot::effect::{Effect, Outgoing, items};
use crate::config::Config;
use crate::dates::SlackDates;
use crate::domain::Sprint;
use crate::domain::plan::{PlanWarning, next_warning_moment, plan_warning};
use crate::slack::text::escape;
use crate::store::{Result, Store};

/// What one round did to the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanRound {
    /// The cadence added these sprints (maybe none).
    Extended(Vec<Sprint>),
    /// No cadence: this many warnings were newly enqueued.
    Warned(usize),
}

/// Extends the plan by the cadence, or, without one, enqueues the warning due at `now`.
pub fn keep_planned(store: &Store, config: &Config, now: Timestamp) -> Result<PlanRound> {
    let team = config.team();
    if store.cadence()?.is_some() {
        return Ok(PlanRound::Extended(store.extend_plan(&team, ACTOR, now)?));
    }
    let (Some(last), Some(channel)) = (store.last_sprint()?, &config.bot.admin_channel) else {
        return Ok(PlanRound::Warned(0));
    };
    let Some(warning) = plan_warning(&last, &team, now) else {
        return Ok(PlanRound::Warned(0));
    };
    let effect = Effect::PostMessage {
        channel: channel.clone(),
        text: warning_text(&warning, &config.bot.command, &SlackDates::new(&team, now)),
        blocks: None,
        message_key: None,
        thread_ts: None,
    };
    let outgoing = Outgoing {
        expires_at: Some(warning.ends_at),
        ..Outgoing::now(warning.key.clone(), effect, now)
    };
    Ok(PlanRound::Warned(store.enqueue(&items(&[outgoing]), now)?))
}

/// The next moment after `now` at which a warning falls due (none with a cadence).
pub fn next_warning(store: &Store, config: &Config, now: Timestamp) -> Result<Option<Timestamp>> {
    if store.cadence()?.is_some() || config.bot.admin_channel.is_none() {
        return Ok(None);
    }
    let team = config.team();
    Ok(store
        .last_sprint()?
        .and_then(|last| next_warning_moment(&last, &team, now)))
}

/// The admin channel's warning, e.g. "The last planned sprint, Sprint 12, ends on Sun Jun 7: …".
pub fn warning_text(warning: &PlanWarning, command: &str, dates: &SlackDates) -> String {
    format!(
        "The last planned sprint, {}, ends on {}: add sprints (`{command} sprint generate …`) or declare a cadence (`triage-bot sprint cadence set …`)",
        escape(&warning.last.name),
        dates.day(warning.last.end)
    )
}

/// Runs [`keep_planned`] on the blocking pool and logs what it did.
pub async fn keep_planned_logged(store: &Store, config: &std::sync::Arc<Config>, now: Timestamp) {
    let config = config.clone();
    match store.run(move |s| keep_planned(s, &config, now)).await {
        Ok(PlanRound::Extended(added)) if !added.is_empty() => {
            let last = added.last().map(|s| s.end.to_string());
            tracing::info!(added = added.len(), ?last, "the cadence extended the plan");
        }
        Ok(PlanRound::Warned(n)) if n > 0 => {
            tracing::info!("warned the admins that the sprint plan runs out");
        }
        Ok(_) => {}
        Err(error) => tracing::error!(%error, "could not keep the sprint plan extended"),
    }
}

#[cfg(test)]
mod tests {
    use expect_test::expect;
    use jiff::civil::{Time, date};
    use jiff::tz::TimeZone;

    use super::*;
    use crate::domain::{SprintIndex, Team};

    #[test]
    fn the_warning_names_the_last_sprint_and_both_ways_out() {
        let team = Team {
            zone: TimeZone::get("America/Los_Angeles").unwrap(),
            handoff: Time::constant(9, 0, 0, 0),
            double_duty: Default::default(),
        };
        let last = Sprint {
            index: SprintIndex::new(11).unwrap(),
            name: "Sprint 12".into(),
            start: date(2026, 5, 25),
            end: date(2026, 6, 7),
        };
        let now = "2026-05-26T00:00:00Z".parse().unwrap();
        let warning = plan_warning(&last, &team, now).unwrap();
        let dates = SlackDates::new(&team, now);
        expect![[r#"The last planned sprint, Sprint 12, ends on Sun Jun 7: add sprints (`/triage sprint generate …`) or declare a cadence (`triage-bot sprint cadence set …`)"#]]
            .assert_eq(&warning_text(&warning, "/triage", &dates));
    }
}
