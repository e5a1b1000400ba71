//! The lifecycle of a coverage request, as a state machine over [`OverrideStatus`]:
//!
//! ```text
//! proposed ──accept (the person named to cover)──▶ pending, or approved when the discipline
//!    │                                              needs no admin
//!    ├─refuse (the person named) / decline (an admin)──▶ declined
//!    ├─cancel──▶ cancelled;  (premise gone)──▶ superseded;  (sprint ended)──▶ expired
//! pending ──approve──▶ approved ──revoke──▶ revoked
//!    │ ├─decline──▶ declined
//!    │ ├─cancel───▶ cancelled
//!    │ ├─(its premise no longer holds)──▶ superseded
//!    │ └─(its sprint ended)─────────────▶ expired
//! approved ──(a later decision for the same slot, agreed by the person covering)──▶ superseded
//! ```
//!
//! A request that names someone other than its requester starts `proposed`: nothing reaches the
//! admins until that person accepts. [`decide`] is the only way to move a request: it takes the request, what someone (or the bot)
//! wants to do, and the slot **as it is at the moment of the decision** ([`SlotNow`]), and returns
//! the status to record or why the move is not allowed. A pending request is approved only while
//! its premise holds: its sprint still exists and has not ended, the person it would replace
//! (its `original`) is still the one on duty in the slot, and the replacement is an active member
//! of the discipline who is not already on duty there. An approval whose premise failed closes
//! the request instead (superseded, or expired when its sprint ended) and says why, so the
//! requester can be told once and the admin sees the reason.
//!
//! Pure: no clock, no I/O. The caller loads the slot inside the write transaction that records
//! the outcome.

use jiff::Timestamp;

use super::ids::SlackUserId;
use super::model::{Override, OverrideStatus};

/// What someone asks to do with a request, or what the bot does on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// The person named to cover agrees to a proposed request.
    Accept,
    /// The person named to cover says no to a proposed request.
    Refuse,
    /// An admin approves a pending request.
    Approve,
    /// An admin declines a pending request.
    Decline,
    /// The requester (or an admin) withdraws a pending request.
    Cancel,
    /// An admin withdraws an approved cover: the rotation's pick is back on duty.
    Revoke,
    /// The bot closes a pending request whose premise no longer holds.
    Supersede,
    /// The bot closes a pending request whose sprint ended.
    Expire,
}

impl Action {
    /// The verb, for messages: "approve", "decline", …
    pub fn verb(self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Refuse => "refuse",
            Action::Approve => "approve",
            Action::Decline => "decline",
            Action::Cancel => "cancel",
            Action::Revoke => "revoke",
            Action::Supersede => "supersede",
            Action::Expire => "expire",
        }
    }

    /// The audit log's name for the action.
    pub fn audit_action(self) -> &'static str {
        match self {
            Action::Accept => "override.accept",
            Action::Refuse => "override.refuse",
            Action::Approve => "override.approve",
            Action::Decline => "override.decline",
            Action::Cancel => "override.cancel",
            Action::Revoke => "override.revoke",
            Action::Supersede => "override.supersede",
            Action::Expire => "override.expire",
        }
    }

    /// The status the action leads to when it is allowed and the premise holds.
    fn target(self) -> OverrideStatus {
        match self {
            Action::Accept => OverrideStatus::Pending,
            Action::Refuse => OverrideStatus::Declined,
            Action::Approve => OverrideStatus::Approved,
            Action::Decline => OverrideStatus::Declined,
            Action::Cancel => OverrideStatus::Cancelled,
            Action::Revoke => OverrideStatus::Revoked,
            Action::Supersede => OverrideStatus::Superseded,
            Action::Expire => OverrideStatus::Expired,
        }
    }
}

/// The slot a request names, as it is at the moment of a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotNow {
    /// Whether the request's sprint is still a live sprint.
    pub sprint_exists: bool,
    /// Whether the request's sprint has stopped being in force.
    pub sprint_ended: bool,
    /// The request's sprint's handoff, once it has come.
    pub started_at: Option<Timestamp>,
    /// Who is on duty for the slot now, approved covers included.
    pub holder: Option<SlackUserId>,
    /// Whether the request's replacement is an active member of the slot's discipline.
    pub replacement_active: bool,
    /// Whether a cover by the replacement needs an admin's approval once they accepted (the
    /// discipline's approval policy, applied to this replacement and sprint).
    pub needs_admin: bool,
}

