//! The append-only audit log: one row per change, written inside the change's own transaction.

use jiff::Timestamp;
use rusqlite::{Connection, params};
use serde_json::Value;

use super::Store;
use super::codec;
use super::error::Result;
use crate::domain::AuditEntry;

/// A change to record: who did what to which entity, with the entity before and after.
#[derive(Debug, Clone)]
pub struct AuditRecord<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub reason: Option<&'a str>,
}

/// Appends `record` inside `tx`; it commits or rolls back with the change it describes.
pub(crate) fn append(tx: &Connection, record: &AuditRecord, now: Timestamp) -> Result<()> {
    tx.execute(
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, before_json, after_json, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            now.as_second(),
            record.actor,
            record.action,
            record.entity,
            record.entity_id,
            record.before.as_ref().map(Value::to_string),
            record.after.as_ref().map(Value::to_string),
            record.reason,
        ],
    )?;
    Ok(())
}

impl Store {
    /// The newest `limit` audit entries, newest first.
    pub fn audit(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        self.read(|conn| recent(conn, limit))
    }

    /// Appends an audit row on its own, for events that change nothing else (a refused
    /// attempt, say).
    pub fn record_audit(&self, record: &AuditRecord, now: Timestamp) -> Result<()> {
        self.write(|tx| append(tx, record, now))
    }

    /// The number of audit rows.
    pub fn audit_count(&self) -> Result<i64> {
        self.read(|conn| Ok(conn.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))?))
    }
}

fn recent(conn: &Connection, limit: usize) -> Result<Vec<AuditEntry>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, at, actor, action, entity, entity_id, before_json, after_json, reason
         FROM audit_log ORDER BY id DESC LIMIT ?1",
    )?;
    let rows = statement.query_map([limit as i64], |row| {
        Ok(AuditEntry {
            id: row.get("id")?,
            at: codec::timestamp(row, "at")?,
            actor: row.get("actor")?,
            action: row.get("action")?,
            entity: row.get("entity")?,
            entity_id: row.get("entity_id")?,
            before: row.get("before_json")?,
            after: row.get("after_json")?,
            reason: row.get("reason")?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
