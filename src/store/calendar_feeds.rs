//! Calendar feeds: one row per subject (a person, or the team) with the SHA-256 of its address's
//! token. The token itself never reaches the database, nor the audit log: a creation or reset
//! is audited with the subject and the time alone, in the same transaction.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::json;

use super::audit::{self, AuditRecord};
use super::{Result, Store, StoreError, codec};
use crate::domain::calendar::FeedSubject;

/// A feed as stored, without its token's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarFeed {
    pub subject: FeedSubject,
    /// When its current address was made.
    pub created_at: Timestamp,
    pub created_by: String,
}

/// What [`Store::create_calendar_feed`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedCreation {
    /// The feed is new, with the given hash.
    Created(CalendarFeed),
    /// The subject had a feed already; nothing changed.
    Exists(CalendarFeed),
}

impl Store {
    /// Makes `subject`'s feed with the token hashed to `token_sha256`, unless it has one.
    pub fn create_calendar_feed(
        &self,
        subject: &FeedSubject,
        token_sha256: &str,
        actor: &str,
        now: Timestamp,
    ) -> Result<FeedCreation> {
        self.write(|tx| {
            if let Some(existing) = feed_of(tx, subject)? {
                return Ok(FeedCreation::Exists(existing));
            }
            let feed = insert(tx, subject, token_sha256, actor, now)?;
            audit_feed(tx, "calendar_feed.create", &feed, None, now)?;
            Ok(FeedCreation::Created(feed))
        })
    }

    /// Gives `subject`'s feed the token hashed to `token_sha256` (making the feed if it had
    /// none), so the old address stops working at once; returns the feed it replaced.
    pub fn reset_calendar_feed(
        &self,
        subject: &FeedSubject,
        token_sha256: &str,
        actor: &str,
        now: Timestamp,
    ) -> Result<Option<CalendarFeed>> {
        self.write(|tx| {
            let before = feed_of(tx, subject)?;
            tx.execute(
                "DELETE FROM calendar_feeds WHERE subject = ?1",
                [subject.key()],
            )?;
            let feed = insert(tx, subject, token_sha256, actor, now)?;
            audit_feed(tx, "calendar_feed.reset", &feed, before.as_ref(), now)?;
            Ok(before)
        })
    }

    /// `subject`'s feed, if it has one.
    pub fn calendar_feed(&self, subject: &FeedSubject) -> Result<Option<CalendarFeed>> {
        self.read(|conn| feed_of(conn, subject))
    }

    /// The feed whose token hashes to `token_sha256`, if any.
    pub fn calendar_feed_by_hash(&self, token_sha256: &str) -> Result<Option<CalendarFeed>> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT subject, created_at, created_by FROM calendar_feeds
                     WHERE token_sha256 = ?1",
                )?
                .query_row([token_sha256], feed_from_row)
                .optional()?)
        })
    }
}

fn insert(
    tx: &Connection,
    subject: &FeedSubject,
    token_sha256: &str,
    actor: &str,
    now: Timestamp,
) -> Result<CalendarFeed> {
    let inserted = tx.execute(
        "INSERT INTO calendar_feeds (subject, token_sha256, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
        params![subject.key(), token_sha256, now.as_second(), actor],
    )?;
    if inserted == 0 {
        // Another feed has this hash: two draws of 32 random bytes never meet.
        return Err(StoreError::Invalid(
            "a calendar token is already in use".into(),
        ));
    }
    Ok(CalendarFeed {
        subject: subject.clone(),
        created_at: now,
        created_by: actor.to_string(),
    })
}

/// The audit row of a change to `feed`: the subject and when each address was made, never a
/// token or its hash.
fn audit_feed(
    tx: &Connection,
    action: &str,
    feed: &CalendarFeed,
    before: Option<&CalendarFeed>,
    now: Timestamp,
) -> Result<()> {
    let record = AuditRecord {
        actor: &feed.created_by,
        action,
        entity: "calendar_feed",
        entity_id: feed.subject.key().to_string(),
        before: before.map(|b| json!({ "created_at": b.created_at.as_second() })),
        after: Some(json!({ "created_at": feed.created_at.as_second() })),
        reason: None,
    };
    audit::append(tx, &record, now)
}

fn feed_of(conn: &Connection, subject: &FeedSubject) -> Result<Option<CalendarFeed>> {
    Ok(conn
        .prepare_cached(
            "SELECT subject, created_at, created_by FROM calendar_feeds WHERE subject = ?1",
        )?
        .query_row([subject.key()], feed_from_row)
        .optional()?)
}

fn feed_from_row(row: &Row) -> rusqlite::Result<CalendarFeed> {
    let key: String = row.get("subject")?;
    let subject = FeedSubject::from_key(&key).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("not a feed subject: {key}").into(),
        )
    })?;
    Ok(CalendarFeed {
        subject,
        created_at: codec::timestamp(row, "created_at")?,
        created_by: row.get("created_by")?,
    })
}
