//! A team's day end to end, with every notification delivered: the real bot over Socket Mode
//! against the emulator, the announcer and the outbox worker running. A coverage request by
//! command, approved by an admin's button: the admin-channel message is edited in place, both
//! people are told by DM, the people on duty change at once (DMs, topic, user group), and
//! nothing is sent twice.

use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use tokio::sync::watch;
use triage_bot::cli::Cli;
use triage_bot::config::Config;
use triage_bot::domain::{Sprint, SprintIndex};
use triage_bot::serve::{self, ServeOptions};
use triage_bot::slack::emulator::{Emulator, Workspace};

use super::slack::support;
use super::store::{key, now, team_store, user};

const WAIT: Duration = Duration::from_secs(10);

fn messages_in(workspace: &Workspace, channel: &str) -> Vec<String> {
    workspace
        .messages
        .iter()
        .filter(|m| m.channel == channel)
        .map(|m| m.text.clone())
        .collect()
}

fn topic_of(workspace: &Workspace, channel: &str) -> String {
    let channel = workspace.channels.iter().find(|c| c.id == channel);
    channel.map(|c| c.topic.clone()).unwrap_or_default()
}

fn dms_to(workspace: &Workspace, user: &str) -> Vec<String> {
    let dm = workspace
        .channels
        .iter()
        .find(|c| c.dm_with.as_deref() == Some(user));
    dm.map(|dm| messages_in(workspace, &dm.id))
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coverage_request_approved_by_button_reaches_everyone_once() {
    let (dir, store) = team_store();
    for (id, discipline, name) in [
        ("U0ALICE", "ui", "Alice"),
        ("U0BOB", "ui", "Bob"),
        ("U0DAVE", "backend", "Dave"),
    ] {
        store
            .upsert_member(&user(id), &key(discipline), Some(name), "test", now())
            .unwrap();
    }
    let sprint = Sprint {
        index: SprintIndex::new(0).unwrap(),
        name: "Sprint 1".into(),
        start: jiff::civil::date(2026, 3, 9),
        end: jiff::civil::date(2026, 3, 22),
    };
    store.create_sprint(&sprint, "test", now()).unwrap();
    let cli = Cli::parse_from([
        "triage-bot",
        "--db",
        dir.path().join("triage.db").to_str().unwrap(),
        "--clock-start",
        "2026-03-10T12:00:00-07:00",
        "--channel",
        "C0TRIAGE",
        "--admin-channel",
        "C0GENERAL",
        "--usergroup",
        "S0ONCALL",
        "--admins",
        "U0CAROL",
    ]);
    let config = Config::from_settings(&cli.settings).unwrap();
    let emulator = Emulator::start().await.unwrap();
    let options = ServeOptions {
        socket: support::socket_config(),
        ..support::serve_options(&emulator)
    };
    let (stop, shutdown) = watch::channel(false);
    let bot = tokio::spawn(serve::run(
        Arc::new(config),
        store.clone(),
        options,
        shutdown,
    ));
    assert!(emulator.wait_until(WAIT, |e| e.ready_sockets() == 2).await);

    // First start mid-sprint: the team is posted, the topic set and the group reconciled.
    assert!(
        emulator
            .wait_until(WAIT, |e| !messages_in(&e.workspace(), "C0TRIAGE")
                .is_empty())
            .await
    );
    assert!(
        emulator
            .wait_until(WAIT, |e| e.workspace().usergroups[0].users
                == ["U0ALICE", "U0DAVE"])
            .await
    );
    // The start-up user-group check runs beside the outbox worker, so the topic may come later.
    assert!(
        emulator
            .wait_until(WAIT, |e| !topic_of(&e.workspace(), "C0TRIAGE").is_empty())
            .await
    );
    let topic = topic_of(&emulator.workspace(), "C0TRIAGE");
    assert!(
        topic.contains("U0ALICE") || topic.contains("Alice"),
        "{topic}"
    );

    let sent = emulator.send_slash_command(
        "U0ALICE",
        "C0TRIAGE",
        "/triage",
        "cover 1 <@U0BOB|bob> dentist",
    );
    assert!(
        emulator
            .wait_until(WAIT, |e| e.ack_of(&sent.envelope_id).is_some())
            .await
    );
    // Bob is asked first; the admins see the request once he accepts.
    assert!(
        emulator
            .wait_until(WAIT, |e| dms_to(&e.workspace(), "U0BOB").len() == 1)
            .await
    );
    let is_card = |m: &String| m.contains("Coverage request #1");
    let admin_channel = messages_in(&emulator.workspace(), "C0GENERAL");
    assert!(!admin_channel.iter().any(is_card), "{admin_channel:?}");
    emulator.send_block_action("U0BOB", "D0BOB", "accept_request", "1");
    assert!(
        emulator
            .wait_until(WAIT, |e| messages_in(&e.workspace(), "C0GENERAL")
                .iter()
                .any(is_card))
            .await
    );
    emulator.send_block_action("U0CAROL", "C0GENERAL", "approve_override", "1");

    // The request's message is edited in place; Alice and Bob hear the decision and the change,
    // in one message each.
    assert!(
        emulator
            .wait_until(WAIT, |e| e
                .workspace()
                .messages
                .iter()
                .any(|m| m.channel == "C0GENERAL" && m.edits == 1))
            .await
    );
    assert!(
        emulator
            .wait_until(WAIT, |e| e.workspace().usergroups[0].users
                == ["U0BOB", "U0DAVE"])
            .await
    );
    assert!(
        emulator
            .wait_until(WAIT, |e| dms_to(&e.workspace(), "U0ALICE").len() == 2
                && dms_to(&e.workspace(), "U0BOB").len() == 2)
            .await
    );
    assert!(
        emulator
            .wait_until(WAIT, |_| store
                .outbox_stats(jiff::Timestamp::MAX)
                .unwrap()
                .pending
                == 0)
            .await
    );
    // Let any stray repeat surface before counting.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let workspace = emulator.workspace();
    let alice = dms_to(&workspace, "U0ALICE");
    let bob = dms_to(&workspace, "U0BOB");
    // Bob heard when he was asked, Alice when he accepted; then one message each that says
    // everything: the decision and the change of duty.
    assert_eq!(
        (alice.len(), bob.len()),
        (2, 2),
        "alice: {alice:?}\nbob: {bob:?}"
    );
    assert!(bob[0].contains("asks you to cover"), "{bob:?}");
    assert!(
        alice[0].contains("accepted your coverage request"),
        "{alice:?}"
    );
    assert!(
        alice[1].contains("approved") && alice[1].contains("you are off triage duty"),
        "{alice:?}"
    );
    assert!(
        bob[1].contains("approved") && bob[1].contains("on triage duty from now on"),
        "{bob:?}"
    );
    assert!(
        dms_to(&workspace, "U0DAVE").is_empty(),
        "Dave's duty did not change"
    );
    // The one sprint ends within 14 days, so the admins are also warned, once, that the plan runs out.
    let (warnings, requests): (Vec<String>, Vec<String>) = messages_in(&workspace, "C0GENERAL")
        .into_iter()
        .partition(|text| text.starts_with("The last planned sprint"));
    assert_eq!(requests.len(), 1, "the request is edited, not reposted");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(
        messages_in(&workspace, "C0TRIAGE").len(),
        1,
        "a mid-sprint change is not a new team post"
    );
    let topic = workspace
        .channels
        .iter()
        .find(|c| c.id == "C0TRIAGE")
        .unwrap()
        .topic
        .clone();
    assert!(topic.contains("U0BOB") || topic.contains("Bob"), "{topic}");

    stop.send(true).unwrap();
    tokio::time::timeout(WAIT, bot)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}
