//! Admins and processed Slack events.

use jiff::Timestamp;
use rusqlite::params;
use serde_json::json;

use super::Store;
use super::audit::{self, AuditRecord};
use super::codec;
use super::error::{Result, StoreError};
use crate::domain::SlackUserId;

impl Store {
    /// Records `event_id` as handled. True the first time, false for a redelivery.
    pub fn mark_event_processed(&self, event_id: &str, now: Timestamp) -> Result<bool> {
        self.write(|tx| {
            let inserted = tx.execute(
                "INSERT INTO processed_events (event_id, processed_at) VALUES (?1, ?2)
                 ON CONFLICT (event_id) DO NOTHING",
                params![event_id, now.as_second()],
            )?;
            Ok(inserted == 1)
        })
    }

    /// Forgets processed events older than `before`; Slack stops redelivering long before.
    pub fn prune_processed_events(&self, before: Timestamp) -> Result<usize> {
        self.write(|tx| {
            Ok(tx.execute(
                "DELETE FROM processed_events WHERE processed_at < ?1",
                [before.as_second()],
            )?)
        })
    }

    /// Makes `slack_id` an admin. Returns false when they already were one.
    pub fn add_admin(&self, slack_id: &SlackUserId, actor: &str, now: Timestamp) -> Result<bool> {
        self.write(|tx| {
            let inserted = tx.execute(
                "INSERT INTO admins (slack_id, added_by, added_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (slack_id) DO NOTHING",
                params![slack_id.as_str(), actor, now.as_second()],
            )?;
            if inserted == 1 {
                let record = AuditRecord {
                    actor,
                    action: "admin.add",
                    entity: "admin",
                    entity_id: slack_id.to_string(),
                    before: None,
                    after: Some(json!({"slack_id": slack_id.as_str()})),
                    reason: None,
                };
                audit::append(tx, &record, now)?;
            }
            Ok(inserted == 1)
        })
    }

    /// Removes `slack_id` from the admins. Returns false when they were not one. Refuses with
    /// [`StoreError::LastAdmin`] when nobody would be an admin afterwards: `configured` are the
    /// admins named in the configuration, who count too. The check runs in the write
    /// transaction, so of two concurrent removals of the last two admins one is refused.
    pub fn remove_admin(
        &self,
        slack_id: &SlackUserId,
        configured: &[SlackUserId],
        actor: &str,
        now: Timestamp,
    ) -> Result<bool> {
        self.write(|tx| {
            let (listed, others): (bool, i64) = tx.query_row(
                "SELECT count(*) FILTER (WHERE slack_id = ?1) > 0,
                        count(*) FILTER (WHERE slack_id <> ?1)
                 FROM admins",
                [slack_id.as_str()],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?;
            if listed && others == 0 && configured.is_empty() {
                return Err(StoreError::LastAdmin(slack_id.clone()));
            }
            let deleted = tx.execute(
                "DELETE FROM admins WHERE slack_id = ?1",
                [slack_id.as_str()],
            )?;
            if deleted == 1 {
                let record = AuditRecord {
                    actor,
                    action: "admin.remove",
                    entity: "admin",
                    entity_id: slack_id.to_string(),
                    before: Some(json!({"slack_id": slack_id.as_str()})),
                    after: None,
                    reason: None,
                };
                audit::append(tx, &record, now)?;
            }
            Ok(deleted == 1)
        })
    }

    pub fn admins(&self) -> Result<Vec<SlackUserId>> {
        self.read(|conn| {
            let mut statement =
                conn.prepare_cached("SELECT slack_id FROM admins ORDER BY slack_id")?;
            let rows = statement.query_map([], |row| codec::user(row, "slack_id"))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    pub fn is_admin(&self, slack_id: &SlackUserId) -> Result<bool> {
        self.read(|conn| {
            let count: i64 = conn.query_row(
                "SELECT count(*) FROM admins WHERE slack_id = ?1",
                [slack_id.as_str()],
                |row| row.get(0),
            )?;
            Ok(count > 0)
        })
    }
}
