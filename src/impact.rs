//! Change impact as the command line and the bot both use it: a change that may move people's
//! upcoming duty (a roster change, a sprint edit) runs through [`change`], which says whose
//! duties it moved and opens the coalescing window (recording the baseline) when it moved
//! someone and no window is open; later changes join the open window. A dry run makes the same
//! change and answer, then rolls everything back.
//!
//! What a window's end tells people is the bot's (`bot::impact`); the rules are
//! `domain::impact`'s. It reads no clock (`now` is a parameter) and knows nothing of Slack.

use jiff::Timestamp;

use crate::domain::Team;
use crate::domain::impact::{self, HORIZON, PersonImpact, UpcomingSprint};
use crate::duty::{self, Roster, local_date};
use crate::store::{Result, Store, TransactionError};

/// Whether a change is made or only tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Make the change (and open or join the window).
    Apply,
    /// Make it in a transaction that is rolled back: nothing changes.
    DryRun,
}

/// Whose upcoming duties a change moved (by name), with the roster as the change left it (for
/// names: a dry run's roster is gone once it is rolled back).
#[derive(Debug, Clone)]
pub struct Impact {
    pub moved: Vec<PersonImpact>,
    pub roster: Roster,
}

/// The actor recorded when reading the schedule records started sprints.
const ROTATION: &str = "rotation";

/// Who is on duty in the [`HORIZON`] sprints that start after `from`, as the store says now.
pub fn upcoming(store: &Store, team: &Team, from: Timestamp) -> Result<Vec<UpcomingSprint>> {
    store.snapshot(|store| {
        let roster = Roster::load(store)?;
        let sprints = store.sprints_around(local_date(team, from), 1, HORIZON + 1)?;
        sprints
            .iter()
            .filter(|sprint| crate::domain::sprint_starts_at(sprint, team) > from)
            .take(HORIZON)
            .map(|sprint| {
                let duty = duty::sprint_duty(store, team, &roster, sprint)?;
                let on_duty = duty
                    .assignments
                    .into_iter()
                    .filter_map(|a| Some((a.discipline, a.slack_id?)))
                    .collect();
                Ok(UpcomingSprint {
                    sprint: sprint.clone(),
                    on_duty,
                })
            })
            .collect()
    })
}

/// Runs `change` in one transaction (or a rolled-back one, for a dry run) and returns its value
/// with the people whose duties over the next [`HORIZON`] sprints it moved: compared with the
/// schedule just before it, in the same transaction. Sprints that started are recorded first, so
/// the change cannot touch them. When it moved someone and it is applied, the coalescing window
/// opens with the schedule before it as the baseline, unless one is open already.
pub fn change<T, E: TransactionError>(
    store: &Store,
    team: &Team,
    now: Timestamp,
    actor: &str,
    mode: Mode,
    change: impl Fn(&Store) -> std::result::Result<T, E>,
) -> std::result::Result<(T, Impact), E> {
    let run = |store: &Store| {
        duty::record_started_turns(store, team, now, ROTATION)?;
        let before = upcoming(store, team, now)?;
        let value = change(store)?;
        duty::record_started_turns(store, team, now, ROTATION)?;
        let after = upcoming(store, team, now)?;
        let mut moved = impact::impact(&before, &after, &[]);
        if !moved.is_empty() {
            store.start_impact_window(&before, actor, now)?;
        }
        let roster = Roster::load(store)?;
        moved.sort_by_cached_key(|p| {
            let name = roster.name_of(&p.person).map(str::to_lowercase);
            (name.is_none(), name, p.person.clone())
        });
        Ok((value, Impact { moved, roster }))
    };
    match mode {
        Mode::Apply => store.transaction(run),
        Mode::DryRun => store.dry_run(run),
    }
}
