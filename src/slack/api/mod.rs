//! The Slack Web API client: typed requests and responses, retries, pacing and redaction.
//!
//! Every call goes to `{base_url}/{method}` with the bot token as a bearer token. `ok:false`
//! becomes [`ApiError::Slack`] carrying Slack's error code. HTTP 429 waits exactly
//! `Retry-After` (capped), no backoff added; 5xx, timeouts, connection failures and Slack's transient error codes
//! retry with jittered exponential backoff; everything else fails at once. Tokens and
//! `response_url`s never appear in an error or a log line.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::slack::pacing::{Pacer, Pacing};
pub use types::{
    AuthIdentity, ChannelId, ConversationInfo, MessageRef, PostMessage, UpdateMessage, UserGroup,
    UserGroupId, UserInfo, ViewRef,
};
use types::{
    ChannelAnswer, ConnectionsOpen, ConversationAnswer, PostAnswer, UserAnswer, UserGroupsAnswer,
    ViewAnswer, WireUser,
};

mod types;
use crate::domain::SlackUserId;
use crate::slack::secret::{AppToken, BotToken, ResponseUrl, SocketUrl};

/// Slack error codes that mean "try again later".
const TRANSIENT_CODES: &[&str] = &[
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
    "ratelimited",
];

/// The pseudo method name used in errors about posting to a `response_url`.
const RESPONSE_URL: &str = "response_url";

/// A Web API call that failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Slack answered `ok:false` with this error code (`channel_not_found`, `invalid_auth`, …).
    #[error("slack method {method} failed: {code}")]
    Slack { method: String, code: String },
    /// Slack answered HTTP 429 and asked to wait this long.
    #[error("slack method {method} is rate limited (retry after {retry_after:?})")]
    RateLimited {
        method: String,
        retry_after: Duration,
    },
    /// Slack answered with an unexpected HTTP status.
    #[error("slack method {method} answered http status {status}")]
    Status { method: String, status: u16 },
    /// The request could not be sent or the answer did not arrive (DNS, connect, timeout).
    #[error("slack method {method} could not be reached: {detail}")]
    Transport { method: String, detail: String },
    /// The answer was not the JSON this client expected.
    #[error("slack method {method} answered something that could not be decoded: {detail}")]
    Decode { method: String, detail: String },
}

impl ApiError {
    /// Whether the same call may succeed if tried again later.
    pub fn is_retryable(&self) -> bool {
        match self {
            ApiError::Slack { code, .. } => TRANSIENT_CODES.contains(&code.as_str()),
            ApiError::RateLimited { .. } | ApiError::Transport { .. } => true,
            ApiError::Status { status, .. } => *status >= 500,
            ApiError::Decode { .. } => false,
        }
    }

    /// Slack's error code, when Slack answered `ok:false`.
    pub fn slack_code(&self) -> Option<&str> {
        match self {
            ApiError::Slack { code, .. } => Some(code),
            _ => None,
        }
    }

    fn transport(method: &str, error: reqwest::Error) -> ApiError {
        let kind = if error.is_timeout() {
            "timed out"
        } else if error.is_connect() {
            "connection failed"
        } else {
            "request failed"
        };
        // `without_url` keeps `response_url`s and hosts out of the text.
        let detail = format!("{kind}: {}", error.without_url());
        ApiError::Transport {
            method: method.to_string(),
            detail,
        }
    }

    fn decode(method: &str, detail: impl ToString) -> ApiError {
        ApiError::Decode {
            method: method.to_string(),
            detail: detail.to_string(),
        }
    }
}

/// How the client reaches Slack and how patiently it retries.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Base URL of the Web API without a trailing slash (`https://slack.com/api`).
    pub base_url: String,
    /// Time limit of one HTTP request.
    pub request_timeout: Duration,
    /// Retries after the first attempt for retryable failures.
    pub max_retries: usize,
    /// First backoff delay; later delays double, with jitter.
    pub min_backoff: Duration,
    /// Largest backoff delay.
    pub max_backoff: Duration,
    /// Largest `Retry-After` that is honoured as given; longer requests wait this long.
    pub max_retry_after: Duration,
    /// Client-side spacing of calls.
    pub pacing: Pacing,
}

