//! The Socket Mode client: keeps sockets open, acks envelopes and hands them to a handler.
//!
//! A [`SocketClient`] runs `connections` slots (two by default). Each slot opens a socket with
//! `apps.connections.open`, waits for `hello`, reads frames and hands each envelope to the
//! [`EnvelopeHandler`]. Events are acked on arrival; commands and interactions when the
//! handler has decided (within the ack budget, carrying its reply), with slow follow-ups after
//! the ack. On a `warning` or
//! `refresh_requested` disconnect it opens a replacement before letting the old socket go;
//! `link_disabled` backs off for long; closes, errors and silence reconnect with capped,
//! jittered backoff that resets after `hello`. Refused tokens stop the client with
//! [`SocketError::Rejected`]. Events API envelopes are deduplicated on `event_id` through the
//! caller's [`EventDedup`]. This module decides nothing about what an envelope means.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{mpsc, watch};
use tokio::task::{JoinError, JoinSet};
use tokio_tungstenite::tungstenite::Message;

use super::api::ApiClient;
use super::envelope::{Envelope, encode_ack};
use super::secret::AppToken;
use connection::run_slot;

mod connection;

/// A boxed future as returned by handlers and dedup hooks.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// Receives every envelope: an Events API envelope after its ack; a slash command or an
/// interaction before it, so that the ack means the handler has made its decision (committed
/// what the envelope asked for).
///
/// A handler that finishes within the ack budget has its [`Handled::reply`] put in the ack when
/// the envelope accepts a payload (otherwise the reply is dropped); one that takes longer is
/// acked empty at the budget. Work that need not hold back the ack (posting a follow-up, opening
/// a modal) goes in [`Handled::after_ack`]. Closures `Fn(Envelope) -> impl Future<Output = R>`
/// with `R` = `Option<Value>` or `Handled` implement this trait.
pub trait EnvelopeHandler: Send + Sync + 'static {
    fn handle(&self, envelope: Envelope) -> BoxFuture<Handled>;
}

impl<F, Fut, R> EnvelopeHandler for F
where
    F: Fn(Envelope) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = R> + Send + 'static,
    R: Into<Handled>,
{
    fn handle(&self, envelope: Envelope) -> BoxFuture<Handled> {
        let handling = self(envelope);
        Box::pin(async move { handling.await.into() })
    }
}

/// What a handler made of an envelope.
#[derive(Default)]
pub struct Handled {
    /// The ack's payload (an object), for envelopes that accept one.
    pub reply: Option<Value>,
    /// Runs once the envelope has been acked.
    pub after_ack: Option<BoxFuture<()>>,
}

impl From<Option<Value>> for Handled {
    fn from(reply: Option<Value>) -> Handled {
        Handled {
            reply,
            after_ack: None,
        }
    }
}

/// Remembers which Events API `event_id`s were handled, so redeliveries run no handler twice.
///
/// `first_delivery` must be atomic across concurrent calls (the same event can arrive on two
/// sockets at once). Closures `Fn(String) -> impl Future<Output = bool>` implement this trait.
pub trait EventDedup: Send + Sync + 'static {
    /// Records `event_id`; true the first time it is seen.
    fn first_delivery(&self, event_id: &str) -> BoxFuture<bool>;
}

impl<F, Fut> EventDedup for F
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send + 'static,
{
    fn first_delivery(&self, event_id: &str) -> BoxFuture<bool> {
        Box::pin(self(event_id.to_string()))
    }
}

/// Treats every delivery as the first one.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoDedup;

impl EventDedup for NoDedup {
    fn first_delivery(&self, _event_id: &str) -> BoxFuture<bool> {
        Box::pin(async { true })
    }
}

/// Why the socket client stopped for good.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SocketError {
    /// `apps.connections.open` refused the app-level token (`invalid_auth`, `not_authed`,
    /// `account_inactive`, `team_disabled`, `user_removed_from_team`).
    #[error("slack refused the app-level token ({code}); check SLACK_APP_TOKEN")]
    Rejected { code: String },
    /// A task of the socket client panicked.
    #[error("a socket mode task failed: {0}")]
    TaskFailed(String),
}

