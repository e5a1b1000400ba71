//! Reading interactions and events out of envelope payloads, and shaping ack payloads.
//!
//! Button clicks (`block_actions`), modal submissions (`view_submission`), menu option requests
//! (`block_suggestion`), `app_mention` and `app_home_opened` events become small structs with
//! the fields the bot uses. Acks are built here too, so the bot never writes Slack's field
//! names itself.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::blocks::Message;
use super::envelope::Envelope;
use super::secret::ResponseUrl;

/// A button click.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockAction {
    pub user: String,
    pub action_id: String,
    pub value: String,
    pub trigger_id: Option<String>,
    pub response_url: Option<ResponseUrl>,
}

/// A submitted modal: its `callback_id` and the state of its inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewSubmission {
    pub user: String,
    pub callback_id: String,
    /// What the app put in the view when it opened it; empty when nothing.
    pub private_metadata: String,
    values: Value,
}

impl ViewSubmission {
    /// The ids of the input blocks the submission holds values for.
    pub fn input_blocks(&self) -> Vec<String> {
        self.values
            .as_object()
            .map(|blocks| blocks.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// The value of the input `action_id` in block `block_id`: the selected option's value of a
    /// select, the day of a date picker (`YYYY-MM-DD`), or the text of a text input. `None`
    /// when empty.
    pub fn value(&self, block_id: &str, action_id: &str) -> Option<String> {
        let input = self.values.get(block_id)?.get(action_id)?;
        let value = input
            .get("selected_option")
            .and_then(|option| option.get("value"))
            .or_else(|| input.get("selected_date"))
            .or_else(|| input.get("value"))?
            .as_str()?
            .trim();
        Some(value.to_string()).filter(|v| !v.is_empty())
    }
}

/// A request for the options of an external select.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockSuggestion {
    pub user: String,
    pub action_id: String,
    pub value: String,
}

/// A message that mentions the bot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppMention {
    pub event_id: String,
    pub user: String,
    pub channel: String,
    pub text: String,
    /// The message's own `ts`: with the channel, it names the message whatever event brings it.
    pub ts: String,
    /// The thread to answer in: the mention's thread, or the mention itself.
    pub thread_ts: String,
}

impl AppMention {
    /// The words after the mention of the bot (`bot_user`; the first mention when the bot's id
    /// is not known), skipping further mentions right after it, with punctuation around each word
    /// removed: `<@UBOT>: UI, the build is red` gives `UI`, `the`, `build`, `is`, `red`.
    pub fn words_after_bot(&self, bot_user: Option<&str>) -> Vec<String> {
        let words: Vec<&str> = self.text.split_whitespace().collect();
        let is_bot =
            |word: &str| mentioned(word).is_some_and(|id| bot_user.is_none_or(|bot| id == bot));
        let Some(at) = words.iter().position(|word| is_bot(word)) else {
            return Vec::new();
        };
        words[at + 1..]
            .iter()
            .skip_while(|word| mentioned(word).is_some())
            .map(|word| {
                word.trim_matches(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
                    .to_string()
            })
            .filter(|word| !word.is_empty())
            .collect()
    }
}

/// The user id a word mentions (`<@U123>`, `<@U123|name>`, with punctuation after it), if any.
fn mentioned(word: &str) -> Option<&str> {
    let inner = word.strip_prefix("<@")?;
    let (inner, _) = inner.split_once('>')?;
    Some(inner.split('|').next().unwrap_or(inner))
}

fn text_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter()
        .try_fold(value, |value, key| value.get(key))?
        .as_str()
}

fn owned(value: &Value, path: &[&str]) -> Option<String> {
    text_at(value, path).map(str::to_string)
}

impl Envelope {
    /// The first action of a `block_actions` interaction.
    pub fn block_action(&self) -> Option<BlockAction> {
        if self.interaction_type()? != "block_actions" {
            return None;
        }
        let action = self.payload.get("actions")?.get(0)?;
        let value = owned(action, &["value"])
            .or_else(|| owned(action, &["selected_option", "value"]))
            .unwrap_or_default();
        Some(BlockAction {
            user: owned(&self.payload, &["user", "id"])?,
            action_id: owned(action, &["action_id"])?,
            value,
            trigger_id: owned(&self.payload, &["trigger_id"]),
            response_url: self.response_url(),
        })
    }

    /// A `view_submission` interaction.
    pub fn view_submission(&self) -> Option<ViewSubmission> {
        if self.interaction_type()? != "view_submission" {
            return None;
        }
        let view = self.payload.get("view")?;
        Some(ViewSubmission {
            user: owned(&self.payload, &["user", "id"])?,
            callback_id: owned(view, &["callback_id"])?,
            private_metadata: owned(view, &["private_metadata"]).unwrap_or_default(),
            values: view
                .get("state")
                .and_then(|state| state.get("values"))
                .cloned()
                .unwrap_or(Value::Null),
        })
    }

    /// A `block_suggestion` interaction.
    pub fn block_suggestion(&self) -> Option<BlockSuggestion> {
        if self.interaction_type()? != "block_suggestion" {
            return None;
        }
        Some(BlockSuggestion {
            user: owned(&self.payload, &["user", "id"])?,
            action_id: owned(&self.payload, &["action_id"])?,
            value: owned(&self.payload, &["value"]).unwrap_or_default(),
        })
    }

