//! `who` and `schedule`: who is on duty, now or at another moment, and for the coming sprints.

use serde_json::{Value, json};

use super::sprints::sprint_json;
use jiff::Timestamp;

use super::{parse_date, parse_number, parse_when, print_json, rfc3339, table};
use crate::app;
use crate::config::Config;
use crate::dates::CliDates;
use crate::domain::{
    Assignment, Conflict, SlackUserId, Source, Team, double_duty, handoff_instant,
};
use crate::duty::{self, DutyAt, Roster, SprintDuty};
use crate::store::{Store, StoreError};

const ACTOR: &str = "rotation";

fn assignment_json(roster: &Roster, duty: &SprintDuty, a: &Assignment) -> Value {
    json!({
        "discipline": a.discipline.as_str(),
        "slack_id": a.slack_id.as_ref().map(SlackUserId::as_str),
        "name": a.slack_id.as_ref().and_then(|id| roster.name_of(id)),
        "source": a.source.as_str(),
        "away": a.slack_id.as_ref().is_some_and(|id| duty.is_away(id)),
    })
}

/// `away` when `a`'s person is away during some of the sprint.
fn away_mark(duty: &SprintDuty, a: &Assignment) -> Option<&'static str> {
    match &a.slack_id {
        Some(id) if duty.is_away(id) => Some("away"),
        _ => None,
    }
}

/// A schedule's assignment: [`assignment_json`] and its `conflict` (`double`, `back-to-back`
/// or `null`).
fn flagged_assignment_json(
    roster: &Roster,
    duty: &SprintDuty,
    a: &Assignment,
    conflict: Option<Conflict>,
) -> Value {
    let mut value = assignment_json(roster, duty, a);
    value["conflict"] = conflict.map(Conflict::as_str).into();
    value
}

/// A schedule's cell: the person's name, `*` when covering, and in brackets `fallback`, `away`
/// and the conflict, if any.
fn schedule_cell(
    roster: &Roster,
    duty: &SprintDuty,
    a: &Assignment,
    conflict: Option<Conflict>,
) -> String {
    let mut cell = a.slack_id.as_ref().map_or("nobody".to_string(), |id| {
        roster.name_of(id).unwrap_or(id.as_str()).to_string()
    });
    if a.source == Source::Override {
        cell.push('*');
    }
    let notes: Vec<&str> = (a.source == Source::Fallback)
        .then_some("fallback")
        .into_iter()
        .chain(away_mark(duty, a))
        .chain(conflict.map(Conflict::as_str))
        .collect();
    if !notes.is_empty() {
        cell.push_str(&format!(" ({})", notes.join(", ")));
    }
    cell
}

fn assignment_rows(roster: &Roster, duty: &SprintDuty) -> Vec<Vec<String>> {
    duty.assignments
        .iter()
        .map(|a| {
            let discipline = roster
                .discipline(&a.discipline)
                .map_or(a.discipline.to_string(), |d| d.name.clone());
            let source = match away_mark(duty, a) {
                Some(mark) => format!("{}, {mark}", a.source),
                None => a.source.to_string(),
            };
            vec![
                format!("  {discipline}"),
                person(roster, a.slack_id.as_ref()),
                source,
            ]
        })
        .collect()
}

fn person(roster: &Roster, id: Option<&SlackUserId>) -> String {
    match id {
        None => "nobody".to_string(),
        Some(id) => match roster.name_of(id) {
            Some(name) => format!("{name} ({id})"),
            None => id.to_string(),
        },
    }
}

pub fn who(config: &Config, at: Option<&str>) -> anyhow::Result<()> {
    let team = config.team();
    let now = config.now();
    let at = at
        .map(|text| parse_when(&team, "--at", text))
        .transpose()?
        .unwrap_or(now);
    let store = app::open_store(config)?;
    if config.json {
        print_json(&who_value(&store, &team, at, now)?);
        return Ok(());
    }
    let answer = duty::duty_at(&store, &team, at, now, ACTOR)?;
    let roster = Roster::load(&store)?;
    let dates = CliDates::new(&team);
    match answer {
        DutyAt::InForce { duty, until } => {
            outln!(
                "{}, in force until {}",
                duty.sprint.name,
                dates.instant(until)
            );
            out!("{}", table(&assignment_rows(&roster, &duty)));
            for (person_id, disciplines) in double_duty(&duty.assignments) {
                let keys: Vec<_> = disciplines.iter().map(ToString::to_string).collect();
                outln!(
                    "note: {} is on duty for {} at once",
                    person(&roster, Some(&person_id)),
                    keys.join(" and ")
                );
            }
        }
        DutyAt::BeforeFirst { first, starts_at } => outln!(
            "no sprint is in force at {}: the first sprint, {}, starts {}",
            dates.instant(at),
            first.name,
            dates.instant(starts_at)
        ),
        DutyAt::Gap {
            previous,
            ended_at,
            next,
            starts_at,
        } => outln!(
            "no sprint is in force at {}: {} ended {}; the next sprint, {}, starts {}",
            dates.instant(at),
            previous.name,
            dates.instant(ended_at),
            next.name,
            dates.instant(starts_at)
        ),
        DutyAt::AfterLast { last, ended_at } => outln!(
            "no sprint is in force at {}: the last sprint, {}, ended {}; add sprints with `triage-bot sprint generate`",
            dates.instant(at),
            last.name,
            dates.instant(ended_at)
        ),
        DutyAt::NoSprints => outln!(
            "no sprints yet: add some with `triage-bot sprint generate --start <date> --count <n>`"
        ),
    }
    Ok(())
}

