//! `member away add|list|remove`, `member join|leave --on`, `discipline policy`: absences, dated
//! roster changes and the away policy from the command line. Absences are recorded through the
//! bot's own code (`bot::away::record`), so they cause the same messages as in Slack (delivered
//! by `serve`).

use serde_json::{Value, json};

use super::impact::print_change;
use super::sprints::sprint_json;
use super::{parse_actor, parse_date, parse_number, print_json, table};
use crate::app::{self, UsageError};
use crate::away::AwayAdded;
use crate::bot::away::{Via, record};
use crate::cli::AwayCommand;
use crate::config::Config;
use crate::dates::CliDates;
use crate::domain::away::{AwayPolicy, AwayWindow};
use crate::domain::roster_change::ChangeKind;
use crate::domain::{DisciplineKey, SlackUserId, sprint_starts_at};
use crate::duty::{Roster, local_date};
use crate::impact::{self, Mode};
use crate::roster_changes::{self, Pending};
use crate::store::{NewAwayWindow, NewRosterChange};

pub fn away(config: &Config, command: AwayCommand) -> anyhow::Result<()> {
    let now = config.now();
    match command {
        AwayCommand::Add {
            slack_id,
            from,
            to,
            reason,
            by,
        } => {
            let new = NewAwayWindow {
                person: SlackUserId::parse(&slack_id)?,
                from: parse_date("the first day", &from)?,
                to: parse_date("the last day", &to)?,
                reason,
                created_by: parse_actor(&by.by)?,
            };
            let store = app::open_store(config)?;
            let outcome = record(&store, config, &new, now, Via::Command)?;
            if config.json {
                print_json(&added_json(&outcome));
            } else {
                let roster = Roster::load(&store)?;
                outln!("{}", describe_added(&outcome, &roster, config));
            }
        }
        AwayCommand::List { person } => {
            let person = person.as_deref().map(SlackUserId::parse).transpose()?;
            let store = app::open_store(config)?;
            let today = local_date(&config.team(), now);
            let windows = store.away_windows(person.as_ref(), today)?;
            if config.json {
                print_json(&Value::from(
                    windows.iter().map(window_json).collect::<Vec<_>>(),
                ));
            } else if windows.is_empty() {
                outln!(
                    "nobody is away from today on: record an absence with `triage-bot member away add <U…> <first day> <last day>`"
                );
            } else {
                let roster = Roster::load(&store)?;
                let dates = CliDates::new(&config.team());
                let mut rows = vec![vec![
                    "ID".into(),
                    "SLACK ID".into(),
                    "NAME".into(),
                    "FROM".into(),
                    "TO".into(),
                    "REASON".into(),
                ]];
                for w in &windows {
                    rows.push(vec![
                        format!("#{}", w.id),
                        w.person.to_string(),
                        roster.name_of(&w.person).unwrap_or("-").to_string(),
                        dates.day(w.from),
                        dates.day(w.to),
                        w.reason.clone().unwrap_or_else(|| "-".into()),
                    ]);
                }
                out!("{}", table(&rows));
            }
        }
        AwayCommand::Remove { id, by } => {
            let id = parse_number(
                "the absence's number",
                id.trim_start_matches('#'),
                1,
                1_000_000_000,
            )? as i64;
            let actor = parse_actor(&by.by)?;
            let store = app::open_store(config)?;
            let removed = crate::away::remove_window(&store, id, &actor, now, &|_| Vec::new())?;
            let window = &removed.window;
            let kept = if removed.swaps_kept {
                "; swaps it caused stay"
            } else {
                ""
            };
            outln!(
                "absence #{} of {} ({}) removed{kept}",
                window.id,
                window.person,
                CliDates::new(&config.team()).span(window.from, window.to)
            );
        }
    }
    Ok(())
}

fn window_json(w: &AwayWindow) -> Value {
    json!({
        "id": w.id, "slack_id": w.person.as_str(), "from": w.from.to_string(),
        "to": w.to.to_string(), "reason": w.reason, "created_by": w.created_by,
    })
}

fn added_json(outcome: &AwayAdded) -> Value {
    let mut value = window_json(&outcome.window);
    value["created"] = outcome.created.into();
    value["conflicts"] = outcome
        .conflicts
        .iter()
        .map(|c| json!({"sprint": sprint_json(&c.sprint), "discipline": c.discipline.as_str()}))
        .collect();
    value["swaps"] = outcome
        .swaps
        .iter()
        .map(|s| {
            json!({
                "discipline": s.swap.discipline.as_str(),
                "away": s.swap.away.as_str(),
                "away_sprint": s.away_sprint.index.get(),
                "partner": s.swap.partner.as_str(),
                "partner_sprint": s.partner_sprint.index.get(),
                "overrides": [s.overrides.0.id, s.overrides.1.id],
            })
        })
        .collect();
    value
}

