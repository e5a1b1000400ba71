//! Offers to volunteers in Slack's words: the triage channel's post offering a shift (and its
//! later states: taken, lapsed), the answer to the volunteer who took it, why a click was
//! refused, and the DM when an offer lapsed. Rendering only: the offer itself is
//! `coverage`'s.

use crate::coverage::{DecisionOutcome, OfferError};
use crate::dates::SlackDates;
use crate::domain::{OverrideStatus, Sprint};
use crate::duty::Roster;
use crate::store::{Offer, OfferStatus};

use super::blocks::{
    Message, VOLUNTEER, actions, button, context, discipline_name, mention, section, sprint_label,
};
use super::decisions::{slot, stale_words};
use super::text;

/// The triage channel's post offering a shift to volunteers, and its later states.
pub fn offer_post(
    offer: &Offer,
    sprint: Option<&Sprint>,
    roster: &Roster,
    dates: &SlackDates,
) -> Message {
    let days = sprint.map_or(String::new(), |s| {
        format!(" ({})", dates.span(s.start, s.end))
    });
    let what = format!(
        "*{}* in {}{days}",
        discipline_name(roster, &offer.discipline),
        sprint_label(sprint)
    );
    let reason = offer
        .reason
        .as_deref()
        .map_or(String::new(), |r| format!("\nReason: {}", text::reason(r)));
    let text = format!(
        "{} asks for someone to cover {what}.{reason}",
        mention(&offer.requested_by)
    );
    let state = match (offer.status, &offer.taken_by) {
        (OfferStatus::Open, _) => return open_offer(text, offer, roster),
        (OfferStatus::Taken, Some(by)) => format!(
            "Taken by {} (request #{}).",
            mention(by),
            offer.request.unwrap_or_default()
        ),
        (OfferStatus::Expired, _) => "Nobody took it before the sprint started.".to_string(),
        (status, _) => format!("Offer #{} is {}.", offer.id, status.as_str()),
    };
    Message {
        blocks: vec![section(&text), context(&state)],
        text: format!("{text} {state}"),
    }
}

/// An open offer's message: `text`, the "I'll cover" button and who may take it.
pub(super) fn open_offer(text: String, offer: &Offer, roster: &Roster) -> Message {
    Message {
        blocks: vec![
            section(&text),
            actions(vec![button(
                "I'll cover",
                VOLUNTEER,
                &offer.id.to_string(),
                Some("primary"),
            )]),
            context(&format!(
                "Offer #{}: the first member of {} who is not on duty then takes it.",
                offer.id,
                discipline_name(roster, &offer.discipline)
            )),
        ],
        text,
    }
}

/// The reply to the volunteer who took an offer: the shift is theirs to cover, and what
/// happens next.
pub fn volunteered(offer: &Offer, outcome: &DecisionOutcome, roster: &Roster) -> Message {
    let o = &outcome.request;
    let next = match (&outcome.closed, o.status) {
        (Some(why), _) => format!("but it cannot go ahead: {}", stale_words(why)),
        (None, OverrideStatus::Approved) => format!(
            "and it is approved, as *{}* needs no admin's approval for it",
            discipline_name(roster, &o.discipline)
        ),
        _ => "An admin will approve or decline it, and you will get a DM either way".to_string(),
    };
    let separator = if outcome.closed.is_none() && o.status == OverrideStatus::Pending {
        ". "
    } else {
        ", "
    };
    Message::text(format!(
        "You took offer #{}: you cover {} for {} (request #{}){separator}{next}.",
        offer.id,
        slot(o, outcome.sprint.as_ref(), roster),
        mention(&o.requested_by),
        o.id
    ))
}

/// Why a volunteer could not take an offer, for them.
pub fn offer_refusal(error: &OfferError) -> String {
    match error {
        OfferError::Taken { by: Some(by), .. } => {
            format!(
                "Too late: {} took this shift first. Nothing changed.",
                mention(by)
            )
        }
        OfferError::Taken { .. } => "Too late: someone took this shift first.".to_string(),
        OfferError::Closed { status, .. } => format!("This offer is {status}; nothing changed."),
        OfferError::ChangedHands { holder, .. } => {
            let now = holder
                .as_ref()
                .map_or("nobody is on duty for it now".to_string(), |h| {
                    format!("{} is on duty for it now", mention(h))
                });
            format!(
                "This shift has changed hands since it was offered ({now}), so the offer no longer holds. Nothing changed."
            )
        }
        OfferError::NotEligible { why, .. } => {
            let why = why.replace("their own", "your own");
            format!("You cannot take this shift ({why}). Nothing changed.")
        }
    }
}

/// The DM to the person who offered a shift nobody took.
pub fn offer_expired(offer: &Offer, sprint: Option<&Sprint>, roster: &Roster) -> Message {
    let stays = match &offer.original {
        Some(holder) if *holder == offer.requested_by => "you are still on duty for it".to_string(),
        Some(holder) => format!("{} is still on duty for it", mention(holder)),
        None => "nobody covers it".to_string(),
    };
    Message::text(format!(
        "Nobody volunteered to cover *{}* in {} (offer #{}) in time, so {stays}. Ask someone directly with `/triage cover`, or an admin.",
        discipline_name(roster, &offer.discipline),
        sprint_label(sprint),
        offer.id
    ))
}
