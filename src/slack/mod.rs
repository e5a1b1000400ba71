//! The Slack transport: the Web API client, the Socket Mode client and a Slack emulator.
//!
//! This is the only module that knows Slack's wire format (Socket Mode frames, envelopes, Web
//! API request and response shapes). It moves bytes to and from Slack, retries and paces calls,
//! and keeps sockets alive; it decides nothing about rotations and never touches the store.
//! Block Kit rendering (`blocks`, `views`) and reading interactions (`interaction`) live here
//! too, so the rest of the program never writes Slack's field names. Text from people reaches
//! Slack through `text` (escaped for mrkdwn, bidirectional controls removed).
//! Secrets (tokens, socket ticket URLs, `response_url`s) live in redacting wrappers and never
//! reach a log line or an error message.

pub mod absence;
pub mod api;
pub mod blocks;
pub mod calendar;
pub mod decisions;
pub mod emulator;
pub mod envelope;
pub mod fairness;
pub mod impact;
pub mod interaction;
pub mod notes;
pub mod notices;
pub mod offers;
mod pacing;
pub mod secret;
pub mod socket;
pub mod text;
pub mod untaken;
pub mod views;

pub use api::{
    ApiClient, ApiConfig, ApiError, AuthIdentity, ChannelId, MessageRef, PostMessage,
    UpdateMessage, UserGroup, UserGroupId, UserInfo, ViewRef,
};
pub use envelope::{DisconnectReason, Envelope, EnvelopeKind, SlashCommand};
pub use pacing::Pacing;
pub use secret::{AppToken, BotToken, ResponseUrl, SocketUrl, TokenError};
pub use socket::{
    EnvelopeHandler, EventDedup, Handled, NoDedup, SocketClient, SocketConfig, SocketError,
};
