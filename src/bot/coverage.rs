//! Coverage requests from Slack: filing (by command or by the modal), deciding (approve,
//! decline, cancel — by command or button), listing, and an admin's `set`. The form is
//! `form`'s, offers to volunteers `offers`', and each round's closing of what no longer holds
//! `closing`'s.
//!
//! Each decision commits together with its outbox effects: the request posted to the admin
//! channel (`request:<id>:admin-post`, remembered as message `request:<id>`), the update of that
//! post after a decision (`decision:<id>:update`), DMs (`…:dm:<user>`), Home refreshes
//! (`…:home:<user>`) and the user group reconciliation (`…:usergroups`).
//!
//! DMs about a sprint that has not started are routine: caused on a day off, they wait for the
//! next working day's heads-up time (`domain::workdays`), unless the sprint starts sooner. DMs
//! about the sprint in force (or one that has ended), and the requester's own confirmation of a
//! request filed with the form, go at once.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::announce;
use super::command::CoverArgs;
use super::effect::{Effect, Outgoing, items};
use super::shifts::{self, Shift, parse_slot_value};
use super::untaken;
use super::{Bot, BotError, Context};
use crate::config::Config;
use crate::coverage::{self, CoverageFailure, DecisionOutcome, Moved, TakeFailure};
use crate::dates::SlackDates;
use crate::domain::request::Action;
use crate::domain::{
    CoverageError, CoverageRequest, DisciplineKey, Member, Override, OverrideStatus, SlackUserId,
    Sprint, SprintIndex, sprint_starts_at,
};
use crate::duty::{self, Roster};
use crate::slack::blocks::{self, Message};
use crate::slack::text::{self, escape};
use crate::slack::{decisions, views};
use crate::store::{Offer, RequestOutcome, Store, StoreError, no_effects};

mod closing;
mod form;
mod offers;

pub use closing::close_stale;
pub use form::{open_modal, submit_modal};
use offers::{offer, offer_message_key};
pub use offers::{offer_by_command, volunteer};

/// The message key of a request's post in the admin channel.
pub fn request_message_key(id: i64) -> String {
    format!("request:{id}")
}

/// How a request was filed: the modal gets its confirmation by DM, a command in the ack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Command,
    Modal,
}

/// `cover <sprint> <@replacement> [discipline] [reason…]`.
pub fn request_by_command(ctx: Context<'_>, args: &CoverArgs) -> Result<Message, BotError> {
    let roster = Roster::load(ctx.store)?;
    let sprint = resolve_sprint(ctx, &args.sprint)?;
    let (discipline, reason) =
        args.split_discipline(|word| roster.find_discipline(word).ok().map(|d| d.key.clone()));
    let discipline = match discipline {
        Some(discipline) => discipline,
        None => infer_discipline(ctx, &roster, sprint.index, &args.replacement)?,
    };
    let request = CoverageRequest {
        sprint: sprint.index,
        discipline,
        replacement: args.replacement.clone(),
        requester: ctx.user.clone(),
    };
    let outcome = file(ctx, &request, reason, Via::Command)?;
    let sprint = ctx.store.sprint(request.sprint)?;
    let dates = ctx.dates();
    let held = held_until(ctx.config, ctx.now, sprint.as_ref()).map(|at| (at, &dates));
    Ok(blocks::request_filed(
        &outcome,
        sprint.as_ref(),
        &roster,
        held,
    ))
}

