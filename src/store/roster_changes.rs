//! Dated roster changes: a join or a leave scheduled for a date (`domain::roster_change`). At most
//! one pending change per person and discipline (a partial unique index). Applying one makes the
//! member change (audited as usual) and marks it applied, in one transaction; cancelling marks
//! it cancelled. Rows are never deleted.

use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::{Connection, params};
use serde_json::{Value, json};

use super::Store;
use super::audit::{self, AuditRecord};
use super::codec;
use super::disciplines;
use super::error::{Result, StoreError};
use super::members;
use super::sprints;
use crate::domain::roster_change::{ChangeKind, RosterChange};
use crate::domain::{DisciplineKey, NameKind, SlackUserId, Sprint, SprintIndex, check_name};

/// A change to schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRosterChange {
    pub person: SlackUserId,
    pub discipline: DisciplineKey,
    pub kind: ChangeKind,
    pub on: Date,
    pub name: Option<String>,
    /// A Slack user id or `cli`.
    pub created_by: String,
}

const COLUMNS: &str = "id, slack_id, discipline, change, effective_date, name, created_by";

fn change_row(row: &rusqlite::Row) -> rusqlite::Result<RosterChange> {
    let kind: String = row.get("change")?;
    Ok(RosterChange {
        id: row.get("id")?,
        person: codec::user(row, "slack_id")?,
        discipline: codec::key(row, "discipline")?,
        kind: if kind == "leave" {
            ChangeKind::Leave
        } else {
            ChangeKind::Join
        },
        on: codec::date(row, "effective_date")?,
        name: row.get("name")?,
        created_by: row.get("created_by")?,
    })
}

fn change_json(change: &RosterChange, status: &str) -> Value {
    json!({
        "id": change.id,
        "slack_id": change.person.as_str(),
        "discipline": change.discipline.as_str(),
        "change": change.kind.as_str(),
        "on": change.on.to_string(),
        "name": change.name,
        "status": status,
    })
}

