//! The emulator's Socket Mode side: one task per WebSocket, and delivery of envelopes.
//!
//! A socket gets `hello` first and only then envelopes. Envelopes go round-robin to sockets
//! that are neither draining (after a `disconnect`) nor silent; with no such socket they wait.
//! Acks are recorded with their payload and latency. Events API envelopes still unacked when
//! their socket goes away are redelivered with `retry_attempt` one higher, as Slack does.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ws::{Message, WebSocket};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::{Duplication, RecordedAck, Shared};

/// What the emulator tells one socket task to do.
#[derive(Debug)]
pub(crate) enum Command {
    /// Send this text frame; an envelope's id starts its ack clock when the frame is written.
    Frame {
        text: String,
        envelope_id: Option<String>,
    },
    /// Send this `disconnect` frame, then close after the grace period.
    Disconnect(String),
    /// Drop the connection without a close frame.
    CloseAbruptly,
    /// Stop reading and writing (no pongs either) until the client gives up.
    Silence,
}

struct SocketEntry {
    commands: mpsc::UnboundedSender<Command>,
    /// Takes no new envelopes (disconnect sent, or silent).
    draining: bool,
}

struct Unacked {
    socket: u64,
    /// When the socket task began writing the frame; `None` while it waits in the task's queue.
    sent_at: Option<Instant>,
    envelope: Value,
}

/// Open sockets, envelopes waiting for one, and envelopes waiting for their ack.
#[derive(Default)]
pub(crate) struct Registry {
    sockets: BTreeMap<u64, SocketEntry>,
    pending: VecDeque<Value>,
    unacked: HashMap<String, Unacked>,
    next_socket: u64,
    round_robin: usize,
    pub(crate) close_before_hello: usize,
    pub(crate) duplicate: Option<(Duplication, usize)>,
}

impl Registry {
    /// Adds a socket that has had its `hello`, and hands it any waiting envelopes.
    fn register(&mut self, commands: mpsc::UnboundedSender<Command>) -> u64 {
        self.next_socket += 1;
        let id = self.next_socket;
        let entry = SocketEntry {
            commands,
            draining: false,
        };
        self.sockets.insert(id, entry);
        while let Some(envelope) = self.pending.pop_front() {
            self.deliver(envelope);
        }
        id
    }

    /// Removes a socket and redelivers its unacked events.
    fn unregister(&mut self, id: u64) {
        self.sockets.remove(&id);
        let orphaned: Vec<String> = self
            .unacked
            .iter()
            .filter(|(_, unacked)| unacked.socket == id)
            .map(|(envelope_id, _)| envelope_id.clone())
            .collect();
        for envelope_id in orphaned {
            let Some(unacked) = self.unacked.remove(&envelope_id) else {
                continue;
            };
            if unacked.envelope["type"] == "events_api" {
                let retry = redelivery(&unacked.envelope, &envelope_id, "connection_closed");
                self.deliver(retry);
            }
        }
    }

    pub(crate) fn ready_sockets(&self) -> usize {
        self.sockets
            .values()
            .filter(|entry| !entry.draining)
            .count()
    }

    pub(crate) fn unacked(&self) -> usize {
        self.unacked.len()
    }

    /// Delivers a new envelope, duplicating it if a duplication fault is armed.
    pub(crate) fn deliver_new(&mut self, envelope: Value) {
        let duplication = match &mut self.duplicate {
            Some((how, remaining)) if *remaining > 0 => {
                *remaining -= 1;
                Some(*how)
            }
            _ => None,
        };
        match duplication {
            None => self.deliver(envelope),
            Some(Duplication::OnEverySocket) => self.deliver_everywhere(envelope),
            Some(Duplication::Redeliver) => {
                let envelope_id = envelope["envelope_id"].as_str().unwrap_or("").to_string();
                let retry = redelivery(&envelope, &envelope_id, "timeout");
                self.deliver(envelope);
                self.deliver(retry);
            }
        }
    }

    fn deliver(&mut self, envelope: Value) {
        let open: Vec<u64> = self
            .sockets
            .iter()
            .filter(|(_, entry)| !entry.draining)
            .map(|(id, _)| *id)
            .collect();
        if open.is_empty() {
            self.pending.push_back(envelope);
            return;
        }
        self.round_robin = self.round_robin.wrapping_add(1);
        let target = open[self.round_robin % open.len()];
        self.send_to(target, envelope);
    }

    fn deliver_everywhere(&mut self, envelope: Value) {
        let open: Vec<u64> = self
            .sockets
            .iter()
            .filter(|(_, entry)| !entry.draining)
            .map(|(id, _)| *id)
            .collect();
        if open.is_empty() {
            self.pending.push_back(envelope);
            return;
        }
        for target in open {
            self.send_to(target, envelope.clone());
        }
    }

    fn send_to(&mut self, target: u64, envelope: Value) {
        let envelope_id = envelope["envelope_id"].as_str().unwrap_or("").to_string();
        let frame = envelope.to_string();
        let unacked = Unacked {
            socket: target,
            sent_at: None,
            envelope,
        };
        self.unacked.entry(envelope_id.clone()).or_insert(unacked);
        if let Some(entry) = self.sockets.get(&target) {
            let command = Command::Frame {
                text: frame,
                envelope_id: Some(envelope_id),
            };
            let _ = entry.commands.send(command);
        }
    }

