//! Coverage requests as the command line and the Slack bot both handle them: filing, deciding
//! (approve, decline, cancel, revoke), an admin's `set`, and closing requests whose premise no
//! longer holds.
//!
//! Every decision runs in one write transaction ([`Store::transaction`]) that first freezes any
//! sprint that has started, then loads the slot **as it is at that moment** (its sprint's time
//! window, who is on duty, whether the replacement is still a member), lets
//! `domain::request::decide` rule on it, and records the outcome together with the requests it
//! makes stale (pending requests for the same slot whose premise it broke). Callers derive
//! their outbox effects from the returned outcome inside the same transaction, so a decision and
//! the messages it causes commit together. It reads no clock (`now` is a parameter) and knows
//! nothing of Slack.

use jiff::Timestamp;

use crate::domain::conflict::{Around, clash_of};
use crate::domain::request::{self, Action, SlotNow, Stale, Step, TransitionError};
use crate::domain::{
    Approval, Assignment, Conflict, CoverageError, CoverageRequest, DisciplineKey, Neighbour,
    Override, OverrideStatus, SlackUserId, SlotFacts, Source, Sprint, SprintIndex, Team,
    sprint_ends_at, sprint_starts_at, validate_coverage_request,
};
use crate::duty::{self, Roster};
use crate::store::{
    Effects, NewOffer, NewOverride, Offer, OfferStatus, RequestOutcome, Store, StoreError,
    TransactionError,
};

/// The actor the audit log records for requests the bot closes on its own.
pub const BOT_ACTOR: &str = "triage-bot";

