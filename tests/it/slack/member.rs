//! The emulator as a member's Slack: typed commands (only the app's reach it), messages (a
//! mention of the bot becomes `app_mention`), and modals submitted or closed, with the app's ack
//! deciding what happens to the modal.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Value, json};
use triage_bot::slack::emulator::workspace::SLACKBOT;
use triage_bot::slack::emulator::{Emulator, InputValue};
use triage_bot::slack::{Envelope, EnvelopeHandler, NoDedup};

use super::support::{
    Recorder, WAIT, api, emulator, memory_dedup, socket_config, start_client, wait_ready,
};

#[tokio::test]
async fn only_the_apps_commands_reach_it_and_slackbot_refuses_the_others() {
    let emulator = emulator().await;
    let recorder = Recorder::default();
    let client = start_client(
        &emulator,
        socket_config(),
        recorder.handler(None),
        memory_dedup(),
    );
    wait_ready(&emulator, 2).await;

    let refused = emulator.type_slash_command("U0ALICE", "C0TRIAGE", "/triageX", "who");
    let sent = emulator
        .type_slash_command("U0ALICE", "C0TRIAGE", "/triage", "who")
        .expect("the app's own command is delivered");
    assert!(
        emulator
            .wait_until(WAIT, |e| e.ack_of(&sent.envelope_id).is_some())
            .await
    );

    assert_eq!(refused, None);
    let commands: Vec<String> = recorder
        .seen
        .lock()
        .unwrap()
        .iter()
        .filter_map(|envelope| envelope.slash_command())
        .map(|command| format!("{} {}", command.command, command.text))
        .collect();
    assert_eq!(commands, ["/triage who"]);
    let workspace = emulator.workspace();
    let slackbot = &workspace.ephemerals[0];
    assert_eq!(
        (slackbot.user.as_str(), slackbot.author.as_deref()),
        ("U0ALICE", Some(SLACKBOT))
    );
    assert!(
        slackbot
            .text
            .starts_with("`/triageX` is not a valid command."),
        "{}",
        slackbot.text
    );
    client.stop().await.unwrap();
}

#[tokio::test]
async fn a_message_is_posted_and_a_mention_of_the_bot_reaches_it_as_app_mention() {
    let emulator = emulator().await;
    let recorder = Recorder::default();
    let client = start_client(
        &emulator,
        socket_config(),
        recorder.handler(None),
        memory_dedup(),
    );
    wait_ready(&emulator, 2).await;

    let plain = emulator
        .post_as_member("U0BOB", "C0TRIAGE", "/ triage who")
        .unwrap();
    let mention = emulator
        .post_as_member("U0BOB", "C0TRIAGE", "<@U0TRIAGEBOT> who")
        .unwrap();
    let delivered = mention
        .mention
        .clone()
        .expect("a mention of the bot is delivered");
    assert!(
        emulator
            .wait_until(WAIT, |e| e.ack_of(&delivered.envelope_id).is_some())
            .await
    );

    assert_eq!(plain.mention, None);
    let posted: Vec<(Option<String>, String)> = emulator
        .workspace()
        .messages_in("C0TRIAGE")
        .iter()
        .map(|m| (m.author.clone(), m.text.clone()))
        .collect();
    assert_eq!(
        posted,
        [
            (Some("U0BOB".to_string()), "/ triage who".to_string()),
            (Some("U0BOB".to_string()), "<@U0TRIAGEBOT> who".to_string())
        ]
    );
    let seen = recorder.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "only the mention reaches the app");
    let event = seen[0].app_mention().unwrap();
    assert_eq!(
        (
            event.user.as_str(),
            event.channel.as_str(),
            event.text.as_str(),
            event.thread_ts.as_str()
        ),
        (
            "U0BOB",
            "C0TRIAGE",
            "<@U0TRIAGEBOT> who",
            mention.ts.as_str()
        )
    );
    assert_eq!(
        emulator.post_as_member("U0BOB", "C0NOWHERE", "hi"),
        Err("channel_not_found")
    );
    client.stop().await.unwrap();
}

fn option(text: &str, value: &str) -> Value {
    json!({ "text": { "type": "plain_text", "text": text }, "value": value })
}

