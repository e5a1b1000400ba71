//! The Socket Mode client: keeps sockets open, acks envelopes and hands them to a handler.
//!
//! A [`SocketClient`] runs `connections` slots (two by default). Each slot opens a socket with
//! `apps.connections.open`, waits for `hello`, reads frames, acks every envelope before any
//! slow work, and hands the envelope to the [`EnvelopeHandler`]. On a `warning` or
//! `refresh_requested` disconnect it opens a replacement before letting the old socket go;
//! `link_disabled` backs off for long; closes, errors and silence reconnect with capped,
//! jittered backoff that resets after `hello`. Refused tokens stop the client with
//! [`SocketError::Rejected`]. Events API envelopes are deduplicated on `event_id` through the
//! caller's [`EventDedup`]. This module decides nothing about what an envelope means.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBackoff, ExponentialBuilder};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::{JoinError, JoinSet};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::api::{ApiClient, ApiError};
use super::envelope::{DisconnectReason, Envelope, Frame, decode_frame, encode_ack};
use super::secret::{AppToken, redact};

/// Error codes of `apps.connections.open` that no retry can fix.
const REJECTED_CODES: &[&str] = &[
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "team_disabled",
    "user_removed_from_team",
];

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A boxed future as returned by handlers and dedup hooks.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// Receives every envelope (after its ack for events and actions; before it for slash
/// commands, view submissions and menu options, whose reply may travel in the ack).
///
/// Returning `Some(payload)` within the ack budget puts `payload` (an object) in the ack when
/// the envelope accepts one; otherwise the payload is dropped. Closures
/// `Fn(Envelope) -> impl Future<Output = Option<Value>>` implement this trait.
pub trait EnvelopeHandler: Send + Sync + 'static {
    fn handle(&self, envelope: Envelope) -> BoxFuture<Option<Value>>;
}

impl<F, Fut> EnvelopeHandler for F
where
    F: Fn(Envelope) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Option<Value>> + Send + 'static,
{
    fn handle(&self, envelope: Envelope) -> BoxFuture<Option<Value>> {
        Box::pin(self(envelope))
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
    /// How long a slash command, view submission or menu handler may take to put its reply
    /// in the ack; after that the ack goes out empty and the handler replies later.
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

struct Context {
    api: ApiClient,
    app_token: AppToken,
    config: SocketConfig,
    handler: Arc<dyn EnvelopeHandler>,
    dedup: Arc<dyn EventDedup>,
    next_connection: AtomicU64,
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
        };
        SocketClient {
            context: Arc::new(context),
        }
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
async fn wait_for_stop(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopped| *stopped).await;
}

/// Sleeps for `delay`; true when stopped meanwhile.
async fn sleep_or_stop(delay: Duration, stop: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(delay) => false,
        _ = wait_for_stop(stop) => true,
    }
}

/// An envelope on its way to the handler, with the means to ack it if not acked yet.
struct Dispatch {
    envelope: Envelope,
    acker: Option<Acker>,
}

/// Sends the ack of one envelope on the socket it arrived on.
struct Acker {
    envelope_id: String,
    out: mpsc::UnboundedSender<Message>,
}

impl Acker {
    fn send(self, payload: Option<Value>) {
        let with_payload = payload.is_some();
        let frame = encode_ack(&self.envelope_id, payload);
        if self.out.send(Message::text(frame)).is_err() {
            tracing::warn!(envelope_id = %self.envelope_id, "socket closed before the ack went out");
        } else {
            tracing::debug!(envelope_id = %self.envelope_id, with_payload, "envelope acked");
        }
    }
}

/// Runs the handler for one envelope: dedup first, then the reply-in-ack budget if any.
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
    let handling = context.handler.handle(envelope);
    match acker {
        None => {
            let _ = handling.await;
        }
        Some(acker) => answer_within_budget(handling, acker, context.config.ack_budget).await,
    }
}

async fn answer_within_budget(
    mut handling: BoxFuture<Option<Value>>,
    acker: Acker,
    budget: Duration,
) {
    tokio::select! {
        reply = &mut handling => acker.send(reply),
        _ = tokio::time::sleep(budget) => {
            tracing::info!(
                envelope_id = %acker.envelope_id,
                "handler took longer than the ack budget; acked without a reply"
            );
            acker.send(None);
            let _ = handling.await;
        }
    }
}