/// Why a coverage request was not filed or decided.
#[derive(Debug, thiserror::Error)]
pub enum CoverageFailure {
    /// The request breaks a rule; the text is meant for the person who asked.
    #[error(transparent)]
    Rule(#[from] CoverageError),
    /// The request is not in a status the action applies to.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl TransactionError for CoverageFailure {
    fn is_busy(&self) -> bool {
        matches!(self, CoverageFailure::Store(error) if error.is_busy())
    }
}

/// Checks `request` and files it, enqueueing `effects` of the outcome in the same transaction:
/// proposed (waiting for the replacement to accept) when it names someone other than its
/// requester, else pending (waiting for an admin). A request whose replacement is already
/// approved for the slot, or that is already open, changes nothing.
pub fn file_coverage_request(
    store: &Store,
    team: &Team,
    request: &CoverageRequest,
    reason: Option<String>,
    requester_is_admin: bool,
    now: Timestamp,
    effects: Effects<'_, RequestOutcome>,
) -> Result<RequestOutcome, CoverageFailure> {
    store.transaction(|store| {
        duty::record_started_turns(store, team, now, "rotation")?;
        if let Some(approved) = store.approved_override(request.sprint, &request.discipline)?
            && approved.replacement == request.replacement
        {
            return Ok(RequestOutcome::AlreadyApproved(approved));
        }
        let new = checked_override(
            store,
            team,
            request,
            reason.clone(),
            requester_is_admin,
            now,
        )?;
        // Someone named by another person agrees first; a person offering to cover goes
        // straight to the admins.
        let status = if new.replacement == new.requested_by {
            OverrideStatus::Pending
        } else {
            OverrideStatus::Proposed
        };
        let outcome = store.file_override(&new, status, now)?;
        store.enqueue(&effects(&outcome), now)?;
        Ok(outcome)
    })
}

/// A proposed swap: `mine` is the proposer's shift, `theirs` the other person's.
#[derive(Debug, Clone)]
pub struct SwapProposal {
    pub proposer: SlackUserId,
    pub other: SlackUserId,
    pub discipline: DisciplineKey,
    pub mine: SprintIndex,
    pub theirs: SprintIndex,
}

/// The two halves of a filed swap: the other person covers the proposer's shift (`first`),
/// the proposer covers theirs (`second`).
#[derive(Debug, Clone)]
pub struct FiledSwap {
    pub first: Override,
    pub second: Override,
}

/// Checks `swap` and files it as two linked proposed requests, which the other person accepts
/// or refuses as one; enqueues `effects` in the same transaction. Each half is checked like a
/// request its shift's holder filed: the proposer (or an admin) holds the first shift, the other
/// person the second, each is an active member of the discipline and not on duty in the shift
/// they would take.
pub fn file_swap(
    store: &Store,
    team: &Team,
    swap: &SwapProposal,
    reason: Option<String>,
    proposer_is_admin: bool,
    now: Timestamp,
    effects: Effects<'_, FiledSwap>,
) -> Result<FiledSwap, CoverageFailure> {
    if swap.mine == swap.theirs {
        return Err(CoverageFailure::Rule(CoverageError::SwapInOneSprint));
    }
    store.transaction(|store| {
        duty::record_started_turns(store, team, now, "rotation")?;
        let half = |sprint, replacement: &SlackUserId, holder: &SlackUserId, admin| {
            let request = CoverageRequest {
                sprint,
                discipline: swap.discipline.clone(),
                replacement: replacement.clone(),
                requester: holder.clone(),
            };
            let mut new = checked_override(store, team, &request, reason.clone(), admin, now)?;
            new.requested_by = swap.proposer.clone();
            Ok::<_, CoverageFailure>(new)
        };
        let first = half(swap.mine, &swap.other, &swap.proposer, proposer_is_admin)?;
        let second =
            half(swap.theirs, &swap.proposer, &swap.other, false).map_err(|error| match error {
                CoverageFailure::Rule(
                    CoverageError::NotOnDuty {
                        discipline, sprint, ..
                    }
                    | CoverageError::AdminOnly { discipline, sprint },
                ) => CoverageFailure::Rule(CoverageError::NotTheirShift {
                    person: swap.other.clone(),
                    discipline,
                    sprint,
                }),
                other => other,
            })?;
        let mut filed = Vec::new();
        for new in [first, second] {
            match store.file_override(&new, OverrideStatus::Proposed, now)? {
                RequestOutcome::Created(o) => filed.push(o),
                RequestOutcome::AlreadyPending(o) | RequestOutcome::AlreadyApproved(o) => {
                    return Err(CoverageFailure::Rule(CoverageError::AlreadyAsked {
                        id: o.id,
                    }));
                }
            }
        }
        let (second, first) = (filed.remove(1), filed.remove(0));
        store.pair_swap(first.id, second.id, now)?;
        let swap = FiledSwap { first, second };
        store.enqueue(&effects(&swap), now)?;
        Ok(swap)
    })
}

/// Why a volunteer cannot take an offer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OfferError {
    /// Someone else was first.
    #[error("offer #{id} is taken already")]
    Taken { id: i64, by: Option<SlackUserId> },
    /// It was withdrawn, or it expired.
    #[error("offer #{id} is {status}")]
    Closed { id: i64, status: &'static str },
    /// The shift changed hands since it was offered (a cover was approved, an admin set
    /// someone): it is no longer the offerer's to give.
    #[error("offer #{id} is out of date: the shift has changed hands since it was offered")]
    ChangedHands {
        id: i64,
        holder: Option<SlackUserId>,
    },
    /// The volunteer is not an active member of the discipline, or is on duty that sprint, or
    /// holds the shift.
    #[error("{volunteer} cannot take offer #{id}: {why}")]
    NotEligible {
        id: i64,
        volunteer: SlackUserId,
        why: &'static str,
    },
}

/// Offers the slot (`sprint`, `discipline`) to volunteers: checked like a request its holder
/// (or an admin) files, without a replacement. Offering the same slot again returns the open
/// offer. `effects` are enqueued in the same transaction when the offer is new.
#[allow(clippy::too_many_arguments)]
pub fn offer_shift(
    store: &Store,
    team: &Team,
    sprint: SprintIndex,
    discipline: &DisciplineKey,
    by: &SlackUserId,
    reason: Option<String>,
    by_admin: bool,
    now: Timestamp,
    effects: Effects<'_, Offer>,
) -> Result<(Offer, bool), CoverageFailure> {
    store.transaction(|store| {
        duty::record_started_turns(store, team, now, "rotation")?;
        // Checked like a request naming the offerer: the rules for the sprint, the discipline
        // and who may ask are the same; only the replacement is still unknown.
        let request = CoverageRequest {
            sprint,
            discipline: discipline.clone(),
            replacement: by.clone(),
            requester: by.clone(),
        };
        let original = match checked_override(store, team, &request, None, by_admin, now) {
            Ok(new) => new.original,
            Err(CoverageFailure::Rule(
                CoverageError::AlreadyOnDuty { .. } | CoverageError::NotActiveMember { .. },
            )) => {
                slot_state(store, team, sprint, discipline, by, now)?
                    .slot
                    .holder
            }
            Err(other) => return Err(other),
        };
        let new = NewOffer {
            sprint,
            discipline: discipline.clone(),
            original,
            requested_by: by.clone(),
            reason: reason.clone(),
        };
        let (offer, created) = store.offer_shift(&new, now)?;
        if created {
            store.enqueue(&effects(&offer), now)?;
        }
        Ok((offer, created))
    })
}

/// `volunteer` takes offer `id`: the first eligible volunteer wins (an active member of the
/// discipline, not on duty in any discipline that sprint, not the person on duty for the slot).
/// Their taking files a coverage request from the offerer naming them, accepted at once (they
/// agreed by volunteering), which then waits for an admin or takes effect by the discipline's
/// policy like any other. All in one transaction; `effects` of the decision are enqueued in it.
pub fn take_offer(
    store: &Store,
    team: &Team,
    id: i64,
    volunteer: &SlackUserId,
    now: Timestamp,
    effects: Effects<'_, (Offer, DecisionOutcome)>,
) -> Result<(Offer, DecisionOutcome), TakeFailure> {
    store.transaction(|store| {
        duty::record_started_turns(store, team, now, "rotation")?;
        let offer = store.offer(id)?.ok_or(StoreError::UnknownOffer(id))?;
        match offer.status {
            OfferStatus::Open => {}
            OfferStatus::Taken => {
                return Err(OfferError::Taken {
                    id,
                    by: offer.taken_by,
                }
                .into());
            }
            status => {
                return Err(OfferError::Closed {
                    id,
                    status: status.as_str(),
                }
                .into());
            }
        }
        let not_eligible = |why| OfferError::NotEligible {
            id,
            volunteer: volunteer.clone(),
            why,
        };
        if volunteer == &offer.requested_by {
            return Err(not_eligible("the offer is their own").into());
        }
        let roster = Roster::load(store)?;
        let member = roster
            .members
            .iter()
            .any(|m| m.active && &m.slack_id == volunteer && m.discipline == offer.discipline);
        if !member {
            return Err(not_eligible("only active members of the discipline can take it").into());
        }
        let Some(sprint) = store.sprint(offer.sprint)? else {
            return Err(OfferError::Closed {
                id,
                status: "no longer planned",
            }
            .into());
        };
        // An offer whose handoff has come is over, though the scheduler may not have closed it
        // yet; one made while its sprint was in force lasts until the sprint ends.
        if offer_lapsed(store, team, &offer, &sprint, now)? {
            return Err(OfferError::Closed {
                id,
                status: "expired",
            }
            .into());
        }
        let duty = duty::sprint_duty(store, team, &roster, &sprint)?;
        let holder = duty
            .assignments
            .iter()
            .find(|a| a.discipline == offer.discipline)
            .and_then(|a| a.slack_id.clone());
        if holder != offer.original {
            return Err(OfferError::ChangedHands { id, holder }.into());
        }
        if duty
            .assignments
            .iter()
            .any(|a| a.slack_id.as_ref() == Some(volunteer))
        {
            return Err(not_eligible("already on duty in that sprint").into());
        }
        let request = CoverageRequest {
            sprint: offer.sprint,
            discipline: offer.discipline.clone(),
            replacement: volunteer.clone(),
            requester: offer.requested_by.clone(),
        };
        let mut new = checked_override(store, team, &request, offer.reason.clone(), true, now)?;
        new.requested_by = offer.requested_by.clone();
        let filed = match store.file_override(&new, OverrideStatus::Proposed, now)? {
            RequestOutcome::Created(o) => o,
            RequestOutcome::AlreadyPending(o) | RequestOutcome::AlreadyApproved(o) => {
                return Err(CoverageFailure::Rule(CoverageError::AlreadyAsked { id: o.id }).into());
            }
        };
        let outcome = decide_request(
            store,
            team,
            filed.id,
            Action::Accept,
            volunteer.as_str(),
            None,
            now,
            &|_| Vec::new(),
        )?;
        let (offer, _) = store.take_offer(id, volunteer, filed.id, now)?;
        let taken = (offer, outcome);
        store.enqueue(&effects(&taken), now)?;
        Ok(taken)
    })
}

/// Why taking an offer failed.
#[derive(Debug, thiserror::Error)]
pub enum TakeFailure {
    #[error(transparent)]
    Offer(#[from] OfferError),
    #[error(transparent)]
    Coverage(#[from] CoverageFailure),
}

impl From<StoreError> for TakeFailure {
    fn from(error: StoreError) -> TakeFailure {
        TakeFailure::Coverage(error.into())
    }
}

impl TransactionError for TakeFailure {
    fn is_busy(&self) -> bool {
        matches!(self, TakeFailure::Coverage(failure) if failure.is_busy())
    }
}

/// Whether nobody can take `offer` (of `sprint`) any more at `now`: its sprint's handoff has
/// come, or, for an offer made while its sprint was in force, the sprint has ended.
fn offer_lapsed(
    store: &Store,
    team: &Team,
    offer: &Offer,
    sprint: &Sprint,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let starts_at = sprint_starts_at(sprint, team);
    if starts_at <= now && offer.created_at < starts_at {
        return Ok(true);
    }
    let (_, next) = store.sprint_and_next(sprint.index)?;
    Ok(sprint_ends_at(sprint, next.as_ref(), team) <= now)
}

/// Expires the offers nobody took before their sprint's handoff (see `offer_lapsed`; or whose
/// sprint left the plan), enqueueing `effects` of each in the same transaction. Returns them.
pub fn expire_offers(
    store: &Store,
    team: &Team,
    now: Timestamp,
    effects: Effects<'_, Offer>,
) -> Result<Vec<Offer>, StoreError> {
    store.transaction(|store| {
        let mut expired = Vec::new();
        for offer in store.open_offers()? {
            let lapsed = match store.sprint(offer.sprint)? {
                Some(sprint) => offer_lapsed(store, team, &offer, &sprint, now)?,
                None => true,
            };
            if !lapsed {
                continue;
            }
            let (offer, changed) =
                store.close_offer(offer.id, OfferStatus::Expired, None, BOT_ACTOR, now)?;
            if changed {
                store.enqueue(&effects(&offer), now)?;
                expired.push(offer);
            }
        }
        Ok(expired)
    })
}

/// Loads the slot's facts, validates `request` against them and returns the override to file,
/// with the person on duty for the slot now as its original.
pub fn checked_override(
    store: &Store,
    team: &Team,
    request: &CoverageRequest,
    reason: Option<String>,
    requester_is_admin: bool,
    now: Timestamp,
) -> Result<NewOverride, CoverageFailure> {
    let roster = Roster::load(store)?;
    let (sprint, next_sprint) = store.sprint_and_next(request.sprint)?;
    let slot = match &sprint {
        Some(sprint) => duty::slot(store, team, &roster, sprint, &request.discipline)?,
        None => None,
    };
    let nobody = Assignment {
        discipline: request.discipline.clone(),
        slack_id: None,
        source: Source::None,
    };
    let on_duty = slot.map_or(nobody, |(assignment, _)| assignment);
    let members = roster.members_of(&request.discipline);
    let facts = SlotFacts {
        sprint: sprint.as_ref(),
        next_sprint: next_sprint.as_ref(),
        discipline: roster.discipline(&request.discipline),
        members: &members,
        on_duty: &on_duty,
        requester_is_admin,
    };
    validate_coverage_request(request, &facts, team, now)?;
    Ok(NewOverride {
        sprint: request.sprint,
        discipline: request.discipline.clone(),
        original: on_duty.slack_id,
        replacement: request.replacement.clone(),
        requested_by: request.requester.clone(),
        reason,
    })
}

/// One slot as it is at a moment: the facts a decision rules on, with the sprint itself.
#[derive(Debug, Clone)]
pub struct SlotState {
    pub slot: SlotNow,
    /// The live sprint of the slot, if it still exists.
    pub sprint: Option<Sprint>,
    /// Whether that sprint is in force at the moment.
    pub in_force: bool,
}

/// The slot (`sprint`, `discipline`) at `now`, with `replacement`'s membership.
pub fn slot_state(
    store: &Store,
    team: &Team,
    sprint: SprintIndex,
    discipline: &DisciplineKey,
    replacement: &SlackUserId,
    now: Timestamp,
) -> Result<SlotState, StoreError> {
    let roster = Roster::load(store)?;
    let (found, next) = store.sprint_and_next(sprint)?;
    let replacement_active = roster
        .members
        .iter()
        .any(|m| m.active && &m.slack_id == replacement && &m.discipline == discipline);
    let Some(found) = found else {
        let slot = SlotNow {
            sprint_exists: false,
            sprint_ended: false,
            started_at: None,
            holder: None,
            replacement_active,
            needs_admin: true,
        };
        return Ok(SlotState {
            slot,
            sprint: None,
            in_force: false,
        });
    };
    let ends_at = sprint_ends_at(&found, next.as_ref(), team);
    let starts_at = sprint_starts_at(&found, team);
    let started = starts_at <= now;
    let holder = duty::slot(store, team, &roster, &found, discipline)?
        .and_then(|(assignment, _)| assignment.slack_id);
    let policy = store.approval_policy(discipline)?;
    let needs_admin = match policy {
        Approval::AdminIfConflict => policy.needs_admin(gives_double_or_back_to_back_duty(
            store,
            team,
            &roster,
            &found,
            discipline,
            replacement,
        )?),
        policy => policy.needs_admin(false),
    };
    Ok(SlotState {
        slot: SlotNow {
            sprint_exists: true,
            sprint_ended: ends_at <= now,
            started_at: started.then_some(starts_at),
            holder,
            replacement_active,
            needs_admin,
        },
        in_force: started && now < ends_at,
        sprint: Some(found),
    })
}

/// Whether covering (`sprint`, `discipline`) would give `person` double duty (they are on duty
/// for another discipline in that sprint) or back-to-back duty (on duty for any discipline in
/// the sprint before or after it).
pub fn gives_double_or_back_to_back_duty(
    store: &Store,
    team: &Team,
    roster: &Roster,
    sprint: &Sprint,
    discipline: &DisciplineKey,
    person: &SlackUserId,
) -> Result<bool, StoreError> {
    Ok(cover_conflict(store, team, roster, sprint, discipline, person)?.is_some())
}

/// A conflict covering a slot would give the person: what it is, and the slot they hold as well.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverConflict {
    pub conflict: Conflict,
    pub sprint: Sprint,
    pub discipline: DisciplineKey,
}

impl CoverConflict {
    /// How the other slot's sprint stands to the covered one's (`covered`), to end "they are on
    /// duty for … in …": ` too`, `, the sprint before` or `, the sprint after`.
    pub fn when(&self, covered: SprintIndex) -> &'static str {
        match self.conflict {
            Conflict::Double => " too",
            Conflict::BackToBack if self.sprint.index < covered => ", the sprint before",
            Conflict::BackToBack => ", the sprint after",
        }
    }
}

/// The conflict (`domain::conflict`) covering (`sprint`, `discipline`) would give `person`,
/// with who is on duty (approved covers included) in the sprint and the live sprints just before
/// and after it; `None` when it gives none.
pub fn cover_conflict(
    store: &Store,
    team: &Team,
    roster: &Roster,
    sprint: &Sprint,
    discipline: &DisciplineKey,
    person: &SlackUserId,
) -> Result<Option<CoverConflict>, StoreError> {
    let mut run = store.sprints_before(sprint.index, 1)?;
    let has_before = !run.is_empty();
    run.push(sprint.clone());
    run.extend(store.sprint_and_next(sprint.index)?.1);
    let duties = duty::sprint_duties(store, team, roster, &run)?;
    let at = usize::from(has_before);
    let assignments = |i: Option<usize>| {
        i.and_then(|i| duties.get(i))
            .map_or(&[][..], |d| &d.assignments[..])
    };
    let around = Around {
        before: assignments(at.checked_sub(1)),
        same: assignments(Some(at)),
        after: assignments(Some(at + 1)),
    };
    let Some(clash) = clash_of(person, discipline, around) else {
        return Ok(None);
    };
    let other = match clash.sprint {
        Neighbour::Before => at - 1,
        Neighbour::Same => at,
        Neighbour::After => at + 1,
    };
    Ok(Some(CoverConflict {
        conflict: clash.conflict,
        sprint: run[other].clone(),
        discipline: clash.discipline,
    }))
}

/// One request a decision moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub before: Override,
    pub after: Override,
    /// Why it was closed, when the bot (or a failed approval) closed it.
    pub closed: Option<Stale>,
}