impl ApiConfig {
    pub const DEFAULT_BASE_URL: &'static str = "https://slack.com/api";

    /// Production defaults against `base_url`.
    pub fn new(base_url: impl Into<String>) -> ApiConfig {
        ApiConfig {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            request_timeout: Duration::from_secs(10),
            max_retries: 4,
            min_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
            pacing: Pacing::slack_defaults(),
        }
    }
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig::new(ApiConfig::DEFAULT_BASE_URL)
    }
}

/// How a request body is encoded.
#[derive(Debug, Clone, Copy)]
enum Encoding {
    Json,
    Form,
}

/// One Web API call before it is sent.
struct Call<'a> {
    method: &'static str,
    token: &'a str,
    body: Value,
    encoding: Encoding,
    /// The channel `chat.postMessage` pacing is keyed on.
    channel: Option<&'a str>,
}

/// A Web API client. Cheap to clone; clones share pacing state.
#[derive(Debug, Clone)]
pub struct ApiClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    config: ApiConfig,
    bot_token: BotToken,
    pacer: Pacer,
    /// The DM channel of each person the bot has written to: Slack keeps it for good, so one
    /// `conversations.open` per person (a Tier 3 call) is enough.
    dm_channels: Mutex<HashMap<SlackUserId, ChannelId>>,
}

/// The DM channel cache is cleared past this many people (a team is far smaller).
const MAX_DM_CHANNELS: usize = 10_000;

impl ApiClient {
    pub fn new(config: ApiConfig, bot_token: BotToken) -> ApiClient {
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        let pacer = Pacer::new(config.pacing);
        ApiClient {
            inner: Arc::new(Inner {
                http,
                config,
                bot_token,
                pacer,
                dm_channels: Mutex::new(HashMap::new()),
            }),
        }
    }

    pub fn config(&self) -> &ApiConfig {
        &self.inner.config
    }

    /// `auth.test`: who the bot token belongs to.
    pub async fn auth_test(&self) -> Result<AuthIdentity, ApiError> {
        self.bot_call("auth.test", json!({}), Encoding::Form, None)
            .await
    }

    /// `apps.connections.open`: a one-time Socket Mode URL. Tried once; the socket client
    /// owns the reconnect backoff.
    pub async fn open_connection(&self, app_token: &AppToken) -> Result<SocketUrl, ApiError> {
        let call = Call {
            method: "apps.connections.open",
            token: app_token.expose(),
            body: json!({}),
            encoding: Encoding::Form,
            channel: None,
        };
        let answer: ConnectionsOpen = self.call_once(&call).await?;
        Ok(SocketUrl::new(answer.url))
    }

    /// `chat.postMessage`.
    pub async fn post_message(&self, message: &PostMessage) -> Result<MessageRef, ApiError> {
        let mut body = json!({ "channel": message.channel.0, "text": message.text });
        insert_optional(&mut body, "blocks", message.blocks.clone());
        insert_optional(
            &mut body,
            "thread_ts",
            message.thread_ts.clone().map(Value::from),
        );
        let channel = Some(message.channel.0.as_str());
        let answer: PostAnswer = self
            .bot_call("chat.postMessage", body, Encoding::Json, channel)
            .await?;
        Ok(MessageRef {
            channel: answer.channel.unwrap_or_else(|| message.channel.clone()),
            ts: answer.ts,
        })
    }

    /// `chat.update`.
    pub async fn update_message(&self, update: &UpdateMessage) -> Result<(), ApiError> {
        let mut body = json!({ "channel": update.channel.0, "ts": update.ts, "text": update.text });
        insert_optional(&mut body, "blocks", update.blocks.clone());
        self.unread_call("chat.update", body).await
    }