/// A modal with a grouped select (an initial option), a second select, a text input and a
/// context block without a block id.
fn swap_modal() -> Value {
    json!({
        "type": "modal", "callback_id": "swap", "private_metadata": "sprint=7",
        "notify_on_close": true,
        "title": { "type": "plain_text", "text": "Swap" },
        "submit": { "type": "plain_text", "text": "Send" },
        "blocks": [
            { "type": "input", "block_id": "who", "label": { "type": "plain_text", "text": "Who" },
              "element": { "type": "static_select", "action_id": "pick", "option_groups": [
                  { "label": { "type": "plain_text", "text": "UI" },
                    "options": [option("Bob", "ui:U0BOB"), option("Carol", "ui:U0CAROL")] }],
                  "initial_option": option("Bob", "ui:U0BOB") } },
            { "type": "input", "block_id": "when", "label": { "type": "plain_text", "text": "When" },
              "element": { "type": "static_select", "action_id": "when",
                  "options": [option("Now", "now"), option("Later", "later")] } },
            { "type": "input", "block_id": "why", "optional": true,
              "label": { "type": "plain_text", "text": "Why" },
              "element": { "type": "plain_text_input", "action_id": "why" } },
            { "type": "context", "elements": [{ "type": "mrkdwn", "text": "no block id" }] }
        ]
    })
}

/// Answers the swap form without a reason with an error, with a reason by replacing it with a
/// thank-you view, and the thank-you view with nothing.
fn swap_handler() -> Arc<dyn EnvelopeHandler> {
    Arc::new(|envelope: Envelope| async move {
        let view = &envelope.payload["view"];
        if envelope.interaction_type() != Some("view_submission") || view["callback_id"] != "swap" {
            return None;
        }
        if view["state"]["values"]["why"]["why"]["value"].is_null() {
            return Some(json!({ "response_action": "errors", "errors": { "why": "say why" } }));
        }
        let thanks = json!({ "type": "modal", "callback_id": "thanks",
            "title": { "type": "plain_text", "text": "Thanks" },
            "submit": { "type": "plain_text", "text": "OK" }, "blocks": [] });
        Some(json!({ "response_action": "update", "view": thanks }))
    })
}

async fn acked(emulator: &Emulator, envelope_id: &str) {
    assert!(
        emulator
            .wait_until(WAIT, |e| e.ack_of(envelope_id).is_some())
            .await
    );
}

#[tokio::test]
async fn a_modal_is_submitted_as_slack_sends_it_and_the_ack_keeps_replaces_or_closes_it() {
    let emulator = emulator().await;
    let client = start_client(
        &emulator,
        socket_config(),
        swap_handler(),
        Arc::new(NoDedup),
    );
    wait_ready(&emulator, 2).await;
    let trigger = emulator
        .send_slash_command("U0ALICE", "C0TRIAGE", "/triage", "swap")
        .trigger_id
        .unwrap();
    api(&emulator)
        .open_view(&trigger, &swap_modal())
        .await
        .unwrap();
    let view_id = emulator.workspace().modals_of("U0ALICE")[0].id.clone();
    assert!(emulator.workspace().modals_of("U0BOB").is_empty());

    let mut inputs = BTreeMap::from([("when".to_string(), InputValue::Choice("later".into()))]);
    assert_eq!(
        emulator
            .submit_modal("U0BOB", &view_id, &inputs)
            .unwrap_err(),
        "not_found",
        "a modal is its opener's alone"
    );
    let first = emulator.submit_modal("U0ALICE", &view_id, &inputs).unwrap();
    acked(&emulator, &first.envelope_id).await;
    let delivered = emulator.ack_of(&first.envelope_id).unwrap();
    assert_eq!(
        delivered.payload,
        Some(json!({ "response_action": "errors", "errors": { "why": "say why" } }))
    );
    assert_eq!(
        emulator.workspace().modals_of("U0ALICE").len(),
        1,
        "errors keep it open"
    );

    inputs.insert("why".to_string(), InputValue::Text("dentist".into()));
    let second = emulator.submit_modal("U0ALICE", &view_id, &inputs).unwrap();
    acked(&emulator, &second.envelope_id).await;
    let workspace = emulator.workspace();
    let open = workspace.modals_of("U0ALICE");
    assert_eq!(
        (
            open.len(),
            open[0].id.as_str(),
            &open[0].view["title"]["text"]
        ),
        (1, view_id.as_str(), &json!("Thanks")),
        "update replaces it in place"
    );

    let third = emulator
        .submit_modal("U0ALICE", &view_id, &BTreeMap::new())
        .unwrap();
    acked(&emulator, &third.envelope_id).await;
    assert!(
        emulator.workspace().modals_of("U0ALICE").is_empty(),
        "no action closes it"
    );
    client.stop().await.unwrap();
}

