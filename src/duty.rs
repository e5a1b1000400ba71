//! Who is on duty, answered from the store with the domain's rules: the orchestration that
//! both the command line and the Slack bot use.
//!
//! It loads what it needs (a small window of sprints, never the whole history), records the
//! rotation's pick for any sprint that has started and is not recorded yet (so a started sprint's
//! assignment never changes afterwards), and applies approved overrides on top. Under
//! `double-duty = avoid` the rotation picks every discipline of a sprint together, remembering
//! whom it passed over (`picks`). It reads no clock: `now` is a parameter.

use jiff::Timestamp;
use jiff::civil::Date;

use crate::domain::away::is_away;
use crate::domain::conflict::conflicts;
use crate::domain::roster_change::RosterChange;
use crate::domain::{
    Assignment, Conflict, Discipline, DisciplineKey, Member, Skip, SlackUserId, Source, Sprint,
    SprintLookup, Team, Turn, on_duty, sprint_has_started, sprint_in_force, sprint_starts_at,
};
use crate::store::{Result, Store};

mod picks;

pub use picks::REPLAYED_SPRINTS;

/// Disciplines and their members, loaded once per question.
#[derive(Debug, Clone)]
pub struct Roster {
    pub disciplines: Vec<Discipline>,
    pub members: Vec<Member>,
}

impl Roster {
    pub fn load(store: &Store) -> Result<Roster> {
        Ok(Roster {
            disciplines: store.disciplines()?,
            members: store.members(None)?,
        })
    }

    pub fn members_of(&self, discipline: &DisciplineKey) -> Vec<Member> {
        self.members
            .iter()
            .filter(|m| &m.discipline == discipline)
            .cloned()
            .collect()
    }

    /// The display name of a person, from any discipline they are listed in.
    pub fn name_of(&self, slack_id: &SlackUserId) -> Option<&str> {
        self.members
            .iter()
            .find(|m| &m.slack_id == slack_id)
            .map(|m| m.name.as_str())
    }

    pub fn discipline(&self, key: &DisciplineKey) -> Option<&Discipline> {
        self.disciplines.iter().find(|d| &d.key == key)
    }

    /// The discipline `text` names: its key or its display name in any case, or the unambiguous
    /// beginning of either (`ui`, `backend`, `Product`).
    pub fn find_discipline(
        &self,
        text: &str,
    ) -> std::result::Result<&Discipline, NoSuchDiscipline> {
        let wanted = text.trim().to_lowercase();
        let is = |d: &&Discipline| {
            d.key.as_str().to_lowercase() == wanted || d.name.to_lowercase() == wanted
        };
        if let Some(found) = self.disciplines.iter().find(is) {
            return Ok(found);
        }
        let begins = |d: &&Discipline| {
            !wanted.is_empty()
                && (d.key.as_str().to_lowercase().starts_with(&wanted)
                    || d.name.to_lowercase().starts_with(&wanted))
        };
        let matching: Vec<&Discipline> = self.disciplines.iter().filter(begins).collect();
        let listed = |list: &[&Discipline]| {
            list.iter()
                .map(|d| format!("`{}` ({})", d.key, d.name))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match matching.as_slice() {
            [only] => Ok(only),
            [] => Err(NoSuchDiscipline::Unknown {
                text: text.trim().to_string(),
                choices: listed(&self.disciplines.iter().collect::<Vec<_>>()),
            }),
            several => Err(NoSuchDiscipline::Ambiguous {
                text: text.trim().to_string(),
                choices: listed(several),
            }),
        }
    }
}

/// Why a word names no discipline; the text lists the choices.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoSuchDiscipline {
    /// Nothing matches.
    #[error("unknown discipline `{text}`: choose one of {choices}")]
    Unknown { text: String, choices: String },
    /// More than one discipline begins with it.
    #[error("`{text}` could be {choices}; say which")]
    Ambiguous { text: String, choices: String },
}

/// One sprint and who is on duty in it, per discipline in display order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SprintDuty {
    pub sprint: Sprint,
    pub assignments: Vec<Assignment>,
    /// The people on duty in it who are away during some of its days, in assignment order.
    pub away: Vec<SlackUserId>,
}

