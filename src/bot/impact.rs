//! Change-impact notices: when the open window has lasted `TRIAGE_IMPACT_WINDOW`, the scheduler
//! closes it here. Who was on duty in the coming sprints when it opened (its baseline) is
//! compared with who is on duty in the same sprints now; each person whose duties differ gets
//! one DM with what they had and what they have now (the net effect of every change in the
//! window, so an edit undone within it tells nobody). The DMs and the window's closing commit
//! together, keyed `impact:<window>:<person>`, so a restart neither repeats nor loses them.
//!
//! Decisions on coverage requests are not told twice: their own DMs already tell the people
//! they move, and while a window is open [`record_decision`] keeps which slot told whom, so
//! those slots are left out of that window's notices. Likewise whoever took over a sprint that
//! started while the window was open heard of it from the handoff (whoever lost it still hears
//! from here). The sprint in force when the window opened is not compared at all: the announcer
//! tells people about it.

use jiff::Timestamp;

use super::effect::{Effect, Outgoing, items};
use crate::config::Config;
use crate::coverage::DecisionOutcome;
use crate::dates::SlackDates;
use crate::domain::impact::{self, PersonImpact, Told, handed_over};
use crate::domain::{Team, sprint_starts_at};
use crate::duty::{self, Roster};
use crate::slack::impact::duties_changed;
use crate::store::{Result, Store};

/// The actor recorded when closing a window records started sprints.
const ACTOR: &str = "rotation";

/// Closes the open window if it has lasted the configured time at `now`, enqueueing one DM per
/// person whose upcoming duties it moved, in one transaction. Returns how many DMs it enqueued.
pub fn close_due(store: &Store, config: &Config, now: Timestamp) -> Result<usize> {
    // A read first: most rounds have no window to close, and need no write transaction.
    if closes_at(store, config)?.is_none_or(|closes| closes > now) {
        return Ok(0);
    }
    let team = config.team();
    store.transaction(|store| {
        let Some(window) = store.open_impact_window()? else {
            return Ok(0);
        };
        if config.bot.impact_window.closes_at(window.opened_at) > now {
            return Ok(0);
        }
        duty::record_started_turns(store, &team, now, ACTOR)?;
        // The same sprints as the baseline: those after the one in force when it opened.
        let after = crate::impact::upcoming(store, &team, window.opened_at)?;
        let mut told = store.impact_told(window.id)?;
        told.extend(handed_over(&after, &team, now));
        let moved = impact::impact(&window.baseline, &after, &told);
        let roster = Roster::load(store)?;
        let outgoing: Vec<Outgoing> = moved
            .iter()
            .map(|person| notice(window.id, person, &roster, config, &team, now))
            .collect();
        store.close_impact_window(window.id, &items(&outgoing), now)?;
        if !outgoing.is_empty() {
            tracing::info!(
                window = window.id,
                told = outgoing.len(),
                "change-impact notices enqueued"
            );
        }
        Ok(outgoing.len())
    })
}

/// One person's DM. It is routine: caused on a day off, it waits for the next working day's
/// heads-up time, unless the earliest sprint it names starts sooner.
fn notice(
    window: i64,
    person: &PersonImpact,
    roster: &Roster,
    config: &Config,
    team: &Team,
    now: Timestamp,
) -> Outgoing {
    let dates = SlackDates::new(team, now);
    let rendered = duties_changed(person, roster, &dates, &config.bot.command);
    let effect = Effect::DirectMessage {
        user: person.person.to_string(),
        text: rendered.text,
        blocks: Some(rendered.blocks),
    };
    let earliest = person
        .had
        .iter()
        .chain(&person.now)
        .map(|duty| sprint_starts_at(&duty.sprint, team))
        .min();
    let not_before = earliest.map_or(now, |starts_at| {
        config
            .bot
            .heads_up
            .routine_delivery(&team.zone, now, starts_at)
    });
    Outgoing {
        key: format!("impact:{window}:{}", person.person),
        effect,
        not_before,
        expires_at: None,
    }
}

/// When the open window closes, if one is open.
pub fn closes_at(store: &Store, config: &Config) -> Result<Option<Timestamp>> {
    let opened_at = store.impact_window_opened_at()?;
    Ok(opened_at.map(|at| config.bot.impact_window.closes_at(at)))
}

/// Keeps, for the open window, the slot a decision moved and the two people its DMs told about
/// it (who was on duty before and who is now), so the window's notices leave that slot out for
/// them. Runs inside the decision's transaction; does nothing when no window is open.
pub fn record_decision(store: &Store, outcome: &DecisionOutcome) -> Result<usize> {
    let Some(sprint) = outcome.sprint.as_ref().filter(|_| outcome.duty_moved()) else {
        return Ok(0);
    };
    let told: Vec<Told> = outcome
        .holder_before
        .iter()
        .chain(&outcome.holder_after)
        .map(|person| Told {
            person: person.clone(),
            sprint: sprint.index,
            discipline: outcome.request.discipline.clone(),
        })
        .collect();
    store.record_impact_told(&told)
}
