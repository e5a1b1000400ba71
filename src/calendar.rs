//! Calendar feeds as the bot, the command line and the HTTP listener share them: making and
//! resetting a feed's private address, and the feed's text for a token.
//!
//! A token is 32 random bytes (`ring`'s system generator), written in URL-safe base64. Only its
//! SHA-256 is stored; the token itself exists in the answer that shows it once, and nowhere
//! else (not in the outbox, the audit log or a log line). The events come from the same
//! builders as `who` and `schedule` (`duty::sprint_duties`, after recording started sprints), so
//! covers, swaps, away swaps and the rotation agree with the rest of the bot. The horizon: the
//! sprints that started in the past year, every planned sprint, and, with a cadence, the sprints
//! it will add up to a year ahead (projected as the plan's extension will make them).

pub mod http;

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

use crate::domain::cadence::{Cadence, sprints_to_append};
use crate::domain::calendar::{
    FeedSlot, FeedSubject, FeedToken, SprintSlots, TOKEN_BYTES, calendar_name, feed_events,
};
use crate::domain::{Source, Sprint, Team, ical};
use crate::duty::{self, Roster, SprintDuty};
use crate::store::{CalendarFeed, FeedCreation, Store, StoreError};

/// How far back the feed reaches: sprints that started within this many days.
pub const PAST_DAYS: i64 = 366;

/// With a cadence, the feed lists the sprints it will add at least this many days ahead.
pub const AHEAD_DAYS: i64 = 366;

/// The actor recorded for turns the feed's recording writes.
const ACTOR: &str = "rotation";

/// Why a feed could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    /// The system's random generator failed; nothing was stored.
    #[error("could not make a private address just now, nothing was changed; try again")]
    NoRandomness,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl crate::store::TransactionError for CalendarError {
    fn is_busy(&self) -> bool {
        matches!(self, CalendarError::Store(error) if error.is_busy())
    }
}

/// What asking for a feed's address gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// A new feed: its token, to show once.
    New(FeedToken),
    /// The feed existed; its address was shown when it was made and cannot be shown again.
    Existing(CalendarFeed),
}

/// A fresh random token.
pub fn new_token() -> Result<FeedToken, CalendarError> {
    use ring::rand::{SecureRandom, SystemRandom};
    let mut bytes = [0u8; TOKEN_BYTES];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| CalendarError::NoRandomness)?;
    Ok(FeedToken::from_bytes(&bytes))
}

/// The SHA-256 of `token`'s text, in lowercase hex: what the store keeps.
pub fn token_hash(token: &FeedToken) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, token.as_str().as_bytes());
    data_encoding::HEXLOWER.encode(digest.as_ref())
}

/// `subject`'s feed: made now (with its token) when it has none, else the one it has.
pub fn open(
    store: &Store,
    subject: &FeedSubject,
    actor: &str,
    now: Timestamp,
) -> Result<Opened, CalendarError> {
    if let Some(existing) = store.calendar_feed(subject)? {
        return Ok(Opened::Existing(existing));
    }
    let token = new_token()?;
    Ok(
        match store.create_calendar_feed(subject, &token_hash(&token), actor, now)? {
            FeedCreation::Created(_) => Opened::New(token),
            FeedCreation::Exists(existing) => Opened::Existing(existing),
        },
    )
}

/// Gives `subject`'s feed a new token (making the feed when it has none); the old address
/// stops working at once.
pub fn reset(
    store: &Store,
    subject: &FeedSubject,
    actor: &str,
    now: Timestamp,
) -> Result<FeedToken, CalendarError> {
    let token = new_token()?;
    store.reset_calendar_feed(subject, &token_hash(&token), actor, now)?;
    Ok(token)
}

/// The feed `token_text` opens, as iCalendar text; `None` when it is no token of a feed (a
/// malformed one is never looked up).
pub fn feed_text(
    store: &Store,
    team: &Team,
    token_text: &str,
    now: Timestamp,
) -> Result<Option<String>, StoreError> {
    let Some(token) = FeedToken::parse(token_text) else {
        return Ok(None);
    };
    let Some(feed) = store.calendar_feed_by_hash(&token_hash(&token))? else {
        return Ok(None);
    };
    render(store, team, &feed.subject, now).map(Some)
}