/// `swap <my sprint> <@person> <their sprint> [discipline] [reason…]`: files the two halves,
/// asks the other person (one DM with Accept and Decline), and answers the proposer.
pub fn swap_by_command(
    ctx: Context<'_>,
    theirs: &str,
    args: &CoverArgs,
) -> Result<Message, BotError> {
    let roster = Roster::load(ctx.store)?;
    let mine = resolve_sprint(ctx, &args.sprint)?;
    let theirs = resolve_sprint(ctx, theirs)?;
    let (discipline, reason) =
        args.split_discipline(|word| roster.find_discipline(word).ok().map(|d| d.key.clone()));
    let discipline = match discipline {
        Some(discipline) => discipline,
        None => infer_discipline(ctx, &roster, mine.index, &args.replacement)?,
    };
    let swap = coverage::SwapProposal {
        proposer: ctx.user.clone(),
        other: args.replacement.clone(),
        discipline,
        mine: mine.index,
        theirs: theirs.index,
    };
    let command = ctx.config.bot.command.clone();
    // The DM waits for a working day unless the earlier shift starts sooner.
    let earlier = if mine.start <= theirs.start {
        &mine
    } else {
        &theirs
    };
    let effects = |filed: &coverage::FiledSwap| {
        let asked = decisions::swap_proposed(filed, (&mine, &theirs), &roster, &command);
        let mut out = vec![dm_at(
            format!("request:{}:dm:{}", filed.first.id, filed.first.replacement),
            &filed.first.replacement,
            asked,
            routine_delivery(ctx.config, ctx.now, Some(earlier)),
        )];
        let people = [
            filed.first.requested_by.clone(),
            filed.first.replacement.clone(),
        ];
        out.extend(home_refreshes(
            &format!("request:{}", filed.first.id),
            &people,
            ctx,
        ));
        items(&out)
    };
    let is_admin = ctx.is_admin()?;
    let filed = coverage::file_swap(
        ctx.store,
        &ctx.config.team(),
        &swap,
        reason,
        is_admin,
        ctx.now,
        &effects,
    )
    .map_err(|failure| refusal(failure, &roster))?;
    Ok(decisions::swap_filed(&filed, (&mine, &theirs), &roster))
}

/// A failed filing or decision for the person in Slack: a broken rule in their words (people
/// as mentions, disciplines by name), anything else as usual.
fn refusal(failure: CoverageFailure, roster: &Roster) -> BotError {
    match failure {
        CoverageFailure::Rule(rule) => {
            BotError::Refused(decisions::coverage_refusal(&rule, roster))
        }
        other => other.into(),
    }
}

/// The discipline a person named by key or display name (see `Roster::find_discipline`).
pub fn named_discipline(roster: &Roster, word: &DisciplineKey) -> Result<DisciplineKey, BotError> {
    roster
        .find_discipline(word.as_str())
        .map(|d| d.key.clone())
        .map_err(|error| BotError::Refused(error.to_string()))
}

/// The sprint a person named (see `domain::sprint_ref`).
pub fn resolve_sprint(ctx: Context<'_>, text: &str) -> Result<Sprint, BotError> {
    let sprints = ctx.store.sprints()?;
    let team = ctx.config.team();
    crate::domain::sprint_ref::resolve_sprint(text, &sprints, &team, ctx.now)
        .cloned()
        .map_err(|error| BotError::Refused(error.to_string()))
}

/// The discipline a request without one means: the one the requester is on duty for in the
/// sprint (preferring one the replacement belongs to).
fn infer_discipline(
    ctx: Context<'_>,
    roster: &Roster,
    sprint: SprintIndex,
    replacement: &SlackUserId,
) -> Result<DisciplineKey, BotError> {
    let Some(found) = ctx.store.sprint(sprint)? else {
        return Err(CoverageFailure::from(CoverageError::UnknownSprint(sprint)).into());
    };
    let duty = duty::sprint_duty(ctx.store, &ctx.config.team(), roster, &found)?;
    let mine: Vec<&DisciplineKey> = duty
        .assignments
        .iter()
        .filter(|a| a.slack_id.as_ref() == Some(ctx.user))
        .map(|a| &a.discipline)
        .collect();
    let theirs = |key: &DisciplineKey| {
        roster
            .members
            .iter()
            .any(|m| m.active && &m.slack_id == replacement && &m.discipline == key)
    };
    let shared: Vec<&DisciplineKey> = mine.iter().copied().filter(|key| theirs(key)).collect();
    match (mine.as_slice(), shared.as_slice()) {
        (_, [only]) | ([only], _) => Ok((*only).clone()),
        ([], _) => Err(BotError::Refused(format!(
            "you are not on duty in {}; name the discipline after the person",
            escape(&found.name)
        ))),
        _ => Err(BotError::Refused(format!(
            "you are on duty in several disciplines in {}; name the discipline after the person",
            escape(&found.name)
        ))),
    }
}