/// Why a pending request's premise no longer holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stale {
    /// Its sprint was retired.
    SprintGone,
    /// Its sprint has ended.
    SprintEnded,
    /// Nobody agreed to it before its sprint's handoff: the person asked never answered.
    Untaken,
    /// The person it would replace is no longer the one on duty in the slot.
    HolderChanged { holder: Option<SlackUserId> },
    /// The replacement is no longer an active member of the discipline.
    ReplacementLeft,
    /// The replacement is already on duty in the slot.
    ReplacementOnDuty,
    /// The other half of its swap was closed, so this half closes with it.
    PairBroken { partner: i64 },
}

impl Stale {
    /// The status a request closed for this reason gets.
    pub fn closing_status(&self) -> OverrideStatus {
        match self {
            Stale::SprintEnded | Stale::Untaken => OverrideStatus::Expired,
            _ => OverrideStatus::Superseded,
        }
    }
}

/// Why a pending request no longer makes sense, if it does not: checked in this order.
pub fn staleness(request: &Override, slot: &SlotNow) -> Option<Stale> {
    if !slot.sprint_exists {
        return Some(Stale::SprintGone);
    }
    if slot.sprint_ended {
        return Some(Stale::SprintEnded);
    }
    // A request filed for a sprint in force waits for an answer until the sprint ends.
    if request.status == OverrideStatus::Proposed
        && slot.started_at.is_some_and(|at| request.created_at < at)
    {
        return Some(Stale::Untaken);
    }
    if slot.holder.as_ref() == Some(&request.replacement) {
        return Some(Stale::ReplacementOnDuty);
    }
    if slot.holder != request.original {
        return Some(Stale::HolderChanged {
            holder: slot.holder.clone(),
        });
    }
    if !slot.replacement_active {
        return Some(Stale::ReplacementLeft);
    }
    None
}

/// What a decision does to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The request moves to `to`. `closed` says why when an approval closed it instead.
    Move {
        to: OverrideStatus,
        closed: Option<Stale>,
    },
    /// The request already has the status asked for: an idempotent repeat, nothing changes.
    Repeat,
}

/// Why an action is not allowed on a request in its current status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The request is not in a status the action applies to.
    #[error("request #{id} is {status}, so it cannot be {}", past(*action))]
    NotAllowed {
        id: i64,
        status: OverrideStatus,
        action: Action,
    },
    /// An approved cover whose sprint has ended is history and cannot be revoked.
    #[error("request #{id} covers a sprint that has ended; the past does not change")]
    SprintEnded { id: i64 },
    /// The bot tried to close a request whose premise still holds.
    #[error("request #{id} still holds, so it is not closed")]
    StillHolds { id: i64 },
    /// An admin tried to approve a request the person named to cover has not accepted yet.
    #[error("request #{id} waits for {replacement} to accept it; an admin decides after that")]
    AwaitingAcceptance { id: i64, replacement: SlackUserId },
}

fn past(action: Action) -> &'static str {
    match action {
        Action::Accept => "accepted",
        Action::Refuse => "refused",
        Action::Approve => "approved",
        Action::Decline => "declined",
        Action::Cancel => "cancelled",
        Action::Revoke => "revoked",
        Action::Supersede => "superseded",
        Action::Expire => "expired",
    }
}

