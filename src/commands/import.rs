//! `triage-bot import-legacy <dir> [--dry-run] [--by U…]`: reads the old bot's JSON files and
//! imports them in one transaction, then prints what was created and merged, and on stderr a
//! warning for each thing left out or kept although it looks wrong.

use std::path::Path;

use anyhow::Context;

use crate::app;
use crate::config::Config;
use crate::legacy::{self, Merged};
use crate::store::{ImportCounts, ImportMode, ImportReport};

pub fn run(config: &Config, dir: &Path, dry_run: bool, by: &str) -> anyhow::Result<()> {
    let now = config.now();
    let legacy = legacy::load(dir)?;
    let store = app::open_store(config)?;
    let mode = if dry_run {
        ImportMode::DryRun
    } else {
        ImportMode::Commit
    };
    let report = store
        .import_batch(&legacy.batch, by, &config.team(), now, mode)
        .context("import failed, nothing was changed")?;
    let summary = summary(&report, &legacy.merged);
    if dry_run {
        outln!("dry run, nothing was written: {summary}");
    } else {
        outln!("{summary}");
    }
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    Ok(())
}

/// One line: `disciplines: 5 created; members: 18 created, 2 duplicates merged; …`.
pub fn summary(report: &ImportReport, merged: &Merged) -> String {
    let mut overrides_note = match report.superseded {
        0 => String::new(),
        n => format!(" ({n} superseded)"),
    };
    if report.skipped_overrides > 0 {
        overrides_note.push_str(&format!(", {} skipped", report.skipped_overrides));
    }
    let current_state = match report.present {
        Some(sprint) => format!("current state of sprint {sprint}"),
        None => "current state".to_string(),
    };
    [
        part("disciplines", report.disciplines, "created", "", 0),
        part("members", report.members, "created", "", merged.members),
        part("sprints", report.sprints, "created", "", merged.sprints),
        part(
            "overrides",
            report.overrides,
            "created",
            &overrides_note,
            merged.overrides,
        ),
        part("on duty", report.on_duty, "kept", "", 0),
        part(&current_state, report.current_state, "set", "", 0),
    ]
    .join("; ")
}

fn part(label: &str, counts: ImportCounts, verb: &str, note: &str, merged: usize) -> String {
    let mut text = format!("{label}: {} {verb}{note}", counts.created);
    if counts.present > 0 {
        text.push_str(&format!(", {} already present", counts.present));
    }
    match merged {
        0 => {}
        1 => text.push_str(", 1 duplicate merged"),
        n => text.push_str(&format!(", {n} duplicates merged")),
    }
    text
}
