//! Coverage requests (overrides). Partial unique indexes allow at most one *pending* request per
//! (sprint, discipline, requester, replacement) and one *approved* override per slot, so
//! re-submitting is a no-op and two approved covers of one slot cannot exist. Which moves between
//! statuses are allowed is decided by `domain::request`; this module records them.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};

use super::audit::{self, AuditRecord};
use super::codec::{self, OVERRIDE_COLUMNS};
use super::disciplines;
use super::error::{Result, StoreError};
use super::{Effects, Store};
use crate::domain::{
    DisciplineKey, Override, OverrideStatus, SlackUserId, SprintIndex, clean_reason,
};

/// A coverage request to file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOverride {
    pub sprint: SprintIndex,
    pub discipline: DisciplineKey,
    /// Who the rotation has on duty for the slot now.
    pub original: Option<SlackUserId>,
    pub replacement: SlackUserId,
    pub requested_by: SlackUserId,
    pub reason: Option<String>,
}

/// What filing a request did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestOutcome {
    /// A new pending request.
    Created(Override),
    /// The identical request was already pending; nothing changed.
    AlreadyPending(Override),
    /// The same replacement is already approved for the slot; nothing changed.
    AlreadyApproved(Override),
}

impl RequestOutcome {
    pub fn request(&self) -> &Override {
        match self {
            RequestOutcome::Created(o)
            | RequestOutcome::AlreadyPending(o)
            | RequestOutcome::AlreadyApproved(o) => o,
        }
    }
}

pub(crate) fn override_json(o: &Override) -> Value {
    json!({
        "id": o.id,
        "sprint": o.sprint.get(),
        "discipline": o.discipline.as_str(),
        "original": o.original.as_ref().map(SlackUserId::as_str),
        "replacement": o.replacement.as_str(),
        "requested_by": o.requested_by.as_str(),
        "status": o.status.as_str(),
        "decided_by": o.decided_by,
        "reason": o.reason,
        "decision_reason": o.decision_reason,
        "revoked_by": o.revoked_by,
        "revoke_reason": o.revoke_reason,
    })
}

