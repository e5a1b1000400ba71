//! `discipline`, `member`, `admin` and `audit`: the team's setup and its history. Member
//! changes say whose upcoming duties they moved, and take `--dry-run`.

use serde_json::json;

use super::away::{dated, pending_json, takes_effect};
use super::impact::{print_change, print_moved};
use super::{parse_actor, parse_number, print_json, table};
use crate::app::{self, UsageError};
use crate::cli::{AdminCommand, DisciplineCommand, MemberCommand};
use crate::config::Config;
use crate::dates::CliDates;
use crate::domain::approval::UnknownApproval;
use crate::domain::roster_change::ChangeKind;
use crate::domain::{Approval, DisciplineKey, SlackUserId};
use crate::duty;
use crate::impact::{self, Mode};
use crate::removal::{Removal, remove_member};
use crate::roster_changes::{self, Pending};
use crate::store::{DisciplineChange, MemberChange, NewDiscipline, StoreError, no_effects};

pub fn discipline(config: &Config, command: DisciplineCommand) -> anyhow::Result<()> {
    match command {
        DisciplineCommand::Add {
            key,
            name,
            fallback,
            usergroup,
            by,
        } => {
            let new = NewDiscipline {
                key: DisciplineKey::parse(&key)?,
                name,
                fallback: fallback.as_deref().map(SlackUserId::parse).transpose()?,
                usergroup_id: usergroup.map(|group| parse_usergroup(&group)).transpose()?,
            };
            let actor = parse_actor(&by.by)?;
            let store = app::open_store(config)?;
            let (now, team) = (config.now(), config.team());
            // A new fallback moves the duty of a discipline without active members.
            let (change, impact) = impact::change(&store, &team, now, &actor, Mode::Apply, |s| {
                s.save_discipline(&new, &actor, now)
            })?;
            outln!("{}", describe_discipline(&change));
            if !impact.moved.is_empty() {
                print_moved(config, &impact, Mode::Apply);
            }
        }
        DisciplineCommand::Policy { key, away, by } => {
            return super::away::policy(config, &key, &away, &by.by);
        }
        DisciplineCommand::Approval { key, policy, by } => {
            let key = DisciplineKey::parse(&key)?;
            let store = app::open_store(config)?;
            match policy {
                None => {
                    let policy = store.approval_policy(&key)?;
                    outln!("{key}: approval {policy} ({})", policy.describe());
                }
                Some(policy) => {
                    let policy: Approval = policy
                        .parse()
                        .map_err(|e: UnknownApproval| UsageError(e.to_string()))?;
                    let actor = parse_actor(&by.by)?;
                    let before = store.set_approval_policy(&key, policy, &actor, config.now())?;
                    if before == policy {
                        outln!("{key}: approval is already {policy}; nothing changed");
                    } else {
                        outln!(
                            "{key}: approval {before} → {policy} ({})",
                            policy.describe()
                        );
                    }
                }
            }
        }
        DisciplineCommand::List => {
            let store = app::open_store(config)?;
            let disciplines = store.disciplines()?;
            let policies = store.away_policies()?;
            let policy_of = |key: &DisciplineKey| {
                policies
                    .iter()
                    .find(|(k, _)| k == key)
                    .map_or("warn", |(_, p)| p.as_str())
            };
            if config.json {
                let list: Vec<_> = disciplines
                    .iter()
                    .map(|d| {
                        json!({"key": d.key.as_str(), "name": d.name, "position": d.position,
                               "fallback": d.fallback.as_ref().map(SlackUserId::as_str),
                               "usergroup": d.usergroup_id, "away": policy_of(&d.key)})
                    })
                    .collect();
                print_json(&json!(list));
            } else if disciplines.is_empty() {
                outln!(
                    "no disciplines yet: add one with `triage-bot discipline add <key> --name <name>`"
                );
            } else {
                let mut rows = vec![vec![
                    "KEY".into(),
                    "NAME".into(),
                    "FALLBACK".into(),
                    "AWAY".into(),
                ]];
                for d in &disciplines {
                    let fallback = d
                        .fallback
                        .as_ref()
                        .map_or("-".to_string(), ToString::to_string);
                    let policy = policy_of(&d.key).to_string();
                    rows.push(vec![d.key.to_string(), d.name.clone(), fallback, policy]);
                }
                out!("{}", table(&rows));
            }
        }
    }
    Ok(())
}