fn describe_added(outcome: &AwayAdded, roster: &Roster, config: &Config) -> String {
    let w = &outcome.window;
    let reason = w
        .reason
        .as_deref()
        .map_or(String::new(), |r| format!(" ({r})"));
    let dates = CliDates::new(&config.team());
    let (from, to) = (dates.day(w.from), dates.day(w.to));
    let mut lines = vec![if outcome.created {
        format!(
            "absence #{} recorded: {} is away from {from} to {to}{reason}",
            w.id, w.person
        )
    } else {
        format!(
            "absence #{} already recorded: {} is away from {from} to {to}{reason}; nothing changed",
            w.id, w.person
        )
    }];
    for c in outcome.unresolved() {
        let name = roster
            .discipline(&c.discipline)
            .map_or(c.discipline.to_string(), |d| d.name.clone());
        let mut line = format!(
            "note: it falls in {}'s duty for {name} in {} ({}): ask for cover with `triage-bot override request \"{}\" {} --replacement <U…> --by {}`",
            w.person,
            c.sprint.name,
            dates.span(c.sprint.start, c.sprint.end),
            c.sprint.name,
            c.discipline,
            w.person
        );
        if config.bot.admin_channel.is_some() && c.alert_at > config.now() {
            line.push_str(&format!(
                "; if nobody covers it, the admin channel hears of it on {}",
                dates.instant(c.alert_at)
            ));
        }
        lines.push(line);
    }
    for s in &outcome.swaps {
        lines.push(format!(
            "swapped ({} has the swap-next policy): {} takes {}'s turn in {}, {} takes {}'s turn in {} (overrides #{} and #{}); both get a DM",
            s.swap.discipline,
            s.swap.partner,
            s.swap.away,
            s.away_sprint.name,
            s.swap.away,
            s.swap.partner,
            s.partner_sprint.name,
            s.overrides.0.id,
            s.overrides.1.id
        ));
    }
    if outcome.created && outcome.conflicts.is_empty() {
        lines.push(format!("none of {}'s duty falls in it", w.person));
    }
    lines.join("\n")
}

/// `member join|leave <U…> <discipline> --on <date>` (or `--cancel`).
#[allow(clippy::too_many_arguments)]
pub fn dated(
    config: &Config,
    kind: ChangeKind,
    slack_id: &str,
    discipline: &str,
    on: Option<&str>,
    name: Option<String>,
    cancel: bool,
    by: &str,
    mode: Mode,
) -> anyhow::Result<()> {
    let (person, key, actor) = (
        SlackUserId::parse(slack_id)?,
        DisciplineKey::parse(discipline)?,
        parse_actor(by)?,
    );
    let (now, team) = (config.now(), config.team());
    let store = app::open_store(config)?;
    if cancel {
        let (cancelled, impact) = impact::change(&store, &team, now, &actor, mode, |store| {
            roster_changes::cancel(store, &team, &person, &key, kind, &actor, now)
        })?;
        let done = format!(
            "cancelled: the {} of {} in {} on {} (change #{})",
            cancelled.kind,
            cancelled.person,
            cancelled.discipline,
            CliDates::new(&team).day(cancelled.on),
            cancelled.id
        );
        print_change(config, &[done], &impact, mode);
        return Ok(());
    }
    let on = parse_date("--on", on.unwrap_or_default())?;
    let new = NewRosterChange {
        person,
        discipline: key,
        kind,
        on,
        name,
        created_by: actor.clone(),
    };
    let (scheduled, impact) = impact::change(&store, &team, now, &actor, mode, |store| {
        roster_changes::schedule(store, &team, &new, now)
    })?;
    let change = &scheduled.pending.change;
    let verb = match kind {
        ChangeKind::Join => "joins",
        ChangeKind::Leave => "leaves",
    };
    let already = if scheduled.created {
        ""
    } else {
        " (already scheduled; nothing changed)"
    };
    // A dry run's change was rolled back, so it has no number to show.
    let number = match mode {
        Mode::Apply => format!("change #{}: ", change.id),
        Mode::DryRun => String::new(),
    };
    let done = format!(
        "{number}{} {verb} {} {}{already}",
        change.person,
        change.discipline,
        takes_effect(&scheduled.pending, config)
    );
    print_change(config, &[done], &impact, mode);
    Ok(())
}

/// `at the handoff of Sprint 6 (2026-04-06 08:00 PDT)`, or when it will be known.
pub fn takes_effect(pending: &Pending, config: &Config) -> String {
    let team = config.team();
    let dates = CliDates::new(&team);
    match &pending.effective {
        Some(sprint) => format!(
            "at the handoff of {} ({})",
            sprint.name,
            dates.instant(sprint_starts_at(sprint, &team))
        ),
        None => format!(
            "at the first handoff on or after {} (no sprint starting then is planned yet)",
            dates.day(pending.change.on)
        ),
    }
}

/// The pending changes as `member list --json` adds them to a member entry.
pub fn pending_json(pending: &Pending) -> Value {
    json!({
        "id": pending.change.id,
        "change": pending.change.kind.as_str(),
        "on": pending.change.on.to_string(),
        "sprint": pending.effective.as_ref().map(sprint_json),
    })
}

/// `discipline policy <key> --away warn|swap-next`.
pub fn policy(config: &Config, key: &str, away: &str, by: &str) -> anyhow::Result<()> {
    let key = DisciplineKey::parse(key)?;
    let policy: AwayPolicy = away
        .parse()
        .map_err(|e: crate::domain::away::UnknownPolicy| UsageError(format!("--away: {e}")))?;
    let actor = parse_actor(by)?;
    let store = app::open_store(config)?;
    let before = store.set_away_policy(&key, policy, &actor, config.now())?;
    if before == policy {
        outln!("{key} already has the away policy {policy}; nothing changed");
    } else {
        outln!(
            "{key}: away policy {policy} (was {before}); it applies to absences recorded from now on"
        );
    }
    Ok(())
}
