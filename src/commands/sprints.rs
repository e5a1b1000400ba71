//! `sprint add`, `sprint generate` and `sprint list`.

use jiff::ToSpan;
use serde_json::json;

use super::{parse_actor, parse_date, parse_number, print_json, table};
use crate::app::{self, UsageError};
use crate::cli::SprintCommand;
use crate::config::Config;
use crate::domain::Sprint;
use crate::store::NewSprint;

pub fn run(config: &Config, command: SprintCommand) -> anyhow::Result<()> {
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
            let created = app::open_store(config)?.append_sprints(&[new], &actor, config.now())?;
            created
                .iter()
                .for_each(|s| println!("added {}", describe(s)));
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
            let first_number = store.sprints()?.last().map_or(1, |s| s.index.get() + 2);
            let new = (0..count)
                .map(|i| {
                    let first = start
                        .checked_add((i * days).days())
                        .map_err(|_| date_range())?;
                    let last = first
                        .checked_add((days - 1).days())
                        .map_err(|_| date_range())?;
                    let name = name_pattern.replace("{n}", &(first_number + i).to_string());
                    Ok(NewSprint {
                        name,
                        start: first,
                        end: last,
                    })
                })
                .collect::<Result<Vec<_>, UsageError>>()?;
            let created = store.append_sprints(&new, &actor, config.now())?;
            created
                .iter()
                .for_each(|s| println!("added {}", describe(s)));
        }
        SprintCommand::List => {
            let sprints = app::open_store(config)?.sprints()?;
            if config.json {
                print_json(&json!(sprints.iter().map(sprint_json).collect::<Vec<_>>()));
            } else if sprints.is_empty() {
                println!(
                    "no sprints yet: add some with `triage-bot sprint generate --start <date> --count <n>`"
                );
            } else {
                let mut rows = vec![vec![
                    "INDEX".into(),
                    "NAME".into(),
                    "START".into(),
                    "END".into(),
                ]];
                for s in &sprints {
                    rows.push(vec![
                        s.index.to_string(),
                        s.name.clone(),
                        s.start.to_string(),
                        s.end.to_string(),
                    ]);
                }
                print!("{}", table(&rows));
            }
        }
    }
    Ok(())
}

fn date_range() -> UsageError {
    UsageError("the sprints would run past the end of the calendar".to_string())
}

fn describe(sprint: &Sprint) -> String {
    format!(
        "sprint {} \"{}\" from {} to {}",
        sprint.index, sprint.name, sprint.start, sprint.end
    )
}

pub(crate) fn sprint_json(sprint: &Sprint) -> serde_json::Value {
    json!({"index": sprint.index.get(), "name": sprint.name, "start": sprint.start.to_string(), "end": sprint.end.to_string()})
}
