//! The emulator's in-memory workspace and its answers to Web API methods.
//!
//! Plain data plus one function per method that reads parameters and changes the model the
//! way Slack would. No I/O here: the HTTP layer decodes requests and encodes the answers.

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::{Value, json};

/// A member of the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub name: String,
    pub real_name: String,
    /// IANA time zone.
    pub tz: String,
}

/// A channel, or a DM when `dm_with` is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    pub id: String,
    pub name: String,
    pub topic: String,
    pub dm_with: Option<String>,
}

/// A user group and its members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserGroup {
    pub id: String,
    pub handle: String,
    pub name: String,
    pub users: Vec<String>,
}

/// A posted message; `edits` counts `chat.update` calls on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub channel: String,
    pub ts: String,
    /// The member who wrote it; `None` for the app's own posts.
    pub author: Option<String>,
    pub text: String,
    pub blocks: Option<Value>,
    pub thread_ts: Option<String>,
    pub edits: u32,
}

/// A message only one user saw.
#[derive(Debug, Clone, PartialEq)]
pub struct Ephemeral {
    pub channel: String,
    pub user: String,
    /// Who sent it when it is not the app: Slack's own Slackbot ([`SLACKBOT`]).
    pub author: Option<String>,
    pub text: String,
    pub blocks: Option<Value>,
}

/// An open modal or a published App Home.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    pub id: String,
    pub hash: String,
    /// The user whose App Home this is (`views.publish`).
    pub home_of: Option<String>,
    /// The user the modal is open for: the one whose trigger opened it (`None` for an App
    /// Home, or a modal opened with a trigger the emulator did not issue).
    pub modal_of: Option<String>,
    pub view: Value,
}

/// A body posted to a `response_url`.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponsePost {
    /// The id part of the `response_url` it was posted to.
    pub id: String,
    pub body: Value,
    /// When it was posted.
    pub at: Instant,
}

/// The whole fake workspace. Tests may read and edit it through the emulator.
#[derive(Debug, Clone, PartialEq)]
pub struct Workspace {
    pub team_id: String,
    pub team_name: String,
    pub bot_user_id: String,
    /// The bot user's display name, as people mention it (`@triage`).
    pub bot_name: String,
    /// The app's slash commands (`/triage`); Slack refuses any other as not a valid command.
    pub slash_commands: Vec<String>,
    pub users: Vec<User>,
    pub channels: Vec<Channel>,
    pub usergroups: Vec<UserGroup>,
    pub messages: Vec<Message>,
    pub ephemerals: Vec<Ephemeral>,
    pub views: Vec<View>,
    pub response_posts: Vec<ResponsePost>,
    /// Channels the bot has not joined (it is in every other channel).
    pub bot_not_in: Vec<String>,
    /// Who each issued `trigger_id` belongs to, so a modal opens for that person.
    pub(crate) triggers: BTreeMap<String, String>,
    next_id: u64,
}

/// Slack's own user, who answers a command that does not exist.
pub const SLACKBOT: &str = "USLACKBOT";

type Answer = Result<Value, &'static str>;

impl Workspace {
    /// A small team in three time zones with a triage channel and an on-call group.
    pub fn seeded() -> Workspace {
        let user = |id: &str, name: &str, real_name: &str, tz: &str| User {
            id: id.to_string(),
            name: name.to_string(),
            real_name: real_name.to_string(),
            tz: tz.to_string(),
        };
        let channel = |id: &str, name: &str| Channel {
            id: id.to_string(),
            name: name.to_string(),
            topic: String::new(),
            dm_with: None,
        };
        Workspace {
            team_id: "T0EMULATOR".to_string(),
            team_name: "Emulated Team".to_string(),
            bot_user_id: "U0TRIAGEBOT".to_string(),
            bot_name: "triage".to_string(),
            slash_commands: vec!["/triage".to_string()],
            users: vec![
                user("U0ALICE", "alice", "Alice Adams", "America/Los_Angeles"),
                user("U0BOB", "bob", "Bob Brown", "Europe/Berlin"),
                user("U0CAROL", "carol", "Carol Chen", "Asia/Tokyo"),
                user("U0DAVE", "dave", "Dave Diaz", "America/New_York"),
            ],
            channels: vec![
                channel("C0TRIAGE", "triage"),
                channel("C0GENERAL", "general"),
            ],
            usergroups: vec![UserGroup {
                id: "S0ONCALL".to_string(),
                handle: "triage-oncall".to_string(),
                name: "Triage on call".to_string(),
                users: vec!["U0ALICE".to_string()],
            }],
            messages: Vec::new(),
            ephemerals: Vec::new(),
            views: Vec::new(),
            response_posts: Vec::new(),
            bot_not_in: Vec::new(),
            triggers: BTreeMap::new(),
            next_id: 1,
        }
    }

