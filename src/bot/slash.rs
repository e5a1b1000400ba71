//! The slash command: parse the text, run the command, answer in the ack.
//!
//! Answers are ephemeral except `who here`. Every refusal is a sentence for the person who
//! typed the command, and nothing is changed; internal failures are logged and answered with
//! "something went wrong, nothing was changed".

use serde_json::Value;

use super::command::{self, Command, CoverArgs, HELP};
use super::{BotError, Context, admin, away, calendar, confirm, coverage, notes, shifts};
use crate::domain::day_ref::DayRef;
use crate::domain::request::Action;
use crate::domain::stats::Scope;
use crate::domain::{SlackUserId, handoff_instant};
use crate::duty::{self, Roster};
use crate::slack::SlashCommand;
use crate::slack::blocks::{self, Message};
use crate::slack::fairness;
use crate::slack::interaction::{ephemeral, in_channel};

/// Answers one slash command; `None` leaves the ack empty (a modal was opened instead).
pub async fn handle(bot: &super::Bot, slash: SlashCommand) -> Option<Value> {
    let Ok(user) = SlackUserId::parse(&slash.user_id) else {
        return Some(ephemeral(&blocks::refusal(
            "I could not tell who you are, so I did nothing",
        )));
    };
    let name = slash.command.clone();
    let parsed = match command::parse(&slash.text) {
        Ok(parsed) => parsed,
        Err(error) => {
            return Some(ephemeral(&blocks::usage_error(
                &name,
                &error.problem,
                error.usage,
            )));
        }
    };
    if parsed == Command::CoverModal {
        let trigger = slash.trigger_id.unwrap_or_default();
        return coverage::open_modal(bot, user, trigger, None)
            .await
            .map(|m| ephemeral(&m));
    }
    let here = matches!(parsed, Command::Who { here: true, .. });
    let answer = bot.run(user, move |ctx| run(ctx, &name, parsed)).await;
    Some(match answer {
        Ok(message) if here => in_channel(&message),
        Ok(message) => ephemeral(&message),
        Err(error) => ephemeral(&error.into_message()),
    })
}

/// Runs a parsed command (other than the modal) and says what happened.
pub fn run(ctx: Context<'_>, name: &str, parsed: Command) -> Result<Message, BotError> {
    match parsed {
        Command::Help => help(ctx, name),
        Command::Unknown { word, suggestion } => Ok(blocks::unknown_command(
            name,
            &word,
            suggestion,
            help(ctx, name)?,
        )),
        Command::Who { day: None, .. } => who(ctx, name),
        Command::Who { day: Some(day), .. } => who_on(ctx, name, day),
        Command::Next => next(ctx),
        Command::Schedule { count } => schedule(ctx, count),
        Command::Me => me(ctx),
        Command::Stats { discipline, since } => stats(ctx, discipline.as_deref(), since),
        Command::Note { text } => notes::leave(ctx, &text),
        Command::NoteShow => notes::show(ctx),
        Command::Calendar { team, reset } => calendar::run(ctx, team, reset),
        Command::CoverModal => Err(BotError::Refused(
            "the form opens from the slash command".into(),
        )),
        Command::Cover(args) => coverage::request_by_command(ctx, &args),
        Command::CoverOpen { sprint, rest } => {
            let args = CoverArgs {
                sprint,
                replacement: ctx.user.clone(),
                rest,
            };
            coverage::offer_by_command(ctx, &args)
        }
        Command::Swap { theirs, args } => coverage::swap_by_command(ctx, &theirs, &args),
        Command::Cancel { id } => coverage::decide(ctx, id, Action::Cancel, None),
        Command::Accept { id } => coverage::decide(ctx, id, Action::Accept, None),
        Command::Refuse { id, reason } => coverage::decide(ctx, id, Action::Refuse, reason),
        Command::Approve { id } => confirm::approve(ctx, id, false),
        Command::Decline { id, reason } => coverage::decide(ctx, id, Action::Decline, reason),
        Command::Revoke { id, reason } => coverage::decide(ctx, id, Action::Revoke, reason),
        Command::Overrides => coverage::list(ctx),
        Command::Set {
            discipline,
            user,
            reason,
        } => coverage::set(ctx, &discipline, &user, reason),
        Command::AwayAdd {
            person,
            from,
            to,
            reason,
        } => away::add(ctx, person, from, to, reason),
        Command::AwayList => away::list(ctx),
        Command::AwayRemove { id } => away::remove(ctx, id),
        Command::Policies => away::policies(ctx),
        Command::PolicySet { discipline, policy } => away::set_policy(ctx, &discipline, policy),
        admin_command => admin::run(ctx, admin_command),
    }
}

