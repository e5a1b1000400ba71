//! Reading the outbox back whatever each item's status: what a decision enqueued, for tests,
//! diagnostics and a dry run.

use jiff::Timestamp;
use rusqlite::params;

use super::error::Result;
use super::{Store, codec};

/// One outbox row as enqueued: its key, kind, JSON payload, status and next attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub key: String,
    pub kind: String,
    pub payload: String,
    /// `pending`, `sent`, `failed` or `dropped`.
    pub status: String,
    /// Not delivered before this instant (for a pending item: its next attempt).
    pub next_attempt_at: Timestamp,
}

impl Store {
    /// Every outbox item whose key starts with `prefix` (all of them for ""), oldest first.
    pub fn outbox_rows(&self, prefix: &str) -> Result<Vec<OutboxRow>> {
        self.read(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT idempotency_key, kind, payload, status, next_attempt_at FROM outbox
                 WHERE substr(idempotency_key, 1, length(?1)) = ?1 ORDER BY id",
            )?;
            let rows = statement.query_map(params![prefix], |row| {
                Ok(OutboxRow {
                    key: row.get(0)?,
                    kind: row.get(1)?,
                    payload: row.get(2)?,
                    status: row.get(3)?,
                    next_attempt_at: codec::timestamp(row, "next_attempt_at")?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }
}
