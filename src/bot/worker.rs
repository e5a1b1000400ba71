//! The single outbox delivery worker: the one place that performs effects towards Slack.
//!
//! It takes due items oldest first, performs each through the Web API client, and ends it in the
//! store: sent (with where a message landed, in the same transaction), retried later (a rate
//! limit exactly after its `Retry-After`; 5xx and timeouts with jittered exponential backoff), failed
//! for good on a permanent error (one log line, never a token or URL), or dropped when it
//! expired before it could be delivered (a late heads-up). Store calls go through the blocking
//! pool.
//!
//! # A person hears first
//!
//! The DMs of an event (a handoff, say) are enqueued before the channel post that names the same
//! people, and due items go by next attempt and then by id, so the DMs go first. When Slack
//! rate-limits a DM and it is rescheduled for its `Retry-After`, the later channel posts that
//! mention that person are moved to the same moment (at most [`HOLD_MAX`] after they were
//! enqueued), so the DM still goes before the post about them. A DM waiting out any other
//! failure's backoff holds nothing: the team still hears who is on duty.
//!
//! # Exactly once, and the edge that remains
//!
//! A sent item is never sent again: it is marked `sent` right after Slack accepts it, before the
//! next item is touched, and a restart only looks at `pending` items. Shutdown is checked
//! between items, never during one. What remains is an at-least-once window: if the process
//! dies (or the database stays unwritable) after Slack accepted a call but before the `sent`
//! mark commits, or if Slack accepted a request whose answer was lost (a timeout that the client
//! retries), the item is still pending and is delivered again. Slack's Web API has no
//! idempotency key for `chat.postMessage`, so this window can be made small but not closed.
//! Topic and user-group effects are idempotent, so only messages can repeat.

use std::sync::Arc;
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;
use tokio::sync::{Notify, watch};

use crate::bot::effect::Effect;
use crate::bot::usergroups::{self, ReconcileError};
use crate::config::Config;
use crate::domain::SlackUserId;
use crate::slack::{ApiClient, ApiError, ChannelId, PostMessage, UpdateMessage};
use crate::store::{OutboxEnd, OutboxEntry, Store, StoreError};

/// Renders a person's App Home view at delivery time.
pub type HomeRenderer =
    Arc<dyn Fn(&Store, &SlackUserId, Timestamp) -> Result<Value, StoreError> + Send + Sync>;

/// The clock the loops read (`Config::now` in production, a pinned instant in tests).
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// Items fetched per round.
const BATCH: usize = 20;
/// Rounds per drain, so a stream of new items cannot keep one drain going forever.
const MAX_ROUNDS: usize = 50;
/// Attempts after which a transient failure counts as permanent.
const MAX_ATTEMPTS: i64 = 12;
/// First and longest delay between attempts of one item.
const RETRY_MIN: Duration = Duration::from_secs(30);
const RETRY_MAX: Duration = Duration::from_secs(30 * 60);
/// Longest a channel post waits, after it was enqueued, for a rate-limited DM to a person it
/// names.
const HOLD_MAX: Duration = Duration::from_secs(2 * 60);
/// Longest idle sleep when nothing is pending.
const IDLE: Duration = Duration::from_secs(10 * 60);

/// What one drain did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
    pub dropped: usize,
}

/// How one attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Sent,
    Retried,
    /// Retried after a rate limit, and channel posts naming the person now wait for it.
    RetriedHolding,
    Failed,
    Dropped,
}

/// What performing an effect achieved.
enum Done {
    /// A message landed at `channel`/`ts`.
    Posted {
        channel: String,
        ts: String,
        message_key: Option<String>,
    },
    /// Anything else that succeeded.
    Done,
}

/// Why performing an effect failed.
enum Failure {
    /// May pass; retry no earlier than `at_least` from now.
    Transient {
        error: String,
        at_least: Duration,
    },
    /// Will not pass by retrying.
    Permanent(String),
    Store(StoreError),
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Failure {
        if !error.is_retryable() {
            return Failure::Permanent(error.to_string());
        }
        let at_least = match &error {
            // A `Retry-After: 0` still waits a second rather than backing off.
            ApiError::RateLimited { retry_after, .. } => (*retry_after).max(Duration::from_secs(1)),
            _ => Duration::ZERO,
        };
        Failure::Transient {
            error: error.to_string(),
            at_least,
        }
    }
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Failure {
        Failure::Store(error)
    }
}

/// The outbox worker. Cheap to clone.
#[derive(Clone)]
pub struct Worker {
    store: Store,
    config: Arc<Config>,
    api: ApiClient,
    usergroup_api: Option<ApiClient>,
    home: Option<HomeRenderer>,
}