/// The commands this person may use; admins also see the admin ones.
fn help(ctx: Context<'_>, name: &str) -> Result<Message, BotError> {
    let everyone: Vec<(&str, &str)> = HELP
        .iter()
        .filter(|e| !e.admin)
        .map(|e| (e.usage, e.about))
        .collect();
    let admin: Vec<(&str, &str)> = if ctx.is_admin()? {
        HELP.iter()
            .filter(|e| e.admin)
            .map(|e| (e.usage, e.about))
            .collect()
    } else {
        Vec::new()
    };
    Ok(blocks::help(name, &everyone, &admin))
}

fn who(ctx: Context<'_>, name: &str) -> Result<Message, BotError> {
    let team = ctx.config.team();
    let (answer, roster) =
        duty::duty_and_roster_at(ctx.store, &team, ctx.now, ctx.now, "rotation")?;
    Ok(blocks::who(&answer, &roster, &ctx.dates(), name))
}

/// Who is on duty on `day`: at that day's handoff time, as `triage-bot who --at <date>` answers
/// (on a handoff day, the incoming team). A past day shows what was recorded.
fn who_on(ctx: Context<'_>, name: &str, day: DayRef) -> Result<Message, BotError> {
    let team = ctx.config.team();
    let at = handoff_instant(&team, day.date(ctx.now, &team.zone));
    let (answer, roster) = duty::duty_and_roster_at(ctx.store, &team, at, ctx.now, "rotation")?;
    Ok(blocks::who_at(at, &answer, &roster, &ctx.dates(), name))
}

fn next(ctx: Context<'_>) -> Result<Message, BotError> {
    let team = ctx.config.team();
    let duties = duty::flagged_schedule(ctx.store, &team, ctx.now, 2, ctx.now, "rotation")?;
    let in_force = duties
        .first()
        .is_some_and(|d| crate::domain::sprint_starts_at(&d.duty.sprint, &team) <= ctx.now);
    let next: Vec<_> = duties
        .into_iter()
        .skip(usize::from(in_force))
        .take(1)
        .collect();
    let roster = Roster::load(ctx.store)?;
    Ok(blocks::schedule(
        "*Next sprint*",
        &next,
        &roster,
        &ctx.dates(),
    ))
}

fn schedule(ctx: Context<'_>, count: usize) -> Result<Message, BotError> {
    let team = ctx.config.team();
    let duties = duty::flagged_schedule(ctx.store, &team, ctx.now, count, ctx.now, "rotation")?;
    let roster = Roster::load(ctx.store)?;
    let current = duties
        .first()
        .is_some_and(|d| crate::domain::sprint_starts_at(&d.duty.sprint, &team) <= ctx.now);
    let plural = |n: usize| if n == 1 { "sprint" } else { "sprints" };
    let title = match (current, duties.len()) {
        (true, 1) => "*This sprint*".to_string(),
        (true, n) => format!("*This sprint and the next {}*", n - 1),
        (false, 0) => "*Coming sprints*".to_string(),
        (false, n) => format!("*The next {n} {}*", plural(n)),
    };
    let title = title.replace("the next 1*", "the next one*");
    Ok(blocks::schedule(&title, &duties, &roster, &ctx.dates()))
}

fn me(ctx: Context<'_>) -> Result<Message, BotError> {
    let team = ctx.config.team();
    let shifts = shifts::upcoming_shifts(ctx.store, &team, ctx.user, ctx.now)?;
    let roster = Roster::load(ctx.store)?;
    Ok(blocks::my_shifts(&shifts, &roster, &ctx.dates()))
}

/// Fairness so far, of every discipline or of the one `discipline` names.
fn stats(
    ctx: Context<'_>,
    discipline: Option<&str>,
    since: Option<DayRef>,
) -> Result<Message, BotError> {
    let team = ctx.config.team();
    let discipline = match discipline {
        Some(text) => {
            let roster = Roster::load(ctx.store)?;
            let found = roster
                .find_discipline(text)
                .map_err(|error| BotError::Refused(error.to_string()))?;
            Some(found.key.clone())
        }
        None => None,
    };
    let since = since.map(|day| day.date(ctx.now, &team.zone));
    let scope = Scope { since, discipline };
    let (counted, roster) = crate::stats::fairness(ctx.store, &team, &scope, ctx.now)?;
    Ok(fairness::stats(&counted, &roster, since, &ctx.dates()))
}
