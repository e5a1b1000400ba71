//! The outbox: a durable queue of side effects towards Slack, written in the same transaction as
//! the decision that causes them. A UNIQUE idempotency key makes enqueueing the same effect twice
//! a no-op, so a retried or repeated decision never sends anything twice. Also the memory of
//! posted messages (to edit them later) and of Slack problems already reported.
//!
//! The store does not know what an effect means: the payload is JSON text written and read by
//! the bot.

use jiff::{SignedDuration, Timestamp};
use rusqlite::{Connection, OptionalExtension, params};

use super::Store;
use super::codec;
use super::error::Result;

/// An effect to enqueue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutboxItem {
    /// Idempotency key, e.g. `handoff:12:ui:U123`.
    pub key: String,
    /// What kind of effect the payload describes (for logs and metrics).
    pub kind: String,
    /// JSON text.
    pub payload: String,
    /// Not to be delivered before this instant.
    pub not_before: Timestamp,
    /// Dropped, not delivered, if still pending at this instant.
    pub expires_at: Option<Timestamp>,
}

/// A pending outbox row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: i64,
    pub key: String,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    pub expires_at: Option<Timestamp>,
}

/// How a delivery attempt ended for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxEnd {
    /// Delivered.
    Sent,
    /// A permanent error; will not be retried.
    Failed,
    /// Expired before it could be delivered.
    Dropped,
}

/// Queue depth and the oldest item that is due but undelivered, for health checks and metrics.
/// (Items scheduled for later, such as tomorrow's heads-up, are pending but not due.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxStats {
    pub pending: i64,
    /// The earliest `next_attempt_at` among pending items that are due at `now`.
    pub oldest_due: Option<Timestamp>,
}

/// Enqueues `item` inside `tx`. Returns false when an item with the same key already exists.
pub(crate) fn enqueue(tx: &Connection, item: &NewOutboxItem, now: Timestamp) -> Result<bool> {
    let inserted = tx.execute(
        "INSERT INTO outbox (idempotency_key, kind, payload, next_attempt_at, expires_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (idempotency_key) DO NOTHING",
        params![
            item.key,
            item.kind,
            item.payload,
            item.not_before.as_second(),
            item.expires_at.map(Timestamp::as_second),
            now.as_second(),
        ],
    )?;
    Ok(inserted == 1)
}

pub(crate) fn enqueue_all(
    tx: &Connection,
    items: &[NewOutboxItem],
    now: Timestamp,
) -> Result<usize> {
    let mut inserted = 0;
    for item in items {
        inserted += usize::from(enqueue(tx, item, now)?);
    }
    Ok(inserted)
}

/// Ends a pending item inside `tx`: sent, failed for good, or dropped.
pub(crate) fn finish(
    tx: &Connection,
    id: i64,
    end: OutboxEnd,
    error: Option<&str>,
    now: Timestamp,
) -> Result<()> {
    let status = match end {
        OutboxEnd::Sent => "sent",
        OutboxEnd::Failed => "failed",
        OutboxEnd::Dropped => "dropped",
    };
    tx.execute(
        "UPDATE outbox SET status = ?2, attempts = attempts + ?3, last_error = ?4,
                           sent_at = CASE WHEN ?2 = 'sent' THEN ?5 ELSE sent_at END
         WHERE id = ?1 AND status = 'pending'",
        params![
            id,
            status,
            i64::from(end != OutboxEnd::Dropped),
            error,
            now.as_second()
        ],
    )?;
    Ok(())
}

/// Remembers inside `tx` where the message posted under `key` landed.
pub(crate) fn remember(
    tx: &Connection,
    key: &str,
    channel: &str,
    ts: &str,
    now: Timestamp,
) -> Result<()> {
    tx.execute(
        "INSERT INTO slack_messages (message_key, channel, ts, posted_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (message_key) DO UPDATE SET channel = excluded.channel, ts = excluded.ts",
        params![key, channel, ts, now.as_second()],
    )?;
    Ok(())
}

/// Notes a problem inside `tx`; true when it is new or came back after being resolved.
pub(crate) fn note_problem(
    tx: &Connection,
    key: &str,
    detail: &str,
    now: Timestamp,
) -> Result<bool> {
    let open: Option<Option<i64>> = tx
        .prepare_cached("SELECT resolved_at FROM reported_problems WHERE problem_key = ?1")?
        .query_row([key], |row| row.get(0))
        .optional()?;
    tx.execute(
        "INSERT INTO reported_problems (problem_key, detail, first_seen, last_seen) VALUES (?1, ?2, ?3, ?3)
         ON CONFLICT (problem_key) DO UPDATE SET
             detail = excluded.detail, last_seen = excluded.last_seen, resolved_at = NULL",
        params![key, detail, now.as_second()],
    )?;
    Ok(!matches!(open, Some(None)))
}

impl Store {
    /// Enqueues effects on their own (effects of a decision go in the decision's transaction).
    pub fn enqueue(&self, items: &[NewOutboxItem], now: Timestamp) -> Result<usize> {
        self.write(|tx| enqueue_all(tx, items, now))
    }

