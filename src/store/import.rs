//! Importing a whole team at once (the old bot's files, already parsed into plain values): one
//! IMMEDIATE transaction that creates what is missing and leaves what is already there alone, so
//! importing the same data twice changes nothing the second time. Every row goes through the
//! entity modules' own writes, which append the audit rows. A dry run runs the same transaction
//! and rolls it back. This module parses no files.
//!
//! Overrides that name a sprint that does not exist, a discipline that does not exist or a
//! replacement who is not a member of the discipline are skipped with a warning. The old bot's
//! current state becomes who is on duty now (see [`present`]).

mod present;

use jiff::Timestamp;
use rusqlite::{Connection, TransactionBehavior, params};

use super::error::{Result, StoreError};
use super::overrides::{self, NewOverride, RequestOutcome};
use super::{Store, disciplines, members, sprints};
use crate::domain::{DisciplineKey, OverrideStatus, SlackUserId, Sprint, SprintIndex, Team};

/// Everything to import, in the order it should appear.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportBatch {
    /// In display order; each discipline's members in rotation order.
    pub disciplines: Vec<ImportDiscipline>,
    /// In index order.
    pub sprints: Vec<Sprint>,
    pub overrides: Vec<ImportOverride>,
    pub current_state: Option<ImportCurrentState>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportDiscipline {
    pub key: DisciplineKey,
    pub name: String,
    pub members: Vec<ImportMember>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportMember {
    pub slack_id: SlackUserId,
    pub name: String,
    pub active: bool,
}

/// An override and the status it ends in: `Pending`, `Approved` or `Superseded`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOverride {
    /// Where it came from, for warnings: `overrides.json: entry 3 (sprint 4, uiEng)`.
    pub entry: String,
    pub request: NewOverride,
    pub status: OverrideStatus,
    /// Who approved it, when known; the importing actor otherwise.
    pub decided_by: Option<String>,
}

/// Who the old bot had on duty, and for which sprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportCurrentState {
    pub sprint: Option<SprintIndex>,
    /// In display order.
    pub on_duty: Vec<ImportState>,
}

/// Who the old bot had on duty for one discipline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportState {
    pub discipline: DisciplineKey,
    pub slack_id: Option<SlackUserId>,
}

/// Whether an import is kept or rolled back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    Commit,
    DryRun,
}

/// How many items of one kind were created, and how many were already there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub created: usize,
    pub present: usize,
}

impl ImportCounts {
    fn count(&mut self, created: bool) {
        if created {
            self.created += 1;
        } else {
            self.present += 1;
        }
    }
}

/// What an import did (or, for a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub disciplines: ImportCounts,
    pub members: ImportCounts,
    pub sprints: ImportCounts,
    pub overrides: ImportCounts,
    /// Of the created overrides, how many were created already superseded.
    pub superseded: usize,
    /// Overrides left out because they name an unknown sprint or discipline, or a replacement
    /// who is not a member (each has a warning).
    pub skipped_overrides: usize,
    /// People of the old bot's current state recorded as their sprint's rotation turn.
    pub on_duty: ImportCounts,
    /// The sprint that took over last at the import's `now`, whose duty became the announced
    /// state; `None` when no sprint has started.
    pub present: Option<SprintIndex>,
    /// Announced states set to who is on duty in `present`.
    pub current_state: ImportCounts,
    /// What was left out or kept although it looks wrong, one sentence each.
    pub warnings: Vec<String>,
}

impl Store {
    /// Imports `batch` all or nothing, with `now` and `team` placing the present. Existing
    /// disciplines, members, overrides, rotation turns and announced state are left as they are;
    /// an existing sprint must match exactly. A failure names the item.
    pub fn import_batch(
        &self,
        batch: &ImportBatch,
        actor: &str,
        team: &Team,
        now: Timestamp,
        mode: ImportMode,
    ) -> Result<ImportReport> {
        let apply = |tx: &Connection| apply(tx, batch, actor, team, now);
        match mode {
            ImportMode::Commit => self.write(apply),
            ImportMode::DryRun => self.rehearse(apply),
        }
    }

    /// Runs `f` in one IMMEDIATE transaction and rolls it back whatever happens.
    fn rehearse<T>(&self, f: impl Fn(&Connection) -> Result<T>) -> Result<T> {
        let mut conn = self.pool.get()?;
        let _writer = self
            .write_lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx);
        tx.rollback()?;
        value
    }
}