impl SprintDuty {
    /// Whether `person`'s duty in this sprint falls in one of their away windows.
    pub fn is_away(&self, person: &SlackUserId) -> bool {
        self.away.contains(person)
    }
}

/// One sprint's duty with the conflict (double or back-to-back duty) each of its assignments
/// has, in the same order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlaggedDuty {
    pub duty: SprintDuty,
    pub conflicts: Vec<Option<Conflict>>,
}

/// The answer to "who is on duty at this instant".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DutyAt {
    InForce {
        duty: SprintDuty,
        until: Timestamp,
    },
    BeforeFirst {
        first: Sprint,
        starts_at: Timestamp,
    },
    /// Between two sprints: nobody is on duty until `next` takes over at `starts_at`.
    Gap {
        previous: Sprint,
        ended_at: Timestamp,
        next: Sprint,
        starts_at: Timestamp,
    },
    AfterLast {
        last: Sprint,
        ended_at: Timestamp,
    },
    NoSprints,
}

/// The team's calendar date at `instant`.
pub fn local_date(team: &Team, instant: Timestamp) -> Date {
    instant.to_zoned(team.zone.clone()).date()
}

/// The sprints needed to tell which one is in force at `at`: two that start on or before that
/// day and the one after.
fn window(store: &Store, team: &Team, at: Timestamp) -> Result<Vec<Sprint>> {
    store.sprints_around(local_date(team, at), 2, 1)
}

/// Records the rotation's pick for every sprint that has started by `now` and has no recorded
/// turn yet, in order, so each anchors the next: on the first run that is every started sprint,
/// so history from before the bot ran is frozen as it was computed then. A slot of the sprint in
/// force recorded with a stand-in (nobody, or the fallback person, because its discipline had no
/// members) is filled as soon as the rotation can pick a member. Recording is idempotent.
///
/// Dated roster changes whose sprint has started are applied in the same transaction, each just
/// before its sprint is recorded (the sprints before it are recorded with the roster as it was),
/// so the sprint they take effect at is the first one planned with them.
pub fn record_started_turns(
    store: &Store,
    team: &Team,
    now: Timestamp,
    actor: &str,
) -> Result<usize> {
    let anything = store.snapshot(|store| {
        Ok(!unrecorded_turns(store, team, now)?.is_empty()
            || !due_changes(store, team, now)?.is_empty())
    })?;
    if !anything {
        return Ok(0);
    }
    store.transaction(|store| {
        let mut written = 0;
        for (sprint, change) in due_changes(store, team, now)? {
            if let Some(before) = sprint_before(store, &sprint)? {
                let planned = turns_through(store, team, &before, false)?;
                written += planned.record(store, actor, now)?;
            }
            let applied = store.apply_roster_change(&change, sprint.index, BOT_ACTOR, now)?;
            written += usize::from(applied);
        }
        let planned = unrecorded_turns(store, team, now)?;
        written += planned.record(store, actor, now)?;
        Ok(written)
    })
}

/// The actor the audit log records for dated roster changes applied on schedule.
const BOT_ACTOR: &str = "triage-bot";

/// The pending dated roster changes whose sprint has started by `now`, each with that sprint,
/// in the order they apply (by sprint, then id).
fn due_changes(store: &Store, team: &Team, now: Timestamp) -> Result<Vec<(Sprint, RosterChange)>> {
    let mut due = Vec::new();
    for change in store.pending_roster_changes(None)? {
        if let Some(sprint) = store.first_sprint_from(change.on)?
            && sprint_has_started(&sprint, team, now)
        {
            due.push((sprint, change));
        }
    }
    due.sort_by_key(|(sprint, change)| (sprint.index, change.id));
    Ok(due)
}

/// The live sprint just before `sprint`, if any.
fn sprint_before(store: &Store, sprint: &Sprint) -> Result<Option<Sprint>> {
    Ok(store
        .sprints_around(sprint.start, 2, 0)?
        .into_iter()
        .rfind(|s| s.index < sprint.index))
}

