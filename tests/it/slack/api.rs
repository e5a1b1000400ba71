//! The Web API client: typed calls, retries, rate limits, pacing and redaction.

use std::time::{Duration, Instant};

use serde_json::json;
use triage_bot::domain::SlackUserId;
use triage_bot::slack::emulator::Fault;
use triage_bot::slack::{
    ApiClient, ApiError, BotToken, ChannelId, Pacing, PostMessage, ResponseUrl, UpdateMessage,
    UserGroupId,
};

use super::support::{api, api_config, emulator};

fn user(id: &str) -> SlackUserId {
    SlackUserId::parse(id).unwrap()
}

fn message(channel: &str, text: &str) -> PostMessage {
    PostMessage {
        channel: ChannelId(channel.to_string()),
        text: text.to_string(),
        blocks: None,
        thread_ts: None,
    }
}

#[tokio::test]
async fn methods_round_trip_through_the_emulator() {
    let emulator = emulator().await;
    let api = api(&emulator);

    let identity = api.auth_test().await.unwrap();
    assert_eq!(identity.team_id, "T0EMULATOR");

    let posted = api
        .post_message(&message("C0TRIAGE", "hello"))
        .await
        .unwrap();
    let update = UpdateMessage {
        channel: posted.channel.clone(),
        ts: posted.ts.clone(),
        text: "hello again".to_string(),
        blocks: Some(json!([{ "type": "section", "text": { "type": "mrkdwn", "text": "hi" } }])),
    };
    api.update_message(&update).await.unwrap();
    api.post_ephemeral(&user("U0BOB"), &message("C0TRIAGE", "psst"))
        .await
        .unwrap();

    let dm = api.open_dm(&user("U0BOB")).await.unwrap();
    assert_eq!(api.open_dm(&user("U0BOB")).await.unwrap(), dm);
    api.set_topic(&ChannelId("C0TRIAGE".into()), "on call: alice")
        .await
        .unwrap();

    let bob = api.user_info(&user("U0BOB")).await.unwrap();
    assert_eq!(bob.tz.as_deref(), Some("Europe/Berlin"));
    assert_eq!(bob.real_name.as_deref(), Some("Bob Brown"));

    let groups = api.list_usergroups().await.unwrap();
    assert_eq!(groups[0].users, vec!["U0ALICE".to_string()]);
    let group = UserGroupId("S0ONCALL".into());
    api.update_usergroup_users(&group, &[user("U0BOB"), user("U0CAROL")])
        .await
        .unwrap();
    assert_eq!(
        emulator.workspace().usergroup("S0ONCALL").unwrap().users,
        vec!["U0BOB".to_string(), "U0CAROL".to_string()]
    );

    let modal = json!({ "type": "modal", "title": { "type": "plain_text", "text": "Swap" } });
    let opened = api.open_view("trigger-1", &modal).await.unwrap();
    api.update_view(&opened.id, opened.hash.as_deref(), &modal)
        .await
        .unwrap();
    let home = json!({ "type": "home", "blocks": [] });
    api.publish_view(&user("U0ALICE"), &home).await.unwrap();

    let delivered = emulator.send_slash_command("U0ALICE", "C0TRIAGE", "/triage", "who");
    let response_url = ResponseUrl::new(delivered.response_url.unwrap());
    api.post_to_response_url(&response_url, &json!({ "text": "later" }))
        .await
        .unwrap();

    let workspace = emulator.workspace();
    let posted_messages = workspace.messages_in("C0TRIAGE");
    assert_eq!(posted_messages.len(), 1);
    assert_eq!(posted_messages[0].text, "hello again");
    assert_eq!(posted_messages[0].edits, 1);
    assert_eq!(workspace.ephemerals.len(), 1);
    assert_eq!(
        workspace.channel("C0TRIAGE").unwrap().topic,
        "on call: alice"
    );
    assert_eq!(
        workspace.channel(&dm.0).unwrap().dm_with.as_deref(),
        Some("U0BOB")
    );
    assert_eq!(workspace.views.len(), 2);
    assert_eq!(workspace.response_posts[0].body, json!({ "text": "later" }));
    assert_eq!(emulator.calls("users.info")[0].params["user"], "U0BOB");
}

