//! `serve` end to end against the emulator: the real bot, its store and Socket Mode, answering
//! `/triage who` and `/triage help`, with redelivered events deduplicated in SQLite.

use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use serde_json::json;
use tokio::sync::watch;
use triage_bot::cli::Cli;
use triage_bot::config::Config;
use triage_bot::serve::{self, ServeOptions};
use triage_bot::slack::SocketConfig;
use triage_bot::slack::emulator::{Emulator, Fault};

use super::slack::support;
use super::store::{key, now, team_store, user};

fn config(db: &std::path::Path) -> Config {
    let cli = Cli::parse_from([
        "triage-bot",
        "--db",
        db.to_str().unwrap(),
        "--clock-start",
        "2026-03-10T12:00:00-07:00",
    ]);
    Config::from_settings(&cli.settings).unwrap()
}

fn socket_config() -> SocketConfig {
    SocketConfig {
        reconnect_min: Duration::from_millis(20),
        reconnect_max: Duration::from_millis(200),
        ..SocketConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_who_and_help_in_the_ack() {
    let (dir, store) = team_store();
    store
        .upsert_member(&user("U1"), &key("ui"), Some("Ana"), "test", now())
        .unwrap();
    let sprint = triage_bot::domain::Sprint {
        index: triage_bot::domain::SprintIndex::new(0).unwrap(),
        name: "Sprint 1".into(),
        start: jiff::civil::date(2026, 3, 9),
        end: jiff::civil::date(2026, 3, 22),
    };
    store.create_sprint(&sprint, "test", now()).unwrap();
    let emulator = Emulator::start().await.unwrap();
    let options = ServeOptions {
        notifications: false,
        socket: socket_config(),
        ..support::serve_options(&emulator)
    };
    let (stop, shutdown) = watch::channel(false);
    let bot = tokio::spawn(serve::run(
        Arc::new(config(&dir.path().join("triage.db"))),
        store.clone(),
        options,
        shutdown,
    ));
    assert!(
        emulator
            .wait_until(Duration::from_secs(5), |e| e.ready_sockets() == 2)
            .await
    );

    let who = emulator.send_slash_command("U1", "C1", "/triage", "who");
    assert!(
        emulator
            .wait_until(Duration::from_secs(5), |e| e
                .ack_of(&who.envelope_id)
                .is_some())
            .await
    );
    let ack = emulator.ack_of(&who.envelope_id).unwrap();
    assert_eq!(
        ack.payload,
        Some(
            json!({"response_type": "ephemeral", "text": "*Sprint 1* until Mon Mar 23 08:00 PDT\n• UI: <@U1> (rotation)\n• Backend: nobody (none)"})
        )
    );
    let help = emulator.send_slash_command("U1", "C1", "/triage", "");
    assert!(
        emulator
            .wait_until(Duration::from_secs(5), |e| e
                .ack_of(&help.envelope_id)
                .is_some())
            .await
    );
    let text = emulator.ack_of(&help.envelope_id).unwrap().payload.unwrap()["text"].clone();
    let text = text.as_str().unwrap();
    assert!(
        text.starts_with("*/triage* commands:\n• `/triage who [day] [here]`: who is on duty now")
    );
    assert!(!text.contains("Admin commands"), "U1 is no admin");

    // The same event on both sockets is recorded once in processed_events.
    emulator.inject(Fault::Duplicate {
        how: triage_bot::slack::emulator::Duplication::OnEverySocket,
        times: 1,
    });
    let event = emulator.send_app_home_opened("U1");
    let event_id = event.event_id.unwrap();
    assert!(
        emulator
            .wait_until(Duration::from_secs(5), |e| e.unacked() == 0)
            .await
    );
    // Events are acked on arrival and handled after, so wait for the record.
    let db = dir.path().join("triage.db");
    let recorded = || {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.query_row(
            "SELECT count(*) FROM processed_events WHERE event_id = ?1",
            [&event_id],
            |row| row.get::<_, i64>(0),
        )
        .unwrap()
    };
    assert!(
        emulator
            .wait_until(Duration::from_secs(5), |_| recorded() == 1)
            .await,
        "the bot recorded the event"
    );
    assert!(!store.mark_event_processed(&event_id, now()).unwrap());

    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(10), bot)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[test]
fn serve_refuses_missing_or_malformed_tokens() {
    use super::cli::{check, triage};
    let dir = tempfile::tempdir().unwrap();
    check(
        &triage(dir.path(), &["serve"]),
        2,
        "",
        "error: SLACK_APP_TOKEN is not set (an app-level token, xapp-…)\n",
    );
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_triage-bot"))
        .current_dir(dir.path())
        .arg("serve")
        .env("SLACK_APP_TOKEN", "xoxb-wrong-kind")
        .env("SLACK_BOT_TOKEN", "xoxb-1")
        .output()
        .unwrap();
    check(
        &output,
        2,
        "",
        "error: SLACK_APP_TOKEN must be an app-level token starting with xapp-\n",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_extends_the_plan_by_the_cadence_when_it_starts() {
    let (dir, store) = team_store();
    let cadence = triage_bot::domain::cadence::Cadence {
        start: jiff::civil::date(2026, 1, 5),
        days: 14,
        name_pattern: "Sprint {n}".into(),
        horizon_days: 84,
    };
    let team = config(&dir.path().join("triage.db")).team();
    // Declared long ago (Jan 1): the plan then reached Mar 29.
    let declared = "2026-01-01T12:00:00-08:00".parse().unwrap();
    store
        .set_cadence(&cadence, &team, "test", declared)
        .unwrap();
    assert_eq!(
        store.sprints().unwrap().last().unwrap().end,
        jiff::civil::date(2026, 3, 29)
    );
    let emulator = Emulator::start().await.unwrap();
    let options = ServeOptions {
        notifications: false,
        socket: socket_config(),
        ..support::serve_options(&emulator)
    };
    let (stop, shutdown) = watch::channel(false);
    let bot = tokio::spawn(serve::run(
        Arc::new(config(&dir.path().join("triage.db"))),
        store.clone(),
        options,
        shutdown,
    ));
    assert!(
        emulator
            .wait_until(Duration::from_secs(5), |e| e.ready_sockets() == 2)
            .await
    );
    // Started on Mar 10: the plan reaches at least Jun 2 (12 weeks on), back to back.
    let sprints = store.sprints().unwrap();
    assert_eq!(sprints.last().unwrap().end, jiff::civil::date(2026, 6, 7));
    assert!(
        sprints
            .windows(2)
            .all(|p| p[0].end.tomorrow().unwrap() == p[1].start)
    );
    stop.send(true).unwrap();
    bot.await.unwrap().unwrap();
}