    /// Whether an item with this idempotency key was ever enqueued (whatever became of it).
    pub fn outbox_has(&self, key: &str) -> Result<bool> {
        self.read(|conn| {
            let found: i64 = conn
                .prepare_cached("SELECT count(*) FROM outbox WHERE idempotency_key = ?1")?
                .query_row([key], |row| row.get(0))?;
            Ok(found > 0)
        })
    }

    /// Pending items due at `now`, oldest first.
    pub fn due_outbox(&self, now: Timestamp, limit: usize) -> Result<Vec<OutboxEntry>> {
        self.read(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT id, idempotency_key, kind, payload, attempts, next_attempt_at, expires_at
                 FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?1
                 ORDER BY next_attempt_at, id LIMIT ?2",
            )?;
            let rows = statement.query_map(params![now.as_second(), limit as i64], |row| {
                Ok(OutboxEntry {
                    id: row.get("id")?,
                    key: row.get("idempotency_key")?,
                    kind: row.get("kind")?,
                    payload: row.get("payload")?,
                    attempts: row.get("attempts")?,
                    next_attempt_at: codec::timestamp(row, "next_attempt_at")?,
                    expires_at: codec::opt_timestamp(row, "expires_at")?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// The earliest `next_attempt_at` of a pending item, to know how long to sleep.
    pub fn next_outbox_attempt(&self) -> Result<Option<Timestamp>> {
        self.read(|conn| {
            let next: Option<i64> = conn.query_row(
                "SELECT min(next_attempt_at) FROM outbox WHERE status = 'pending'",
                [],
                |row| row.get(0),
            )?;
            Ok(next.and_then(|s| Timestamp::from_second(s).ok()))
        })
    }

    /// Ends an item: sent, failed for good, or dropped.
    pub fn finish_outbox(
        &self,
        id: i64,
        end: OutboxEnd,
        error: Option<&str>,
        now: Timestamp,
    ) -> Result<()> {
        self.write(|tx| finish(tx, id, end, error, now))
    }

    /// Moves the pending channel posts enqueued after item `after` that mention `user` (`<@U…>`)
    /// to `until` at the earliest, but never past `hold_max` after each was enqueued. Returns
    /// how many were moved.
    pub fn hold_posts_naming(
        &self,
        after: i64,
        user: &str,
        until: Timestamp,
        hold_max: SignedDuration,
    ) -> Result<usize> {
        self.write(|tx| {
            let held = tx.execute(
                "UPDATE outbox
                 SET next_attempt_at = max(next_attempt_at, min(?3, created_at + ?4))
                 WHERE status = 'pending' AND id > ?1 AND kind = 'post_message'
                   AND (instr(payload, '<@' || ?2 || '>') > 0
                        OR instr(payload, '<@' || ?2 || '|') > 0)
                   AND next_attempt_at < min(?3, created_at + ?4)",
                params![after, user, until.as_second(), hold_max.as_secs()],
            )?;
            Ok(held)
        })
    }

    /// Counts a failed attempt and schedules the next one.
    pub fn retry_outbox(&self, id: i64, next_attempt_at: Timestamp, error: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3
                 WHERE id = ?1 AND status = 'pending'",
                params![id, next_attempt_at.as_second(), error],
            )?;
            Ok(())
        })
    }

    pub fn outbox_stats(&self, now: Timestamp) -> Result<OutboxStats> {
        self.read(|conn| {
            let (pending, oldest): (i64, Option<i64>) = conn.query_row(
                "SELECT count(*), min(CASE WHEN next_attempt_at <= ?1 THEN next_attempt_at END)
                 FROM outbox WHERE status = 'pending'",
                [now.as_second()],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?;
            Ok(OutboxStats {
                pending,
                oldest_due: oldest.and_then(|s| Timestamp::from_second(s).ok()),
            })
        })
    }

    /// When the last item whose key starts with `prefix` was delivered, if one was.
    pub fn last_sent(&self, prefix: &str) -> Result<Option<Timestamp>> {
        self.read(|conn| {
            let sent: Option<i64> = conn.query_row(
                "SELECT max(sent_at) FROM outbox
                 WHERE status = 'sent' AND substr(idempotency_key, 1, length(?1)) = ?1",
                [prefix],
                |row| row.get(0),
            )?;
            Ok(sent.and_then(|s| Timestamp::from_second(s).ok()))
        })
    }

    /// Whether the database answers a trivial query.
    pub fn ping(&self) -> Result<()> {
        self.read(|conn| Ok(conn.query_row("SELECT 1", [], |_| Ok(()))?))
    }

    /// Where the message posted under `key` landed: (channel, ts).
    pub fn message(&self, key: &str) -> Result<Option<(String, String)>> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached("SELECT channel, ts FROM slack_messages WHERE message_key = ?1")?
                .query_row([key], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?)
        })
    }
}