/// What [`record_started_turns`] would write.
#[derive(Debug, Default)]
struct Unrecorded {
    /// Turns of started sprints that have none yet.
    new: Vec<Turn>,
    /// The skips the rotation made to reach `new` (under `double-duty = avoid`).
    skips: Vec<Skip>,
    /// Picks for the sprint in force's slots recorded with a stand-in (nobody, or the fallback).
    fills: Vec<Turn>,
}

impl Unrecorded {
    fn is_empty(&self) -> bool {
        self.new.is_empty() && self.fills.is_empty()
    }

    /// Records the new turns with their skips, then the fills. Returns how many were written.
    fn record(&self, store: &Store, actor: &str, now: Timestamp) -> Result<usize> {
        let recorded = store.record_turns(&self.new, &self.skips, actor, now)?;
        Ok(recorded + store.fill_empty_turns(&self.fills, actor, now)?)
    }
}

/// The turns [`record_started_turns`] would write: none in the usual case, where the latest
/// started sprint has all its turns recorded already (a recording covers every sprint since the
/// previous one in the same transaction).
fn unrecorded_turns(store: &Store, team: &Team, now: Timestamp) -> Result<Unrecorded> {
    let sprints = window(store, team, now)?;
    let Some(latest) = sprints
        .iter()
        .rev()
        .find(|s| sprint_has_started(s, team, now))
        .cloned()
    else {
        return Ok(Unrecorded::default());
    };
    let in_force = sprint_in_force(&sprints, team, now)
        .in_force()
        .map(|s| s.index);
    turns_through(store, team, &latest, in_force == Some(latest.index))
}

/// The turns to record for every started sprint up to `latest` that has none, and, when
/// `latest` is the sprint in force (`in_force`), the picks for its slots recorded with a
/// stand-in.
fn turns_through(
    store: &Store,
    team: &Team,
    latest: &Sprint,
    in_force: bool,
) -> Result<Unrecorded> {
    let recorded_now = store.turns(latest.index)?;
    let disciplines = store.disciplines()?;
    let complete = disciplines
        .iter()
        .all(|d| recorded_now.iter().any(|t| t.discipline == d.key));
    let stand_in = |turn: &Turn| matches!(turn.source, Source::None | Source::Fallback);
    let empty_now = in_force && recorded_now.iter().any(stand_in);
    if complete && !empty_now {
        return Ok(Unrecorded::default());
    }
    let roster = Roster::load(store)?;
    let mut planned = Unrecorded::default();
    if !complete {
        let first = match store.last_recorded_sprint()? {
            Some(last) if last < latest.index => last.next(),
            Some(_) => latest.index,
            None => store.first_sprint_index()?.unwrap_or(latest.index),
        };
        (planned.new, planned.skips) = picks::new_turns(store, team, &roster, first, latest.index)?;
    }
    if empty_now {
        let stand_ins: Vec<Turn> = recorded_now.into_iter().filter(stand_in).collect();
        planned.fills = picks::fills(store, team, &roster, latest, &stand_ins)?;
    }
    Ok(planned)
}

/// Who is on duty in `sprint`, per discipline: the recorded turn or the rotation's pick,
/// then any approved override.
pub fn sprint_duty(
    store: &Store,
    team: &Team,
    roster: &Roster,
    sprint: &Sprint,
) -> Result<SprintDuty> {
    let mut duties = sprint_duties(store, team, roster, std::slice::from_ref(sprint))?;
    Ok(duties.remove(0))
}

/// [`sprint_duty`] for each of `sprints` (live sprints, in index order), computed together.
pub fn sprint_duties(
    store: &Store,
    team: &Team,
    roster: &Roster,
    sprints: &[Sprint],
) -> Result<Vec<SprintDuty>> {
    let bases = picks::base_assignments(store, team, roster, sprints)?;
    sprints
        .iter()
        .zip(bases)
        .map(|(sprint, bases)| {
            let approved = store.approved_overrides(sprint.index)?;
            let assignments: Vec<Assignment> = bases
                .into_iter()
                .map(|base| {
                    let cover = approved.iter().find(|o| o.discipline == base.discipline);
                    on_duty(base, cover)
                })
                .collect();
            let away = away_on_duty(store, sprint, &assignments)?;
            Ok(SprintDuty {
                sprint: sprint.clone(),
                assignments,
                away,
            })
        })
        .collect()
}

