//! Admin commands from Slack: the rotation's members, sprints, and the admins themselves.
//!
//! Every one checks admin rights first and records a refused attempt in the audit log. The
//! store does the change and audits it in the same transaction. A change that may move people's
//! upcoming duty (members, sprints) goes through `impact::change`, and its answer says whose
//! duties it moved; they hear of it by DM when the change-impact window closes.

use super::command::Command;
use super::effect::{Effect, Outgoing, items};
use super::{BotError, Context};
use crate::dates::SlackDates;
use crate::domain::plan::SprintEdit;
use crate::domain::{Approval, DisciplineKey, SlackUserId, Sprint};
use crate::duty::{self, Roster};
use crate::impact::{self, Mode};
use crate::removal::{Removal, remove_member};
use crate::roster_changes;
use crate::slack::absence;
use crate::slack::blocks::{Message, discipline_name, mention};
use crate::slack::impact::moved_line;
use crate::slack::text::escape;
use crate::store::{MemberChange, MemberOutcome, NewRosterChange, NewSprint, Store, StoreError};

/// The name given to generated sprints; `{n}` is the sprint's number.
const SPRINT_NAME: &str = "Sprint {n}";

/// `command` with the discipline it names by key or display name (`ui`, `backend`) replaced by
/// the discipline's key; an unknown one is refused with the choices.
fn with_discipline_named(ctx: Context<'_>, command: Command) -> Result<Command, BotError> {
    let roster = crate::duty::Roster::load(ctx.store)?;
    let named =
        |word: &crate::domain::DisciplineKey| super::coverage::named_discipline(&roster, word);
    Ok(match command {
        Command::MemberAdd {
            user,
            discipline,
            name,
        } => Command::MemberAdd {
            user,
            discipline: named(&discipline)?,
            name,
        },
        Command::MemberRemove { user, discipline } => Command::MemberRemove {
            user,
            discipline: named(&discipline)?,
        },
        Command::MemberMove {
            user,
            discipline,
            position,
        } => Command::MemberMove {
            user,
            discipline: named(&discipline)?,
            position,
        },
        Command::MemberOn {
            kind,
            user,
            discipline,
            on,
            name,
        } => Command::MemberOn {
            kind,
            user,
            discipline: named(&discipline)?,
            on,
            name,
        },
        Command::MemberCancel {
            kind,
            user,
            discipline,
        } => Command::MemberCancel {
            kind,
            user,
            discipline: named(&discipline)?,
        },
        Command::Approval { discipline, policy } => Command::Approval {
            discipline: named(&discipline)?,
            policy,
        },
        other => other,
    })
}