/// Whether `text` holds a bidirectional control.
fn has_bidi(text: &str) -> bool {
    text.chars().any(triage_bot::domain::text::is_bidi_control)
}

#[tokio::test]
async fn no_call_carries_a_bidirectional_control_to_slack() {
    let emulator = emulator().await;
    let api = api(&emulator);
    let sneaky = "Ana\u{202E}sgnirts\u{2066} \u{200F}ok";
    let blocks = json!([{ "type": "section", "text": { "type": "mrkdwn", "text": sneaky } }]);
    let posted = api
        .post_message(&PostMessage {
            blocks: Some(blocks.clone()),
            ..message("C0TRIAGE", sneaky)
        })
        .await
        .unwrap();
    let topic = format!("on call: {sneaky}");
    api.set_topic(&ChannelId("C0TRIAGE".into()), &topic)
        .await
        .unwrap();
    let home = json!({ "type": "home", "blocks": blocks });
    api.publish_view(&user("U0ALICE"), &home).await.unwrap();
    let delivered = emulator.send_slash_command("U0ALICE", "C0TRIAGE", "/triage", "who");
    let response_url = ResponseUrl::new(delivered.response_url.unwrap());
    api.post_to_response_url(&response_url, &json!({ "text": sneaky }))
        .await
        .unwrap();

    let workspace = emulator.workspace();
    let message = &workspace.messages_in(&posted.channel.0)[0];
    assert_eq!(message.text, "Anasgnirts ok");
    assert_eq!(
        message.blocks.as_ref().unwrap()[0]["text"]["text"],
        "Anasgnirts ok"
    );
    assert_eq!(
        workspace.channel("C0TRIAGE").unwrap().topic,
        "on call: Anasgnirts ok"
    );
    assert_eq!(
        workspace.views[0].view["blocks"][0]["text"]["text"],
        "Anasgnirts ok"
    );
    assert_eq!(workspace.response_posts[0].body["text"], "Anasgnirts ok");
    for call in emulator.calls("chat.postMessage") {
        assert!(!has_bidi(&call.params.to_string()), "{:?}", call.params);
    }
}

#[tokio::test]
async fn answers_without_the_fields_the_bot_does_not_read_are_successes() {
    let emulator = emulator().await;
    let api = api(&emulator);
    let modal = json!({ "type": "modal", "title": { "type": "plain_text", "text": "Swap" } });
    let opened = api.open_view("trigger-0", &modal).await.unwrap();
    let minimal = |method: &str| {
        emulator.inject(Fault::MinimalAnswer {
            method: method.to_string(),
            times: 1,
        })
    };
    for method in [
        "auth.test",
        "chat.update",
        "chat.postEphemeral",
        "conversations.setTopic",
        "usergroups.users.update",
        "views.open",
        "views.update",
        "views.publish",
    ] {
        minimal(method);
    }
    let posted = api
        .post_message(&message("C0TRIAGE", "hello"))
        .await
        .unwrap();
    api.auth_test().await.unwrap();
    let update = UpdateMessage {
        channel: posted.channel.clone(),
        ts: posted.ts.clone(),
        text: "hello again".to_string(),
        blocks: None,
    };
    api.update_message(&update).await.unwrap();
    api.post_ephemeral(&user("U0BOB"), &message("C0TRIAGE", "psst"))
        .await
        .unwrap();
    let channel = ChannelId("C0TRIAGE".into());
    api.set_topic(&channel, "on call: bob").await.unwrap();
    let group = UserGroupId("S0ONCALL".into());
    api.update_usergroup_users(&group, &[user("U0BOB")])
        .await
        .unwrap();
    api.open_view("trigger-1", &modal).await.unwrap();
    api.update_view(&opened.id, None, &modal).await.unwrap();
    let home = json!({ "type": "home", "blocks": [] });
    api.publish_view(&user("U0ALICE"), &home).await.unwrap();

    // Every call took effect, and none was tried twice.
    let workspace = emulator.workspace();
    assert_eq!(workspace.usergroup("S0ONCALL").unwrap().users, ["U0BOB"]);
    assert_eq!(workspace.channel("C0TRIAGE").unwrap().topic, "on call: bob");
    assert_eq!(workspace.messages_in("C0TRIAGE")[0].text, "hello again");
    assert_eq!(emulator.calls("usergroups.users.update").len(), 1);

    // A field the bot does need is still required: a post without its `ts` is an error.
    minimal("chat.postMessage");
    let error = api
        .post_message(&message("C0TRIAGE", "hello"))
        .await
        .unwrap_err();
    assert!(matches!(error, ApiError::Decode { .. }), "{error:?}");
}

