//! `sprint add`, `sprint generate`, `sprint list`, and `sprint edit|shift|retire` for sprints
//! that have not started (the rules are `domain::plan`'s; `sprint cadence` is in `cadence`).

use serde_json::json;

use super::{parse_actor, parse_date, parse_number, print_json, table};
use crate::app::{self, UsageError};
use crate::cli::SprintCommand;
use crate::config::Config;
use crate::dates::CliDates;
use crate::domain::plan::SprintEdit;
use crate::domain::sprint_ref::resolve_sprint;
use crate::domain::{Sprint, SprintIndex};
use crate::store::{NewSprint, Store};

pub fn run(config: &Config, command: SprintCommand) -> anyhow::Result<()> {
    let dates = CliDates::new(&config.team());
    match command {
        SprintCommand::Add {
            name,
            start,
            end,
            by,
        } => {
            let new = NewSprint {
                name,
                start: parse_date("start", &start)?,
                end: parse_date("end", &end)?,
            };
            let actor = parse_actor(&by.by)?;
            let store = app::open_store(config)?;
            let created =
                store.append_sprints_checked(&[new], &config.team(), &actor, config.now())?;
            created
                .iter()
                .for_each(|s| outln!("added {}", describe(s, &dates)));
        }
        SprintCommand::Generate {
            start,
            days,
            count,
            name_pattern,
            by,
        } => {
            let start = parse_date("--start", &start)?;
            let days = parse_number("--days", &days, 1, 366)? as i64;
            let count = parse_number("--count", &count, 1, 1000)? as i64;
            let actor = parse_actor(&by.by)?;
            let store = app::open_store(config)?;
            let created = store.generate_sprints_checked(
                start,
                days,
                count,
                &name_pattern,
                &config.team(),
                &actor,
                config.now(),
            )?;
            created
                .iter()
                .for_each(|s| outln!("added {}", describe(s, &dates)));
        }
        SprintCommand::Edit {
            sprint,
            name,
            start,
            end,
            by,
        } => {
            let edit = SprintEdit {
                name,
                start: start.map(|s| parse_date("--start", &s)).transpose()?,
                end: end.map(|e| parse_date("--end", &e)).transpose()?,
            };
            let actor = parse_actor(&by.by)?;
            let store = app::open_store(config)?;
            let index = named_sprint(config, &store, &sprint)?;
            let edited = store.edit_sprint(index, &edit, &config.team(), &actor, config.now())?;
            outln!("{}", describe(&edited, &dates));
        }
        SprintCommand::Shift { sprint, days, by } => {
            let days = parse_days(&days)?;
            let actor = parse_actor(&by.by)?;
            let store = app::open_store(config)?;
            let index = named_sprint(config, &store, &sprint)?;
            let shifted = store.shift_sprints(index, days, &config.team(), &actor, config.now())?;
            shifted
                .iter()
                .for_each(|s| outln!("moved {}", describe(s, &dates)));
        }
        SprintCommand::Retire { sprint, by } => {
            let actor = parse_actor(&by.by)?;
            let store = app::open_store(config)?;
            let index = named_sprint(config, &store, &sprint)?;
            let retired =
                store.retire_future_sprint(index, &config.team(), &actor, config.now())?;
            outln!("retired {}", describe(&retired, &dates));
        }
        SprintCommand::Cadence(command) => super::cadence::run(config, command)?,
        SprintCommand::List => {
            let sprints = app::open_store(config)?.sprints()?;
            if config.json {
                print_json(&json!(sprints.iter().map(sprint_json).collect::<Vec<_>>()));
            } else if sprints.is_empty() {
                outln!(
                    "no sprints yet: add some with `triage-bot sprint generate --start <date> --count <n>`"
                );
            } else {
                let mut rows = vec![vec!["NAME".into(), "START".into(), "END".into()]];
                for s in &sprints {
                    rows.push(vec![s.name.clone(), dates.day(s.start), dates.day(s.end)]);
                }
                out!("{}", table(&rows));
            }
        }
    }
    Ok(())
}

/// `--days` of `sprint shift`: a whole number of days, negative to move earlier.
fn parse_days(text: &str) -> Result<i64, UsageError> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|days| (-3660..=3660).contains(days) && *days != 0)
        .ok_or_else(|| {
            UsageError(format!(
                "--days must be a whole number of days from -3660 to 3660, not 0, not `{text}`"
            ))
        })
}

/// The index of the sprint `text` names: its name, the number it ends with, a day in it, `now`
/// or `next`.
fn named_sprint(config: &Config, store: &Store, text: &str) -> anyhow::Result<SprintIndex> {
    let sprints = store.sprints()?;
    resolve_sprint(text, &sprints, &config.team(), config.now())
        .map(|s| s.index)
        .map_err(|error| UsageError(error.to_string()).into())
}

/// `"Sprint 1" from 2026-03-09 to 2026-03-22`.
pub(crate) fn describe(sprint: &Sprint, dates: &CliDates) -> String {
    format!(
        "\"{}\" from {}",
        sprint.name,
        dates.span(sprint.start, sprint.end)
    )
}

pub(crate) fn sprint_json(sprint: &Sprint) -> serde_json::Value {
    json!({"index": sprint.index.get(), "name": sprint.name, "start": sprint.start.to_string(), "end": sprint.end.to_string()})
}
