//! Absences from Slack (and the command line, which records them through the same functions):
//! `/triage away …`, the Home tab's *Add time away* form and Remove buttons, the away policy
//! (`/triage policy`), and the admin channel's alerts, raised by the scheduler each round.
//!
//! Recording an absence commits together with its outbox effects: a DM to the away person when
//! someone else recorded it (or it was recorded through the form, whose answer comes by DM), one
//! DM to each swap partner (`away:<id>:dm:<user>`), and fresh Home tabs (`away:<id>:home:<user>`).
//! An alert is posted once per (absence, sprint, discipline), keyed by
//! `domain::away::alert_key`, whatever the number of rounds or restarts.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;

use super::effect::{Effect, Outgoing, items};
use super::{Bot, BotError, Context};
use crate::away::{self, AwayAdded, SwapMade};
use crate::config::Config;
use crate::dates::SlackDates;
use crate::domain::away::{AwayError, AwayPolicy, AwayWindow, alert_key};
use crate::domain::{DisciplineKey, SlackUserId, sprint_ends_at};
use crate::duty::{Roster, local_date};
use crate::slack::absence::{self, Reader};
use crate::slack::blocks::{self, Message, mention};
use crate::store::{NewAwayWindow, Store, StoreError};

/// How an absence was recorded: its confirmation comes in the answer to a command, or by DM
/// after the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Command,
    Modal,
}

/// Records `new` (recorded by `new.created_by`) with its effects, and returns what it did.
pub fn record(
    store: &Store,
    config: &Config,
    new: &NewAwayWindow,
    now: Timestamp,
    via: Via,
) -> Result<AwayAdded, StoreError> {
    let team = config.team();
    let roster = Roster::load(store)?;
    let effects = |outcome: &AwayAdded| items(&effects(config, outcome, new, &roster, now, via));
    away::add_window(
        store,
        &team,
        new,
        config.bot.away_alert_lead_days,
        now,
        &effects,
    )
}

/// The DMs and Home refreshes recording an absence causes (none for a repeat).
fn effects(
    config: &Config,
    outcome: &AwayAdded,
    new: &NewAwayWindow,
    roster: &Roster,
    now: Timestamp,
    via: Via,
) -> Vec<Outgoing> {
    if !outcome.created {
        return Vec::new();
    }
    let window = &outcome.window;
    let person = &window.person;
    let by_other = new.created_by != person.as_str();
    let prefix = format!("away:{}", window.id);
    let dates = SlackDates::new(&config.team(), now);
    let mut out = Vec::new();
    // Recorded by the person with a command: the answer says it all, swaps included.
    if by_other || via == Via::Modal {
        let recorded_by = by_other.then_some(new.created_by.as_str());
        let message = absence::away_recorded(
            outcome,
            Reader::Away { recorded_by },
            roster,
            &dates,
            &config.bot.command,
            config.bot.admin_channel.is_some(),
            now,
        );
        out.push(dm(format!("{prefix}:dm:{person}"), person, &message, now));
    }
    let mut partners: BTreeMap<&SlackUserId, Vec<&SwapMade>> = BTreeMap::new();
    for made in &outcome.swaps {
        partners.entry(&made.swap.partner).or_default().push(made);
    }
    for (partner, swaps) in &partners {
        let message = absence::swapped_dm(person, swaps, roster, &dates, &config.bot.command);
        out.push(dm(format!("{prefix}:dm:{partner}"), partner, &message, now));
    }
    let mut people = vec![person.clone()];
    people.extend(partners.keys().map(|p| (*p).clone()));
    for user in people {
        let effect = Effect::PublishHome {
            user: user.to_string(),
        };
        out.push(Outgoing::now(format!("{prefix}:home:{user}"), effect, now));
    }
    out
}

fn dm(key: String, user: &SlackUserId, message: &Message, now: Timestamp) -> Outgoing {
    let effect = Effect::DirectMessage {
        user: user.to_string(),
        text: message.text.clone(),
        blocks: message.blocks_json(),
    };
    Outgoing::now(key, effect, now)
}

