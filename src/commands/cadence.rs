//! `sprint cadence set|show|clear`: declare how sprints repeat; `set` extends the plan at once.

use serde_json::json;

use super::impact::print_moved;
use super::{parse_actor, parse_date, parse_number, print_json};
use crate::app::{self, UsageError};
use crate::cli::CadenceCommand;
use crate::commands::sprints::describe;
use crate::config::Config;
use crate::dates::CliDates;
use crate::domain::cadence::Cadence;
use crate::impact::{self, Mode};

pub fn run(config: &Config, command: CadenceCommand) -> anyhow::Result<()> {
    let dates = CliDates::new(&config.team());
    match command {
        CadenceCommand::Set {
            start,
            days,
            name_pattern,
            horizon_weeks,
            by,
        } => {
            let cadence = Cadence {
                start: parse_date("--start", &start)?,
                days: parse_number("--days", &days, 1, 366)? as i64,
                name_pattern: parse_pattern(&name_pattern)?,
                horizon_days: parse_number("--horizon-weeks", &horizon_weeks, 1, 520)? as i64 * 7,
            };
            let actor = parse_actor(&by.by)?;
            let store = app::open_store(config)?;
            let (team, now) = (config.team(), config.now());
            let (added, impact) = impact::change(&store, &team, now, &actor, Mode::Apply, |s| {
                s.set_cadence(&cadence, &team, &actor, now)
            })?;
            outln!("cadence: {}", summary(&cadence, &dates));
            if added.is_empty() {
                outln!("the plan already reaches that far; no sprint added");
            }
            added
                .iter()
                .for_each(|s| outln!("added {}", describe(s, &dates)));
            // Sprints added within the next eight give people duties.
            if !impact.moved.is_empty() {
                print_moved(config, &impact, Mode::Apply);
            }
        }
        CadenceCommand::Show => {
            let cadence = app::open_store(config)?.cadence()?;
            match (cadence, config.json) {
                (Some(c), true) => print_json(&json!({
                    "start": c.start.to_string(),
                    "days": c.days,
                    "name_pattern": c.name_pattern,
                    "horizon_days": c.horizon_days,
                })),
                (None, true) => print_json(&serde_json::Value::Null),
                (Some(c), false) => outln!("cadence: {}", summary(&c, &dates)),
                (None, false) => outln!(
                    "no cadence declared: declare one with `triage-bot sprint cadence set --start <date> --days <n>`"
                ),
            }
        }
        CadenceCommand::Clear { by } => {
            let actor = parse_actor(&by.by)?;
            match app::open_store(config)?.clear_cadence(&actor, config.now())? {
                Some(c) => outln!(
                    "cadence cleared (was: {}); existing sprints stay",
                    summary(&c, &dates)
                ),
                None => outln!("no cadence was declared"),
            }
        }
    }
    Ok(())
}

fn parse_pattern(pattern: &str) -> Result<String, UsageError> {
    let ok = !pattern.trim().is_empty() && pattern.chars().count() <= 80;
    if !ok {
        return Err(UsageError(
            "--name-pattern must be 1 to 80 characters".to_string(),
        ));
    }
    Ok(pattern.to_string())
}

fn summary(cadence: &Cadence, dates: &CliDates) -> String {
    let weeks = cadence.horizon_days / 7;
    let ahead = if cadence.horizon_days % 7 == 0 {
        format!("{weeks} weeks")
    } else {
        format!("{} days", cadence.horizon_days)
    };
    format!(
        "\"{}\", {} days each from {}, planned at least {ahead} ahead",
        cadence.name_pattern,
        cadence.days,
        dates.day(cadence.start)
    )
}
