//! Shifts offered to volunteers (`open_requests`). A partial unique index allows one open offer
//! per slot, so offering the same shift again is a no-op; taking an offer is a conditional
//! update, so of two volunteers racing for it exactly one wins.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};

use super::Store;
use super::audit::{self, AuditRecord};
use super::codec;
use super::error::{Result, StoreError};
use super::overrides::kept_reason;
use crate::domain::{DisciplineKey, SlackUserId, SprintIndex};

/// Where an offer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferStatus {
    /// Waiting for a volunteer.
    Open,
    /// A volunteer took it; their coverage request goes on from there.
    Taken,
    /// Withdrawn by the person who offered it (or an admin).
    Cancelled,
    /// Nobody took it before its sprint's handoff, or its sprint left the plan.
    Expired,
}

impl OfferStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OfferStatus::Open => "open",
            OfferStatus::Taken => "taken",
            OfferStatus::Cancelled => "cancelled",
            OfferStatus::Expired => "expired",
        }
    }

    fn parse(text: &str) -> Option<OfferStatus> {
        [
            OfferStatus::Open,
            OfferStatus::Taken,
            OfferStatus::Cancelled,
            OfferStatus::Expired,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
    }
}

/// A shift offered to volunteers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub id: i64,
    pub sprint: SprintIndex,
    pub discipline: DisciplineKey,
    /// Who was on duty for the slot when it was offered.
    pub original: Option<SlackUserId>,
    pub requested_by: SlackUserId,
    pub reason: Option<String>,
    pub status: OfferStatus,
    pub taken_by: Option<SlackUserId>,
    /// The coverage request the volunteer's taking filed.
    pub request: Option<i64>,
    pub created_at: Timestamp,
}

/// A shift to offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOffer {
    pub sprint: SprintIndex,
    pub discipline: DisciplineKey,
    pub original: Option<SlackUserId>,
    pub requested_by: SlackUserId,
    pub reason: Option<String>,
}

const COLUMNS: &str = "id, sprint_index, discipline, original_slack_id, requested_by, reason, \
                       status, taken_by, override_id, created_at";

fn row(row: &rusqlite::Row) -> rusqlite::Result<Offer> {
    let status: String = row.get("status")?;
    Ok(Offer {
        id: row.get("id")?,
        sprint: codec::index(row, "sprint_index")?,
        discipline: codec::key(row, "discipline")?,
        original: codec::opt_user(row, "original_slack_id")?,
        requested_by: codec::user(row, "requested_by")?,
        reason: row.get("reason")?,
        status: OfferStatus::parse(&status).unwrap_or(OfferStatus::Expired),
        taken_by: codec::opt_user(row, "taken_by")?,
        request: row.get("override_id")?,
        created_at: codec::timestamp(row, "created_at")?,
    })
}

fn json_of(offer: &Offer) -> Value {
    json!({
        "id": offer.id,
        "sprint": offer.sprint.get(),
        "discipline": offer.discipline.as_str(),
        "original": offer.original.as_ref().map(SlackUserId::as_str),
        "requested_by": offer.requested_by.as_str(),
        "status": offer.status.as_str(),
        "taken_by": offer.taken_by.as_ref().map(SlackUserId::as_str),
        "request": offer.request,
    })
}

fn find(conn: &Connection, id: i64) -> Result<Option<Offer>> {
    let sql = format!("SELECT {COLUMNS} FROM open_requests WHERE id = ?1");
    Ok(conn.prepare_cached(&sql)?.query_row([id], row).optional()?)
}

fn log(
    tx: &Connection,
    action: &str,
    before: Option<&Offer>,
    after: &Offer,
    actor: &str,
    now: Timestamp,
) -> Result<()> {
    let record = AuditRecord {
        actor,
        action,
        entity: "offer",
        entity_id: after.id.to_string(),
        before: before.map(json_of),
        after: Some(json_of(after)),
        reason: None,
    };
    audit::append(tx, &record, now)
}

impl Store {
    /// Offers a shift to volunteers. Returns the offer and whether it is new: the slot's open
    /// offer, if there is one already, is returned unchanged.
    pub fn offer_shift(&self, new: &NewOffer, now: Timestamp) -> Result<(Offer, bool)> {
        self.write(|tx| {
            let reason = kept_reason(new.reason.as_deref())?;
            let inserted = tx.execute(
                "INSERT INTO open_requests (sprint_index, discipline, original_slack_id,
                                            requested_by, reason, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (sprint_index, discipline) WHERE status = 'open' DO NOTHING",
                params![
                    new.sprint.get(),
                    new.discipline.as_str(),
                    new.original.as_ref().map(SlackUserId::as_str),
                    new.requested_by.as_str(),
                    reason,
                    now.as_second(),
                ],
            )?;
            let sql = format!(
                "SELECT {COLUMNS} FROM open_requests
                 WHERE sprint_index = ?1 AND discipline = ?2 AND status = 'open'"
            );
            let offer = tx
                .prepare_cached(&sql)?
                .query_row(params![new.sprint.get(), new.discipline.as_str()], row)?;
            if inserted == 1 {
                log(
                    tx,
                    "offer.open",
                    None,
                    &offer,
                    new.requested_by.as_str(),
                    now,
                )?;
            }
            Ok((offer, inserted == 1))
        })
    }

    pub fn offer(&self, id: i64) -> Result<Option<Offer>> {
        self.read(|conn| find(conn, id))
    }

    /// The offers still waiting for a volunteer, oldest first.
    pub fn open_offers(&self) -> Result<Vec<Offer>> {
        self.read(|conn| {
            let sql =
                format!("SELECT {COLUMNS} FROM open_requests WHERE status = 'open' ORDER BY id");
            let mut statement = conn.prepare_cached(&sql)?;
            let rows = statement.query_map([], row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Marks offer `id` taken by `volunteer`, whose request is `request`, if it is still open.
    /// Returns the offer as it is now and whether this call took it.
    pub fn take_offer(
        &self,
        id: i64,
        volunteer: &SlackUserId,
        request: i64,
        now: Timestamp,
    ) -> Result<(Offer, bool)> {
        self.close_offer(
            id,
            OfferStatus::Taken,
            Some((volunteer, request)),
            volunteer.as_str(),
            now,
        )
    }

    /// Ends open offer `id` as `status` (taken, cancelled or expired), audited as `actor`.
    /// Returns the offer as it is now and whether this call ended it.
    pub fn close_offer(
        &self,
        id: i64,
        status: OfferStatus,
        taken: Option<(&SlackUserId, i64)>,
        actor: &str,
        now: Timestamp,
    ) -> Result<(Offer, bool)> {
        self.write(|tx| {
            let before = find(tx, id)?.ok_or(StoreError::UnknownOffer(id))?;
            let changed = tx.execute(
                "UPDATE open_requests SET status = ?2, taken_by = ?3, override_id = ?4,
                                          closed_at = ?5
                 WHERE id = ?1 AND status = 'open'",
                params![
                    id,
                    status.as_str(),
                    taken.map(|(who, _)| who.as_str()),
                    taken.map(|(_, request)| request),
                    now.as_second(),
                ],
            )? == 1;
            let after = find(tx, id)?.ok_or(StoreError::UnknownOffer(id))?;
            if changed {
                let action = format!("offer.{}", status.as_str());
                log(tx, &action, Some(&before), &after, actor, now)?;
            }
            Ok((after, changed))
        })
    }
}