impl Worker {
    /// `usergroup_api` edits user groups when given (a user token's client); otherwise `api`.
    pub fn new(
        store: Store,
        config: Arc<Config>,
        api: ApiClient,
        usergroup_api: Option<ApiClient>,
        home: Option<HomeRenderer>,
    ) -> Worker {
        Worker {
            store,
            config,
            api,
            usergroup_api,
            home,
        }
    }

    /// The client that edits user groups.
    pub fn usergroup_client(&self) -> &ApiClient {
        self.usergroup_api.as_ref().unwrap_or(&self.api)
    }

    /// Delivers everything due at `now` (and whatever becomes due while doing so).
    pub async fn deliver_due(&self, now: Timestamp) -> Result<DeliveryReport, StoreError> {
        self.drain(&|| now, &|| false).await
    }

    /// Delivers due items until `shutdown` turns true, waking at the next retry, when `wake`
    /// is notified, or after a while at the latest. Finishes the item in hand before stopping.
    pub async fn run(self, clock: Clock, mut shutdown: watch::Receiver<bool>, wake: Arc<Notify>) {
        loop {
            let stopping = shutdown.clone();
            let stop = move || *stopping.borrow();
            if stop() {
                break;
            }
            if let Err(error) = self.drain(&*clock, &stop).await {
                tracing::error!(%error, "outbox delivery failed; trying again shortly");
            }
            let pause = self.pause(clock()).await;
            tokio::select! {
                _ = shutdown.changed() => {}
                _ = wake.notified() => {}
                _ = tokio::time::sleep(pause) => {}
            }
        }
        tracing::info!("outbox worker stopped");
    }

    /// How long to sleep: until the next pending attempt, at least a second, at most [`IDLE`].
    async fn pause(&self, now: Timestamp) -> Duration {
        let next = self.store.run(|s| s.next_outbox_attempt()).await;
        let until = match next {
            Ok(Some(next)) => next.duration_since(now),
            Ok(None) => SignedDuration::try_from(IDLE).unwrap_or(SignedDuration::MAX),
            Err(error) => {
                tracing::error!(%error, "could not read the outbox");
                SignedDuration::from_secs(5)
            }
        };
        let until = Duration::try_from(until).unwrap_or(Duration::ZERO);
        until.clamp(Duration::from_secs(1), IDLE)
    }

    async fn drain(
        &self,
        clock: &(dyn Fn() -> Timestamp + Sync),
        stop: &(dyn Fn() -> bool + Sync),
    ) -> Result<DeliveryReport, StoreError> {
        let mut report = DeliveryReport::default();
        for _ in 0..MAX_ROUNDS {
            let now = clock();
            let due = self.store.run(move |s| s.due_outbox(now, BATCH)).await?;
            if due.is_empty() {
                break;
            }
            for entry in due {
                if stop() {
                    return Ok(report);
                }
                match self.deliver(entry, clock()).await? {
                    Outcome::Sent => report.sent += 1,
                    Outcome::Retried => report.retried += 1,
                    Outcome::RetriedHolding => {
                        // Posts in this batch may have just been told to wait: fetch afresh.
                        report.retried += 1;
                        break;
                    }
                    Outcome::Failed => report.failed += 1,
                    Outcome::Dropped => report.dropped += 1,
                }
            }
        }
        Ok(report)
    }

    /// Performs one item and records how it ended.
    async fn deliver(&self, entry: OutboxEntry, now: Timestamp) -> Result<Outcome, StoreError> {
        let id = entry.id;
        if entry.expires_at.is_some_and(|expires| expires <= now) {
            tracing::warn!(key = %entry.key, kind = %entry.kind, "dropping an outbox item that expired before delivery");
            self.finish(id, OutboxEnd::Dropped, Some("expired"), now)
                .await?;
            return Ok(Outcome::Dropped);
        }
        let effect: Effect = match serde_json::from_str(&entry.payload) {
            Ok(effect) => effect,
            Err(error) => {
                tracing::error!(key = %entry.key, %error, "outbox payload is not an effect");
                let reason = "payload is not an effect";
                self.finish(id, OutboxEnd::Failed, Some(reason), now)
                    .await?;
                return Ok(Outcome::Failed);
            }
        };
        match self.perform(&effect, now).await {
            Ok(Done::Posted {
                channel,
                ts,
                message_key,
            }) => {
                self.store
                    .run(move |s| s.finish_post(id, message_key.as_deref(), &channel, &ts, now))
                    .await?;
                Ok(Outcome::Sent)
            }
            Ok(Done::Done) => {
                self.finish(id, OutboxEnd::Sent, None, now).await?;
                Ok(Outcome::Sent)
            }
            Err(Failure::Transient { error, at_least }) => {
                let outcome = self.retry(&entry, &error, at_least, now).await?;
                if let (Outcome::Retried, Effect::DirectMessage { user, .. }) = (outcome, &effect)
                    && !at_least.is_zero()
                    && self.hold_posts_naming(&entry, user, at_least, now).await? > 0
                {
                    return Ok(Outcome::RetriedHolding);
                }
                Ok(outcome)
            }
            Err(Failure::Permanent(error)) => {
                tracing::error!(key = %entry.key, kind = %entry.kind, %error, "outbox item failed for good");
                self.finish(id, OutboxEnd::Failed, Some(&error), now)
                    .await?;
                Ok(Outcome::Failed)
            }
            Err(Failure::Store(error)) => Err(error),
        }
    }

