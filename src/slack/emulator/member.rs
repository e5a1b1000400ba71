//! What Slack does with a member's own actions: a slash command typed (the app's is
//! delivered, another gets Slackbot's refusal), a message posted (a mention of the bot reaches
//! the app as `app_mention`), a modal submitted (the app's ack keeps, replaces or closes it) or
//! closed.
//!
//! The [`Workspace`] methods change the model with no I/O; the [`Emulator`] methods add the
//! envelopes delivered to the app.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::workspace::{Ephemeral, Message, SLACKBOT, View, Workspace};
use super::{Delivered, Emulator, lock};

/// A member's message as posted: its `ts`, and the `app_mention` delivered when it mentions
/// the bot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedByMember {
    pub ts: String,
    pub mention: Option<Delivered>,
}

/// What a member typed or chose in one input of a modal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputValue {
    /// Text typed into a text input.
    Text(String),
    /// The option with this `value`, chosen in a select or among radio buttons.
    Choice(String),
}

impl Emulator {
    /// A slash command typed by `user` in `channel`, as Slack handles it: one of the
    /// workspace's `slash_commands` is delivered to the app; any other only gets Slackbot's
    /// "not a valid command" reply, seen by `user` alone, and `None`.
    pub fn type_slash_command(
        &self,
        user: &str,
        channel: &str,
        command: &str,
        text: &str,
    ) -> Option<Delivered> {
        let known = self.shared.with_workspace(|workspace| {
            let known = workspace.slash_commands.iter().any(|c| c == command);
            if !known {
                workspace.refuse_command(user, channel, command);
            }
            known
        });
        known.then(|| self.send_slash_command(user, channel, command, text))
    }

    /// A message `user` writes in `channel` (mentions as `<@U…>`), shown to everyone there. When
    /// it mentions the bot, the app gets an `app_mention` event for it, as it subscribes to them.
    pub fn post_as_member(
        &self,
        user: &str,
        channel: &str,
        text: &str,
    ) -> Result<PostedByMember, &'static str> {
        let (ts, mentions_bot) = self.shared.with_workspace(|workspace| {
            let ts = workspace.post_as_member(user, channel, text)?;
            Ok::<_, &'static str>((ts, workspace.mentions_bot(text)))
        })?;
        let mention = mentions_bot.then(|| {
            self.send_event(json!({
                "type": "app_mention", "user": user, "channel": channel, "text": text,
                "ts": ts, "event_ts": ts,
            }))
        });
        Ok(PostedByMember { ts, mention })
    }

    /// `user` submits the modal `view_id` open for them with `inputs` (by block id; the other
    /// inputs keep their initial values): a `view_submission` as Slack sends it. When the app
    /// acks, the modal closes, stays with errors, or changes as the ack's `response_action` says.
    pub fn submit_modal(
        &self,
        user: &str,
        view_id: &str,
        inputs: &BTreeMap<String, InputValue>,
    ) -> Result<Delivered, &'static str> {
        let view = self
            .shared
            .with_workspace(|workspace| workspace.submitted_view(user, view_id, inputs))?;
        let trigger_id = self.trigger_id(user);
        let payload = json!({
            "type": "view_submission", "token": "verification-token-unused",
            "team": { "id": self.team_id() }, "api_app_id": "A0EMULATOR",
            "user": { "id": user, "name": self.user_name(user), "team_id": self.team_id() },
            "trigger_id": trigger_id, "view": view, "response_urls": [],
            "is_enterprise_install": false,
        });
        let envelope_id = format!("env-{:08}", self.shared.next());
        lock(&self.shared.submissions).insert(envelope_id.clone(), view_id.to_string());
        Ok(self.deliver_as(
            envelope_id,
            "interactive",
            true,
            payload,
            None,
            Some(trigger_id),
        ))
    }

    /// `user` closes the modal `view_id` (its close button). The app hears of it, as a
    /// `view_closed` interaction, only when the view asked with `notify_on_close`.
    pub fn close_modal(
        &self,
        user: &str,
        view_id: &str,
    ) -> Result<Option<Delivered>, &'static str> {
        let closed = self
            .shared
            .with_workspace(|workspace| workspace.close_modal(user, view_id))?;
        if closed.view["notify_on_close"] != true {
            return Ok(None);
        }
        let mut view = closed.view;
        view["id"] = json!(closed.id);
        view["hash"] = json!(closed.hash);
        let payload = json!({
            "type": "view_closed", "team": { "id": self.team_id() }, "api_app_id": "A0EMULATOR",
            "user": { "id": user, "name": self.user_name(user) }, "view": view,
            "is_cleared": false,
        });
        Ok(Some(self.deliver(
            "interactive",
            false,
            payload,
            None,
            None,
        )))
    }
}