/// Validates and files a request with its effects.
pub fn file(
    ctx: Context<'_>,
    request: &CoverageRequest,
    reason: Option<String>,
    via: Via,
) -> Result<RequestOutcome, BotError> {
    let roster = Roster::load(ctx.store)?;
    let sprint = ctx.store.sprint(request.sprint)?;
    let admins = ctx.admins()?;
    let team = ctx.config.team();
    let effects = |outcome: &RequestOutcome| match outcome {
        RequestOutcome::Created(o) => items(&request_effects(
            ctx,
            o,
            sprint.as_ref(),
            &roster,
            &admins,
            via,
        )),
        _ => Vec::new(),
    };
    let is_admin = ctx.is_admin()?;
    coverage::file_coverage_request(
        ctx.store, &team, request, reason, is_admin, ctx.now, &effects,
    )
    .map_err(|failure| refusal(failure, &roster))
}

/// What filing a new request causes: the post in the admin channel, a DM to the requester when
/// the modal was used, a DM to the person named to cover (and to the person whose shift it is,
/// when someone else asked), and fresh Home tabs for them and the admins.
fn request_effects(
    ctx: Context<'_>,
    o: &Override,
    sprint: Option<&Sprint>,
    roster: &Roster,
    admins: &[SlackUserId],
    via: Via,
) -> Vec<Outgoing> {
    let mut out = Vec::new();
    if o.status == OverrideStatus::Pending {
        out.extend(admin_post(ctx, o, sprint, roster));
    }
    if via == Via::Modal {
        let dates = ctx.dates();
        let held = held_until(ctx.config, ctx.now, sprint).map(|at| (at, &dates));
        let created = RequestOutcome::Created(o.clone());
        let confirmation = blocks::request_filed(&created, sprint, roster, held);
        out.push(dm(
            format!("request:{}:dm:{}", o.id, o.requested_by),
            &o.requested_by,
            confirmation,
            ctx,
        ));
    }
    let routine = routine_delivery(ctx.config, ctx.now, sprint);
    // An admin asked on someone else's behalf: the person whose shift it is hears of it (a DM
    // about a later sprint waits for a working day, see `routine_delivery`).
    if let Some(original) = o.original.as_ref().filter(|p| **p != o.requested_by) {
        out.push(dm_at(
            format!("request:{}:dm:{original}", o.id),
            original,
            decisions::filed_for_you(o, sprint, roster),
            routine,
        ));
    }
    // The person named to cover is asked first: nothing reaches the admins before they accept
    // (a request about a later sprint asks on a working day, see `routine_delivery`).
    if o.status == OverrideStatus::Proposed {
        out.push(dm_at(
            format!("request:{}:dm:{}", o.id, o.replacement),
            &o.replacement,
            decisions::asked_to_cover(o, sprint, roster, &ctx.config.bot.command),
            routine,
        ));
    }
    let mut people = vec![o.requested_by.clone()];
    people.extend(o.original.clone());
    people.push(o.replacement.clone());
    people.extend(admins.iter().cloned());
    out.extend(home_refreshes(&format!("request:{}", o.id), &people, ctx));
    out
}

