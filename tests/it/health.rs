//! `/healthz` and `/metrics` over real HTTP, against the bot running on the emulator.

use std::sync::Arc;
use std::sync::atomic::AtomicI64;
use std::time::Duration;

use clap::Parser;
use expect_test::expect;
use tokio::net::TcpListener;
use tokio::sync::watch;
use triage_bot::cli::Cli;
use triage_bot::config::Config;
use triage_bot::health::{self, HealthState};
use triage_bot::serve::{self, ServeOptions};
use triage_bot::slack::emulator::Emulator;
use triage_bot::store::NewOutboxItem;

use super::slack::support;
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
        http: Some(listener),
        ..support::serve_options(&emulator)
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
        team: Config::from_settings(&Cli::parse_from(["triage-bot"]).settings)
            .unwrap()
            .team(),
        token: None,
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

/// The JSON API answers exactly what the command line's `--json` prints for the same database
/// and clock; a bad parameter gets 400 with the command line's words, and only GET and HEAD are
/// allowed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_answers_with_the_command_lines_json() {
    let team = super::commands::Team::standard();
    let db = team.dir.path().join("triage.db");
    let (store, _) = triage_bot::store::Store::open(&db, Default::default()).unwrap();
    let cli = Cli::parse_from(["triage-bot", "--db", db.to_str().unwrap()]);
    let config = Config::from_settings(&cli.settings).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let clock_at: jiff::Timestamp = team.clock.parse().unwrap();
    let state = HealthState {
        store,
        clock: Arc::new(move || clock_at),
        ready_sockets: Arc::new(AtomicI64::new(1)),
        team: config.team(),
        token: None,
    };
    let (stop, shutdown) = watch::channel(false);
    let server = tokio::spawn(health::serve(listener, state, shutdown));
    for (path, args) in [
        ("/api/v1/who", vec!["who"]),
        (
            "/api/v1/who?at=2026-04-01",
            vec!["who", "--at", "2026-04-01"],
        ),
        (
            "/api/v1/who?at=2027-01-01T00:00:00Z",
            vec!["who", "--at", "2027-01-01T00:00:00Z"],
        ),
        ("/api/v1/schedule", vec!["schedule"]),
        (
            "/api/v1/schedule?from=2026-04-13&count=2",
            vec!["schedule", "--from", "2026-04-13", "--count", "2"],
        ),
        ("/api/v1/stats", vec!["stats"]),
        (
            "/api/v1/stats?since=2026-03-16",
            vec!["stats", "--since", "2026-03-16"],
        ),
    ] {
        let (status, body) = get(&format!("{base}{path}")).await;
        assert_eq!(status, 200, "{path}: {body}");
        let answered: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(answered, team.json(&args), "{path}");
    }
    // The status page: names, not ids; no reasons, no scripts; a refresh and both schemes.
    let page = reqwest::get(format!("{base}/")).await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    let html = page.text().await.unwrap();
    let who = team.json(&["who"]);
    for assignment in who["assignments"].as_array().unwrap() {
        let name = assignment["name"].as_str().unwrap();
        assert!(html.contains(name), "{name} missing from the page");
    }
    for expected in [
        "<meta http-equiv=\"refresh\" content=\"60\">",
        "prefers-color-scheme: dark",
        "name=\"viewport\"",
        "On duty now",
        "The coming sprints",
        "Fairness",
        "Last handoff message delivered",
    ] {
        assert!(html.contains(expected), "{expected} missing from the page");
    }
    assert!(!html.contains("<script"));
    assert!(!html.contains("UUI1"), "a Slack id on the page");
    let mut refused = Vec::new();
    for path in [
        "/api/v1/schedule?count=0",
        "/api/v1/schedule?count=many",
        "/api/v1/schedule?from=tomorrowish",
        "/api/v1/who?at=2026-02-30",
        "/api/v1/stats?since=last-week",
    ] {
        refused.push(get(&format!("{base}{path}")).await);
    }
    expect![[r#"
        [
            (
                400,
                "count must be between 1 and 520, not 0\n",
            ),
            (
                400,
                "count must be a whole number, not `many`\n",
            ),
            (
                400,
                "from must be a date as YYYY-MM-DD, not `tomorrowish`\n",
            ),
            (
                400,
                "at must be a date (YYYY-MM-DD) or an RFC 3339 instant (2026-03-09T09:00:00-07:00), not `2026-02-30`\n",
            ),
            (
                400,
                "since must be a date as YYYY-MM-DD, not `last-week`\n",
            ),
        ]"#]].assert_eq(&format!("{refused:#?}"));
    let client = reqwest::Client::new();
    for method in [
        reqwest::Method::POST,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
    ] {
        let response = client
            .request(method.clone(), format!("{base}/api/v1/who"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 405, "{method}");
    }
    let head = client
        .head(format!("{base}/api/v1/schedule"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status().as_u16(), 200);
    stop.send(true).unwrap();
    server.await.unwrap().unwrap();
}

/// With `TRIAGE_HTTP_TOKEN`, the API and `/metrics` need the token (a bearer header or the
/// `triage_token` cookie); `/healthz` stays open; a wrong token is refused like none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_and_metrics_follow_the_token_and_healthz_stays_open() {
    let (_dir, store) = team_store();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let clock_at = now();
    let token = "s3cret-token-for-the-api";
    let state = HealthState {
        store,
        clock: Arc::new(move || clock_at),
        ready_sockets: Arc::new(AtomicI64::new(1)),
        team: Config::from_settings(&Cli::parse_from(["triage-bot"]).settings)
            .unwrap()
            .team(),
        token: Some(health::HttpToken::new(token).unwrap()),
    };
    let (stop, shutdown) = watch::channel(false);
    let server = tokio::spawn(health::serve(listener, state, shutdown));
    let client = reqwest::Client::new();
    let status = |request: reqwest::RequestBuilder| async move {
        request.send().await.unwrap().status().as_u16()
    };
    for path in [
        "/api/v1/who",
        "/api/v1/schedule",
        "/api/v1/stats",
        "/metrics",
    ] {
        let url = format!("{base}{path}");
        assert_eq!(
            status(client.get(&url)).await,
            401,
            "{path} without a token"
        );
        let wrong = client.get(&url).bearer_auth("s3cret-token-for-the-apX");
        assert_eq!(status(wrong).await, 401, "{path} with a wrong token");
        assert_eq!(
            status(client.get(&url).bearer_auth(token)).await,
            200,
            "{path}"
        );
        let cookie = client
            .get(&url)
            .header("cookie", format!("theme=dark; triage_token={token}"));
        assert_eq!(status(cookie).await, 200, "{path} with the cookie");
    }
    let refused = client
        .get(format!("{base}/api/v1/who"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.headers()["www-authenticate"], "Bearer");
    let body = refused.text().await.unwrap();
    assert!(!body.contains(token), "{body}");
    assert_eq!(get(&format!("{base}/healthz")).await.0, 200);
    // The page: refused without the token; `/?token=…` sets the cookie and moves on to `/`.
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    assert_eq!(status(no_redirects.get(format!("{base}/"))).await, 401);
    let wrong = no_redirects.get(format!("{base}/?token=not-the-token-at-all"));
    assert_eq!(status(wrong).await, 401);
    let visit = no_redirects
        .get(format!("{base}/?token={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(visit.status().as_u16(), 303);
    assert_eq!(visit.headers()["location"], "/");
    let cookie = visit.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let cookie = cookie.split(';').next().unwrap().to_string();
    let page = no_redirects
        .get(format!("{base}/"))
        .header("cookie", cookie);
    assert_eq!(status(page).await, 200);
    // Short or spaced tokens are refused when the bot starts.
    assert!(health::HttpToken::new("short").is_err());
    assert!(health::HttpToken::new("a token with spaces in it").is_err());
    assert_eq!(
        format!("{:?}", health::HttpToken::new(token).unwrap()),
        "HttpToken(…)"
    );
    stop.send(true).unwrap();
    server.await.unwrap().unwrap();
}