    /// Slack's JSON answer to `method` called with `params`.
    pub fn answer(&mut self, method: &str, params: &Value) -> Value {
        let answer = match method {
            "auth.test" => Ok(self.auth_test()),
            "chat.postMessage" => self.post_message(params),
            "chat.update" => self.update_message(params),
            "chat.postEphemeral" => self.post_ephemeral(params),
            "conversations.open" => self.open_conversation(params),
            "conversations.setTopic" => self.set_topic(params),
            "conversations.info" => self.conversation_info(params),
            "users.info" => self.user_info(params),
            "usergroups.list" => Ok(self.list_usergroups()),
            "usergroups.users.update" => self.update_usergroup_users(params),
            "views.open" => self.open_view(params),
            "views.update" => self.update_view(params),
            "views.publish" => self.publish_view(params),
            _ => Err("unknown_method"),
        };
        match answer {
            Ok(mut value) => {
                value["ok"] = Value::Bool(true);
                value
            }
            Err(code) => json!({ "ok": false, "error": code }),
        }
    }

    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|user| user.id == id)
    }

    pub fn channel(&self, id: &str) -> Option<&Channel> {
        self.channels.iter().find(|channel| channel.id == id)
    }

    pub fn usergroup(&self, id: &str) -> Option<&UserGroup> {
        self.usergroups.iter().find(|group| group.id == id)
    }

    /// Messages posted to `channel`, oldest first.
    pub fn messages_in(&self, channel: &str) -> Vec<&Message> {
        self.messages
            .iter()
            .filter(|message| message.channel == channel)
            .collect()
    }

    pub(crate) fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn auth_test(&self) -> Value {
        json!({
            "user_id": self.bot_user_id, "team_id": self.team_id, "team": self.team_name,
            "bot_id": "B0EMULATOR", "user": "triage-bot",
        })
    }

    fn post_message(&mut self, params: &Value) -> Answer {
        let channel = self.joined_channel(params)?;
        let text = optional_text(params, "text").unwrap_or_default();
        let blocks = params.get("blocks").cloned();
        if text.is_empty() && blocks.is_none() {
            return Err("no_text");
        }
        if text.chars().count() > 40_000 {
            return Err("msg_too_long");
        }
        let ts = format!("1700000000.{:06}", self.next_id());
        self.messages.push(Message {
            channel: channel.clone(),
            ts: ts.clone(),
            author: None,
            text: text.clone(),
            blocks,
            thread_ts: optional_text(params, "thread_ts"),
            edits: 0,
        });
        Ok(json!({ "channel": channel, "ts": ts, "message": { "text": text } }))
    }

    fn update_message(&mut self, params: &Value) -> Answer {
        let channel = self.known_channel(params)?;
        let ts = required_text(params, "ts")?;
        let text = optional_text(params, "text");
        let blocks = params.get("blocks").cloned();
        let message = self
            .messages
            .iter_mut()
            .find(|message| message.channel == channel && message.ts == ts)
            .ok_or("message_not_found")?;
        if let Some(text) = text {
            message.text = text;
        }
        if blocks.is_some() {
            message.blocks = blocks;
        }
        message.edits += 1;
        Ok(json!({ "channel": channel, "ts": ts, "text": message.text }))
    }

    fn post_ephemeral(&mut self, params: &Value) -> Answer {
        let channel = self.known_channel(params)?;
        let user = self.known_user(params, "user")?;
        let text = optional_text(params, "text").unwrap_or_default();
        self.ephemerals.push(Ephemeral {
            channel,
            user,
            author: None,
            text,
            blocks: params.get("blocks").cloned(),
        });
        Ok(json!({ "message_ts": format!("1700000000.{:06}", self.next_id()) }))
    }

    fn open_conversation(&mut self, params: &Value) -> Answer {
        let user = self.known_user(params, "users")?;
        if let Some(dm) = self
            .channels
            .iter()
            .find(|c| c.dm_with.as_ref() == Some(&user))
        {
            return Ok(json!({ "channel": { "id": dm.id }, "already_open": true }));
        }
        let id = format!("D0{}", user.trim_start_matches('U'));
        self.channels.push(Channel {
            id: id.clone(),
            name: String::new(),
            topic: String::new(),
            dm_with: Some(user),
        });
        Ok(json!({ "channel": { "id": id } }))
    }

    fn conversation_info(&self, params: &Value) -> Answer {
        let id = self.known_channel(params)?;
        let channel = self.channel(&id).ok_or("channel_not_found")?;
        let is_member = channel.dm_with.is_none() && !self.bot_not_in.contains(&id);
        Ok(json!({ "channel": { "id": id, "name": channel.name, "is_member": is_member } }))
    }

    fn set_topic(&mut self, params: &Value) -> Answer {
        let channel = self.joined_channel(params)?;
        let topic = required_text(params, "topic")?;
        if topic.chars().count() > 250 {
            return Err("too_long");
        }
        let entry = self.channels.iter_mut().find(|c| c.id == channel);
        let entry = entry.ok_or("channel_not_found")?;
        entry.topic = topic.clone();
        Ok(json!({ "channel": { "id": channel, "topic": { "value": topic } } }))
    }

    fn user_info(&self, params: &Value) -> Answer {
        let id = required_text(params, "user")?;
        let user = self.user(&id).ok_or("user_not_found")?;
        Ok(json!({ "user": {
            "id": user.id, "name": user.name, "real_name": user.real_name, "tz": user.tz,
            "profile": { "real_name": user.real_name, "display_name": user.name },
        }}))
    }

    fn list_usergroups(&self) -> Value {
        let groups: Vec<Value> = self.usergroups.iter().map(usergroup_json).collect();
        json!({ "usergroups": groups })
    }

    fn update_usergroup_users(&mut self, params: &Value) -> Answer {
        let id = required_text(params, "usergroup")?;
        let users: Vec<String> = required_text(params, "users")?
            .split(',')
            .map(str::trim)
            .filter(|user| !user.is_empty())
            .map(str::to_string)
            .collect();
        if users.is_empty() {
            return Err("no_users_provided");
        }
        if users.iter().any(|user| self.user(user).is_none()) {
            return Err("invalid_users");
        }
        let group = self.usergroups.iter_mut().find(|group| group.id == id);
        let group = group.ok_or("no_such_subteam")?;
        group.users = users;
        Ok(json!({ "usergroup": usergroup_json(group) }))
    }

    fn open_view(&mut self, params: &Value) -> Answer {
        let trigger = required_text(params, "trigger_id")?;
        let view = view_param(params)?;
        let user = self.triggers.get(&trigger).cloned();
        Ok(self.store_view(None, user, view))
    }

    fn update_view(&mut self, params: &Value) -> Answer {
        let id = required_text(params, "view_id")?;
        let view = view_param(params)?;
        let hash = optional_text(params, "hash");
        let next_hash = format!("hash-{}", self.next_id());
        let entry = self.views.iter_mut().find(|entry| entry.id == id);
        let entry = entry.ok_or("not_found")?;
        if hash.is_some_and(|hash| hash != entry.hash) {
            return Err("hash_conflict");
        }
        entry.view = with_ids(view);
        entry.hash = next_hash;
        Ok(json!({ "view": { "id": entry.id, "hash": entry.hash } }))
    }

    fn publish_view(&mut self, params: &Value) -> Answer {
        let user = self.known_user(params, "user_id")?;
        let view = view_param(params)?;
        self.views
            .retain(|entry| entry.home_of.as_ref() != Some(&user));
        Ok(self.store_view(Some(user), None, view))
    }

    pub(crate) fn store_view(
        &mut self,
        home_of: Option<String>,
        modal_of: Option<String>,
        view: Value,
    ) -> Value {
        let id = format!("V0{:06}", self.next_id());
        let hash = format!("hash-{}", self.next_id());
        self.views.push(View {
            id: id.clone(),
            hash: hash.clone(),
            home_of,
            modal_of,
            view: with_ids(view),
        });
        json!({ "view": { "id": id, "hash": hash } })
    }

    fn known_channel(&self, params: &Value) -> Result<String, &'static str> {
        let id = required_text(params, "channel")?;
        self.channel(&id)
            .map(|c| c.id.clone())
            .ok_or("channel_not_found")
    }

    /// A channel the bot may write in: known, and not one it has left.
    fn joined_channel(&self, params: &Value) -> Result<String, &'static str> {
        let id = self.known_channel(params)?;
        if self.bot_not_in.contains(&id) {
            return Err("not_in_channel");
        }
        Ok(id)
    }

    fn known_user(&self, params: &Value, key: &str) -> Result<String, &'static str> {
        let id = required_text(params, key)?;
        self.user(&id).map(|u| u.id.clone()).ok_or("user_not_found")
    }
}