/// What a decision did.
#[derive(Debug, Clone)]
pub struct DecisionOutcome {
    pub action: Action,
    /// The request decided (or filed and approved, for `set`), as it is now.
    pub request: Override,
    /// False for an idempotent repeat: nothing changed.
    pub changed: bool,
    /// Why an approval closed the request instead of approving it.
    pub closed: Option<Stale>,
    /// Other requests the decision moved: the approved cover it replaced, and pending requests
    /// for the same slot whose premise it broke.
    pub others: Vec<Moved>,
    /// The slot's sprint, if it still exists, and whether it is in force now.
    pub sprint: Option<Sprint>,
    pub in_force: bool,
    /// Who was on duty in the slot before the decision, and after it.
    pub holder_before: Option<SlackUserId>,
    pub holder_after: Option<SlackUserId>,
    /// Whether an admin put someone on duty directly (`set`) rather than deciding a request.
    pub by_set: bool,
    /// For half of a swap: what the same decision did to the other half.
    pub pair: Option<Box<DecisionOutcome>>,
}

impl DecisionOutcome {
    /// Whether the person on duty for the slot changed.
    pub fn duty_moved(&self) -> bool {
        self.holder_before != self.holder_after
    }

    /// The decision and, for a swap, the same decision on its other half.
    pub fn halves(&self) -> impl Iterator<Item = &DecisionOutcome> {
        std::iter::once(self).chain(self.pair.as_deref())
    }

