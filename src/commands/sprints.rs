//! `sprint add`, `sprint generate` and `sprint list`.

use serde_json::json;

use super::{parse_actor, parse_date, parse_number, print_json, table};
use crate::app;
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
            let created =
                store.generate_sprints(start, days, count, &name_pattern, &actor, config.now())?;
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
                let mut rows = vec![vec!["NAME".into(), "START".into(), "END".into()]];
                for s in &sprints {
                    rows.push(vec![s.name.clone(), s.start.to_string(), s.end.to_string()]);
                }
                print!("{}", table(&rows));
            }
        }
    }
    Ok(())
}

fn describe(sprint: &Sprint) -> String {
    format!(
        "\"{}\" from {} to {}",
        sprint.name, sprint.start, sprint.end
    )
}

pub(crate) fn sprint_json(sprint: &Sprint) -> serde_json::Value {
    json!({"index": sprint.index.get(), "name": sprint.name, "start": sprint.start.to_string(), "end": sprint.end.to_string()})
}