/// The people in `assignments` (of `sprint`) who are away during some of its days, in order.
fn away_on_duty(
    store: &Store,
    sprint: &Sprint,
    assignments: &[Assignment],
) -> Result<Vec<SlackUserId>> {
    let windows = store.away_windows_between(sprint.start, sprint.end)?;
    let mut away: Vec<SlackUserId> = Vec::new();
    for person in assignments.iter().filter_map(|a| a.slack_id.as_ref()) {
        if is_away(&windows, person, sprint) && !away.contains(person) {
            away.push(person.clone());
        }
    }
    Ok(away)
}

/// `duties` (consecutive live sprints, in order) with the conflict each assignment has,
/// counting who is on duty in the sprints just before and after them; none with
/// `double-duty = allow`.
pub fn flag_conflicts(
    store: &Store,
    team: &Team,
    roster: &Roster,
    duties: Vec<SprintDuty>,
) -> Result<Vec<FlaggedDuty>> {
    if !team.double_duty.flags() {
        let unflagged = |duty: SprintDuty| FlaggedDuty {
            conflicts: vec![None; duty.assignments.len()],
            duty,
        };
        return Ok(duties.into_iter().map(unflagged).collect());
    }
    let (Some(first), Some(last)) = (duties.first(), duties.last()) else {
        return Ok(Vec::new());
    };
    let before = store.sprints_before(first.sprint.index, 1)?;
    let (_, after) = store.sprint_and_next(last.sprint.index)?;
    let before = sprint_duties(store, team, roster, &before)?;
    let after = sprint_duties(store, team, roster, after.as_slice())?;
    let mut run: Vec<Vec<Assignment>> = Vec::with_capacity(duties.len() + 2);
    run.extend(before.iter().map(|d| d.assignments.clone()));
    run.extend(duties.iter().map(|d| d.assignments.clone()));
    run.extend(after.iter().map(|d| d.assignments.clone()));
    let flags = conflicts(&run).into_iter().skip(before.len());
    Ok(duties
        .into_iter()
        .zip(flags)
        .map(|(duty, conflicts)| FlaggedDuty { duty, conflicts })
        .collect())
}

/// Who is on duty at `at`. Sprints that have started by `now` are recorded first.
pub fn duty_at(
    store: &Store,
    team: &Team,
    at: Timestamp,
    now: Timestamp,
    actor: &str,
) -> Result<DutyAt> {
    Ok(duty_and_roster_at(store, team, at, now, actor)?.0)
}

/// [`duty_at`] with the roster it was answered from, both read from one snapshot (after
/// recording started sprints), for answers that also need names.
pub fn duty_and_roster_at(
    store: &Store,
    team: &Team,
    at: Timestamp,
    now: Timestamp,
    actor: &str,
) -> Result<(DutyAt, Roster)> {
    // Usually every started sprint is recorded already, and one snapshot answers; otherwise
    // record first (a write) and answer from a snapshot taken after it.
    let answered = store.snapshot(|store| {
        if !unrecorded_turns(store, team, now)?.is_empty()
            || !due_changes(store, team, now)?.is_empty()
        {
            return Ok(None);
        }
        answer_at(store, team, at).map(Some)
    })?;
    if let Some(answer) = answered {
        return Ok(answer);
    }
    record_started_turns(store, team, now, actor)?;
    store.snapshot(|store| answer_at(store, team, at))
}

