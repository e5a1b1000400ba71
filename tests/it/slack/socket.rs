//! The Socket Mode client: hello, acks, refreshes, reconnects, dedup, malformed frames, logs.

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::Notify;
use tracing_subscriber::fmt::MakeWriter;
use triage_bot::slack::emulator::{Duplication, Fault};
use triage_bot::slack::{
    AppToken, DisconnectReason, Envelope, EnvelopeHandler, Handled, NoDedup, SocketError,
};

use super::support::{
    Recorder, WAIT, api, emulator, memory_dedup, socket_config, start_client,
    start_client_with_token, wait_ready,
};

#[tokio::test]
async fn envelopes_flow_only_after_hello() {
    let emulator = emulator().await;
    emulator.inject(Fault::CloseBeforeHello { times: 2 });
    let delivered = emulator.send_app_home_opened("U0ALICE");
    let recorder = Recorder::default();
    let mut config = socket_config();
    config.connections = 1;
    let client = start_client(&emulator, config, recorder.handler(None), memory_dedup());
    assert!(
        emulator
            .wait_until(WAIT, |e| e.ack_of(&delivered.envelope_id).is_some())
            .await
    );
    assert_eq!(emulator.calls("apps.connections.open").len(), 3);
    assert_eq!(recorder.count(), 1);
    assert_eq!(
        recorder.seen.lock().unwrap()[0].event_type(),
        Some("app_home_opened")
    );
    client.stop().await.unwrap();
}

