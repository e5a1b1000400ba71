//! The words for coverage nobody took in time: the reminder a working day before the sprint's
//! heads-up (a DM to the person a request asks, a post in the triage channel for an offer), and
//! the admin channel's note when one lapses at its sprint's handoff. Knows nothing of the store.

use crate::dates::SlackDates;
use crate::domain::{Override, SlackUserId, Sprint};
use crate::duty::Roster;
use crate::store::Offer;

use super::blocks::{Message, discipline_name, mention, sprint_label};
use super::decisions::{asking, slot};
use super::offers::open_offer;

/// The reminder to the person request `o` asks (for a swap, `partner` is the other half): the
/// request, and that it lapses at the handoff, `lapses` (an instant in the team's words).
pub fn request_reminder(
    o: &Override,
    partner: Option<i64>,
    sprint: Option<&Sprint>,
    roster: &Roster,
    command: &str,
    lapses: &str,
) -> Message {
    let what = match partner {
        Some(partner) => format!(
            "still proposes a swap with you (requests #{} and #{partner})",
            o.id.min(partner),
            partner = o.id.max(partner)
        ),
        None => format!(
            "still asks you to cover {} (request #{})",
            slot(o, sprint, roster),
            o.id
        ),
    };
    let text = format!(
        "Reminder: {} {what}. It lapses at the handoff, {lapses}, unless you answer before then.",
        mention(&o.requested_by)
    );
    asking(text, o.id, command, "")
}

/// The reminder of an open offer, posted in the triage channel with its "I'll cover" button.
pub fn offer_reminder(
    offer: &Offer,
    sprint: Option<&Sprint>,
    roster: &Roster,
    dates: &SlackDates,
    lapses: &str,
) -> Message {
    let days = sprint.map_or(String::new(), |s| {
        format!(" ({})", dates.span(s.start, s.end))
    });
    let text = format!(
        "Still open: {} asks for someone to cover *{}* in {}{days}. Nobody has volunteered yet; the offer closes at the handoff, {lapses}.",
        mention(&offer.requested_by),
        discipline_name(roster, &offer.discipline),
        sprint_label(sprint)
    );
    open_offer(text, offer, roster)
}

/// The admin channel's note on request `o`, which nobody accepted before its sprint's handoff
/// (`partner`: the other half of a swap, which lapsed with it).
pub fn request_lapsed(
    o: &Override,
    partner: Option<i64>,
    sprint: Option<&Sprint>,
    roster: &Roster,
) -> Message {
    let swap = partner.map_or(String::new(), |p| {
        format!(", half of a swap with #{p} which lapsed with it")
    });
    Message::text(format!(
        "Request #{} lapsed{swap}: {} did not answer {}'s request to cover {} before its handoff, so {}.",
        o.id,
        mention(o.asked()),
        mention(&o.requested_by),
        slot(o, sprint, roster),
        stays(o.original.as_ref())
    ))
}

/// The admin channel's note on an offer nobody took before its sprint's handoff.
pub fn offer_lapsed(offer: &Offer, sprint: Option<&Sprint>, roster: &Roster) -> Message {
    Message::text(format!(
        "Offer #{} lapsed: nobody volunteered to cover *{}* in {} for {} before its handoff, so {}.",
        offer.id,
        discipline_name(roster, &offer.discipline),
        sprint_label(sprint),
        mention(&offer.requested_by),
        stays(offer.original.as_ref())
    ))
}

fn stays(original: Option<&SlackUserId>) -> String {
    match original {
        Some(person) => format!("{} stays on duty", mention(person)),
        None => "nobody covers it".to_string(),
    }
}
