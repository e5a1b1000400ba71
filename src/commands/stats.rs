//! `stats`: per person and discipline, sprints served, covers given and received, and turns
//! skipped or owed (moved by away swaps, passed over by double-duty avoidance, still owed),
//! counted from the recorded history (see `stats` and `domain::stats`).

use super::{parse_date, print_json, table};
use crate::app::{self, UsageError};
use crate::config::Config;
use crate::domain::stats::{Fairness, Scope};
use crate::duty::Roster;
use crate::stats::{fairness, fairness_json};

pub fn run(config: &Config, since: Option<&str>, discipline: Option<&str>) -> anyhow::Result<()> {
    let (team, now) = (config.team(), config.now());
    let since = since.map(|text| parse_date("--since", text)).transpose()?;
    let store = app::open_store(config)?;
    let discipline = match discipline {
        Some(text) => {
            let roster = Roster::load(&store)?;
            let found = roster
                .find_discipline(text)
                .map_err(|error| UsageError(format!("--discipline: {error}")))?;
            Some(found.key.clone())
        }
        None => None,
    };
    let scope = Scope { since, discipline };
    let (counted, roster) = fairness(&store, &team, &scope, now)?;
    if config.json {
        print_json(&fairness_json(&counted, since));
        return Ok(());
    }
    if counted.people.is_empty() {
        outln!("nobody to count: no members and no started sprints");
        return Ok(());
    }
    out!("{}", table(&rows(&counted, &roster)));
    match since {
        Some(day) => outln!(
            "median sprints served: {}, counting sprints that started on or after {day}",
            counted.median_served
        ),
        None => outln!("median sprints served: {}", counted.median_served),
    }
    Ok(())
}

/// The header, then one row per person and discipline.
fn rows(counted: &Fairness, roster: &Roster) -> Vec<Vec<String>> {
    let header = [
        "DISCIPLINE",
        "PERSON",
        "SERVED",
        "COVERS GIVEN",
        "COVERS RECEIVED",
        "AWAY SWAPS",
        "PASSED OVER",
        "OWED",
    ];
    let mut rows = vec![header.map(String::from).to_vec()];
    for p in &counted.people {
        let discipline = roster
            .discipline(&p.discipline)
            .map_or(p.discipline.to_string(), |d| d.name.clone());
        let person = match &p.name {
            Some(name) => format!("{name} ({})", p.person),
            None => p.person.to_string(),
        };
        rows.push(vec![
            discipline,
            person,
            p.served.to_string(),
            p.covers_given.to_string(),
            p.covers_received.to_string(),
            p.away_swaps.to_string(),
            p.passed_over.to_string(),
            p.owed.to_string(),
        ]);
    }
    rows
}
