//! Typed shapes of Web API requests and answers.
//!
//! Public types are what callers pass and get back; the `pub(super)` structs mirror Slack's
//! answer bodies and stay inside the client.

use serde::Deserialize;
use serde_json::Value;

/// A channel, DM or group conversation id (`C…`, `D…`, `G…`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(transparent)]
pub struct ChannelId(pub String);

/// A user group id (`S…`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(transparent)]
pub struct UserGroupId(pub String);

/// Who the bot token belongs to (`auth.test`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AuthIdentity {
    pub user_id: String,
    pub team_id: String,
    #[serde(default)]
    pub bot_id: Option<String>,
}

/// A message to post with `chat.postMessage` or `chat.postEphemeral`.
#[derive(Debug, Clone, PartialEq)]
pub struct PostMessage {
    pub channel: ChannelId,
    /// Fallback text (and the whole message when there are no blocks), at most 4,000 chars.
    pub text: String,
    /// Block Kit blocks, already rendered.
    pub blocks: Option<Value>,
    /// Reply in this thread.
    pub thread_ts: Option<String>,
}

/// A replacement for an earlier message (`chat.update`).
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateMessage {
    pub channel: ChannelId,
    pub ts: String,
    pub text: String,
    pub blocks: Option<Value>,
}

/// Where a posted message lives: its channel and `ts` (a string id, not a number).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MessageRef {
    pub channel: ChannelId,
    pub ts: String,
}

/// Profile fields of a user (`users.info`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    pub id: String,
    pub name: String,
    pub real_name: Option<String>,
    /// IANA time zone such as `Europe/Berlin`.
    pub tz: Option<String>,
}

/// A user group and, when asked for, its members.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct UserGroup {
    pub id: UserGroupId,
    pub handle: String,
    pub name: String,
    #[serde(default)]
    pub users: Vec<String>,
}

/// An opened, updated or published view.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ViewRef {
    pub id: String,
    #[serde(default)]
    pub hash: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct ConnectionsOpen {
    pub(super) url: String,
}

#[derive(Deserialize)]
pub(super) struct EphemeralAnswer {
    pub(super) message_ts: String,
}

#[derive(Deserialize)]
pub(super) struct ChannelAnswer {
    pub(super) channel: ChannelIdObject,
}

#[derive(Deserialize)]
pub(super) struct ChannelIdObject {
    pub(super) id: ChannelId,
}

#[derive(Deserialize)]
pub(super) struct ConversationAnswer {
    pub(super) channel: ConversationInfo,
}

/// What `conversations.info` says about a channel.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ConversationInfo {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// Whether the bot is in the channel (absent for DMs).
    #[serde(default)]
    pub is_member: bool,
}

#[derive(Deserialize)]
pub(super) struct UserAnswer {
    pub(super) user: WireUser,
}

#[derive(Deserialize)]
pub(super) struct WireUser {
    pub(super) id: String,
    pub(super) name: String,
    #[serde(default)]
    pub(super) real_name: Option<String>,
    #[serde(default)]
    pub(super) tz: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct UserGroupsAnswer {
    pub(super) usergroups: Vec<UserGroup>,
}

#[derive(Deserialize)]
pub(super) struct UserGroupAnswer {
    pub(super) usergroup: UserGroup,
}

#[derive(Deserialize)]
pub(super) struct ViewAnswer {
    pub(super) view: ViewRef,
}
