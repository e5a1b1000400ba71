//! `sprint add`, `sprint generate`, `sprint list`, and `sprint edit|shift|retire` for sprints
//! that have not started (the rules are `domain::plan`'s; `sprint cadence` is in `cadence`).
//! Each change says whose upcoming duties it moved, and takes `--dry-run`.

use serde_json::json;

use super::impact::print_change;
use super::{parse_actor, parse_date, parse_number, print_json, table};
use crate::app::{self, UsageError};
use crate::cli::SprintCommand;
use crate::config::Config;
use crate::dates::CliDates;
use crate::domain::plan::SprintEdit;
use crate::domain::sprint_ref::resolve_sprint;
use crate::domain::{Sprint, SprintIndex};
use crate::impact;
use crate::store::{NewSprint, Store};

pub fn run(config: &Config, command: SprintCommand) -> anyhow::Result<()> {
    let dates = CliDates::new(&config.team());
    let (team, now) = (config.team(), config.now());
    let described = |verb: &str, sprints: &[Sprint]| -> Vec<String> {
        sprints
            .iter()
            .map(|s| format!("{verb} {}", describe(s, &dates)))
            .collect()
    };
    match command {
        SprintCommand::Add {
            name,
            start,
            end,
            by,
            dry_run,
        } => {
            let new = [NewSprint {
                name,
                start: parse_date("start", &start)?,
                end: parse_date("end", &end)?,
            }];
            let actor = parse_actor(&by.by)?;
            let store = app::open_store(config)?;
            let (created, impact) =
                impact::change(&store, &team, now, &actor, dry_run.mode(), |store| {
                    store.append_sprints_checked(&new, &team, &actor, now)
                })?;
            print_change(
                config,
                &described("added", &created),
                &impact,
                dry_run.mode(),
            );
        }
        SprintCommand::Generate {
            start,
            days,
            count,
            name_pattern,
            by,
            dry_run,
        } => {
            let start = parse_date("--start", &start)?;
            let days = parse_number("--days", &days, 1, 366)? as i64;
            let count = parse_number("--count", &count, 1, 1000)? as i64;
            let actor = parse_actor(&by.by)?;
            let store = app::open_store(config)?;
            let (created, impact) =
                impact::change(&store, &team, now, &actor, dry_run.mode(), |store| {
                    store.generate_sprints_checked(
                        start,
                        days,
                        count,
                        &name_pattern,
                        &team,
                        &actor,
                        now,
                    )
                })?;
            print_change(
                config,
                &described("added", &created),
                &impact,
                dry_run.mode(),
            );
        }
        SprintCommand::Edit {
            sprint,
            name,
            start,
            end,
            by,
            dry_run,
        } => {
            let edit = SprintEdit {
                name,
                start: start.map(|s| parse_date("--start", &s)).transpose()?,
                end: end.map(|e| parse_date("--end", &e)).transpose()?,
            };
            let actor = parse_actor(&by.by)?;
            let store = app::open_store(config)?;
            let index = named_sprint(config, &store, &sprint)?;
            let (edited, impact) =
                impact::change(&store, &team, now, &actor, dry_run.mode(), |store| {
                    store.edit_sprint(index, &edit, &team, &actor, now)
                })?;
            let done = [describe(&edited, &dates)];
            print_change(config, &done, &impact, dry_run.mode());
        }
        SprintCommand::Shift {
            sprint,
            days,
            by,
            dry_run,
        } => {
            let days = parse_days(&days)?;
            let actor = parse_actor(&by.by)?;
            let store = app::open_store(config)?;
            let index = named_sprint(config, &store, &sprint)?;
            let (shifted, impact) =
                impact::change(&store, &team, now, &actor, dry_run.mode(), |store| {
                    store.shift_sprints(index, days, &team, &actor, now)
                })?;
            print_change(
                config,
                &described("moved", &shifted),
                &impact,
                dry_run.mode(),
            );
        }
        SprintCommand::Retire {
            sprint,
            by,
            dry_run,
        } => {
            let actor = parse_actor(&by.by)?;
            let store = app::open_store(config)?;
            let index = named_sprint(config, &store, &sprint)?;
            let (retired, impact) =
                impact::change(&store, &team, now, &actor, dry_run.mode(), |store| {
                    store.retire_future_sprint(index, &team, &actor, now)
                })?;
            let done = described("retired", std::slice::from_ref(&retired));
            print_change(config, &done, &impact, dry_run.mode());
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
