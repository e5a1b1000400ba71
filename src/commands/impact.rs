//! How the command line says whose upcoming duties a change moved: one line after a change,
//! and, for `--dry-run`, what each person had and would have.

use crate::cli::DryRun;
use crate::config::Config;
use crate::dates::CliDates;
use crate::domain::SlackUserId;
use crate::domain::impact::{Duty, HORIZON};
use crate::duty::Roster;
use crate::impact::{Impact, Mode};

impl DryRun {
    pub fn mode(self) -> Mode {
        if self.dry_run {
            Mode::DryRun
        } else {
            Mode::Apply
        }
    }
}

/// Prints what a change did (`done`, one line each), then whose duties it moved. A dry run says
/// first that nothing was changed, and lists each person's duties before and after.
pub(crate) fn print_change(config: &Config, done: &[String], impact: &Impact, mode: Mode) {
    if mode == Mode::DryRun {
        outln!("dry run: nothing was changed; the change would do this:");
        done.iter().for_each(|line| outln!("  {line}"));
    } else {
        done.iter().for_each(|line| outln!("{line}"));
    }
    print_moved(config, impact, mode);
}

/// Whose duties a change moved: one line, and for a dry run each person's duties before and
/// after.
pub(crate) fn print_moved(config: &Config, impact: &Impact, mode: Mode) {
    let roster = &impact.roster;
    let people: Vec<String> = impact
        .moved
        .iter()
        .map(|p| person(roster, &p.person))
        .collect();
    let verb = if mode == Mode::DryRun {
        "would move"
    } else {
        "moves"
    };
    match people.len() {
        0 => outln!("this {verb} nobody's duties over the next {HORIZON} sprints"),
        1 => outln!(
            "this {verb} the duties of 1 person over the next {HORIZON} sprints: {}",
            people[0]
        ),
        n => outln!(
            "this {verb} the duties of {n} people over the next {HORIZON} sprints: {}",
            people.join(", ")
        ),
    }
    if mode == Mode::DryRun {
        let dates = CliDates::new(&config.team());
        for (moved, name) in impact.moved.iter().zip(&people) {
            outln!("  {name}");
            outln!("    had: {}", duties(&moved.had, roster, &dates));
            outln!("    now: {}", duties(&moved.now, roster, &dates));
        }
    }
}

/// `Tom Baker (U0TOM)`, or the id alone for someone not listed.
fn person(roster: &Roster, id: &SlackUserId) -> String {
    roster
        .name_of(id)
        .map_or_else(|| id.to_string(), |name| format!("{name} ({id})"))
}

/// `UI Engineering in Sprint 6 (2026-04-20 to 2026-05-03), …`, or `no triage duty`.
fn duties(list: &[Duty], roster: &Roster, dates: &CliDates) -> String {
    if list.is_empty() {
        return "no triage duty".to_string();
    }
    let parts: Vec<String> = list
        .iter()
        .map(|duty| {
            let discipline = roster
                .discipline(&duty.discipline)
                .map_or_else(|| duty.discipline.to_string(), |d| d.name.clone());
            format!(
                "{discipline} in {} ({})",
                duty.sprint.name,
                dates.span(duty.sprint.start, duty.sprint.end)
            )
        })
        .collect();
    parts.join(", ")
}