fn select(
    conn: &Connection,
    condition: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<RosterChange>> {
    let sql = format!("SELECT {COLUMNS} FROM roster_changes WHERE {condition}");
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(params, change_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn pending(conn: &Connection, id: i64) -> Result<RosterChange> {
    select(conn, "id = ?1 AND status = 'pending'", [id])?
        .into_iter()
        .next()
        .ok_or(StoreError::UnknownRosterChange(id))
}

fn log(
    tx: &Connection,
    action: &str,
    change: &RosterChange,
    status: &str,
    actor: &str,
    now: Timestamp,
) -> Result<()> {
    let record = AuditRecord {
        actor,
        action,
        entity: "roster_change",
        entity_id: change.id.to_string(),
        before: None,
        after: Some(change_json(change, status)),
        reason: None,
    };
    audit::append(tx, &record, now)
}

impl Store {
    /// Schedules a change, with its audit row. The rules (`domain::roster_change`) are the
    /// caller's, in the same transaction.
    pub fn schedule_roster_change(
        &self,
        new: &NewRosterChange,
        now: Timestamp,
    ) -> Result<RosterChange> {
        if let Some(name) = &new.name {
            check_name(NameKind::Member, name)?;
        }
        self.write(|tx| {
            disciplines::require(tx, &new.discipline)?;
            tx.execute(
                "INSERT INTO roster_changes (slack_id, discipline, change, effective_date, name,
                                             created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    new.person.as_str(),
                    new.discipline.as_str(),
                    new.kind.as_str(),
                    new.on.to_string(),
                    new.name.as_deref().map(str::trim),
                    new.created_by,
                    now.as_second(),
                ],
            )?;
            let change = pending(tx, tx.last_insert_rowid())?;
            log(
                tx,
                "roster_change.schedule",
                &change,
                "pending",
                &new.created_by,
                now,
            )?;
            Ok(change)
        })
    }

    /// Cancels pending change `id`; returns it.
    pub fn cancel_roster_change(
        &self,
        id: i64,
        actor: &str,
        now: Timestamp,
    ) -> Result<RosterChange> {
        self.write(|tx| {
            let change = pending(tx, id)?;
            tx.execute(
                "UPDATE roster_changes SET status = 'cancelled', settled_by = ?2, settled_at = ?3
                 WHERE id = ?1",
                params![id, actor, now.as_second()],
            )?;
            log(tx, "roster_change.cancel", &change, "cancelled", actor, now)?;
            Ok(change)
        })
    }

    /// Applies pending change `change` at sprint `sprint`'s handoff: the member joins (added or
    /// reactivated) or leaves, and the change is marked applied at that sprint. A change applied or cancelled
    /// meanwhile is left alone (returns false).
    pub fn apply_roster_change(
        &self,
        change: &RosterChange,
        sprint: SprintIndex,
        actor: &str,
        now: Timestamp,
    ) -> Result<bool> {
        self.write(|tx| {
            // A change that finds the member as it would make them (an admin made the same
            // change at once meanwhile) changes nothing: it keeps no sprint, so replaying the
            // sprints before it does not take it back.
            let member = members::find(tx, &change.person, &change.discipline)?;
            let active = member.is_some_and(|m| m.active);
            let changes = active != (change.kind == ChangeKind::Join);
            let marked = tx.execute(
                "UPDATE roster_changes SET status = 'applied', settled_by = ?2, settled_at = ?3,
                                           applied_sprint = ?4
                 WHERE id = ?1 AND status = 'pending'",
                params![
                    change.id,
                    actor,
                    now.as_second(),
                    changes.then_some(sprint.get())
                ],
            )?;
            if marked == 0 {
                return Ok(false);
            }
            match change.kind {
                ChangeKind::Join => {
                    members::upsert(
                        tx,
                        &change.person,
                        &change.discipline,
                        change.name.as_deref(),
                        actor,
                        now,
                    )?;
                }
                ChangeKind::Leave => {
                    if members::find(tx, &change.person, &change.discipline)?.is_some() {
                        let why = format!("scheduled leave #{} (on {})", change.id, change.on);
                        members::deactivate(
                            tx,
                            &change.person,
                            &change.discipline,
                            actor,
                            Some(&why),
                            now,
                        )?;
                    }
                }
            }
            log(tx, "roster_change.apply", change, "applied", actor, now)?;
            Ok(true)
        })
    }

    /// The pending changes, of one discipline or all, by date then id.
    pub fn pending_roster_changes(
        &self,
        discipline: Option<&DisciplineKey>,
    ) -> Result<Vec<RosterChange>> {
        self.read(|conn| match discipline {
            Some(key) => select(
                conn,
                "status = 'pending' AND discipline = ?1 ORDER BY effective_date, id",
                [key.as_str()],
            ),
            None => select(conn, "status = 'pending' ORDER BY effective_date, id", []),
        })
    }

    /// The changes applied at the handoffs of sprints `after` (exclusive) to `through`
    /// (inclusive), each with its sprint, in the order they were applied.
    pub fn applied_roster_changes_between(
        &self,
        after: SprintIndex,
        through: SprintIndex,
    ) -> Result<Vec<(SprintIndex, RosterChange)>> {
        self.read(|conn| {
            let sql = format!(
                "SELECT {COLUMNS}, applied_sprint FROM roster_changes
                 WHERE status = 'applied' AND applied_sprint > ?1 AND applied_sprint <= ?2
                 ORDER BY applied_sprint, id"
            );
            let mut statement = conn.prepare_cached(&sql)?;
            let rows = statement.query_map(params![after.get(), through.get()], |row| {
                let sprint: i64 = row.get("applied_sprint")?;
                Ok((sprint, change_row(row)?))
            })?;
            let mut applied = Vec::new();
            for row in rows {
                let (sprint, change) = row?;
                if let Ok(sprint) = SprintIndex::new(sprint) {
                    applied.push((sprint, change));
                }
            }
            Ok(applied)
        })
    }

    /// The first live sprint that starts on or after `date`: the one a change dated `date`
    /// takes effect at.
    pub fn first_sprint_from(&self, date: Date) -> Result<Option<Sprint>> {
        self.read(|conn| {
            Ok(sprints::query(
                conn,
                "start_date >= ?1 ORDER BY start_date LIMIT 1",
                [date.to_string()],
            )?
            .into_iter()
            .next())
        })
    }
}
