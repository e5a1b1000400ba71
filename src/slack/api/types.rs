//! Typed shapes of Web API requests and answers.
//!
//! Public types are what callers pass and get back; the `pub(super)` structs mirror Slack's
//! answer bodies and stay inside the client.
//!
//! Read only what is used: a field is required only when the bot cannot do its work without it
//! (a posted message's `ts`, a DM's channel id, the members of a user group, a Socket Mode
//! URL). Everything else is optional or defaulted, and answers whose content nobody reads are
//! not decoded at all, so an `ok:true` that leaves out a field the bot does not need is a
//! success, never an "unexpected answer".

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
    /// Shown by `doctor`; empty when Slack leaves it out.
    #[serde(default)]
    pub user_id: String,
    /// Shown by `doctor`; empty when Slack leaves it out.
    #[serde(default)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRef {
    pub channel: ChannelId,
    pub ts: String,
}

/// `chat.postMessage`'s answer: the `ts` is needed (later edits name it); the channel falls
/// back to the one posted to.
#[derive(Deserialize)]
pub(super) struct PostAnswer {
    #[serde(default)]
    pub(super) channel: Option<ChannelId>,
    pub(super) ts: String,
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
    /// The `@handle`, for display; empty when Slack leaves it out.
    #[serde(default)]
    pub handle: String,
    #[serde(default)]
    pub users: Vec<String>,
}

/// An opened, updated or published view.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ViewRef {
    /// Empty when Slack leaves it out.
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub hash: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct ConnectionsOpen {
    pub(super) url: String,
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
    #[serde(default)]
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
    #[serde(default)]
    pub(super) id: String,
    #[serde(default)]
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
pub(super) struct ViewAnswer {
    #[serde(default)]
    pub(super) view: Option<ViewRef>,
}
