//! `calendar <U…|team> [--reset]`: makes a calendar feed and prints its private address, once;
//! for a feed that exists already, says since when and how to get a new address. The same
//! rules as `/triage calendar` (`calendar::open` and `calendar::reset`), without the Slack side.

use crate::app::{self, UsageError};
use crate::calendar::{self, Opened};
use crate::config::Config;
use crate::dates::CliDates;
use crate::domain::SlackUserId;
use crate::domain::calendar::{FeedSubject, feed_path};

pub fn run(config: &Config, subject: &str, reset: bool, by: &str) -> anyhow::Result<()> {
    let subject = parse_subject(subject)?;
    let base = config
        .feed_base()
        .map_err(|error| UsageError(error.to_string()))?;
    let store = app::open_store(config)?;
    let now = config.now();
    let token = if reset {
        calendar::reset(&store, &subject, by, now)?
    } else {
        match calendar::open(&store, &subject, by, now)? {
            Opened::New(token) => token,
            Opened::Existing(feed) => {
                let since = CliDates::new(&config.team()).instant(feed.created_at);
                outln!(
                    "the calendar feed of {} exists since {since}; its address was shown once and is not kept: `--reset` makes a new one and ends the old",
                    subject.key()
                );
                return Ok(());
            }
        }
    };
    outln!("{base}{}", feed_path(&token));
    Ok(())
}

fn parse_subject(text: &str) -> Result<FeedSubject, UsageError> {
    if text.trim().eq_ignore_ascii_case("team") {
        return Ok(FeedSubject::Team);
    }
    SlackUserId::parse(text)
        .map(FeedSubject::Person)
        .map_err(|_| {
            UsageError(format!(
                "expected a Slack user id (U…) or `team`, not `{text}`"
            ))
        })
}