/// `away [<@person>] <first> <last> [reason…]`: anyone records their own absence; an admin
/// anyone's.
pub fn add(
    ctx: Context<'_>,
    person: Option<SlackUserId>,
    from: Date,
    to: Date,
    reason: Option<String>,
) -> Result<Message, BotError> {
    let person = person.unwrap_or_else(|| ctx.user.clone());
    if &person != ctx.user {
        ctx.require_admin(
            "away.add",
            "away",
            person.as_str(),
            "record someone else's absence",
        )?;
    }
    let new = NewAwayWindow {
        person: person.clone(),
        from,
        to,
        reason,
        created_by: ctx.user.to_string(),
    };
    let outcome = record(ctx.store, ctx.config, &new, ctx.now, Via::Command)
        .map_err(|error| refusal(error, ctx.user, &ctx.dates()))?;
    let reader = if &person == ctx.user {
        Reader::Away { recorded_by: None }
    } else {
        Reader::Other
    };
    let roster = Roster::load(ctx.store)?;
    Ok(absence::away_recorded(
        &outcome,
        reader,
        &roster,
        &ctx.dates(),
        &ctx.config.bot.command,
        ctx.config.bot.admin_channel.is_some(),
        ctx.now,
    ))
}

/// A refusal to record an absence, as `reader` reads it: days in Slack's style, the person as
/// a mention (or "you").
fn refusal(error: StoreError, reader: &SlackUserId, dates: &SlackDates) -> BotError {
    match error {
        StoreError::Away(rule) => BotError::Refused(absence::away_refusal(&rule, reader, dates)),
        StoreError::UnknownPerson(who) if &who == reader => BotError::Refused(
            "you are not in any rotation, so there is no duty to plan around".to_string(),
        ),
        StoreError::UnknownPerson(who) => BotError::Refused(format!(
            "{} is not in any rotation, so there is no duty to plan around",
            mention(&who)
        )),
        other => other.into(),
    }
}

/// `away remove <id>`: the away person or an admin removes an absence.
pub fn remove(ctx: Context<'_>, id: i64) -> Result<Message, BotError> {
    let Some(window) = ctx.store.away_window(id)? else {
        return Err(BotError::Refused(format!("absence #{id} does not exist")));
    };
    let by_self = &window.person == ctx.user;
    if !by_self && !ctx.is_admin()? {
        ctx.audit_refusal(
            "away.remove",
            "away",
            &id.to_string(),
            "not the person or an admin",
        )?;
        return Err(BotError::Refused(format!(
            "only {} or an admin can remove absence #{id}",
            mention(&window.person)
        )));
    }
    let actor = ctx.user.to_string();
    let dates = ctx.dates();
    let effects = |removed: &AwayWindow| {
        let prefix = format!("away:{}:removed", removed.id);
        let person = &removed.person;
        let mut out = Vec::new();
        if !by_self {
            let message = absence::away_removed_dm(removed, &actor, &dates);
            out.push(dm(
                format!("{prefix}:dm:{person}"),
                person,
                &message,
                ctx.now,
            ));
        }
        let effect = Effect::PublishHome {
            user: person.to_string(),
        };
        out.push(Outgoing::now(
            format!("{prefix}:home:{person}"),
            effect,
            ctx.now,
        ));
        items(&out)
    };
    let removed = away::remove_window(ctx.store, id, &actor, ctx.now, &effects)?;
    Ok(absence::away_removed(
        &removed.window,
        by_self,
        removed.swaps_kept,
        &dates,
    ))
}

/// `away list`: your absences; admins also see everyone's.
pub fn list(ctx: Context<'_>) -> Result<Message, BotError> {
    let today = local_date(&ctx.config.team(), ctx.now);
    let mine = ctx.store.away_windows(Some(ctx.user), today)?;
    let everyone = if ctx.is_admin()? {
        Some(ctx.store.away_windows(None, today)?)
    } else {
        None
    };
    Ok(absence::away_list(
        &mine,
        everyone.as_deref(),
        &ctx.dates(),
        &ctx.config.bot.command,
    ))
}

/// `policy`: what each discipline does when someone is away.
pub fn policies(ctx: Context<'_>) -> Result<Message, BotError> {
    let roster = Roster::load(ctx.store)?;
    let list = ctx.store.away_policies()?;
    Ok(absence::policies(&list, &roster, &ctx.config.bot.command))
}

/// `policy <discipline> away warn|swap-next` (admins).
pub fn set_policy(
    ctx: Context<'_>,
    discipline: &DisciplineKey,
    policy: AwayPolicy,
) -> Result<Message, BotError> {
    ctx.require_admin(
        "discipline.away_policy",
        "discipline",
        discipline.as_str(),
        "change the away policy",
    )?;
    let roster = Roster::load(ctx.store)?;
    let key = super::coverage::named_discipline(&roster, discipline)?;
    let before = ctx
        .store
        .set_away_policy(&key, policy, ctx.user.as_str(), ctx.now)?;
    Ok(absence::policy_set(&key, before, policy, &roster))
}

