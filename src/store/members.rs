//! Members: people in a discipline's rotation. `UNIQUE(slack_id, discipline)` makes adding the
//! same person to the same discipline an upsert, never a duplicate.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};

use super::Store;
use super::audit::{self, AuditRecord};
use super::codec::{self, MEMBER_COLUMNS};
use super::disciplines;
use super::error::{Result, StoreError};
use crate::domain::{DisciplineKey, Member, NameKind, SlackUserId, check_name};

/// What an upsert or status change did to a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberOutcome {
    Added,
    Reactivated,
    Deactivated,
    Renamed,
    Moved,
    Unchanged,
}

impl MemberOutcome {
    /// How the change reads in a sentence: "Ana (U1) *added to* ui".
    pub fn described(self) -> &'static str {
        match self {
            MemberOutcome::Added => "added to",
            MemberOutcome::Reactivated => "back in the rotation of",
            MemberOutcome::Deactivated => "taken out of the rotation of",
            MemberOutcome::Renamed => "renamed in",
            MemberOutcome::Moved => "moved in",
            MemberOutcome::Unchanged => "unchanged in",
        }
    }
}

/// A member after a change, and what the change was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberChange {
    pub member: Member,
    pub outcome: MemberOutcome,
}

pub(crate) fn member_json(member: &Member) -> Value {
    json!({
        "slack_id": member.slack_id.as_str(),
        "discipline": member.discipline.as_str(),
        "name": member.name,
        "rotation_order": member.rotation_order,
        "active": member.active,
    })
}

pub(crate) fn find(
    conn: &Connection,
    slack_id: &SlackUserId,
    discipline: &DisciplineKey,
) -> Result<Option<Member>> {
    let sql =
        format!("SELECT {MEMBER_COLUMNS} FROM members WHERE slack_id = ?1 AND discipline = ?2");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([slack_id.as_str(), discipline.as_str()], codec::member)
        .optional()?)
}

fn require(
    conn: &Connection,
    slack_id: &SlackUserId,
    discipline: &DisciplineKey,
) -> Result<Member> {
    find(conn, slack_id, discipline)?.ok_or_else(|| StoreError::NotAMember {
        slack_id: slack_id.clone(),
        discipline: discipline.clone(),
    })
}

