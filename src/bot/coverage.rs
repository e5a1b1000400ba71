//! Coverage requests from Slack: filing (by command or by the modal), deciding (approve,
//! decline, cancel — by command or button), listing, and an admin's `set`.
//!
//! Each decision commits together with its outbox effects: the request posted to the admin
//! channel (`request:<id>:admin-post`, remembered as message `request:<id>`), the update of that
//! post after a decision (`decision:<id>:update`), DMs (`…:dm:<user>`), Home refreshes
//! (`…:home:<user>`) and the user group reconciliation (`…:usergroups`).

use std::collections::BTreeMap;

use super::command::CoverArgs;
use super::effect::{Effect, Outgoing, items};
use super::shifts::{self, Shift, parse_slot_value};
use super::{Bot, BotError, Context};
use crate::coverage::{self, CoverageFailure};
use crate::domain::{
    CoverageError, CoverageRequest, DisciplineKey, Member, Override, OverrideStatus, SlackUserId,
    Sprint, SprintIndex,
};
use crate::duty::{self, DutyAt, Roster};
use crate::slack::blocks::{self, Message, Recipient};
use crate::slack::views;
use crate::store::{Decision, RequestOutcome, StoreError};

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

/// What to do with a pending request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Approve,
    Decline,
    Cancel,
}

impl Verdict {
    fn status(self) -> OverrideStatus {
        match self {
            Verdict::Approve => OverrideStatus::Approved,
            Verdict::Decline => OverrideStatus::Declined,
            Verdict::Cancel => OverrideStatus::Cancelled,
        }
    }

    fn action(self) -> &'static str {
        match self {
            Verdict::Approve => "override.approve",
            Verdict::Decline => "override.decline",
            Verdict::Cancel => "override.cancel",
        }
    }
}