/// Element types whose state is the `value` typed.
const TEXT_ELEMENTS: &[&str] = &[
    "plain_text_input",
    "email_text_input",
    "url_text_input",
    "number_input",
];
/// Element types whose state is one `selected_option`.
const CHOICE_ELEMENTS: &[&str] = &["static_select", "external_select", "radio_buttons"];
/// Element types whose state is one `selected_date` (`YYYY-MM-DD`).
const DATE_ELEMENTS: &[&str] = &["datepicker"];

impl Workspace {
    /// The modals open for `user`, oldest first: the last one is on top.
    pub fn modals_of(&self, user: &str) -> Vec<&View> {
        let open = self.views.iter();
        open.filter(|view| view.modal_of.as_deref() == Some(user))
            .collect()
    }

    /// Whether `text` mentions the bot user (`<@U…>` or `<@U…|name>`).
    pub fn mentions_bot(&self, text: &str) -> bool {
        let id = &self.bot_user_id;
        text.contains(&format!("<@{id}>")) || text.contains(&format!("<@{id}|"))
    }

    /// Posts `text` as written by `user` in `channel`; its `ts`.
    pub(crate) fn post_as_member(
        &mut self,
        user: &str,
        channel: &str,
        text: &str,
    ) -> Result<String, &'static str> {
        self.user(user).ok_or("user_not_found")?;
        self.channel(channel).ok_or("channel_not_found")?;
        if text.trim().is_empty() {
            return Err("no_text");
        }
        let ts = format!("1700000000.{:06}", self.next_id());
        self.messages.push(Message {
            channel: channel.to_string(),
            ts: ts.clone(),
            author: Some(user.to_string()),
            text: text.to_string(),
            blocks: None,
            thread_ts: None,
            edits: 0,
        });
        Ok(ts)
    }

    /// Slackbot's answer to a command that is not one of the workspace's.
    pub(crate) fn refuse_command(&mut self, user: &str, channel: &str, command: &str) {
        let text = format!(
            "`{command}` is not a valid command. In Slack, all messages that start with the \"/\" \
             character are interpreted as commands. If you are trying to send a message that \
             begins with \"/\", try adding a space before it."
        );
        self.ephemerals.push(Ephemeral {
            channel: channel.to_string(),
            user: user.to_string(),
            author: Some(SLACKBOT.to_string()),
            text,
            blocks: None,
        });
    }

    /// The `view` of a `view_submission` payload: the modal `view_id` open for `user` as the
    /// app built it, with its ids, `private_metadata` and `state.values` holding `inputs`
    /// (by block id) over the inputs' initial values.
    pub(crate) fn submitted_view(
        &self,
        user: &str,
        view_id: &str,
        inputs: &BTreeMap<String, InputValue>,
    ) -> Result<Value, &'static str> {
        let open = self.modals_of(user);
        let entry = open.iter().find(|view| view.id == view_id);
        let entry = entry.ok_or("not_found")?;
        let blocks = entry.view["blocks"]
            .as_array()
            .map_or(&[][..], Vec::as_slice);
        let mut values = serde_json::Map::new();
        for block in blocks.iter().filter(|block| block["type"] == "input") {
            let block_id = block["block_id"].as_str().unwrap_or_default();
            let element = &block["element"];
            let action_id = element["action_id"].as_str().unwrap_or_default();
            let state = input_state(element, inputs.get(block_id))?;
            values.insert(block_id.to_string(), json!({ action_id: state }));
        }
        let known = |block_id: &String| values.contains_key(block_id);
        if !inputs.keys().all(known) {
            return Err("invalid_arguments");
        }
        let mut view = entry.view.clone();
        view["id"] = json!(entry.id);
        view["hash"] = json!(entry.hash);
        view["team_id"] = json!(self.team_id);
        view["app_id"] = json!("A0EMULATOR");
        view["bot_id"] = json!("B0EMULATOR");
        view["root_view_id"] = json!(open[0].id);
        view["previous_view_id"] = Value::Null;
        for (key, default) in [
            ("private_metadata", ""),
            ("callback_id", ""),
            ("external_id", ""),
        ] {
            if view.get(key).is_none() {
                view[key] = json!(default);
            }
        }
        view["state"] = json!({ "values": values });
        Ok(view)
    }

    /// What Slack does when the app acks the submission of modal `view_id`: the
    /// `response_action` of its payload keeps it open (`errors`), replaces it (`update`),
    /// stacks a new one on it (`push`) or closes them all (`clear`); no action closes it.
    pub(crate) fn answer_submission(&mut self, view_id: &str, ack: Option<&Value>) {
        let Some(index) = self.views.iter().position(|view| view.id == view_id) else {
            return;
        };
        let user = self.views[index].modal_of.clone();
        let action = ack.and_then(|ack| ack["response_action"].as_str());
        let new_view = ack.map(|ack| ack["view"].clone()).filter(Value::is_object);
        match (action, new_view) {
            (Some("errors"), _) => {}
            (Some("update"), Some(view)) => {
                let hash = format!("hash-{}", self.next_id());
                let entry = &mut self.views[index];
                entry.view = super::workspace::with_ids(view);
                entry.hash = hash;
            }
            (Some("push"), Some(view)) => {
                self.store_view(None, user, view);
            }
            (Some("clear"), _) if user.is_some() => {
                self.views.retain(|view| view.modal_of != user);
            }
            _ => {
                self.views.remove(index);
            }
        }
    }

    /// Closes the modal `view_id` open for `user` (its close button); the view as it was.
    pub(crate) fn close_modal(&mut self, user: &str, view_id: &str) -> Result<View, &'static str> {
        let index = self
            .views
            .iter()
            .position(|view| view.id == view_id && view.modal_of.as_deref() == Some(user));
        Ok(self.views.remove(index.ok_or("not_found")?))
    }
}