    /// Whether it moved duty in the sprint in force (in either half of a swap).
    pub fn moved_duty_in_force(&self) -> bool {
        self.halves().any(|half| half.in_force && half.duty_moved())
    }
}

/// Applies `action` to request `id` by `by` (a Slack id or `cli`), against the slot as it is at
/// `now`, and enqueues `effects` of the outcome in the same transaction.
#[allow(clippy::too_many_arguments)]
pub fn decide_request(
    store: &Store,
    team: &Team,
    id: i64,
    action: Action,
    by: &str,
    reason: Option<&str>,
    now: Timestamp,
    effects: Effects<'_, DecisionOutcome>,
) -> Result<DecisionOutcome, CoverageFailure> {
    store.transaction(|store| {
        duty::record_started_turns(store, team, now, "rotation")?;
        let request = store
            .override_by_id(id)?
            .ok_or(StoreError::UnknownOverride(id))?;
        let state = slot_state(
            store,
            team,
            request.sprint,
            &request.discipline,
            &request.replacement,
            now,
        )?;
        let Some(partner) = store.swap_partner(id)? else {
            let step = request::decide(&request, action, &state.slot)?;
            let outcome = record_step(store, team, request, action, step, state, by, reason, now)?;
            store.enqueue(&effects(&outcome), now)?;
            return Ok(outcome);
        };
        // Half of a swap: both halves move as one, each against its own slot.
        let partner = store
            .override_by_id(partner)?
            .ok_or(StoreError::UnknownOverride(partner))?;
        let partner_state = slot_state(
            store,
            team,
            partner.sprint,
            &partner.discipline,
            &partner.replacement,
            now,
        )?;
        let (step, partner_step) = request::decide_pair(
            (&request, &state.slot),
            (&partner, &partner_state.slot),
            action,
        )?;
        let mut outcome = record_step(store, team, request, action, step, state, by, reason, now)?;
        let pair = record_step(
            store,
            team,
            partner,
            action,
            partner_step,
            partner_state,
            by,
            reason,
            now,
        )?;
        outcome.pair = Some(Box::new(pair));
        store.enqueue(&effects(&outcome), now)?;
        Ok(outcome)
    })
}