/// Decides what `action` does to `request`, given the slot as it is now. See the module docs.
pub fn decide(request: &Override, action: Action, slot: &SlotNow) -> Result<Step, TransitionError> {
    let not_allowed = || TransitionError::NotAllowed {
        id: request.id,
        status: request.status,
        action,
    };
    if request.status == action.target() {
        return Ok(Step::Repeat);
    }
    match (request.status, action) {
        (OverrideStatus::Proposed, Action::Accept) => {
            let closed = staleness(request, slot);
            let to = match &closed {
                Some(stale) => stale.closing_status(),
                None if slot.needs_admin => OverrideStatus::Pending,
                None => OverrideStatus::Approved,
            };
            Ok(Step::Move { to, closed })
        }
        // Accepted already, and perhaps approved since.
        (OverrideStatus::Approved, Action::Accept) => Ok(Step::Repeat),
        (OverrideStatus::Proposed, Action::Approve) => Err(TransitionError::AwaitingAcceptance {
            id: request.id,
            replacement: request.replacement.clone(),
        }),
        (OverrideStatus::Proposed, Action::Refuse | Action::Decline | Action::Cancel) => {
            Ok(Step::Move {
                to: action.target(),
                closed: None,
            })
        }
        (OverrideStatus::Pending, Action::Approve) => {
            let closed = staleness(request, slot);
            let to = closed
                .as_ref()
                .map_or(OverrideStatus::Approved, Stale::closing_status);
            Ok(Step::Move { to, closed })
        }
        (OverrideStatus::Pending, Action::Decline | Action::Cancel) => Ok(Step::Move {
            to: action.target(),
            closed: None,
        }),
        (
            OverrideStatus::Proposed | OverrideStatus::Pending,
            Action::Supersede | Action::Expire,
        ) => match staleness(request, slot) {
            Some(stale) if stale.closing_status() == action.target() => Ok(Step::Move {
                to: action.target(),
                closed: Some(stale),
            }),
            _ => Err(TransitionError::StillHolds { id: request.id }),
        },
        (OverrideStatus::Approved, Action::Revoke) if slot.sprint_ended || !slot.sprint_exists => {
            Err(TransitionError::SprintEnded { id: request.id })
        }
        (OverrideStatus::Approved, Action::Revoke) => Ok(Step::Move {
            to: OverrideStatus::Revoked,
            closed: None,
        }),
        _ => Err(not_allowed()),
    }
}

/// Decides `action` for both halves of a swap, each against its own slot as it is now: the
/// halves move as one. Both need an admin when either does; when one half's premise fails, both
/// close (the other as superseded, because its pair broke); a refusal of either refuses both.
pub fn decide_pair(
    (first, first_slot): (&Override, &SlotNow),
    (second, second_slot): (&Override, &SlotNow),
    action: Action,
) -> Result<(Step, Step), TransitionError> {
    // Either half needing an admin holds both for one.
    let needs_admin = first_slot.needs_admin || second_slot.needs_admin;
    let with_admin = |slot: &SlotNow| SlotNow {
        needs_admin,
        ..slot.clone()
    };
    let a = decide(first, action, &with_admin(first_slot))?;
    let b = decide(second, action, &with_admin(second_slot))?;
    let broken = |partner: &Override| Step::Move {
        to: OverrideStatus::Superseded,
        closed: Some(Stale::PairBroken {
            partner: partner.id,
        }),
    };
    Ok(match (&a, &b) {
        (
            Step::Move {
                closed: Some(_), ..
            },
            Step::Move { closed: None, .. } | Step::Repeat,
        ) => (a, broken(first)),
        (
            Step::Move { closed: None, .. } | Step::Repeat,
            Step::Move {
                closed: Some(_), ..
            },
        ) => (broken(second), b),
        _ => (a, b),
    })
}

