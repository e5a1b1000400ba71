//! `/healthz` and `/metrics` over real HTTP, against the bot running on the emulator.

use std::sync::Arc;
use std::sync::atomic::AtomicI64;
use std::time::Duration;

use clap::Parser;
use tokio::net::TcpListener;
use tokio::sync::watch;
use triage_bot::cli::Cli;
use triage_bot::config::Config;
use triage_bot::health::{self, HealthState};
use triage_bot::serve::{self, ServeOptions};
use triage_bot::slack::Pacing;
use triage_bot::slack::emulator::Emulator;
use triage_bot::store::NewOutboxItem;

use super::store::{now, team_store};

async fn get(url: &str) -> (u16, String) {
    let response = reqwest::get(url).await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_and_metrics_of_the_running_bot() {
    let (dir, store) = team_store();
    let emulator = Emulator::start().await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let cli = Cli::parse_from([
        "triage-bot",
        "--db",
        dir.path().join("triage.db").to_str().unwrap(),
    ]);
    let config = Config::from_settings(&cli.settings).unwrap();
    let options = ServeOptions {
        api_url: emulator.api_url(),
        app_token: emulator.app_token(),
        bot_token: emulator.bot_token(),
        user_token: None,
        socket: triage_bot::slack::SocketConfig::default(),
        http: Some(listener),
        notifications: true,
        pacing: Pacing::slack_defaults(),
        wake: None,
    };
    let (stop, shutdown) = watch::channel(false);
    let bot = tokio::spawn(serve::run(Arc::new(config), store, options, shutdown));
    assert!(
        emulator
            .wait_until(Duration::from_secs(5), |e| e.ready_sockets() == 2)
            .await
    );

    assert_eq!(
        get(&format!("{base}/healthz")).await,
        (200, "ok\n".to_string())
    );
    let who = emulator.send_slash_command("U1", "C1", "/triage", "who");
    assert!(
        emulator
            .wait_until(Duration::from_secs(5), |e| e
                .ack_of(&who.envelope_id)
                .is_some())
            .await
    );
    let (status, metrics) = get(&format!("{base}/metrics")).await;
    assert_eq!(status, 200);
    for line in [
        "triage_envelopes_received_total{type=\"slash_commands\"}",
        "triage_envelopes_acked_total{type=\"slash_commands\"}",
        "triage_ack_latency_seconds_count",
        "triage_slack_api_calls_total{method=\"auth.test\",outcome=\"ok\"}",
        "triage_outbox_depth",
        "triage_db_busy_retries_total",
        "# EOF",
    ] {
        assert!(metrics.contains(line), "{line} missing from:\n{metrics}");
    }
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(10), bot)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_names_what_is_wrong() {
    let (_dir, store) = team_store();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let ready = Arc::new(AtomicI64::new(0));
    let clock_at = now();
    let state = HealthState {
        store: store.clone(),
        clock: Arc::new(move || clock_at),
        ready_sockets: ready.clone(),
    };
    let (stop, shutdown) = watch::channel(false);
    let server = tokio::spawn(health::serve(listener, state, shutdown));

    assert_eq!(
        get(&format!("{base}/healthz")).await,
        (
            503,
            "unhealthy: no Socket Mode connection is ready\n".to_string()
        )
    );
    ready.store(2, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(get(&format!("{base}/healthz")).await.0, 200);
    // An item due for eleven minutes and not delivered means the worker is stuck; one due later
    // (tomorrow's heads-up) does not count.
    let item = |key: &str, minutes: i64| NewOutboxItem {
        key: key.to_string(),
        kind: "direct_message".into(),
        payload: "{}".into(),
        not_before: clock_at
            .checked_add(jiff::SignedDuration::from_mins(minutes))
            .unwrap(),
        expires_at: None,
    };
    store.enqueue(&[item("later", 24 * 60)], now()).unwrap();
    assert_eq!(get(&format!("{base}/healthz")).await.0, 200);
    store.enqueue(&[item("stuck", -11)], now()).unwrap();
    assert_eq!(
        get(&format!("{base}/healthz")).await,
        (
            503,
            "unhealthy: the outbox is stuck: an item has been due for 660 s\n".to_string()
        )
    );
    stop.send(true).unwrap();
    server.await.unwrap().unwrap();
}