/// Runs an admin command.
pub fn run(ctx: Context<'_>, command: Command) -> Result<Message, BotError> {
    if let Some((action, entity, what)) = rights(&command) {
        ctx.require_admin(action, entity, &entity_id(&command), what)?;
    }
    let actor = ctx.user.as_str();
    let team = ctx.config.team();
    let command = with_discipline_named(ctx, command)?;
    let text = match command {
        Command::MemberAdd {
            user,
            discipline,
            name,
        } => {
            let (change, moved) = with_impact(ctx, |store| {
                duty::change_roster(store, &team, ctx.now, actor, |store| {
                    store.upsert_member(&user, &discipline, name.as_deref(), actor, ctx.now)
                })
            })?;
            format!("{}\n{moved}", describe(ctx, &change)?)
        }
        Command::MemberRemove { user, discipline } => {
            let home = |change: &MemberChange| {
                let key = format!(
                    "member:{}:{}:{}:home",
                    change.member.discipline,
                    user,
                    ctx.now.as_second()
                );
                let effect = Effect::PublishHome {
                    user: user.to_string(),
                };
                items(&[Outgoing::now(key, effect, ctx.now)])
            };
            let (removal, moved) = with_impact(ctx, |store| {
                remove_member(store, &team, &user, &discipline, actor, ctx.now, &home)
            })?;
            let text = describe_removal(ctx, &removal, &ctx.config.bot.command)?;
            format!("{text}\n{moved}")
        }
        Command::MemberMove {
            user,
            discipline,
            position,
        } => {
            let (change, moved) = with_impact(ctx, |store| {
                duty::change_roster(store, &team, ctx.now, actor, |store| {
                    store.move_member(&user, &discipline, position, actor, ctx.now)
                })
            })?;
            format!("{}\n{moved}", describe(ctx, &change)?)
        }
        Command::MemberOn {
            kind,
            user,
            discipline,
            on,
            name,
        } => {
            let new = NewRosterChange {
                person: user,
                discipline,
                kind,
                on,
                name,
                created_by: actor.to_string(),
            };
            let roster = Roster::load(ctx.store)?;
            let schedule = |store: &Store| roster_changes::schedule(store, &team, &new, ctx.now);
            let changed = impact::change(ctx.store, &team, ctx.now, actor, Mode::Apply, schedule);
            let (scheduled, impact) = changed.map_err(|error| match error {
                StoreError::RosterChange(rule) => {
                    BotError::Refused(absence::change_refusal(&rule, &roster, &ctx.dates()))
                }
                other => other.into(),
            })?;
            let moved = moved_line(&impact.moved, ctx.config.bot.impact_window);
            let text = absence::change_scheduled(
                &scheduled.pending,
                scheduled.created,
                &roster,
                &team,
                &ctx.dates(),
            )
            .text;
            format!("{text}\n{moved}")
        }
        Command::MemberCancel {
            kind,
            user,
            discipline,
        } => {
            let (cancelled, moved) = with_impact(ctx, |store| {
                roster_changes::cancel(store, &team, &user, &discipline, kind, actor, ctx.now)
            })?;
            let roster = Roster::load(ctx.store)?;
            let text = absence::change_cancelled(&cancelled, &roster, &ctx.dates()).text;
            format!("{text}\n{moved}")
        }
        Command::SprintAdd { start, end, name } => {
            let new = [NewSprint { name, start, end }];
            let (created, moved) = with_impact(ctx, |store| {
                store.append_sprints_checked(&new, &team, actor, ctx.now)
            })?;
            format!("{}\n{moved}", added_sprints(&created, &ctx.dates()))
        }
        Command::SprintGenerate { start, count, days } => {
            let (created, moved) = with_impact(ctx, |store| {
                store.generate_sprints_checked(
                    start,
                    days,
                    count,
                    SPRINT_NAME,
                    &team,
                    actor,
                    ctx.now,
                )
            })?;
            format!("{}\n{moved}", added_sprints(&created, &ctx.dates()))
        }
        Command::SprintEdit { .. } | Command::SprintShift { .. } | Command::SprintRetire { .. } => {
            change_sprints(ctx, command)?
        }
        Command::Approval { discipline, policy } => approval(ctx, &discipline, policy)?,
        Command::AdminsList => admins(ctx)?,
        Command::AdminsAdd { user } => {
            let added = ctx.store.add_admin(&user, actor, ctx.now)?;
            format!(
                "{} {}",
                mention(&user),
                if added {
                    "is now an admin"
                } else {
                    "was already an admin"
                }
            )
        }
        Command::AdminsRemove { user } => remove_admin(ctx, &user)?,
        other => {
            return Err(BotError::Refused(format!(
                "`{other:?}` is not an admin command"
            )));
        }
    };
    Ok(Message::text(text))
}

/// The audit action, entity and the refusal's wording of a command that needs an admin; `None`
/// for listing the admins, which everyone may do.
fn rights(command: &Command) -> Option<(&'static str, &'static str, &'static str)> {
    let rights = match command {
        Command::MemberAdd { .. } => ("member.add", "member", "add members"),
        Command::MemberRemove { .. } => ("member.remove", "member", "remove members"),
        Command::MemberMove { .. } => ("member.move", "member", "move members"),
        Command::MemberOn { .. } | Command::MemberCancel { .. } => {
            ("member.schedule", "member", "schedule roster changes")
        }
        Command::SprintAdd { .. } => ("sprint.add", "sprint", "add sprints"),
        Command::SprintGenerate { .. } => ("sprint.generate", "sprint", "add sprints"),
        Command::SprintEdit { .. } => ("sprint.edit", "sprint", "edit sprints"),
        Command::SprintShift { .. } => ("sprint.shift", "sprint", "shift sprints"),
        Command::SprintRetire { .. } => ("sprint.retire", "sprint", "retire sprints"),
        Command::Approval {
            policy: Some(_), ..
        } => ("discipline.approval", "discipline", "set approval policies"),
        Command::AdminsAdd { .. } => ("admin.add", "admin", "add admins"),
        Command::AdminsRemove { .. } => ("admin.remove", "admin", "remove admins"),
        _ => return None,
    };
    Some(rights)
}