fn apply(
    tx: &Connection,
    batch: &ImportBatch,
    actor: &str,
    team: &Team,
    now: Timestamp,
) -> Result<ImportReport> {
    let mut report = ImportReport::default();
    for discipline in &batch.disciplines {
        import_discipline(tx, discipline, actor, now, &mut report)?;
    }
    for sprint in &batch.sprints {
        let change = sprints::create(tx, sprint, actor, now).map_err(in_item(format!(
            "sprint {} ({})",
            sprint.index, sprint.name
        )))?;
        report.sprints.count(change.created);
    }
    // Checked in file order, so the warnings read in that order.
    let mut importable = Vec::with_capacity(batch.overrides.len());
    for item in &batch.overrides {
        match override_problem(tx, &item.request)? {
            None => importable.push(item),
            Some(problem) => {
                report.skipped_overrides += 1;
                let warning = format!("{}: {problem}, not imported", item.entry);
                report.warnings.push(warning);
            }
        }
    }
    // Superseded first, approved last: approving then supersedes only what it should.
    for status in [
        OverrideStatus::Superseded,
        OverrideStatus::Pending,
        OverrideStatus::Approved,
    ] {
        for item in importable.iter().filter(|o| o.status == status) {
            import_override(tx, item, actor, now, &mut report).map_err(in_item(format!(
                "override of sprint {} {} by {}",
                item.request.sprint, item.request.discipline, item.request.replacement
            )))?;
        }
    }
    present::import_present(
        tx,
        batch.current_state.as_ref(),
        team,
        actor,
        now,
        &mut report,
    )?;
    Ok(report)
}

fn import_discipline(
    tx: &Connection,
    discipline: &ImportDiscipline,
    actor: &str,
    now: Timestamp,
    report: &mut ImportReport,
) -> Result<()> {
    let label = || format!("discipline {}", discipline.key);
    let exists = disciplines::find(tx, &discipline.key)?.is_some();
    if !exists {
        let new = disciplines::NewDiscipline {
            key: discipline.key.clone(),
            name: discipline.name.clone(),
            fallback: None,
            usergroup_id: None,
        };
        disciplines::upsert(tx, &new, actor, now).map_err(in_item(label()))?;
    }
    report.disciplines.count(!exists);
    for member in &discipline.members {
        let created = import_member(tx, &discipline.key, member, actor, now).map_err(in_item(
            format!("member {} of {}", member.slack_id, discipline.key),
        ))?;
        report.members.count(created);
    }
    Ok(())
}

/// Adds the member at the end of the rotation unless they are already listed.
fn import_member(
    tx: &Connection,
    discipline: &DisciplineKey,
    member: &ImportMember,
    actor: &str,
    now: Timestamp,
) -> Result<bool> {
    if members::find(tx, &member.slack_id, discipline)?.is_some() {
        return Ok(false);
    }
    members::upsert(
        tx,
        &member.slack_id,
        discipline,
        Some(&member.name),
        actor,
        now,
    )?;
    if !member.active {
        members::deactivate(tx, &member.slack_id, discipline, actor, None, now)?;
    }
    Ok(true)
}

fn import_override(
    tx: &Connection,
    item: &ImportOverride,
    actor: &str,
    now: Timestamp,
    report: &mut ImportReport,
) -> Result<()> {
    if override_exists(tx, &item.request)? {
        report.overrides.count(false);
        return Ok(());
    }
    let RequestOutcome::Created(filed) =
        overrides::request(tx, &item.request, OverrideStatus::Pending, now)?
    else {
        report.overrides.count(false);
        return Ok(());
    };
    if item.status != OverrideStatus::Pending {
        let by = item.decided_by.as_deref().unwrap_or(actor);
        overrides::record_import_decision(tx, &filed, item.status, by, now)?;
    }
    report.overrides.count(true);
    report.superseded += usize::from(item.status == OverrideStatus::Superseded);
    Ok(())
}

/// Whether any override, whatever its status, has the same slot, requester and replacement.
fn override_exists(conn: &Connection, new: &NewOverride) -> Result<bool> {
    let found: i64 = conn.query_row(
        "SELECT count(*) FROM overrides WHERE sprint_index = ?1 AND discipline = ?2
         AND requested_by = ?3 AND replacement_slack_id = ?4",
        params![
            new.sprint.get(),
            new.discipline.as_str(),
            new.requested_by.as_str(),
            new.replacement.as_str()
        ],
        |row| row.get(0),
    )?;
    Ok(found > 0)
}

/// Why an override cannot be imported: its sprint or discipline does not exist, or its
/// replacement is not listed in the discipline (active or not).
fn override_problem(conn: &Connection, new: &NewOverride) -> Result<Option<String>> {
    if sprints::find(conn, new.sprint)?.is_none() {
        return Ok(Some(format!("sprint {} does not exist", new.sprint)));
    }
    if disciplines::find(conn, &new.discipline)?.is_none() {
        return Ok(Some(format!("{} is not a discipline", new.discipline)));
    }
    if members::find(conn, &new.replacement, &new.discipline)?.is_none() {
        return Ok(Some(format!(
            "{} is not a member of {}",
            new.replacement, new.discipline
        )));
    }
    Ok(None)
}

/// Prefixes an input error with the item it concerns; system errors (busy, internal) pass
/// through unchanged so that busy retries still work.
fn in_item(item: String) -> impl FnOnce(StoreError) -> StoreError {
    move |error| {
        if error.is_user_error() {
            StoreError::Invalid(format!("{item}: {error}"))
        } else {
            error
        }
    }
}