#[allow(clippy::too_many_arguments)]
fn record_step(
    store: &Store,
    team: &Team,
    request: Override,
    action: Action,
    step: Step,
    state: SlotState,
    by: &str,
    reason: Option<&str>,
    now: Timestamp,
) -> Result<DecisionOutcome, StoreError> {
    let holder_before = state.slot.holder.clone();
    let mut outcome = DecisionOutcome {
        action,
        request: request.clone(),
        changed: false,
        closed: None,
        others: Vec::new(),
        sprint: state.sprint.clone(),
        in_force: state.in_force,
        holder_after: holder_before.clone(),
        holder_before,
        by_set: false,
        pair: None,
    };
    let Step::Move { to, closed } = step else {
        return Ok(outcome);
    };
    if to == OverrideStatus::Approved
        && let Some(current) = store.approved_override(request.sprint, &request.discipline)?
    {
        // The person covering agreed (they are the request's original), so their cover ends.
        let after =
            store.record_override_move(&current, OverrideStatus::Superseded, by, None, now)?;
        outcome.others.push(Moved {
            before: current,
            after,
            closed: None,
        });
    }
    let by = if closed.is_some() { BOT_ACTOR } else { by };
    let reason = match &closed {
        Some(why) => Some(stale_reason(why)),
        None => reason.map(str::to_string),
    };
    outcome.request = store.record_override_move(&request, to, by, reason.as_deref(), now)?;
    outcome.changed = true;
    outcome.closed = closed;
    if matches!(to, OverrideStatus::Approved | OverrideStatus::Revoked) {
        let after = slot_state(
            store,
            team,
            request.sprint,
            &request.discipline,
            &request.replacement,
            now,
        )?;
        outcome.holder_after = after.slot.holder;
        let stale = close_stale_in_slot(store, team, request.sprint, &request.discipline, now)?;
        outcome.others.extend(stale);
    }
    Ok(outcome)
}

