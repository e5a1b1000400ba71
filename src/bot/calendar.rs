//! `/triage calendar [team] [reset]`: a calendar feed's private address, shown once.
//!
//! The address goes back in the command's ephemeral ack only: never through the outbox (a DM
//! is stored until it is sent), never into the audit log or a log line. A person's feed is for
//! people in a rotation (a member of a discipline, active or not, or its fallback); anyone may
//! have the team's address, and only admins may reset it. A refusal changes nothing.

use super::{BotError, Context};
use crate::calendar::{self, CalendarError, Opened};
use crate::domain::calendar::{FeedSubject, FeedToken, feed_path};
use crate::duty::{Roster, local_date};
use crate::slack::blocks::Message;
use crate::slack::calendar as wording;

impl From<CalendarError> for BotError {
    fn from(error: CalendarError) -> BotError {
        match error {
            CalendarError::NoRandomness => {
                tracing::error!("the system's random generator failed");
                BotError::Refused(error.to_string())
            }
            CalendarError::Store(error) => error.into(),
        }
    }
}

/// Shows the feed's address when it is new or `reset`, else says since when it exists.
pub fn run(ctx: Context<'_>, team: bool, reset: bool) -> Result<Message, BotError> {
    let base = ctx
        .config
        .feed_base()
        .map_err(|error| BotError::Refused(error.to_string()))?;
    let subject = if team {
        FeedSubject::Team
    } else {
        FeedSubject::Person(ctx.user.clone())
    };
    if team && reset {
        let what = "reset the team's calendar address";
        ctx.require_admin("calendar_feed.reset", "calendar_feed", "team", what)?;
    }
    if !team {
        in_a_rotation(&ctx)?;
    }
    let actor = ctx.user.as_str();
    let url = |token: &FeedToken| format!("{base}{}", feed_path(token));
    if reset {
        let token = calendar::reset(ctx.store, &subject, actor, ctx.now)?;
        return Ok(wording::shown(&subject, &url(&token), true));
    }
    Ok(match calendar::open(ctx.store, &subject, actor, ctx.now)? {
        Opened::New(token) => wording::shown(&subject, &url(&token), false),
        Opened::Existing(feed) => {
            let since = local_date(&ctx.config.team(), feed.created_at);
            wording::exists(&subject, since, &ctx.dates(), &ctx.config.bot.command)
        }
    })
}

/// Passes when the person is in a discipline (active or not) or is one's fallback.
fn in_a_rotation(ctx: &Context<'_>) -> Result<(), BotError> {
    let roster = Roster::load(ctx.store)?;
    let listed = roster.members.iter().any(|m| &m.slack_id == ctx.user)
        || roster
            .disciplines
            .iter()
            .any(|d| d.fallback.as_ref() == Some(ctx.user));
    if listed {
        return Ok(());
    }
    Err(BotError::Refused(format!(
        "you are in no rotation, so there are no duties of yours to put in a calendar; `{} calendar team` gives the team's",
        ctx.config.bot.command
    )))
}
