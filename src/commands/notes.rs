//! `notes`: the handoff notes people on duty left, of one sprint or of all, as a table or JSON.

use serde_json::{Value, json};

use super::{print_json, rfc3339, table};
use crate::app::{self, UsageError};
use crate::config::Config;
use crate::dates::CliDates;
use crate::domain::note::HandoffNote;
use crate::domain::sprint_ref::resolve_sprint;
use crate::domain::{Sprint, SprintIndex, Team};
use crate::duty::Roster;

pub fn run(config: &Config, sprint: Option<&str>) -> anyhow::Result<()> {
    let team = config.team();
    let store = app::open_store(config)?;
    let sprints = store.sprints()?;
    let only = match sprint {
        Some(text) => Some(
            resolve_sprint(text, &sprints, &team, config.now())
                .map_err(|error| UsageError(format!("--sprint: {error}")))?
                .index,
        ),
        None => None,
    };
    let notes = store.handoff_notes(only)?;
    let roster = Roster::load(&store)?;
    if config.json {
        print_json(&notes_json(&notes, &sprints, &roster, &team));
        return Ok(());
    }
    if notes.is_empty() {
        outln!("no handoff notes");
        return Ok(());
    }
    let dates = CliDates::new(&team);
    let mut rows = vec![
        ["SPRINT", "DISCIPLINE", "PERSON", "UPDATED", "NOTE"]
            .map(String::from)
            .to_vec(),
    ];
    for note in &notes {
        rows.push(vec![
            sprint_name(&sprints, note.sprint),
            discipline_name(&roster, note),
            note.author.to_string(),
            dates.instant(note.updated_at),
            note.text.replace('\n', " / "),
        ]);
    }
    out!("{}", table(&rows));
    Ok(())
}

/// `notes --json`: one object per note.
fn notes_json(notes: &[HandoffNote], sprints: &[Sprint], roster: &Roster, team: &Team) -> Value {
    let notes: Vec<Value> = notes
        .iter()
        .map(|note| {
            json!({
                "sprint": note.sprint.get(),
                "sprint_name": sprint_name(sprints, note.sprint),
                "discipline": note.discipline.as_str(),
                "discipline_name": discipline_name(roster, note),
                "person": note.author.as_str(),
                "text": note.text,
                "created_at": rfc3339(team, note.created_at),
                "updated_at": rfc3339(team, note.updated_at),
            })
        })
        .collect();
    json!({ "notes": notes })
}

fn sprint_name(sprints: &[Sprint], index: SprintIndex) -> String {
    sprints
        .iter()
        .find(|s| s.index == index)
        .map_or_else(|| format!("sprint {index}"), |s| s.name.clone())
}

fn discipline_name(roster: &Roster, note: &HandoffNote) -> String {
    roster
        .discipline(&note.discipline)
        .map_or_else(|| note.discipline.to_string(), |d| d.name.clone())
}