/// What `discipline add` did: created the key, or changed (or left alone) an existing one.
fn describe_discipline(change: &DisciplineChange) -> String {
    let after = &change.after;
    let Some(before) = &change.before else {
        return format!("discipline {}: {}", after.key, after.name);
    };
    let mut changes = Vec::new();
    if before.name != after.name {
        changes.push(format!(
            "renamed from \"{}\" to \"{}\"",
            before.name, after.name
        ));
    }
    if before.fallback != after.fallback {
        let fallback = after.fallback.as_ref().map_or("-", SlackUserId::as_str);
        changes.push(format!("fallback now {fallback}"));
    }
    if before.usergroup_id != after.usergroup_id {
        let group = after.usergroup_id.as_deref().unwrap_or("-");
        changes.push(format!("user group now {group}"));
    }
    if changes.is_empty() {
        changes.push("unchanged".to_string());
    }
    format!(
        "discipline {} already existed; {}",
        after.key,
        changes.join(", ")
    )
}

fn parse_usergroup(text: &str) -> Result<String, UsageError> {
    let ok = text.len() >= 2
        && text.starts_with('S')
        && text
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if ok {
        Ok(text.to_string())
    } else {
        Err(UsageError(format!(
            "`{text}` is not a Slack user group id (expected something like S0614TZR7)"
        )))
    }
}

pub fn member(config: &Config, command: MemberCommand) -> anyhow::Result<()> {
    if let MemberCommand::List { discipline } = &command {
        return list_members(config, discipline.as_deref());
    }
    let (now, team) = (config.now(), config.team());
    let (done, impact, mode) = match command {
        MemberCommand::Away(command) => return super::away::away(config, command),
        MemberCommand::Join {
            slack_id,
            discipline,
            on,
            name,
            cancel,
            by,
            dry_run,
        } => {
            let (on, kind) = (on.as_deref(), ChangeKind::Join);
            return dated(
                config,
                kind,
                &slack_id,
                &discipline,
                on,
                name,
                cancel,
                &by.by,
                dry_run.mode(),
            );
        }
        MemberCommand::Leave {
            slack_id,
            discipline,
            on,
            cancel,
            by,
            dry_run,
        } => {
            let (on, kind) = (on.as_deref(), ChangeKind::Leave);
            return dated(
                config,
                kind,
                &slack_id,
                &discipline,
                on,
                None,
                cancel,
                &by.by,
                dry_run.mode(),
            );
        }
        MemberCommand::Add {
            slack_id,
            discipline,
            name,
            by,
            dry_run,
        } => {
            let (id, key, actor) = (
                SlackUserId::parse(&slack_id)?,
                DisciplineKey::parse(&discipline)?,
                parse_actor(&by.by)?,
            );
            let store = app::open_store(config)?;
            let (change, impact) =
                impact::change(&store, &team, now, &actor, dry_run.mode(), |store| {
                    duty::change_roster(store, &team, now, &actor, |store| {
                        store.upsert_member(&id, &key, name.as_deref(), &actor, now)
                    })
                })?;
            (vec![describe(&change)], impact, dry_run.mode())
        }
        MemberCommand::Remove {
            slack_id,
            discipline,
            by,
            dry_run,
        } => {
            let (id, key, actor) = (
                SlackUserId::parse(&slack_id)?,
                DisciplineKey::parse(&discipline)?,
                parse_actor(&by.by)?,
            );
            let store = app::open_store(config)?;
            let (removal, impact) =
                impact::change(&store, &team, now, &actor, dry_run.mode(), |store| {
                    remove_member(store, &team, &id, &key, &actor, now, &no_effects)
                })?;
            let done = describe_removal(&removal, config)
                .lines()
                .map(str::to_string)
                .collect();
            (done, impact, dry_run.mode())
        }
        MemberCommand::Reactivate {
            slack_id,
            discipline,
            by,
            dry_run,
        } => {
            let (id, key, actor) = (
                SlackUserId::parse(&slack_id)?,
                DisciplineKey::parse(&discipline)?,
                parse_actor(&by.by)?,
            );
            let store = app::open_store(config)?;
            if store.members(Some(&key))?.iter().all(|m| m.slack_id != id) {
                return Err(
                    UsageError(format!("{id} is not a member of {key}; use `member add`")).into(),
                );
            }
            let (change, impact) =
                impact::change(&store, &team, now, &actor, dry_run.mode(), |store| {
                    duty::change_roster(store, &team, now, &actor, |store| {
                        store.upsert_member(&id, &key, None, &actor, now)
                    })
                })?;
            (vec![describe(&change)], impact, dry_run.mode())
        }
        MemberCommand::Move {
            slack_id,
            discipline,
            to,
            by,
            dry_run,
        } => {
            let (id, key, actor) = (
                SlackUserId::parse(&slack_id)?,
                DisciplineKey::parse(&discipline)?,
                parse_actor(&by.by)?,
            );
            let position = parse_number("--to", &to, 1, 10_000)? as usize;
            let store = app::open_store(config)?;
            let (change, impact) =
                impact::change(&store, &team, now, &actor, dry_run.mode(), |store| {
                    duty::change_roster(store, &team, now, &actor, |store| {
                        store.move_member(&id, &key, position, &actor, now)
                    })
                })?;
            (vec![describe(&change)], impact, dry_run.mode())
        }
        MemberCommand::List { .. } => unreachable!("handled above"),
    };
    print_change(config, &done, &impact, mode);
    Ok(())
}

