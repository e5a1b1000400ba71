//! Fairness from the recorded history, loaded in one place for the command line and the bot
//! (and any later reader): records the started sprints first, reads their turns, skips and
//! approved overrides in one snapshot, and counts them with `domain::stats`. Every started
//! sprint is read, whatever `--since` says, since what someone is still owed needs them all; the
//! domain counts the rest from `since` on. Also the one JSON shape of the answer
//! (`triage-bot stats --json`).
//!
//! It reads no clock (`now` is a parameter) and decides nothing itself.

use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::{Value, json};

use crate::domain::Team;
use crate::domain::stats::{self, Fairness, History, Scope};
use crate::duty::{self, Roster};
use crate::store::{Result, Store};

/// The actor the audit log records for turns recorded on the way.
const ACTOR: &str = "rotation";

/// The counts of `scope` at `now`, with the roster they were named with. Sprints that have
/// started and are not recorded yet are recorded first, so the answer counts them.
pub fn fairness(
    store: &Store,
    team: &Team,
    scope: &Scope,
    now: Timestamp,
) -> Result<(Fairness, Roster)> {
    duty::record_started_turns(store, team, now, ACTOR)?;
    store.snapshot(|store| {
        let sprints = store.sprints_starting(None, duty::local_date(team, now))?;
        let (turns, skips, approved) = match (sprints.first(), sprints.last()) {
            (Some(first), Some(last)) => (
                store.turns_between(first.index, last.index)?,
                store.skips_between(first.index, last.index)?,
                store.approved_overrides_between(first.index, last.index)?,
            ),
            _ => (Vec::new(), Vec::new(), Vec::new()),
        };
        let roster = Roster::load(store)?;
        let history = History {
            sprints: &sprints,
            turns: &turns,
            skips: &skips,
            approved: &approved,
        };
        let counted = stats::fairness(
            history,
            &roster.disciplines,
            &roster.members,
            scope,
            team,
            now,
        );
        Ok((counted, roster))
    })
}

/// `{"since", "people": [{"slack_id", "name", "discipline", "served", "covers_given",
/// "covers_received", "away_swaps", "passed_over", "owed_turns_taken", "owed"}],
/// "median_served"}`, people in the order counted.
pub fn fairness_json(fairness: &Fairness, since: Option<Date>) -> Value {
    let people: Vec<Value> = fairness
        .people
        .iter()
        .map(|p| {
            json!({
                "slack_id": p.person.as_str(),
                "name": p.name,
                "discipline": p.discipline.as_str(),
                "served": p.served,
                "covers_given": p.covers_given,
                "covers_received": p.covers_received,
                "away_swaps": p.away_swaps,
                "passed_over": p.passed_over,
                "owed_turns_taken": p.owed_turns_taken,
                "owed": p.owed,
            })
        })
        .collect();
    json!({
        "since": since.map(|d| d.to_string()),
        "people": people,
        "median_served": fairness.median_served,
    })
}
