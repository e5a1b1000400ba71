//! A small fake Slack workspace on 127.0.0.1, for tests and the local demo.
//!
//! [`Emulator`] serves `apps.connections.open`, the Socket Mode WebSocket and the Web API
//! methods the bot uses, answering from an in-memory [`Workspace`]. Tests deliver envelopes
//! (slash commands, block actions, view submissions, menu requests, App Home opens,
//! mentions), read back acks, calls and the workspace, and inject faults ([`Fault`]). A
//! member can also act as in the Slack client: type a command (one the app does not have gets
//! Slackbot's refusal), post a message (a mention of the bot reaches the app as `app_mention`),
//! and submit or close the modal open for them (Slack applies the ack's `response_action`).
//! It checks tokens like Slack and never logs tokens, tickets or `response_url`s.

mod http;
mod member;
mod socket;
pub mod workspace;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::serve::ListenerExt;
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::envelope::DisconnectReason;
use super::secret::{AppToken, BotToken};
pub use member::{InputValue, PostedByMember};
use socket::{Command, Registry};
pub use workspace::Workspace;

const BOT_TOKEN: &str = "xoxb-emulator-bot-token";
const APP_TOKEN: &str = "xapp-emulator-app-token";

/// A fault to inject. Web API faults apply to the next `times` calls of `method`; socket
/// faults act at once on the sockets open now.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Answer HTTP 429 with `Retry-After: retry_after_secs`.
    RateLimit {
        method: String,
        retry_after_secs: u64,
        times: usize,
    },
    /// Answer this HTTP status (a 5xx) with a non-JSON body.
    ServerError {
        method: String,
        status: u16,
        times: usize,
    },
    /// Answer `{"ok":false,"error":code}`.
    Error {
        method: String,
        code: String,
        times: usize,
    },
    /// Perform the call but answer a successful one with `{"ok":true}` alone, as Slack may
    /// when it leaves out fields (a user group's `handle`, a view's `hash`, …).
    MinimalAnswer { method: String, times: usize },
    /// Wait `delay` before answering.
    Slow {
        method: String,
        delay: Duration,
        times: usize,
    },
    /// Send `disconnect` with `reason` on every open socket (or only the oldest), then close
    /// each one after the grace period.
    Disconnect {
        reason: DisconnectReason,
        only_oldest: bool,
    },
    /// Drop every open socket without a close frame.
    CloseAbruptly,
    /// Every open socket stops reading and writing (no pongs) until the client leaves.
    Silence,
    /// The next `times` sockets are dropped right after the upgrade, before `hello`.
    CloseBeforeHello { times: usize },
    /// Deliver the next `times` envelopes twice.
    Duplicate { how: Duplication, times: usize },
    /// Send this raw text frame on every open socket.
    RawFrame(String),
}

/// How a duplicated envelope arrives the second time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duplication {
    /// The same envelope on every open socket.
    OnEverySocket,
    /// A redelivery with a new envelope id and `retry_attempt` 1.
    Redeliver,
}

/// A Web API call the emulator received.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedCall {
    pub method: String,
    pub params: Value,
    pub at: Instant,
}

/// An ack the emulator received.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedAck {
    pub envelope_id: String,
    pub payload: Option<Value>,
    /// Time from sending the envelope to its ack; `None` for a repeated ack.
    pub latency: Option<Duration>,
    pub socket: u64,
    /// When the emulator read it.
    pub at: Instant,
}

/// What was delivered, for matching acks and replies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    pub envelope_id: String,
    pub event_id: Option<String>,
    pub response_url: Option<String>,
    pub trigger_id: Option<String>,
}

/// Knobs of the emulator.
#[derive(Debug, Clone)]
pub struct EmulatorOptions {
    /// How long a socket stays open after its `disconnect` frame.
    pub disconnect_grace: Duration,
}

