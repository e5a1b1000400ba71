//! Coverage nobody took in time. A request still waiting for the person it asks, and an offer
//! nobody volunteered for, are recalled once, a working day before their sprint's heads-up
//! (`HeadsUpSchedule::untaken_reminder_at`): the person asked gets a DM with the buttons again,
//! the triage channel a fresh post with "I'll cover". At the sprint's handoff they lapse
//! (`bot::coverage::close_stale` closes them); the requester is told there, and the admin channel
//! here, once each (idempotency keys `request:<id>:lapsed:admin`, `offer:<id>:lapsed:admin`).
//!
//! The scheduler calls [`remind`] every round and wakes at [`next_reminder`]. Reads no clock.

use jiff::Timestamp;

use super::effect::{Effect, Outgoing, items};
use crate::config::Config;
use crate::coverage::Moved;
use crate::dates::SlackDates;
use crate::domain::request::Stale;
use crate::domain::{OverrideStatus, Sprint, sprint_starts_at};
use crate::duty::Roster;
use crate::slack::blocks::Message;
use crate::slack::untaken;
use crate::store::{Offer, Result, Store};

/// The key of an offer's reminder post, also its message key (so it can be edited).
pub fn offer_reminder_key(offer: i64) -> String {
    format!("offer:{offer}:reminder")
}

/// When something waiting for `sprint` is recalled: `None` once its sprint has started, or
/// when it was filed after that moment (it is new; nothing to recall).
fn reminder_moment(
    config: &Config,
    sprint: &Sprint,
    filed_at: Timestamp,
    now: Timestamp,
) -> Option<Timestamp> {
    let team = config.team();
    let starts_at = sprint_starts_at(sprint, &team);
    if starts_at <= now {
        return None;
    }
    let at = config
        .bot
        .heads_up
        .untaken_reminder_at(&team.zone, starts_at)?;
    (filed_at < at).then_some(at)
}

/// Enqueues the reminders that are due at `now` and were not sent yet. Returns how many.
pub fn remind(store: &Store, config: &Config, now: Timestamp) -> Result<usize> {
    let team = config.team();
    let dates = SlackDates::new(&team, now);
    let roster = Roster::load(store)?;
    let mut out = Vec::new();
    for request in store.overrides(Some(OverrideStatus::Proposed))? {
        let partner = store.swap_partner(request.id)?;
        // A swap is recalled once, by its first half.
        if partner.is_some_and(|p| p < request.id) {
            continue;
        }
        let key = format!("request:{}:reminder", request.id);
        let Some(sprint) = store.sprint(request.sprint)? else {
            continue;
        };
        let due = reminder_moment(config, &sprint, request.created_at, now);
        if due.is_none_or(|at| at > now) || store.outbox_has(&key)? {
            continue;
        }
        let lapses = dates.instant(sprint_starts_at(&sprint, &team));
        let message = untaken::request_reminder(
            &request,
            partner,
            Some(&sprint),
            &roster,
            &config.bot.command,
            &lapses,
        );
        out.push(Outgoing::now(key, dm(request.asked(), &message), now));
    }
    if let Some(channel) = &config.bot.channel {
        for offer in store.open_offers()? {
            let key = offer_reminder_key(offer.id);
            let Some(sprint) = store.sprint(offer.sprint)? else {
                continue;
            };
            let due = reminder_moment(config, &sprint, offer.created_at, now);
            if due.is_none_or(|at| at > now) || store.outbox_has(&key)? {
                continue;
            }
            let lapses = dates.instant(sprint_starts_at(&sprint, &team));
            let message = untaken::offer_reminder(&offer, Some(&sprint), &roster, &dates, &lapses);
            let post = Effect::PostMessage {
                channel: channel.clone(),
                text: message.text.clone(),
                blocks: message.blocks_json(),
                message_key: Some(key.clone()),
                thread_ts: None,
            };
            out.push(Outgoing::now(key, post, now));
        }
    }
    store.enqueue(&items(&out), now)
}

/// The next moment after `now` at which a reminder falls due.
pub fn next_reminder(store: &Store, config: &Config, now: Timestamp) -> Result<Option<Timestamp>> {
    let mut waiting: Vec<(crate::domain::SprintIndex, Timestamp)> = store
        .overrides(Some(OverrideStatus::Proposed))?
        .iter()
        .map(|o| (o.sprint, o.created_at))
        .collect();
    if config.bot.channel.is_some() {
        waiting.extend(
            store
                .open_offers()?
                .iter()
                .map(|o| (o.sprint, o.created_at)),
        );
    }
    let mut next: Option<Timestamp> = None;
    for (index, filed_at) in waiting {
        let Some(sprint) = store.sprint(index)? else {
            continue;
        };
        if let Some(at) = reminder_moment(config, &sprint, filed_at, now).filter(|at| *at > now) {
            next = Some(next.map_or(at, |next| next.min(at)));
        }
    }
    Ok(next)
}

/// The admin channel's notes on the requests among `moved` that lapsed untaken and on the
/// `offers` that lapsed, for the sprints in `sprints`. Nothing without an admin channel.
pub fn lapsed_posts(
    config: &Config,
    moved: &[Moved],
    offers: &[(Offer, Option<Sprint>)],
    sprints: &[Sprint],
    roster: &Roster,
    now: Timestamp,
) -> Vec<Outgoing> {
    let Some(channel) = &config.bot.admin_channel else {
        return Vec::new();
    };
    let post = |key: String, message: Message| {
        let effect = Effect::PostMessage {
            channel: channel.clone(),
            text: message.text.clone(),
            blocks: message.blocks_json(),
            message_key: None,
            thread_ts: None,
        };
        Outgoing::now(key, effect, now)
    };
    let mut out = Vec::new();
    for m in moved.iter().filter(|m| m.closed == Some(Stale::Untaken)) {
        let request = &m.after;
        let sprint = sprints.iter().find(|s| s.index == request.sprint);
        let partner = moved
            .iter()
            .find(|other| {
                other.closed
                    == Some(Stale::PairBroken {
                        partner: request.id,
                    })
            })
            .map(|other| other.after.id);
        let message = untaken::request_lapsed(request, partner, sprint, roster);
        out.push(post(
            format!("request:{}:lapsed:admin", request.id),
            message,
        ));
    }
    for (offer, sprint) in offers {
        let message = untaken::offer_lapsed(offer, sprint.as_ref(), roster);
        out.push(post(format!("offer:{}:lapsed:admin", offer.id), message));
    }
    out
}

/// The edit of an offer's reminder post to `message` (the offer's state now); for offers whose
/// reminder was posted (see [`offer_reminder_key`]).
pub fn reminder_update(offer: &Offer, message: &Message, now: Timestamp) -> Outgoing {
    let key = offer_reminder_key(offer.id);
    let update = Effect::UpdateMessage {
        message_key: key.clone(),
        text: message.text.clone(),
        blocks: message.blocks_json(),
    };
    let key = format!("{key}:{}:update", offer.status.as_str());
    Outgoing::now(key, update, now)
}

fn dm(user: &crate::domain::SlackUserId, message: &Message) -> Effect {
    Effect::DirectMessage {
        user: user.to_string(),
        text: message.text.clone(),
        blocks: message.blocks_json(),
    }
}