/// What an admin command acts on, for the audit log of a refused attempt.
fn entity_id(command: &Command) -> String {
    match command {
        Command::MemberAdd {
            user, discipline, ..
        }
        | Command::MemberRemove { user, discipline }
        | Command::MemberMove {
            user, discipline, ..
        }
        | Command::MemberOn {
            user, discipline, ..
        }
        | Command::MemberCancel {
            user, discipline, ..
        } => format!("{discipline}:{user}"),
        Command::SprintAdd { start, .. } | Command::SprintGenerate { start, .. } => {
            start.to_string()
        }
        Command::SprintEdit { sprint, .. }
        | Command::SprintShift { sprint, .. }
        | Command::SprintRetire { sprint } => sprint.clone(),
        Command::AdminsAdd { user } | Command::AdminsRemove { user } => user.to_string(),
        Command::Approval { discipline, .. } => discipline.to_string(),
        _ => String::new(),
    }
}

/// A roster change as a person in Slack reads it: the member as a mention, the discipline by
/// its display name.
fn describe(ctx: Context<'_>, change: &MemberChange) -> Result<String, BotError> {
    let roster = Roster::load(ctx.store)?;
    let m = &change.member;
    let who = mention(&m.slack_id);
    let discipline = discipline_name(&roster, &m.discipline);
    let position = m.rotation_order;
    Ok(match change.outcome {
        MemberOutcome::Added => format!("{who} added to *{discipline}* (position {position})"),
        MemberOutcome::Reactivated => {
            format!("{who} is back in the rotation of *{discipline}* (position {position})")
        }
        MemberOutcome::Deactivated => format!("{who} taken out of the rotation of *{discipline}*"),
        MemberOutcome::Renamed => {
            format!(
                "{who} is now called “{}” in *{discipline}*",
                escape(&m.name)
            )
        }
        MemberOutcome::Moved => format!("{who} moved to position {position} in *{discipline}*"),
        MemberOutcome::Unchanged if m.active => {
            format!("{who} is already in *{discipline}* (position {position}); nothing changed")
        }
        MemberOutcome::Unchanged => {
            format!("{who} is already out of the rotation of *{discipline}*; nothing changed")
        }
    })
}

/// The removal, then what it means for duty: the person stays on duty until the sprint in force
/// ends, and a discipline left empty gets its fallback or nobody from the next sprint. The key
/// appears only in the commands to type.
fn describe_removal(
    ctx: Context<'_>,
    removal: &Removal,
    command: &str,
) -> Result<String, BotError> {
    let member = &removal.change.member;
    let key = &member.discipline;
    let name = discipline_name(&Roster::load(ctx.store)?, key);
    let mut lines = vec![describe(ctx, &removal.change)?];
    if let Some(stays) = &removal.stays_on_duty {
        lines.push(format!(
            "{} stays on duty for *{name}* until the sprint ends (*{}*, until {}); to change that: `{command} set {key} @person`",
            mention(&member.slack_id),
            escape(&stays.sprint.name),
            ctx.dates().instant(stays.until)
        ));
    }
    if let Some(empty) = &removal.left_empty {
        let next = match &empty.fallback {
            Some(fallback) => format!("its fallback {} will be", mention(fallback)),
            None => "nobody will be".to_string(),
        };
        lines.push(format!(
            ":warning: *{name}* has no active members left: from the next sprint {next} on duty for it (add someone with `{command} member add @person {key}`)"
        ));
    }
    Ok(lines.join("\n"))
}

/// `• *Sprint 1*: Mon Mar 9 to Sun Mar 22`.
fn sprint_line(sprint: &Sprint, dates: &SlackDates) -> String {
    format!(
        "• *{}*: {}",
        escape(&sprint.name),
        dates.span(sprint.start, sprint.end)
    )
}

/// `approval <discipline> [policy]`: shows the policy, or sets it (audited).
fn approval(
    ctx: Context<'_>,
    key: &DisciplineKey,
    policy: Option<Approval>,
) -> Result<String, BotError> {
    let name = discipline_name(&Roster::load(ctx.store)?, key);
    let Some(policy) = policy else {
        let policy = ctx.store.approval_policy(key)?;
        return Ok(format!(
            "*{name}*: approval `{policy}`: {}.",
            policy.describe()
        ));
    };
    let before = ctx
        .store
        .set_approval_policy(key, policy, ctx.user.as_str(), ctx.now)?;
    Ok(if before == policy {
        format!("*{name}*: approval is already `{policy}`; nothing changed.")
    } else {
        format!(
            "*{name}*: approval `{before}` → `{policy}`: {}.",
            policy.describe()
        )
    })
}

