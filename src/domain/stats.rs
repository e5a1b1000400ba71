//! Fairness you can see: per person and discipline, how many sprints they served, how many covers
//! they gave and received, and how many of their turns were skipped or owed: moved by an away
//! fix, or passed over by double-duty avoidance (and whether that turn is still owed), counted
//! from the recorded history alone.
//!
//! The history is what the store recorded: the rotation's turn of each started sprint, the skips
//! it made to reach it under `double-duty = avoid`, and the approved overrides on top of it. Only
//! sprints that have started by `now` count (a planned sprint is a projection, not history), and
//! nothing here looks at the rotation's order, so a later roster edit changes no count. What
//! someone is still owed is a state, not a tally: it is read from every started sprint, whatever
//! `since` says. Plain data in, plain data out: no clock, no store.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;

use super::away::is_away_swap;
use super::ids::{DisciplineKey, SlackUserId, SprintIndex};
use super::model::{
    Discipline, Member, Override, OverrideStatus, Skip, SkipKind, Sprint, Team, Turn,
};
use super::sprint::sprint_has_started;

/// The recorded history to count: sprints, their recorded turns and skips, and the approved
/// overrides. Turns, skips and overrides of sprints not in `sprints` are ignored. `sprints`
/// should hold every started sprint, those before `since` too: what is still owed needs them.
#[derive(Debug, Clone, Copy)]
pub struct History<'a> {
    pub sprints: &'a [Sprint],
    pub turns: &'a [Turn],
    pub skips: &'a [Skip],
    pub approved: &'a [Override],
}

/// Which part of the history to count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// Only sprints starting on or after this day.
    pub since: Option<Date>,
    /// Only this discipline.
    pub discipline: Option<DisciplineKey>,
}

/// One person's counts in one discipline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonStats {
    pub person: SlackUserId,
    /// Their name in the roster, if they are still listed in any discipline.
    pub name: Option<String>,
    pub discipline: DisciplineKey,
    /// Started sprints in which they were on duty for the discipline, covering included.
    pub served: u32,
    /// Approved covers (not away swaps) in which they replaced someone.
    pub covers_given: u32,
    /// Approved covers (not away swaps) of a slot of theirs.
    pub covers_received: u32,
    /// Their turns an away swap the bot made moved (`domain::away::is_away_swap`).
    pub away_swaps: u32,
    /// The times the rotation passed them over to avoid double or back-to-back duty.
    pub passed_over: u32,
    /// The turns they took ahead of the rotation because one was owed to them.
    pub owed_turns_taken: u32,
    /// 1 when the rotation passed them over and they have had no turn in the discipline since
    /// (an owed one or their own), over every started sprint whatever the scope's `since`; else
    /// 0. The rotation owes a person one turn at most.
    pub owed: u32,
}

/// The counts of everyone listed, and the median of their sprints served.
#[derive(Debug, Clone, PartialEq)]
pub struct Fairness {
    /// By discipline in display order, then by name (or id when the name is unknown).
    pub people: Vec<PersonStats>,
    /// The median of `served` over `people` (0 when nobody is listed).
    pub median_served: f64,
}