/// The reason recorded with a request the bot closed.
pub fn stale_reason(why: &Stale) -> String {
    match why {
        Stale::SprintGone => "its sprint was retired".to_string(),
        Stale::SprintEnded => "its sprint ended before it was approved".to_string(),
        Stale::Untaken => "nobody accepted it before its sprint's handoff".to_string(),
        Stale::HolderChanged { holder: Some(h) } => {
            format!("{h} is on duty in the slot now, not the person it would replace")
        }
        Stale::HolderChanged { holder: None } => {
            "nobody is on duty in the slot now, not the person it would replace".to_string()
        }
        Stale::ReplacementLeft => "the replacement is no longer a member of the discipline".into(),
        Stale::ReplacementOnDuty => "the replacement is already on duty in the slot".to_string(),
        Stale::PairBroken { partner } => {
            format!("the other half of its swap, request #{partner}, no longer holds")
        }
    }
}

/// Closes every pending request for the slot whose premise no longer holds at `now`.
pub fn close_stale_in_slot(
    store: &Store,
    team: &Team,
    sprint: SprintIndex,
    discipline: &DisciplineKey,
    now: Timestamp,
) -> Result<Vec<Moved>, StoreError> {
    let mut moved = Vec::new();
    for pending in store.open_for_slot(sprint, discipline)? {
        moved.extend(close_if_stale(store, team, &pending, now)?);
    }
    Ok(moved)
}

