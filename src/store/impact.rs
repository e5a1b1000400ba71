//! The change-impact window: at most one open at a time, with who was on duty in the coming
//! sprints when it opened (the baseline), the slots decisions told people about while it was
//! open, and its closing together with the DMs it causes. Deciding who is told is
//! `domain::impact`'s; when a window closes is the caller's (it knows the setting).

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};

use super::Store;
use super::codec;
use super::error::Result;
use super::outbox::{self, NewOutboxItem};
use crate::domain::impact::{Told, UpcomingSprint};

/// The open window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenImpactWindow {
    pub id: i64,
    pub opened_at: Timestamp,
    /// Who was on duty in the sprints after the one in force when it opened.
    pub baseline: Vec<UpcomingSprint>,
}

fn open_window_id(conn: &Connection) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM impact_windows WHERE closed_at IS NULL")?
        .query_row([], |row| row.get(0))
        .optional()?)
}

impl Store {
    /// The open window, if any.
    pub fn open_impact_window(&self) -> Result<Option<OpenImpactWindow>> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT id, opened_at, baseline FROM impact_windows WHERE closed_at IS NULL",
                )?
                .query_row([], |row| {
                    Ok(OpenImpactWindow {
                        id: row.get("id")?,
                        opened_at: codec::timestamp(row, "opened_at")?,
                        baseline: codec::upcoming(row, "baseline")?,
                    })
                })
                .optional()?)
        })
    }

    /// When the open window opened, if one is open.
    pub fn impact_window_opened_at(&self) -> Result<Option<Timestamp>> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached("SELECT opened_at FROM impact_windows WHERE closed_at IS NULL")?
                .query_row([], |row| codec::timestamp(row, "opened_at"))
                .optional()?)
        })
    }

    /// Opens a window at `now` with `baseline`, unless one is open (a change then joins it).
    /// Returns whether it opened one.
    pub fn start_impact_window(
        &self,
        baseline: &[UpcomingSprint],
        actor: &str,
        now: Timestamp,
    ) -> Result<bool> {
        self.write(|tx| {
            if open_window_id(tx)?.is_some() {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO impact_windows (opened_at, opened_by, baseline) VALUES (?1, ?2, ?3)",
                params![now.as_second(), actor, codec::upcoming_json(baseline)],
            )?;
            Ok(true)
        })
    }

    /// Keeps, for the open window, the slots a decision told people about. Nothing happens when
    /// no window is open: a later window's baseline already holds the decision. Returns how many
    /// were new.
    pub fn record_impact_told(&self, told: &[Told]) -> Result<usize> {
        if told.is_empty() {
            return Ok(0);
        }
        self.write(|tx| {
            let Some(window) = open_window_id(tx)? else {
                return Ok(0);
            };
            let mut statement = tx.prepare_cached(
                "INSERT INTO impact_told (window_id, sprint_index, discipline, slack_id)
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            )?;
            let mut added = 0;
            for t in told {
                added += statement.execute(params![
                    window,
                    t.sprint.get(),
                    t.discipline.as_str(),
                    t.person.as_str()
                ])?;
            }
            Ok(added)
        })
    }

    /// The slots decisions told people about while window `id` was open.
    pub fn impact_told(&self, id: i64) -> Result<Vec<Told>> {
        self.read(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT sprint_index, discipline, slack_id FROM impact_told WHERE window_id = ?1
                 ORDER BY sprint_index, discipline, slack_id",
            )?;
            let rows = statement.query_map([id], |row| {
                Ok(Told {
                    person: codec::user(row, "slack_id")?,
                    sprint: codec::index(row, "sprint_index")?,
                    discipline: codec::key(row, "discipline")?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Closes window `id` at `now` and enqueues its DMs (`items`, one per person told), in one
    /// transaction. Returns false, enqueueing nothing, when it was closed already.
    pub fn close_impact_window(
        &self,
        id: i64,
        items: &[NewOutboxItem],
        now: Timestamp,
    ) -> Result<bool> {
        self.write(|tx| {
            let closed = tx.execute(
                "UPDATE impact_windows SET closed_at = ?2, notified = ?3
                 WHERE id = ?1 AND closed_at IS NULL",
                params![id, now.as_second(), items.len() as i64],
            )?;
            if closed == 0 {
                return Ok(false);
            }
            outbox::enqueue_all(tx, items, now)?;
            Ok(true)
        })
    }
}
