//! Events: the App Home tab opened, and mentions of the bot.
//!
//! The Home tab is published at once through the Web API (the person is looking at it). A
//! mention is answered in its thread through the outbox, keyed `mention:<event_id>`, so a
//! redelivered event never answers twice.

use super::effect::{Effect, Outgoing, items};
use super::{Bot, BotError, Context, home};
use crate::domain::SlackUserId;
use crate::duty::{self, Roster};
use crate::slack::Envelope;
use crate::slack::blocks::{self, Message};
use crate::slack::interaction::AppMention;

/// Handles an Events API envelope (already acked and deduplicated).
pub async fn handle(bot: &Bot, envelope: &Envelope) {
    if let Some(user) = envelope.app_home_opened() {
        publish_home(bot, &user).await;
    } else if let Some(mention) = envelope.app_mention() {
        let Ok(user) = SlackUserId::parse(&mention.user) else {
            return;
        };
        if let Err(error) = bot
            .run(user, move |ctx| answer_mention(ctx, &mention))
            .await
        {
            error.into_message();
        }
    }
}

async fn publish_home(bot: &Bot, user: &str) {
    let Ok(user) = SlackUserId::parse(user) else {
        return;
    };
    let view = bot
        .run(user.clone(), |ctx| {
            home::home_view(ctx.store, ctx.config, ctx.user, ctx.now)
        })
        .await;
    match view {
        Ok(view) => {
            if let Err(error) = bot.api.publish_view(&user, &view).await {
                tracing::warn!(%error, "could not publish the App Home");
            }
        }
        Err(error) => {
            BotError::from(error).into_message();
        }
    }
}

/// Enqueues the answer to a mention: who is on duty when it asks "who", else a pointer to help.
pub fn answer_mention(ctx: Context<'_>, mention: &AppMention) -> Result<(), BotError> {
    let asks_who = mention
        .text
        .split(|c: char| !c.is_alphanumeric())
        .any(|word| word.eq_ignore_ascii_case("who"));
    let command = &ctx.config.bot.command;
    let message = if asks_who {
        let team = ctx.config.team();
        let answer = duty::duty_at(ctx.store, &team, ctx.now, ctx.now, "rotation")?;
        let roster = Roster::load(ctx.store)?;
        let who = blocks::who(&answer, &roster, &ctx.dates(), command);
        blocks::mention_reply(who, command)
    } else {
        Message::text(format!("Ask me `who`, or try `{command} help`."))
    };
    let reply = Effect::PostMessage {
        channel: mention.channel.clone(),
        text: message.text.clone(),
        blocks: message.blocks_json(),
        message_key: None,
        thread_ts: Some(mention.thread_ts.clone()),
    };
    let outgoing = Outgoing::now(format!("mention:{}", mention.event_id), reply, ctx.now);
    ctx.store.enqueue(&items(&[outgoing]), ctx.now)?;
    Ok(())
}