/// The request's card in the admin channel, with Approve and Decline, once it waits for an
/// admin; keyed so that it is posted once.
fn admin_post(
    ctx: Context<'_>,
    o: &Override,
    sprint: Option<&Sprint>,
    roster: &Roster,
) -> Option<Outgoing> {
    let channel = ctx.config.bot.admin_channel.as_ref()?;
    let conflict = super::confirm::card_conflict(ctx, o);
    let message =
        blocks::coverage_request_warned(o, sprint, roster, &ctx.dates(), conflict.as_ref());
    let message = with_swap_note(message, ctx.store.swap_partner(o.id).ok().flatten());
    let post = Effect::PostMessage {
        channel: channel.clone(),
        text: message.text.clone(),
        blocks: message.blocks_json(),
        message_key: Some(request_message_key(o.id)),
        thread_ts: None,
    };
    Some(Outgoing::now(
        format!("request:{}:admin-post", o.id),
        post,
        ctx.now,
    ))
}

fn dm(key: String, user: &SlackUserId, message: Message, ctx: Context<'_>) -> Outgoing {
    dm_at(key, user, message, ctx.now)
}

/// A DM delivered no earlier than `not_before`.
fn dm_at(key: String, user: &SlackUserId, message: Message, not_before: Timestamp) -> Outgoing {
    let effect = Effect::DirectMessage {
        user: user.to_string(),
        text: message.text.clone(),
        blocks: message.blocks_json(),
    };
    Outgoing::now(key, effect, not_before)
}

/// When a DM about `sprint` caused at `now` goes out, if it is held (see [`routine_delivery`]).
fn held_until(config: &Config, now: Timestamp, sprint: Option<&Sprint>) -> Option<Timestamp> {
    Some(routine_delivery(config, now, sprint)).filter(|at| *at > now)
}

/// When a DM about `sprint`, caused at `now`, goes out: a sprint that has not started is future
/// duty, so the DM is routine (see `HeadsUpSchedule::routine_delivery`); anything else at once.
fn routine_delivery(config: &Config, now: Timestamp, sprint: Option<&Sprint>) -> Timestamp {
    let team = config.team();
    match sprint.map(|sprint| sprint_starts_at(sprint, &team)) {
        Some(starts_at) if starts_at > now => config
            .bot
            .heads_up
            .routine_delivery(&team.zone, now, starts_at),
        _ => now,
    }
}

/// `PublishHome` for each distinct person, keyed `<prefix>:home:<user>`.
fn home_refreshes(prefix: &str, people: &[SlackUserId], ctx: Context<'_>) -> Vec<Outgoing> {
    let mut seen: Vec<&SlackUserId> = Vec::new();
    let mut out = Vec::new();
    for person in people {
        if seen.contains(&person) {
            continue;
        }
        seen.push(person);
        let effect = Effect::PublishHome {
            user: person.to_string(),
        };
        out.push(Outgoing::now(
            format!("{prefix}:home:{person}"),
            effect,
            ctx.now,
        ));
    }
    out
}

/// Approves, declines, cancels or revokes request `id`, if the acting person may. The decision,
/// the requests it closes, its messages and (for the sprint in force) the announced state commit
/// together.
pub fn decide(
    ctx: Context<'_>,
    id: i64,
    action: Action,
    reason: Option<String>,
) -> Result<Message, BotError> {
    let roster = Roster::load(ctx.store)?;
    let outcome = decide_outcome(ctx, id, action, reason)?;
    Ok(decisions::decision_reply(
        &outcome,
        &roster,
        &ctx.config.bot.command,
    ))
}