#[tokio::test]
async fn permanent_errors_are_typed_and_not_retried() {
    let emulator = emulator().await;
    let api = api(&emulator);
    let error = api
        .post_message(&message("C0MISSING", "hello"))
        .await
        .unwrap_err();
    assert_eq!(error.slack_code(), Some("channel_not_found"));
    assert!(!error.is_retryable());
    assert_eq!(
        error.to_string(),
        "slack method chat.postMessage failed: channel_not_found"
    );
    assert_eq!(emulator.calls("chat.postMessage").len(), 1);

    let error = api
        .update_usergroup_users(&UserGroupId("S0ONCALL".into()), &[])
        .await
        .unwrap_err();
    assert_eq!(error.slack_code(), Some("no_users_provided"));
    assert_eq!(emulator.calls("usergroups.users.update").len(), 1);
}

#[tokio::test]
async fn a_wrong_bot_token_is_invalid_auth_and_not_retried() {
    let emulator = emulator().await;
    let token = BotToken::new("xoxb-not-the-right-one").unwrap();
    let api = ApiClient::new(api_config(&emulator), token);
    let error = api.auth_test().await.unwrap_err();
    assert_eq!(error.slack_code(), Some("invalid_auth"));
    assert_eq!(emulator.calls("auth.test").len(), 1);
}

#[tokio::test]
async fn server_errors_are_retried() {
    let emulator = emulator().await;
    emulator.inject(Fault::ServerError {
        method: "chat.postMessage".into(),
        status: 503,
        times: 2,
    });
    api(&emulator)
        .post_message(&message("C0TRIAGE", "hello"))
        .await
        .unwrap();
    assert_eq!(emulator.calls("chat.postMessage").len(), 3);
    assert_eq!(emulator.workspace().messages.len(), 1);
}

#[tokio::test]
async fn transient_error_codes_are_retried() {
    let emulator = emulator().await;
    for code in [
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
        "ratelimited",
    ] {
        emulator.inject(Fault::Error {
            method: "users.info".into(),
            code: code.into(),
            times: 1,
        });
        api(&emulator).user_info(&user("U0ALICE")).await.unwrap();
    }
    assert_eq!(emulator.calls("users.info").len(), 10);
}

#[tokio::test]
async fn retries_stop_after_the_configured_number() {
    let emulator = emulator().await;
    emulator.inject(Fault::ServerError {
        method: "auth.test".into(),
        status: 500,
        times: 10,
    });
    let error = api(&emulator).auth_test().await.unwrap_err();
    assert!(
        matches!(error, ApiError::Status { status: 500, .. }),
        "{error:?}"
    );
    assert_eq!(emulator.calls("auth.test").len(), 4);
}

#[tokio::test]
async fn rate_limits_wait_for_retry_after() {
    let emulator = emulator().await;
    emulator.inject(Fault::RateLimit {
        method: "chat.postMessage".into(),
        retry_after_secs: 1,
        times: 1,
    });
    api(&emulator)
        .post_message(&message("C0TRIAGE", "hello"))
        .await
        .unwrap();
    let calls = emulator.calls("chat.postMessage");
    assert_eq!(calls.len(), 2);
    assert!(calls[1].at - calls[0].at >= Duration::from_secs(1));
}

#[track_caller]
fn check_retry_delay(error: ApiError, backoff_secs: u64, expected_secs: u64) {
    let cap = Duration::from_secs(120);
    let delay = triage_bot::slack::api::retry_delay(&error, Duration::from_secs(backoff_secs), cap);
    assert_eq!(delay, Duration::from_secs(expected_secs), "{error:?}");
}

