//! Closing what no longer holds, once a round: pending requests whose premise failed (their
//! sprint ended, the person they would replace is no longer on duty, nobody accepted before the
//! handoff) and offers nobody took before their handoff. One transaction; each person gets one
//! DM for the round, the admin channel's posts are edited.

use super::*;

/// Closes the pending requests whose premise no longer holds at `now` (their sprint ended, the
/// person they would replace is no longer on duty, …): each requester is told once and each
/// admin-channel post is edited. Returns how many were closed.
pub fn close_stale(store: &Store, config: &Config, now: Timestamp) -> Result<usize, StoreError> {
    let team = config.team();
    let roster = Roster::load(store)?;
    let dates = SlackDates::new(&team, now);
    let mut reminded = Vec::new();
    for offer in store.open_offers()? {
        if store.outbox_has(&untaken::offer_reminder_key(offer.id))? {
            reminded.push(offer.id);
        }
    }
    // The posts of each lapsed offer; the DMs to people come below, one per person.
    let offer_posts = |offer: &Offer| {
        let sprint = store.sprint(offer.sprint).ok().flatten();
        let message = crate::slack::offers::offer_post(offer, sprint.as_ref(), &roster, &dates);
        let update = Effect::UpdateMessage {
            message_key: offer_message_key(offer.id),
            text: message.text.clone(),
            blocks: message.blocks_json(),
        };
        let mut out = vec![Outgoing::now(
            format!("offer:{}:expired:update", offer.id),
            update,
            now,
        )];
        if reminded.contains(&offer.id) {
            out.push(untaken::reminder_update(offer, &message, now));
        }
        let lapsed = [(offer.clone(), sprint)];
        out.extend(untaken::lapsed_posts(
            config,
            &[],
            &lapsed,
            &[],
            &roster,
            now,
        ));
        items(&out)
    };
    let closed = store.transaction(|store| -> Result<usize, StoreError> {
        let expired = coverage::expire_offers(store, &team, now, &offer_posts)?;
        let moved = coverage::close_stale_requests(store, &team, now, &no_effects)?;
        let mut sprints = Vec::new();
        for index in moved.iter().map(|m| m.after.sprint) {
            sprints.extend(store.sprint(index)?);
        }
        let mut out = closing_dms(&moved, &expired, &sprints, store, &roster, now)?;
        out.extend(untaken::lapsed_posts(
            config,
            &moved,
            &[],
            &sprints,
            &roster,
            now,
        ));
        for m in &moved {
            let sprint = sprints.iter().find(|s| s.index == m.after.sprint);
            if store.outbox_has(&format!("request:{}:admin-post", m.after.id))? {
                let partner = store.swap_partner(m.after.id)?;
                out.push(card_update(config, now, &m.after, sprint, &roster, partner));
            }
        }
        store.enqueue(&items(&out), now)?;
        Ok(moved.len() + expired.len())
    })?;
    Ok(closed)
}

/// One DM per person for a round's closings: the requests among `moved` they filed or were
/// asked to agree to, and the `expired` offers they made, together.
fn closing_dms(
    moved: &[Moved],
    expired: &[Offer],
    sprints: &[Sprint],
    store: &Store,
    roster: &Roster,
    now: Timestamp,
) -> Result<Vec<Outgoing>, StoreError> {
    let mut told: Vec<(SlackUserId, Vec<String>, Vec<String>)> = Vec::new();
    for (person, message) in decisions::closed_dms(moved, sprints, roster) {
        let key = format!("closed:{}", ids(moved, &person));
        told.push((person, vec![key], vec![message.text]));
    }
    for offer in expired {
        let sprint = store.sprint(offer.sprint)?;
        let message = crate::slack::offers::offer_expired(offer, sprint.as_ref(), roster);
        let key = format!("offer:{}:expired", offer.id);
        match told.iter_mut().find(|(p, _, _)| *p == offer.requested_by) {
            Some((_, keys, lines)) => {
                keys.push(key);
                lines.push(message.text);
            }
            None => told.push((offer.requested_by.clone(), vec![key], vec![message.text])),
        }
    }
    Ok(told
        .into_iter()
        .map(|(person, keys, lines)| {
            let key = format!("{}:dm:{person}", keys.join(":"));
            dm_at(key, &person, Message::text(lines.join("\n")), now)
        })
        .collect())
}

/// The ids of the requests among `moved` that `person` filed or was asked to agree to, joined:
/// part of a DM's idempotency key.
fn ids(moved: &[Moved], person: &SlackUserId) -> String {
    let ids: Vec<String> = moved
        .iter()
        .filter(|m| &m.after.requested_by == person || m.after.asked() == person)
        .map(|m| m.after.id.to_string())
        .collect();
    ids.join("-")
}
