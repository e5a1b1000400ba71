//! Filing a coverage request: the orchestration both the command line and the Slack bot use.
//!
//! It loads the facts about the requested slot (the sprint and the one after it, the
//! discipline's members, who is on duty), checks them with the domain's
//! [`validate_coverage_request`], and files the request through the store together with the
//! outbox items the caller derives from the outcome. It reads no clock (`now` is a parameter)
//! and knows nothing of Slack.

use jiff::Timestamp;

use crate::domain::{
    Assignment, CoverageError, CoverageRequest, SlotFacts, Source, Team, validate_coverage_request,
};
use crate::duty::{self, Roster};
use crate::store::{Effects, NewOverride, RequestOutcome, Store, StoreError};

/// Why a coverage request was not filed.
#[derive(Debug, thiserror::Error)]
pub enum CoverageFailure {
    /// The request breaks a rule; the text is meant for the person who asked.
    #[error(transparent)]
    Rule(#[from] CoverageError),
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks `request` and files it as a pending request, enqueueing `effects` of the outcome in
/// the same transaction. A request whose replacement is already approved for the slot, or that
/// is already pending, changes nothing.
pub fn file_coverage_request(
    store: &Store,
    team: &Team,
    request: &CoverageRequest,
    reason: Option<String>,
    requester_is_admin: bool,
    now: Timestamp,
    effects: Effects<'_, RequestOutcome>,
) -> Result<RequestOutcome, CoverageFailure> {
    if let Some(approved) = store.approved_override(request.sprint, &request.discipline)?
        && approved.replacement == request.replacement
    {
        return Ok(RequestOutcome::AlreadyApproved(approved));
    }
    let new = checked_override(store, team, request, reason, requester_is_admin, now)?;
    let outcome = store.request_override_with(&new, now, effects)?;
    duty::record_started_turns(store, team, now, "rotation")?;
    Ok(outcome)
}

/// Loads the slot's facts, validates `request` against them and returns the override to file
/// (with the rotation's own pick as its original).
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
        Some(sprint) => duty::slot(store, &roster, sprint, &request.discipline)?,
        None => None,
    };
    let nobody = Assignment {
        discipline: request.discipline.clone(),
        slack_id: None,
        source: Source::None,
    };
    let (on_duty, original) = slot.unwrap_or((nobody, None));
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
        original,
        replacement: request.replacement.clone(),
        requested_by: request.requester.clone(),
        reason,
    })
}
