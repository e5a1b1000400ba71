//! Approvals that give someone double or back-to-back duty wait for a confirming second click.
//!
//! When an admin approves a pending request whose cover would give its replacement double duty
//! (another discipline in the same sprint) or back-to-back duty (any discipline in the sprint
//! before or after; `coverage::cover_conflict`), nothing is decided yet: the answer says so,
//! with an Approve anyway button (`approve_override_confirmed`) and Decline. The command line's
//! `override approve` asks for `--confirm` instead. The check and the approval run in one
//! transaction, so what the warning was about is what the approval changes; the request's card
//! in the admin channel carries the same warning from the moment it is posted ([`card_conflict`]).
//! With `double-duty = allow` nothing is flagged and approvals take one click, as before.

use super::{BotError, Context, coverage};
use crate::coverage::{CoverConflict, DecisionOutcome, cover_conflict, slot_state};
use crate::domain::request::{Action, staleness};
use crate::domain::{Override, OverrideStatus};
use crate::duty::Roster;
use crate::slack::blocks::{self, Message};
use crate::slack::decisions;

/// What an approval did.
#[derive(Debug, Clone)]
pub enum Approving {
    /// Decided, as any other decision (approved, closed as stale, or already decided).
    Decided(DecisionOutcome),
    /// Not decided: the cover would give its replacement this conflict, and nobody confirmed.
    Unconfirmed {
        request: Override,
        conflict: CoverConflict,
    },
}

/// An admin approves request `id` from Slack (button or command): the decision's reply, or,
/// when the approval needs confirming, the warning with its Approve anyway button.
pub fn approve(ctx: Context<'_>, id: i64, confirmed: bool) -> Result<Message, BotError> {
    let roster = Roster::load(ctx.store)?;
    Ok(match approve_outcome(ctx, id, confirmed)? {
        Approving::Decided(outcome) => {
            decisions::decision_reply(&outcome, &roster, &ctx.config.bot.command)
        }
        Approving::Unconfirmed { request, conflict } => {
            blocks::approval_warning(&request, &conflict, &roster)
        }
    })
}

/// [`coverage::decide_outcome`] for an approval, unless it would give the replacement double or
/// back-to-back duty and is not `confirmed`.
pub fn approve_outcome(ctx: Context<'_>, id: i64, confirmed: bool) -> Result<Approving, BotError> {
    fn decide(ctx: Context<'_>, id: i64) -> Result<Approving, BotError> {
        let outcome = coverage::decide_outcome(ctx, id, Action::Approve, None)?;
        Ok(Approving::Decided(outcome))
    }
    if confirmed {
        return decide(ctx, id);
    }
    // Refused outside the transaction, so the refusal's audit row is kept.
    ctx.require_admin(
        Action::Approve.audit_action(),
        "override",
        &id.to_string(),
        "approve requests",
    )?;
    ctx.store.transaction(|store| {
        let ctx = Context { store, ..ctx };
        let pending = store
            .override_by_id(id)?
            .filter(|o| o.status == OverrideStatus::Pending);
        if let Some(request) = pending
            && let Some((request, conflict)) = swap_aware_conflict(ctx, request)?
        {
            return Ok(Approving::Unconfirmed { request, conflict });
        }
        decide(ctx, id)
    })
}

/// The conflict approving `request` would give: its own, or for half of a swap either half's
/// (with the half it names), leaving out the slot the other half frees.
fn swap_aware_conflict(
    ctx: Context<'_>,
    request: Override,
) -> Result<Option<(Override, CoverConflict)>, BotError> {
    let partner = match ctx.store.swap_partner(request.id)? {
        Some(id) => ctx.store.override_by_id(id)?,
        None => None,
    };
    let Some(partner) = partner else {
        return Ok(approval_conflict(ctx, &request)?.map(|c| (request, c)));
    };
    // A swap frees each person's own shift: a clash with it is no clash.
    let frees = |conflict: &CoverConflict, half: &Override, other: &Override| {
        conflict.sprint.index == other.sprint
            && conflict.discipline == other.discipline
            && other.original.as_ref() == Some(&half.replacement)
    };
    for (half, other) in [(&request, &partner), (&partner, &request)] {
        if let Some(conflict) = approval_conflict(ctx, half)?.filter(|c| !frees(c, half, other)) {
            return Ok(Some((half.clone(), conflict)));
        }
    }
    Ok(None)
}

/// The conflict approving `request` would give its replacement, if the approval would take
/// effect (the request's premise still holds).
fn approval_conflict(
    ctx: Context<'_>,
    request: &Override,
) -> Result<Option<CoverConflict>, BotError> {
    let team = ctx.config.team();
    if !team.double_duty.flags() {
        return Ok(None);
    }
    let state = slot_state(
        ctx.store,
        &team,
        request.sprint,
        &request.discipline,
        &request.replacement,
        ctx.now,
    )?;
    let Some(sprint) = state.sprint.as_ref() else {
        return Ok(None);
    };
    if staleness(request, &state.slot).is_some() {
        return Ok(None);
    }
    let roster = Roster::load(ctx.store)?;
    Ok(cover_conflict(
        ctx.store,
        &team,
        &roster,
        sprint,
        &request.discipline,
        &request.replacement,
    )?)
}

/// The warning a pending request's card in the admin channel carries: the conflict approving
/// it would give its replacement, as things are when the card is posted.
pub fn card_conflict(ctx: Context<'_>, request: &Override) -> Option<CoverConflict> {
    if request.status != OverrideStatus::Pending {
        return None;
    }
    approval_conflict(ctx, request).unwrap_or_else(|error| {
        tracing::warn!(%error, id = request.id, "could not check a request for double duty");
        None
    })
}