fn describe(change: &MemberChange) -> String {
    let m = &change.member;
    let what = change.outcome.described();
    format!(
        "{} ({}) {what} {} (position {})",
        m.name, m.slack_id, m.discipline, m.rotation_order
    )
}

/// The removal, then notes on what it means for duty (as the Slack answer says them).
fn describe_removal(removal: &Removal, config: &Config) -> String {
    let member = &removal.change.member;
    let (key, command) = (&member.discipline, &config.bot.command);
    let mut lines = vec![describe(&removal.change)];
    if let Some(stays) = &removal.stays_on_duty {
        lines.push(format!(
            "note: {} stays on duty for {key} until the sprint ends ({}, until {}); to change that, an admin can run `{command} set {key} @person` in Slack",
            member.slack_id,
            stays.sprint.name,
            CliDates::new(&config.team()).instant(stays.until)
        ));
    }
    if let Some(empty) = &removal.left_empty {
        let next = match &empty.fallback {
            Some(fallback) => format!("its fallback {fallback} will be"),
            None => "nobody will be".to_string(),
        };
        lines.push(format!(
            "warning: {key} has no active members left: from the next sprint {next} on duty for it (add someone with `triage-bot member add <U…> {key}`)"
        ));
    }
    lines.join("\n")
}

fn list_members(config: &Config, discipline: Option<&str>) -> anyhow::Result<()> {
    let key = discipline.map(DisciplineKey::parse).transpose()?;
    let store = app::open_store(config)?;
    // First: it applies the dated changes whose handoff has come.
    let pending = roster_changes::pending(&store, &config.team(), key.as_ref(), config.now())?;
    let members = store.members(key.as_ref())?;
    let pending_of = |id: &SlackUserId, key: &DisciplineKey| {
        pending
            .iter()
            .find(|p| &p.change.person == id && &p.change.discipline == key)
    };
    if config.json {
        let mut list: Vec<_> = members
            .iter()
            .map(|m| {
                json!({"slack_id": m.slack_id.as_str(), "discipline": m.discipline.as_str(),
                       "name": m.name, "position": m.rotation_order, "active": m.active,
                       "pending": pending_of(&m.slack_id, &m.discipline).map(pending_json)})
            })
            .collect();
        let listed = |p: &&Pending| {
            members
                .iter()
                .any(|m| m.slack_id == p.change.person && m.discipline == p.change.discipline)
        };
        list.extend(pending.iter().filter(|p| !listed(p)).map(|p| {
            let c = &p.change;
            json!({"slack_id": c.person.as_str(), "discipline": c.discipline.as_str(),
                   "name": c.name.clone().unwrap_or_else(|| c.person.to_string()),
                   "position": null, "active": false, "pending": pending_json(p)})
        }));
        print_json(&json!(list));
        return Ok(());
    }
    let mut rows = vec![vec![
        "DISCIPLINE".into(),
        "POS".into(),
        "SLACK ID".into(),
        "NAME".into(),
        "STATUS".into(),
    ]];
    for m in &members {
        let status = if m.active { "active" } else { "inactive" };
        rows.push(vec![
            m.discipline.to_string(),
            m.rotation_order.to_string(),
            m.slack_id.to_string(),
            m.name.clone(),
            status.into(),
        ]);
    }
    out!("{}", table(&rows));
    if !pending.is_empty() {
        outln!("\nscheduled:");
        let mut rows = vec![vec![
            "CHANGE".into(),
            "DISCIPLINE".into(),
            "SLACK ID".into(),
            "WHAT".into(),
            "ON".into(),
            "TAKES EFFECT".into(),
        ]];
        let dates = CliDates::new(&config.team());
        for p in &pending {
            rows.push(vec![
                format!("#{}", p.change.id),
                p.change.discipline.to_string(),
                p.change.person.to_string(),
                p.change.kind.to_string(),
                dates.day(p.change.on),
                takes_effect(p, config),
            ]);
        }
        out!("{}", table(&rows));
    }
    Ok(())
}