/// How one socket ended.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ConnectionEnd {
    /// The slot let it go (after a replacement was ready, or at shutdown).
    Retired,
    /// Slack or the network closed it.
    Closed(String),
    /// Nothing arrived for `idle_timeout`.
    Idle,
    /// Slack sent `disconnect` with `link_disabled`.
    LinkDisabled,
    /// The client is shutting down and takes no more envelopes.
    Stopped,
}

/// The slot's view of a running socket task.
struct Live {
    id: u64,
    disconnects: mpsc::Receiver<DisconnectReason>,
    retire: oneshot::Sender<()>,
}

impl Live {
    fn retire(self) {
        let _ = self.retire.send(());
    }
}

/// A failed attempt to open a socket.
enum EstablishError {
    Rejected(SocketError),
    Transient {
        reason: String,
        wait_at_least: Duration,
    },
}

/// Keeps one socket alive until stopped.
async fn run_slot(
    context: Arc<Context>,
    slot: usize,
    dispatch: mpsc::Sender<Dispatch>,
    mut stop: watch::Receiver<bool>,
) -> Result<(), SocketError> {
    let mut backoff = reconnect_backoff(&context.config);
    let mut sockets: JoinSet<(u64, ConnectionEnd)> = JoinSet::new();
    let mut current: Option<Live> = None;
    let mut delay = None;
    let outcome = loop {
        if current.is_none() {
            if let Some(delay) = delay.take() {
                if sleep_or_stop(delay, &mut stop).await {
                    break Ok(());
                }
            }
            let opened = connect(
                &context,
                slot,
                &dispatch,
                &mut sockets,
                &mut backoff,
                &mut stop,
            );
            match opened.await {
                Ok(Some(live)) => current = Some(live),
                Ok(None) => break Ok(()),
                Err(error) => break Err(error),
            }
        }
        let Some(live) = current.as_mut() else {
            continue;
        };
        let live_id = live.id;
        tokio::select! {
            _ = wait_for_stop(&mut stop) => break Ok(()),
            Some(reason) = live.disconnects.recv() => {
                tracing::info!(slot, connection = live_id, reason = reason.as_str(), "opening a replacement socket");
                let opened = connect(&context, slot, &dispatch, &mut sockets, &mut backoff, &mut stop);
                match opened.await {
                    Ok(Some(replacement)) => {
                        if let Some(old) = current.replace(replacement) {
                            old.retire();
                        }
                    }
                    Ok(None) => break Ok(()),
                    Err(error) => break Err(error),
                }
            }
            Some(joined) = sockets.join_next() => {
                let (id, end) = joined.map_err(|error| SocketError::TaskFailed(error.to_string()))?;
                if id != live_id {
                    continue;
                }
                current = None;
                delay = match end {
                    ConnectionEnd::Stopped => break Ok(()),
                    ConnectionEnd::LinkDisabled => Some(context.config.link_disabled_backoff),
                    _ => backoff.next(),
                };
                tracing::info!(slot, connection = id, delay_ms = delay.unwrap_or_default().as_millis() as u64, "reconnecting");
            }
        }
    };
    if let Some(live) = current.take() {
        live.retire();
    }
    while sockets.join_next().await.is_some() {}
    outcome
}

fn reconnect_backoff(config: &SocketConfig) -> ExponentialBackoff {
    ExponentialBuilder::default()
        .with_min_delay(config.reconnect_min)
        .with_max_delay(config.reconnect_max)
        .with_jitter()
        .without_max_times()
        .build()
}