/// [`decide`], returning what the decision did.
pub fn decide_outcome(
    ctx: Context<'_>,
    id: i64,
    action: Action,
    reason: Option<String>,
) -> Result<DecisionOutcome, BotError> {
    let entity_id = id.to_string();
    let what = match action {
        Action::Approve => Some("approve requests"),
        Action::Decline => Some("decline requests"),
        Action::Revoke => Some("revoke approved covers"),
        _ => None,
    };
    if let Some(what) = what {
        ctx.require_admin(action.audit_action(), "override", &entity_id, what)?;
    }
    let Some(request) = ctx.store.override_by_id(id)? else {
        return Err(BotError::Refused(format!("request #{id} does not exist")));
    };
    let asked = request.asked();
    if matches!(action, Action::Accept | Action::Refuse) && asked != ctx.user {
        ctx.audit_refusal(
            action.audit_action(),
            "override",
            &entity_id,
            "not the person asked",
        )?;
        return Err(BotError::Refused(format!(
            "only {}, the person named to cover, can {} request #{id}",
            blocks::mention(asked),
            action.verb()
        )));
    }
    if action == Action::Cancel && &request.requested_by != ctx.user && !ctx.is_admin()? {
        ctx.audit_refusal(
            action.audit_action(),
            "override",
            &entity_id,
            "not the requester or an admin",
        )?;
        return Err(BotError::Refused(format!(
            "only the requester ({}) or an admin can cancel request #{id}",
            blocks::mention(&request.requested_by)
        )));
    }
    let roster = Roster::load(ctx.store)?;
    let team = ctx.config.team();
    let outcome = ctx.store.transaction(|store| {
        let outcome = coverage::decide_request(
            store,
            &team,
            id,
            action,
            ctx.user.as_str(),
            reason.as_deref(),
            ctx.now,
            &no_effects,
        )?;
        enqueue_decision(ctx, store, &outcome, &roster)?;
        Ok::<_, CoverageFailure>(outcome)
    })?;
    Ok(outcome)
}

/// Enqueues what a decision causes, inside its transaction: one DM per person it concerns,
/// the admin-channel posts of the requests it moved brought up to date, Home refreshes, and,
/// when it moved duty in the sprint in force, the announced state with the topic and user
/// groups (the DMs already say what changed, so nobody gets a second message about it).
fn enqueue_decision(
    ctx: Context<'_>,
    store: &Store,
    outcome: &DecisionOutcome,
    roster: &Roster,
) -> Result<(), StoreError> {
    let prefix = if outcome.by_set {
        format!("set:{}", outcome.request.id)
    } else {
        format!("decision:{}:{}", outcome.request.id, outcome.request.status)
    };
    let mut out = Vec::new();
    let mut people = vec![ctx.user.clone()];
    for half in outcome.halves() {
        let o = &half.request;
        people.extend([o.requested_by.clone(), o.replacement.clone()]);
        people.extend(half.holder_before.iter().chain(&half.holder_after).cloned());
    }
    if outcome.changed {
        // Admins' Home tabs list the pending requests.
        people.extend(ctx.admins()?);
    }
    let dms = decisions::decision_dms(outcome, ctx.user.as_str(), roster);
    // Routine unless a half's sprint starts sooner (see `routine_delivery`).
    let delivery = outcome
        .halves()
        .map(|half| routine_delivery(ctx.config, ctx.now, half.sprint.as_ref()))
        .min()
        .unwrap_or(ctx.now);
    for (person, message) in &dms {
        out.push(dm_at(
            format!("{prefix}:dm:{person}"),
            person,
            message.clone(),
            delivery,
        ));
        people.push(person.clone());
    }
    for half in outcome.halves() {
        let mut moved: Vec<&Override> = half.others.iter().map(|m| &m.after).collect();
        if half.changed && !half.by_set {
            moved.push(&half.request);
        }
        if half.action == Action::Accept
            && half.changed
            && half.request.status == OverrideStatus::Pending
        {
            out.extend(admin_post(ctx, &half.request, half.sprint.as_ref(), roster));
        }
        for o in moved {
            if store.outbox_has(&format!("request:{}:admin-post", o.id))? {
                out.push(card_update(
                    ctx.config,
                    ctx.now,
                    o,
                    half.sprint.as_ref(),
                    roster,
                    store.swap_partner(o.id)?,
                ));
            }
        }
    }
    if outcome.moved_duty_in_force() {
        out.push(Outgoing::now(
            format!("{prefix}:usergroups"),
            Effect::ReconcileUsergroups,
            ctx.now,
        ));
    }
    out.extend(home_refreshes(&prefix, &people, ctx));
    store.enqueue(&items(&out), ctx.now)?;
    // The DMs told the people it moved: an open change-impact window leaves the slot out for them.
    for half in outcome.halves() {
        super::impact::record_decision(store, half)?;
    }
    if outcome.moved_duty_in_force() {
        let told: Vec<SlackUserId> = dms.into_iter().map(|(person, _)| person).collect();
        announce::absorb_decision(store, ctx.config, ctx.now, &told)?;
    }
    Ok(())
}