fn added_sprints(created: &[Sprint], dates: &SlackDates) -> String {
    let lines: Vec<String> = created.iter().map(|s| sprint_line(s, dates)).collect();
    format!("Added {} sprint(s):\n{}", created.len(), lines.join("\n"))
}

/// `sprint edit|shift|retire`: the store refuses (nothing changed) a sprint that has started at
/// `now`, an overlap, or a move into the past, with the domain's sentence. The answer says whose
/// duties the change moved.
fn change_sprints(ctx: Context<'_>, command: Command) -> Result<String, BotError> {
    let (team, actor, now) = (ctx.config.team(), ctx.user.as_str(), ctx.now);
    let dates = ctx.dates();
    let line = |s: &Sprint| sprint_line(s, &dates);
    let (text, moved) = match command {
        Command::SprintEdit {
            sprint,
            start,
            end,
            name,
        } => {
            let index = super::coverage::resolve_sprint(ctx, &sprint)?.index;
            let edit = SprintEdit { name, start, end };
            let (edited, moved) = with_impact(ctx, |store| {
                store.edit_sprint(index, &edit, &team, actor, now)
            })?;
            let text = format!("Changed {}", line(&edited).trim_start_matches("• "));
            (text, moved)
        }
        Command::SprintShift { sprint, days } => {
            let index = super::coverage::resolve_sprint(ctx, &sprint)?.index;
            let (shifted, moved) = with_impact(ctx, |store| {
                store.shift_sprints(index, days, &team, actor, now)
            })?;
            let lines: Vec<String> = shifted.iter().map(line).collect();
            let text = format!(
                "Moved {} sprint(s) by {days} day(s):\n{}",
                shifted.len(),
                lines.join("\n")
            );
            (text, moved)
        }
        Command::SprintRetire { sprint } => {
            let index = super::coverage::resolve_sprint(ctx, &sprint)?.index;
            let (retired, moved) = with_impact(ctx, |store| {
                store.retire_future_sprint(index, &team, actor, now)
            })?;
            let text = format!("Retired {}", line(&retired).trim_start_matches("• "));
            (text, moved)
        }
        other => {
            return Err(BotError::Refused(format!(
                "`{other:?}` is not a sprint change"
            )));
        }
    };
    Ok(format!("{text}\n{moved}"))
}

/// Makes a change that may move people's upcoming duty, through `impact::change` (which opens
/// or joins the change-impact window), and says whose duties it moved. `change` must use the
/// store it is given: it runs inside the transaction.
fn with_impact<T>(
    ctx: Context<'_>,
    change: impl Fn(&Store) -> Result<T, StoreError>,
) -> Result<(T, String), BotError> {
    let team = ctx.config.team();
    let actor = ctx.user.as_str();
    let (value, impact) = impact::change(ctx.store, &team, ctx.now, actor, Mode::Apply, change)?;
    Ok((
        value,
        moved_line(&impact.moved, ctx.config.bot.impact_window),
    ))
}

fn admins(ctx: Context<'_>) -> Result<String, BotError> {
    let table = ctx.store.admins()?;
    let configured = &ctx.config.bot.admins;
    let mut lines: Vec<String> = table.iter().map(|a| format!("• {}", mention(a))).collect();
    lines.extend(
        configured
            .iter()
            .filter(|a| !table.contains(a))
            .map(|a| format!("• {} (from the configuration)", mention(a))),
    );
    if lines.is_empty() {
        return Ok("There are no admins.".to_string());
    }
    Ok(format!("Admins:\n{}", lines.join("\n")))
}

fn remove_admin(ctx: Context<'_>, user: &SlackUserId) -> Result<String, BotError> {
    if ctx.config.bot.admins.contains(user) {
        return Err(BotError::Refused(format!(
            "{} is an admin by the configuration (TRIAGE_ADMINS); change it there",
            mention(user)
        )));
    }
    let removed =
        match ctx
            .store
            .remove_admin(user, &ctx.config.bot.admins, ctx.user.as_str(), ctx.now)
        {
            Err(StoreError::LastAdmin(_)) => {
                return Err(BotError::Refused(format!(
                    "{} is the last admin; add another admin first (`{} admins add @person`)",
                    mention(user),
                    ctx.config.bot.command
                )));
            }
            other => other?,
        };
    Ok(format!(
        "{} {}",
        mention(user),
        if removed {
            "is no longer an admin"
        } else {
            "was not an admin"
        }
    ))
}