fn select(
    conn: &Connection,
    condition: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Override>> {
    let sql = format!("SELECT {OVERRIDE_COLUMNS} FROM overrides WHERE {condition}");
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(params, codec::override_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn find(conn: &Connection, id: i64) -> Result<Option<Override>> {
    let sql = format!("SELECT {OVERRIDE_COLUMNS} FROM overrides WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], codec::override_row)
        .optional()?)
}

fn require(conn: &Connection, id: i64) -> Result<Override> {
    find(conn, id)?.ok_or(StoreError::UnknownOverride(id))
}

pub(crate) fn approved_for(
    conn: &Connection,
    sprint: SprintIndex,
    discipline: &DisciplineKey,
) -> Result<Option<Override>> {
    let found = select(
        conn,
        "sprint_index = ?1 AND discipline = ?2 AND status = 'approved'",
        params![sprint.get(), discipline.as_str()],
    )?;
    Ok(found.into_iter().next())
}

fn log(
    tx: &Connection,
    action: &str,
    before: Option<&Override>,
    after: &Override,
    actor: &str,
    reason: Option<&str>,
    now: Timestamp,
) -> Result<()> {
    let record = AuditRecord {
        actor,
        action,
        entity: "override",
        entity_id: after.id.to_string(),
        before: before.map(override_json),
        after: Some(override_json(after)),
        reason,
    };
    audit::append(tx, &record, now)
}

/// The longest reason kept with a request or a decision.
pub const MAX_REASON_CHARS: usize = 500;

/// A reason as it is kept (see [`clean_reason`]: line breaks and tabs stay, other control
/// characters go), refused when it is longer than [`MAX_REASON_CHARS`].
pub(crate) fn kept_reason(reason: Option<&str>) -> Result<Option<String>> {
    let reason = reason.and_then(clean_reason);
    match reason {
        Some(reason) if reason.chars().count() > MAX_REASON_CHARS => Err(StoreError::Invalid(
            format!("a reason must be at most {MAX_REASON_CHARS} characters"),
        )),
        reason => Ok(reason),
    }
}

pub(crate) fn request(
    tx: &Connection,
    new: &NewOverride,
    status: OverrideStatus,
    now: Timestamp,
) -> Result<RequestOutcome> {
    let reason = kept_reason(new.reason.as_deref())?;
    disciplines::require(tx, &new.discipline)?;
    if let Some(approved) = approved_for(tx, new.sprint, &new.discipline)?
        .filter(|approved| approved.replacement == new.replacement)
    {
        return Ok(RequestOutcome::AlreadyApproved(approved));
    }
    // A request naming someone else waits for them first; the rest wait for an admin.
    let filed_as = if status == OverrideStatus::Proposed {
        OverrideStatus::Proposed
    } else {
        OverrideStatus::Pending
    };
    let inserted = tx.execute(
        "INSERT INTO overrides (sprint_index, discipline, original_slack_id, replacement_slack_id,
                                requested_by, status, reason, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?8, ?6, ?7)
         ON CONFLICT (sprint_index, discipline, requested_by, replacement_slack_id)
             WHERE status IN ('proposed', 'pending') DO NOTHING",
        params![
            new.sprint.get(),
            new.discipline.as_str(),
            new.original.as_ref().map(SlackUserId::as_str),
            new.replacement.as_str(),
            new.requested_by.as_str(),
            reason,
            now.as_second(),
            filed_as.as_str(),
        ],
    )?;
    let pending = select(
        tx,
        "sprint_index = ?1 AND discipline = ?2 AND requested_by = ?3 AND replacement_slack_id = ?4
         AND status IN ('proposed', 'pending')",
        params![
            new.sprint.get(),
            new.discipline.as_str(),
            new.requested_by.as_str(),
            new.replacement.as_str()
        ],
    )?
    .into_iter()
    .next()
    .ok_or_else(|| StoreError::Invalid("the request could not be filed".to_string()))?;
    if inserted == 0 && status != OverrideStatus::Approved {
        return Ok(RequestOutcome::AlreadyPending(pending));
    }
    if inserted == 1 {
        log(
            tx,
            "override.request",
            None,
            &pending,
            new.requested_by.as_str(),
            pending.reason.as_deref(),
            now,
        )?;
    }
    if status == OverrideStatus::Approved {
        if let Some(current) = approved_for(tx, new.sprint, &new.discipline)? {
            let by = new.requested_by.as_str();
            record_move(tx, &current, OverrideStatus::Superseded, by, None, now)?;
        }
        let by = new.requested_by.as_str();
        let approved = record_move(tx, &pending, OverrideStatus::Approved, by, None, now)?;
        return Ok(RequestOutcome::Created(approved));
    }
    Ok(RequestOutcome::Created(pending))
}

/// Records `before`'s move to `to`, with who moved it and why, and its audit row. The rules
/// (which moves are allowed, against the slot as it is now) are `domain::request`'s; this only
/// writes. A revocation keeps the approval's `decided_*` fields and fills `revoked_*`; a cover
/// superseded by a later decision keeps its fields as they were.
pub(crate) fn record_move(
    tx: &Connection,
    before: &Override,
    to: OverrideStatus,
    by: &str,
    reason: Option<&str>,
    now: Timestamp,
) -> Result<Override> {
    let reason = kept_reason(reason)?;
    let reason = reason.as_deref();
    match (before.status, to) {
        (_, OverrideStatus::Revoked) => tx.execute(
            "UPDATE overrides SET status = 'revoked', revoked_by = ?2, revoked_at = ?3,
                                  revoke_reason = ?4
             WHERE id = ?1",
            params![before.id, by, now.as_second(), reason],
        )?,
        (OverrideStatus::Approved, _) => tx.execute(
            "UPDATE overrides SET status = ?2 WHERE id = ?1",
            params![before.id, to.as_str()],
        )?,
        _ => tx.execute(
            "UPDATE overrides SET status = ?2, decided_by = ?3, decided_at = ?4,
                                  decision_reason = ?5
             WHERE id = ?1",
            params![before.id, to.as_str(), by, now.as_second(), reason],
        )?,
    };
    let after = require(tx, before.id)?;
    let by_asked = before.status == OverrideStatus::Proposed && by == before.asked().as_str();
    let accepted = by_asked && matches!(to, OverrideStatus::Pending | OverrideStatus::Approved);
    let refused = by_asked && to == OverrideStatus::Declined;
    let action = match to {
        _ if accepted => "override.accept",
        _ if refused => "override.refuse",
        OverrideStatus::Proposed => "override.propose",
        OverrideStatus::Approved => "override.approve",
        OverrideStatus::Declined => "override.decline",
        OverrideStatus::Cancelled => "override.cancel",
        OverrideStatus::Superseded => "override.supersede",
        OverrideStatus::Expired => "override.expire",
        OverrideStatus::Revoked => "override.revoke",
        OverrideStatus::Pending => "override.reopen",
    };
    log(tx, action, Some(before), &after, by, reason, now)?;
    Ok(after)
}

/// Gives an imported request the status the old bot had recorded; an imported approval
/// supersedes the slot's approved cover, as the newest approval did in the old bot.
pub(crate) fn record_import_decision(
    tx: &Connection,
    filed: &Override,
    status: OverrideStatus,
    by: &str,
    now: Timestamp,
) -> Result<Override> {
    if status == OverrideStatus::Approved
        && let Some(current) = approved_for(tx, filed.sprint, &filed.discipline)?
    {
        record_move(tx, &current, OverrideStatus::Superseded, by, None, now)?;
    }
    record_move(tx, filed, status, by, None, now)
}

impl Store {
    /// Files a pending request and enqueues the effects derived from the outcome, atomically.
    pub fn request_override_with(
        &self,
        new: &NewOverride,
        now: Timestamp,
        effects: Effects<'_, RequestOutcome>,
    ) -> Result<RequestOutcome> {
        self.write_with_effects(
            now,
            |tx| request(tx, new, OverrideStatus::Pending, now),
            effects,
        )
    }

    /// Files a pending request. Filing the identical pending request again, or a request that is
    /// already approved, changes nothing and says so.
    pub fn request_override(&self, new: &NewOverride, now: Timestamp) -> Result<RequestOutcome> {
        self.write(|tx| request(tx, new, OverrideStatus::Pending, now))
    }

    /// Files a request that waits for its replacement to accept it (`proposed`), or for an
    /// admin (`pending`) when `status` says so. Filing the identical open request again changes
    /// nothing and says so.
    pub fn file_override(
        &self,
        new: &NewOverride,
        status: OverrideStatus,
        now: Timestamp,
    ) -> Result<RequestOutcome> {
        self.write(|tx| request(tx, new, status, now))
    }

    /// Files and approves in one step, superseding the slot's approved cover if there is one:
    /// an admin putting someone on duty. The rules are the caller's (`coverage::set_on_duty`).
    pub fn record_approved_override(
        &self,
        new: &NewOverride,
        now: Timestamp,
    ) -> Result<RequestOutcome> {
        self.write(|tx| request(tx, new, OverrideStatus::Approved, now))
    }

    /// Records a request's move to `to` (see [`record_move`]). The rules are the caller's.
    pub fn record_override_move(
        &self,
        before: &Override,
        to: OverrideStatus,
        by: &str,
        reason: Option<&str>,
        now: Timestamp,
    ) -> Result<Override> {
        self.write(|tx| record_move(tx, before, to, by, reason, now))
    }

    /// Links requests `first` and `second` as the two halves of a swap.
    pub fn pair_swap(&self, first: i64, second: i64, now: Timestamp) -> Result<()> {
        let (first, second) = (first.min(second), first.max(second));
        self.write(|tx| {
            tx.execute(
                "INSERT INTO swap_pairs (first_id, second_id, created_at) VALUES (?1, ?2, ?3)",
                params![first, second, now.as_second()],
            )?;
            Ok(())
        })
    }

    /// The other half of the swap request `id` belongs to, if it is half of one.
    pub fn swap_partner(&self, id: i64) -> Result<Option<i64>> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT CASE WHEN first_id = ?1 THEN second_id ELSE first_id END
                     FROM swap_pairs WHERE first_id = ?1 OR second_id = ?1",
                )?
                .query_row([id], |row| row.get(0))
                .optional()?)
        })
    }

    /// The open requests (proposed or pending) for one slot, oldest first.
    pub fn open_for_slot(
        &self,
        sprint: SprintIndex,
        discipline: &DisciplineKey,
    ) -> Result<Vec<Override>> {
        self.read(|conn| {
            select(
                conn,
                "sprint_index = ?1 AND discipline = ?2 AND status IN ('proposed', 'pending')
                 ORDER BY id",
                params![sprint.get(), discipline.as_str()],
            )
        })
    }

    pub fn override_by_id(&self, id: i64) -> Result<Option<Override>> {
        self.read(|conn| find(conn, id))
    }

    /// Overrides, optionally of one status, newest sprint first then by id.
    pub fn overrides(&self, status: Option<OverrideStatus>) -> Result<Vec<Override>> {
        self.read(|conn| match status {
            Some(status) => select(
                conn,
                "status = ?1 ORDER BY sprint_index, id",
                [status.as_str()],
            ),
            None => select(conn, "1 ORDER BY sprint_index, id", []),
        })
    }

    /// The approved override for (sprint, discipline), if any.
    pub fn approved_override(
        &self,
        sprint: SprintIndex,
        discipline: &DisciplineKey,
    ) -> Result<Option<Override>> {
        self.read(|conn| approved_for(conn, sprint, discipline))
    }

    /// Every approved override of sprints `from..=to`, by sprint then id.
    pub fn approved_overrides_between(
        &self,
        from: SprintIndex,
        to: SprintIndex,
    ) -> Result<Vec<Override>> {
        self.read(|conn| {
            select(
                conn,
                "status = 'approved' AND sprint_index BETWEEN ?1 AND ?2 ORDER BY sprint_index, id",
                [from.get(), to.get()],
            )
        })
    }

    /// Every approved override of one sprint.
    pub fn approved_overrides(&self, sprint: SprintIndex) -> Result<Vec<Override>> {
        self.read(|conn| {
            select(
                conn,
                "sprint_index = ?1 AND status = 'approved'",
                [sprint.get()],
            )
        })
    }
}