impl Default for EmulatorOptions {
    fn default() -> Self {
        EmulatorOptions {
            disconnect_grace: Duration::from_secs(2),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ApiFaultKind {
    RateLimit { retry_after_secs: u64 },
    Status { status: u16 },
    Error { code: String },
    Slow { delay: Duration },
    MinimalAnswer,
}

struct ApiFault {
    method: String,
    kind: ApiFaultKind,
    remaining: usize,
}

/// State shared by the HTTP handlers, the socket tasks and the test-facing API.
pub(crate) struct Shared {
    address: SocketAddr,
    bot_token: String,
    app_token: String,
    options: EmulatorOptions,
    shutdown: watch::Receiver<bool>,
    workspace: Mutex<Workspace>,
    calls: Mutex<Vec<RecordedCall>>,
    acks: Mutex<Vec<RecordedAck>>,
    api_faults: Mutex<Vec<ApiFault>>,
    tickets: Mutex<HashSet<String>>,
    response_urls: Mutex<HashSet<String>>,
    /// Envelope id → the modal whose submission it carries, until the app acks it.
    submissions: Mutex<HashMap<String, String>>,
    registry: Mutex<Registry>,
    counter: AtomicU64,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    fn next(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// A value that is hard to guess, for tickets and `response_url`s.
    fn unguessable(&self) -> String {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .subsec_nanos();
        format!("{:x}{:08x}", self.next(), nanos ^ 0x5bd1_e995)
    }

    pub(crate) fn with_workspace<R>(&self, f: impl FnOnce(&mut Workspace) -> R) -> R {
        f(&mut lock(&self.workspace))
    }

    pub(crate) fn with_registry<R>(&self, f: impl FnOnce(&mut Registry) -> R) -> R {
        f(&mut lock(&self.registry))
    }

    pub(crate) fn record_call(&self, method: &str, params: &Value) {
        let call = RecordedCall {
            method: method.to_string(),
            params: params.clone(),
            at: Instant::now(),
        };
        lock(&self.calls).push(call);
    }

    /// Records an ack; the ack of a modal's submission first closes, updates or keeps the
    /// modal as its `response_action` says.
    pub(crate) fn record_ack(&self, ack: RecordedAck) {
        // A redelivery's id is the original's with `-r<attempt>` appended.
        let original = ack.envelope_id.split("-r").next().unwrap_or_default();
        let submitted = lock(&self.submissions).remove(original);
        if let Some(view_id) = submitted {
            self.with_workspace(|w| w.answer_submission(&view_id, ack.payload.as_ref()));
        }
        lock(&self.acks).push(ack);
    }

    pub(crate) fn take_api_fault(&self, method: &str) -> Option<ApiFaultKind> {
        let mut faults = lock(&self.api_faults);
        let fault = faults
            .iter_mut()
            .find(|fault| fault.method == method && fault.remaining > 0)?;
        fault.remaining -= 1;
        let kind = fault.kind.clone();
        faults.retain(|fault| fault.remaining > 0);
        Some(kind)
    }

    pub(crate) fn issue_ticket_url(&self) -> String {
        let ticket = self.unguessable();
        lock(&self.tickets).insert(ticket.clone());
        format!("ws://{}/link/?ticket={ticket}", self.address)
    }

    pub(crate) fn redeem_ticket(&self, ticket: &str) -> bool {
        lock(&self.tickets).remove(ticket)
    }

    pub(crate) fn take_close_before_hello(&self) -> bool {
        self.with_registry(|registry| {
            let take = registry.close_before_hello > 0;
            registry.close_before_hello = registry.close_before_hello.saturating_sub(1);
            take
        })
    }

    fn issue_response_url(&self) -> String {
        let id = self.unguessable();
        lock(&self.response_urls).insert(id.clone());
        format!("http://{}/response/{id}", self.address)
    }

    pub(crate) fn response_url_is_known(&self, id: &str) -> bool {
        lock(&self.response_urls).contains(id)
    }

    pub(crate) fn record_response_post(&self, id: String, body: Value) {
        let post = workspace::ResponsePost {
            id,
            body,
            at: Instant::now(),
        };
        self.with_workspace(|workspace| workspace.response_posts.push(post));
    }
}

/// A running fake Slack. Dropping it stops the server.
pub struct Emulator {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Starts on 127.0.0.1 at a free port with default options.
    pub async fn start() -> std::io::Result<Emulator> {
        Emulator::start_with(0, EmulatorOptions::default()).await
    }

    /// Starts on 127.0.0.1 at `port` (0 for any free port).
    pub async fn start_with(port: u16, options: EmulatorOptions) -> std::io::Result<Emulator> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let address = listener.local_addr()?;
        let (stop, shutdown) = watch::channel(false);
        let shared = Arc::new(Shared {
            address,
            bot_token: BOT_TOKEN.to_string(),
            app_token: APP_TOKEN.to_string(),
            options,
            shutdown: shutdown.clone(),
            workspace: Mutex::new(Workspace::seeded()),
            calls: Mutex::new(Vec::new()),
            acks: Mutex::new(Vec::new()),
            api_faults: Mutex::new(Vec::new()),
            tickets: Mutex::new(HashSet::new()),
            response_urls: Mutex::new(HashSet::new()),
            submissions: Mutex::new(HashMap::new()),
            registry: Mutex::new(Registry::default()),
            counter: AtomicU64::new(0),
        });
        let router = http::router(shared.clone());
        let mut stopped = shutdown;
        // Frames go out as they are written, not held back by Nagle's algorithm waiting for the
        // client's delayed ACK, so the latency measured is the bot's.
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let serving = axum::serve(listener, router).with_graceful_shutdown(async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        });
        let server = tokio::spawn(async move {
            if let Err(error) = serving.await {
                tracing::error!(%error, "slack emulator server failed");
            }
        });
        Ok(Emulator {
            shared,
            stop,
            server: Some(server),
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.shared.address
    }

    /// The value for `SLACK_API_URL`.
    pub fn api_url(&self) -> String {
        format!("http://{}/api", self.shared.address)
    }

    pub fn bot_token(&self) -> BotToken {
        BotToken::new(BOT_TOKEN).unwrap_or_else(|_| unreachable!("the emulator's token is valid"))
    }

    pub fn app_token(&self) -> AppToken {
        AppToken::new(APP_TOKEN).unwrap_or_else(|_| unreachable!("the emulator's token is valid"))
    }

    /// Arms a fault (Web API faults) or performs it now (socket faults).
    pub fn inject(&self, fault: Fault) {
        let api_fault = |method: String, kind, times| ApiFault {
            method,
            kind,
            remaining: times,
        };
        let api_faults = |fault| lock(&self.shared.api_faults).push(fault);
        match fault {
            Fault::RateLimit {
                method,
                retry_after_secs,
                times,
            } => api_faults(api_fault(
                method,
                ApiFaultKind::RateLimit { retry_after_secs },
                times,
            )),
            Fault::ServerError {
                method,
                status,
                times,
            } => api_faults(api_fault(method, ApiFaultKind::Status { status }, times)),
            Fault::Error {
                method,
                code,
                times,
            } => api_faults(api_fault(method, ApiFaultKind::Error { code }, times)),
            Fault::Slow {
                method,
                delay,
                times,
            } => api_faults(api_fault(method, ApiFaultKind::Slow { delay }, times)),
            Fault::MinimalAnswer { method, times } => {
                api_faults(api_fault(method, ApiFaultKind::MinimalAnswer, times))
            }
            Fault::Disconnect {
                reason,
                only_oldest,
            } => {
                let frame = json!({
                    "type": "disconnect", "reason": reason.as_str(),
                    "debug_info": { "host": "emulator" },
                })
                .to_string();
                self.shared.with_registry(|registry| {
                    registry.command_sockets(only_oldest, || Command::Disconnect(frame.clone()))
                });
            }
            Fault::CloseAbruptly => self.shared.with_registry(|registry| {
                registry.command_sockets(false, || Command::CloseAbruptly)
            }),
            Fault::Silence => self
                .shared
                .with_registry(|registry| registry.command_sockets(false, || Command::Silence)),
            Fault::CloseBeforeHello { times } => self
                .shared
                .with_registry(|registry| registry.close_before_hello += times),
            Fault::Duplicate { how, times } => self
                .shared
                .with_registry(|registry| registry.duplicate = Some((how, times))),
            Fault::RawFrame(frame) => self.shared.with_registry(|registry| {
                registry.command_sockets(false, || Command::Frame {
                    text: frame.clone(),
                    envelope_id: None,
                })
            }),
        }
    }

    /// Every call of `method` so far, oldest first.
    pub fn calls(&self, method: &str) -> Vec<RecordedCall> {
        let calls = lock(&self.shared.calls);
        calls
            .iter()
            .filter(|call| call.method == method)
            .cloned()
            .collect()
    }

    /// Every ack so far, in arrival order.
    pub fn acks(&self) -> Vec<RecordedAck> {
        lock(&self.shared.acks).clone()
    }

    /// The ack of one envelope, if it arrived.
    pub fn ack_of(&self, envelope_id: &str) -> Option<RecordedAck> {
        let acks = lock(&self.shared.acks);
        acks.iter()
            .find(|ack| ack.envelope_id == envelope_id)
            .cloned()
    }

    /// Sockets that had their `hello` and take envelopes.
    pub fn ready_sockets(&self) -> usize {
        self.shared
            .with_registry(|registry| registry.ready_sockets())
    }

    /// Delivered envelopes not acked yet.
    pub fn unacked(&self) -> usize {
        self.shared.with_registry(|registry| registry.unacked())
    }

    /// A snapshot of the workspace.
    pub fn workspace(&self) -> Workspace {
        self.shared.with_workspace(|workspace| workspace.clone())
    }

    /// Changes the workspace (add users, channels, groups…).
    pub fn edit_workspace<R>(&self, edit: impl FnOnce(&mut Workspace) -> R) -> R {
        self.shared.with_workspace(edit)
    }

    /// Polls `condition` every few milliseconds until it holds; false on timeout.
    pub async fn wait_until(
        &self,
        timeout: Duration,
        condition: impl Fn(&Emulator) -> bool,
    ) -> bool {
        let deadline = Instant::now() + timeout;
        while !condition(self) {
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        true
    }

    /// Delivers a slash command such as `/triage` with `text`, from `user` in `channel`.
    pub fn send_slash_command(
        &self,
        user: &str,
        channel: &str,
        command: &str,
        text: &str,
    ) -> Delivered {
        let response_url = self.shared.issue_response_url();
        let trigger_id = self.trigger_id(user);
        let payload = json!({
            "token": "verification-token-unused", "team_id": self.team_id(),
            "channel_id": channel, "user_id": user, "user_name": self.user_name(user),
            "command": command, "text": text, "api_app_id": "A0EMULATOR",
            "response_url": response_url, "trigger_id": trigger_id,
        });
        self.deliver(
            "slash_commands",
            true,
            payload,
            Some(response_url),
            Some(trigger_id),
        )
    }

    /// Delivers a `block_actions` interaction: `user` pressed `action_id` with `value`.
    pub fn send_block_action(
        &self,
        user: &str,
        channel: &str,
        action_id: &str,
        value: &str,
    ) -> Delivered {
        let response_url = self.shared.issue_response_url();
        let trigger_id = self.trigger_id(user);
        let payload = json!({
            "type": "block_actions", "user": { "id": user, "name": self.user_name(user) },
            "team": { "id": self.team_id() }, "channel": { "id": channel },
            "trigger_id": trigger_id, "response_url": response_url,
            "actions": [{ "action_id": action_id, "block_id": "b1", "value": value, "type": "button" }],
        });
        self.deliver(
            "interactive",
            false,
            payload,
            Some(response_url),
            Some(trigger_id),
        )
    }

    /// Delivers a `view_submission` of the modal `callback_id` with `state_values`.
    pub fn send_view_submission(
        &self,
        user: &str,
        callback_id: &str,
        state_values: Value,
    ) -> Delivered {
        let trigger_id = self.trigger_id(user);
        let payload = json!({
            "type": "view_submission", "user": { "id": user, "name": self.user_name(user) },
            "team": { "id": self.team_id() }, "trigger_id": trigger_id,
            "view": {
                "id": format!("V0SUB{}", self.shared.next()), "type": "modal",
                "callback_id": callback_id, "state": { "values": state_values },
            },
        });
        self.deliver("interactive", true, payload, None, Some(trigger_id))
    }

    /// Delivers a `block_suggestion` (external select options) for `action_id`.
    pub fn send_block_suggestion(&self, user: &str, action_id: &str, value: &str) -> Delivered {
        let payload = json!({
            "type": "block_suggestion", "user": { "id": user, "name": self.user_name(user) },
            "team": { "id": self.team_id() }, "action_id": action_id, "block_id": "b1",
            "value": value,
        });
        self.deliver("interactive", true, payload, None, None)
    }

    /// Delivers an `app_home_opened` event for `user`.
    pub fn send_app_home_opened(&self, user: &str) -> Delivered {
        self.send_event(json!({ "type": "app_home_opened", "user": user, "tab": "home" }))
    }

    /// Delivers an `app_mention` event.
    pub fn send_app_mention(&self, user: &str, channel: &str, text: &str) -> Delivered {
        let ts = format!("1700000100.{:06}", self.shared.next());
        let event = json!({ "type": "app_mention", "user": user, "channel": channel, "text": text, "ts": ts });
        self.send_event(event)
    }

    /// Delivers any Events API `event` inside an `event_callback`.
    pub fn send_event(&self, event: Value) -> Delivered {
        let event_id = format!("Ev{:010}", self.shared.next());
        let payload = json!({
            "type": "event_callback", "team_id": self.team_id(), "api_app_id": "A0EMULATOR",
            "event_id": event_id, "event_time": 1_700_000_000u64, "event": event,
        });
        let mut delivered = self.deliver("events_api", false, payload, None, None);
        delivered.event_id = Some(event_id);
        delivered
    }

    /// Stops the server and every socket, and waits for the server task.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(server) = self.server.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
        }
    }

    fn deliver(
        &self,
        kind: &str,
        accepts_response_payload: bool,
        payload: Value,
        response_url: Option<String>,
        trigger_id: Option<String>,
    ) -> Delivered {
        let envelope_id = format!("env-{:08}", self.shared.next());
        self.deliver_as(
            envelope_id,
            kind,
            accepts_response_payload,
            payload,
            response_url,
            trigger_id,
        )
    }

    fn deliver_as(
        &self,
        envelope_id: String,
        kind: &str,
        accepts_response_payload: bool,
        payload: Value,
        response_url: Option<String>,
        trigger_id: Option<String>,
    ) -> Delivered {
        let envelope = json!({
            "envelope_id": envelope_id, "type": kind, "payload": payload,
            "accepts_response_payload": accepts_response_payload,
            "retry_attempt": 0, "retry_reason": "",
        });
        self.shared
            .with_registry(|registry| registry.deliver_new(envelope));
        Delivered {
            envelope_id,
            event_id: None,
            response_url,
            trigger_id,
        }
    }

    /// A new `trigger_id` for an interaction by `user`: a modal opened with it is theirs.
    fn trigger_id(&self, user: &str) -> String {
        let trigger = format!("{}.{}", self.shared.next(), self.shared.unguessable());
        self.shared.with_workspace(|workspace| {
            workspace.triggers.insert(trigger.clone(), user.to_string())
        });
        trigger
    }

    fn team_id(&self) -> String {
        self.shared
            .with_workspace(|workspace| workspace.team_id.clone())
    }

    fn user_name(&self, user: &str) -> String {
        self.shared.with_workspace(|workspace| {
            workspace
                .user(user)
                .map(|u| u.name.clone())
                .unwrap_or_default()
        })
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

/// Runs an emulator on 127.0.0.1:`port` until Ctrl-C, printing what `serve` needs.
pub async fn run_standalone(port: u16) -> std::io::Result<()> {
    let emulator = Emulator::start_with(port, EmulatorOptions::default()).await?;
    println!("slack emulator listening on {}", emulator.address());
    println!("  SLACK_API_URL={}", emulator.api_url());
    println!("  SLACK_BOT_TOKEN={BOT_TOKEN}");
    println!("  SLACK_APP_TOKEN={APP_TOKEN}");
    println!("press Ctrl-C to stop");
    tokio::signal::ctrl_c().await?;
    emulator.shutdown().await;
    Ok(())
}