    async fn retry(
        &self,
        entry: &OutboxEntry,
        error: &str,
        at_least: Duration,
        now: Timestamp,
    ) -> Result<Outcome, StoreError> {
        let attempts = entry.attempts + 1;
        if attempts >= MAX_ATTEMPTS {
            tracing::error!(key = %entry.key, kind = %entry.kind, attempts, %error, "outbox item kept failing; giving up");
            self.finish(entry.id, OutboxEnd::Failed, Some(error), now)
                .await?;
            return Ok(Outcome::Failed);
        }
        let at = retry_at(now, entry.attempts, at_least);
        tracing::warn!(key = %entry.key, kind = %entry.kind, attempts, retry_at = %at, %error, "outbox item will be retried");
        let (id, error) = (entry.id, error.to_string());
        self.store
            .run(move |s| s.retry_outbox(id, at, &error))
            .await?;
        Ok(Outcome::Retried)
    }

    /// A rate-limited DM to `user` was rescheduled: the channel posts enqueued after it that
    /// mention `user` wait for the same moment, so the person hears first.
    async fn hold_posts_naming(
        &self,
        dm: &OutboxEntry,
        user: &str,
        at_least: Duration,
        now: Timestamp,
    ) -> Result<usize, StoreError> {
        let until = retry_at(now, dm.attempts, at_least);
        let hold_max = SignedDuration::try_from(HOLD_MAX).unwrap_or(SignedDuration::MAX);
        let (id, user) = (dm.id, user.to_string());
        let held = self
            .store
            .run(move |s| s.hold_posts_naming(id, &user, until, hold_max))
            .await?;
        if held > 0 {
            tracing::info!(key = %dm.key, held, until = %until, "channel posts naming the person wait for their rate-limited DM");
        }
        Ok(held)
    }

    async fn finish(
        &self,
        id: i64,
        end: OutboxEnd,
        error: Option<&str>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let error = error.map(str::to_string);
        self.store
            .run(move |s| s.finish_outbox(id, end, error.as_deref(), now))
            .await
    }

    async fn perform(&self, effect: &Effect, now: Timestamp) -> Result<Done, Failure> {
        match effect {
            Effect::DirectMessage { user, text, blocks } => {
                let user = parse_user(user)?;
                let channel = self.api.open_dm(&user).await?;
                let posted = self.post(channel, text, blocks, None, None).await;
                if matches!(posted, Err(Failure::Permanent(_))) {
                    // A remembered channel that no longer takes posts is asked for afresh.
                    self.api.forget_dm(&user);
                }
                posted
            }
            Effect::PostMessage {
                channel,
                text,
                blocks,
                message_key,
                thread_ts,
            } => {
                let channel = ChannelId(channel.clone());
                self.post(
                    channel,
                    text,
                    blocks,
                    message_key.clone(),
                    thread_ts.clone(),
                )
                .await
            }
            Effect::UpdateMessage {
                message_key,
                text,
                blocks,
            } => self.update(message_key, text, blocks).await,
            Effect::SetTopic { channel, topic } => {
                let channel = ChannelId(channel.clone());
                self.api.set_topic(&channel, topic).await?;
                Ok(Done::Done)
            }
            Effect::ReconcileUsergroups => {
                let client = self.usergroup_client();
                match usergroups::reconcile(&self.store, &self.config, client, now).await {
                    Ok(_) => Ok(Done::Done),
                    Err(ReconcileError::Slack(error)) => Err(error.into()),
                    Err(ReconcileError::Store(error)) => Err(error.into()),
                }
            }
            Effect::ThreadReply {
                parent_key,
                text,
                blocks,
            } => self.reply_in_thread(parent_key, text, blocks).await,
            Effect::PublishHome { user } => self.publish_home(user, now).await,
        }
    }