/// Closes `pending` (superseded, or expired when its sprint ended) if its premise fails at `now`,
/// with the other half of its swap if it is half of one.
fn close_if_stale(
    store: &Store,
    team: &Team,
    pending: &Override,
    now: Timestamp,
) -> Result<Vec<Moved>, StoreError> {
    // Closed already (with the other half of its swap) since the caller loaded it.
    let Some(pending) = store
        .override_by_id(pending.id)?
        .filter(|o| request::is_open(o.status))
    else {
        return Ok(Vec::new());
    };
    let pending = &pending;
    let state = slot_state(
        store,
        team,
        pending.sprint,
        &pending.discipline,
        &pending.replacement,
        now,
    )?;
    let Some(why) = request::staleness(pending, &state.slot) else {
        return Ok(Vec::new());
    };
    close_with_partner(store, team, pending, why, now)
}

/// Closes open request `open` for `why`, and the other half of its swap (if it is half of one):
/// for its own reason when its premise failed too, else because the pair broke. So the halves
/// close alike whichever is looked at first.
fn close_with_partner(
    store: &Store,
    team: &Team,
    open: &Override,
    why: Stale,
    now: Timestamp,
) -> Result<Vec<Moved>, StoreError> {
    let reason = stale_reason(&why);
    let to = why.closing_status();
    let after = store.record_override_move(open, to, BOT_ACTOR, Some(&reason), now)?;
    let mut moved = vec![Moved {
        before: open.clone(),
        after,
        closed: Some(why),
    }];
    if let Some(partner) = store.swap_partner(open.id)?
        && let Some(partner) = store.override_by_id(partner)?
        && request::is_open(partner.status)
    {
        let state = slot_state(
            store,
            team,
            partner.sprint,
            &partner.discipline,
            &partner.replacement,
            now,
        )?;
        let why = request::staleness(&partner, &state.slot)
            .unwrap_or(Stale::PairBroken { partner: open.id });
        let reason = stale_reason(&why);
        let to = why.closing_status();
        let after = store.record_override_move(&partner, to, BOT_ACTOR, Some(&reason), now)?;
        moved.push(Moved {
            before: partner,
            after,
            closed: Some(why),
        });
    }
    Ok(moved)
}