/// Members of one discipline (active and not) in rotation order.
pub(crate) fn of_discipline(conn: &Connection, discipline: &DisciplineKey) -> Result<Vec<Member>> {
    let sql = format!(
        "SELECT {MEMBER_COLUMNS} FROM members WHERE discipline = ?1 ORDER BY rotation_order"
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map([discipline.as_str()], codec::member)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn upsert(
    tx: &Connection,
    slack_id: &SlackUserId,
    discipline: &DisciplineKey,
    name: Option<&str>,
    actor: &str,
    now: Timestamp,
) -> Result<MemberChange> {
    if let Some(name) = name {
        check_name(NameKind::Member, name)?;
    }
    disciplines::require(tx, discipline)?;
    let before = find(tx, slack_id, discipline)?;
    tx.execute(
        "INSERT INTO members (slack_id, discipline, name, rotation_order, active, created_at, updated_at)
         VALUES (?1, ?2, coalesce(?3, ?1),
                 (SELECT coalesce(max(rotation_order), 0) + 1 FROM members WHERE discipline = ?2),
                 1, ?4, ?4)
         ON CONFLICT (slack_id, discipline) DO UPDATE SET
             name = coalesce(?3, name),
             active = 1,
             updated_at = excluded.updated_at",
        params![slack_id.as_str(), discipline.as_str(), name.map(str::trim), now.as_second()],
    )?;
    let after = require(tx, slack_id, discipline)?;
    let outcome = match &before {
        None => MemberOutcome::Added,
        Some(before) if !before.active => MemberOutcome::Reactivated,
        Some(before) if before.name != after.name => MemberOutcome::Renamed,
        Some(_) => MemberOutcome::Unchanged,
    };
    record(tx, outcome, before.as_ref(), &after, actor, None, now)?;
    Ok(MemberChange {
        member: after,
        outcome,
    })
}

pub(crate) fn deactivate(
    tx: &Connection,
    slack_id: &SlackUserId,
    discipline: &DisciplineKey,
    actor: &str,
    reason: Option<&str>,
    now: Timestamp,
) -> Result<MemberChange> {
    disciplines::require(tx, discipline)?;
    let before = require(tx, slack_id, discipline)?;
    if !before.active {
        return Ok(MemberChange {
            member: before,
            outcome: MemberOutcome::Unchanged,
        });
    }
    tx.execute(
        "UPDATE members SET active = 0, updated_at = ?3 WHERE slack_id = ?1 AND discipline = ?2",
        params![slack_id.as_str(), discipline.as_str(), now.as_second()],
    )?;
    let after = require(tx, slack_id, discipline)?;
    record(
        tx,
        MemberOutcome::Deactivated,
        Some(&before),
        &after,
        actor,
        reason,
        now,
    )?;
    Ok(MemberChange {
        member: after,
        outcome: MemberOutcome::Deactivated,
    })
}

/// Moves a member to `position` (1-based) in the discipline's list, renumbering everyone so the
/// relative order of the others is kept.
fn move_to(
    tx: &Connection,
    slack_id: &SlackUserId,
    discipline: &DisciplineKey,
    position: usize,
    actor: &str,
    now: Timestamp,
) -> Result<MemberChange> {
    disciplines::require(tx, discipline)?;
    let before = require(tx, slack_id, discipline)?;
    let mut order = of_discipline(tx, discipline)?;
    if position == 0 || position > order.len() {
        return Err(StoreError::Invalid(format!(
            "position must be between 1 and {} for {discipline}",
            order.len()
        )));
    }
    order.retain(|member| &member.slack_id != slack_id);
    order.insert(position - 1, before.clone());
    if order
        .iter()
        .map(|m| m.rotation_order)
        .eq(1..=order.len() as i64)
        && before.rotation_order == position as i64
    {
        return Ok(MemberChange {
            member: before,
            outcome: MemberOutcome::Unchanged,
        });
    }
    // Two passes keep UNIQUE(discipline, rotation_order) true after every row update.
    let mut renumber = tx.prepare_cached(
        "UPDATE members SET rotation_order = ?3, updated_at = ?4 WHERE slack_id = ?1 AND discipline = ?2",
    )?;
    for (pass_sign, pass_time) in [(-1, now.as_second()), (1, now.as_second())] {
        for (i, member) in order.iter().enumerate() {
            let value = pass_sign * (i as i64 + 1);
            renumber.execute(params![
                member.slack_id.as_str(),
                discipline.as_str(),
                value,
                pass_time
            ])?;
        }
    }
    let after = require(tx, slack_id, discipline)?;
    record(
        tx,
        MemberOutcome::Moved,
        Some(&before),
        &after,
        actor,
        None,
        now,
    )?;
    Ok(MemberChange {
        member: after,
        outcome: MemberOutcome::Moved,
    })
}

fn record(
    tx: &Connection,
    outcome: MemberOutcome,
    before: Option<&Member>,
    after: &Member,
    actor: &str,
    reason: Option<&str>,
    now: Timestamp,
) -> Result<()> {
    let action = match outcome {
        MemberOutcome::Added => "member.add",
        MemberOutcome::Reactivated => "member.reactivate",
        MemberOutcome::Deactivated => "member.remove",
        MemberOutcome::Renamed => "member.rename",
        MemberOutcome::Moved => "member.move",
        MemberOutcome::Unchanged => return Ok(()),
    };
    let entry = AuditRecord {
        actor,
        action,
        entity: "member",
        entity_id: format!("{}/{}", after.discipline, after.slack_id),
        before: before.map(member_json),
        after: Some(member_json(after)),
        reason,
    };
    audit::append(tx, &entry, now)
}

impl Store {
    /// Adds the person to the discipline, or reactivates them and updates their name when they
    /// are already listed. Repeating the call is harmless.
    pub fn upsert_member(
        &self,
        slack_id: &SlackUserId,
        discipline: &DisciplineKey,
        name: Option<&str>,
        actor: &str,
        now: Timestamp,
    ) -> Result<MemberChange> {
        self.write(|tx| upsert(tx, slack_id, discipline, name, actor, now))
    }

    /// Takes the person out of the discipline's rotation; they stay listed and history is kept.
    pub fn deactivate_member(
        &self,
        slack_id: &SlackUserId,
        discipline: &DisciplineKey,
        actor: &str,
        reason: Option<&str>,
        now: Timestamp,
    ) -> Result<MemberChange> {
        self.write(|tx| deactivate(tx, slack_id, discipline, actor, reason, now))
    }

    /// Like `deactivate_member`, enqueueing the effects derived from the change atomically.
    pub fn deactivate_member_with(
        &self,
        slack_id: &SlackUserId,
        discipline: &DisciplineKey,
        actor: &str,
        reason: Option<&str>,
        now: Timestamp,
        effects: super::Effects<'_, MemberChange>,
    ) -> Result<MemberChange> {
        self.write_with_effects(
            now,
            |tx| deactivate(tx, slack_id, discipline, actor, reason, now),
            effects,
        )
    }

    /// Moves the person to `position` (1-based) in the discipline's rotation order.
    pub fn move_member(
        &self,
        slack_id: &SlackUserId,
        discipline: &DisciplineKey,
        position: usize,
        actor: &str,
        now: Timestamp,
    ) -> Result<MemberChange> {
        self.write(|tx| move_to(tx, slack_id, discipline, position, actor, now))
    }

    /// Members of one discipline, or of all disciplines (in display order), in rotation order.
    pub fn members(&self, discipline: Option<&DisciplineKey>) -> Result<Vec<Member>> {
        self.read(|conn| match discipline {
            Some(key) => {
                disciplines::require(conn, key)?;
                of_discipline(conn, key)
            }
            None => {
                let mut statement = conn.prepare_cached(
                    "SELECT m.slack_id, m.discipline, m.name, m.rotation_order, m.active
                     FROM members m JOIN disciplines d ON d.key = m.discipline
                     ORDER BY d.position, d.key, m.rotation_order",
                )?;
                let rows = statement.query_map([], codec::member)?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            }
        })
    }
}
