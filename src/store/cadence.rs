//! The team's declared sprint cadence (one row), and extending the plan by it: in one
//! transaction, read the cadence and the last live sprint, ask `domain::cadence` which sprints to
//! append, and create them with their audit rows. Extending twice adds nothing the second time.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};

use super::Store;
use super::audit::{self, AuditRecord};
use super::codec;
use super::error::{Result, StoreError};
use super::sprints;
use crate::domain::cadence::{Cadence, sprints_to_append};
use crate::domain::{NameKind, Sprint, Team, check_name};

fn cadence_json(cadence: &Cadence) -> Value {
    json!({
        "start": cadence.start.to_string(),
        "days": cadence.days,
        "name_pattern": cadence.name_pattern,
        "horizon_days": cadence.horizon_days,
    })
}

fn find(conn: &Connection) -> Result<Option<Cadence>> {
    let row = conn
        .prepare_cached(
            "SELECT start_date, days, name_pattern, horizon_days FROM cadence WHERE id = 1",
        )?
        .query_row([], |row| {
            Ok(Cadence {
                start: codec::date(row, "start_date")?,
                days: row.get("days")?,
                name_pattern: row.get("name_pattern")?,
                horizon_days: row.get("horizon_days")?,
            })
        })
        .optional()?;
    Ok(row)
}

fn validate(cadence: &Cadence) -> Result<()> {
    let problem = if !(1..=366).contains(&cadence.days) {
        "a sprint length must be 1 to 366 days"
    } else if !(1..=3660).contains(&cadence.horizon_days) {
        "the horizon must be 1 to 3660 days (about 520 weeks)"
    } else {
        check_name(NameKind::NamePattern, &cadence.name_pattern)?;
        return Ok(());
    };
    Err(StoreError::Invalid(problem.to_string()))
}

/// Appends the sprints the cadence asks for at `now` inside `tx`; nothing without a cadence.
fn extend(tx: &Connection, team: &Team, actor: &str, now: Timestamp) -> Result<Vec<Sprint>> {
    let Some(cadence) = find(tx)? else {
        return Ok(Vec::new());
    };
    let last = sprints::last(tx)?;
    sprints_to_append(&cadence, last.as_ref(), team, now)
        .iter()
        .map(|sprint| Ok(sprints::create(tx, sprint, actor, now)?.sprint))
        .collect()
}

impl Store {
    /// The declared cadence, if any.
    pub fn cadence(&self) -> Result<Option<Cadence>> {
        self.read(find)
    }

    /// Declares (or replaces) the cadence and extends the plan by it at once, in one transaction.
    /// Returns the sprints added.
    pub fn set_cadence(
        &self,
        cadence: &Cadence,
        team: &Team,
        actor: &str,
        now: Timestamp,
    ) -> Result<Vec<Sprint>> {
        validate(cadence)?;
        self.write(|tx| {
            let before = find(tx)?;
            if before.as_ref() != Some(cadence) {
                tx.execute(
                    "INSERT INTO cadence (id, start_date, days, name_pattern, horizon_days, updated_at)
                     VALUES (1, ?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (id) DO UPDATE SET start_date = ?1, days = ?2,
                         name_pattern = ?3, horizon_days = ?4, updated_at = ?5",
                    params![
                        cadence.start.to_string(),
                        cadence.days,
                        cadence.name_pattern,
                        cadence.horizon_days,
                        now.as_second()
                    ],
                )?;
                let record = AuditRecord {
                    actor,
                    action: "cadence.set",
                    entity: "cadence",
                    entity_id: "1".to_string(),
                    before: before.as_ref().map(cadence_json),
                    after: Some(cadence_json(cadence)),
                    reason: None,
                };
                audit::append(tx, &record, now)?;
            }
            extend(tx, team, actor, now)
        })
    }

    /// Removes the cadence: the plan is no longer extended (existing sprints stay). Returns the
    /// cadence that was declared, if any.
    pub fn clear_cadence(&self, actor: &str, now: Timestamp) -> Result<Option<Cadence>> {
        self.write(|tx| {
            let Some(before) = find(tx)? else {
                return Ok(None);
            };
            tx.execute("DELETE FROM cadence WHERE id = 1", [])?;
            let record = AuditRecord {
                actor,
                action: "cadence.clear",
                entity: "cadence",
                entity_id: "1".to_string(),
                before: Some(cadence_json(&before)),
                after: None,
                reason: None,
            };
            audit::append(tx, &record, now)?;
            Ok(Some(before))
        })
    }

    /// The live sprint with the highest index: the last planned one.
    pub fn last_sprint(&self) -> Result<Option<Sprint>> {
        self.read(sprints::last)
    }

    /// Appends the sprints the declared cadence asks for at `now` (none without a cadence, none
    /// when the plan already reaches the horizon), with their audit rows, in one transaction.
    pub fn extend_plan(&self, team: &Team, actor: &str, now: Timestamp) -> Result<Vec<Sprint>> {
        self.write(|tx| extend(tx, team, actor, now))
    }
}