/// The state Slack reports for one input's `element`: what was given, else its initial value.
fn input_state(element: &Value, given: Option<&InputValue>) -> Result<Value, &'static str> {
    let kind = element["type"].as_str().unwrap_or_default();
    let mut state = json!({ "type": kind });
    if TEXT_ELEMENTS.contains(&kind) {
        let value = match given {
            Some(InputValue::Text(text)) => json!(text),
            Some(InputValue::Choice(_)) => return Err("invalid_arguments"),
            None => element.get("initial_value").cloned().unwrap_or(Value::Null),
        };
        state["value"] = value;
    } else if CHOICE_ELEMENTS.contains(&kind) {
        let option = match given {
            Some(InputValue::Choice(value)) => {
                let option = options_of(element).find(|option| option["value"] == *value);
                option.cloned().ok_or("invalid_arguments")?
            }
            Some(InputValue::Text(_)) => return Err("invalid_arguments"),
            None => element
                .get("initial_option")
                .cloned()
                .unwrap_or(Value::Null),
        };
        state["selected_option"] = option;
    } else if DATE_ELEMENTS.contains(&kind) {
        let day = match given {
            // Slack's date picker only gives days that exist.
            Some(InputValue::Text(text)) if text.parse::<jiff::civil::Date>().is_ok() => {
                json!(text)
            }
            Some(_) => return Err("invalid_arguments"),
            None => element.get("initial_date").cloned().unwrap_or(Value::Null),
        };
        state["selected_date"] = day;
    } else if given.is_some() {
        return Err("invalid_arguments");
    }
    Ok(state)
}

/// A select's options, grouped or not.
fn options_of(element: &Value) -> impl Iterator<Item = &Value> {
    let groups = element["option_groups"].as_array().into_iter().flatten();
    let grouped = groups.flat_map(|group| group["options"].as_array().into_iter().flatten());
    let options = element["options"].as_array().into_iter().flatten();
    options.chain(grouped)
}
