//! Secrets stay secret: the real `serve` binary, at the most verbose log level, talking to the
//! emulator through commands, clicks, a refresh and a failing Web API call, and answering its
//! status page and a calendar feed over HTTP, never writes a token, a socket ticket URL, a
//! `response_url`, the HTTP token or a calendar feed's token to its logs.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

use triage_bot::slack::emulator::{Emulator, Fault};

use super::store::{key, now, team_store, user};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_never_logs_tokens_tickets_or_response_urls() {
    let (dir, store) = team_store();
    store
        .upsert_member(&user("U0ALICE"), &key("ui"), Some("Alice"), "test", now())
        .unwrap();
    store
        .upsert_member(&user("U0BOB"), &key("ui"), Some("Bob"), "test", now())
        .unwrap();
    let emulator = Emulator::start().await.unwrap();
    let user_token = "xoxp-emulator-user-token-not-for-logs";
    let http_token = "http-token-not-for-the-logs-0123";
    let http_addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_triage-bot"))
        .arg("serve")
        .env("TRIAGE_DB", dir.path().join("triage.db"))
        .env("TRIAGE_CLOCK_START", "2026-03-10T12:00:00-07:00")
        .env("TRIAGE_CHANNEL", "C0TRIAGE")
        .env("TRIAGE_ADMIN_CHANNEL", "C0GENERAL")
        .env("SLACK_API_URL", emulator.api_url())
        .env("SLACK_APP_TOKEN", "xapp-emulator-app-token")
        .env("SLACK_BOT_TOKEN", "xoxb-emulator-bot-token")
        .env("SLACK_USER_TOKEN", user_token)
        .env("TRIAGE_HTTP_ADDR", http_addr.to_string())
        .env("TRIAGE_HTTP_TOKEN", http_token)
        .env("RUST_LOG", "trace")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert!(
        emulator
            .wait_until(Duration::from_secs(10), |e| e.ready_sockets() == 2)
            .await
    );

    let mut response_urls = Vec::new();
    for text in ["who", "cover 1 <@U0BOB|bob>", "nonsense"] {
        let sent = emulator.send_slash_command("U0ALICE", "C0TRIAGE", "/triage", text);
        response_urls.extend(sent.response_url.clone());
        assert!(
            emulator
                .wait_until(Duration::from_secs(10), |e| e
                    .ack_of(&sent.envelope_id)
                    .is_some())
                .await
        );
    }
    // A calendar feed's address, shown once in the ack, then fetched; the status page with the
    // HTTP token.
    let asked = emulator.send_slash_command("U0ALICE", "C0TRIAGE", "/triage", "calendar");
    assert!(
        emulator
            .wait_until(Duration::from_secs(10), |e| e
                .ack_of(&asked.envelope_id)
                .is_some())
            .await
    );
    let ack = emulator
        .ack_of(&asked.envelope_id)
        .unwrap()
        .payload
        .unwrap();
    let feed_url = ack.to_string();
    let start = feed_url.find("http://").expect("an address in the reply");
    let end = start + feed_url[start..].find(".ics").unwrap() + 4;
    let feed_url = feed_url[start..end].to_string();
    let feed_token = feed_url
        .rsplit('/')
        .next()
        .unwrap()
        .trim_end_matches(".ics")
        .to_string();
    let feed = reqwest::get(&feed_url).await.unwrap();
    assert_eq!(feed.status().as_u16(), 200);
    let page = reqwest::Client::new()
        .get(format!("http://{http_addr}/"))
        .bearer_auth(http_token)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);

    let click = emulator.send_block_action("U0BOB", "C0GENERAL", "approve_override", "1");
    response_urls.extend(click.response_url.clone());
    emulator.inject(Fault::Error {
        method: "chat.postMessage".into(),
        code: "internal_error".into(),
        times: 2,
    });
    emulator.inject(Fault::Disconnect {
        reason: triage_bot::slack::DisconnectReason::RefreshRequested,
        only_oldest: true,
    });
    assert!(
        emulator
            .wait_until(Duration::from_secs(10), |e| e
                .calls("apps.connections.open")
                .len()
                >= 3)
            .await
    );
    assert!(
        emulator
            .wait_until(Duration::from_secs(10), |e| !e
                .workspace()
                .response_posts
                .is_empty())
            .await
    );

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    assert!(child.wait().unwrap().success(), "serve exits 0 on SIGTERM");

    // The logs are real and verbose, so the absence below means something.
    for expected in ["socket ready", "envelope received", "envelope_id"] {
        assert!(logs.contains(expected), "{expected} missing from the logs");
    }
    assert!(!response_urls.is_empty());
    let mut secrets = vec![
        "xapp-emulator-app-token",
        "xoxb-emulator-bot-token",
        user_token,
        "ticket=",
        http_token,
        &feed_token,
    ];
    secrets.extend(response_urls.iter().map(String::as_str));
    for secret in secrets {
        let line = logs
            .lines()
            .find(|line| line.contains(secret))
            .unwrap_or_default();
        let shown: String = line.replace(secret, "<SECRET>").chars().take(300).collect();
        assert!(
            !logs.contains(secret),
            "a secret ({}…) appears in the logs: {shown}",
            &secret[..6]
        );
    }
}
