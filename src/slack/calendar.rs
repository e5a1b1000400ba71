//! Wording for calendar feeds: the reply that shows a feed's address (once, with how to
//! subscribe), and the one that says a feed exists when its address can no longer be shown.

use super::blocks::Message;
use super::text::escape;
use crate::dates::SlackDates;
use crate::domain::calendar::FeedSubject;

/// Where the address goes in each calendar app.
const HOW_TO_SUBSCRIBE: &str = "• Apple Calendar: File → New Calendar Subscription\n\
    • Thunderbird: New Calendar → On the Network\n\
    • Outlook: Add calendar → Subscribe from web\n\
    • Google Calendar: Other calendars → From URL (only for an https address)";

/// The reply showing `url`, the feed's new address; `reset` when it replaced an old one.
pub fn shown(subject: &FeedSubject, url: &str, reset: bool) -> Message {
    let whose = match subject {
        FeedSubject::Team => "The team's calendar feed",
        FeedSubject::Person(_) => "Your calendar feed",
    };
    let what = if reset {
        format!("{whose} has a new address; the old one no longer works.")
    } else {
        format!("{whose} is ready.")
    };
    Message::text(format!(
        "{what} Subscribe to it in your calendar app. The address is shown only this once and \
         is not kept, and anyone who has it can read the feed, so keep it to yourself:\n\
         `{}`\n{HOW_TO_SUBSCRIBE}",
        escape(url)
    ))
}

/// The reply when the feed exists since `since` (a day), its address already shown.
pub fn exists(
    subject: &FeedSubject,
    since: jiff::civil::Date,
    dates: &SlackDates,
    command: &str,
) -> Message {
    let since = dates.day(since);
    Message::text(match subject {
        FeedSubject::Person(_) => format!(
            "Your calendar feed exists since {since}. Its address was shown once, when it was \
             made, and is not kept. `{command} calendar reset` makes a new address and ends the \
             old one."
        ),
        FeedSubject::Team => format!(
            "The team's calendar feed exists since {since}. Its address was shown once, when \
             it was made, and is not kept: ask whoever subscribed to it, or an admin for a new \
             one (`{command} calendar team reset`, which ends the old one)."
        ),
    })
}