#[test]
fn a_rate_limit_waits_exactly_retry_after_and_nothing_more() {
    let limited = |secs| ApiError::RateLimited {
        method: "chat.postMessage".into(),
        retry_after: Duration::from_secs(secs),
    };
    // However long the backoff has grown, a 429 waits what Slack asked for.
    check_retry_delay(limited(1), 0, 1);
    check_retry_delay(limited(1), 20, 1);
    check_retry_delay(limited(1), 60, 1);
    check_retry_delay(limited(30), 5, 30);
    check_retry_delay(limited(3600), 5, 120);
    // Other transient failures keep their backoff.
    let unavailable = ApiError::Status {
        method: "chat.postMessage".into(),
        status: 503,
    };
    check_retry_delay(unavailable, 20, 20);
}

#[tokio::test]
async fn retry_after_is_capped() {
    let emulator = emulator().await;
    emulator.inject(Fault::RateLimit {
        method: "chat.postMessage".into(),
        retry_after_secs: 3600,
        times: 1,
    });
    let mut config = api_config(&emulator);
    config.max_retry_after = Duration::from_millis(100);
    let api = ApiClient::new(config, emulator.bot_token());
    let started = Instant::now();
    api.post_message(&message("C0TRIAGE", "hello"))
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(emulator.calls("chat.postMessage").len(), 2);
}

#[tokio::test]
async fn timeouts_are_retried() {
    let emulator = emulator().await;
    emulator.inject(Fault::Slow {
        method: "conversations.open".into(),
        delay: Duration::from_secs(2),
        times: 1,
    });
    let mut config = api_config(&emulator);
    config.request_timeout = Duration::from_millis(200);
    let api = ApiClient::new(config, emulator.bot_token());
    api.open_dm(&user("U0CAROL")).await.unwrap();
    assert_eq!(emulator.calls("conversations.open").len(), 2);
}

#[tokio::test]
async fn a_persons_dm_channel_is_opened_once_and_asked_again_once_forgotten() {
    let emulator = emulator().await;
    let api = api(&emulator);
    let first = api.open_dm(&user("U0CAROL")).await.unwrap();
    assert_eq!(api.open_dm(&user("U0CAROL")).await.unwrap(), first);
    let other = api.open_dm(&user("U0DAVE")).await.unwrap();
    assert_ne!(other, first);
    assert_eq!(emulator.calls("conversations.open").len(), 2);
    api.forget_dm(&user("U0CAROL"));
    assert_eq!(api.open_dm(&user("U0CAROL")).await.unwrap(), first);
    assert_eq!(emulator.calls("conversations.open").len(), 3);
}

#[tokio::test]
async fn posts_to_one_channel_are_paced() {
    let emulator = emulator().await;
    let mut config = api_config(&emulator);
    config.pacing = Pacing {
        post_message_per_channel: Duration::from_millis(150),
        ..Pacing::none()
    };
    let api = ApiClient::new(config, emulator.bot_token());
    // The pacer makes the second and third post to one channel wait their turn, so the three
    // take at least two intervals however fast the emulator answers.
    let started = std::time::Instant::now();
    for text in ["one", "two", "three"] {
        api.post_message(&message("C0TRIAGE", text)).await.unwrap();
        api.post_message(&message("C0GENERAL", text)).await.unwrap();
    }
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    let to_triage = emulator
        .calls("chat.postMessage")
        .into_iter()
        .filter(|call| call.params["channel"] == "C0TRIAGE")
        .count();
    assert_eq!(to_triage, 3);
}

#[tokio::test]
async fn errors_never_show_response_urls_or_tokens() {
    let emulator = emulator().await;
    let mut config = api_config(&emulator);
    config.max_retries = 1;
    config.base_url = "http://127.0.0.1:9/api".to_string();
    let api = ApiClient::new(config, emulator.bot_token());
    let secret_url = ResponseUrl::new("http://127.0.0.1:9/response/very-secret-id");
    let error = api
        .post_to_response_url(&secret_url, &json!({ "text": "x" }))
        .await
        .unwrap_err();
    let shown = format!("{error} {error:?} {secret_url:?} {api:?}");
    assert!(error.is_retryable());
    assert!(!shown.contains("very-secret-id"), "{shown}");
    assert!(!shown.contains("xoxb-"), "{shown}");
    let error = api.auth_test().await.unwrap_err();
    assert!(matches!(error, ApiError::Transport { .. }), "{error:?}");
}
