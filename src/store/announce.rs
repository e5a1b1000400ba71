//! Announcement bookkeeping: the announced state with its revision, recording a decision's new
//! state together with the notices it causes, and the delivery records that must commit
//! together (an item marked sent with where its message landed; a problem noted with its
//! report).
//!
//! The revision of a discipline's announced state is the id of the latest audit row that
//! recorded it. Audit rows are append-only and every recorded change writes one, so the
//! revision only grows; reading it walks the log backwards from its end and stops at the first
//! match, so its cost does not grow with history.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};

use super::Store;
use super::error::Result;
use super::outbox::{self, NewOutboxItem, OutboxEnd};
use super::state;
use crate::domain::DisciplineKey;
use crate::domain::announce::{Announced, StateChange};

fn revision(conn: &Connection, discipline: &DisciplineKey) -> Result<i64> {
    let id: Option<i64> = conn
        .prepare_cached(
            "SELECT id FROM audit_log WHERE entity = 'current_state' AND entity_id = ?1
             ORDER BY id DESC LIMIT 1",
        )?
        .query_row([discipline.as_str()], |row| row.get(0))
        .optional()?;
    Ok(id.unwrap_or(0))
}

fn announced(conn: &Connection) -> Result<Vec<Announced>> {
    let states = state::current_states(conn)?;
    states
        .into_iter()
        .map(|s| {
            Ok(Announced {
                revision: revision(conn, &s.discipline)?,
                discipline: s.discipline,
                sprint: s.sprint,
                person: s.slack_id,
            })
        })
        .collect()
}

impl Store {
    /// What was last announced per discipline, with revisions, read from one snapshot.
    pub fn announced(&self) -> Result<Vec<Announced>> {
        self.read_tx(announced)
    }

    /// Records a decision's announced state and enqueues its notices in one transaction, if
    /// the announced state is still `basis` (what the decision was made from). Returns the
    /// number of newly enqueued items, or `None` when another decision got there first and
    /// nothing was written.
    pub fn apply_announcements(
        &self,
        basis: &[Announced],
        states: &[StateChange],
        items: &[NewOutboxItem],
        actor: &str,
        now: Timestamp,
    ) -> Result<Option<usize>> {
        self.write(|tx| {
            if announced(tx)? != basis {
                return Ok(None);
            }
            for change in states {
                let person = change.person.as_ref();
                state::set_state(tx, &change.discipline, change.sprint, person, actor, now)?;
            }
            Ok(Some(outbox::enqueue_all(tx, items, now)?))
        })
    }

    /// Marks an item sent and, with `message_key`, remembers where its message landed: one
    /// transaction, so the two never disagree.
    pub fn finish_post(
        &self,
        id: i64,
        message_key: Option<&str>,
        channel: &str,
        ts: &str,
        now: Timestamp,
    ) -> Result<()> {
        self.write(|tx| {
            if let Some(key) = message_key {
                outbox::remember(tx, key, channel, ts, now)?;
            }
            outbox::finish(tx, id, OutboxEnd::Sent, None, now)
        })
    }

    /// Notes a persistent problem and, when it is new (or came back after being resolved),
    /// enqueues its report in the same transaction. True when it was new.
    pub fn report_problem(
        &self,
        key: &str,
        detail: &str,
        report: Option<&NewOutboxItem>,
        now: Timestamp,
    ) -> Result<bool> {
        self.write(|tx| {
            let new = outbox::note_problem(tx, key, detail, now)?;
            if let (true, Some(item)) = (new, report) {
                outbox::enqueue(tx, item, now)?;
            }
            Ok(new)
        })
    }

    /// Resolves every open problem whose key starts with `prefix`. Returns how many.
    pub fn resolve_problems(&self, prefix: &str, now: Timestamp) -> Result<usize> {
        self.write(|tx| {
            Ok(tx.execute(
                "UPDATE reported_problems SET resolved_at = ?2
                 WHERE substr(problem_key, 1, length(?1)) = ?1 AND resolved_at IS NULL",
                params![prefix, now.as_second()],
            )?)
        })
    }
}