/// `cover <sprint> <@replacement> [discipline] [reason…]`.
pub fn request_by_command(ctx: Context<'_>, args: &CoverArgs) -> Result<Message, BotError> {
    let roster = Roster::load(ctx.store)?;
    let keys: Vec<DisciplineKey> = roster.disciplines.iter().map(|d| d.key.clone()).collect();
    let (discipline, reason) = args.split_discipline(&keys);
    let discipline = match discipline {
        Some(discipline) => discipline,
        None => infer_discipline(ctx, &roster, args.sprint, &args.replacement)?,
    };
    let request = CoverageRequest {
        sprint: args.sprint,
        discipline,
        replacement: args.replacement.clone(),
        requester: ctx.user.clone(),
    };
    let outcome = file(ctx, &request, reason, Via::Command)?;
    let sprint = ctx.store.sprint(request.sprint)?;
    Ok(blocks::request_filed(&outcome, sprint.as_ref(), &roster))
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
    let duty = duty::sprint_duty(ctx.store, roster, &found)?;
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
            "you are not on duty in sprint {sprint}; name the discipline after the person"
        ))),
        _ => Err(BotError::Refused(format!(
            "you are on duty in several disciplines in sprint {sprint}; name the discipline after the person"
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
    Ok(coverage::file_coverage_request(
        ctx.store, &team, request, reason, is_admin, ctx.now, &effects,
    )?)
}

/// What filing a new request causes: the post in the admin channel, a DM to the requester when
/// the modal was used, and fresh Home tabs for the requester and the admins.
fn request_effects(
    ctx: Context<'_>,
    o: &Override,
    sprint: Option<&Sprint>,
    roster: &Roster,
    admins: &[SlackUserId],
    via: Via,
) -> Vec<Outgoing> {
    let team = ctx.config.team();
    let mut out = Vec::new();
    if let Some(channel) = &ctx.config.bot.admin_channel {
        let message = blocks::coverage_request(o, sprint, roster, &team);
        let post = Effect::PostMessage {
            channel: channel.clone(),
            text: message.text.clone(),
            blocks: message.blocks_json(),
            message_key: Some(request_message_key(o.id)),
            thread_ts: None,
        };
        out.push(Outgoing::now(
            format!("request:{}:admin-post", o.id),
            post,
            ctx.now,
        ));
    }
    if via == Via::Modal {
        let confirmation =
            blocks::request_filed(&RequestOutcome::Created(o.clone()), sprint, roster);
        out.push(dm(
            format!("request:{}:dm:{}", o.id, o.requested_by),
            &o.requested_by,
            confirmation,
            ctx,
        ));
    }
    let mut people = vec![o.requested_by.clone()];
    people.extend(admins.iter().cloned());
    out.extend(home_refreshes(&format!("request:{}", o.id), &people, ctx));
    out
}

fn dm(key: String, user: &SlackUserId, message: Message, ctx: Context<'_>) -> Outgoing {
    let effect = Effect::DirectMessage {
        user: user.to_string(),
        text: message.text.clone(),
        blocks: message.blocks_json(),
    };
    Outgoing::now(key, effect, ctx.now)
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

/// Approves, declines or cancels request `id`, if the acting person may.
pub fn decide(
    ctx: Context<'_>,
    id: i64,
    verdict: Verdict,
    reason: Option<String>,
) -> Result<Message, BotError> {
    let entity_id = id.to_string();
    if verdict != Verdict::Cancel {
        let what = if verdict == Verdict::Approve {
            "approve requests"
        } else {
            "decline requests"
        };
        ctx.require_admin(verdict.action(), "override", &entity_id, what)?;
    }
    let Some(request) = ctx.store.override_by_id(id)? else {
        return Err(BotError::Refused(format!("request #{id} does not exist")));
    };
    if verdict == Verdict::Cancel && &request.requested_by != ctx.user && !ctx.is_admin()? {
        ctx.audit_refusal(
            verdict.action(),
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
    let sprint = ctx.store.sprint(request.sprint)?;
    let in_force = sprint_in_force(ctx)? == Some(request.sprint);
    let effects = |d: &Decision| {
        items(&decision_effects(
            ctx,
            d,
            sprint.as_ref(),
            &roster,
            in_force,
        ))
    };
    let decision = ctx
        .store
        .decide_override_with(
            id,
            verdict.status(),
            ctx.user.as_str(),
            reason.as_deref(),
            ctx.now,
            &effects,
        )
        .map_err(|error| match error {
            StoreError::OverrideNotPending { id, status } => BotError::Refused(format!(
                "request #{id} is already {status}, so it cannot be changed"
            )),
            other => other.into(),
        })?;
    Ok(blocks::decided(
        &decision.request,
        decision.changed,
        sprint.as_ref(),
        &roster,
    ))
}

/// The index of the sprint in force now, if any.
fn sprint_in_force(ctx: Context<'_>) -> Result<Option<SprintIndex>, BotError> {
    let team = ctx.config.team();
    Ok(
        match duty::duty_at(ctx.store, &team, ctx.now, ctx.now, "rotation")? {
            DutyAt::InForce { duty, .. } => Some(duty.sprint.index),
            _ => None,
        },
    )
}

/// What a decision causes: the admin-channel post updated in place, DMs to the requester and
/// the replacement, Home refreshes, and (for an approval in the current sprint) the user group.
fn decision_effects(
    ctx: Context<'_>,
    decision: &Decision,
    sprint: Option<&Sprint>,
    roster: &Roster,
    in_force: bool,
) -> Vec<Outgoing> {
    if !decision.changed {
        return Vec::new();
    }
    let o = &decision.request;
    let prefix = format!("decision:{}", o.id);
    let mut out = Vec::new();
    if ctx.config.bot.admin_channel.is_some() {
        let message = blocks::coverage_request(o, sprint, roster, &ctx.config.team());
        let update = Effect::UpdateMessage {
            message_key: request_message_key(o.id),
            text: message.text.clone(),
            blocks: message.blocks_json(),
        };
        out.push(Outgoing::now(format!("{prefix}:update"), update, ctx.now));
    }
    let mut told = vec![(&o.requested_by, Recipient::Requester)];
    match o.status {
        OverrideStatus::Approved | OverrideStatus::Declined => {
            told.push((&o.replacement, Recipient::Replacement))
        }
        _ if o.decided_by.as_deref() == Some(o.requested_by.as_str()) => told.clear(),
        _ => {}
    }
    for (user, recipient) in told {
        let message = blocks::decision_dm(o, recipient, sprint, roster);
        out.push(dm(format!("{prefix}:dm:{user}"), user, message, ctx));
    }
    if o.status == OverrideStatus::Approved && in_force {
        out.push(Outgoing::now(
            format!("{prefix}:usergroups"),
            Effect::ReconcileUsergroups,
            ctx.now,
        ));
    }
    let mut people = vec![
        o.requested_by.clone(),
        o.replacement.clone(),
        ctx.user.clone(),
    ];
    people.extend(o.original.clone());
    people.extend(decision.superseded.as_ref().map(|s| s.replacement.clone()));
    out.extend(home_refreshes(&prefix, &people, ctx));
    out
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
    Ok(blocks::overrides(pending.as_deref(), &mine, &roster))
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
    let Some(sprint) = sprint_in_force(ctx)? else {
        return Err(BotError::Refused(
            "no sprint is in force right now, so there is no duty to set".into(),
        ));
    };
    let request = CoverageRequest {
        sprint,
        discipline: discipline.clone(),
        replacement: user.clone(),
        requester: ctx.user.clone(),
    };
    let team = ctx.config.team();
    let roster = Roster::load(ctx.store)?;
    let Some(found) = ctx.store.sprint(sprint)? else {
        return Err(BotError::Refused(format!("sprint {sprint} does not exist")));
    };
    let on_duty = duty::slot(ctx.store, &roster, &found, discipline)?
        .and_then(|(assignment, _)| assignment.slack_id);
    let found = Some(found);
    let new = coverage::checked_override(ctx.store, &team, &request, reason, true, ctx.now)?;
    let effects = |outcome: &RequestOutcome| match outcome {
        RequestOutcome::Created(o) => items(&set_effects(
            ctx,
            o,
            on_duty.as_ref(),
            found.as_ref(),
            &roster,
        )),
        _ => Vec::new(),
    };
    let outcome = ctx
        .store
        .record_approved_override_with(&new, ctx.now, &effects)?;
    Ok(blocks::set_done(&outcome, found.as_ref(), &roster))
}

/// What `set` causes: DMs to the person put on duty and to the one taken off, the user group,
/// and Home refreshes.
fn set_effects(
    ctx: Context<'_>,
    o: &Override,
    previous: Option<&SlackUserId>,
    sprint: Option<&Sprint>,
    roster: &Roster,
) -> Vec<Outgoing> {
    let prefix = format!("set:{}", o.id);
    let mut out = vec![dm(
        format!("{prefix}:dm:{}", o.replacement),
        &o.replacement,
        blocks::set_dm(o, Recipient::Replacement, sprint, roster),
        ctx,
    )];
    let mut people = vec![o.replacement.clone(), ctx.user.clone()];
    if let Some(previous) = previous.filter(|p| *p != &o.replacement) {
        let message = blocks::set_dm(o, Recipient::Requester, sprint, roster);
        out.push(dm(
            format!("{prefix}:dm:{previous}"),
            previous,
            message,
            ctx,
        ));
        people.push(previous.clone());
    }
    out.push(Outgoing::now(
        format!("{prefix}:usergroups"),
        Effect::ReconcileUsergroups,
        ctx.now,
    ));
    out.extend(home_refreshes(&prefix, &people, ctx));
    out
}

/// The modal's contents for `user`: their shifts and, per discipline of those shifts, the
/// active members who could cover.
fn modal_view(
    ctx: Context<'_>,
    selected: Option<&str>,
) -> Result<Option<serde_json::Value>, BotError> {
    let team = ctx.config.team();
    let shifts: Vec<Shift> = shifts::upcoming_shifts(ctx.store, &team, ctx.user, ctx.now)?;
    if shifts.is_empty() {
        return Ok(None);
    }
    let roster = Roster::load(ctx.store)?;
    let mut candidates: Vec<(DisciplineKey, Vec<Member>)> = Vec::new();
    for discipline in &roster.disciplines {
        if !shifts.iter().any(|s| s.discipline == discipline.key) {
            continue;
        }
        let members = roster
            .members_of(&discipline.key)
            .into_iter()
            .filter(|m| m.active && &m.slack_id != ctx.user)
            .collect();
        candidates.push((discipline.key.clone(), members));
    }
    Ok(Some(views::cover_modal(
        &shifts,
        &candidates,
        selected,
        &roster,
    )))
}

/// Opens the coverage modal with `trigger_id` (at once: triggers expire after 3 s). Returns a
/// message for the person when no modal was opened.
pub async fn open_modal(
    bot: &Bot,
    user: SlackUserId,
    trigger_id: String,
    selected: Option<String>,
) -> Option<Message> {
    let view = bot
        .run(user, move |ctx| modal_view(ctx, selected.as_deref()))
        .await;
    let view = match view {
        Ok(Some(view)) => view,
        Ok(None) => {
            return Some(blocks::refusal(
                "You have no shifts in the coming sprints, so there is nothing to ask cover for.",
            ));
        }
        Err(error) => return Some(error.into_message()),
    };
    match bot.api.open_view(&trigger_id, &view).await {
        Ok(_) => None,
        Err(error) => {
            tracing::warn!(%error, "could not open the coverage form");
            Some(blocks::refusal(&format!(
                "I could not open the form; try `{} cover <sprint> <@person>` instead.",
                bot.config.bot.command
            )))
        }
    }
}

/// Files the request a submitted modal describes; errors are per input block.
pub fn submit_modal(
    ctx: Context<'_>,
    shift: Option<String>,
    replacement: Option<String>,
    reason: Option<String>,
) -> Result<(), BTreeMap<String, String>> {
    let error = |block: &str, text: String| BTreeMap::from([(block.to_string(), text)]);
    let Some((sprint, discipline)) = shift.as_deref().and_then(parse_slot_value) else {
        return Err(error(
            views::SHIFT_INPUT,
            "Choose one of your shifts.".into(),
        ));
    };
    let picked = replacement
        .as_deref()
        .and_then(|value| value.split_once(':'));
    let Some((picked_discipline, person)) = picked else {
        return Err(error(
            views::REPLACEMENT_INPUT,
            "Choose who covers the shift.".into(),
        ));
    };
    let Ok(person) = SlackUserId::parse(person) else {
        return Err(error(
            views::REPLACEMENT_INPUT,
            "Choose who covers the shift.".into(),
        ));
    };
    if picked_discipline != discipline.as_str() {
        return Err(error(
            views::REPLACEMENT_INPUT,
            format!("Choose someone from {discipline}, the shift's discipline."),
        ));
    }
    let request = CoverageRequest {
        sprint,
        discipline,
        replacement: person,
        requester: ctx.user.clone(),
    };
    match file(ctx, &request, reason, Via::Modal) {
        Ok(_) => Ok(()),
        Err(BotError::Refused(text)) if text.contains(request.replacement.as_str()) => {
            Err(error(views::REPLACEMENT_INPUT, text))
        }
        Err(other) => Err(error(views::SHIFT_INPUT, other.into_message().text)),
    }
}