#[tokio::test]
async fn a_submission_carries_the_view_its_ids_metadata_and_every_inputs_state() {
    let emulator = emulator().await;
    let recorder = Recorder::default();
    let client = start_client(
        &emulator,
        socket_config(),
        recorder.handler(None),
        memory_dedup(),
    );
    wait_ready(&emulator, 2).await;
    let trigger = emulator
        .send_block_action("U0ALICE", "C0TRIAGE", "open", "1")
        .trigger_id
        .unwrap();
    api(&emulator)
        .open_view(&trigger, &swap_modal())
        .await
        .unwrap();
    let view_id = emulator.workspace().modals_of("U0ALICE")[0].id.clone();

    let inputs = BTreeMap::from([("when".to_string(), InputValue::Choice("now".into()))]);
    let sent = emulator.submit_modal("U0ALICE", &view_id, &inputs).unwrap();
    acked(&emulator, &sent.envelope_id).await;
    let seen = recorder.seen.lock().unwrap().clone();
    let payload = &seen
        .iter()
        .find(|e| e.envelope_id == sent.envelope_id)
        .unwrap()
        .payload;
    let view = &payload["view"];
    assert_eq!(
        (
            &payload["type"],
            &payload["user"]["id"],
            &view["id"],
            &view["callback_id"],
            &view["private_metadata"],
            &view["blocks"][3]["block_id"],
        ),
        (
            &json!("view_submission"),
            &json!("U0ALICE"),
            &json!(view_id),
            &json!("swap"),
            &json!("sprint=7"),
            &json!("block-3")
        )
    );
    assert_eq!(
        view["state"]["values"],
        json!({
            "who": { "pick": { "type": "static_select", "selected_option": option("Bob", "ui:U0BOB") } },
            "when": { "when": { "type": "static_select", "selected_option": option("Now", "now") } },
            "why": { "why": { "type": "plain_text_input", "value": null } },
        })
    );
    let submission = seen
        .iter()
        .find(|e| e.envelope_id == sent.envelope_id)
        .unwrap()
        .view_submission()
        .unwrap();
    assert_eq!(submission.value("who", "pick").as_deref(), Some("ui:U0BOB"));

    let unknown = BTreeMap::from([("when".to_string(), InputValue::Choice("never".into()))]);
    let trigger = emulator
        .send_block_action("U0ALICE", "C0TRIAGE", "open", "1")
        .trigger_id
        .unwrap();
    api(&emulator)
        .open_view(&trigger, &swap_modal())
        .await
        .unwrap();
    let reopened = emulator.workspace().modals_of("U0ALICE")[0].id.clone();
    assert_eq!(
        emulator
            .submit_modal("U0ALICE", &reopened, &unknown)
            .unwrap_err(),
        "invalid_arguments",
        "a choice the select does not offer"
    );

    let closed = emulator
        .close_modal("U0ALICE", &reopened)
        .unwrap()
        .expect("the modal asked to hear of its closing");
    acked(&emulator, &closed.envelope_id).await;
    let seen = recorder.seen.lock().unwrap().clone();
    let closing = seen
        .iter()
        .find(|e| e.envelope_id == closed.envelope_id)
        .unwrap();
    assert_eq!(
        (&closing.payload["type"], &closing.payload["view"]["id"]),
        (&json!("view_closed"), &json!(reopened))
    );
    assert!(emulator.workspace().modals_of("U0ALICE").is_empty());
    client.stop().await.unwrap();
}