    /// Sends `command` (built per socket) to every socket, or only to the oldest one.
    pub(crate) fn command_sockets(&mut self, only_oldest: bool, command: impl Fn() -> Command) {
        let targets: Vec<u64> = if only_oldest {
            self.sockets.keys().next().copied().into_iter().collect()
        } else {
            self.sockets.keys().copied().collect()
        };
        for id in targets {
            let Some(entry) = self.sockets.get_mut(&id) else {
                continue;
            };
            let command = command();
            if matches!(command, Command::Disconnect(_) | Command::Silence) {
                entry.draining = true;
            }
            let _ = entry.commands.send(command);
        }
        // Envelopes of sockets that will take no more are not moved: Slack would not either.
    }

    /// Starts the ack clock of an envelope whose frame is being written (the first write counts).
    fn mark_written(&mut self, envelope_id: &str, at: Instant) {
        if let Some(unacked) = self.unacked.get_mut(envelope_id) {
            unacked.sent_at.get_or_insert(at);
        }
    }

    /// Records an ack; the latency is known for the first ack of a written envelope.
    fn take_ack(&mut self, envelope_id: &str) -> Option<Duration> {
        self.unacked
            .remove(envelope_id)
            .and_then(|unacked| unacked.sent_at)
            .map(|sent_at| sent_at.elapsed())
    }
}

/// A copy of `envelope` as Slack redelivers it: new envelope id, next `retry_attempt`.
fn redelivery(envelope: &Value, envelope_id: &str, reason: &str) -> Value {
    let mut retry = envelope.clone();
    let attempt = envelope["retry_attempt"].as_u64().unwrap_or(0) + 1;
    retry["envelope_id"] = json!(format!("{envelope_id}-r{attempt}"));
    retry["retry_attempt"] = json!(attempt);
    retry["retry_reason"] = json!(reason);
    retry
}

/// Serves one upgraded WebSocket until either side ends it.
pub(crate) async fn serve_socket(shared: Arc<Shared>, mut socket: WebSocket) {
    if shared.take_close_before_hello() {
        tracing::debug!("emulated socket closed before hello");
        return;
    }
    let ready = shared.with_registry(|registry| registry.ready_sockets()) + 1;
    let hello = json!({
        "type": "hello", "num_connections": ready,
        "debug_info": { "host": "emulator", "approximate_connection_time": 18060 },
        "connection_info": { "app_id": "A0EMULATOR" },
    });
    if socket.send(Message::text(hello.to_string())).await.is_err() {
        return;
    }
    let (commands_tx, commands) = mpsc::unbounded_channel();
    let id = shared.with_registry(|registry| registry.register(commands_tx));
    tracing::debug!(socket = id, "emulated socket ready");
    run_socket(&shared, id, socket, commands).await;
    shared.with_registry(|registry| registry.unregister(id));
    tracing::debug!(socket = id, "emulated socket gone");
}

async fn run_socket(
    shared: &Shared,
    id: u64,
    mut socket: WebSocket,
    mut commands: mpsc::UnboundedReceiver<Command>,
) {
    let mut shutdown = shared.shutdown.clone();
    let mut silent = false;
    let mut close_at: Option<tokio::time::Instant> = None;
    loop {
        tokio::select! {
            _ = wait_for_shutdown(&mut shutdown) => break,
            _ = sleep_until_option(close_at) => {
                let _ = socket.send(Message::Close(None)).await;
                return;
            }
            command = commands.recv() => match command {
                None | Some(Command::CloseAbruptly) => return,
                Some(Command::Silence) => silent = true,
                Some(Command::Frame { text, envelope_id }) if !silent => {
                    if let Some(envelope_id) = envelope_id {
                        let at = Instant::now();
                        shared.with_registry(|registry| registry.mark_written(&envelope_id, at));
                    }
                    if socket.send(Message::text(text)).await.is_err() {
                        return;
                    }
                }
                Some(Command::Frame { .. }) => {}
                Some(Command::Disconnect(frame)) => {
                    if socket.send(Message::text(frame)).await.is_err() {
                        return;
                    }
                    let grace = shared.options.disconnect_grace;
                    close_at.get_or_insert(tokio::time::Instant::now() + grace);
                }
            },
            message = socket.recv(), if !silent => match message {
                Some(Ok(Message::Text(text))) => record_ack(shared, id, text.as_str()),
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                Some(Ok(_)) => {}
            },
        }
    }
    let _ = socket.send(Message::Close(None)).await;
}

async fn wait_for_shutdown(shutdown: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stopped| *stopped).await;
}

async fn sleep_until_option(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

fn record_ack(shared: &Shared, socket: u64, text: &str) {
    let Ok(Value::Object(mut frame)) = serde_json::from_str::<Value>(text) else {
        tracing::debug!(socket, "emulated socket got a frame that is not an ack");
        return;
    };
    let Some(envelope_id) = frame.get("envelope_id").and_then(Value::as_str) else {
        tracing::debug!(socket, "emulated socket got a frame without envelope_id");
        return;
    };
    let envelope_id = envelope_id.to_string();
    let latency = shared.with_registry(|registry| registry.take_ack(&envelope_id));
    let ack = RecordedAck {
        envelope_id,
        payload: frame.remove("payload"),
        latency,
        socket,
        at: Instant::now(),
    };
    shared.record_ack(ack);
}
