//! Changing future sprints: edit, shift and retire. Each loads the sprint and its neighbours,
//! lets `domain::plan` decide (a started sprint is immutable, no overlaps, nothing moves into
//! the past), and writes the result with one audit row per changed sprint, in one transaction.

use jiff::Timestamp;
use rusqlite::{Connection, params};

use super::Store;
use super::audit::{self, AuditRecord};
use super::error::{Result, StoreError};
use super::sprints::{self, sprint_json};
use crate::domain::plan::{self, SprintEdit};
use crate::domain::{Sprint, SprintIndex, Team};

/// The live sprint `index` and the live sprint just before it.
fn with_previous(conn: &Connection, index: SprintIndex) -> Result<(Sprint, Option<Sprint>)> {
    let sprint = sprints::find(conn, index)?.ok_or(StoreError::UnknownSprint(index))?;
    let previous = sprints::query(
        conn,
        "sprint_index < ?1 ORDER BY sprint_index DESC LIMIT 1",
        [index.get()],
    )?;
    Ok((sprint, previous.into_iter().next()))
}

fn update(
    tx: &Connection,
    before: &Sprint,
    after: &Sprint,
    action: &str,
    actor: &str,
    now: Timestamp,
) -> Result<()> {
    tx.execute(
        "UPDATE sprints SET name = ?2, start_date = ?3, end_date = ?4
         WHERE sprint_index = ?1 AND retired_at IS NULL",
        params![
            after.index.get(),
            after.name,
            after.start.to_string(),
            after.end.to_string()
        ],
    )?;
    let record = AuditRecord {
        actor,
        action,
        entity: "sprint",
        entity_id: after.index.to_string(),
        before: Some(sprint_json(before)),
        after: Some(sprint_json(after)),
        reason: None,
    };
    audit::append(tx, &record, now)
}

impl Store {
    /// [`Store::append_sprints`], refusing a first sprint that would take over from the sprint in
    /// force at a moment already past (`domain::plan::check_appended`), in one transaction.
    pub fn append_sprints_checked(
        &self,
        new: &[super::NewSprint],
        team: &Team,
        actor: &str,
        now: Timestamp,
    ) -> Result<Vec<Sprint>> {
        self.transaction(|store| {
            if let Some(first) = new.first() {
                let last = store.read(sprints::last)?;
                plan::check_appended(first.start, last.as_ref(), team, now)?;
            }
            store.append_sprints(new, actor, now)
        })
    }

    /// [`Store::generate_sprints`], checked like [`Store::append_sprints_checked`].
    #[allow(clippy::too_many_arguments)]
    pub fn generate_sprints_checked(
        &self,
        start: jiff::civil::Date,
        days: i64,
        count: i64,
        name_pattern: &str,
        team: &Team,
        actor: &str,
        now: Timestamp,
    ) -> Result<Vec<Sprint>> {
        self.transaction(|store| {
            let last = store.read(sprints::last)?;
            plan::check_appended(start, last.as_ref(), team, now)?;
            store.generate_sprints(start, days, count, name_pattern, actor, now)
        })
    }

    /// Renames or re-dates the future sprint `index`. Refused (nothing changed) when it has
    /// started at `now`, or when the result would start in the past or overlap a neighbour.
    pub fn edit_sprint(
        &self,
        index: SprintIndex,
        edit: &SprintEdit,
        team: &Team,
        actor: &str,
        now: Timestamp,
    ) -> Result<Sprint> {
        self.write(|tx| {
            let (sprint, previous) = with_previous(tx, index)?;
            let next = sprints::query(
                tx,
                "sprint_index > ?1 ORDER BY sprint_index LIMIT 1",
                [index.get()],
            )?;
            let edited =
                plan::edit_sprint(&sprint, previous.as_ref(), next.first(), edit, team, now)?;
            if edited != sprint {
                update(tx, &sprint, &edited, "sprint.edit", actor, now)?;
            }
            Ok(edited)
        })
    }

    /// Moves the future sprint `index` and every live sprint after it by `days` days (negative
    /// moves them earlier). Refused (nothing changed) when the sprint has started at `now`, or
    /// when it would start in the past or overlap the sprint before it.
    pub fn shift_sprints(
        &self,
        index: SprintIndex,
        days: i64,
        team: &Team,
        actor: &str,
        now: Timestamp,
    ) -> Result<Vec<Sprint>> {
        self.write(|tx| {
            let (_, previous) = with_previous(tx, index)?;
            let from = sprints::query(
                tx,
                "sprint_index >= ?1 ORDER BY sprint_index",
                [index.get()],
            )?;
            let shifted = plan::shift_sprints(&from, previous.as_ref(), days, team, now)?;
            for (before, after) in from.iter().zip(&shifted) {
                update(tx, before, after, "sprint.shift", actor, now)?;
            }
            Ok(shifted)
        })
    }

    /// Retires the future sprint `index`: it no longer counts, its rows and history stay.
    /// Refused (nothing changed) when it has started at `now`.
    pub fn retire_future_sprint(
        &self,
        index: SprintIndex,
        team: &Team,
        actor: &str,
        now: Timestamp,
    ) -> Result<Sprint> {
        self.write(|tx| {
            let sprint = sprints::find(tx, index)?.ok_or(StoreError::UnknownSprint(index))?;
            plan::check_retire(&sprint, team, now)?;
            sprints::retire(tx, &sprint, actor, now)?;
            Ok(sprint)
        })
    }
}