impl Fairness {
    /// The rows of `person`, one per discipline, in display order.
    pub fn of<'a>(&'a self, person: &'a SlackUserId) -> impl Iterator<Item = &'a PersonStats> {
        self.people.iter().filter(move |p| &p.person == person)
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    served: u32,
    covers_given: u32,
    covers_received: u32,
    away_swaps: u32,
    passed_over: u32,
    owed_turns_taken: u32,
    owed: u32,
}

/// Counts `history` within `scope` at `now`. Everyone with a count appears, whether or not the
/// roster still lists them; so does every active member of a counted discipline, with zeros.
pub fn fairness(
    history: History<'_>,
    disciplines: &[Discipline],
    members: &[Member],
    scope: &Scope,
    team: &Team,
    now: Timestamp,
) -> Fairness {
    let started: Vec<&Sprint> = history
        .sprints
        .iter()
        .filter(|s| sprint_has_started(s, team, now))
        .collect();
    let counted: Vec<SprintIndex> = started
        .iter()
        .filter(|s| scope.since.is_none_or(|since| s.start >= since))
        .map(|s| s.index)
        .collect();
    let started: Vec<SprintIndex> = started.iter().map(|s| s.index).collect();
    let in_discipline =
        |discipline: &DisciplineKey| scope.discipline.as_ref().is_none_or(|d| d == discipline);
    let in_scope = |sprint: SprintIndex, discipline: &DisciplineKey| {
        counted.contains(&sprint) && in_discipline(discipline)
    };
    let mut counts: BTreeMap<(DisciplineKey, SlackUserId), Counts> = BTreeMap::new();
    for member in members.iter().filter(|m| m.active) {
        if scope
            .discipline
            .as_ref()
            .is_none_or(|d| d == &member.discipline)
        {
            counts
                .entry((member.discipline.clone(), member.slack_id.clone()))
                .or_default();
        }
    }
    let mut count = |discipline: &DisciplineKey, person: &SlackUserId, add: fn(&mut Counts)| {
        add(counts
            .entry((discipline.clone(), person.clone()))
            .or_default());
    };
    let approved: Vec<&Override> = history
        .approved
        .iter()
        .filter(|o| o.status == OverrideStatus::Approved && in_scope(o.sprint, &o.discipline))
        .collect();
    for (discipline, person) in on_duty(history.turns, &approved, &in_scope) {
        count(&discipline, &person, |c| c.served += 1);
    }
    for o in approved {
        if is_away_swap(o) {
            if let Some(original) = &o.original {
                count(&o.discipline, original, |c| c.away_swaps += 1);
            }
            continue;
        }
        count(&o.discipline, &o.replacement, |c| c.covers_given += 1);
        if let Some(original) = &o.original {
            count(&o.discipline, original, |c| c.covers_received += 1);
        }
    }
    for skip in history.skips.iter() {
        if in_scope(skip.sprint, &skip.discipline) {
            match skip.kind {
                SkipKind::PassedOver => {
                    count(&skip.discipline, &skip.slack_id, |c| c.passed_over += 1)
                }
                SkipKind::OwedTurn => count(&skip.discipline, &skip.slack_id, |c| {
                    c.owed_turns_taken += 1
                }),
            }
        }
    }
    let in_history = |sprint: SprintIndex, discipline: &DisciplineKey| {
        started.contains(&sprint) && in_discipline(discipline)
    };
    for (discipline, person) in still_owed(history, &in_history) {
        count(&discipline, &person, |c| c.owed = 1);
    }
    let mut people: Vec<PersonStats> = counts
        .into_iter()
        .map(|((discipline, person), c)| PersonStats {
            name: name_of(members, &person, &discipline),
            person,
            discipline,
            served: c.served,
            covers_given: c.covers_given,
            covers_received: c.covers_received,
            away_swaps: c.away_swaps,
            passed_over: c.passed_over,
            owed_turns_taken: c.owed_turns_taken,
            owed: c.owed,
        })
        .collect();
    sort(&mut people, disciplines);
    let median_served = median(people.iter().map(|p| p.served).collect());
    Fairness {
        people,
        median_served,
    }
}

/// Who was on duty in each counted slot: the approved override's replacement, else the
/// recorded turn's person (nobody when it recorded nobody).
fn on_duty(
    turns: &[Turn],
    approved: &[&Override],
    in_scope: &dyn Fn(SprintIndex, &DisciplineKey) -> bool,
) -> Vec<(DisciplineKey, SlackUserId)> {
    let mut slots: BTreeMap<(SprintIndex, DisciplineKey), Option<SlackUserId>> = BTreeMap::new();
    for turn in turns.iter().filter(|t| in_scope(t.sprint, &t.discipline)) {
        slots.insert(
            (turn.sprint, turn.discipline.clone()),
            turn.slack_id.clone(),
        );
    }
    for o in approved {
        slots.insert(
            (o.sprint, o.discipline.clone()),
            Some(o.replacement.clone()),
        );
    }
    slots
        .into_iter()
        .filter_map(|((_, discipline), person)| Some((discipline, person?)))
        .collect()
}

/// The people the rotation still owes a turn in a discipline, among the slots `in_history`
/// keeps: passed over in some sprint, and given no recorded turn in the discipline after it.
fn still_owed(
    history: History<'_>,
    in_history: &dyn Fn(SprintIndex, &DisciplineKey) -> bool,
) -> Vec<(DisciplineKey, SlackUserId)> {
    type Latest = BTreeMap<(DisciplineKey, SlackUserId), SprintIndex>;
    let mut passed: Latest = BTreeMap::new();
    let mut served: Latest = BTreeMap::new();
    let later = |latest: &mut Latest, key: (DisciplineKey, SlackUserId), sprint: SprintIndex| {
        let at = latest.entry(key).or_insert(sprint);
        *at = (*at).max(sprint);
    };
    for skip in history.skips.iter() {
        if skip.kind == SkipKind::PassedOver && in_history(skip.sprint, &skip.discipline) {
            let key = (skip.discipline.clone(), skip.slack_id.clone());
            later(&mut passed, key, skip.sprint);
        }
    }
    for turn in history.turns.iter() {
        if let Some(person) = &turn.slack_id
            && in_history(turn.sprint, &turn.discipline)
        {
            later(
                &mut served,
                (turn.discipline.clone(), person.clone()),
                turn.sprint,
            );
        }
    }
    passed
        .into_iter()
        .filter(|(key, at)| served.get(key).is_none_or(|turn| turn < at))
        .map(|(key, _)| key)
        .collect()
}

/// The person's name in `discipline`, else in any discipline they are listed in.
fn name_of(members: &[Member], person: &SlackUserId, discipline: &DisciplineKey) -> Option<String> {
    let listed = || members.iter().filter(|m| &m.slack_id == person);
    listed()
        .find(|m| &m.discipline == discipline)
        .or_else(|| listed().next())
        .map(|m| m.name.clone())
}

/// By discipline in display order (unknown disciplines last, by key), then by name ignoring
/// case, people without a name by id after those with one.
fn sort(people: &mut [PersonStats], disciplines: &[Discipline]) {
    let position = |key: &DisciplineKey| {
        disciplines
            .iter()
            .find(|d| &d.key == key)
            .map_or(i64::MAX, |d| d.position)
    };
    people.sort_by_cached_key(|p| {
        (
            position(&p.discipline),
            p.discipline.clone(),
            p.name.is_none(),
            p.name.as_deref().map(str::to_lowercase),
            p.person.clone(),
        )
    });
}

/// The median of `values`: the middle one, or the mean of the two in the middle; 0 for none.
fn median(mut values: Vec<u32>) -> f64 {
    values.sort_unstable();
    let n = values.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => f64::from(values[n / 2]),
        _ => (f64::from(values[n / 2 - 1]) + f64::from(values[n / 2])) / 2.0,
    }
}

#[cfg(test)]
mod tests;