/// Whether a request in `status` still waits for a decision (the replacement's or an admin's).
pub fn is_open(status: OverrideStatus) -> bool {
    matches!(status, OverrideStatus::Proposed | OverrideStatus::Pending)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{DisciplineKey, SprintIndex};

    fn user(id: &str) -> SlackUserId {
        SlackUserId::parse(id).unwrap()
    }

    /// Request #1: U2 to cover U1's slot, in `status`.
    fn request(status: OverrideStatus) -> Override {
        Override {
            id: 1,
            sprint: SprintIndex::new(4).unwrap(),
            discipline: DisciplineKey::parse("ui").unwrap(),
            original: Some(user("U1")),
            replacement: user("U2"),
            requested_by: user("U1"),
            status,
            decided_by: None,
            decided_at: None,
            reason: None,
            created_at: jiff::Timestamp::UNIX_EPOCH,
            decision_reason: None,
            revoked_by: None,
            revoked_at: None,
            revoke_reason: None,
        }
    }

    /// U1 on duty, sprint running, U2 an active member.
    fn holds() -> SlotNow {
        SlotNow {
            sprint_exists: true,
            sprint_ended: false,
            started_at: None,
            holder: Some(user("U1")),
            replacement_active: true,
            needs_admin: true,
        }
    }

    /// The outcome as one short line, so cases read as data.
    #[track_caller]
    fn check(status: OverrideStatus, action: Action, slot: SlotNow, expected: &str) {
        let outcome = match decide(&request(status), action, &slot) {
            Ok(Step::Repeat) => "repeat".to_string(),
            Ok(Step::Move { to, closed: None }) => format!("→ {to}"),
            Ok(Step::Move {
                to,
                closed: Some(why),
            }) => format!("→ {to} ({why:?})"),
            Err(error) => format!("refused: {error}"),
        };
        assert_eq!(outcome, expected);
    }

    use OverrideStatus::*;

    #[test]
    fn a_pending_request_whose_premise_holds_is_approved() {
        check(Pending, Action::Approve, holds(), "→ approved");
    }

    #[test]
    fn approving_twice_is_a_repeat() {
        check(Approved, Action::Approve, holds(), "repeat");
    }

    #[test]
    fn an_approval_against_a_changed_slot_closes_the_request() {
        let covered = SlotNow {
            holder: Some(user("U3")),
            ..holds()
        };
        check(
            Pending,
            Action::Approve,
            covered,
            r#"→ superseded (HolderChanged { holder: Some(SlackUserId("U3")) })"#,
        );
        let left = SlotNow {
            replacement_active: false,
            ..holds()
        };
        check(
            Pending,
            Action::Approve,
            left,
            "→ superseded (ReplacementLeft)",
        );
        let on_duty = SlotNow {
            holder: Some(user("U2")),
            ..holds()
        };
        check(
            Pending,
            Action::Approve,
            on_duty,
            "→ superseded (ReplacementOnDuty)",
        );
        let gone = SlotNow {
            sprint_exists: false,
            ..holds()
        };
        check(Pending, Action::Approve, gone, "→ superseded (SprintGone)");
    }

    #[test]
    fn an_untaken_request_expires_at_its_sprints_handoff_but_a_pending_one_waits_for_an_admin() {
        let handoff = Timestamp::UNIX_EPOCH + jiff::SignedDuration::from_hours(1);
        let started = SlotNow {
            started_at: Some(handoff),
            ..holds()
        };
        check(
            Proposed,
            Action::Accept,
            started.clone(),
            "→ expired (Untaken)",
        );
        check(Pending, Action::Approve, started, "→ approved");
        // Filed once the sprint was in force: it waits for an answer until the sprint ends.
        let filed_later = SlotNow {
            started_at: Some(Timestamp::UNIX_EPOCH),
            ..holds()
        };
        check(Proposed, Action::Accept, filed_later, "→ pending");
    }

    #[test]
    fn a_proposed_request_goes_to_the_admins_once_accepted_or_straight_in_without_them() {
        check(Proposed, Action::Accept, holds(), "→ pending");
        let no_admin = SlotNow {
            needs_admin: false,
            ..holds()
        };
        check(Proposed, Action::Accept, no_admin.clone(), "→ approved");
        check(Pending, Action::Accept, holds(), "repeat");
        check(Approved, Action::Accept, no_admin, "repeat");
    }

    #[test]
    fn an_acceptance_is_checked_against_the_slot_as_it_is_now() {
        let covered = SlotNow {
            holder: Some(user("U3")),
            ..holds()
        };
        check(
            Proposed,
            Action::Accept,
            covered,
            r#"→ superseded (HolderChanged { holder: Some(SlackUserId("U3")) })"#,
        );
        let ended = SlotNow {
            sprint_ended: true,
            ..holds()
        };
        check(Proposed, Action::Accept, ended, "→ expired (SprintEnded)");
    }

    #[test]
    fn an_admin_cannot_approve_before_the_person_named_accepts() {
        check(
            Proposed,
            Action::Approve,
            holds(),
            "refused: request #1 waits for U2 to accept it; an admin decides after that",
        );
        check(Proposed, Action::Decline, holds(), "→ declined");
        check(Proposed, Action::Refuse, holds(), "→ declined");
        check(Proposed, Action::Cancel, holds(), "→ cancelled");
        check(
            Pending,
            Action::Refuse,
            holds(),
            "refused: request #1 is pending, so it cannot be refused",
        );
        check(
            Declined,
            Action::Accept,
            holds(),
            "refused: request #1 is declined, so it cannot be accepted",
        );
    }

    #[test]
    fn the_halves_of_a_swap_move_as_one() {
        let second = Override {
            id: 2,
            ..request(Proposed)
        };
        let pair = |first_slot: SlotNow, second_slot: SlotNow, action| {
            let (a, b) = decide_pair(
                (&request(Proposed), &first_slot),
                (&second, &second_slot),
                action,
            )
            .unwrap();
            format!("{a:?} / {b:?}")
        };
        let no_admin = SlotNow {
            needs_admin: false,
            ..holds()
        };
        // Either half needing an admin holds both for one.
        expect_test::expect![[
            r#"Move { to: Pending, closed: None } / Move { to: Pending, closed: None }"#
        ]]
        .assert_eq(&pair(no_admin.clone(), holds(), Action::Accept));
        expect_test::expect![[
            r#"Move { to: Approved, closed: None } / Move { to: Approved, closed: None }"#
        ]]
        .assert_eq(&pair(no_admin.clone(), no_admin, Action::Accept));
        // One half's premise failing closes both.
        let left = SlotNow {
            replacement_active: false,
            ..holds()
        };
        expect_test::expect![[r#"Move { to: Superseded, closed: Some(PairBroken { partner: 2 }) } / Move { to: Superseded, closed: Some(ReplacementLeft) }"#]]
            .assert_eq(&pair(holds(), left, Action::Accept));
        expect_test::expect![[
            r#"Move { to: Declined, closed: None } / Move { to: Declined, closed: None }"#
        ]]
        .assert_eq(&pair(holds(), holds(), Action::Refuse));
    }

    #[test]
    fn an_approval_after_the_sprint_ended_expires_the_request() {
        let ended = SlotNow {
            sprint_ended: true,
            ..holds()
        };
        check(Pending, Action::Approve, ended, "→ expired (SprintEnded)");
    }

    #[test]
    fn declining_and_cancelling_need_no_premise() {
        let ended = SlotNow {
            sprint_ended: true,
            holder: None,
            ..holds()
        };
        check(Pending, Action::Decline, ended.clone(), "→ declined");
        check(Pending, Action::Cancel, ended, "→ cancelled");
    }

    #[test]
    fn decided_requests_cannot_be_decided_again() {
        check(
            Declined,
            Action::Approve,
            holds(),
            "refused: request #1 is declined, so it cannot be approved",
        );
        check(
            Approved,
            Action::Decline,
            holds(),
            "refused: request #1 is approved, so it cannot be declined",
        );
        check(
            Approved,
            Action::Cancel,
            holds(),
            "refused: request #1 is approved, so it cannot be cancelled",
        );
        check(
            Expired,
            Action::Approve,
            holds(),
            "refused: request #1 is expired, so it cannot be approved",
        );
        check(
            Revoked,
            Action::Approve,
            holds(),
            "refused: request #1 is revoked, so it cannot be approved",
        );
    }

    #[test]
    fn only_an_approved_cover_of_a_sprint_not_ended_can_be_revoked() {
        let covered = SlotNow {
            holder: Some(user("U2")),
            ..holds()
        };
        check(Approved, Action::Revoke, covered.clone(), "→ revoked");
        check(Revoked, Action::Revoke, covered.clone(), "repeat");
        check(
            Pending,
            Action::Revoke,
            covered.clone(),
            "refused: request #1 is pending, so it cannot be revoked",
        );
        let ended = SlotNow {
            sprint_ended: true,
            ..covered
        };
        check(
            Approved,
            Action::Revoke,
            ended,
            "refused: request #1 covers a sprint that has ended; the past does not change",
        );
    }

    #[test]
    fn the_bot_closes_only_requests_whose_premise_failed() {
        let ended = SlotNow {
            sprint_ended: true,
            ..holds()
        };
        check(
            Pending,
            Action::Expire,
            ended.clone(),
            "→ expired (SprintEnded)",
        );
        check(
            Pending,
            Action::Supersede,
            ended,
            "refused: request #1 still holds, so it is not closed",
        );
        check(
            Pending,
            Action::Expire,
            holds(),
            "refused: request #1 still holds, so it is not closed",
        );
        let covered = SlotNow {
            holder: Some(user("U3")),
            ..holds()
        };
        check(
            Pending,
            Action::Supersede,
            covered,
            r#"→ superseded (HolderChanged { holder: Some(SlackUserId("U3")) })"#,
        );
    }
}