/// A request's card, saying so when it is half of a swap with request `partner`.
fn with_swap_note(mut message: Message, partner: Option<i64>) -> Message {
    if let Some(partner) = partner {
        let note = format!(
            "Half of a swap with request #{partner}: approving or declining either does both."
        );
        message.text = format!("{} {note}", message.text);
        message.blocks.push(blocks::context(&note));
    }
    message
}

/// The admin-channel post of request `o`, edited to its current state.
fn card_update(
    config: &Config,
    now: Timestamp,
    o: &Override,
    sprint: Option<&Sprint>,
    roster: &Roster,
    partner: Option<i64>,
) -> Outgoing {
    let dates = SlackDates::new(&config.team(), now);
    let message = blocks::coverage_request(o, sprint, roster, &dates);
    let message = with_swap_note(message, partner);
    let update = Effect::UpdateMessage {
        message_key: request_message_key(o.id),
        text: message.text.clone(),
        blocks: message.blocks_json(),
    };
    Outgoing::now(
        format!("decision:{}:{}:update", o.id, o.status),
        update,
        now,
    )
}

/// `overrides`: my requests; admins also see every pending one, with buttons.
pub fn list(ctx: Context<'_>) -> Result<Message, BotError> {
    let roster = Roster::load(ctx.store)?;
    let pending = if ctx.is_admin()? {
        Some(ctx.store.overrides(Some(OverrideStatus::Pending))?)
    } else {
        None
    };
    let mut mine: Vec<Override> = ctx
        .store
        .overrides(None)?
        .into_iter()
        .filter(|o| &o.requested_by == ctx.user)
        .collect();
    mine.sort_by_key(|o| std::cmp::Reverse(o.id));
    mine.truncate(20);
    let sprints = ctx.store.sprints()?;
    Ok(blocks::overrides(
        pending.as_deref(),
        &mine,
        &sprints,
        &roster,
    ))
}

/// `set <discipline> <@user> [reason]`: an admin puts someone on duty for the current sprint,
/// recorded as an override the admin approved.
pub fn set(
    ctx: Context<'_>,
    discipline: &DisciplineKey,
    user: &SlackUserId,
    reason: Option<String>,
) -> Result<Message, BotError> {
    ctx.require_admin(
        "override.set",
        "override",
        discipline.as_str(),
        "put someone on duty",
    )?;
    let team = ctx.config.team();
    let roster = Roster::load(ctx.store)?;
    let discipline = &named_discipline(&roster, discipline)?;
    let outcome = ctx
        .store
        .transaction(|store| {
            let outcome = coverage::set_on_duty(
                store,
                &team,
                discipline,
                user,
                ctx.user,
                reason.clone(),
                ctx.now,
                &no_effects,
            )?;
            if let Some(outcome) = &outcome {
                enqueue_decision(ctx, store, outcome, &roster)?;
            }
            Ok::<_, CoverageFailure>(outcome)
        })
        .map_err(|failure| refusal(failure, &roster))?;
    let Some(outcome) = outcome else {
        return Err(BotError::Refused(
            "no sprint is in force right now, so there is no duty to set".into(),
        ));
    };
    // An admin's set is an instruction, not a request to approve: it takes effect at once,
    // and the answer says which double or back-to-back duty it gives.
    let conflict = match &outcome.sprint {
        Some(sprint) if team.double_duty.flags() => {
            coverage::cover_conflict(ctx.store, &team, &roster, sprint, discipline, user)?
        }
        _ => None,
    };
    Ok(blocks::set_done(
        &RequestOutcome::Created(outcome.request.clone()),
        outcome.sprint.as_ref(),
        &roster,
        conflict.as_ref(),
    ))
}
