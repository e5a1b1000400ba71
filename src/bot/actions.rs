//! Interactions: button clicks, the coverage modal's submission and menu option requests.
//!
//! A click is acked once its decision is committed; the private answer to it (through its
//! `response_url`) and any modal it opens follow the ack. Approve and Decline check admin rights
//! here, whoever could see the button.

use serde_json::Value;

use super::{Bot, BotError};
use super::{away, confirm, coverage, notes};
use crate::domain::SlackUserId;
use crate::domain::request::Action;
use crate::slack::absence::{self, ADD_AWAY, REMOVE_AWAY};
use crate::slack::blocks::{
    self, ACCEPT, APPROVE, APPROVE_CONFIRMED, CANCEL, COVER_SHIFT, DECLINE, Message, REFUSE,
    VOLUNTEER,
};
use crate::slack::interaction::{self, BlockAction, ViewSubmission};
use crate::slack::notes::{LEAVE_NOTE, NOTE_CALLBACK};
use crate::slack::{Envelope, Handled, views};

/// Handles an interactive envelope; the reply goes in the ack when the envelope takes one.
pub async fn handle(bot: &Bot, envelope: &Envelope) -> Handled {
    if let Some(action) = envelope.block_action() {
        return click(bot, action).await;
    }
    if let Some(submission) = envelope.view_submission() {
        return submit(bot, submission).await.into();
    }
    if envelope.block_suggestion().is_some() {
        // Every menu is a static select; nothing to suggest.
        return Some(interaction::options(&[])).into();
    }
    Handled::default()
}

/// Decides a click (committed before the ack); what the person is told follows the ack.
async fn click(bot: &Bot, action: BlockAction) -> Handled {
    let Ok(user) = SlackUserId::parse(&action.user) else {
        return Handled::default();
    };
    let verdict = match action.action_id.as_str() {
        ACCEPT | VOLUNTEER => Action::Accept,
        REFUSE => Action::Refuse,
        APPROVE | APPROVE_CONFIRMED => Action::Approve,
        DECLINE => Action::Decline,
        CANCEL => Action::Cancel,
        COVER_SHIFT => {
            let bot = bot.clone();
            return after_ack(async move {
                let trigger = action.trigger_id.clone().unwrap_or_default();
                let value = Some(action.value.clone());
                if let Some(message) = coverage::open_modal(&bot, user, trigger, value).await {
                    answer(&bot, &action, &message).await;
                }
            });
        }
        LEAVE_NOTE => {
            let bot = bot.clone();
            return after_ack(async move {
                let trigger = action.trigger_id.clone().unwrap_or_default();
                let value = action.value.clone();
                if let Some(message) = notes::open_modal(&bot, user, trigger, value).await {
                    answer(&bot, &action, &message).await;
                }
            });
        }
        ADD_AWAY => {
            let bot = bot.clone();
            return after_ack(async move {
                let trigger = action.trigger_id.clone().unwrap_or_default();
                if let Some(message) = away::open_modal(&bot, &trigger).await {
                    answer(&bot, &action, &message).await;
                }
            });
        }
        REMOVE_AWAY => {
            let message = match action.value.parse::<i64>() {
                Ok(id) => bot
                    .run(user, move |ctx| away::remove(ctx, id))
                    .await
                    .unwrap_or_else(BotError::into_message),
                Err(_) => blocks::refusal("that button names no absence"),
            };
            let bot = bot.clone();
            return after_ack(async move { answer(&bot, &action, &message).await });
        }
        other => {
            tracing::debug!(action_id = other, "ignoring a click on an unknown button");
            return Handled::default();
        }
    };
    // An approval that gives someone double or back-to-back duty waits for Approve anyway.
    let confirmed = action.action_id == APPROVE_CONFIRMED;
    let message = match action.value.parse::<i64>() {
        Ok(id) if action.action_id == VOLUNTEER => bot
            .run(user, move |ctx| coverage::volunteer(ctx, id))
            .await
            .unwrap_or_else(BotError::into_message),
        Ok(id) => bot
            .run(user, move |ctx| match verdict {
                Action::Approve => confirm::approve(ctx, id, confirmed),
                verdict => coverage::decide(ctx, id, verdict, None),
            })
            .await
            .unwrap_or_else(BotError::into_message),
        Err(_) => blocks::refusal("that button names no request"),
    };
    let bot = bot.clone();
    after_ack(async move { answer(&bot, &action, &message).await })
}

fn after_ack(work: impl Future<Output = ()> + Send + 'static) -> Handled {
    Handled {
        reply: None,
        after_ack: Some(Box::pin(work)),
    }
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
    if submission.callback_id == absence::AWAY_CALLBACK {
        return submit_away(bot, submission).await;
    }
    if submission.callback_id == NOTE_CALLBACK {
        return submit_note(bot, submission).await;
    }
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

/// The time-away form submitted: the absence is recorded (the person gets a DM about it), or
/// the form keeps its errors.
async fn submit_away(bot: &Bot, submission: ViewSubmission) -> Option<Value> {
    let Ok(user) = SlackUserId::parse(&submission.user) else {
        return None;
    };
    let from = submission.value(absence::FROM_INPUT, absence::FROM_INPUT);
    let to = submission.value(absence::TO_INPUT, absence::TO_INPUT);
    let reason = submission.value(absence::REASON_INPUT, absence::REASON_INPUT);
    let result = bot
        .run(user, move |ctx| away::submit_modal(ctx, from, to, reason))
        .await;
    match result {
        Ok(()) => None,
        Err(errors) => Some(interaction::view_errors(&errors)),
    }
}

/// The handoff-note form submitted: the notes are kept (Home shows them), or the form keeps its
/// errors.
async fn submit_note(bot: &Bot, submission: ViewSubmission) -> Option<Value> {
    let user = SlackUserId::parse(&submission.user).ok()?;
    let result = bot
        .run(user, move |ctx| notes::submit_modal(ctx, &submission))
        .await;
    match result {
        Ok(()) => None,
        Err(errors) => Some(interaction::view_errors(&errors)),
    }
}
