//! Effects: the side effects towards Slack that decisions cause, as durable outbox items.
//!
//! An effect is plain data (serialized as JSON into the outbox payload). Block Kit, when present,
//! was rendered by `slack/` before enqueueing. Each effect travels with an idempotency key that
//! names the decision and the recipient, e.g. `handoff:12:ui:U123`, so enqueueing it twice is a
//! no-op and delivering it is done once.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::store::NewOutboxItem;

/// One side effect towards Slack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Effect {
    /// A direct message to one person.
    DirectMessage {
        user: String,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        blocks: Option<Value>,
    },
    /// A message in a channel. With `message_key`, where it landed is remembered so it can be
    /// edited later with [`Effect::UpdateMessage`].
    PostMessage {
        channel: String,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        blocks: Option<Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message_key: Option<String>,
        /// Posts as a reply in this thread.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thread_ts: Option<String>,
    },
    /// A reply in the thread of the message posted earlier under `parent_key` (in its channel);
    /// waits while that message is still in the outbox.
    ThreadReply {
        parent_key: String,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        blocks: Option<Value>,
    },
    /// Edits the message posted earlier under `message_key`.
    UpdateMessage {
        message_key: String,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        blocks: Option<Value>,
    },
    /// Sets a channel's topic.
    SetTopic { channel: String, topic: String },
    /// Brings the on-call user group(s) in line with who is on duty at delivery time.
    ReconcileUsergroups,
    /// Re-renders and publishes one person's App Home at delivery time.
    PublishHome { user: String },
}

impl Effect {
    /// A short name for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Effect::DirectMessage { .. } => "direct_message",
            Effect::PostMessage { .. } => "post_message",
            Effect::UpdateMessage { .. } => "update_message",
            Effect::ThreadReply { .. } => "thread_reply",
            Effect::SetTopic { .. } => "set_topic",
            Effect::ReconcileUsergroups => "reconcile_usergroups",
            Effect::PublishHome { .. } => "publish_home",
        }
    }
}

/// An effect with its idempotency key and timing.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub key: String,
    pub effect: Effect,
    /// Not delivered before this instant.
    pub not_before: Timestamp,
    /// Dropped (and logged) if not delivered by then.
    pub expires_at: Option<Timestamp>,
}

impl Outgoing {
    /// An effect to deliver as soon as possible.
    pub fn now(key: impl Into<String>, effect: Effect, now: Timestamp) -> Outgoing {
        Outgoing {
            key: key.into(),
            effect,
            not_before: now,
            expires_at: None,
        }
    }

    /// The outbox row for this effect.
    pub fn to_item(&self) -> NewOutboxItem {
        NewOutboxItem {
            key: self.key.clone(),
            kind: self.effect.kind().to_string(),
            payload: serde_json::to_string(&self.effect).unwrap_or_else(|_| "{}".to_string()),
            not_before: self.not_before,
            expires_at: self.expires_at,
        }
    }
}

/// Outbox rows for a list of effects.
pub fn items(outgoing: &[Outgoing]) -> Vec<NewOutboxItem> {
    outgoing.iter().map(Outgoing::to_item).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effects_round_trip_through_json() {
        let effect = Effect::PostMessage {
            channel: "C1".into(),
            text: "hi".into(),
            blocks: None,
            message_key: Some("request:3".into()),
            thread_ts: None,
        };
        let item = Outgoing::now("request:3", effect.clone(), Timestamp::UNIX_EPOCH).to_item();
        assert_eq!(
            item.payload,
            r#"{"type":"post_message","channel":"C1","text":"hi","message_key":"request:3"}"#
        );
        assert_eq!(
            serde_json::from_str::<Effect>(&item.payload).unwrap(),
            effect
        );
        assert_eq!(item.kind, "post_message");
    }
}
