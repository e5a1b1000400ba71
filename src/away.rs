//! Absences as the command line and the bot both handle them: recording an away window (and what
//! it causes: the duties it overlaps, and with the `swap-next` policy the swaps that resolve
//! them), removing one, and which conflicts the admins are to be alerted about.
//!
//! Each change runs in one `Store::transaction` that first records started sprints, loads the
//! facts, decides with `domain::away`, records the outcome and enqueues the caller's effects of
//! it. It reads no clock (`now` is a parameter) and knows nothing of Slack.

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

use crate::domain::away::{
    self, Alert, AwayPolicy, AwayWindow, Duty, SWAP_SEARCH, Swap, check_new_window, plan_swaps,
};
use crate::domain::impact::Told;
use crate::domain::{
    DisciplineKey, DoubleDuty, Override, SlackUserId, Sprint, SprintIndex, Team, sprint_ends_at,
    sprint_has_started, sprint_starts_at,
};
use crate::duty::{self, Roster, SprintDuty, local_date};
use crate::store::{Effects, NewAwayWindow, Result, Store, StoreError};

/// One duty of the away person that falls in the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflicting {
    pub sprint: Sprint,
    pub discipline: DisciplineKey,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    /// The sprint is in force already: it is never changed.
    pub started: bool,
    /// When the admins are alerted if the person still holds the slot then.
    pub alert_at: Timestamp,
}

/// A swap made because of the window, with the sprints and the two overrides it was recorded as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwapMade {
    pub swap: Swap,
    pub away_sprint: Sprint,
    pub partner_sprint: Sprint,
    /// The away person's slot given to the partner, and the partner's given to the away person.
    pub overrides: (Override, Override),
}

/// What recording a window did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwayAdded {
    pub window: AwayWindow,
    /// False when the same days were already recorded: nothing changed.
    pub created: bool,
    /// The person's duties, as they were before any swap, that fall in the window (sprints that
    /// have not ended).
    pub conflicts: Vec<Conflicting>,
    /// The swaps that resolved some of them (`swap-next` disciplines only).
    pub swaps: Vec<SwapMade>,
}

impl AwayAdded {
    /// The conflicts no swap resolved: the person still holds these slots.
    pub fn unresolved(&self) -> Vec<&Conflicting> {
        self.conflicts
            .iter()
            .filter(|c| {
                !self.swaps.iter().any(|s| {
                    s.away_sprint.index == c.sprint.index && s.swap.discipline == c.discipline
                })
            })
            .collect()
    }
}

/// Records `new` (refused with the domain's reason, changing nothing, when it breaks a rule),
/// works out the duties it overlaps, makes the swaps of `swap-next` disciplines for duties that
/// have not started, and enqueues `effects` of the outcome, all in one transaction. The same
/// days again change nothing and report the window already recorded.
pub fn add_window(
    store: &Store,
    team: &Team,
    new: &NewAwayWindow,
    lead_days: i64,
    now: Timestamp,
    effects: Effects<'_, AwayAdded>,
) -> Result<AwayAdded> {
    store.transaction(|store| {
        duty::record_started_turns(store, team, now, "rotation")?;
        let roster = Roster::load(store)?;
        if !roster.members.iter().any(|m| m.slack_id == new.person) {
            return Err(StoreError::UnknownPerson(new.person.clone()));
        }
        let today = local_date(team, now);
        let existing = store.away_windows(Some(&new.person), new.from)?;
        let same = check_new_window(&new.person, new.from, new.to, today, &existing)?.cloned();
        let created = same.is_none();
        let window = match same {
            Some(window) => window,
            None => store.add_away_window(new, now)?,
        };
        let duties = live_duties(store, &roster, team, window.from, window.to, now)?;
        let conflicts = conflicts_in(&window, &duties, team, lead_days, now);
        let swaps = if created {
            swap_where_due(store, &roster, team, &window, &conflicts, now)?
        } else {
            Vec::new()
        };
        let outcome = AwayAdded {
            window,
            created,
            conflicts,
            swaps,
        };
        store.enqueue(&effects(&outcome), now)?;
        Ok(outcome)
    })
}