    async fn post(
        &self,
        channel: ChannelId,
        text: &str,
        blocks: &Option<Value>,
        message_key: Option<String>,
        thread_ts: Option<String>,
    ) -> Result<Done, Failure> {
        let message = PostMessage {
            channel,
            text: text.to_string(),
            blocks: blocks.clone(),
            thread_ts,
        };
        let posted = self.api.post_message(&message).await?;
        Ok(Done::Posted {
            channel: posted.channel.0,
            ts: posted.ts,
            message_key,
        })
    }

    async fn reply_in_thread(
        &self,
        parent_key: &str,
        text: &str,
        blocks: &Option<Value>,
    ) -> Result<Done, Failure> {
        let key = parent_key.to_string();
        let Some((channel, ts)) = self.store.run(move |s| s.message(&key)).await? else {
            // The message it replies to may still be waiting in the outbox.
            return Err(Failure::Transient {
                error: format!("no message posted under {parent_key} yet"),
                at_least: Duration::ZERO,
            });
        };
        self.post(ChannelId(channel), text, blocks, None, Some(ts))
            .await
    }

    async fn update(
        &self,
        message_key: &str,
        text: &str,
        blocks: &Option<Value>,
    ) -> Result<Done, Failure> {
        let key = message_key.to_string();
        let Some((channel, ts)) = self.store.run(move |s| s.message(&key)).await? else {
            // The post it edits may still be waiting in the outbox.
            return Err(Failure::Transient {
                error: format!("no message posted under {message_key} yet"),
                at_least: Duration::ZERO,
            });
        };
        let update = UpdateMessage {
            channel: ChannelId(channel),
            ts,
            text: text.to_string(),
            blocks: blocks.clone(),
        };
        self.api.update_message(&update).await?;
        Ok(Done::Done)
    }

    async fn publish_home(&self, user: &str, now: Timestamp) -> Result<Done, Failure> {
        let Some(render) = self.home.clone() else {
            return Err(Failure::Permanent(
                "no App Home renderer is configured".to_string(),
            ));
        };
        let user = parse_user(user)?;
        let view = {
            let user = user.clone();
            self.store.run(move |s| render(s, &user, now)).await?
        };
        self.api.publish_view(&user, &view).await?;
        Ok(Done::Done)
    }
}

fn parse_user(user: &str) -> Result<SlackUserId, Failure> {
    SlackUserId::parse(user).map_err(|error| Failure::Permanent(error.to_string()))
}

/// When to try an item again after its `attempts`-th failure. A rate limit (`at_least`, the
/// `Retry-After`, non-zero) is retried exactly when Slack allows it, with no backoff piled on
/// top; any other transient failure backs off exponentially with jitter from [`RETRY_MIN`] to
/// [`RETRY_MAX`].
pub fn retry_at(now: Timestamp, attempts: i64, at_least: Duration) -> Timestamp {
    let delay = if at_least.is_zero() {
        ExponentialBuilder::default()
            .with_min_delay(RETRY_MIN)
            .with_max_delay(RETRY_MAX)
            .with_jitter()
            .without_max_times()
            .build()
            .nth(usize::try_from(attempts).unwrap_or(0))
            .unwrap_or(RETRY_MAX)
            // The jitter may add to the largest delay; keep it capped.
            .min(RETRY_MAX)
    } else {
        at_least
    };
    let delay = SignedDuration::try_from(delay).unwrap_or(SignedDuration::MAX);
    let at = now.checked_add(delay).unwrap_or(Timestamp::MAX);
    // Stored in whole seconds: round a fraction up, so the retry is never due before `at` (and,
    // every delay being at least a second, never at `now`).
    let second = at.as_second() + i64::from(at.subsec_nanosecond() > 0);
    Timestamp::from_second(second).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn retries_back_off_and_stay_capped() {
        let now = at("2026-03-23T15:00:00Z");
        let delay = |attempts, at_least| retry_at(now, attempts, at_least).duration_since(now);
        let first = delay(0, Duration::ZERO);
        assert!(first >= SignedDuration::from_secs(30) && first <= SignedDuration::from_secs(61));
        let late = delay(30, Duration::ZERO);
        assert!(late <= SignedDuration::from_secs(30 * 60 + 1), "{late:?}");
        assert!(late >= SignedDuration::from_secs(15 * 60), "{late:?}");
    }

    #[test]
    fn retry_after_is_honoured() {
        let now = at("2026-03-23T15:00:00Z");
        let delay = retry_at(now, 0, Duration::from_secs(120)).duration_since(now);
        assert!(delay >= SignedDuration::from_secs(120), "{delay:?}");
        let delay = retry_at(now, 0, Duration::from_secs(3600)).duration_since(now);
        assert!(delay >= SignedDuration::from_secs(3600), "{delay:?}");
    }
}