fn answer_at(store: &Store, team: &Team, at: Timestamp) -> Result<(DutyAt, Roster)> {
    let sprints = window(store, team, at)?;
    let roster = Roster::load(store)?;
    let answer = match sprint_in_force(&sprints, team, at) {
        SprintLookup::InForce { sprint, until } => DutyAt::InForce {
            duty: sprint_duty(store, team, &roster, sprint)?,
            until,
        },
        SprintLookup::BeforeFirst { first, starts_at } => DutyAt::BeforeFirst {
            first: first.clone(),
            starts_at,
        },
        SprintLookup::Gap {
            previous,
            ended_at,
            next,
            starts_at,
        } => DutyAt::Gap {
            previous: previous.clone(),
            ended_at,
            next: next.clone(),
            starts_at,
        },
        SprintLookup::AfterLast { last, ended_at } => DutyAt::AfterLast {
            last: last.clone(),
            ended_at,
        },
        SprintLookup::NoSprints => DutyAt::NoSprints,
    };
    Ok((answer, roster))
}

/// The duty of `count` sprints: the one in force at `from` (or the first after it), then the
/// following ones.
pub fn schedule(
    store: &Store,
    team: &Team,
    from: Timestamp,
    count: usize,
    now: Timestamp,
    actor: &str,
) -> Result<Vec<SprintDuty>> {
    record_started_turns(store, team, now, actor)?;
    store.snapshot(|store| {
        let roster = Roster::load(store)?;
        scheduled(store, team, &roster, from, count)
    })
}

/// [`schedule`] with the conflict each assignment has (see [`flag_conflicts`]), read from the
/// same snapshot.
pub fn flagged_schedule(
    store: &Store,
    team: &Team,
    from: Timestamp,
    count: usize,
    now: Timestamp,
    actor: &str,
) -> Result<Vec<FlaggedDuty>> {
    record_started_turns(store, team, now, actor)?;
    store.snapshot(|store| {
        let roster = Roster::load(store)?;
        let duties = scheduled(store, team, &roster, from, count)?;
        flag_conflicts(store, team, &roster, duties)
    })
}

/// The duty of `count` sprints from the one in force at `from` (or the first after it), as
/// recorded or projected; records nothing.
pub fn scheduled(
    store: &Store,
    team: &Team,
    roster: &Roster,
    from: Timestamp,
    count: usize,
) -> Result<Vec<SprintDuty>> {
    let date = local_date(team, from);
    let mut sprints = store.sprints_around(date, 2, count + 1)?;
    let in_force = sprint_in_force(&sprints, team, from)
        .in_force()
        .map(|s| s.index);
    sprints.retain(|s| match in_force {
        Some(index) => s.index >= index,
        None => sprint_starts_at(s, team) > from,
    });
    sprints.truncate(count);
    sprint_duties(store, team, roster, &sprints)
}

/// Who is on duty for one slot, and the rotation's own pick for it (the override's original).
pub fn slot(
    store: &Store,
    team: &Team,
    roster: &Roster,
    sprint: &Sprint,
    discipline: &DisciplineKey,
) -> Result<Option<(Assignment, Option<SlackUserId>)>> {
    let Some(found) = roster.discipline(discipline) else {
        return Ok(None);
    };
    let Some(base) = picks::slot_base(store, team, roster, sprint, found)? else {
        return Ok(None);
    };
    let original = base.slack_id.clone();
    let approved = store.approved_override(sprint.index, discipline)?;
    Ok(Some((on_duty(base, approved.as_ref()), original)))
}

/// The sprint in force at `at`, if any.
pub fn sprint_in_force_at(store: &Store, team: &Team, at: Timestamp) -> Result<Option<Sprint>> {
    store.snapshot(|store| {
        let sprints = window(store, team, at)?;
        Ok(sprint_in_force(&sprints, team, at).in_force().cloned())
    })
}

/// Makes a roster change (adding, reactivating or moving a member) without touching a started
/// sprint: in one transaction, records every started sprint with the roster as it was, makes the
/// change, then fills the sprint in force's slots recorded with nobody that the change made
/// fillable. A refused change rolls all of it back, so it changes nothing.
pub fn change_roster<T>(
    store: &Store,
    team: &Team,
    now: Timestamp,
    actor: &str,
    change: impl Fn(&Store) -> Result<T>,
) -> Result<T> {
    store.transaction(|store| {
        record_started_turns(store, team, now, actor)?;
        let value = change(store)?;
        record_started_turns(store, team, now, actor)?;
        Ok(value)
    })
}