pub fn admin(config: &Config, command: AdminCommand) -> anyhow::Result<()> {
    let now = config.now();
    match command {
        AdminCommand::Add { slack_id, by } => {
            let (id, actor) = (SlackUserId::parse(&slack_id)?, parse_actor(&by.by)?);
            let added = app::open_store(config)?.add_admin(&id, &actor, now)?;
            outln!(
                "{id} {}",
                if added {
                    "is now an admin"
                } else {
                    "was already an admin"
                }
            );
        }
        AdminCommand::Remove { slack_id, by } => {
            let (id, actor) = (SlackUserId::parse(&slack_id)?, parse_actor(&by.by)?);
            let store = app::open_store(config)?;
            let removed = match store.remove_admin(&id, &config.bot.admins, &actor, now) {
                Err(StoreError::LastAdmin(_)) => {
                    return Err(UsageError(format!(
                        "{id} is the last admin; add another admin first (`triage-bot admin add <U…>`)"
                    ))
                    .into());
                }
                other => other?,
            };
            outln!(
                "{id} {}",
                if removed {
                    "is no longer an admin"
                } else {
                    "was not an admin"
                }
            );
        }
        AdminCommand::List => {
            let admins = app::open_store(config)?.admins()?;
            if config.json {
                print_json(&json!(
                    admins.iter().map(SlackUserId::as_str).collect::<Vec<_>>()
                ));
            } else if admins.is_empty() {
                outln!("no admins yet: add one with `triage-bot admin add <U…>`");
            } else {
                admins.iter().for_each(|a| outln!("{a}"));
            }
        }
    }
    Ok(())
}

pub fn audit(config: &Config, limit: &str) -> anyhow::Result<()> {
    let limit = parse_number("--limit", limit, 1, 100_000)? as usize;
    let entries = app::open_store(config)?.audit(limit)?;
    let team = config.team();
    if config.json {
        let list: Vec<_> = entries
            .iter()
            .map(|e| {
                json!({"id": e.id, "at": e.at.to_string(), "actor": e.actor, "action": e.action,
                       "entity": e.entity, "entity_id": e.entity_id,
                       "before": e.before.as_deref().and_then(|b| serde_json::from_str::<serde_json::Value>(b).ok()),
                       "after": e.after.as_deref().and_then(|a| serde_json::from_str::<serde_json::Value>(a).ok()),
                       "reason": e.reason})
            })
            .collect();
        print_json(&json!(list));
        return Ok(());
    }
    let dates = CliDates::new(&team);
    let mut rows = vec![vec![
        "WHEN".into(),
        "ACTOR".into(),
        "ACTION".into(),
        "ENTITY".into(),
    ]];
    for e in &entries {
        rows.push(vec![
            dates.instant(e.at),
            e.actor.clone(),
            e.action.clone(),
            format!("{} {}", e.entity, e.entity_id),
        ]);
    }
    out!("{}", table(&rows));
    Ok(())
}