/// Opens the form to record an absence (at once: triggers expire after 3 s).
pub async fn open_modal(bot: &Bot, trigger_id: &str) -> Option<Message> {
    match bot.api.open_view(trigger_id, &absence::away_modal()).await {
        Ok(_) => None,
        Err(error) => {
            tracing::warn!(%error, "could not open the time-away form");
            Some(blocks::refusal(&format!(
                "I could not open the form; try `{} away &lt;first day&gt; &lt;last day&gt;` instead.",
                bot.config.bot.command
            )))
        }
    }
}

/// Records the absence a submitted form describes; errors are per input block.
pub fn submit_modal(
    ctx: Context<'_>,
    from: Option<String>,
    to: Option<String>,
    reason: Option<String>,
) -> Result<(), BTreeMap<String, String>> {
    let error = |block: &str, text: &str| BTreeMap::from([(block.to_string(), text.to_string())]);
    let day = |value: Option<String>| value.and_then(|v| v.parse::<Date>().ok());
    let Some(from) = day(from) else {
        return Err(error(absence::FROM_INPUT, "Choose the first day away."));
    };
    let Some(to) = day(to) else {
        return Err(error(absence::TO_INPUT, "Choose the last day away."));
    };
    let new = NewAwayWindow {
        person: ctx.user.clone(),
        from,
        to,
        reason,
        created_by: ctx.user.to_string(),
    };
    match record(ctx.store, ctx.config, &new, ctx.now, Via::Modal) {
        Ok(_) => Ok(()),
        Err(StoreError::Away(rule)) => {
            let block = match rule {
                AwayError::Overlaps { .. } | AwayError::TooFarAhead { .. } => absence::FROM_INPUT,
                _ => absence::TO_INPUT,
            };
            // A form's errors are sentences, like its other hints.
            let text = absence::away_refusal(&rule, ctx.user, &ctx.dates());
            Err(error(block, &format!("{}.", capitalized(&text))))
        }
        Err(StoreError::UnknownPerson(_)) => Err(error(
            absence::FROM_INPUT,
            "You are not in any rotation, so there is no duty to plan around.",
        )),
        Err(other) => Err(error(
            absence::FROM_INPUT,
            &BotError::from(other).into_message().text,
        )),
    }
}

pub(super) fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// Enqueues the admin channel's alert for every conflict due at `now` (once each, by its key;
/// dropped if not delivered before the sprint ends). Returns how many were new.
pub fn raise_alerts(store: &Store, config: &Config, now: Timestamp) -> Result<usize, StoreError> {
    let Some(channel) = &config.bot.admin_channel else {
        return Ok(0);
    };
    let team = config.team();
    let alerts = away::alerts_due(store, &team, config.bot.away_alert_lead_days, now)?;
    if alerts.is_empty() {
        return Ok(0);
    }
    let roster = Roster::load(store)?;
    let dates = SlackDates::new(&team, now);
    let mut out = Vec::new();
    for alert in &alerts {
        let key = alert_key(alert.window.id, alert.sprint.index, &alert.discipline);
        if store.outbox_has(&key)? {
            continue;
        }
        let message = absence::alert(alert, &roster, &dates, &config.bot.command);
        let (_, next) = store.sprint_and_next(alert.sprint.index)?;
        let post = Effect::PostMessage {
            channel: channel.clone(),
            text: message.text.clone(),
            blocks: message.blocks_json(),
            message_key: None,
            thread_ts: None,
        };
        out.push(Outgoing {
            expires_at: Some(sprint_ends_at(&alert.sprint, next.as_ref(), &team)),
            ..Outgoing::now(key, post, now)
        });
    }
    store.enqueue(&items(&out), now)
}

/// The next moment an alert may fall due (none without an admin channel).
pub fn next_alert(
    store: &Store,
    config: &Config,
    now: Timestamp,
) -> Result<Option<Timestamp>, StoreError> {
    if config.bot.admin_channel.is_none() {
        return Ok(None);
    }
    away::next_alert_moment(store, &config.team(), config.bot.away_alert_lead_days, now)
}

/// The person's absences for their Home tab: those that have not ended.
pub fn home_windows(
    store: &Store,
    config: &Config,
    user: &SlackUserId,
    now: Timestamp,
) -> Result<Vec<AwayWindow>, StoreError> {
    let today: Date = local_date(&config.team(), now);
    store.away_windows(Some(user), today)
}