/// Timing of the Socket Mode client. The defaults suit production; tests shrink them.
#[derive(Debug, Clone)]
pub struct SocketConfig {
    /// Sockets kept open at once, so that a refresh never leaves a gap.
    pub connections: usize,
    /// How long a slash command, view submission or menu handler may take to put its reply in
    /// the ack; after that the ack goes out empty, and a slash command's late reply is posted to
    /// its `response_url`.
    pub ack_budget: Duration,
    /// Interval of the client's own pings.
    pub ping_interval: Duration,
    /// A socket on which nothing at all arrives for this long is replaced.
    pub idle_timeout: Duration,
    /// Limit for connecting and for `hello` to arrive.
    pub hello_timeout: Duration,
    /// First reconnect delay; later delays double, with jitter.
    pub reconnect_min: Duration,
    /// Largest reconnect delay (before jitter).
    pub reconnect_max: Duration,
    /// Wait after `link_disabled` before trying again.
    pub link_disabled_backoff: Duration,
    /// How long a retiring socket may take to send its pending acks.
    pub retire_timeout: Duration,
    /// How long shutdown waits for running handlers.
    pub drain_timeout: Duration,
    /// Text frames longer than this are skipped.
    pub max_frame_bytes: usize,
}

impl Default for SocketConfig {
    fn default() -> Self {
        SocketConfig {
            connections: 2,
            ack_budget: Duration::from_secs(2),
            ping_interval: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(75),
            hello_timeout: Duration::from_secs(10),
            reconnect_min: Duration::from_secs(1),
            reconnect_max: Duration::from_secs(60),
            link_disabled_backoff: Duration::from_secs(300),
            retire_timeout: Duration::from_secs(3),
            drain_timeout: Duration::from_secs(30),
            max_frame_bytes: 512 * 1024,
        }
    }
}

/// The Socket Mode client. Build it, then `run` it until shutdown or a fatal error.
pub struct SocketClient {
    context: Arc<Context>,
}

pub(super) struct Context {
    pub(super) api: ApiClient,
    pub(super) app_token: AppToken,
    pub(super) config: SocketConfig,
    pub(super) handler: Arc<dyn EnvelopeHandler>,
    pub(super) dedup: Arc<dyn EventDedup>,
    pub(super) next_connection: AtomicU64,
    /// Sockets that said hello and are open, for health checks.
    pub(super) ready: Arc<std::sync::atomic::AtomicI64>,
}

impl SocketClient {
    pub fn new(
        api: ApiClient,
        app_token: AppToken,
        config: SocketConfig,
        handler: Arc<dyn EnvelopeHandler>,
        dedup: Arc<dyn EventDedup>,
    ) -> SocketClient {
        let context = Context {
            api,
            app_token,
            config,
            handler,
            dedup,
            next_connection: AtomicU64::new(1),
            ready: Arc::new(std::sync::atomic::AtomicI64::new(0)),
        };
        SocketClient {
            context: Arc::new(context),
        }
    }

    /// A live count of this client's ready sockets (said hello, still open).
    pub fn ready_sockets(&self) -> Arc<std::sync::atomic::AtomicI64> {
        self.context.ready.clone()
    }

    /// Runs until `shutdown` turns true (or its sender is dropped), then stops intake, closes
    /// the sockets and waits for running handlers. Returns early only with a fatal error.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) -> Result<(), SocketError> {
        let context = self.context;
        let (dispatch_tx, mut dispatch_rx) = mpsc::channel::<Dispatch>(256);
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut slots = JoinSet::new();
        for slot in 0..context.config.connections.max(1) {
            let slot_run = run_slot(context.clone(), slot, dispatch_tx.clone(), stop_rx.clone());
            slots.spawn(slot_run);
        }
        drop(dispatch_tx);
        let mut handlers = JoinSet::new();
        let outcome = loop {
            tokio::select! {
                _ = wait_for_stop(&mut shutdown) => break Ok(()),
                Some(dispatch) = dispatch_rx.recv() => {
                    handlers.spawn(process(context.clone(), dispatch));
                }
                Some(joined) = slots.join_next() => {
                    if let Err(error) = flatten(joined) {
                        break Err(error);
                    }
                }
                Some(joined) = handlers.join_next() => log_handler_end(joined),
            }
        };
        tracing::info!("socket mode client stopping");
        let _ = stop_tx.send(true);
        let outcome = drain_slots(&context, &mut slots, &mut dispatch_rx, &mut handlers)
            .await
            .and(outcome);
        drain_handlers(&context, &mut handlers).await;
        tracing::info!("socket mode client stopped");
        outcome
    }
}

/// Waits for every slot to close its sockets, still dispatching envelopes already received.
async fn drain_slots(
    context: &Arc<Context>,
    slots: &mut JoinSet<Result<(), SocketError>>,
    dispatch_rx: &mut mpsc::Receiver<Dispatch>,
    handlers: &mut JoinSet<()>,
) -> Result<(), SocketError> {
    let dispatch_rest = async {
        while let Some(dispatch) = dispatch_rx.recv().await {
            handlers.spawn(process(context.clone(), dispatch));
        }
    };
    let join_slots = async {
        let mut outcome = Ok(());
        while let Some(joined) = slots.join_next().await {
            outcome = outcome.and(flatten(joined));
        }
        outcome
    };
    let ((), outcome) = tokio::join!(dispatch_rest, join_slots);
    outcome
}