#[tokio::test]
async fn events_are_acked_before_a_slow_handler_finishes() {
    let emulator = emulator().await;
    let release = Arc::new(Notify::new());
    let finished = Arc::new(AtomicUsize::new(0));
    let handler: Arc<dyn EnvelopeHandler> = {
        let (release, finished) = (release.clone(), finished.clone());
        Arc::new(move |_envelope: Envelope| {
            let (release, finished) = (release.clone(), finished.clone());
            async move {
                release.notified().await;
                finished.fetch_add(1, Ordering::SeqCst);
                None
            }
        })
    };
    let client = start_client(&emulator, socket_config(), handler, memory_dedup());
    wait_ready(&emulator, 2).await;
    let delivered = emulator.send_app_mention("U0BOB", "C0TRIAGE", "<@U0TRIAGEBOT> help");
    assert!(
        emulator
            .wait_until(WAIT, |e| e.ack_of(&delivered.envelope_id).is_some())
            .await
    );
    let ack = emulator.ack_of(&delivered.envelope_id).unwrap();
    assert!(ack.latency.unwrap() < Duration::from_millis(100), "{ack:?}");
    assert_eq!(ack.payload, None);
    assert_eq!(finished.load(Ordering::SeqCst), 0);
    release.notify_one();
    client.stop().await.unwrap();
    assert_eq!(finished.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_click_is_acked_once_decided_and_its_follow_up_runs_after_the_ack() {
    let emulator = emulator().await;
    let (decide, follow_up) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let steps = Arc::new(Mutex::new(Vec::<&'static str>::new()));
    let handler: Arc<dyn EnvelopeHandler> = {
        let (decide, follow_up, steps) = (decide.clone(), follow_up.clone(), steps.clone());
        Arc::new(move |_envelope: Envelope| {
            let (decide, follow_up, steps) = (decide.clone(), follow_up.clone(), steps.clone());
            async move {
                steps.lock().unwrap().push("deciding");
                decide.notified().await;
                steps.lock().unwrap().push("decided");
                let after_ack = async move {
                    follow_up.notified().await;
                    steps.lock().unwrap().push("followed up");
                };
                Handled {
                    reply: Some(json!({ "ignored": true })),
                    after_ack: Some(Box::pin(after_ack)),
                }
            }
        })
    };
    let mut config = socket_config();
    config.ack_budget = Duration::from_secs(5);
    let client = start_client(&emulator, config, handler, Arc::new(NoDedup));
    wait_ready(&emulator, 2).await;
    let click = emulator.send_block_action("U0ALICE", "C0TRIAGE", "approve", "42");
    let acked = |e: &triage_bot::slack::emulator::Emulator| e.ack_of(&click.envelope_id).is_some();
    let started = async {
        while steps.lock().unwrap().is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(WAIT, started).await.unwrap();
    assert!(
        !emulator.wait_until(Duration::from_millis(300), acked).await,
        "the click was acked before its handler decided"
    );
    decide.notify_one();
    assert!(emulator.wait_until(WAIT, acked).await);
    assert_eq!(*steps.lock().unwrap(), ["deciding", "decided"]);
    assert_eq!(
        emulator.ack_of(&click.envelope_id).unwrap().payload,
        None,
        "block actions take no payload in the ack"
    );
    follow_up.notify_one();
    client.stop().await.unwrap();
    assert_eq!(
        *steps.lock().unwrap(),
        ["deciding", "decided", "followed up"]
    );
}

#[tokio::test]
async fn replies_within_the_budget_travel_in_the_ack() {
    let emulator = emulator().await;
    let handler: Arc<dyn EnvelopeHandler> = Arc::new(|envelope: Envelope| async move {
        if let Some(command) = envelope.slash_command() {
            return Some(json!({ "response_type": "ephemeral", "text": command.text }));
        }
        match envelope.interaction_type() {
            Some("view_submission") => Some(json!({ "response_action": "clear" })),
            Some("block_suggestion") => Some(json!({ "options": [] })),
            _ => Some(json!({ "ignored": true })),
        }
    });
    let client = start_client(&emulator, socket_config(), handler, Arc::new(NoDedup));
    wait_ready(&emulator, 2).await;
    let command = emulator.send_slash_command("U0ALICE", "C0TRIAGE", "/triage", "who");
    let submission = emulator.send_view_submission("U0ALICE", "swap", json!({}));
    let suggestion = emulator.send_block_suggestion("U0ALICE", "pick_user", "al");
    let action = emulator.send_block_action("U0ALICE", "C0TRIAGE", "approve", "42");
    assert!(emulator.wait_until(WAIT, |e| e.acks().len() == 4).await);
    let payload = |delivered: &triage_bot::slack::emulator::Delivered| {
        emulator.ack_of(&delivered.envelope_id).unwrap().payload
    };
    assert_eq!(
        payload(&command),
        Some(json!({ "response_type": "ephemeral", "text": "who" }))
    );
    assert_eq!(
        payload(&submission),
        Some(json!({ "response_action": "clear" }))
    );
    assert_eq!(payload(&suggestion), Some(json!({ "options": [] })));
    assert_eq!(
        payload(&action),
        None,
        "block actions take no reply in the ack"
    );
    client.stop().await.unwrap();
}

#[tokio::test]
async fn slow_commands_are_acked_at_the_budget_and_reply_later() {
    let emulator = emulator().await;
    // The handler only returns its reply; missing the ack, it reaches the response_url.
    let handler: Arc<dyn EnvelopeHandler> = Arc::new(move |_envelope: Envelope| async move {
        tokio::time::sleep(Duration::from_millis(600)).await;
        Some(json!({ "text": "done" }))
    });
    let client = start_client(&emulator, socket_config(), handler, memory_dedup());
    wait_ready(&emulator, 2).await;
    let command = emulator.send_slash_command("U0ALICE", "C0TRIAGE", "/triage", "rotate");
    assert!(
        emulator
            .wait_until(WAIT, |e| e.ack_of(&command.envelope_id).is_some())
            .await
    );
    let ack = emulator.ack_of(&command.envelope_id).unwrap();
    assert_eq!(ack.payload, None);
    let latency = ack.latency.unwrap();
    assert!(latency >= Duration::from_millis(300) && latency < Duration::from_millis(600));
    assert!(
        emulator
            .wait_until(WAIT, |e| !e.workspace().response_posts.is_empty())
            .await
    );
    let posts = emulator.workspace().response_posts;
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].body, json!({ "text": "done" }));
    client.stop().await.unwrap();
}

#[tokio::test]
async fn warning_and_refresh_open_a_replacement_first() {
    let emulator = emulator().await;
    let recorder = Recorder::default();
    let client = start_client(
        &emulator,
        socket_config(),
        recorder.handler(None),
        memory_dedup(),
    );
    wait_ready(&emulator, 2).await;
    for reason in [
        DisconnectReason::Warning,
        DisconnectReason::RefreshRequested,
    ] {
        // Every open socket is told to go, so each of the two slots must open a replacement
        // (with only the oldest told, the oldest could be one already being replaced).
        let before = emulator.calls("apps.connections.open").len();
        emulator.inject(Fault::Disconnect {
            reason,
            only_oldest: false,
        });
        let replaced = emulator
            .wait_until(WAIT, |e| {
                e.calls("apps.connections.open").len() >= before + 2
            })
            .await;
        assert!(replaced);
        wait_ready(&emulator, 2).await;
    }
    let delivered = emulator.send_app_home_opened("U0CAROL");
    assert!(
        emulator
            .wait_until(WAIT, |e| e.ack_of(&delivered.envelope_id).is_some())
            .await
    );
    client.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_envelope_is_lost_while_sockets_refresh() {
    let emulator = emulator().await;
    let recorder = Recorder::default();
    let client = start_client(
        &emulator,
        socket_config(),
        recorder.handler(None),
        memory_dedup(),
    );
    wait_ready(&emulator, 2).await;
    let mut sent = Vec::new();
    for batch in 0..20 {
        for _ in 0..50 {
            sent.push(emulator.send_app_home_opened("U0ALICE").event_id.unwrap());
        }
        let reason = if batch % 2 == 0 {
            DisconnectReason::RefreshRequested
        } else {
            DisconnectReason::Warning
        };
        // Force each refresh on a settled pair of sockets and give it time to open its
        // replacement, so the refreshes really happen while envelopes stream. (Slack's
        // `disconnect` can land on a socket that is already being replaced; then no new socket is
        // needed, which is why the count below asks for most refreshes, not all.)
        emulator.wait_until(WAIT, |e| e.ready_sockets() == 2).await;
        let opened = emulator.calls("apps.connections.open").len();
        emulator.inject(Fault::Disconnect {
            reason,
            only_oldest: true,
        });
        emulator
            .wait_until(WAIT, |e| e.calls("apps.connections.open").len() > opened)
            .await;
    }
    let all_seen = emulator
        .wait_until(Duration::from_secs(15), |_| {
            recorder.event_ids().len() == sent.len()
        })
        .await;
    assert!(
        all_seen,
        "handled {} of {}",
        recorder.event_ids().len(),
        sent.len()
    );
    assert!(emulator.wait_until(WAIT, |e| e.unacked() == 0).await);
    let opens = emulator.calls("apps.connections.open").len();
    assert!(
        opens >= 2 + 15,
        "only {} of 20 forced refreshes opened a socket",
        opens - 2
    );
    assert_eq!(recorder.count(), sent.len(), "no event handled twice");
    client.stop().await.unwrap();
}

#[tokio::test]
async fn abrupt_closes_and_silence_reconnect() {
    let emulator = emulator().await;
    let client = start_client(
        &emulator,
        socket_config(),
        Recorder::default().handler(None),
        memory_dedup(),
    );
    wait_ready(&emulator, 2).await;
    emulator.inject(Fault::CloseAbruptly);
    assert!(
        emulator
            .wait_until(WAIT, |e| e.calls("apps.connections.open").len() == 4)
            .await
    );
    wait_ready(&emulator, 2).await;
    emulator.inject(Fault::Silence);
    assert_eq!(emulator.ready_sockets(), 0);
    assert!(
        emulator
            .wait_until(WAIT, |e| e.calls("apps.connections.open").len() == 6)
            .await
    );
    wait_ready(&emulator, 2).await;
    let delivered = emulator.send_app_home_opened("U0ALICE");
    assert!(
        emulator
            .wait_until(WAIT, |e| e.ack_of(&delivered.envelope_id).is_some())
            .await
    );
    client.stop().await.unwrap();
}

#[tokio::test]
async fn backoff_grows_while_connecting_fails_and_resets_after_hello() {
    let emulator = emulator().await;
    emulator.inject(Fault::CloseBeforeHello { times: 4 });
    let mut config = socket_config();
    config.connections = 1;
    let client = start_client(
        &emulator,
        config,
        Recorder::default().handler(None),
        memory_dedup(),
    );
    wait_ready(&emulator, 1).await;
    let opens: Vec<Instant> = emulator
        .calls("apps.connections.open")
        .iter()
        .map(|c| c.at)
        .collect();
    assert_eq!(opens.len(), 5);
    let gaps: Vec<Duration> = opens.windows(2).map(|pair| pair[1] - pair[0]).collect();
    // Delays are 20, 40, 80, 160 ms, each plus up to 100 % jitter.
    assert!(gaps[3] >= Duration::from_millis(160), "{gaps:?}");
    assert!(gaps[3] > gaps[0], "{gaps:?}");

    let closed_at = Instant::now();
    emulator.inject(Fault::CloseAbruptly);
    assert!(
        emulator
            .wait_until(WAIT, |e| e.calls("apps.connections.open").len() == 6)
            .await
    );
    let reopened = emulator.calls("apps.connections.open")[5].at;
    assert!(
        reopened - closed_at < Duration::from_millis(150),
        "backoff was reset after hello"
    );
    client.stop().await.unwrap();
}

#[tokio::test]
async fn link_disabled_backs_off_for_long() {
    let emulator = emulator().await;
    let client = start_client(
        &emulator,
        socket_config(),
        Recorder::default().handler(None),
        memory_dedup(),
    );
    wait_ready(&emulator, 2).await;
    emulator.inject(Fault::Disconnect {
        reason: DisconnectReason::LinkDisabled,
        only_oldest: false,
    });
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        emulator.calls("apps.connections.open").len(),
        2,
        "no hot loop"
    );
    assert!(
        emulator
            .wait_until(WAIT, |e| e.calls("apps.connections.open").len() == 4)
            .await
    );
    wait_ready(&emulator, 2).await;
    client.stop().await.unwrap();
}

#[tokio::test]
async fn refused_app_tokens_stop_the_client() {
    let emulator = emulator().await;
    let started = Instant::now();
    let token = AppToken::new("xapp-revoked").unwrap();
    let client = start_client_with_token(
        &emulator,
        token,
        socket_config(),
        Recorder::default().handler(None),
        memory_dedup(),
    );
    assert!(
        emulator
            .wait_until(Duration::from_secs(1), |_| client.is_finished())
            .await
    );
    let error = client.stop().await.unwrap_err();
    assert_eq!(
        error,
        SocketError::Rejected {
            code: "invalid_auth".into()
        }
    );
    assert!(started.elapsed() < Duration::from_secs(1));

    emulator.inject(Fault::Error {
        method: "apps.connections.open".into(),
        code: "account_inactive".into(),
        times: 1,
    });
    let client = start_client(
        &emulator,
        socket_config(),
        Recorder::default().handler(None),
        memory_dedup(),
    );
    let error = client.stop_when_finished().await.unwrap_err();
    assert_eq!(
        error,
        SocketError::Rejected {
            code: "account_inactive".into()
        }
    );
}

#[tokio::test]
async fn a_redelivered_event_runs_the_handler_once() {
    let emulator = emulator().await;
    let recorder = Recorder::default();
    let client = start_client(
        &emulator,
        socket_config(),
        recorder.handler(None),
        memory_dedup(),
    );
    wait_ready(&emulator, 2).await;
    emulator.inject(Fault::Duplicate {
        how: Duplication::Redeliver,
        times: 1,
    });
    let retried = emulator.send_app_mention("U0ALICE", "C0TRIAGE", "hi");
    emulator.inject(Fault::Duplicate {
        how: Duplication::OnEverySocket,
        times: 1,
    });
    let doubled = emulator.send_app_mention("U0BOB", "C0TRIAGE", "hi");
    assert!(emulator.wait_until(WAIT, |e| e.acks().len() == 4).await);
    let seen = recorder.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(
        recorder
            .event_ids()
            .contains(retried.event_id.as_deref().unwrap())
    );
    assert!(
        recorder
            .event_ids()
            .contains(doubled.event_id.as_deref().unwrap())
    );
    client.stop().await.unwrap();
}

#[tokio::test]
async fn malformed_frames_are_skipped_and_the_socket_kept() {
    let emulator = emulator().await;
    let recorder = Recorder::default();
    let client = start_client(
        &emulator,
        socket_config(),
        recorder.handler(None),
        memory_dedup(),
    );
    wait_ready(&emulator, 2).await;
    for frame in [
        "not json".to_string(),
        "[1,2,3]".to_string(),
        r#"{"envelope_id":"e1","payload":{}}"#.to_string(),
        r#"{"type":"events_api","payload":{"event_id":"Ev1"}}"#.to_string(),
        r#"{"type":"something_new"}"#.to_string(),
        "x".repeat(1024 * 1024),
    ] {
        emulator.inject(Fault::RawFrame(frame));
    }
    let delivered = emulator.send_app_home_opened("U0ALICE");
    assert!(
        emulator
            .wait_until(WAIT, |e| e.ack_of(&delivered.envelope_id).is_some())
            .await
    );
    assert_eq!(recorder.count(), 1);
    assert_eq!(emulator.calls("apps.connections.open").len(), 2);
    assert_eq!(emulator.ready_sockets(), 2);
    client.stop().await.unwrap();
}

#[tokio::test]
async fn shutdown_finishes_running_handlers() {
    let emulator = emulator().await;
    let finished = Arc::new(AtomicUsize::new(0));
    let handler: Arc<dyn EnvelopeHandler> = {
        let finished = finished.clone();
        Arc::new(move |_envelope: Envelope| {
            let finished = finished.clone();
            async move {
                tokio::time::sleep(Duration::from_millis(300)).await;
                finished.fetch_add(1, Ordering::SeqCst);
                None
            }
        })
    };
    let client = start_client(&emulator, socket_config(), handler, memory_dedup());
    wait_ready(&emulator, 2).await;
    let delivered = emulator.send_app_home_opened("U0ALICE");
    assert!(
        emulator
            .wait_until(WAIT, |e| e.ack_of(&delivered.envelope_id).is_some())
            .await
    );
    client.stop().await.unwrap();
    assert_eq!(finished.load(Ordering::SeqCst), 1);
    assert!(emulator.wait_until(WAIT, |e| e.ready_sockets() == 0).await);
}

/// A `MakeWriter` that appends log lines to a shared buffer.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl io::Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for LogBuffer {
    type Writer = LogBuffer;

    fn make_writer(&'a self) -> LogBuffer {
        self.clone()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn logs_never_contain_tokens_tickets_or_response_urls() {
    let logs = LogBuffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(logs.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let emulator = emulator().await;
    let api = api(&emulator);
    let handler: Arc<dyn EnvelopeHandler> = {
        let api = api.clone();
        Arc::new(move |envelope: Envelope| {
            let api = api.clone();
            async move {
                if let Some(url) = envelope.response_url() {
                    tracing::info!(?envelope, ?url, "handling");
                    api.post_to_response_url(&url, &json!({ "text": "ok" }))
                        .await
                        .ok();
                }
                None::<Value>
            }
        })
    };
    let client = start_client(&emulator, socket_config(), handler, memory_dedup());
    wait_ready(&emulator, 2).await;
    let command = emulator.send_slash_command("U0ALICE", "C0TRIAGE", "/triage", "who");
    emulator.inject(Fault::RawFrame(
        r#"{"type":"slash_commands","payload":{"response_url":"http://x/secret"}}"#.into(),
    ));
    emulator.inject(Fault::Disconnect {
        reason: DisconnectReason::RefreshRequested,
        only_oldest: true,
    });
    emulator.inject(Fault::Error {
        method: "chat.postMessage".into(),
        code: "internal_error".into(),
        times: 1,
    });
    let message = triage_bot::slack::PostMessage {
        channel: triage_bot::slack::ChannelId("C0TRIAGE".into()),
        text: "hi".into(),
        blocks: None,
        thread_ts: None,
    };
    api.post_message(&message).await.unwrap();
    assert!(
        emulator
            .wait_until(WAIT, |e| !e.workspace().response_posts.is_empty())
            .await
    );
    assert!(
        emulator
            .wait_until(WAIT, |e| e.calls("apps.connections.open").len() == 3)
            .await
    );
    client.stop().await.unwrap();

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains(&command.envelope_id),
        "envelope ids are logged"
    );
    assert!(text.contains("retrying slack api call"));
    let response_url = command.response_url.unwrap();
    let response_id = response_url.rsplit('/').next().unwrap();
    for secret in ["xoxb-", "xapp-", "ticket=", response_id, "http://x/secret"] {
        assert!(!text.contains(secret), "logs contain {secret}:\n{text}");
    }
}
