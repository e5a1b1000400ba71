//! Absences: people's away windows (removed ones are kept, marked removed), each discipline's away
//! policy, and the pair of approved overrides a swap is recorded as. Which windows are allowed
//! and what a swap exchanges is decided by `domain::away`; this module records it.

use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};

use super::Store;
use super::audit::{self, AuditRecord};
use super::codec;
use super::disciplines;
use super::error::{Result, StoreError};
use super::overrides::override_json;
use super::sprints;
use crate::domain::away::{AwayPolicy, AwayWindow, SWAP_DECIDED_BY, Swap, swap_reason_end};
use crate::domain::{DisciplineKey, Override, SlackUserId, Sprint, SprintIndex, clean_reason};

/// The actor recorded for swaps the bot makes.
const BOT: &str = SWAP_DECIDED_BY;

/// The longest reason kept with an absence.
pub const MAX_AWAY_REASON_CHARS: usize = 200;

/// An absence to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAwayWindow {
    pub person: SlackUserId,
    pub from: Date,
    pub to: Date,
    pub reason: Option<String>,
    /// A Slack user id or `cli`.
    pub created_by: String,
}

const WINDOW_COLUMNS: &str = "id, slack_id, from_date, to_date, reason, created_by";

fn window_row(row: &rusqlite::Row) -> rusqlite::Result<AwayWindow> {
    Ok(AwayWindow {
        id: row.get("id")?,
        person: codec::user(row, "slack_id")?,
        from: codec::date(row, "from_date")?,
        to: codec::date(row, "to_date")?,
        reason: row.get("reason")?,
        created_by: row.get("created_by")?,
    })
}

fn window_json(window: &AwayWindow) -> Value {
    json!({
        "id": window.id,
        "slack_id": window.person.as_str(),
        "from": window.from.to_string(),
        "to": window.to.to_string(),
        "reason": window.reason,
        "created_by": window.created_by,
    })
}