async fn drain_handlers(context: &Context, handlers: &mut JoinSet<()>) {
    let all_done = async {
        while let Some(joined) = handlers.join_next().await {
            log_handler_end(joined);
        }
    };
    if tokio::time::timeout(context.config.drain_timeout, all_done)
        .await
        .is_err()
    {
        tracing::warn!(
            running = handlers.len(),
            "handlers still running at shutdown; cancelling them"
        );
        handlers.abort_all();
        while handlers.join_next().await.is_some() {}
    }
}

fn flatten(joined: Result<Result<(), SocketError>, JoinError>) -> Result<(), SocketError> {
    joined.map_err(|error| SocketError::TaskFailed(error.to_string()))?
}

fn log_handler_end(joined: Result<(), JoinError>) {
    if let Err(error) = joined {
        if error.is_panic() {
            tracing::error!("envelope handler panicked");
        }
    }
}

/// Resolves once `stop` turns true or its sender is gone.
pub(super) async fn wait_for_stop(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopped| *stopped).await;
}

/// Sleeps for `delay`; true when stopped meanwhile.
pub(super) async fn sleep_or_stop(delay: Duration, stop: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(delay) => false,
        _ = wait_for_stop(stop) => true,
    }
}

/// An envelope on its way to the handler, with the means to ack it if not acked yet.
pub(super) struct Dispatch {
    pub(super) envelope: Envelope,
    pub(super) acker: Option<Acker>,
}

/// Sends the ack of one envelope on the socket it arrived on.
pub(super) struct Acker {
    pub(super) envelope_id: String,
    pub(super) out: mpsc::UnboundedSender<Message>,
    /// Whether the envelope takes a payload in its ack (`accepts_response_payload`).
    pub(super) accepts_payload: bool,
    /// Envelope type and arrival, for the ack metrics.
    pub(super) kind: &'static str,
    pub(super) received: std::time::Instant,
}

impl Acker {
    pub(super) fn send(self, payload: Option<Value>) {
        let payload = payload.filter(|_| self.accepts_payload);
        let with_payload = payload.is_some();
        let frame = encode_ack(&self.envelope_id, payload);
        if self.out.send(Message::text(frame)).is_err() {
            tracing::warn!(envelope_id = %self.envelope_id, "socket closed before the ack went out");
        } else {
            crate::metrics::metrics().envelope_acked(self.kind, self.received.elapsed());
            tracing::debug!(envelope_id = %self.envelope_id, with_payload, "envelope acked");
        }
    }
}

/// Runs the handler for one envelope: dedup first, then the ack budget if not acked yet, then
/// the handler's work after the ack.
async fn process(context: Arc<Context>, dispatch: Dispatch) {
    let Dispatch { envelope, acker } = dispatch;
    if let Some(event_id) = envelope.event_id() {
        if !context.dedup.first_delivery(event_id).await {
            tracing::info!(
                envelope_id = %envelope.envelope_id,
                event_id,
                retry_attempt = envelope.retry_attempt,
                "skipping an event that was already handled"
            );
            return;
        }
    }
    // A slash command's reply can also travel through its response_url when the handler misses
    // the ack; other late replies (modal errors, menu options) have no other way to go.
    let late_reply_url = match envelope.kind {
        crate::slack::EnvelopeKind::SlashCommands => envelope.response_url(),
        _ => None,
    };
    let budget = context.config.ack_budget;
    let handling = context.handler.handle(envelope);
    let handled = match acker {
        None => handling.await,
        Some(acker) => {
            let handled = answer_within_budget(handling, acker, budget).await;
            if let (Some(reply), Some(url)) = (&handled.reply, late_reply_url) {
                if let Err(error) = context.api.post_to_response_url(&url, reply).await {
                    tracing::warn!(%error, "could not deliver a late slash-command reply");
                }
            }
            handled
        }
    };
    if let Some(after_ack) = handled.after_ack {
        after_ack.await;
    }
}

/// Acks with the handler's reply if it comes within `budget`, returning what is left to do after
/// the ack; otherwise acks empty at once and returns the handler's result when it comes, its
/// reply then late, for the caller to deliver another way.
async fn answer_within_budget(
    mut handling: BoxFuture<Handled>,
    acker: Acker,
    budget: Duration,
) -> Handled {
    tokio::select! {
        handled = &mut handling => {
            acker.send(handled.reply);
            Handled { reply: None, after_ack: handled.after_ack }
        }
        _ = tokio::time::sleep(budget) => {
            tracing::info!(
                envelope_id = %acker.envelope_id,
                "handler took longer than the ack budget; acked without a reply"
            );
            acker.send(None);
            handling.await
        }
    }
}