    /// An `app_mention` event.
    pub fn app_mention(&self) -> Option<AppMention> {
        if self.event_type()? != "app_mention" {
            return None;
        }
        let event = self.payload.get("event")?;
        let ts = owned(event, &["ts"])?;
        Some(AppMention {
            event_id: self.event_id()?.to_string(),
            user: owned(event, &["user"])?,
            channel: owned(event, &["channel"])?,
            text: owned(event, &["text"]).unwrap_or_default(),
            thread_ts: owned(event, &["thread_ts"]).unwrap_or_else(|| ts.clone()),
            ts,
        })
    }

    /// The user of an `app_home_opened` event on the Home tab.
    pub fn app_home_opened(&self) -> Option<String> {
        if self.event_type()? != "app_home_opened" {
            return None;
        }
        let event = self.payload.get("event")?;
        if text_at(event, &["tab"]).is_some_and(|tab| tab != "home") {
            return None;
        }
        owned(event, &["user"])
    }
}

/// A reply only the person who ran the command sees.
pub fn ephemeral(message: &Message) -> Value {
    with_response_type(message, "ephemeral")
}

/// A reply everyone in the channel sees.
pub fn in_channel(message: &Message) -> Value {
    with_response_type(message, "in_channel")
}

/// An ephemeral reply posted to an interaction's `response_url`, leaving the original message
/// as it is.
pub fn ephemeral_follow_up(message: &Message) -> Value {
    let mut body = ephemeral(message);
    body["replace_original"] = Value::Bool(false);
    body
}

fn with_response_type(message: &Message, response_type: &str) -> Value {
    let mut body = message.to_json();
    body["response_type"] = Value::from(response_type);
    body
}

/// The ack of a `view_submission` that keeps the modal open and shows `errors` under the
/// inputs with these block ids.
pub fn view_errors(errors: &BTreeMap<String, String>) -> Value {
    json!({ "response_action": "errors", "errors": errors })
}

/// The ack of a `block_suggestion`: options as (label, value) pairs.
pub fn options(options: &[(String, String)]) -> Value {
    let options: Vec<Value> = options
        .iter()
        .map(|(label, value)| super::blocks::option(label, value))
        .collect();
    json!({ "options": options })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slack::EnvelopeKind;

    fn envelope(kind: EnvelopeKind, payload: Value) -> Envelope {
        Envelope {
            envelope_id: "e1".into(),
            kind,
            accepts_response_payload: true,
            retry_attempt: 0,
            retry_reason: None,
            payload,
        }
    }

    #[test]
    fn reads_a_button_click() {
        let click = envelope(
            EnvelopeKind::Interactive,
            json!({"type": "block_actions", "user": {"id": "U1"}, "trigger_id": "t1",
                   "actions": [{"action_id": "approve_override", "value": "7"}]}),
        );
        let action = click.block_action().unwrap();
        assert_eq!(
            (
                action.user.as_str(),
                action.action_id.as_str(),
                action.value.as_str()
            ),
            ("U1", "approve_override", "7")
        );
        assert_eq!(action.trigger_id.as_deref(), Some("t1"));
        assert!(click.view_submission().is_none());
    }

    #[test]
    fn reads_submitted_values() {
        let submission = envelope(
            EnvelopeKind::Interactive,
            json!({"type": "view_submission", "user": {"id": "U1"},
                   "view": {"callback_id": "cover_request", "state": {"values": {
                       "shift": {"shift": {"type": "static_select", "selected_option": {"value": "3:ui"}}},
                       "reason": {"reason": {"type": "plain_text_input", "value": "  "}}}}}}),
        )
        .view_submission()
        .unwrap();
        assert_eq!(submission.callback_id, "cover_request");
        assert_eq!(submission.value("shift", "shift").as_deref(), Some("3:ui"));
        assert_eq!(submission.value("reason", "reason"), None);
        assert_eq!(submission.value("missing", "x"), None);
    }

    #[test]
    fn reads_events() {
        let mention = envelope(
            EnvelopeKind::EventsApi,
            json!({"event_id": "Ev1", "event": {"type": "app_mention", "user": "U1",
                   "channel": "C1", "text": "<@UBOT> who", "ts": "1.2"}}),
        );
        let mention = mention.app_mention().unwrap();
        assert_eq!(
            (mention.event_id.as_str(), mention.thread_ts.as_str()),
            ("Ev1", "1.2")
        );
        let home = envelope(
            EnvelopeKind::EventsApi,
            json!({"event_id": "Ev2", "event": {"type": "app_home_opened", "user": "U1", "tab": "messages"}}),
        );
        assert_eq!(home.app_home_opened(), None);
    }

    #[track_caller]
    fn check_words(text: &str, bot: Option<&str>, expected: &[&str]) {
        let mention = AppMention {
            event_id: "Ev1".into(),
            user: "U1".into(),
            channel: "C1".into(),
            text: text.into(),
            ts: "1.2".into(),
            thread_ts: "1.2".into(),
        };
        assert_eq!(mention.words_after_bot(bot), expected, "{text:?}");
    }

    #[test]
    fn the_words_after_the_bots_mention() {
        check_words(
            "<@UBOT> ui the build is red",
            Some("UBOT"),
            &["ui", "the", "build", "is", "red"],
        );
        check_words("<@UBOT|triage>: UI, red!", Some("UBOT"), &["UI", "red"]);
        check_words("hey <@UBOT> all", Some("UBOT"), &["all"]);
        check_words(
            "<@UANA> and <@UBOT> <@UBEN> be now",
            Some("UBOT"),
            &["be", "now"],
        );
        check_words("<@UANA> be now", Some("UBOT"), &[]);
        check_words("<@UANA> <@UBOT> be", None, &["be"]);
        check_words("<@UBOT>", Some("UBOT"), &[]);
        check_words("no mention", None, &[]);
    }
}
