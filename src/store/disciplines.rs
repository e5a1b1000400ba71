//! Disciplines: the groups that each have a rotation.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};

use super::Store;
use super::audit::{self, AuditRecord};
use super::codec::{self, DISCIPLINE_COLUMNS};
use super::error::{Result, StoreError};
use crate::domain::{Approval, Discipline, DisciplineKey, NameKind, SlackUserId, check_name};

/// A discipline to create or update. `None` fields keep their stored value on update.
#[derive(Debug, Clone)]
pub struct NewDiscipline {
    pub key: DisciplineKey,
    pub name: String,
    pub fallback: Option<SlackUserId>,
    pub usergroup_id: Option<String>,
}

pub(crate) fn discipline_json(discipline: &Discipline) -> Value {
    json!({
        "key": discipline.key.as_str(),
        "name": discipline.name,
        "position": discipline.position,
        "fallback": discipline.fallback.as_ref().map(SlackUserId::as_str),
        "usergroup_id": discipline.usergroup_id,
    })
}

pub(crate) fn find(conn: &Connection, key: &DisciplineKey) -> Result<Option<Discipline>> {
    let sql = format!("SELECT {DISCIPLINE_COLUMNS} FROM disciplines WHERE key = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([key.as_str()], codec::discipline)
        .optional()?)
}

/// All disciplines in display order, on `conn` (or inside a transaction).
pub(crate) fn all(conn: &Connection) -> Result<Vec<Discipline>> {
    let sql = format!("SELECT {DISCIPLINE_COLUMNS} FROM disciplines ORDER BY position, key");
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map([], codec::discipline)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn require(conn: &Connection, key: &DisciplineKey) -> Result<Discipline> {
    find(conn, key)?.ok_or_else(|| StoreError::UnknownDiscipline(key.clone()))
}

/// A discipline after `upsert`, and what it was before (`None` when the call created it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisciplineChange {
    pub before: Option<Discipline>,
    pub after: Discipline,
}

pub(crate) fn upsert(
    tx: &Connection,
    new: &NewDiscipline,
    actor: &str,
    now: Timestamp,
) -> Result<Discipline> {
    Ok(save(tx, new, actor, now)?.after)
}

fn save(
    tx: &Connection,
    new: &NewDiscipline,
    actor: &str,
    now: Timestamp,
) -> Result<DisciplineChange> {
    check_name(NameKind::Discipline, &new.name)?;
    let before = find(tx, &new.key)?;
    tx.execute(
        "INSERT INTO disciplines (key, name, position, fallback_slack_id, usergroup_id, created_at, updated_at)
         VALUES (?1, ?2, (SELECT coalesce(max(position), 0) + 1 FROM disciplines), ?3, ?4, ?5, ?5)
         ON CONFLICT (key) DO UPDATE SET
             name = excluded.name,
             fallback_slack_id = coalesce(excluded.fallback_slack_id, fallback_slack_id),
             usergroup_id = coalesce(excluded.usergroup_id, usergroup_id),
             updated_at = excluded.updated_at",
        params![
            new.key.as_str(),
            new.name.trim(),
            new.fallback.as_ref().map(SlackUserId::as_str),
            new.usergroup_id,
            now.as_second(),
        ],
    )?;
    let after = require(tx, &new.key)?;
    if before.as_ref() != Some(&after) {
        let record = AuditRecord {
            actor,
            action: if before.is_some() {
                "discipline.update"
            } else {
                "discipline.add"
            },
            entity: "discipline",
            entity_id: after.key.to_string(),
            before: before.as_ref().map(discipline_json),
            after: Some(discipline_json(&after)),
            reason: None,
        };
        audit::append(tx, &record, now)?;
    }
    Ok(DisciplineChange { before, after })
}

impl Store {
    /// Creates the discipline, or updates its name (and fallback / user group when given).
    /// Repeating the same call changes nothing and writes no audit row.
    pub fn upsert_discipline(
        &self,
        new: &NewDiscipline,
        actor: &str,
        now: Timestamp,
    ) -> Result<Discipline> {
        self.write(|tx| upsert(tx, new, actor, now))
    }

    /// Like [`Store::upsert_discipline`], also returning the discipline as it was before, so
    /// the caller can say whether the key was new, renamed or unchanged.
    pub fn save_discipline(
        &self,
        new: &NewDiscipline,
        actor: &str,
        now: Timestamp,
    ) -> Result<DisciplineChange> {
        self.write(|tx| save(tx, new, actor, now))
    }

    /// All disciplines in display order.
    pub fn disciplines(&self) -> Result<Vec<Discipline>> {
        self.read(all)
    }

    pub fn discipline(&self, key: &DisciplineKey) -> Result<Option<Discipline>> {
        self.read(|conn| find(conn, key))
    }

    /// Who approves a cover in `key` once the replacement accepted.
    pub fn approval_policy(&self, key: &DisciplineKey) -> Result<Approval> {
        self.read(|conn| approval_of(conn, key))
    }

    /// Sets `key`'s approval policy, audited. Returns the policy it had; setting the same one
    /// again changes nothing and writes no audit row.
    pub fn set_approval_policy(
        &self,
        key: &DisciplineKey,
        policy: Approval,
        actor: &str,
        now: Timestamp,
    ) -> Result<Approval> {
        self.write(|tx| {
            let before = approval_of(tx, key)?;
            if before == policy {
                return Ok(before);
            }
            tx.execute(
                "UPDATE disciplines SET approval = ?2, updated_at = ?3 WHERE key = ?1",
                params![key.as_str(), policy.as_str(), now.as_second()],
            )?;
            let record = AuditRecord {
                actor,
                action: "discipline.approval",
                entity: "discipline",
                entity_id: key.to_string(),
                before: Some(json!({ "approval": before.as_str() })),
                after: Some(json!({ "approval": policy.as_str() })),
                reason: None,
            };
            audit::append(tx, &record, now)?;
            Ok(before)
        })
    }
}

fn approval_of(conn: &Connection, key: &DisciplineKey) -> Result<Approval> {
    let text: Option<String> = conn
        .query_row(
            "SELECT approval FROM disciplines WHERE key = ?1",
            [key.as_str()],
            |row| row.get(0),
        )
        .optional()?;
    let text = text.ok_or_else(|| StoreError::UnknownDiscipline(key.clone()))?;
    text.parse()
        .map_err(|error: crate::domain::approval::UnknownApproval| {
            StoreError::Invalid(error.to_string())
        })
}
