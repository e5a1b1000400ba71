//! Interactions: button clicks, the coverage modal's submission and menu option requests.
//!
//! Buttons are acked before this runs, so answers to a click go to its `response_url` as an
//! ephemeral message. Approve and Decline check admin rights here, whoever could see the button.

use serde_json::Value;

use super::coverage::{self, Verdict};
use super::{Bot, BotError};
use crate::domain::SlackUserId;
use crate::slack::blocks::{self, APPROVE, CANCEL, COVER_SHIFT, DECLINE, Message};
use crate::slack::interaction::{self, BlockAction, ViewSubmission};
use crate::slack::{Envelope, views};

/// Handles an interactive envelope; the value goes in the ack when it takes one.
pub async fn handle(bot: &Bot, envelope: &Envelope) -> Option<Value> {
    if let Some(action) = envelope.block_action() {
        click(bot, action).await;
        return None;
    }
    if let Some(submission) = envelope.view_submission() {
        return submit(bot, submission).await;
    }
    if envelope.block_suggestion().is_some() {
        // Every menu is a static select; nothing to suggest.
        return Some(interaction::options(&[]));
    }
    None
}

async fn click(bot: &Bot, action: BlockAction) {
    let Ok(user) = SlackUserId::parse(&action.user) else {
        return;
    };
    let verdict = match action.action_id.as_str() {
        APPROVE => Verdict::Approve,
        DECLINE => Verdict::Decline,
        CANCEL => Verdict::Cancel,
        COVER_SHIFT => {
            let trigger = action.trigger_id.clone().unwrap_or_default();
            let value = Some(action.value.clone());
            if let Some(message) = coverage::open_modal(bot, user, trigger, value).await {
                answer(bot, &action, &message).await;
            }
            return;
        }
        other => {
            tracing::debug!(action_id = other, "ignoring a click on an unknown button");
            return;
        }
    };
    let Ok(id) = action.value.parse::<i64>() else {
        answer(
            bot,
            &action,
            &blocks::refusal("that button names no request"),
        )
        .await;
        return;
    };
    let result = bot
        .run(user, move |ctx| coverage::decide(ctx, id, verdict, None))
        .await;
    let message = result.unwrap_or_else(BotError::into_message);
    answer(bot, &action, &message).await;
}

/// Tells the person who clicked, privately, when the click came with a `response_url`.
async fn answer(bot: &Bot, action: &BlockAction, message: &Message) {
    let Some(url) = &action.response_url else {
        return;
    };
    let body = interaction::ephemeral_follow_up(message);
    if let Err(error) = bot.api.post_to_response_url(url, &body).await {
        tracing::warn!(%error, "could not answer a button click");
    }
}

async fn submit(bot: &Bot, submission: ViewSubmission) -> Option<Value> {
    if submission.callback_id != views::COVER_CALLBACK {
        return None;
    }
    let Ok(user) = SlackUserId::parse(&submission.user) else {
        return None;
    };
    let shift = submission.value(views::SHIFT_INPUT, views::SHIFT_INPUT);
    let replacement = submission.value(views::REPLACEMENT_INPUT, views::REPLACEMENT_INPUT);
    let reason = submission.value(views::REASON_INPUT, views::REASON_INPUT);
    let result = bot
        .run(user, move |ctx| {
            coverage::submit_modal(ctx, shift, replacement, reason)
        })
        .await;
    match result {
        Ok(()) => None,
        Err(errors) => Some(interaction::view_errors(&errors)),
    }
}