fn select(
    conn: &Connection,
    condition: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<AwayWindow>> {
    let sql = format!("SELECT {WINDOW_COLUMNS} FROM away_windows WHERE {condition}");
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(params, window_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn kept_reason(reason: Option<&str>) -> Result<Option<String>> {
    match reason.and_then(clean_reason) {
        Some(reason) if reason.chars().count() > MAX_AWAY_REASON_CHARS => Err(StoreError::Invalid(
            format!("a reason must be at most {MAX_AWAY_REASON_CHARS} characters"),
        )),
        reason => Ok(reason),
    }
}

/// Inserts one approved override of a swap, with its audit row.
#[allow(clippy::too_many_arguments)]
fn insert_swap_override(
    tx: &Connection,
    sprint: SprintIndex,
    discipline: &DisciplineKey,
    original: &SlackUserId,
    replacement: &SlackUserId,
    requested_by: &SlackUserId,
    reason: &str,
    now: Timestamp,
) -> Result<Override> {
    tx.execute(
        "INSERT INTO overrides (sprint_index, discipline, original_slack_id, replacement_slack_id,
                                requested_by, status, decided_by, decided_at, reason, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'approved', ?6, ?7, ?8, ?7)",
        params![
            sprint.get(),
            discipline.as_str(),
            original.as_str(),
            replacement.as_str(),
            requested_by.as_str(),
            BOT,
            now.as_second(),
            reason,
        ],
    )?;
    let id = tx.last_insert_rowid();
    let sql = format!(
        "SELECT {} FROM overrides WHERE id = ?1",
        codec::OVERRIDE_COLUMNS
    );
    let created = tx
        .prepare_cached(&sql)?
        .query_row([id], codec::override_row)?;
    let record = AuditRecord {
        actor: BOT,
        action: "override.swap",
        entity: "override",
        entity_id: id.to_string(),
        before: None,
        after: Some(override_json(&created)),
        reason: Some(reason),
    };
    audit::append(tx, &record, now)?;
    Ok(created)
}

impl Store {
    /// Records an absence, with its audit row. The rules (`domain::away::check_new_window`) are
    /// the caller's, in the same transaction.
    pub fn add_away_window(&self, new: &NewAwayWindow, now: Timestamp) -> Result<AwayWindow> {
        let reason = kept_reason(new.reason.as_deref())?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO away_windows (slack_id, from_date, to_date, reason, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    new.person.as_str(),
                    new.from.to_string(),
                    new.to.to_string(),
                    reason,
                    new.created_by,
                    now.as_second(),
                ],
            )?;
            let id = tx.last_insert_rowid();
            let window = select(tx, "id = ?1", [id])?
                .into_iter()
                .next()
                .ok_or(StoreError::UnknownAway(id))?;
            let record = AuditRecord {
                actor: &new.created_by,
                action: "away.add",
                entity: "away",
                entity_id: id.to_string(),
                before: None,
                after: Some(window_json(&window)),
                reason: window.reason.as_deref(),
            };
            audit::append(tx, &record, now)?;
            Ok(window)
        })
    }

    /// Marks absence `id` removed (it stays in the database), with its audit row.
    pub fn remove_away_window(&self, id: i64, actor: &str, now: Timestamp) -> Result<AwayWindow> {
        self.write(|tx| {
            let window = select(tx, "id = ?1 AND removed_at IS NULL", [id])?
                .into_iter()
                .next()
                .ok_or(StoreError::UnknownAway(id))?;
            tx.execute(
                "UPDATE away_windows SET removed_by = ?2, removed_at = ?3 WHERE id = ?1",
                params![id, actor, now.as_second()],
            )?;
            let record = AuditRecord {
                actor,
                action: "away.remove",
                entity: "away",
                entity_id: id.to_string(),
                before: Some(window_json(&window)),
                after: None,
                reason: None,
            };
            audit::append(tx, &record, now)?;
            Ok(window)
        })
    }

    /// Absence `id`, unless it was removed.
    pub fn away_window(&self, id: i64) -> Result<Option<AwayWindow>> {
        self.read(|conn| {
            Ok(select(conn, "id = ?1 AND removed_at IS NULL", [id])?
                .into_iter()
                .next())
        })
    }

    /// The absences (not removed) that last until `since` or later, of one person or of everyone,
    /// by first day.
    pub fn away_windows(
        &self,
        person: Option<&SlackUserId>,
        since: Date,
    ) -> Result<Vec<AwayWindow>> {
        self.read(|conn| match person {
            Some(person) => select(
                conn,
                "removed_at IS NULL AND slack_id = ?1 AND to_date >= ?2 ORDER BY from_date, id",
                params![person.as_str(), since.to_string()],
            ),
            None => select(
                conn,
                "removed_at IS NULL AND to_date >= ?1 ORDER BY from_date, id",
                [since.to_string()],
            ),
        })
    }

    /// The absences (not removed) that share a day with `from..=to`, by first day.
    pub fn away_windows_between(&self, from: Date, to: Date) -> Result<Vec<AwayWindow>> {
        self.read(|conn| {
            select(
                conn,
                "removed_at IS NULL AND to_date >= ?1 AND from_date <= ?2 ORDER BY from_date, id",
                [from.to_string(), to.to_string()],
            )
        })
    }

    /// Live sprints that share a day with `from..=to`, by index.
    pub fn sprints_sharing_days(&self, from: Date, to: Date) -> Result<Vec<Sprint>> {
        self.read(|conn| {
            sprints::query(
                conn,
                "start_date <= ?2 AND end_date >= ?1 ORDER BY sprint_index",
                [from.to_string(), to.to_string()],
            )
        })
    }

    /// Each discipline's away policy, in display order.
    pub fn away_policies(&self) -> Result<Vec<(DisciplineKey, AwayPolicy)>> {
        self.read(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT key, away_policy FROM disciplines ORDER BY position, key",
            )?;
            let rows = statement.query_map([], |row| {
                let key = codec::key(row, "key")?;
                let policy: String = row.get("away_policy")?;
                Ok((key, policy))
            })?;
            let rows: Vec<(DisciplineKey, String)> = rows.collect::<rusqlite::Result<_>>()?;
            rows.into_iter()
                .map(|(key, text)| {
                    let policy =
                        text.parse()
                            .map_err(|e: crate::domain::away::UnknownPolicy| {
                                StoreError::Invalid(e.to_string())
                            })?;
                    Ok((key, policy))
                })
                .collect()
        })
    }

    /// Sets a discipline's away policy; returns the one it had. Audited when it changes.
    pub fn set_away_policy(
        &self,
        key: &DisciplineKey,
        policy: AwayPolicy,
        actor: &str,
        now: Timestamp,
    ) -> Result<AwayPolicy> {
        self.write(|tx| {
            disciplines::require(tx, key)?;
            let before: String = tx
                .prepare_cached("SELECT away_policy FROM disciplines WHERE key = ?1")?
                .query_row([key.as_str()], |row| row.get(0))
                .optional()?
                .unwrap_or_default();
            let before: AwayPolicy = before.parse().unwrap_or_default();
            if before == policy {
                return Ok(before);
            }
            tx.execute(
                "UPDATE disciplines SET away_policy = ?2, updated_at = ?3 WHERE key = ?1",
                params![key.as_str(), policy.as_str(), now.as_second()],
            )?;
            let record = AuditRecord {
                actor,
                action: "discipline.away_policy",
                entity: "discipline",
                entity_id: key.to_string(),
                before: Some(json!({ "away_policy": before.as_str() })),
                after: Some(json!({ "away_policy": policy.as_str() })),
                reason: None,
            };
            audit::append(tx, &record, now)?;
            Ok(before)
        })
    }

    /// How many approved overrides the bot recorded for the swaps absence `window` caused,
    /// found by their reason (`domain::away::swap_reason`); revoked or replaced ones do not count.
    pub fn away_swaps_in_force(&self, window: i64) -> Result<usize> {
        let end = swap_reason_end(window);
        self.read(|conn| {
            let count: i64 = conn
                .prepare_cached(
                    "SELECT COUNT(*) FROM overrides
                     WHERE status = 'approved' AND decided_by = ?1
                       AND reason LIKE 'away: %' AND substr(reason, -length(?2)) = ?2",
                )?
                .query_row(params![BOT, end], |row| row.get(0))?;
            Ok(count as usize)
        })
    }

    /// Records `swap` as two approved overrides (the away person's slot to the partner, the
    /// partner's slot to the away person), decided by the bot, each with `reason`, linked as the
    /// two halves of a swap (`swap_pairs`), so they are revoked or closed together. Returns them
    /// in that order. The rules (`domain::away::plan_swap`) are the caller's.
    pub fn record_away_swap(
        &self,
        swap: &Swap,
        reason: &str,
        now: Timestamp,
    ) -> Result<(Override, Override)> {
        self.write(|tx| {
            let given = insert_swap_override(
                tx,
                swap.away_sprint,
                &swap.discipline,
                &swap.away,
                &swap.partner,
                &swap.away,
                reason,
                now,
            )?;
            let taken = insert_swap_override(
                tx,
                swap.partner_sprint,
                &swap.discipline,
                &swap.partner,
                &swap.away,
                &swap.away,
                reason,
                now,
            )?;
            // Linked like a swap people proposed: revoking or closing one half ends both.
            tx.execute(
                "INSERT INTO swap_pairs (first_id, second_id, created_at) VALUES (?1, ?2, ?3)",
                params![given.id, taken.id, now.as_second()],
            )?;
            Ok((given, taken))
        })
    }
}