fn usergroup_json(group: &UserGroup) -> Value {
    json!({ "id": group.id, "handle": group.handle, "name": group.name, "users": group.users })
}

fn optional_text(params: &Value, key: &str) -> Option<String> {
    params.get(key).and_then(Value::as_str).map(str::to_string)
}

fn required_text(params: &Value, key: &str) -> Result<String, &'static str> {
    optional_text(params, key).ok_or("invalid_arguments")
}

/// The view with a `block_id` on every block and an `action_id` on every input's element,
/// made up where the app left them out, as Slack does.
pub(crate) fn with_ids(mut view: Value) -> Value {
    let blocks = view.get_mut("blocks").and_then(Value::as_array_mut);
    for (index, block) in blocks.into_iter().flatten().enumerate() {
        if block.get("block_id").is_none() {
            block["block_id"] = json!(format!("block-{index}"));
        }
        let element = block.get_mut("element").filter(|e| e.is_object());
        if let Some(element) = element.filter(|e| e.get("action_id").is_none()) {
            element["action_id"] = json!(format!("action-{index}"));
        }
    }
    view
}

/// `view` arrives as an object in JSON bodies and as JSON text in form bodies.
fn view_param(params: &Value) -> Result<Value, &'static str> {
    match params.get("view") {
        Some(Value::String(text)) => serde_json::from_str(text).map_err(|_| "invalid_arguments"),
        Some(view @ Value::Object(_)) => Ok(view.clone()),
        _ => Err("invalid_arguments"),
    }
}