/// Opens a socket, retrying transient failures with backoff. `None` when stopped meanwhile.
async fn connect(
    context: &Arc<Context>,
    slot: usize,
    dispatch: &mpsc::Sender<Dispatch>,
    sockets: &mut JoinSet<(u64, ConnectionEnd)>,
    backoff: &mut ExponentialBackoff,
    stop: &mut watch::Receiver<bool>,
) -> Result<Option<Live>, SocketError> {
    loop {
        let attempt = tokio::select! {
            attempt = establish(context) => attempt,
            _ = wait_for_stop(stop) => return Ok(None),
        };
        match attempt {
            Ok(socket) => {
                *backoff = reconnect_backoff(&context.config);
                return Ok(Some(spawn_connection(
                    context, slot, socket, dispatch, sockets,
                )));
            }
            Err(EstablishError::Rejected(error)) => {
                tracing::error!(slot, %error, "socket mode stopped");
                return Err(error);
            }
            Err(EstablishError::Transient {
                reason,
                wait_at_least,
            }) => {
                let delay = backoff
                    .next()
                    .unwrap_or(context.config.reconnect_max)
                    .max(wait_at_least);
                let delay_ms = delay.as_millis() as u64;
                tracing::warn!(slot, reason, delay_ms, "could not open a socket; retrying");
                if sleep_or_stop(delay, stop).await {
                    return Ok(None);
                }
            }
        }
    }
}

/// One attempt: ask for a ticket, connect, wait for `hello`.
async fn establish(context: &Context) -> Result<Socket, EstablishError> {
    let url = context
        .api
        .open_connection(&context.app_token)
        .await
        .map_err(classify_open_error)?;
    let limit = context.config.hello_timeout;
    let transient = |reason: String| EstablishError::Transient {
        reason: redact(&reason, url.expose()),
        wait_at_least: Duration::ZERO,
    };
    let connecting = tokio_tungstenite::connect_async(url.expose());
    let (mut socket, _) = tokio::time::timeout(limit, connecting)
        .await
        .map_err(|_| transient("connecting timed out".to_string()))?
        .map_err(|error| transient(format!("connecting failed: {error}")))?;
    tokio::time::timeout(limit, wait_for_hello(&mut socket))
        .await
        .map_err(|_| transient("no hello in time".to_string()))?
        .map_err(transient)?;
    Ok(socket)
}

fn classify_open_error(error: ApiError) -> EstablishError {
    if let Some(code) = error.slack_code() {
        if REJECTED_CODES.contains(&code) {
            let code = code.to_string();
            return EstablishError::Rejected(SocketError::Rejected { code });
        }
    }
    let wait_at_least = match &error {
        ApiError::RateLimited { retry_after, .. } => *retry_after,
        _ => Duration::ZERO,
    };
    EstablishError::Transient {
        reason: error.to_string(),
        wait_at_least,
    }
}

async fn wait_for_hello(socket: &mut Socket) -> Result<(), String> {
    while let Some(message) = socket.next().await {
        let message = message.map_err(|error| format!("socket failed before hello: {error}"))?;
        match message {
            Message::Text(text) => {
                if let Ok(Frame::Hello) = decode_frame(text.as_str()) {
                    return Ok(());
                }
            }
            Message::Close(_) => return Err("socket closed before hello".to_string()),
            _ => {}
        }
    }
    Err("socket ended before hello".to_string())
}

fn spawn_connection(
    context: &Arc<Context>,
    slot: usize,
    socket: Socket,
    dispatch: &mpsc::Sender<Dispatch>,
    sockets: &mut JoinSet<(u64, ConnectionEnd)>,
) -> Live {
    let id = context.next_connection.fetch_add(1, Ordering::Relaxed);
    let (disconnect_tx, disconnects) = mpsc::channel(4);
    let (retire, retire_rx) = oneshot::channel();
    let connection = Connection {
        context: context.clone(),
        slot,
        id,
        dispatch: dispatch.clone(),
        disconnects: disconnect_tx,
    };
    tracing::info!(slot, connection = id, "socket ready");
    sockets.spawn(async move { (id, connection.run(socket, retire_rx).await) });
    Live {
        id,
        disconnects,
        retire,
    }
}

/// The task that owns one socket: reads frames, acks, pings, and reports disconnects.
struct Connection {
    context: Arc<Context>,
    slot: usize,
    id: u64,
    dispatch: mpsc::Sender<Dispatch>,
    disconnects: mpsc::Sender<DisconnectReason>,
}

impl Connection {
    async fn run(self, socket: Socket, retire: oneshot::Receiver<()>) -> ConnectionEnd {
        let (sink, mut stream) = socket.split();
        let (out, out_rx) = mpsc::unbounded_channel();
        let mut writer = tokio::spawn(write_frames(sink, out_rx));
        let end = self.read_frames(&mut stream, &out, retire).await;
        // Pending acks hold clones of `out`; the writer sends them, then closes the socket.
        drop(out);
        let limit = self.context.config.retire_timeout;
        if tokio::time::timeout(limit, &mut writer).await.is_err() {
            writer.abort();
            let _ = writer.await;
        }
        tracing::info!(slot = self.slot, connection = self.id, end = ?end, "socket closed");
        end
    }