    /// `chat.postEphemeral`: visible to `user` only.
    pub async fn post_ephemeral(
        &self,
        user: &SlackUserId,
        message: &PostMessage,
    ) -> Result<(), ApiError> {
        let mut body = json!({
            "channel": message.channel.0, "user": user.as_str(), "text": message.text,
        });
        insert_optional(&mut body, "blocks", message.blocks.clone());
        insert_optional(
            &mut body,
            "thread_ts",
            message.thread_ts.clone().map(Value::from),
        );
        self.unread_call("chat.postEphemeral", body).await
    }

    /// `conversations.open`: the DM channel with `user`. Slack keeps it for good, so it is asked
    /// once per person and remembered (see [`ApiClient::forget_dm`]).
    pub async fn open_dm(&self, user: &SlackUserId) -> Result<ChannelId, ApiError> {
        if let Some(channel) = self.dm_channels().get(user) {
            return Ok(channel.clone());
        }
        let body = json!({ "users": user.as_str() });
        let answer: ChannelAnswer = self
            .bot_call("conversations.open", body, Encoding::Json, None)
            .await?;
        let mut channels = self.dm_channels();
        if channels.len() >= MAX_DM_CHANNELS {
            channels.clear();
        }
        channels.insert(user.clone(), answer.channel.id.clone());
        Ok(answer.channel.id)
    }

    /// Forgets the remembered DM channel of `user`, after Slack refused a post to it.
    pub fn forget_dm(&self, user: &SlackUserId) {
        self.dm_channels().remove(user);
    }

    fn dm_channels(&self) -> std::sync::MutexGuard<'_, HashMap<SlackUserId, ChannelId>> {
        self.inner
            .dm_channels
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// `conversations.setTopic`.
    pub async fn set_topic(&self, channel: &ChannelId, topic: &str) -> Result<(), ApiError> {
        let body = json!({ "channel": channel.0, "topic": topic });
        self.unread_call("conversations.setTopic", body).await
    }

    /// `conversations.info`: a channel's name and whether the bot is in it.
    pub async fn conversation_info(
        &self,
        channel: &ChannelId,
    ) -> Result<ConversationInfo, ApiError> {
        let body = json!({ "channel": channel.0 });
        let answer: ConversationAnswer = self
            .bot_call("conversations.info", body, Encoding::Form, None)
            .await?;
        Ok(answer.channel)
    }

    /// `users.info`: name and time zone of a user.
    pub async fn user_info(&self, user: &SlackUserId) -> Result<UserInfo, ApiError> {
        let body = json!({ "user": user.as_str() });
        let answer: UserAnswer = self
            .bot_call("users.info", body, Encoding::Form, None)
            .await?;
        let WireUser {
            id,
            name,
            real_name,
            tz,
        } = answer.user;
        Ok(UserInfo {
            id,
            name,
            real_name,
            tz,
        })
    }

    /// `usergroups.list` with members.
    pub async fn list_usergroups(&self) -> Result<Vec<UserGroup>, ApiError> {
        let body = json!({ "include_users": "true" });
        let answer: UserGroupsAnswer = self
            .bot_call("usergroups.list", body, Encoding::Form, None)
            .await?;
        Ok(answer.usergroups)
    }

    /// `usergroups.users.update`: replaces the whole membership. Slack rejects an empty list.
    /// The group Slack sends back is not read: `ok:true` is the whole answer needed.
    pub async fn update_usergroup_users(
        &self,
        group: &UserGroupId,
        users: &[SlackUserId],
    ) -> Result<(), ApiError> {
        let users: Vec<&str> = users.iter().map(SlackUserId::as_str).collect();
        let body = json!({ "usergroup": group.0, "users": users.join(",") });
        self.unread_call("usergroups.users.update", body).await
    }

    /// `views.open`: a modal for a `trigger_id` (valid for 3 s after the interaction).
    pub async fn open_view(&self, trigger_id: &str, view: &Value) -> Result<ViewRef, ApiError> {
        let body = json!({ "trigger_id": trigger_id, "view": view });
        self.view_call("views.open", body).await
    }