/// Closes every pending request whose premise no longer holds at `now` (its sprint ended or was
/// retired, the person it would replace is no longer on duty, the replacement left), and
/// enqueues `effects` of what was closed, in one transaction. Returns what was closed.
pub fn close_stale_requests(
    store: &Store,
    team: &Team,
    now: Timestamp,
    effects: Effects<'_, Vec<Moved>>,
) -> Result<Vec<Moved>, StoreError> {
    store.transaction(|store| {
        duty::record_started_turns(store, team, now, "rotation")?;
        let mut moved = Vec::new();
        let mut open = store.overrides(Some(OverrideStatus::Proposed))?;
        open.extend(store.overrides(Some(OverrideStatus::Pending))?);
        // Oldest first: when both halves of a swap have failed, the older closes for its own
        // reason and the newer because its pair broke.
        open.sort_by_key(|o| o.id);
        for request in open {
            moved.extend(close_if_stale(store, team, &request, now)?);
        }
        if !moved.is_empty() {
            store.enqueue(&effects(&moved), now)?;
        }
        Ok(moved)
    })
}

/// An admin puts `person` on duty for `discipline` in the sprint in force at `now`: recorded as
/// an override the admin approved, which supersedes the slot's approved cover and closes the
/// slot's pending requests it makes stale. `Ok(None)` when no sprint is in force.
#[allow(clippy::too_many_arguments)]
pub fn set_on_duty(
    store: &Store,
    team: &Team,
    discipline: &DisciplineKey,
    person: &SlackUserId,
    by: &SlackUserId,
    reason: Option<String>,
    now: Timestamp,
    effects: Effects<'_, DecisionOutcome>,
) -> Result<Option<DecisionOutcome>, CoverageFailure> {
    store.transaction(|store| {
        duty::record_started_turns(store, team, now, "rotation")?;
        let Some(sprint) = duty::sprint_in_force_at(store, team, now)? else {
            return Ok(None);
        };
        let request = CoverageRequest {
            sprint: sprint.index,
            discipline: discipline.clone(),
            replacement: person.clone(),
            requester: by.clone(),
        };
        let new = checked_override(store, team, &request, reason.clone(), true, now)?;
        // A swap half naming the same people would otherwise be approved alone: the set
        // replaces the swap, which closes as a whole.
        let mut others = Vec::new();
        for open in store.open_for_slot(sprint.index, discipline)? {
            if open.requested_by == new.requested_by
                && open.replacement == new.replacement
                && store.swap_partner(open.id)?.is_some()
            {
                others.extend(close_with_partner(
                    store,
                    team,
                    &open,
                    Stale::ReplacementOnDuty,
                    now,
                )?);
            }
        }
        let displaced = store.approved_override(sprint.index, discipline)?;
        let filed = store.record_approved_override(&new, now)?;
        if let Some(before) = displaced
            && let Some(after) = store.override_by_id(before.id)?
            && after.status != before.status
        {
            others.push(Moved {
                before,
                after,
                closed: None,
            });
        }
        others.extend(close_stale_in_slot(
            store,
            team,
            sprint.index,
            discipline,
            now,
        )?);
        let outcome = DecisionOutcome {
            action: Action::Approve,
            request: filed.request().clone(),
            changed: true,
            closed: None,
            others,
            sprint: Some(sprint),
            in_force: true,
            holder_before: new.original.clone(),
            holder_after: Some(person.clone()),
            by_set: true,
            pair: None,
        };
        store.enqueue(&effects(&outcome), now)?;
        Ok(Some(outcome))
    })
}