    async fn read_frames(
        &self,
        stream: &mut SplitStream<Socket>,
        out: &mpsc::UnboundedSender<Message>,
        mut retire: oneshot::Receiver<()>,
    ) -> ConnectionEnd {
        let config = &self.context.config;
        let mut ping = tokio::time::interval(config.ping_interval);
        ping.tick().await;
        let mut last_seen = Instant::now();
        loop {
            tokio::select! {
                _ = &mut retire => return ConnectionEnd::Retired,
                _ = tokio::time::sleep_until(last_seen + config.idle_timeout) => {
                    tracing::warn!(slot = self.slot, connection = self.id, "socket went silent");
                    return ConnectionEnd::Idle;
                }
                _ = ping.tick() => {
                    let _ = out.send(Message::Ping(Default::default()));
                }
                message = stream.next() => {
                    let message = match message {
                        None => return ConnectionEnd::Closed("socket ended".to_string()),
                        Some(Err(error)) => return ConnectionEnd::Closed(error.to_string()),
                        Some(Ok(message)) => message,
                    };
                    last_seen = Instant::now();
                    match message {
                        Message::Text(text) => {
                            if let Some(end) = self.on_text(text.as_str(), out).await {
                                return end;
                            }
                        }
                        Message::Close(_) => return ConnectionEnd::Closed("closed by slack".to_string()),
                        _ => {}
                    }
                }
            }
        }
    }

    /// Handles one text frame; `Some` ends the socket.
    async fn on_text(
        &self,
        text: &str,
        out: &mpsc::UnboundedSender<Message>,
    ) -> Option<ConnectionEnd> {
        let (slot, connection, bytes) = (self.slot, self.id, text.len());
        if bytes > self.context.config.max_frame_bytes {
            tracing::warn!(slot, connection, bytes, "skipping an oversized frame");
            return None;
        }
        let frame = match decode_frame(text) {
            Ok(frame) => frame,
            Err(error) => {
                tracing::warn!(slot, connection, bytes, %error, "skipping a malformed frame");
                return None;
            }
        };
        match frame {
            Frame::Hello => None,
            Frame::Unknown(frame_type) => {
                tracing::debug!(
                    slot,
                    connection,
                    frame_type,
                    "skipping a frame of unknown type"
                );
                None
            }
            Frame::Disconnect(reason) => {
                tracing::info!(
                    slot,
                    connection,
                    reason = reason.as_str(),
                    "slack asked to disconnect"
                );
                if reason == DisconnectReason::LinkDisabled {
                    return Some(ConnectionEnd::LinkDisabled);
                }
                let _ = self.disconnects.try_send(reason);
                None
            }
            Frame::Envelope(envelope) => self.on_envelope(envelope, out).await,
        }
    }

    async fn on_envelope(
        &self,
        envelope: Envelope,
        out: &mpsc::UnboundedSender<Message>,
    ) -> Option<ConnectionEnd> {
        tracing::info!(
            slot = self.slot,
            connection = self.id,
            envelope_id = %envelope.envelope_id,
            kind = envelope.kind.as_str(),
            event_id = envelope.event_id(),
            retry_attempt = envelope.retry_attempt,
            "envelope received"
        );
        let acker = Acker {
            envelope_id: envelope.envelope_id.clone(),
            out: out.clone(),
        };
        let acker = if envelope.accepts_response_payload {
            Some(acker)
        } else {
            acker.send(None);
            None
        };
        let dispatch = Dispatch { envelope, acker };
        match self.dispatch.send(dispatch).await {
            Ok(()) => None,
            Err(_) => Some(ConnectionEnd::Stopped),
        }
    }
}

/// Sends queued frames until every sender is gone, then closes the socket.
async fn write_frames(
    mut sink: SplitSink<Socket, Message>,
    mut frames: mpsc::UnboundedReceiver<Message>,
) {
    while let Some(frame) = frames.recv().await {
        if sink.send(frame).await.is_err() {
            return;
        }
    }
    let _ = sink.close().await;
}