/// Who is on duty in every sprint sharing a day with `from..=to` that has not ended at `now`.
fn live_duties(
    store: &Store,
    roster: &Roster,
    team: &Team,
    from: Date,
    to: Date,
    now: Timestamp,
) -> Result<Vec<(SprintDuty, Timestamp)>> {
    let sprints = store.sprints_sharing_days(from, to)?;
    let mut duties = Vec::new();
    for sprint in sprints {
        let (_, next) = store.sprint_and_next(sprint.index)?;
        let ends_at = sprint_ends_at(&sprint, next.as_ref(), team);
        if ends_at > now {
            duties.push((duty::sprint_duty(store, team, roster, &sprint)?, ends_at));
        }
    }
    Ok(duties)
}

fn as_duty(duty: &SprintDuty) -> Duty {
    (duty.sprint.clone(), duty.assignments.clone())
}

fn conflicts_in(
    window: &AwayWindow,
    duties: &[(SprintDuty, Timestamp)],
    team: &Team,
    lead_days: i64,
    now: Timestamp,
) -> Vec<Conflicting> {
    let plain: Vec<Duty> = duties.iter().map(|(d, _)| as_duty(d)).collect();
    away::conflicts(window, &plain)
        .into_iter()
        .filter_map(|conflict| {
            let (duty, ends_at) = duties
                .iter()
                .find(|(d, _)| d.sprint.index == conflict.sprint)?;
            let starts_at = sprint_starts_at(&duty.sprint, team);
            Some(Conflicting {
                sprint: duty.sprint.clone(),
                discipline: conflict.discipline,
                starts_at,
                ends_at: *ends_at,
                started: starts_at <= now,
                alert_at: away::alert_moment(team, &duty.sprint, lead_days),
            })
        })
        .collect()
}

/// The swaps `window` causes in `swap-next` disciplines for conflicts that have not started,
/// recorded.
fn swap_where_due(
    store: &Store,
    roster: &Roster,
    team: &Team,
    window: &AwayWindow,
    conflicts: &[Conflicting],
    now: Timestamp,
) -> Result<Vec<SwapMade>> {
    let swapping: Vec<DisciplineKey> = store
        .away_policies()?
        .into_iter()
        .filter(|(_, policy)| *policy == AwayPolicy::SwapNext)
        .map(|(key, _)| key)
        .collect();
    let future: Vec<&Conflicting> = conflicts
        .iter()
        .filter(|c| !c.started && swapping.contains(&c.discipline))
        .collect();
    let Some(first) = future.first() else {
        return Ok(Vec::new());
    };
    let span = future.last().map_or(0, |last| {
        (last.sprint.index.get() - first.sprint.index.get()) as usize
    });
    // One sprint past the last candidate, for back-to-back duty after it.
    let sprints: Vec<Sprint> = store
        .sprints_around(first.sprint.start, 1, span + SWAP_SEARCH + 1)?
        .into_iter()
        .filter(|s| s.index >= first.sprint.index && !sprint_has_started(s, team, now))
        .collect();
    let mut duties = Vec::new();
    for sprint in &sprints {
        duties.push(as_duty(&duty::sprint_duty(store, team, roster, sprint)?));
    }
    let (Some(start), Some(end)) = (sprints.first(), sprints.last()) else {
        return Ok(Vec::new());
    };
    let windows = store.away_windows_between(start.start, end.end)?;
    // The sprint before the first (often the one in force), for back-to-back duty.
    let before = match store.sprints_before(start.index, 1)?.first() {
        Some(sprint) => Some(as_duty(&duty::sprint_duty(store, team, roster, sprint)?)),
        None => None,
    };
    let avoid = team.double_duty == DoubleDuty::Avoid;
    let planned = (before.as_ref(), duties.as_slice());
    let mut made = Vec::new();
    for swap in plan_swaps(window, planned, &roster.members, &windows, &swapping, avoid) {
        let reason = away::swap_reason(&swap, window.id);
        let overrides = store.record_away_swap(&swap, &reason, now)?;
        // Both people get a DM about the swap: an open change-impact window leaves it out.
        store.record_impact_told(&swap_told(&swap))?;
        let sprint = |index| sprints.iter().find(|s| s.index == index).cloned();
        let (Some(away_sprint), Some(partner_sprint)) =
            (sprint(swap.away_sprint), sprint(swap.partner_sprint))
        else {
            continue;
        };
        made.push(SwapMade {
            swap,
            away_sprint,
            partner_sprint,
            overrides,
        });
    }
    Ok(made)
}