/// `subject`'s feed as iCalendar text at `now`.
pub fn render(
    store: &Store,
    team: &Team,
    subject: &FeedSubject,
    now: Timestamp,
) -> Result<String, StoreError> {
    duty::record_started_turns(store, team, now, ACTOR)?;
    store.snapshot(|store| {
        let roster = Roster::load(store)?;
        let duties = horizon_duties(store, team, &roster, now)?;
        let sprints = duties
            .iter()
            .map(|duty| sprint_slots(store, &roster, duty))
            .collect::<Result<Vec<_>, _>>()?;
        let person = match subject {
            FeedSubject::Person(id) => roster.name_of(id),
            FeedSubject::Team => None,
        };
        let events = feed_events(subject, &sprints, None);
        Ok(ical::render(&calendar_name(subject, person), &events, now))
    })
}

/// Who is on duty in every sprint of the feed's horizon, in order: the live sprints that
/// started in the past [`PAST_DAYS`] or later, then the cadence's projection.
pub fn horizon_duties(
    store: &Store,
    team: &Team,
    roster: &Roster,
    now: Timestamp,
) -> Result<Vec<SprintDuty>, StoreError> {
    let today = duty::local_date(team, now);
    let since = today.checked_sub(PAST_DAYS.days()).unwrap_or(Date::MIN);
    let mut sprints = store.sprints_starting(Some(since), Date::MAX)?;
    sprints.extend(projected_sprints(store, team, now)?);
    duty::sprint_duties(store, team, roster, &sprints)
}

/// The sprints the cadence will append (after the last planned one) so that the plan reaches
/// at least [`AHEAD_DAYS`] ahead; none without a cadence.
fn projected_sprints(
    store: &Store,
    team: &Team,
    now: Timestamp,
) -> Result<Vec<Sprint>, StoreError> {
    let Some(cadence) = store.cadence()? else {
        return Ok(Vec::new());
    };
    let ahead = Cadence {
        horizon_days: cadence.horizon_days.max(AHEAD_DAYS),
        ..cadence
    };
    Ok(sprints_to_append(
        &ahead,
        store.last_sprint()?.as_ref(),
        team,
        now,
    ))
}

/// `duty` as the feed shows it: names, and whom each approved cover is for.
fn sprint_slots(
    store: &Store,
    roster: &Roster,
    duty: &SprintDuty,
) -> Result<SprintSlots, StoreError> {
    let covered = duty
        .assignments
        .iter()
        .any(|a| a.source == Source::Override);
    let overrides = if covered {
        store.approved_overrides(duty.sprint.index)?
    } else {
        Vec::new()
    };
    let name =
        |id: &crate::domain::SlackUserId| roster.name_of(id).map_or(id.to_string(), str::to_string);
    let slots = duty
        .assignments
        .iter()
        .map(|a| FeedSlot {
            discipline: a.discipline.clone(),
            discipline_name: roster
                .discipline(&a.discipline)
                .map_or(a.discipline.to_string(), |d| d.name.clone()),
            person: a.slack_id.clone(),
            person_name: a.slack_id.as_ref().map(name),
            covering_for: (a.source == Source::Override)
                .then(|| overrides.iter().find(|o| o.discipline == a.discipline))
                .flatten()
                .and_then(|o| o.original.as_ref())
                .filter(|original| a.slack_id.as_ref() != Some(*original))
                .map(name),
        })
        .collect();
    Ok(SprintSlots {
        sprint: duty.sprint.clone(),
        slots,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_ne!(a, b);
        assert_eq!(FeedToken::parse(a.as_str()), Some(a.clone()));
        let hash = token_hash(&a);
        assert_eq!(hash.len(), 64);
        assert!(!hash.contains(a.as_str()));
        assert_eq!(hash, token_hash(&a));
        assert_ne!(hash, token_hash(&b));
        // 32 zero bytes are 43 `A`s; their SHA-256 as Python's hashlib gives it.
        let zeros = FeedToken::from_bytes(&[0; TOKEN_BYTES]);
        assert_eq!(zeros.as_str(), "A".repeat(43));
        assert_eq!(
            token_hash(&zeros),
            "0f007385b6f9d4b7eeb2748605afe1a984a0a3bfa3f014d09e2a784ce9e5cd1a"
        );
    }
}
