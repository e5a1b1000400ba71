//! The plain data the rest of the program talks about: disciplines, members, sprints,
//! overrides, assignments and audit entries.
//!
//! These are values, loaded by `store` and reasoned about by the rest of `domain`. They carry no
//! behaviour that needs I/O, a clock, SQLite or Slack.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;

use super::conflict::DoubleDuty;
use super::ids::{DisciplineKey, SlackUserId, SprintIndex};

/// A group of people who share a rotation (UI, Backend, Product Owner, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discipline {
    pub key: DisciplineKey,
    pub name: String,
    /// Display order: lower comes first.
    pub position: i64,
    /// Who is on duty when the discipline has no active members.
    pub fallback: Option<SlackUserId>,
    /// A Slack user group (`S…`) holding whoever is on duty for this discipline.
    pub usergroup_id: Option<String>,
}

/// One person's place in one discipline's rotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub slack_id: SlackUserId,
    pub discipline: DisciplineKey,
    pub name: String,
    /// Rotation order within the discipline: lower goes first. Unique per discipline.
    pub rotation_order: i64,
    /// Inactive members stay listed (history is kept) but take no turns.
    pub active: bool,
}

/// A sprint: a run of calendar days in the team's time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sprint {
    pub index: SprintIndex,
    pub name: String,
    /// First day; duty hands over at the handoff time on this day.
    pub start: Date,
    /// Last day (inclusive).
    pub end: Date,
}

/// Where a coverage request (override) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OverrideStatus {
    /// Filed naming someone else to cover, waiting for that person to accept.
    Proposed,
    /// Waiting for an admin (the person covering agreed, or asked themselves).
    Pending,
    /// In force: the replacement covers the slot.
    Approved,
    /// Refused by an admin.
    Declined,
    /// Withdrawn by the requester or an admin.
    Cancelled,
    /// Closed because its premise no longer held (the person it would replace is no longer on
    /// duty in the slot, the replacement left the discipline, …), or, once approved, replaced by
    /// a later decision for the same slot.
    Superseded,
    /// Closed undecided because its sprint ended.
    Expired,
    /// Was approved, then withdrawn by an admin: the rotation's pick is back on duty.
    Revoked,
}

impl OverrideStatus {
    pub const ALL: [OverrideStatus; 8] = [
        OverrideStatus::Proposed,
        OverrideStatus::Pending,
        OverrideStatus::Approved,
        OverrideStatus::Declined,
        OverrideStatus::Cancelled,
        OverrideStatus::Superseded,
        OverrideStatus::Expired,
        OverrideStatus::Revoked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OverrideStatus::Proposed => "proposed",
            OverrideStatus::Pending => "pending",
            OverrideStatus::Approved => "approved",
            OverrideStatus::Declined => "declined",
            OverrideStatus::Cancelled => "cancelled",
            OverrideStatus::Superseded => "superseded",
            OverrideStatus::Expired => "expired",
            OverrideStatus::Revoked => "revoked",
        }
    }
}

impl fmt::Display for OverrideStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Text that names no override status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not an override status (expected proposed, pending, approved, declined, cancelled, superseded, expired or revoked)"
)]
pub struct UnknownStatus(pub String);

impl FromStr for OverrideStatus {
    type Err = UnknownStatus;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OverrideStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| UnknownStatus(s.to_string()))
    }
}

/// A coverage request: someone else takes one (sprint, discipline) slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub id: i64,
    pub sprint: SprintIndex,
    pub discipline: DisciplineKey,
    /// Who the rotation (or fallback) had on duty when the request was filed.
    pub original: Option<SlackUserId>,
    pub replacement: SlackUserId,
    pub requested_by: SlackUserId,
    pub status: OverrideStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<Timestamp>,
    /// The requester's reason.
    pub reason: Option<String>,
    pub created_at: Timestamp,
    /// The reason given with the decision out of pending (a decline's, say).
    pub decision_reason: Option<String>,
    /// Who revoked the approved cover, when, and why.
    pub revoked_by: Option<String>,
    pub revoked_at: Option<Timestamp>,
    pub revoke_reason: Option<String>,
}

impl Override {
    /// The person whose agreement a proposed request waits for: the one named to cover, or, for
    /// the proposer's own half of a swap (they cover the other person's shift), that person.
    pub fn asked(&self) -> &SlackUserId {
        match &self.original {
            Some(original) if self.replacement == self.requested_by => original,
            _ => &self.replacement,
        }
    }
}

/// Why a person is on duty for a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// An approved override.
    Override,
    /// The discipline's rotation.
    Rotation,
    /// The discipline's fallback person (no active members).
    Fallback,
    /// Nobody: no members and no fallback.
    None,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Override => "override",
            Source::Rotation => "rotation",
            Source::Fallback => "fallback",
            Source::None => "none",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who is on duty for one discipline in one sprint, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub discipline: DisciplineKey,
    pub slack_id: Option<SlackUserId>,
    pub source: Source,
}

/// The rotation's own pick for one (sprint, discipline), recorded when the sprint begins.
///
/// A recorded turn never changes, so a started sprint keeps its assignment whatever happens to
/// the roster later. Overrides are applied on top of it and never recorded as turns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    pub sprint: SprintIndex,
    pub discipline: DisciplineKey,
    pub slack_id: Option<SlackUserId>,
    /// `Rotation`, `Fallback` or `None`; never `Override`.
    pub source: Source,
}

impl Turn {
    /// The assignment this turn stands for, before overrides.
    pub fn assignment(&self) -> Assignment {
        Assignment {
            discipline: self.discipline.clone(),
            slack_id: self.slack_id.clone(),
            source: self.source,
        }
    }
}

/// What the rotation under `double-duty = avoid` did to reach a pick it made for a started
/// sprint (`rotation::line`), recorded with the turn: a member of the discipline it passed over
/// (they would have had double or back-to-back duty, and are now owed a turn), or the picked
/// person taking a turn owed to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    pub sprint: SprintIndex,
    pub discipline: DisciplineKey,
    pub slack_id: SlackUserId,
    pub kind: SkipKind,
}

/// Which way a [`Skip`] concerns its person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SkipKind {
    /// Passed over to avoid double or back-to-back duty; owed a turn from then on.
    PassedOver,
    /// Picked ahead of the plain rotation to take a turn owed to them.
    OwedTurn,
}

impl SkipKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipKind::PassedOver => "passed_over",
            SkipKind::OwedTurn => "owed_turn",
        }
    }
}

/// Team-wide settings the domain needs to place sprints in time and to run the rotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    /// The zone sprint dates are written in (`America/Los_Angeles`).
    pub zone: TimeZone,
    /// The local time on a sprint's first day at which duty hands over.
    pub handoff: Time,
    /// What the rotation does about double and back-to-back duty.
    pub double_duty: DoubleDuty,
}

/// One row of the append-only audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: Timestamp,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// JSON text of the entity before the change, if it existed.
    pub before: Option<String>,
    /// JSON text of the entity after the change, if it still exists.
    pub after: Option<String>,
    pub reason: Option<String>,
}