    /// `views.update`: replaces an open view; `hash` guards against lost updates.
    pub async fn update_view(
        &self,
        view_id: &str,
        hash: Option<&str>,
        view: &Value,
    ) -> Result<ViewRef, ApiError> {
        let mut body = json!({ "view_id": view_id, "view": view });
        insert_optional(&mut body, "hash", hash.map(Value::from));
        self.view_call("views.update", body).await
    }

    /// `views.publish`: the App Home tab of `user`.
    pub async fn publish_view(
        &self,
        user: &SlackUserId,
        view: &Value,
    ) -> Result<ViewRef, ApiError> {
        let body = json!({ "user_id": user.as_str(), "view": view });
        self.view_call("views.publish", body).await
    }

    /// Posts a message body to a slash command's or interaction's `response_url`, its text
    /// without bidirectional controls.
    pub async fn post_to_response_url(
        &self,
        response_url: &ResponseUrl,
        body: &Value,
    ) -> Result<(), ApiError> {
        let mut body = body.clone();
        super::text::remove_bidi_in(&mut body);
        let body = &body;
        let attempt = || self.post_response_once(response_url, body);
        attempt
            .retry(self.backoff())
            .sleep(tokio::time::sleep)
            .when(ApiError::is_retryable)
            .adjust(|error, delay| self.honour_retry_after(error, delay))
            .notify(log_retry)
            .await
    }

    async fn view_call(&self, method: &'static str, body: Value) -> Result<ViewRef, ApiError> {
        let answer: ViewAnswer = self.bot_call(method, body, Encoding::Json, None).await?;
        Ok(answer.view.unwrap_or(ViewRef {
            id: String::new(),
            hash: None,
        }))
    }

    /// A call whose answer is not read beyond `ok` (checked before decoding).
    async fn unread_call(&self, method: &'static str, body: Value) -> Result<(), ApiError> {
        let _: Value = self.bot_call(method, body, Encoding::Json, None).await?;
        Ok(())
    }

    /// Calls `method` with `body`, whose text first loses its bidirectional controls.
    async fn bot_call<R: DeserializeOwned>(
        &self,
        method: &'static str,
        mut body: Value,
        encoding: Encoding,
        channel: Option<&str>,
    ) -> Result<R, ApiError> {
        super::text::remove_bidi_in(&mut body);
        let call = Call {
            method,
            token: self.inner.bot_token.expose(),
            body,
            encoding,
            channel,
        };
        let attempt = || async {
            self.inner.pacer.wait_turn(call.method, call.channel).await;
            let result = self.call_once(&call).await;
            record_outcome(call.method, &result);
            result
        };
        attempt
            .retry(self.backoff())
            .sleep(tokio::time::sleep)
            .when(ApiError::is_retryable)
            .adjust(|error, delay| self.honour_retry_after(error, delay))
            .notify(log_retry)
            .await
    }

    fn backoff(&self) -> ExponentialBuilder {
        let config = &self.inner.config;
        ExponentialBuilder::default()
            .with_min_delay(config.min_backoff)
            .with_max_delay(config.max_backoff)
            .with_max_times(config.max_retries)
            .with_jitter()
    }

    fn honour_retry_after(&self, error: &ApiError, delay: Option<Duration>) -> Option<Duration> {
        Some(retry_delay(
            error,
            delay?,
            self.inner.config.max_retry_after,
        ))
    }

    async fn call_once<R: DeserializeOwned>(&self, call: &Call<'_>) -> Result<R, ApiError> {
        let url = format!("{}/{}", self.inner.config.base_url, call.method);
        let request = self.inner.http.post(url).bearer_auth(call.token);
        let request = match call.encoding {
            Encoding::Json => request
                .header(CONTENT_TYPE, "application/json; charset=utf-8")
                .body(call.body.to_string()),
            Encoding::Form => request.form(&form_pairs(&call.body)),
        };
        let response = request
            .send()
            .await
            .map_err(|e| ApiError::transport(call.method, e))?;
        let value = read_answer(call.method, response).await?;
        tracing::debug!(method = call.method, "slack api call succeeded");
        serde_json::from_value(value).map_err(|e| ApiError::decode(call.method, e))
    }

