//! Shared set-up: fast configurations, a recording handler, an in-memory dedup hook, and a
//! running socket client that can be stopped.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use triage_bot::slack::emulator::{Emulator, EmulatorOptions};
use triage_bot::slack::{
    ApiClient, ApiConfig, AppToken, Envelope, EnvelopeHandler, EventDedup, Pacing, SocketClient,
    SocketConfig, SocketError,
};

pub async fn emulator() -> Emulator {
    let options = EmulatorOptions {
        disconnect_grace: Duration::from_millis(300),
    };
    Emulator::start_with(0, options)
        .await
        .expect("emulator starts")
}

pub fn api_config(emulator: &Emulator) -> ApiConfig {
    let mut config = ApiConfig::new(emulator.api_url());
    config.pacing = Pacing::none();
    config.min_backoff = Duration::from_millis(10);
    config.max_backoff = Duration::from_millis(50);
    config.max_retries = 3;
    config.request_timeout = Duration::from_secs(2);
    config
}

pub fn api(emulator: &Emulator) -> ApiClient {
    ApiClient::new(api_config(emulator), emulator.bot_token())
}

/// How the tests run `serve` against `emulator`: its address and tokens, no user token, no HTTP
/// listener, notifications on, Slack's pacing, the default sockets. A test changes what it needs
/// with `ServeOptions { …, ..serve_options(&emulator) }`.
pub fn serve_options(emulator: &Emulator) -> triage_bot::serve::ServeOptions {
    triage_bot::serve::ServeOptions {
        api_url: emulator.api_url(),
        app_token: emulator.app_token(),
        bot_token: emulator.bot_token(),
        user_token: None,
        socket: SocketConfig::default(),
        http: None,
        notifications: true,
        pacing: triage_bot::slack::Pacing::slack_defaults(),
        wake: None,
        http_token: None,
    }
}

pub fn socket_config() -> SocketConfig {
    SocketConfig {
        connections: 2,
        ack_budget: Duration::from_millis(300),
        ping_interval: Duration::from_millis(100),
        idle_timeout: Duration::from_millis(600),
        hello_timeout: Duration::from_secs(1),
        reconnect_min: Duration::from_millis(20),
        reconnect_max: Duration::from_millis(400),
        link_disabled_backoff: Duration::from_millis(1500),
        retire_timeout: Duration::from_millis(500),
        drain_timeout: Duration::from_secs(2),
        max_frame_bytes: 512 * 1024,
    }
}

/// Records every envelope the handler sees; answers with `reply` (if any).
#[derive(Clone, Default)]
pub struct Recorder {
    pub seen: Arc<Mutex<Vec<Envelope>>>,
}

impl Recorder {
    pub fn handler(&self, reply: Option<Value>) -> Arc<dyn EnvelopeHandler> {
        let seen = self.seen.clone();
        Arc::new(move |envelope: Envelope| {
            seen.lock().unwrap().push(envelope);
            let reply = reply.clone();
            async move { reply }
        })
    }

    pub fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    pub fn event_ids(&self) -> HashSet<String> {
        let seen = self.seen.lock().unwrap();
        seen.iter()
            .filter_map(|envelope| envelope.event_id().map(str::to_string))
            .collect()
    }
}

/// An in-memory stand-in for the store's `mark_event_processed`.
pub fn memory_dedup() -> Arc<dyn EventDedup> {
    let processed = Arc::new(Mutex::new(HashSet::new()));
    Arc::new(move |event_id: String| {
        let first = processed.lock().unwrap().insert(event_id);
        async move { first }
    })
}

pub struct Running {
    shutdown: watch::Sender<bool>,
    task: JoinHandle<Result<(), SocketError>>,
}

impl Running {
    pub async fn stop(self) -> Result<(), SocketError> {
        let _ = self.shutdown.send(true);
        tokio::time::timeout(Duration::from_secs(5), self.task)
            .await
            .expect("client stops in time")
            .expect("client task does not panic")
    }

    /// Waits for the client to end by itself.
    pub async fn stop_when_finished(self) -> Result<(), SocketError> {
        tokio::time::timeout(Duration::from_secs(5), self.task)
            .await
            .expect("client ends in time")
            .expect("client task does not panic")
    }

    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}

pub fn start_client(
    emulator: &Emulator,
    config: SocketConfig,
    handler: Arc<dyn EnvelopeHandler>,
    dedup: Arc<dyn EventDedup>,
) -> Running {
    start_client_with_token(emulator, emulator.app_token(), config, handler, dedup)
}

pub fn start_client_with_token(
    emulator: &Emulator,
    app_token: AppToken,
    config: SocketConfig,
    handler: Arc<dyn EnvelopeHandler>,
    dedup: Arc<dyn EventDedup>,
) -> Running {
    let client = SocketClient::new(api(emulator), app_token, config, handler, dedup);
    let (shutdown, signal) = watch::channel(false);
    let task = tokio::spawn(client.run(signal));
    Running { shutdown, task }
}

/// Waits until the emulator has `sockets` ready sockets.
pub async fn wait_ready(emulator: &Emulator, sockets: usize) {
    let ready = emulator
        .wait_until(Duration::from_secs(5), |e| e.ready_sockets() == sockets)
        .await;
    assert!(
        ready,
        "expected {sockets} ready sockets, have {}",
        emulator.ready_sockets()
    );
}

pub const WAIT: Duration = Duration::from_secs(5);