/// `who --json` at `at` (sprints started by `now` recorded first): the one implementation behind
/// the command line and the HTTP API's `/api/v1/who`.
pub(crate) fn who_value(
    store: &Store,
    team: &Team,
    at: Timestamp,
    now: Timestamp,
) -> Result<Value, StoreError> {
    let answer = duty::duty_at(store, team, at, now, ACTOR)?;
    let roster = Roster::load(store)?;
    Ok(who_json(team, at, &answer, &roster))
}

/// `schedule --json` for `count` sprints from `from` (sprints started by `now` recorded first):
/// the one implementation behind the command line and the HTTP API's `/api/v1/schedule`.
pub(crate) fn schedule_value(
    store: &Store,
    team: &Team,
    from: Timestamp,
    count: usize,
    now: Timestamp,
) -> Result<Value, StoreError> {
    let sprints = duty::flagged_schedule(store, team, from, count, now, ACTOR)?;
    let roster = Roster::load(store)?;
    let list: Vec<_> = sprints
        .iter()
        .map(|d| {
            let mut value = sprint_json(&d.duty.sprint);
            value["assignments"] = d
                .duty
                .assignments
                .iter()
                .zip(&d.conflicts)
                .map(|(a, conflict)| flagged_assignment_json(&roster, &d.duty, a, *conflict))
                .collect();
            value
        })
        .collect();
    Ok(json!({"sprints": list}))
}

/// `who --json`: the instant (RFC 3339 with the team's offset, and the zone on its own), the
/// sprint in force and its assignments, or `null` and an empty list with the next sprint and
/// when it starts, if one is planned.
fn who_json(team: &Team, at: Timestamp, answer: &DutyAt, roster: &Roster) -> Value {
    let mut value = json!({
        "at": rfc3339(team, at),
        "timezone": team.zone.iana_name(),
        "sprint": Value::Null,
        "assignments": [],
    });
    match answer {
        DutyAt::InForce { duty, until } => {
            value["sprint"] = sprint_json(&duty.sprint);
            value["until"] = rfc3339(team, *until).into();
            value["assignments"] = duty
                .assignments
                .iter()
                .map(|a| assignment_json(roster, duty, a))
                .collect();
        }
        DutyAt::BeforeFirst {
            first: next,
            starts_at,
        }
        | DutyAt::Gap {
            next, starts_at, ..
        } => {
            value["next"] = sprint_json(next);
            value["next_starts_at"] = rfc3339(team, *starts_at).into();
        }
        DutyAt::AfterLast { .. } | DutyAt::NoSprints => {}
    }
    value
}

pub fn schedule(config: &Config, from: Option<&str>, count: &str) -> anyhow::Result<()> {
    let team = config.team();
    let now = config.now();
    let count = parse_number("--count", count, 1, 520)? as usize;
    let from = match from {
        Some(text) => handoff_instant(&team, parse_date("--from", text)?),
        None => now,
    };
    let store = app::open_store(config)?;
    if config.json {
        print_json(&schedule_value(&store, &team, from, count, now)?);
        return Ok(());
    }
    let sprints = duty::flagged_schedule(&store, &team, from, count, now, ACTOR)?;
    let roster = Roster::load(&store)?;
    let dates = CliDates::new(&team);
    if sprints.is_empty() {
        outln!(
            "no sprints from {} on: add some with `triage-bot sprint generate`",
            dates.instant(from)
        );
        return Ok(());
    }
    let mut header = vec!["SPRINT".to_string(), "DATES".to_string()];
    header.extend(roster.disciplines.iter().map(|d| d.name.clone()));
    let mut rows = vec![header];
    for d in &sprints {
        let sprint = &d.duty.sprint;
        let mut row = vec![sprint.name.clone(), dates.span(sprint.start, sprint.end)];
        let cells = d.duty.assignments.iter().zip(&d.conflicts);
        row.extend(cells.map(|(a, conflict)| schedule_cell(&roster, &d.duty, a, *conflict)));
        rows.push(row);
    }
    out!("{}", table(&rows));
    let assignments = || sprints.iter().flat_map(|d| &d.duty.assignments);
    if assignments().any(|a| a.source == Source::Override) {
        outln!("* covering by approved override");
    }
    if sprints
        .iter()
        .flat_map(|d| &d.conflicts)
        .any(Option::is_some)
    {
        outln!(
            "double: on duty for two disciplines in the sprint; back-to-back: on duty in the sprint before or after too"
        );
    }
    Ok(())
}