/// The four (person, slot) pairs a swap's DMs tell about: both people, both slots.
fn swap_told(swap: &Swap) -> Vec<Told> {
    let people = [&swap.away, &swap.partner];
    let sprints = [swap.away_sprint, swap.partner_sprint];
    let slot = |person: &&SlackUserId, sprint: &SprintIndex| Told {
        person: (*person).clone(),
        sprint: *sprint,
        discipline: swap.discipline.clone(),
    };
    people
        .iter()
        .flat_map(|person| sprints.iter().map(move |sprint| slot(person, sprint)))
        .collect()
}

/// What removing a window did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwayRemoved {
    pub window: AwayWindow,
    /// Whether swaps the window caused are in force (approved): they stay as they are.
    pub swaps_kept: bool,
}

/// Removes absence `id` as `actor`, enqueueing `effects` of the removed window in the same
/// transaction. Swaps it caused stay: the people were told, and nobody's dates move again.
pub fn remove_window(
    store: &Store,
    id: i64,
    actor: &str,
    now: Timestamp,
    effects: Effects<'_, AwayWindow>,
) -> Result<AwayRemoved> {
    store.transaction(|store| {
        let window = store.remove_away_window(id, actor, now)?;
        let swaps_kept = store.away_swaps_in_force(window.id)? > 0;
        store.enqueue(&effects(&window), now)?;
        Ok(AwayRemoved { window, swaps_kept })
    })
}

/// The conflicts the admins are to be alerted about at `now` (see `domain::away::alerts_due`):
/// the sprints that have not ended and whose alert moment, `lead_days` before their handoff,
/// has come.
pub fn alerts_due(
    store: &Store,
    team: &Team,
    lead_days: i64,
    now: Timestamp,
) -> Result<Vec<Alert>> {
    duty::record_started_turns(store, team, now, "rotation")?;
    store.snapshot(|store| {
        let today = local_date(team, now);
        let yesterday = today.yesterday().unwrap_or(today);
        let horizon = today.checked_add(lead_days.days()).unwrap_or(today);
        let sprints = store.sprints_sharing_days(yesterday, horizon)?;
        let (Some(first), Some(last)) = (sprints.first(), sprints.last()) else {
            return Ok(Vec::new());
        };
        let windows = store.away_windows_between(first.start, last.end)?;
        if windows.is_empty() {
            return Ok(Vec::new());
        }
        let roster = Roster::load(store)?;
        let duties: Vec<Duty> = live_duties(store, &roster, team, first.start, last.end, now)?
            .iter()
            .map(|(d, _)| as_duty(d))
            .collect();
        Ok(away::alerts_due(&windows, &duties, team, lead_days, now))
    })
}

/// The next moment after `now` at which an alert may fall due: the alert moment of the first
/// sprints starting more than `lead_days` from today that share a day with someone's absence.
pub fn next_alert_moment(
    store: &Store,
    team: &Team,
    lead_days: i64,
    now: Timestamp,
) -> Result<Option<Timestamp>> {
    let today = local_date(team, now);
    let from = today.checked_add((lead_days - 1).days()).unwrap_or(today);
    let sprints = store.sprints_around(from, 0, 3)?;
    let (Some(first), Some(last)) = (sprints.first(), sprints.last()) else {
        return Ok(None);
    };
    let windows = store.away_windows_between(first.start, last.end)?;
    Ok(sprints
        .iter()
        .filter(|s| windows.iter().any(|w| w.overlaps(s)))
        .map(|s| away::alert_moment(team, s, lead_days))
        .filter(|moment| *moment > now)
        .min())
}