    async fn post_response_once(&self, url: &ResponseUrl, body: &Value) -> Result<(), ApiError> {
        let response = self
            .inner
            .http
            .post(url.expose())
            .header(CONTENT_TYPE, "application/json; charset=utf-8")
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| ApiError::transport(RESPONSE_URL, e))?;
        check_status(RESPONSE_URL, &response)?;
        let bytes = response
            .bytes()
            .await
            .map_err(|e| ApiError::transport(RESPONSE_URL, e))?;
        // Slack answers `ok` as text or `{"ok":true}`; only an explicit `ok:false` is an error.
        if let Ok(value) = serde_json::from_slice::<Value>(&bytes) {
            check_ok(RESPONSE_URL, &value)?;
        }
        Ok(())
    }
}

/// How long the client waits before retrying after `error`, when the backoff schedule would
/// wait `backoff`: a 429 waits exactly its `Retry-After` (capped at `max_retry_after`), with
/// no backoff piled on top, since Slack said when the call may go again; anything else waits
/// the backoff.
pub fn retry_delay(error: &ApiError, backoff: Duration, max_retry_after: Duration) -> Duration {
    match error {
        ApiError::RateLimited { retry_after, .. } => (*retry_after).min(max_retry_after),
        _ => backoff,
    }
}

/// Turns an HTTP answer into the JSON of a successful call, or the matching error.
async fn read_answer(method: &str, response: reqwest::Response) -> Result<Value, ApiError> {
    check_status(method, &response)?;
    let bytes = response
        .bytes()
        .await
        .map_err(|e| ApiError::transport(method, e))?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| ApiError::decode(method, e))?;
    check_ok(method, &value)?;
    Ok(value)
}

fn check_status(method: &str, response: &reqwest::Response) -> Result<(), ApiError> {
    let status = response.status();
    if status == StatusCode::TOO_MANY_REQUESTS {
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|text| text.trim().parse::<u64>().ok())
            .unwrap_or(1);
        return Err(ApiError::RateLimited {
            method: method.to_string(),
            retry_after: Duration::from_secs(retry_after),
        });
    }
    if !status.is_success() {
        return Err(ApiError::Status {
            method: method.to_string(),
            status: status.as_u16(),
        });
    }
    Ok(())
}

fn check_ok(method: &str, value: &Value) -> Result<(), ApiError> {
    if value.get("ok").and_then(Value::as_bool) == Some(true) {
        return Ok(());
    }
    let code = value
        .get("error")
        .and_then(Value::as_str)
        .unwrap_or("unknown_error");
    Err(ApiError::Slack {
        method: method.to_string(),
        code: code.to_string(),
    })
}

/// Counts one attempt's outcome: `ok`, `rate_limited`, or the error's kind.
fn record_outcome<R>(method: &'static str, result: &Result<R, ApiError>) {
    let metrics = crate::metrics::metrics();
    let outcome = match result {
        Ok(_) => "ok",
        Err(ApiError::RateLimited { .. }) => {
            metrics.rate_limit_wait(method);
            "rate_limited"
        }
        Err(ApiError::Slack { .. }) => "slack_error",
        Err(ApiError::Status { .. }) => "http_error",
        Err(ApiError::Transport { .. }) => "transport_error",
        Err(ApiError::Decode { .. }) => "decode_error",
    };
    metrics.api_call(method, outcome);
}

fn log_retry(error: &ApiError, delay: Duration) {
    tracing::warn!(%error, delay_ms = delay.as_millis() as u64, "retrying slack api call");
}

fn insert_optional(body: &mut Value, key: &str, value: Option<Value>) {
    if let (Some(value), Some(object)) = (value, body.as_object_mut()) {
        object.insert(key.to_string(), value);
    }
}

/// Form fields of a JSON object: strings as they are, anything else as JSON text.
fn form_pairs(body: &Value) -> Vec<(String, String)> {
    let Some(object) = body.as_object() else {
        return Vec::new();
    };
    object
        .iter()
        .map(|(key, value)| {
            let text = match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            (key.clone(), text)
        })
        .collect()
}
