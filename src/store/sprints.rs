//! Sprints. A partial unique index keeps `sprint_index` unique among live sprints; start dates
//! increase with the index and live sprints never overlap (both checked here, on write: two
//! sprints may share only a boundary day, the end of one being the start of the next, where duty
//! hands over at the handoff time). Sprints are retired, never deleted.

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};

use super::Store;
use super::audit::{self, AuditRecord};
use super::codec::{self, SPRINT_COLUMNS};
use super::error::{Result, StoreError};
use crate::domain::{NameKind, Sprint, SprintIndex, check_name};

/// A sprint after a create call, and whether the call created it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SprintChange {
    pub sprint: Sprint,
    /// False when an identical live sprint already existed (an idempotent repeat).
    pub created: bool,
}

pub(crate) fn sprint_json(sprint: &Sprint) -> Value {
    json!({
        "index": sprint.index.get(),
        "name": sprint.name,
        "start": sprint.start.to_string(),
        "end": sprint.end.to_string(),
    })
}

pub(crate) fn find(conn: &Connection, index: SprintIndex) -> Result<Option<Sprint>> {
    let sql = format!(
        "SELECT {SPRINT_COLUMNS} FROM sprints WHERE sprint_index = ?1 AND retired_at IS NULL"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([index.get()], codec::sprint)
        .optional()?)
}

