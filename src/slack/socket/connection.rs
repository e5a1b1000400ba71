//! One Socket Mode slot: opening sockets, reading frames, acking, refreshing and reconnecting.
//!
//! A slot keeps one socket alive. A socket is handed to the slot only after `hello`; on
//! `warning`/`refresh_requested` the slot opens the replacement before retiring the old
//! socket, which first sends its pending acks. Failures back off with jitter; the backoff
//! resets after every `hello`. Handlers run elsewhere (the client's handler set).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBackoff, ExponentialBuilder};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::{Acker, Context, Dispatch, SocketConfig, SocketError, sleep_or_stop, wait_for_stop};
use crate::slack::api::ApiError;
use crate::slack::envelope::{DisconnectReason, Envelope, Frame, decode_frame};
use crate::slack::secret::redact;

/// Error codes of `apps.connections.open` that no retry can fix.
const REJECTED_CODES: &[&str] = &[
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "team_disabled",
    "user_removed_from_team",
];

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

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
pub(super) async fn run_slot(
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
                match &end {
                    ConnectionEnd::Closed(_) => crate::metrics::metrics().reconnect("closed"),
                    ConnectionEnd::Idle => crate::metrics::metrics().reconnect("idle"),
                    _ => {}
                }
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
    // Without TCP_NODELAY, an ack written while the previous one still waits for the peer's
    // (delayed) TCP ACK is held back ~40 ms: every burst of envelopes paid that per ack.
    let connecting = tokio_tungstenite::connect_async_with_config(url.expose(), None, true);
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
        let metrics = crate::metrics::metrics();
        metrics.socket_connected();
        self.context.ready.fetch_add(1, Ordering::Relaxed);
        let end = self.run_connected(socket, retire).await;
        self.context.ready.fetch_sub(1, Ordering::Relaxed);
        metrics.socket_closed();
        end
    }

    async fn run_connected(&self, socket: Socket, retire: oneshot::Receiver<()>) -> ConnectionEnd {
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
                crate::metrics::metrics().reconnect(reason.metric_label());
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
        crate::metrics::metrics().envelope_received(envelope.kind.metric_label());
        let acker = Acker {
            envelope_id: envelope.envelope_id.clone(),
            out: out.clone(),
            accepts_payload: envelope.accepts_response_payload,
            kind: envelope.kind.metric_label(),
            received: std::time::Instant::now(),
        };
        // Events are acked on arrival (a redelivery is deduplicated); commands and interactions
        // once their handler has decided, so an ack never stands for a change not yet committed.
        let acker = if envelope.kind.acked_after_handling() {
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