pub(crate) fn query(
    conn: &Connection,
    condition: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Sprint>> {
    let sql =
        format!("SELECT {SPRINT_COLUMNS} FROM sprints WHERE retired_at IS NULL AND {condition}");
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(params, codec::sprint)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn next_index(conn: &Connection) -> Result<SprintIndex> {
    let max: Option<i64> = conn.query_row(
        "SELECT max(sprint_index) FROM sprints WHERE retired_at IS NULL",
        [],
        |row| row.get(0),
    )?;
    let next = max.map_or(0, |max| max + 1);
    SprintIndex::new(next).map_err(|error| StoreError::Invalid(error.to_string()))
}

fn validate(conn: &Connection, sprint: &Sprint) -> Result<()> {
    if sprint.end < sprint.start {
        return Err(StoreError::SprintDates {
            start: sprint.start.to_string(),
            end: sprint.end.to_string(),
        });
    }
    check_name(NameKind::Sprint, &sprint.name)?;
    let index = sprint.index.get();
    let previous = query(
        conn,
        "sprint_index < ?1 ORDER BY sprint_index DESC LIMIT 1",
        [index],
    )?;
    if let Some(previous) = previous.first().filter(|p| p.start >= sprint.start) {
        return Err(StoreError::SprintOrder(format!(
            "{} must start after {}, which starts on {}",
            sprint.name.trim(),
            previous.name,
            previous.start
        )));
    }
    let next = query(
        conn,
        "sprint_index > ?1 ORDER BY sprint_index LIMIT 1",
        [index],
    )?;
    if let Some(next) = next.first().filter(|n| n.start <= sprint.start) {
        return Err(StoreError::SprintOrder(format!(
            "{} must start before {}, which starts on {}",
            sprint.name.trim(),
            next.name,
            next.start
        )));
    }
    refuse_overlap(conn, sprint)
}

/// Refuses `sprint` when its days overlap a live sprint's days by more than a shared boundary
/// day, naming the first such sprint.
fn refuse_overlap(conn: &Connection, sprint: &Sprint) -> Result<()> {
    let overlapping = query(
        conn,
        "start_date < ?1 AND end_date > ?2 ORDER BY start_date LIMIT 1",
        [sprint.end.to_string(), sprint.start.to_string()],
    )?;
    match overlapping.first() {
        Some(other) => Err(StoreError::SprintOverlap(format!(
            "{} ({} to {}) would overlap {} ({} to {}); sprints may share only a boundary day \
             (one ends the day the next starts)",
            sprint.name.trim(),
            sprint.start,
            sprint.end,
            other.name,
            other.start,
            other.end
        ))),
        None => Ok(()),
    }
}

/// The live sprint with the highest index.
pub(crate) fn last(conn: &Connection) -> Result<Option<Sprint>> {
    Ok(query(conn, "1 ORDER BY sprint_index DESC LIMIT 1", [])?
        .into_iter()
        .next())
}

/// Retires the live `sprint` inside `tx`, with its audit row.
pub(crate) fn retire(tx: &Connection, sprint: &Sprint, actor: &str, now: Timestamp) -> Result<()> {
    tx.execute(
        "UPDATE sprints SET retired_at = ?2 WHERE sprint_index = ?1 AND retired_at IS NULL",
        params![sprint.index.get(), now.as_second()],
    )?;
    let record = AuditRecord {
        actor,
        action: "sprint.retire",
        entity: "sprint",
        entity_id: sprint.index.to_string(),
        before: Some(sprint_json(sprint)),
        after: None,
        reason: None,
    };
    audit::append(tx, &record, now)
}

pub(crate) fn create(
    tx: &Connection,
    sprint: &Sprint,
    actor: &str,
    now: Timestamp,
) -> Result<SprintChange> {
    if let Some(existing) = find(tx, sprint.index)? {
        let same = existing.name == sprint.name.trim()
            && existing.start == sprint.start
            && existing.end == sprint.end;
        return if same {
            Ok(SprintChange {
                sprint: existing,
                created: false,
            })
        } else {
            Err(StoreError::SprintExists(sprint.index))
        };
    }
    validate(tx, sprint)?;
    tx.execute(
        "INSERT INTO sprints (sprint_index, name, start_date, end_date, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            sprint.index.get(),
            sprint.name.trim(),
            sprint.start.to_string(),
            sprint.end.to_string(),
            now.as_second()
        ],
    )?;
    let created = find(tx, sprint.index)?.ok_or(StoreError::UnknownSprint(sprint.index))?;
    let record = AuditRecord {
        actor,
        action: "sprint.add",
        entity: "sprint",
        entity_id: created.index.to_string(),
        before: None,
        after: Some(sprint_json(&created)),
        reason: None,
    };
    audit::append(tx, &record, now)?;
    Ok(SprintChange {
        sprint: created,
        created: true,
    })
}

/// One sprint to add after the last one, as `sprint add` and `sprint generate` describe it.
#[derive(Debug, Clone)]
pub struct NewSprint {
    pub name: String,
    pub start: Date,
    pub end: Date,
}

impl Store {
    /// Creates the live sprint `sprint.index`. Repeating an identical call is an idempotent
    /// success (`created: false`); a different sprint with the same index is `SprintExists`.
    pub fn create_sprint(
        &self,
        sprint: &Sprint,
        actor: &str,
        now: Timestamp,
    ) -> Result<SprintChange> {
        self.write(|tx| create(tx, sprint, actor, now))
    }

    /// Appends sprints after the last live one, numbering them on, all or nothing.
    pub fn append_sprints(
        &self,
        new: &[NewSprint],
        actor: &str,
        now: Timestamp,
    ) -> Result<Vec<Sprint>> {
        self.write(|tx| {
            let mut index = next_index(tx)?;
            let mut created = Vec::with_capacity(new.len());
            for item in new {
                let sprint = Sprint {
                    index,
                    name: item.name.clone(),
                    start: item.start,
                    end: item.end,
                };
                created.push(create(tx, &sprint, actor, now)?.sprint);
                index = index.next();
            }
            Ok(created)
        })
    }

    /// Appends `count` back-to-back sprints of `days` days from `start`, named by `name_pattern`
    /// with `{n}` replaced by the sprint's number (index + 1), all or nothing. The numbering is
    /// read in the same transaction as the insert.
    pub fn generate_sprints(
        &self,
        start: Date,
        days: i64,
        count: i64,
        name_pattern: &str,
        actor: &str,
        now: Timestamp,
    ) -> Result<Vec<Sprint>> {
        check_name(NameKind::NamePattern, name_pattern)?;
        self.write(|tx| {
            let first = next_index(tx)?;
            let mut created = Vec::new();
            for i in 0..count {
                let out_of_range = || {
                    StoreError::Invalid("the sprints would run past the end of the calendar".into())
                };
                let first_day = start
                    .checked_add((i * days).days())
                    .map_err(|_| out_of_range())?;
                let last_day = first_day
                    .checked_add((days - 1).days())
                    .map_err(|_| out_of_range())?;
                let index = SprintIndex::new(first.get() + i)
                    .map_err(|e| StoreError::Invalid(e.to_string()))?;
                let sprint = Sprint {
                    index,
                    name: name_pattern.replace("{n}", &(index.get() + 1).to_string()),
                    start: first_day,
                    end: last_day,
                };
                created.push(create(tx, &sprint, actor, now)?.sprint);
            }
            Ok(created)
        })
    }

    /// Retires a live sprint: it no longer counts, but its rows and history stay.
    pub fn retire_sprint(&self, index: SprintIndex, actor: &str, now: Timestamp) -> Result<Sprint> {
        self.write(|tx| {
            let sprint = find(tx, index)?.ok_or(StoreError::UnknownSprint(index))?;
            tx.execute(
                "UPDATE sprints SET retired_at = ?2 WHERE sprint_index = ?1 AND retired_at IS NULL",
                params![index.get(), now.as_second()],
            )?;
            let record = AuditRecord {
                actor,
                action: "sprint.retire",
                entity: "sprint",
                entity_id: index.to_string(),
                before: Some(sprint_json(&sprint)),
                after: None,
                reason: None,
            };
            audit::append(tx, &record, now)?;
            Ok(sprint)
        })
    }

    /// The lowest index of a live sprint, if any.
    pub fn first_sprint_index(&self) -> Result<Option<SprintIndex>> {
        self.read(|conn| {
            let min: Option<i64> = conn
                .prepare_cached("SELECT min(sprint_index) FROM sprints WHERE retired_at IS NULL")?
                .query_row([], |row| row.get(0))?;
            min.map(|m| SprintIndex::new(m).map_err(|e| StoreError::Invalid(e.to_string())))
                .transpose()
        })
    }

    /// All live sprints by index.
    pub fn sprints(&self) -> Result<Vec<Sprint>> {
        self.read(|conn| query(conn, "1 ORDER BY sprint_index", []))
    }

    pub fn sprint(&self, index: SprintIndex) -> Result<Option<Sprint>> {
        self.read(|conn| find(conn, index))
    }

    /// The live sprint `index` and the live sprint after it (which decides when it ends).
    pub fn sprint_and_next(&self, index: SprintIndex) -> Result<(Option<Sprint>, Option<Sprint>)> {
        self.read_tx(|tx| {
            let sprint = find(tx, index)?;
            let next = query(
                tx,
                "sprint_index > ?1 ORDER BY sprint_index LIMIT 1",
                [index.get()],
            )?;
            Ok((sprint, next.into_iter().next()))
        })
    }

    /// The last `count` live sprints before `index` (lower indexes), by index. Costs the same
    /// however long the history is.
    pub fn sprints_before(&self, index: SprintIndex, count: usize) -> Result<Vec<Sprint>> {
        self.read(|conn| {
            let mut sprints = query(
                conn,
                "sprint_index < ?1 ORDER BY sprint_index DESC LIMIT ?2",
                params![index.get(), count as i64],
            )?;
            sprints.reverse();
            Ok(sprints)
        })
    }

    /// Live sprints with `from <= index <= to`, by index.
    pub fn sprints_between(&self, from: SprintIndex, to: SprintIndex) -> Result<Vec<Sprint>> {
        self.read(|conn| {
            query(
                conn,
                "sprint_index BETWEEN ?1 AND ?2 ORDER BY sprint_index",
                [from.get(), to.get()],
            )
        })
    }

    /// Live sprints starting on or after `since` (from the first, without it) and on or before
    /// `through`, by index: the history fairness is counted over.
    pub fn sprints_starting(&self, since: Option<Date>, through: Date) -> Result<Vec<Sprint>> {
        let since = since.map_or(String::new(), |d| d.to_string());
        self.read(|conn| {
            query(
                conn,
                "start_date >= ?1 AND start_date <= ?2 ORDER BY sprint_index",
                [since.as_str(), through.to_string().as_str()],
            )
        })
    }

    /// Live sprints around `date`: up to `before` that start on or before it (latest first
    /// reversed into index order), then up to `after` that start after it. Costs the same
    /// however long the history is.
    pub fn sprints_around(&self, date: Date, before: usize, after: usize) -> Result<Vec<Sprint>> {
        self.read_tx(|tx| {
            let day = date.to_string();
            let mut sprints = query(
                tx,
                "start_date <= ?1 ORDER BY start_date DESC LIMIT ?2",
                params![day, before as i64],
            )?;
            sprints.reverse();
            sprints.extend(query(
                tx,
                "start_date > ?1 ORDER BY start_date LIMIT ?2",
                params![day, after as i64],
            )?);
            Ok(sprints)
        })
    }
}
