//! The Slack surface end to end against the emulator: `/triage` commands, coverage requests by
//! command and by modal, approval by buttons with admin rights checked on the server, the App
//! Home, mentions, and the outbox rows every decision leaves behind. The clock is pinned to
//! Tuesday 2026-03-10 12:00 in Los Angeles, in the first of three two-week sprints.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use expect_test::{Expect, expect};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use triage_bot::cli::Cli;
use triage_bot::config::Config;
use triage_bot::domain::{OverrideStatus, Sprint, SprintIndex};
use triage_bot::serve::{self, ServeError, ServeOptions};
use triage_bot::slack::emulator::{Emulator, InputValue};
use triage_bot::store::{OutboxRow, Store};

use super::slack::support;
use super::store::{key, now, team_store, user};

const ALICE: &str = "U0ALICE";
const BOB: &str = "U0BOB";
const CAROL: &str = "U0CAROL";
const DAVE: &str = "U0DAVE";
const ADMIN_CHANNEL: &str = "C0ADMIN";

/// The bot running against the emulator, with a team of four: Alice and Bob in UI, Dave and
/// Carol in Backend. Carol is an admin by the configuration.
struct Bot {
    _dir: TempDir,
    store: Store,
    emulator: Emulator,
    stop: watch::Sender<bool>,
    task: JoinHandle<Result<(), ServeError>>,
}

impl Bot {
    async fn start() -> Bot {
        Bot::start_with(&[CAROL], &[]).await
    }

    /// The team with `configured` admins in the configuration and `listed` in the database.
    async fn start_with(configured: &[&str], listed: &[&str]) -> Bot {
        Bot::start_at(configured, listed, "2026-03-10T12:00:00-07:00", false).await
    }

    /// The team with Carol as the configured admin and the clock starting at `clock`, with the
    /// notification scheduler and the outbox worker running: what the bot enqueues is delivered.
    async fn start_delivering(clock: &str) -> Bot {
        Bot::start_at(&[CAROL], &[], clock, true).await
    }

    async fn start_at(
        configured: &[&str],
        listed: &[&str],
        clock: &str,
        notifications: bool,
    ) -> Bot {
        Bot::start_with_args(configured, listed, clock, notifications, &[]).await
    }

    /// [`Bot::start`] with more settings on the command line.
    async fn start_with_args(
        configured: &[&str],
        listed: &[&str],
        clock: &str,
        notifications: bool,
        more: &[&str],
    ) -> Bot {
        let (dir, store) = team_store();
        for admin in listed {
            store.add_admin(&user(admin), "test", now()).unwrap();
        }
        for (id, discipline, name) in [
            (ALICE, "ui", "Alice"),
            (BOB, "ui", "Bob"),
            (DAVE, "backend", "Dave"),
            (CAROL, "backend", "Carol"),
        ] {
            store
                .upsert_member(&user(id), &key(discipline), Some(name), "test", now())
                .unwrap();
        }
        for (index, start, end) in [
            (0, (3, 9), (3, 22)),
            (1, (3, 23), (4, 5)),
            (2, (4, 6), (4, 19)),
        ] {
            let sprint = Sprint {
                index: SprintIndex::new(index).unwrap(),
                name: format!("Sprint {}", index + 1),
                start: jiff::civil::date(2026, start.0, start.1),
                end: jiff::civil::date(2026, end.0, end.1),
            };
            store.create_sprint(&sprint, "test", now()).unwrap();
        }
        let db = dir.path().join("triage.db");
        let mut args = vec![
            "triage-bot",
            "--db",
            db.to_str().unwrap(),
            "--clock-start",
            clock,
            "--admin-channel",
            ADMIN_CHANNEL,
        ];
        let configured = configured.join(",");
        if !configured.is_empty() {
            args.extend(["--admins", &configured]);
        }
        args.extend(more);
        let config = Cli::parse_from(args);
        let config = Config::from_settings(&config.settings).unwrap();
        let emulator = support::emulator().await;
        let options = ServeOptions {
            notifications,
            socket: triage_bot::slack::SocketConfig {
                ack_budget: Duration::from_secs(2),
                ..support::socket_config()
            },
            ..support::serve_options(&emulator)
        };
        let (stop, shutdown) = watch::channel(false);
        let task = tokio::spawn(serve::run(
            Arc::new(config),
            store.clone(),
            options,
            shutdown,
        ));
        assert!(
            emulator
                .wait_until(Duration::from_secs(5), |e| e.ready_sockets() == 2)
                .await
        );
        Bot {
            _dir: dir,
            store,
            emulator,
            stop,
            task,
        }
    }

    async fn stop(self) {
        self.stop.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        self.emulator.shutdown().await;
    }

    /// Runs `/triage <text>` as `user` and returns the ack's payload (`Null` when empty).
    async fn command(&self, user: &str, text: &str) -> Value {
        let sent = self
            .emulator
            .send_slash_command(user, "C0TRIAGE", "/triage", text);
        self.ack(&sent.envelope_id).await
    }

    /// The text of `/triage <text>`'s reply.
    async fn say(&self, user: &str, text: &str) -> String {
        let reply = self.command(user, text).await;
        reply["text"].as_str().unwrap_or_default().to_string()
    }

    async fn ack(&self, envelope_id: &str) -> Value {
        assert!(
            self.emulator
                .wait_until(Duration::from_secs(5), |e| e.ack_of(envelope_id).is_some())
                .await,
            "no ack"
        );
        self.emulator
            .ack_of(envelope_id)
            .unwrap()
            .payload
            .unwrap_or(Value::Null)
    }

    /// Clicks a button as `user` and returns the ephemeral answer posted to its response URL.
    async fn click(&self, user: &str, action_id: &str, value: &str) -> String {
        let before = self.emulator.workspace().response_posts.len();
        self.emulator
            .send_block_action(user, ADMIN_CHANNEL, action_id, value);
        assert!(
            self.emulator
                .wait_until(Duration::from_secs(5), |e| e
                    .workspace()
                    .response_posts
                    .len()
                    > before)
                .await,
            "no answer to the click"
        );
        let posts = self.emulator.workspace().response_posts;
        let body = &posts.last().unwrap().body;
        assert_eq!(body["response_type"], "ephemeral");
        assert_eq!(body["replace_original"], false);
        body["text"].as_str().unwrap().to_string()
    }

    /// Submits the coverage modal as `user` and returns the ack's payload.
    async fn submit(&self, user: &str, shift: &str, replacement: &str, reason: &str) -> Value {
        let values = json!({
            "shift": {"shift": {"type": "static_select", "selected_option": {"value": shift}}},
            "replacement": {"replacement": {"type": "static_select", "selected_option": {"value": replacement}}},
            "reason": {"reason": {"type": "plain_text_input", "value": reason}},
        });
        let sent = self
            .emulator
            .send_view_submission(user, "cover_request", values);
        self.ack(&sent.envelope_id).await
    }

    /// The outbox key of the one answer to a mention, once it is enqueued.
    async fn mention_reply_key(&self) -> String {
        let found = self
            .emulator
            .wait_until(Duration::from_secs(5), |_| {
                !self.store.outbox_rows("mention:").unwrap().is_empty()
            })
            .await;
        assert!(found, "no answer to the mention");
        let rows = self.store.outbox_rows("mention:").unwrap();
        assert_eq!(rows.len(), 1, "{rows:?}");
        rows[0].key.clone()
    }

    /// Mentions the bot in #triage as `user` with `text` after the mention, and returns the text
    /// of the answer, once it is enqueued.
    async fn mention(&self, user: &str, text: &str) -> String {
        let before = self.store.outbox_rows("mention:").unwrap().len();
        self.emulator
            .send_app_mention(user, "C0TRIAGE", &format!("<@U0TRIAGEBOT> {text}"));
        let answered = self
            .emulator
            .wait_until(Duration::from_secs(5), |_| {
                self.store.outbox_rows("mention:").unwrap().len() > before
            })
            .await;
        assert!(answered, "no answer to the mention");
        let rows = self.store.outbox_rows("mention:").unwrap();
        let payload: Value = serde_json::from_str(&rows.last().unwrap().payload).unwrap();
        payload["text"].as_str().unwrap().to_string()
    }

    fn status(&self, id: i64) -> OverrideStatus {
        self.store.override_by_id(id).unwrap().unwrap().status
    }

    /// Outbox rows under `prefix`, as `key kind` lines.
    fn outbox(&self, prefix: &str) -> String {
        let rows = self.store.outbox_rows(prefix).unwrap();
        rows.iter()
            .map(|row| format!("{} {}\n", row.key, row.kind))
            .collect()
    }

    fn payload(&self, key: &str) -> Value {
        let rows: Vec<OutboxRow> = self.store.outbox_rows(key).unwrap();
        let row = rows.iter().find(|r| r.key == key).expect("outbox row");
        serde_json::from_str(&row.payload).unwrap()
    }

    /// Row counts of the tables a command could change, to prove a refusal changed nothing.
    fn row_counts(&self) -> Vec<i64> {
        let conn = rusqlite::Connection::open(self.store.path()).unwrap();
        ["admins", "members", "audit_log", "outbox", "rotation_turns"]
            .iter()
            .map(|table| {
                conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
                    .unwrap()
            })
            .collect()
    }

    fn audit_actions(&self) -> Vec<String> {
        let mut actions: Vec<String> = self
            .store
            .audit(50)
            .unwrap()
            .into_iter()
            .map(|e| format!("{} {} {}", e.actor, e.action, e.entity_id))
            .collect();
        actions.reverse();
        actions
    }
}

/// Block Kit as readable lines: sections, context, buttons `[label → action_id:value]`,
/// inputs with their options.
fn render(blocks: &Value) -> String {
    let mut out = String::new();
    for block in blocks.as_array().unwrap() {
        let text = block["text"]["text"].as_str().unwrap_or_default();
        match block["type"].as_str().unwrap() {
            "header" => out.push_str(&format!("# {text}\n")),
            "section" => {
                out.push_str(&format!("{text}\n"));
                if !block["accessory"].is_null() {
                    out.push_str(&format!("  {}\n", button(&block["accessory"])));
                }
            }
            "context" => out.push_str(&format!(
                "  ({})\n",
                block["elements"][0]["text"].as_str().unwrap()
            )),
            "divider" => out.push_str("---\n"),
            "actions" => {
                let buttons: Vec<String> = block["elements"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(button)
                    .collect();
                out.push_str(&format!("  {}\n", buttons.join(" ")));
            }
            "input" => {
                let element = &block["element"];
                out.push_str(&format!(
                    "input {} ({}):\n",
                    block["block_id"].as_str().unwrap(),
                    element["type"].as_str().unwrap()
                ));
                if !element["initial_option"].is_null() {
                    out.push_str(&format!(
                        "  initial: {}\n",
                        element["initial_option"]["value"]
                    ));
                }
                for option in element["options"].as_array().into_iter().flatten() {
                    out.push_str(&format!(
                        "  - {} = {}\n",
                        option["text"]["text"].as_str().unwrap(),
                        option["value"].as_str().unwrap()
                    ));
                }
                for group in element["option_groups"].as_array().into_iter().flatten() {
                    out.push_str(&format!(
                        "  {}:\n",
                        group["label"]["text"].as_str().unwrap()
                    ));
                    for option in group["options"].as_array().unwrap() {
                        out.push_str(&format!(
                            "    - {} = {}\n",
                            option["text"]["text"].as_str().unwrap(),
                            option["value"].as_str().unwrap()
                        ));
                    }
                }
            }
            other => out.push_str(&format!("<{other}>\n")),
        }
    }
    out
}

fn button(button: &Value) -> String {
    format!(
        "[{} → {}:{}]",
        button["text"]["text"].as_str().unwrap(),
        button["action_id"].as_str().unwrap(),
        button["value"].as_str().unwrap()
    )
}

#[track_caller]
fn check(actual: impl AsRef<str>, expected: Expect) {
    expected.assert_eq(actual.as_ref());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_shows_admin_commands_to_admins_only_and_suggests_near_misses() {
    let bot = Bot::start().await;
    check(
        bot.say(ALICE, "").await,
        expect![[r#"
            */triage* commands:
            • `/triage who [day] [here]`: who is on duty now, or on a day: `tomorrow`, `friday`, `next monday`, `2026-03-20` (`here` posts it in the channel)
            • `/triage next`: who is on duty in the next sprint
            • `/triage schedule [n]`: the next n sprints (4 if not given)
            • `/triage me`: your upcoming shifts
            • `/triage stats [discipline] [since &lt;day&gt;]`: per person: sprints served, covers given and received, turns skipped or owed (`since 2026-01-05`: sprints from that day on)
            • `/triage note [discipline] [text…]`: leave a handoff note for whoever takes over from you (`note` alone shows it)
            • `/triage calendar [reset]`: your duties as a calendar feed to subscribe to (the address is shown once; `reset` makes a new one and ends the old)
            • `/triage calendar team`: everyone's duties as a calendar feed (the address is shown once)
            • `/triage cover`: ask someone to cover one of your shifts (opens a form)
            • `/triage cover &lt;sprint&gt; &lt;@person&gt; [discipline] [reason…]`: ask @person to cover your shift in a sprint
            • `/triage cover &lt;sprint&gt; open [discipline] [reason…]`: ask for a volunteer: a post in the triage channel with an "I'll cover" button
            • `/triage swap &lt;my sprint&gt; &lt;@person&gt; &lt;their sprint&gt; [discipline] [reason…]`: trade shifts with someone: they take yours, you take theirs
            • `/triage cancel &lt;id&gt;`: withdraw a coverage request
            • `/triage accept &lt;id&gt;`: agree to cover a shift someone asked you to cover
            • `/triage refuse &lt;id&gt; [reason…]`: say no to covering a shift someone asked you to cover
            • `/triage away &lt;first day&gt; &lt;last day&gt; [reason…]`: record days you are away (dates as YYYY-MM-DD)
            • `/triage away list|remove &lt;id&gt;`: your absences; remove one
            • `/triage policy`: what each discipline does when someone is away during their duty
            • `/triage overrides`: your coverage requests
            • `/triage admins`: who the admins are
            • `/triage help`: this list"#]],
    );
    let admin_help = bot.say(CAROL, "help").await;
    assert!(admin_help.contains("*Admin commands:*"));
    assert!(admin_help.contains("`/triage approve &lt;id&gt;`"));
    check(
        bot.say(ALICE, "shedule 3").await.lines().next().unwrap(),
        expect![[r#"I don't know `shedule`. Did you mean `/triage schedule`?"#]],
    );
    check(
        bot.say(ALICE, "cover soon").await,
        expect![[r#"
            say who should cover: mention them with @
            Usage: `/triage cover &lt;sprint&gt; &lt;@person&gt; [discipline] [reason…]`"#]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_next_schedule_and_me() {
    let bot = Bot::start().await;
    let who = bot.command(BOB, "who").await;
    assert_eq!(who["response_type"], "ephemeral");
    check(
        who["text"].as_str().unwrap(),
        expect![[r#"
            *Sprint 1* until Mon Mar 23 08:00 PDT
            • UI: <@U0ALICE> (rotation)
            • Backend: <@U0DAVE> (rotation)"#]],
    );
    let here = bot.command(BOB, "who here").await;
    assert_eq!(here["response_type"], "in_channel");
    assert_eq!(here["text"], who["text"]);
    check(
        bot.say(BOB, "next").await,
        expect![[r#"
            *Next sprint*

            *Sprint 2* · Mon Mar 23 to Sun Apr 5
            • UI: <@U0BOB> (rotation)
            • Backend: <@U0CAROL> (rotation)"#]],
    );
    check(
        bot.say(BOB, "schedule 2").await,
        expect![[r#"
            *This sprint and the next one*

            *Sprint 1* · Mon Mar 9 to Sun Mar 22
            • UI: <@U0ALICE> (rotation)
            • Backend: <@U0DAVE> (rotation)

            *Sprint 2* · Mon Mar 23 to Sun Apr 5
            • UI: <@U0BOB> (rotation)
            • Backend: <@U0CAROL> (rotation)"#]],
    );
    check(
        bot.say(BOB, "schedule 40").await,
        expect![[r#"
        the number of sprints must be a whole number from 1 to 12, not `40`
        Usage: `/triage schedule [n]`"#]],
    );
    let me = bot.command(ALICE, "me").await;
    check(
        render(&me["blocks"]),
        expect![[r#"
            *Your shifts*
            *UI* in *Sprint 1* (now), Mon Mar 9 to Sun Mar 22
              [Request coverage → cover_shift:0:ui]
            *UI* in *Sprint 3*, Mon Apr 6 to Sun Apr 19
              [Request coverage → cover_shift:2:ui]
        "#]],
    );
    check(
        bot.say(CAROL, "me now").await,
        expect![[r#"
        `me` takes nothing after it, not `now`
        Usage: `/triage me`"#]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coverage_by_command_approved_by_button_with_rights_checked() {
    let bot = Bot::start().await;
    check(
        bot.say(ALICE, "cover 1 <@U0BOB|bob> dentist").await,
        expect![[
            r#"Request #1 filed: <@U0BOB> to cover *UI* in *Sprint 1*. <@U0BOB> has a DM to accept or decline it; once they accept, an admin approves it where the discipline asks for one. You will get a DM either way."#
        ]],
    );
    check(
        bot.outbox("request:1"),
        expect![[r#"
            request:1:dm:U0BOB direct_message
            request:1:home:U0ALICE publish_home
            request:1:home:U0BOB publish_home
            request:1:home:U0CAROL publish_home
        "#]],
    );
    // Bob is asked first, with buttons; nothing reaches the admins yet.
    check(
        render(&bot.payload("request:1:dm:U0BOB")["blocks"]),
        expect![[r#"
            <@U0ALICE> asks you to cover their shift, *UI* in *Sprint 1* (request #1).
            Reason: dentist
              [Accept → accept_request:1] [Decline → refuse_request:1]
              (Or type `/triage accept 1` or `/triage refuse 1 [reason]`. Once you accept, an admin approves it where the discipline asks for one.)
        "#]],
    );
    check(
        bot.click(CAROL, "approve_override", "1").await,
        expect![[r#"request #1 waits for <@U0BOB> to accept it; an admin decides after that"#]],
    );
    check(
        bot.say(ALICE, "accept 1").await,
        expect![[r#"only <@U0BOB>, the person named to cover, can accept request #1"#]],
    );
    assert_eq!(bot.status(1), OverrideStatus::Proposed);
    check(
        bot.click(BOB, "accept_request", "1").await,
        expect![[
            r#"You accepted request #1 (<@U0BOB> to cover *UI* in *Sprint 1*). An admin will approve or decline it, and you will get a DM either way."#
        ]],
    );
    assert_eq!(bot.status(1), OverrideStatus::Pending);
    check(
        bot.payload("decision:1:pending:dm:U0ALICE")["text"]
            .as_str()
            .unwrap(),
        expect![[
            r#"<@U0BOB> accepted your coverage request #1 (*UI* in *Sprint 1*). An admin will approve or decline it, and you will hear either way."#
        ]],
    );
    check(
        bot.click(BOB, "accept_request", "1").await,
        expect![[
            r#"Request #1 (<@U0BOB> to cover *UI* in *Sprint 1*) was already pending; nothing changed."#
        ]],
    );
    let post = bot.payload("request:1:admin-post");
    assert_eq!(post["channel"], ADMIN_CHANNEL);
    assert_eq!(post["message_key"], "request:1");
    check(
        render(&post["blocks"]),
        expect![[r#"
            *Coverage request #1*
            <@U0ALICE> asks <@U0BOB> to cover *UI* in *Sprint 1*
            Reason: dentist
              (:warning: Approving gives <@U0BOB> back-to-back duty: they are on duty for *UI* in *Sprint 2*, the sprint after.)
              [Approve → approve_override:1] [Decline → decline_override:1]
        "#]],
    );

    // The same request again files nothing new.
    check(
        bot.say(ALICE, "cover 1 <@U0BOB|bob> dentist").await,
        expect![[
            r#"You already asked for this: request #1 (<@U0BOB> to cover *UI* in *Sprint 1*) is waiting for an admin."#
        ]],
    );

    // Bob is not an admin: his click is refused, audited, and changes nothing.
    let audit_before = bot.store.audit_count().unwrap();
    check(
        bot.click(BOB, "approve_override", "1").await,
        expect![[r#"only admins can approve requests"#]],
    );
    assert_eq!(bot.status(1), OverrideStatus::Pending);
    assert_eq!(bot.store.audit_count().unwrap(), audit_before + 1);
    check(
        bot.audit_actions().last().unwrap(),
        expect![[r#"U0BOB override.approve.refused 1"#]],
    );
    check(
        bot.outbox("decision:"),
        expect![[r#"
        decision:1:pending:dm:U0ALICE direct_message
        decision:1:pending:home:U0BOB publish_home
        decision:1:pending:home:U0ALICE publish_home
        decision:1:pending:home:U0CAROL publish_home
    "#]],
    );

    // Carol is an admin by the configuration. Bob's own turn is next: she confirms.
    check(
        bot.click(CAROL, "approve_override", "1").await,
        expect![[
            r#":warning: Approving request #1 gives <@U0BOB> back-to-back duty: they are on duty for *UI* in *Sprint 2*, the sprint after. Approve it anyway?"#
        ]],
    );
    assert_eq!(bot.status(1), OverrideStatus::Pending);
    check(
        bot.click(CAROL, "approve_override_confirmed", "1").await,
        expect![[r#"Request #1 (<@U0BOB> to cover *UI* in *Sprint 1*) is now approved."#]],
    );
    assert_eq!(bot.status(1), OverrideStatus::Approved);
    check(
        bot.outbox("decision:1"),
        expect![[r#"
            decision:1:pending:dm:U0ALICE direct_message
            decision:1:pending:home:U0BOB publish_home
            decision:1:pending:home:U0ALICE publish_home
            decision:1:pending:home:U0CAROL publish_home
            decision:1:approved:dm:U0BOB direct_message
            decision:1:approved:dm:U0ALICE direct_message
            decision:1:approved:update update_message
            decision:1:approved:usergroups reconcile_usergroups
            decision:1:approved:home:U0CAROL publish_home
            decision:1:approved:home:U0ALICE publish_home
            decision:1:approved:home:U0BOB publish_home
        "#]],
    );
    let update = bot.payload("decision:1:approved:update");
    assert_eq!(update["message_key"], "request:1");
    check(
        render(&update["blocks"]),
        expect![[r#"
            *Coverage request #1*
            <@U0ALICE> asks <@U0BOB> to cover *UI* in *Sprint 1*
            Reason: dentist
              (:white_check_mark: Approved by <@U0CAROL> on Tue Mar 10 12:00 PDT)
        "#]],
    );
    check(
        bot.payload("decision:1:approved:dm:U0ALICE")["text"]
            .as_str()
            .unwrap(),
        expect![[
            r#"Your coverage request #1 was approved by <@U0CAROL>: <@U0BOB> takes over *UI* in *Sprint 1* from now on, so you are off triage duty."#
        ]],
    );
    check(
        bot.payload("decision:1:approved:dm:U0BOB")["text"]
            .as_str()
            .unwrap(),
        expect![[
            r#"You are covering *UI* in *Sprint 1* for <@U0ALICE> and are on triage duty from now on (request #1, approved by <@U0CAROL>)."#
        ]],
    );
    check(
        bot.say(BOB, "who").await,
        expect![[r#"
            *Sprint 1* until Mon Mar 23 08:00 PDT
            • UI: <@U0BOB> (override)
            • Backend: <@U0DAVE> (rotation)"#]],
    );

    // Clicking again, or re-submitting the approved request, leaves it approved.
    check(
        bot.click(CAROL, "approve_override", "1").await,
        expect![[
            r#"Request #1 (<@U0BOB> to cover *UI* in *Sprint 1*) was already approved; nothing changed."#
        ]],
    );
    check(
        bot.say(ALICE, "cover 1 <@U0BOB|bob> ui dentist").await,
        expect![[
            r#"Nothing to do: request #1 (<@U0BOB> to cover *UI* in *Sprint 1*) is already approved."#
        ]],
    );
    assert_eq!(bot.status(1), OverrideStatus::Approved);
    assert_eq!(bot.store.overrides(None).unwrap().len(), 1);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coverage_by_modal_then_declined_by_button() {
    let bot = Bot::start().await;
    assert_eq!(bot.command(ALICE, "cover").await, Value::Null);
    let opened = bot.emulator.calls("views.open");
    assert_eq!(opened.len(), 1);
    let modal = &opened[0].params["view"];
    assert_eq!(modal["callback_id"], "cover_request");
    check(
        render(&modal["blocks"]),
        expect![[r#"
            input shift (static_select):
              - UI · Sprint 1 · Mon Mar 9 to Sun Mar 22 (now) = 0:ui
              - UI · Sprint 3 · Mon Apr 6 to Sun Apr 19 = 2:ui
            input replacement (static_select):
              - Bob = ui:U0BOB
            input reason (plain_text_input):
              (An admin approves or declines the request; you and your replacement get a DM.)
        "#]],
    );

    // The "Request coverage" button opens the same form with the shift chosen.
    bot.emulator
        .send_block_action(ALICE, "D0ALICE", "cover_shift", "2:ui");
    assert!(
        bot.emulator
            .wait_until(Duration::from_secs(5), |e| e.calls("views.open").len() == 2)
            .await
    );
    let preselected = &bot.emulator.calls("views.open")[1].params["view"]["blocks"][0];
    assert_eq!(preselected["element"]["initial_option"]["value"], "2:ui");

    // Someone from another discipline is refused under the input; nothing is filed.
    check(
        bot.submit(ALICE, "0:ui", "backend:U0DAVE", "")
            .await
            .to_string(),
        expect![[
            r#"{"errors":{"replacement":"Choose someone from UI, the shift's discipline."},"response_action":"errors"}"#
        ]],
    );
    assert!(bot.store.overrides(None).unwrap().is_empty());
    // A rule's refusal names people as a modal can show them: plain text, no mention markup.
    check(
        bot.submit(ALICE, "0:ui", "ui:U0ALICE", "")
            .await
            .to_string(),
        expect![[
            r#"{"errors":{"replacement":"@Alice is already on duty for UI in Sprint 1"},"response_action":"errors"}"#
        ]],
    );
    assert!(bot.store.overrides(None).unwrap().is_empty());

    assert_eq!(
        bot.submit(ALICE, "0:ui", "ui:U0BOB", "holiday").await,
        Value::Null
    );
    check(
        bot.outbox("request:1"),
        expect![[r#"
            request:1:dm:U0ALICE direct_message
            request:1:dm:U0BOB direct_message
            request:1:home:U0ALICE publish_home
            request:1:home:U0BOB publish_home
            request:1:home:U0CAROL publish_home
        "#]],
    );
    check(
        bot.payload("request:1:dm:U0ALICE")["text"]
            .as_str()
            .unwrap(),
        expect![[
            r#"Request #1 filed: <@U0BOB> to cover *UI* in *Sprint 1*. <@U0BOB> has a DM to accept or decline it; once they accept, an admin approves it where the discipline asks for one. You will get a DM either way."#
        ]],
    );

    check(
        bot.click(CAROL, "decline_override", "1").await,
        expect![[r#"Request #1 (<@U0BOB> to cover *UI* in *Sprint 1*) is now declined."#]],
    );
    assert_eq!(bot.status(1), OverrideStatus::Declined);
    check(
        bot.outbox("decision:1"),
        expect![[r#"
            decision:1:declined:dm:U0ALICE direct_message
            decision:1:declined:dm:U0BOB direct_message
            decision:1:declined:home:U0CAROL publish_home
            decision:1:declined:home:U0ALICE publish_home
            decision:1:declined:home:U0BOB publish_home
        "#]],
    );
    check(
        bot.payload("decision:1:declined:dm:U0BOB")["text"]
            .as_str()
            .unwrap(),
        expect![[
            r#"<@U0ALICE>'s request for you to cover *UI* in *Sprint 1* (#1) was declined by <@U0CAROL>, so you are not covering it."#
        ]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decisions_by_command_and_their_refusals() {
    let bot = Bot::start().await;
    bot.say(ALICE, "cover 1 <@U0BOB> ui").await;
    bot.say(DAVE, "cover 1 <@U0CAROL>").await;
    check(
        bot.say(ALICE, "approve 1").await,
        expect![[r#"only admins can approve requests"#]],
    );
    check(
        bot.say(BOB, "cancel 1").await,
        expect![[r#"only the requester (<@U0ALICE>) or an admin can cancel request #1"#]],
    );
    check(
        bot.say(CAROL, "approve 99").await,
        expect![[r#"request #99 does not exist"#]],
    );
    check(
        bot.say(CAROL, "decline 1 Bob is away that week").await,
        expect![[r#"Request #1 (<@U0BOB> to cover *UI* in *Sprint 1*) is now declined."#]],
    );
    check(
        bot.payload("decision:1:declined:dm:U0ALICE")["text"]
            .as_str()
            .unwrap(),
        expect![[
            r#"Your coverage request #1 (<@U0BOB> to cover *UI* in *Sprint 1*) was declined by <@U0CAROL>. Reason: Bob is away that week"#
        ]],
    );
    check(
        bot.say(CAROL, "approve 1").await,
        expect![[r#"request #1 is declined, so it cannot be approved"#]],
    );
    let overrides = bot.command(CAROL, "overrides").await;
    check(
        render(&overrides["blocks"]),
        expect![[r#"
            *Pending requests*
              (Nothing is waiting for a decision.)
            *Your requests*
              (You have not asked for coverage.)
        "#]],
    );
    check(
        bot.say(DAVE, "cancel 2").await,
        expect![[r#"Request #2 (<@U0CAROL> to cover *Backend* in *Sprint 1*) is now cancelled."#]],
    );
    check(
        bot.outbox("decision:2"),
        expect![[r#"
            decision:2:cancelled:home:U0DAVE publish_home
            decision:2:cancelled:home:U0CAROL publish_home
        "#]],
    );
    let mine = bot.command(DAVE, "overrides").await;
    check(
        render(&mine["blocks"]),
        expect![[r#"
            *Your requests*
            #2 · Sprint 1 · Backend · <@U0CAROL> covering for <@U0DAVE> · cancelled
        "#]],
    );
    let refused: Vec<String> = bot
        .audit_actions()
        .into_iter()
        .filter(|a| a.contains(".refused"))
        .collect();
    check(
        refused.join("\n"),
        expect![[r#"
        U0ALICE override.approve.refused 1
        U0BOB override.cancel.refused 1"#]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_requests_are_refused_with_a_reason() {
    let bot = Bot::start().await;
    check(
        bot.say(BOB, "cover 1 <@U0ALICE> ui").await,
        expect![[
            r#"only the person on duty (<@U0ALICE>) or an admin can request coverage for UI in Sprint 1"#
        ]],
    );
    check(
        bot.say(ALICE, "cover 1 <@U0DAVE> ui").await,
        expect![[r#"<@U0DAVE> is not an active member of UI"#]],
    );
    check(
        bot.say(ALICE, "cover 10 <@U0BOB>").await,
        expect![[
            r#"no sprint is called `10`: name a sprint as the schedule shows it ("Sprint 8", or just 8), a day in it (2026-04-06), `now` or `next`"#
        ]],
    );
    check(
        bot.say(BOB, "cover 2 <@U0BOB>").await,
        expect![[r#"<@U0BOB> is already on duty for UI in Sprint 2"#]],
    );
    assert!(bot.store.overrides(None).unwrap().is_empty());
    assert_eq!(bot.outbox(""), "");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_puts_someone_on_duty_for_admins_only() {
    let bot = Bot::start().await;
    check(
        bot.say(DAVE, "set ui <@U0BOB>").await,
        expect![[r#"only admins can put someone on duty"#]],
    );
    check(
        bot.audit_actions().last().unwrap(),
        expect![[r#"U0DAVE override.set.refused ui"#]],
    );
    assert!(bot.store.overrides(None).unwrap().is_empty());
    check(
        bot.say(CAROL, "set ui <@U0BOB|bob> Alice is ill").await,
        expect![[r#"
            <@U0BOB> is now on duty for *UI* in *Sprint 1* (override #1).
            :warning: This gives <@U0BOB> back-to-back duty: they are on duty for *UI* in *Sprint 2*, the sprint after."#]],
    );
    check(
        bot.outbox("set:"),
        expect![[r#"
            set:1:dm:U0BOB direct_message
            set:1:dm:U0ALICE direct_message
            set:1:usergroups reconcile_usergroups
            set:1:home:U0CAROL publish_home
            set:1:home:U0BOB publish_home
            set:1:home:U0ALICE publish_home
        "#]],
    );
    check(
        bot.payload("set:1:dm:U0ALICE")["text"].as_str().unwrap(),
        expect![[
            r#"<@U0CAROL> put <@U0BOB> on triage duty for *UI* in *Sprint 1* in your place: you are off triage duty from now on. Reason: Alice is ill"#
        ]],
    );
    check(
        bot.say(BOB, "who").await,
        expect![[r#"
            *Sprint 1* until Mon Mar 23 08:00 PDT
            • UI: <@U0BOB> (override)
            • Backend: <@U0DAVE> (rotation)"#]],
    );
    check(
        bot.say(CAROL, "set ui <@U0BOB>").await,
        expect![[r#"<@U0BOB> is already on duty for UI in Sprint 1"#]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_count_served_sprints_and_covers_a_set_included() {
    let bot = Bot::start().await;
    // Sprint 1 has started: Alice (UI) and Dave (Backend) were picked; Carol puts Bob on duty
    // in Alice's place, which counts as a cover Bob gave and Alice received.
    bot.say(CAROL, "set ui <@U0BOB>").await;
    check(
        bot.say(ALICE, "stats").await,
        expect![[r#"
            *Fairness so far*: sprints served (covering included), covers given and received, turns skipped or owed
            *UI*
            • <@U0ALICE> — 0 sprints served, 0 covers given, 1 received
            • <@U0BOB> — 1 sprint served, 1 cover given, 0 received
            *Backend*
            • <@U0CAROL> — 0 sprints served, 0 covers given, 0 received
            • <@U0DAVE> — 1 sprint served, 0 covers given, 0 received
            Team median: 0.5 sprints served. Counted from the sprints that have started; later roster changes do not change it."#]],
    );
    check(
        bot.say(ALICE, "stats back").await,
        expect![[r#"
            *Fairness so far*: sprints served (covering included), covers given and received, turns skipped or owed
            *Backend*
            • <@U0CAROL> — 0 sprints served, 0 covers given, 0 received
            • <@U0DAVE> — 1 sprint served, 0 covers given, 0 received
            Team median: 0.5 sprints served. Counted from the sprints that have started; later roster changes do not change it."#]],
    );
    check(
        bot.say(ALICE, "stats nope").await,
        expect!["unknown discipline `nope`: choose one of `ui` (UI), `backend` (Backend)"],
    );
    // Sprint 1 started on Monday Mar 9: counted since then, not since the day after.
    let running = &bot;
    let since = |day: &str| {
        let said = format!("stats ui since {day}");
        async move { running.say(ALICE, &said).await }
    };
    check(
        since("2026-03-09").await,
        expect![[r#"
            *Fairness of the sprints since Mon Mar 9*: sprints served (covering included), covers given and received, turns skipped or owed
            *UI*
            • <@U0ALICE> — 0 sprints served, 0 covers given, 1 received
            • <@U0BOB> — 1 sprint served, 1 cover given, 0 received
            Team median: 0.5 sprints served. Counted from the sprints that have started; later roster changes do not change it."#]],
    );
    check(
        since("2026-03-10").await,
        expect![[r#"
            *Fairness of the sprints since Tue Mar 10*: sprints served (covering included), covers given and received, turns skipped or owed
            *UI*
            • <@U0ALICE> — 0 sprints served, 0 covers given, 0 received
            • <@U0BOB> — 0 sprints served, 0 covers given, 0 received
            Team median: 0 sprints served. Counted from the sprints that have started; later roster changes do not change it."#]],
    );
    check(
        since("someday").await,
        expect![[r#"
            `someday` is not a day: say a date (2026-03-20), today, tomorrow, yesterday, a weekday (friday) or next monday
            Usage: `/triage stats [discipline] [since &lt;day&gt;]`"#]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn team_setup_from_slack_needs_an_admin() {
    let bot = Bot::start().await;
    check(
        bot.say(ALICE, "member add <@U0ERIN|erin> ui Erin").await,
        expect![[r#"only admins can add members"#]],
    );
    check(
        bot.say(CAROL, "member add <@U0ERIN|erin> ui Erin").await,
        expect![[r#"
            <@U0ERIN> added to *UI* (position 3)
            This moves the duties of 2 people over the next 8 sprints: <@U0ALICE>, <@U0ERIN>. They get one DM each with the net change of the edits made within 10 minutes."#]],
    );
    check(
        bot.say(CAROL, "member move <@U0ERIN> ui 1").await,
        expect![[r#"
            <@U0ERIN> moved to position 1 in *UI*
            This moves nobody's upcoming duties."#]],
    );
    // Adding Erin recorded Sprint 1 first (Alice's turn), so moving her first changed nothing
    // now, and she is not on duty when she is taken out again.
    check(
        bot.say(CAROL, "member remove <@U0ERIN> ui").await,
        expect![[r#"
            <@U0ERIN> taken out of the rotation of *UI*
            This moves the duties of 2 people over the next 8 sprints: <@U0ALICE>, <@U0ERIN>. They get one DM each with the net change of the edits made within 10 minutes."#]],
    );
    check(
        bot.say(CAROL, "member remove <@U0ERIN> ui").await,
        expect![[r#"
            <@U0ERIN> is already out of the rotation of *UI*; nothing changed
            This moves nobody's upcoming duties."#]],
    );
    check(
        bot.say(CAROL, "sprint edit 5 --name Foo").await,
        expect![[r#"
            expected a date as YYYY-MM-DD, not `--name`
            Usage: `/triage sprint edit &lt;n&gt; &lt;start|-&gt; &lt;end|-&gt; [name…]`"#]],
    );
    check(
        bot.say(BOB, "who").await,
        expect![[r#"
            *Sprint 1* until Mon Mar 23 08:00 PDT
            • UI: <@U0ALICE> (rotation)
            • Backend: <@U0DAVE> (rotation)"#]],
    );
    check(
        bot.say(CAROL, "member add <@U0ERIN> qa").await,
        expect![[r#"unknown discipline `qa`: choose one of `ui` (UI), `backend` (Backend)"#]],
    );
    check(
        bot.say(CAROL, "sprint add 2026-04-20 2026-05-03 Spring cleaning")
            .await,
        expect![[r#"
            Added 1 sprint(s):
            • *Spring cleaning*: Mon Apr 20 to Sun May 3
            This moves the duties of 2 people over the next 8 sprints: <@U0BOB>, <@U0CAROL>. They get one DM each with the net change of the edits made within 10 minutes."#]],
    );
    check(
        bot.say(CAROL, "sprint generate 2026-05-04 2 7").await,
        expect![[r#"
            Added 2 sprint(s):
            • *Sprint 5*: Mon May 4 to Sun May 10
            • *Sprint 6*: Mon May 11 to Sun May 17
            This moves the duties of 4 people over the next 8 sprints: <@U0ALICE>, <@U0BOB>, <@U0CAROL>, <@U0DAVE>. They get one DM each with the net change of the edits made within 10 minutes."#]],
    );
    check(
        bot.say(CAROL, "sprint add 2026-01-01 2026-01-02 Old").await,
        expect![[r#"Old must start after Sprint 6, which starts on 2026-05-11"#]],
    );
    check(
        bot.say(CAROL, "sprint add 2026-05-15 2026-05-20 Overlap")
            .await,
        expect![[
            r#"Overlap (2026-05-15 to 2026-05-20) would overlap Sprint 6 (2026-05-11 to 2026-05-17); sprints may share only a boundary day (one ends the day the next starts)"#
        ]],
    );
    check(
        bot.say(CAROL, "sprint generate 2026-05-16 1 7").await,
        expect![[
            r#"Sprint 7 (2026-05-16 to 2026-05-22) would overlap Sprint 6 (2026-05-11 to 2026-05-17); sprints may share only a boundary day (one ends the day the next starts)"#
        ]],
    );
    check(
        bot.say(CAROL, "admins add <@U0DAVE|dave>").await,
        expect![[r#"<@U0DAVE> is now an admin"#]],
    );
    check(
        bot.say(DAVE, "approve 5").await,
        expect![[r#"request #5 does not exist"#]],
    );
    check(
        bot.say(DAVE, "admins").await,
        expect![[r#"
        Admins:
        • <@U0DAVE>
        • <@U0CAROL> (from the configuration)"#]],
    );
    check(
        bot.say(DAVE, "admins remove <@U0CAROL>").await,
        expect![[
            r#"<@U0CAROL> is an admin by the configuration (TRIAGE_ADMINS); change it there"#
        ]],
    );
    check(
        bot.say(DAVE, "admins remove <@U0DAVE>").await,
        expect![[r#"<@U0DAVE> is no longer an admin"#]],
    );
    check(
        bot.say(DAVE, "admins add <@U0BOB>").await,
        expect![[r#"only admins can add admins"#]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_home_for_a_member_and_for_an_admin() {
    let bot = Bot::start().await;
    bot.say(ALICE, "cover 3 <@U0BOB> ui").await;
    for person in [ALICE, CAROL] {
        bot.emulator.send_app_home_opened(person);
    }
    assert!(
        bot.emulator
            .wait_until(Duration::from_secs(5), |e| e
                .workspace()
                .views
                .iter()
                .filter(|v| v.home_of.is_some())
                .count()
                == 2)
            .await
    );
    let home_of = |person: &str| {
        let views = bot.emulator.workspace().views;
        let view = views
            .iter()
            .find(|v| v.home_of.as_deref() == Some(person))
            .unwrap();
        assert_eq!(view.view["type"], "home");
        render(&view.view["blocks"])
    };
    check(
        home_of(ALICE),
        expect![[r#"
            # Triage duty
            :rotating_light: You are on duty: *UI* in *Sprint 1* (now), Mon Mar 9 to Sun Mar 22.
              (You have served 1 sprint; the team median is 0.5.)
            ---
            *Current sprint*: Sprint 1 · Mon Mar 9 to Sun Mar 22
            • UI: <@U0ALICE> (rotation)
            • Backend: <@U0DAVE> (rotation)
            *Next sprint*: Sprint 2 · Mon Mar 23 to Sun Apr 5
            • UI: <@U0BOB> (rotation)
            • Backend: <@U0CAROL> (rotation)
            ---
            *Your shifts*
            *UI* in *Sprint 1* (now), Mon Mar 9 to Sun Mar 22
              [Request coverage → cover_shift:0:ui]
            *UI* in *Sprint 3*, Mon Apr 6 to Sun Apr 19
              [Request coverage → cover_shift:2:ui]
            ---
            *Time away*
              (No absence recorded.)
              [Add time away → add_away:add]
        "#]],
    );
    check(
        home_of(CAROL),
        expect![[r#"
            # Triage duty
            You are not on duty now. Your next shift: *Backend* in *Sprint 2*, Mon Mar 23 to Sun Apr 5.
              (You have served 0 sprints; the team median is 0.5.)
            ---
            *Current sprint*: Sprint 1 · Mon Mar 9 to Sun Mar 22
            • UI: <@U0ALICE> (rotation)
            • Backend: <@U0DAVE> (rotation)
            *Next sprint*: Sprint 2 · Mon Mar 23 to Sun Apr 5
            • UI: <@U0BOB> (rotation)
            • Backend: <@U0CAROL> (rotation)
            ---
            *Your shifts*
            *Backend* in *Sprint 2*, Mon Mar 23 to Sun Apr 5
              [Request coverage → cover_shift:1:backend]
            ---
            *Pending coverage requests*
              (Nothing is waiting for a decision.)
            ---
            *Time away*
              (No absence recorded.)
              [Add time away → add_away:add]
        "#]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mention_asking_who_is_answered_in_its_thread() {
    let bot = Bot::start().await;
    bot.emulator
        .send_app_mention(BOB, "C0TRIAGE", "<@U0TRIAGEBOT> who is on triage?");
    let key = bot.mention_reply_key().await;
    assert!(key.starts_with("mention:C0TRIAGE:1700000100."), "{key}");
    let reply = bot.payload(&key);
    assert_eq!(reply["type"], "post_message");
    assert_eq!(reply["channel"], "C0TRIAGE");
    assert!(
        reply["thread_ts"]
            .as_str()
            .unwrap()
            .starts_with("1700000100.")
    );
    check(
        reply["text"].as_str().unwrap(),
        expect![[r#"
            *Sprint 1* until Mon Mar 23 08:00 PDT
            • UI: <@U0ALICE> (rotation)
            • Backend: <@U0DAVE> (rotation)
            _More with `/triage help`._"#]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn there_is_always_an_admin_and_everyone_sees_who() {
    // No admin in the configuration; Dave is the only admin, in the database.
    let bot = Bot::start_with(&[], &[DAVE]).await;
    check(
        bot.say(ALICE, "admins").await,
        expect![[r#"
        Admins:
        • <@U0DAVE>"#]],
    );
    assert!(
        bot.say(ALICE, "help")
            .await
            .contains("• `/triage admins`: who the admins are")
    );
    let before = bot.row_counts();
    check(
        bot.say(DAVE, "admins remove <@U0DAVE>").await,
        expect![[
            r#"<@U0DAVE> is the last admin; add another admin first (`/triage admins add @person`)"#
        ]],
    );
    assert_eq!(bot.row_counts(), before);
    assert_eq!(bot.store.admins().unwrap(), [user(DAVE)]);
    check(
        bot.say(ALICE, "admins remove <@U0DAVE>").await,
        expect![[r#"only admins can remove admins"#]],
    );
    check(
        bot.say(DAVE, "admins add <@U0ALICE>").await,
        expect![[r#"<@U0ALICE> is now an admin"#]],
    );
    check(
        bot.say(ALICE, "admins remove <@U0DAVE>").await,
        expect![[r#"<@U0DAVE> is no longer an admin"#]],
    );
    let before = bot.row_counts();
    check(
        bot.say(ALICE, "admins remove <@U0ALICE>").await,
        expect![[
            r#"<@U0ALICE> is the last admin; add another admin first (`/triage admins add @person`)"#
        ]],
    );
    assert_eq!(bot.row_counts(), before);
    check(
        bot.say(DAVE, "admins").await,
        expect![[r#"
        Admins:
        • <@U0ALICE>"#]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_a_member_says_what_happens_to_their_duty() {
    let bot = Bot::start().await;
    let before = bot.row_counts();
    check(
        bot.say(CAROL, "member remove <@U0ERIN> ui").await,
        expect![[r#"<@U0ERIN> is not a member of `ui`"#]],
    );
    assert_eq!(
        bot.row_counts(),
        before,
        "a refused removal changed the database"
    );
    // Alice is on duty for ui in Sprint 1 (2026-03-09 – 2026-03-22).
    check(
        bot.say(CAROL, "member remove <@U0ALICE> ui").await,
        expect![[r#"
            <@U0ALICE> taken out of the rotation of *UI*
            <@U0ALICE> stays on duty for *UI* until the sprint ends (*Sprint 1*, until Mon Mar 23 08:00 PDT); to change that: `/triage set ui @person`
            This moves the duties of 2 people over the next 8 sprints: <@U0ALICE>, <@U0BOB>. They get one DM each with the net change of the edits made within 10 minutes."#]],
    );
    assert!(bot.say(ALICE, "who").await.contains("• UI: <@U0ALICE>"));
    check(
        bot.say(CAROL, "member remove <@U0BOB> ui").await,
        expect![[r#"
            <@U0BOB> taken out of the rotation of *UI*
            :warning: *UI* has no active members left: from the next sprint nobody will be on duty for it (add someone with `/triage member add @person ui`)
            This moves the duties of 1 person over the next 8 sprints: <@U0BOB>. They get one DM with the net change of the edits made within 10 minutes."#]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_an_admin_files_for_someone_else_tells_the_person_whose_shift_it_is_and_the_replacement()
 {
    let bot = Bot::start().await;
    // Bob has UI in sprint 1 (Sprint 2); Carol, an admin, asks Alice to cover it.
    check(
        bot.say(CAROL, "cover 2 <@U0ALICE> ui").await,
        expect![[
            r#"Request #1 filed: <@U0ALICE> to cover *UI* in *Sprint 2*. <@U0ALICE> has a DM to accept or decline it; once they accept, an admin approves it where the discipline asks for one. You will get a DM either way."#
        ]],
    );
    check(
        bot.payload("request:1:dm:U0BOB")["text"].as_str().unwrap(),
        expect![[
            r#"<@U0CAROL> asked <@U0ALICE> to cover your shift, *UI* in *Sprint 2* (request #1). Once they accept, an admin approves or declines it where the discipline asks for one; you will hear either way."#
        ]],
    );
    check(
        bot.payload("request:1:dm:U0ALICE")["text"]
            .as_str()
            .unwrap(),
        expect![[
            r#"<@U0CAROL> asks you to cover the shift of <@U0BOB>, *UI* in *Sprint 2* (request #1)."#
        ]],
    );
    // Alice agrees; Bob (whose shift it is) and Carol (who asked) hear of it.
    bot.say(ALICE, "accept 1").await;
    check(
        bot.outbox("decision:1:pending:dm"),
        expect![[r#"
            decision:1:pending:dm:U0CAROL direct_message
            decision:1:pending:dm:U0BOB direct_message
        "#]],
    );
    bot.say(CAROL, "approve 1").await;
    bot.click(CAROL, "approve_override_confirmed", "1").await;
    check(
        bot.outbox("decision:1:approved:dm"),
        expect![[r#"
            decision:1:approved:dm:U0ALICE direct_message
            decision:1:approved:dm:U0BOB direct_message
        "#]],
    );
    check(
        bot.payload("decision:1:approved:dm:U0ALICE")["text"]
            .as_str()
            .unwrap(),
        expect![[
            r#"You will cover *UI* in *Sprint 2* for <@U0BOB> (request #1, approved by <@U0CAROL>)."#
        ]],
    );
    check(
        bot.payload("decision:1:approved:dm:U0BOB")["text"]
            .as_str()
            .unwrap(),
        expect![[
            r#"<@U0ALICE> covers *UI* in *Sprint 2* for you (request #1, approved by <@U0CAROL>), so you are not on duty then."#
        ]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_request_cannot_undo_an_admins_set() {
    let bot = Bot::start().await;
    bot.store
        .upsert_member(&user("U0ERIN"), &key("ui"), Some("Erin"), "test", now())
        .unwrap();
    // Alice, on duty, asks Bob; then Carol puts Erin on duty instead.
    bot.say(ALICE, "cover 1 <@U0BOB> ui").await;
    check(
        bot.say(CAROL, "set ui <@U0ERIN>").await,
        expect![[r#"<@U0ERIN> is now on duty for *UI* in *Sprint 1* (override #2)."#]],
    );
    assert_eq!(bot.status(1), OverrideStatus::Superseded);
    check(
        bot.outbox("set:2:dm"),
        expect![[r#"
            set:2:dm:U0ERIN direct_message
            set:2:dm:U0ALICE direct_message
            set:2:dm:U0BOB direct_message
        "#]],
    );
    // Bob, asked to cover, hears there is nothing left to answer.
    check(
        bot.payload("set:2:dm:U0BOB")["text"].as_str().unwrap(),
        expect![[
            r#"<@U0ALICE>'s request #1 asking you to cover *UI* in *Sprint 1* is closed: <@U0ERIN> is on duty for it now. Nothing to answer."#
        ]],
    );
    // Alice hears once: her duty ended, and her request is closed with it.
    check(
        bot.payload("set:2:dm:U0ALICE")["text"].as_str().unwrap(),
        expect![[r#"
            <@U0CAROL> put <@U0ERIN> on triage duty for *UI* in *Sprint 1* in your place: you are off triage duty from now on.
            Your coverage request #1 (<@U0BOB> to cover *UI* in *Sprint 1*) is closed: <@U0ERIN> is on duty for it now. File a new one if you still need cover."#]],
    );
    check(
        bot.say(CAROL, "approve 1").await,
        expect![[r#"request #1 is superseded, so it cannot be approved"#]],
    );
    check(
        bot.say(BOB, "who").await,
        expect![[r#"
            *Sprint 1* until Mon Mar 23 08:00 PDT
            • UI: <@U0ERIN> (override)
            • Backend: <@U0DAVE> (rotation)"#]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_left_pending_expires_when_its_sprint_ends_and_its_requester_hears_once() {
    let bot = Bot::start().await;
    bot.say(ALICE, "cover 1 <@U0BOB> ui dentist").await;
    bot.say(BOB, "accept 1").await;
    let db = bot.store.path().to_str().unwrap().to_string();
    let args = ["triage-bot", "--db", &db, "--admin-channel", ADMIN_CHANNEL];
    let config = Config::from_settings(&Cli::parse_from(args).settings).unwrap();
    let close = |at: &str| {
        triage_bot::bot::coverage::close_stale(&bot.store, &config, at.parse().unwrap()).unwrap()
    };
    // Before Sprint 1 ends at Mon Mar 23 08:00 PDT nothing closes.
    assert_eq!(close("2026-03-23T14:59:59Z"), 0);
    assert_eq!(bot.status(1), OverrideStatus::Pending);
    assert_eq!(close("2026-03-23T15:00:00Z"), 1);
    assert_eq!(close("2026-03-23T15:10:00Z"), 0);
    assert_eq!(bot.status(1), OverrideStatus::Expired);
    check(
        bot.outbox("closed:"),
        expect![[r#"
            closed:1:dm:U0ALICE direct_message
        "#]],
    );
    check(
        bot.payload("closed:1:dm:U0ALICE")["text"].as_str().unwrap(),
        expect![[
            r#"Your coverage request #1 (<@U0BOB> to cover *UI* in *Sprint 1*) is closed: its sprint ended before an admin decided. File a new one if you still need cover."#
        ]],
    );
    check(
        render(&bot.payload("decision:1:expired:update")["blocks"]),
        expect![[r#"
            *Coverage request #1*
            <@U0ALICE> asks <@U0BOB> to cover *UI* in *Sprint 1*
            Reason: dentist
              (Closed on Mon Mar 23 08:00 PDT: its sprint ended before it was approved)
        "#]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn future_sprints_are_edited_shifted_and_retired_by_admins_only() {
    let bot = Bot::start().await;
    let sprints = || bot.store.sprints().unwrap();
    let (plan, counts) = (sprints(), bot.row_counts());
    check(
        bot.say(ALICE, "sprint edit 2 - - Hack week").await,
        expect![[r#"only admins can edit sprints"#]],
    );
    check(
        bot.say(ALICE, "sprint shift 2 7").await,
        expect![[r#"only admins can shift sprints"#]],
    );
    check(
        bot.say(ALICE, "sprint retire 3").await,
        expect![[r#"only admins can retire sprints"#]],
    );
    // Sprint 1 (index 0) is in force: it cannot change, and nothing may overlap it.
    check(
        bot.say(CAROL, "sprint edit 1 - - Renamed").await,
        expect![[r#"Sprint 1 started on 2026-03-09; a sprint that has started cannot be changed"#]],
    );
    check(
        bot.say(CAROL, "sprint shift 2 -1").await,
        expect![[
            r#"Sprint 2 (2026-03-22 to 2026-04-04) would overlap Sprint 1 (2026-03-09 to 2026-03-22)"#
        ]],
    );
    check(
        bot.say(CAROL, "sprint edit 2 2026-03-10 -").await,
        expect![[
            r#"Sprint 2 would start on 2026-03-10, which has already begun; choose a later day"#
        ]],
    );
    assert_eq!(sprints(), plan, "a refused change changed the plan");
    let refusals = 3;
    assert_eq!(
        bot.row_counts()[2],
        counts[2] + refusals,
        "only the refusals are audited"
    );

    check(
        bot.say(CAROL, "sprint edit 2 - 2026-04-03 Hack week").await,
        expect![[r#"
            Changed *Hack week*: Mon Mar 23 to Fri Apr 3
            This moves the duties of 2 people over the next 8 sprints: <@U0BOB>, <@U0CAROL>. They get one DM each with the net change of the edits made within 10 minutes."#]],
    );
    check(
        bot.say(CAROL, "sprint shift 3 -2").await,
        expect![[r#"
            Moved 1 sprint(s) by -2 day(s):
            • *Sprint 3*: Sat Apr 4 to Fri Apr 17
            This moves the duties of 2 people over the next 8 sprints: <@U0ALICE>, <@U0DAVE>. They get one DM each with the net change of the edits made within 10 minutes."#]],
    );
    check(
        bot.say(CAROL, "sprint retire 3").await,
        expect![[r#"
            Retired *Sprint 3*: Sat Apr 4 to Fri Apr 17
            This moves the duties of 2 people over the next 8 sprints: <@U0ALICE>, <@U0DAVE>. They get one DM each with the net change of the edits made within 10 minutes."#]],
    );
    let changes: Vec<String> = bot
        .audit_actions()
        .into_iter()
        .filter(|a| a.contains(" sprint."))
        .collect();
    check(
        changes.join("\n"),
        expect![[r#"
            test sprint.add 0
            test sprint.add 1
            test sprint.add 2
            U0ALICE sprint.edit.refused 2
            U0ALICE sprint.shift.refused 2
            U0ALICE sprint.retire.refused 3
            U0CAROL sprint.edit 1
            U0CAROL sprint.shift 2
            U0CAROL sprint.retire 2"#]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_discipline_is_named_by_key_or_display_name_and_a_wrong_one_lists_the_choices() {
    let bot = Bot::start().await;
    check(
        bot.say(CAROL, "set qa <@U0BOB>").await,
        expect![[r#"unknown discipline `qa`: choose one of `ui` (UI), `backend` (Backend)"#]],
    );
    check(
        bot.say(CAROL, "set Back <@U0CAROL> Dave is out").await,
        expect![[r#"
            <@U0CAROL> is now on duty for *Backend* in *Sprint 1* (override #1).
            :warning: This gives <@U0CAROL> back-to-back duty: they are on duty for *Backend* in *Sprint 2*, the sprint after."#]],
    );
    check(
        bot.say(CAROL, "member add <@U0ERIN> BACKEND Erin").await,
        expect![[r#"
            <@U0ERIN> added to *Backend* (position 3)
            This moves the duties of 2 people over the next 8 sprints: <@U0DAVE>, <@U0ERIN>. They get one DM each with the net change of the edits made within 10 minutes."#]],
    );
    // After the person, a word naming a discipline is the discipline, not the reason.
    check(
        bot.say(BOB, "cover 2 <@U0ALICE> ui dentist").await,
        expect![[
            r#"Request #2 filed: <@U0ALICE> to cover *UI* in *Sprint 2*. <@U0ALICE> has a DM to accept or decline it; once they accept, an admin approves it where the discipline asks for one. You will get a DM either way."#
        ]],
    );
    assert_eq!(
        bot.store
            .override_by_id(2)
            .unwrap()
            .unwrap()
            .reason
            .as_deref(),
        Some("dentist")
    );
    bot.stop().await;
}

/// Whether `text` holds a bidirectional control.
fn has_bidi(text: &str) -> bool {
    text.chars().any(triage_bot::domain::text::is_bidi_control)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reason_with_a_bidi_control_reaches_the_admin_card_without_it() {
    let bot = Bot::start().await;
    // U+202E would show "back Monday" reversed, and the admin card would read differently
    // from what it says; `<!channel>` would notify the whole admin channel.
    check(
        bot.say(
            ALICE,
            "cover 1 <@U0BOB|bob> ui back \u{202E}yadnoM <!channel>",
        )
        .await,
        expect![[
            r#"Request #1 filed: <@U0BOB> to cover *UI* in *Sprint 1*. <@U0BOB> has a DM to accept or decline it; once they accept, an admin approves it where the discipline asks for one. You will get a DM either way."#
        ]],
    );
    let reason = bot.store.override_by_id(1).unwrap().unwrap().reason;
    assert_eq!(reason.as_deref(), Some("back yadnoM <!channel>"));
    bot.say(BOB, "accept 1").await;
    let card = bot.payload("request:1:admin-post");
    assert!(!has_bidi(&card.to_string()), "{card}");
    check(
        render(&card["blocks"]),
        expect![[r#"
            *Coverage request #1*
            <@U0ALICE> asks <@U0BOB> to cover *UI* in *Sprint 1*
            Reason: back yadnoM &lt;!channel&gt;
              (:warning: Approving gives <@U0BOB> back-to-back duty: they are on duty for *UI* in *Sprint 2*, the sprint after.)
              [Approve → approve_override:1] [Decline → decline_override:1]
        "#]],
    );

    // A reason from the modal keeps its line breaks and loses the marks.
    assert_eq!(
        bot.submit(
            ALICE,
            "2:ui",
            "ui:U0BOB",
            "two\u{200F} lines\r\nhere\u{2069}"
        )
        .await,
        Value::Null
    );
    let reason = bot.store.override_by_id(2).unwrap().unwrap().reason;
    assert_eq!(reason.as_deref(), Some("two lines\nhere"));
    bot.say(BOB, "accept 2").await;
    let card = bot.payload("request:2:admin-post");
    check(
        render(&card["blocks"]),
        expect![[r#"
            *Coverage request #2*
            <@U0ALICE> asks <@U0BOB> to cover *UI* in *Sprint 3*
            Reason: two lines
            here
              (:warning: Approving gives <@U0BOB> back-to-back duty: they are on duty for *UI* in *Sprint 2*, the sprint before.)
              [Approve → approve_override:2] [Decline → decline_override:2]
        "#]],
    );

    // A decline's reason is cleaned the same way on its way to the requester's DM.
    bot.say(CAROL, "decline 1 not \u{202E}won").await;
    let dm = bot.payload("decision:1:declined:dm:U0ALICE");
    assert!(!has_bidi(&dm.to_string()), "{dm}");
    check(
        dm["text"].as_str().unwrap(),
        expect![[
            r#"Your coverage request #1 (<@U0BOB> to cover *UI* in *Sprint 1*) was declined by <@U0CAROL>. Reason: not won"#
        ]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_with_a_bidi_control_is_refused_in_slack_and_changes_nothing() {
    let bot = Bot::start().await;
    let before = (bot.row_counts(), bot.store.sprints().unwrap());
    check(
        bot.say(CAROL, "member add <@U0ERIN|erin> ui Erin\u{202E}nirE")
            .await,
        expect![[
            r#"a member's name cannot contain control characters (found U+202E right-to-left override)"#
        ]],
    );
    check(
        bot.say(CAROL, "sprint add 2026-04-20 2026-05-03 Sprint\u{2066} 4")
            .await,
        expect![[
            r#"a sprint name cannot contain control characters (found U+2066 left-to-right isolate)"#
        ]],
    );
    check(
        bot.say(CAROL, "sprint edit 3 - - Sprint\u{200F} 3").await,
        expect![[
            r#"a sprint name cannot contain control characters (found U+200F right-to-left mark)"#
        ]],
    );
    assert_eq!((bot.row_counts(), bot.store.sprints().unwrap()), before);

    // In a slash command, tabs and line breaks separate words: a name never holds one.
    check(
        bot.say(CAROL, "member add <@U0ERIN|erin> ui Erin\tE.\nRin")
            .await,
        expect![[r#"
            <@U0ERIN> added to *UI* (position 3)
            This moves the duties of 2 people over the next 8 sprints: <@U0ALICE>, <@U0ERIN>. They get one DM each with the net change of the edits made within 10 minutes."#]],
    );
    // `&`, `<` and `>` (escaped by Slack in command text) are kept, and escaped on the way out.
    check(
        bot.say(CAROL, "member add <@U0ERIN|erin> ui Erin &amp; &lt;co&gt;")
            .await,
        expect![[r#"
            <@U0ERIN> is now called “Erin &amp; &lt;co&gt;” in *UI*
            This moves nobody's upcoming duties."#]],
    );
    let members = bot.store.members(None).unwrap();
    let erin = members.iter().find(|m| m.slack_id.as_str() == "U0ERIN");
    assert_eq!(erin.unwrap().name, "Erin & <co>");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mention_naming_a_discipline_calls_the_person_on_duty_in_its_thread() {
    let bot = Bot::start().await;
    check(
        bot.mention(BOB, "UI, the build is red").await,
        expect![[r#"<@U0ALICE> (on duty for *UI*) — <@U0BOB> needs you"#]],
    );
    check(
        bot.mention(CAROL, "back deploys are stuck").await,
        expect![[r#"<@U0DAVE> (on duty for *Backend*) — <@U0CAROL> needs you"#]],
    );
    check(
        bot.mention(ALICE, "ui is this mine?").await,
        expect![[r#"You are on duty for *UI* yourself."#]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mention_of_all_calls_everyone_on_duty() {
    let bot = Bot::start().await;
    check(
        bot.mention(BOB, "all prod is down").await,
        expect![[
            r#"<@U0ALICE> (on duty for *UI*), <@U0DAVE> (on duty for *Backend*) — <@U0BOB> needs you"#
        ]],
    );
    check(
        bot.mention(DAVE, "all prod is down").await,
        expect![[r#"<@U0ALICE> (on duty for *UI*) — <@U0DAVE> needs you"#]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mention_starting_with_another_word_is_answered_as_before() {
    let bot = Bot::start().await;
    check(
        bot.mention(BOB, "thanks for the help!").await,
        expect![[
            r#"Ask me `who`, start with a discipline (or `all`) to call whoever is on duty for it, or try `/triage help`."#
        ]],
    );
    check(
        bot.mention(BOB, "a quick one: who is on duty?").await,
        expect![[r#"
            *Sprint 1* until Mon Mar 23 08:00 PDT
            • UI: <@U0ALICE> (rotation)
            • Backend: <@U0DAVE> (rotation)
            _More with `/triage help`._"#]],
    );
    bot.stop().await;
}

/// The mention replies in the thread of the message with `ts`.
fn thread_replies(bot: &Bot, ts: &str) -> Vec<String> {
    bot.emulator
        .workspace()
        .messages_in("C0TRIAGE")
        .iter()
        .filter(|m| m.thread_ts.as_deref() == Some(ts) && m.author.is_none())
        .map(|m| m.text.clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivered_mention_is_answered_once() {
    use triage_bot::slack::emulator::{Duplication, Fault};
    let bot = Bot::start_delivering("2026-03-10T12:00:00-07:00").await;
    // Slack delivers the event again (same event id, new envelope), as after a missed ack.
    bot.emulator.inject(Fault::Duplicate {
        how: Duplication::Redeliver,
        times: 1,
    });
    let ts = "1700000200.000100";
    let event = json!({
        "type": "app_mention", "user": BOB, "channel": "C0TRIAGE",
        "text": "<@U0TRIAGEBOT> ui the build is red", "ts": ts,
    });
    bot.emulator.send_event(event.clone());
    let answered = bot
        .emulator
        .wait_until(Duration::from_secs(10), |_| {
            !thread_replies(&bot, ts).is_empty() && bot.emulator.acks().len() >= 2
        })
        .await;
    assert!(answered, "{:?}", bot.emulator.acks());
    // The same message again under another event id: the answer is keyed by the message.
    let again = bot.emulator.send_event(event);
    assert!(
        bot.emulator
            .wait_until(Duration::from_secs(5), |e| e
                .ack_of(&again.envelope_id)
                .is_some())
            .await
    );
    let store = bot.store.clone();
    let idle = bot
        .emulator
        .wait_until(Duration::from_secs(5), |_| {
            store.outbox_stats(jiff::Timestamp::MAX).unwrap().pending == 0
        })
        .await;
    assert!(idle);
    assert_eq!(
        thread_replies(&bot, ts),
        ["<@U0ALICE> (on duty for *UI*) — <@U0BOB> needs you"]
    );
    assert_eq!(bot.store.outbox_rows("mention:").unwrap().len(), 1);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_on_a_day_answers_at_that_days_handoff_and_keeps_the_past_as_recorded() {
    // Tuesday 2026-03-10, in Sprint 1.
    let bot = Bot::start().await;
    check(
        bot.say(BOB, "who tomorrow").await,
        expect![[r#"
            At Wed Mar 11 08:00 PDT: *Sprint 1* until Mon Mar 23 08:00 PDT
            • UI: <@U0ALICE> (rotation)
            • Backend: <@U0DAVE> (rotation)"#]],
    );
    check(
        bot.say(BOB, "who monday").await,
        expect![[r#"
            At Mon Mar 16 08:00 PDT: *Sprint 1* until Mon Mar 23 08:00 PDT
            • UI: <@U0ALICE> (rotation)
            • Backend: <@U0DAVE> (rotation)"#]],
    );
    check(
        bot.say(BOB, "who 2026-03-23").await,
        expect![[r#"
            At Mon Mar 23 08:00 PDT: *Sprint 2* until Mon Apr 6 08:00 PDT
            • UI: <@U0BOB> (rotation)
            • Backend: <@U0CAROL> (rotation)"#]],
    );
    check(
        bot.say(BOB, "who next monday").await,
        expect![[r#"
            At Mon Mar 16 08:00 PDT: *Sprint 1* until Mon Mar 23 08:00 PDT
            • UI: <@U0ALICE> (rotation)
            • Backend: <@U0DAVE> (rotation)"#]],
    );
    // Eve joins UI first in line: the next turns change, Sprint 1's recorded turn does not.
    bot.say(CAROL, "member add <@U0EVE|eve> ui Eve").await;
    bot.say(CAROL, "member move <@U0EVE|eve> ui 1").await;
    check(
        bot.say(BOB, "who yesterday").await,
        expect![[r#"
            At Mon Mar 9 08:00 PDT: *Sprint 1* until Mon Mar 23 08:00 PDT
            • UI: <@U0ALICE> (rotation)
            • Backend: <@U0DAVE> (rotation)"#]],
    );
    check(
        bot.say(BOB, "who 2026-04-06").await,
        expect![[r#"
            At Mon Apr 6 08:00 PDT: *Sprint 3* until Mon Apr 20 08:00 PDT
            • UI: <@U0EVE> (rotation)
            • Backend: <@U0DAVE> (rotation)"#]],
    );
    check(
        bot.say(BOB, "who 2026-05-01").await,
        expect![[
            r#"At Fri May 1 08:00 PDT: No sprint is in force: the last one, *Sprint 3*, ended Mon Apr 20 08:00 PDT. An admin can add sprints with `/triage sprint generate`."#
        ]],
    );
    let here = bot.command(BOB, "who friday here").await;
    assert_eq!(here["response_type"], "in_channel");
    let bad = bot.command(BOB, "who someday").await;
    assert_eq!(bad["response_type"], "ephemeral");
    check(
        bad["text"].as_str().unwrap(),
        expect![[r#"
        `someday` is not a day: say a date (2026-03-20), today, tomorrow, yesterday, a weekday (friday) or next monday
        Usage: `/triage who [day] [here]`"#]],
    );
    bot.stop().await;
}

/// Outbox rows under `prefix` that are direct messages, as `key at <next attempt>` lines.
fn dm_times(bot: &Bot, prefix: &str) -> String {
    bot.store
        .outbox_rows(prefix)
        .unwrap()
        .iter()
        .filter(|row| row.kind == "direct_message")
        .map(|row| format!("{} at {}\n", row.key, row.next_attempt_at))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_weekend_dms_about_a_later_sprint_wait_for_mondays_heads_up_time() {
    // Saturday 2026-03-14 12:00 PDT (19:00 UTC). Sprint 2 starts Mon Mar 23; the next working
    // day's heads-up time is Mon Mar 16 17:00 PDT (Tue 00:00 UTC).
    let bot = Bot::start_at(&[CAROL], &[], "2026-03-14T12:00:00-07:00", false).await;
    check(
        bot.say(BOB, "cover 2 <@U0ALICE|alice> dentist").await,
        expect![[
            r#"Request #1 filed: <@U0ALICE> to cover *UI* in *Sprint 2*. <@U0ALICE> will get a DM on Mon Mar 16 17:00 PDT to accept or decline it; once they accept, an admin approves it where the discipline asks for one. You will get a DM either way."#
        ]],
    );
    bot.say(CAROL, "approve 1").await;
    // Putting someone on duty now is not routine: at once.
    bot.say(CAROL, "set ui <@U0BOB|bob>").await;
    check(
        dm_times(&bot, ""),
        expect![[r#"
            request:1:dm:U0ALICE at 2026-03-17T00:00:00Z
            set:2:dm:U0BOB at 2026-03-14T19:00:00Z
            set:2:dm:U0ALICE at 2026-03-14T19:00:00Z
        "#]],
    );
    bot.stop().await;

    // On Sunday 2026-03-22, for Sprint 2 starting Monday 08:00: sooner than Monday 17:00, so at
    // once.
    let bot = Bot::start_at(&[CAROL], &[], "2026-03-22T12:00:00-07:00", false).await;
    bot.say(BOB, "cover 2 <@U0ALICE|alice>").await;
    bot.say(CAROL, "approve 1").await;
    check(
        dm_times(&bot, ""),
        expect![[r#"
            request:1:dm:U0ALICE at 2026-03-22T19:00:00Z
        "#]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_swap_is_accepted_approved_and_revoked_as_one() {
    let bot = Bot::start().await;
    // Bob has UI in Sprint 2, Alice in Sprint 3: Bob proposes to trade.
    check(
        bot.say(BOB, "swap 2 <@U0ALICE> 3 moving house").await,
        expect![[
            r#"Swap proposed (requests #1 and #2): <@U0ALICE> covers *UI* in *Sprint 2* for you, and you cover *UI* in *Sprint 3* for them. <@U0ALICE> has a DM to accept or decline it; once they accept, an admin approves it where the discipline asks for one. Both halves change together or not at all."#
        ]],
    );
    check(
        render(&bot.payload("request:1:dm:U0ALICE")["blocks"]),
        expect![[r#"
            <@U0BOB> proposes a swap (requests #1 and #2): you cover *UI* in *Sprint 2* for them, and they cover *UI* in *Sprint 3* for you.
            Reason: moving house
              [Accept → accept_request:1] [Decline → refuse_request:1]
              (Or type `/triage accept 1` or `/triage refuse 1 [reason]`: the answer holds for both halves. Once you accept, an admin approves it where the discipline asks for one.)
        "#]],
    );
    // Only Alice answers for both halves; nobody approves before she does.
    check(
        bot.say(BOB, "accept 2").await,
        expect![[r#"only <@U0ALICE>, the person named to cover, can accept request #2"#]],
    );
    check(
        bot.say(CAROL, "approve 1").await,
        expect![[r#"request #1 waits for <@U0ALICE> to accept it; an admin decides after that"#]],
    );
    check(
        bot.say(ALICE, "accept 2").await,
        expect![[
            r#"You accepted request #2 (a swap with #1: <@U0BOB> to cover *UI* in *Sprint 3*). An admin will approve or decline it, and you will get a DM either way."#
        ]],
    );
    assert_eq!(
        (bot.status(1), bot.status(2)),
        (OverrideStatus::Pending, OverrideStatus::Pending)
    );
    check(
        bot.payload("decision:2:pending:dm:U0BOB")["text"]
            .as_str()
            .unwrap(),
        expect![[
            r#"<@U0ALICE> accepted your swap (requests #1 and #2). An admin will approve or decline it, and you will hear either way."#
        ]],
    );
    // Each half has its card in the admin channel, saying it is half of a swap.
    check(
        render(&bot.payload("request:2:admin-post")["blocks"]),
        expect![[r#"
            *Coverage request #2*
            <@U0BOB> offers to cover *UI* in *Sprint 3* (instead of <@U0ALICE>)
            Reason: moving house
              (:warning: Approving gives <@U0BOB> back-to-back duty: they are on duty for *UI* in *Sprint 2*, the sprint before.)
              [Approve → approve_override:2] [Decline → decline_override:2]
              (Half of a swap with request #1: approving or declining either does both.)
        "#]],
    );
    // Alice covering Sprint 2 right after her own Sprint 1 is back-to-back duty: the approval
    // waits for a second click. Bob's Sprint 2 is no clash for him: the swap frees it.
    check(
        bot.say(CAROL, "approve 2").await,
        expect![[
            r#":warning: Approving request #1 gives <@U0ALICE> back-to-back duty: they are on duty for *UI* in *Sprint 1*, the sprint before. Approve it anyway?"#
        ]],
    );
    assert_eq!(bot.status(2), OverrideStatus::Pending);
    // Approving either half approves both; each of the two hears once about both shifts.
    check(
        bot.click(CAROL, "approve_override_confirmed", "2").await,
        expect![[
            r#"Request #2 (a swap with #1: <@U0BOB> to cover *UI* in *Sprint 3*) is now approved."#
        ]],
    );
    assert_eq!(
        (bot.status(1), bot.status(2)),
        (OverrideStatus::Approved, OverrideStatus::Approved)
    );
    check(
        bot.outbox("decision:2:approved:dm"),
        expect![[r#"
        decision:2:approved:dm:U0BOB direct_message
        decision:2:approved:dm:U0ALICE direct_message
    "#]],
    );
    check(
        bot.payload("decision:2:approved:dm:U0BOB")["text"]
            .as_str()
            .unwrap(),
        expect![[
            r#"Your swap with <@U0ALICE> is approved by <@U0CAROL> (requests #1 and #2): they cover *UI* in *Sprint 2* for you, so you are not on duty then, and you will cover *UI* in *Sprint 3*."#
        ]],
    );
    check(
        bot.payload("decision:2:approved:dm:U0ALICE")["text"]
            .as_str()
            .unwrap(),
        expect![[
            r#"The swap with <@U0BOB> is approved by <@U0CAROL> (requests #1 and #2): you will cover *UI* in *Sprint 2*, and they cover *UI* in *Sprint 3* for you, so you are not on duty then."#
        ]],
    );
    check(
        bot.say(BOB, "schedule 3").await,
        expect![[r#"
            *This sprint and the next 2*

            *Sprint 1* · Mon Mar 9 to Sun Mar 22
            • UI: <@U0ALICE> (rotation) · :warning: back-to-back duty
            • Backend: <@U0DAVE> (rotation)

            *Sprint 2* · Mon Mar 23 to Sun Apr 5
            • UI: <@U0ALICE> (override) · :warning: back-to-back duty
            • Backend: <@U0CAROL> (rotation)

            *Sprint 3* · Mon Apr 6 to Sun Apr 19
            • UI: <@U0BOB> (override)
            • Backend: <@U0DAVE> (rotation)"#]],
    );
    // Revoking one half revokes both: everyone is back where the rotation put them.
    check(
        bot.say(CAROL, "revoke 2 plans changed").await,
        expect![[
            r#"Request #2 (a swap with #1: <@U0BOB> to cover *UI* in *Sprint 3*) is now revoked."#
        ]],
    );
    assert_eq!(
        (bot.status(1), bot.status(2)),
        (OverrideStatus::Revoked, OverrideStatus::Revoked)
    );
    check(
        bot.say(BOB, "schedule 3").await,
        expect![[r#"
        *This sprint and the next 2*

        *Sprint 1* · Mon Mar 9 to Sun Mar 22
        • UI: <@U0ALICE> (rotation)
        • Backend: <@U0DAVE> (rotation)

        *Sprint 2* · Mon Mar 23 to Sun Apr 5
        • UI: <@U0BOB> (rotation)
        • Backend: <@U0CAROL> (rotation)

        *Sprint 3* · Mon Apr 6 to Sun Apr 19
        • UI: <@U0ALICE> (rotation)
        • Backend: <@U0DAVE> (rotation)"#]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_swap_whose_half_fails_changes_neither_slot() {
    let bot = Bot::start().await;
    let before = bot.say(BOB, "schedule 3").await;
    bot.say(BOB, "swap 2 <@U0ALICE> 3").await;
    bot.say(ALICE, "accept 1").await;
    // Alice leaves UI: Bob's half (Alice covering Sprint 2) no longer holds, so neither does
    // the other.
    bot.say(CAROL, "member remove <@U0ALICE> ui").await;
    check(
        bot.say(CAROL, "approve 2").await,
        expect![[
            r#"Request #2 (a swap with #1: <@U0BOB> to cover *UI* in *Sprint 3*) cannot be approved: the person asked to cover is on duty for it already. It is closed as superseded. Nothing needs to change."#
        ]],
    );
    assert_eq!(
        (bot.status(1), bot.status(2)),
        (OverrideStatus::Superseded, OverrideStatus::Superseded)
    );
    bot.say(CAROL, "member add <@U0ALICE> ui").await;
    assert_eq!(bot.say(BOB, "schedule 3").await, before);
    // Refusals are one answer for both halves too.
    bot.say(BOB, "swap 2 <@U0ALICE> 3").await;
    check(
        bot.say(ALICE, "refuse 3 not that week").await,
        expect![[
            r#"You declined request #3 (a swap with #4: <@U0ALICE> to cover *UI* in *Sprint 2*); <@U0BOB> has been told."#
        ]],
    );
    assert_eq!(
        (bot.status(3), bot.status(4)),
        (OverrideStatus::Declined, OverrideStatus::Declined)
    );
    check(
        bot.payload("decision:3:declined:dm:U0BOB")["text"]
            .as_str()
            .unwrap(),
        expect![[
            r#"The swap with <@U0ALICE> (requests #3 and #4) was declined by <@U0ALICE>. Nothing changes. Reason: not that week"#
        ]],
    );
    check(
        bot.say(BOB, "swap 2 <@U0DAVE> 3").await,
        expect![[r#"<@U0DAVE> is not an active member of UI"#]],
    );
    check(
        bot.say(BOB, "swap 2 <@U0ALICE> 2").await,
        expect![[r#"a swap trades two different sprints"#]],
    );
    check(
        bot.say(ALICE, "swap 2 <@U0BOB> 3").await,
        expect![[r#"you are not on duty in Sprint 2; name the discipline after the person"#]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shift_offered_to_volunteers_goes_to_the_first_eligible_one() {
    let clock = "2026-03-10T12:00:00-07:00";
    let bot = Bot::start_with_args(&[CAROL], &[], clock, false, &["--channel", "C0TRIAGE"]).await;
    bot.store
        .upsert_member(&user("U0ERIN"), &key("ui"), Some("Erin"), "test", now())
        .unwrap();
    // Bob has UI in Sprint 2 and asks for a volunteer.
    check(
        bot.say(BOB, "cover 2 open dentist").await,
        expect![[
            r#"Offer #1 posted in <#C0TRIAGE>: the first member of the discipline who is not on duty then can take *UI* in *Sprint 2*. You will get a DM when someone does."#
        ]],
    );
    check(
        render(&bot.payload("offer:1:post")["blocks"]),
        expect![[r#"
            <@U0BOB> asks for someone to cover *UI* in *Sprint 2* (Mon Mar 23 to Sun Apr 5).
            Reason: dentist
              [I'll cover → volunteer:1]
              (Offer #1: the first member of UI who is not on duty then takes it.)
        "#]],
    );
    check(
        bot.say(BOB, "cover 2 open").await,
        expect![[r#"*UI* in *Sprint 2* is already offered (offer #1)."#]],
    );
    // Dave is not in UI; Alice and Erin race for it: exactly one of them wins.
    check(
        bot.click(DAVE, "volunteer", "1").await,
        expect![[
            r#"You cannot take this shift (only active members of the discipline can take it). Nothing changed."#
        ]],
    );
    let sent = [ALICE, "U0ERIN"].map(|who| {
        bot.emulator
            .send_block_action(who, "C0TRIAGE", "volunteer", "1")
    });
    let answer = |n: usize| {
        let url = sent[n].response_url.as_deref().unwrap();
        let id = url.rsplit('/').next().unwrap().to_string();
        let posts = bot.emulator.workspace().response_posts;
        let post = posts.iter().find(|post| post.id == id)?;
        post.body["text"].as_str().map(str::to_string)
    };
    assert!(
        bot.emulator
            .wait_until(Duration::from_secs(5), |_| answer(0).is_some()
                && answer(1).is_some())
            .await
    );
    let (alice, erin) = (answer(0).unwrap(), answer(1).unwrap());
    let winners = [&alice, &erin]
        .iter()
        .filter(|answer| answer.starts_with("You took offer #1"))
        .count();
    assert_eq!(winners, 1, "alice: {alice}\nerin: {erin}");
    assert!(
        [&alice, &erin].iter().any(|a| a.starts_with("Too late")),
        "alice: {alice}\nerin: {erin}"
    );
    let winner = [&alice, &erin]
        .into_iter()
        .find(|answer| answer.starts_with("You took"))
        .unwrap();
    check(
        winner,
        expect![[
            r#"You took offer #1: you cover *UI* in *Sprint 2* for <@U0BOB> (request #1). An admin will approve or decline it, and you will get a DM either way."#
        ]],
    );
    let requests = bot.store.overrides(None).unwrap();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].status, OverrideStatus::Pending);
    assert_eq!(requests[0].requested_by.as_str(), BOB);
    let offer = bot.store.offer(1).unwrap().unwrap();
    assert_eq!(offer.taken_by.as_ref(), Some(&requests[0].replacement));
    assert_eq!(offer.request, Some(requests[0].id));
    // The offer's post says who took it; Bob hears from the request like any other.
    let update = bot.payload("offer:1:taken:update");
    assert!(
        update["text"]
            .as_str()
            .unwrap()
            .contains(&format!("Taken by <@{}>", requests[0].replacement)),
        "{update}"
    );
    check(
        bot.outbox("decision:1:pending:dm"),
        expect![[r#"
        decision:1:pending:dm:U0BOB direct_message
    "#]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offer_nobody_takes_expires_at_its_sprints_handoff() {
    let clock = "2026-03-10T12:00:00-07:00";
    let bot = Bot::start_with_args(&[CAROL], &[], clock, false, &["--channel", "C0TRIAGE"]).await;
    bot.say(BOB, "cover 2 open").await;
    let db = bot.store.path().to_str().unwrap().to_string();
    let args = ["triage-bot", "--db", &db, "--channel", "C0TRIAGE"];
    let config = Config::from_settings(&Cli::parse_from(args).settings).unwrap();
    let close = |at: &str| {
        triage_bot::bot::coverage::close_stale(&bot.store, &config, at.parse().unwrap()).unwrap()
    };
    // Sprint 2 starts at Mon 2026-03-23 08:00 PDT.
    assert_eq!(close("2026-03-23T14:59:59Z"), 0);
    assert_eq!(close("2026-03-23T15:00:00Z"), 1);
    assert_eq!(close("2026-03-23T15:10:00Z"), 0);
    check(
        bot.payload("offer:1:expired:dm:U0BOB")["text"]
            .as_str()
            .unwrap(),
        expect![[
            r#"Nobody volunteered to cover *UI* in *Sprint 2* (offer #1) in time, so you are still on duty for it. Ask someone directly with `/triage cover`, or an admin."#
        ]],
    );
    check(
        bot.click(ALICE, "volunteer", "1").await,
        expect![[r#"This offer is expired; nothing changed."#]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_coverage_form_asks_for_volunteers_when_anyone_is_chosen() {
    let clock = "2026-03-10T12:00:00-07:00";
    let bot = Bot::start_with_args(&[CAROL], &[], clock, false, &["--channel", "C0TRIAGE"]).await;
    assert_eq!(
        bot.submit(BOB, "1:ui", "ui:anyone", "dentist").await,
        Value::Null
    );
    check(
        bot.outbox("offer:1"),
        expect![[r#"
            offer:1:post post_message
            offer:1:dm:U0BOB direct_message
        "#]],
    );
    check(
        bot.payload("offer:1:dm:U0BOB")["text"].as_str().unwrap(),
        expect![[
            r#"Offer #1 posted in <#C0TRIAGE>: the first member of the discipline who is not on duty then can take *UI* in *Sprint 2*. You will get a DM when someone does."#
        ]],
    );
    check(
        render(&bot.payload("offer:1:post")["blocks"]),
        expect![[r#"
            <@U0BOB> asks for someone to cover *UI* in *Sprint 2* (Mon Mar 23 to Sun Apr 5).
            Reason: dentist
              [I'll cover → volunteer:1]
              (Offer #1: the first member of UI who is not on duty then takes it.)
        "#]],
    );
    assert!(bot.store.overrides(None).unwrap().is_empty());
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_triage_channel_the_form_offers_no_anyone_and_refuses_it() {
    let bot = Bot::start().await;
    check(
        bot.submit(BOB, "1:ui", "ui:anyone", "").await.to_string(),
        expect![[
            r#"{"errors":{"shift":"no triage channel is configured (`TRIAGE_CHANNEL`), so there is nowhere to ask for volunteers"},"response_action":"errors"}"#
        ]],
    );
    assert!(bot.store.open_offers().unwrap().is_empty());
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untaken_coverage_is_recalled_once_then_lapses_at_the_handoff_and_the_admins_hear() {
    let clock = "2026-03-10T12:00:00-07:00";
    let bot = Bot::start_with_args(&[CAROL], &[], clock, false, &["--channel", "C0TRIAGE"]).await;
    // Bob asks Alice to cover his Sprint 2; Carol offers her Backend shift in Sprint 2 and
    // Dave his in Sprint 3. Nobody answers.
    bot.say(BOB, "cover 2 <@U0ALICE|alice>").await;
    bot.say(CAROL, "cover 2 open").await;
    bot.say(DAVE, "cover 3 open").await;
    let db = bot.store.path().to_str().unwrap().to_string();
    let args = [
        "triage-bot",
        "--db",
        &db,
        "--channel",
        "C0TRIAGE",
        "--admin-channel",
        "C0ADMIN",
    ];
    let config = Config::from_settings(&Cli::parse_from(args).settings).unwrap();
    let remind = |at: &str| {
        triage_bot::bot::untaken::remind(&bot.store, &config, at.parse().unwrap()).unwrap()
    };
    let close = |at: &str| {
        triage_bot::bot::coverage::close_stale(&bot.store, &config, at.parse().unwrap()).unwrap()
    };
    let next = |at: &str| {
        triage_bot::bot::untaken::next_reminder(&bot.store, &config, at.parse().unwrap())
            .unwrap()
            .map(|t| t.to_string())
    };
    // Sprint 2 starts Mon Mar 23 08:00 PDT; its heads-up is Fri Mar 20 17:00, so untaken
    // coverage is recalled on Thu Mar 19 at 17:00 PDT (00:00Z the next day), once.
    assert_eq!(
        next("2026-03-10T19:00:00Z").as_deref(),
        Some("2026-03-20T00:00:00Z")
    );
    assert_eq!(remind("2026-03-19T23:59:59Z"), 0);
    assert_eq!(remind("2026-03-20T00:00:00Z"), 2);
    assert_eq!(remind("2026-03-20T06:00:00Z"), 0);
    // Sprint 3's offer is recalled before its own heads-up (Fri Apr 3 17:00 PDT).
    assert_eq!(
        next("2026-03-20T00:00:00Z").as_deref(),
        Some("2026-04-03T00:00:00Z")
    );
    check(
        render(&bot.payload("request:1:reminder")["blocks"]),
        expect![[r#"
            Reminder: <@U0BOB> still asks you to cover *UI* in *Sprint 2* (request #1). It lapses at the handoff, Mon Mar 23 08:00 PDT, unless you answer before then.
              [Accept → accept_request:1] [Decline → refuse_request:1]
              (Or type `/triage accept 1` or `/triage refuse 1 [reason]`. Once you accept, an admin approves it where the discipline asks for one.)
        "#]],
    );
    assert_eq!(bot.payload("request:1:reminder")["type"], "direct_message");
    check(
        render(&bot.payload("offer:1:reminder")["blocks"]),
        expect![[r#"
            Still open: <@U0CAROL> asks for someone to cover *Backend* in *Sprint 2* (Mon Mar 23 to Sun Apr 5). Nobody has volunteered yet; the offer closes at the handoff, Mon Mar 23 08:00 PDT.
              [I'll cover → volunteer:1]
              (Offer #1: the first member of Backend who is not on duty then takes it.)
        "#]],
    );
    // At the handoff the request and the offer lapse: the requesters are told, the reminder
    // post is edited, and the admin channel hears of each once.
    assert_eq!(close("2026-03-23T14:59:59Z"), 0);
    assert_eq!(close("2026-03-23T15:00:00Z"), 2);
    assert_eq!(close("2026-03-23T15:10:00Z"), 0);
    assert_eq!(bot.status(1), OverrideStatus::Expired);
    check(
        bot.payload("request:1:lapsed:admin")["text"]
            .as_str()
            .unwrap(),
        expect![[
            r#"Request #1 lapsed: <@U0ALICE> did not answer <@U0BOB>'s request to cover *UI* in *Sprint 2* before its handoff, so <@U0BOB> stays on duty."#
        ]],
    );
    check(
        bot.payload("offer:1:lapsed:admin")["text"]
            .as_str()
            .unwrap(),
        expect![[
            r#"Offer #1 lapsed: nobody volunteered to cover *Backend* in *Sprint 2* for <@U0CAROL> before its handoff, so <@U0CAROL> stays on duty."#
        ]],
    );
    check(
        bot.outbox("closed:"),
        expect![[r#"
            closed:1:dm:U0ALICE direct_message
            closed:1:dm:U0BOB direct_message
        "#]],
    );
    check(
        bot.payload("closed:1:dm:U0ALICE")["text"].as_str().unwrap(),
        expect![[
            r#"<@U0BOB>'s request #1 asking you to cover *UI* in *Sprint 2* is closed: it was not accepted before its sprint started. Nothing to answer."#
        ]],
    );
    check(
        bot.payload("closed:1:dm:U0BOB")["text"].as_str().unwrap(),
        expect![[
            r#"Your coverage request #1 (<@U0ALICE> to cover *UI* in *Sprint 2*) is closed: it was not accepted before its sprint started. File a new one if you still need cover."#
        ]],
    );
    check(
        bot.outbox("offer:1"),
        expect![[r#"
            offer:1:post post_message
            offer:1:reminder post_message
            offer:1:expired:update update_message
            offer:1:reminder:expired:update update_message
            offer:1:lapsed:admin post_message
            offer:1:expired:dm:U0CAROL direct_message
        "#]],
    );
    // Accepting after the handoff changes nothing.
    check(
        bot.click(ALICE, "accept_request", "1").await,
        expect![[r#"request #1 is expired, so it cannot be accepted"#]],
    );
    // The Sprint 3 offer, taken after its reminder: both posts show who took it.
    assert_eq!(remind("2026-04-03T00:00:00Z"), 1);
    bot.click(CAROL, "volunteer", "2").await;
    check(
        bot.outbox("offer:2"),
        expect![[r#"
            offer:2:post post_message
            offer:2:reminder post_message
            offer:2:taken:update update_message
            offer:2:reminder:taken:update update_message
        "#]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_absence_marks_the_duty_it_falls_in_and_offers_to_request_coverage() {
    let bot = Bot::start().await;
    // Bob is on duty for UI in Sprint 2 (Mon Mar 23 to Sun Apr 5).
    let reply = bot
        .command(BOB, "away 2026-03-25 2026-03-27 family trip")
        .await;
    check(
        render(&reply["blocks"]),
        expect![[r#"
            You are away Wed Mar 25 to Fri Mar 27 (absence #1: family trip).
            It falls in your triage duty:
            *UI* in *Sprint 2*, Mon Mar 23 to Sun Apr 5
              [Request coverage → cover_shift:1:ui]
              (Ask someone to cover it (the button, or `/triage cover`); the admins are told now.)
        "#]],
    );
    check(
        bot.say(ALICE, "schedule 2").await,
        expect![[r#"
            *This sprint and the next one*

            *Sprint 1* · Mon Mar 9 to Sun Mar 22
            • UI: <@U0ALICE> (rotation)
            • Backend: <@U0DAVE> (rotation)

            *Sprint 2* · Mon Mar 23 to Sun Apr 5
            • UI: <@U0BOB> (rotation, away)
            • Backend: <@U0CAROL> (rotation)"#]],
    );
    // Recorded by the person, for the person: no DM, only a fresh Home tab.
    check(
        bot.outbox("away:1"),
        expect![[r#"
            away:1:home:U0BOB publish_home
        "#]],
    );
    // Someone else's absence is an admin's to record; the refusal is audited.
    let counts = bot.row_counts();
    check(
        bot.say(ALICE, "away <@U0BOB|bob> 2026-04-10 2026-04-11")
            .await,
        expect![[r#"only admins can record someone else's absence"#]],
    );
    assert_eq!(bot.row_counts()[..2], counts[..2]);
    // An admin records Alice's absence in Sprint 3: Alice gets a DM with the button.
    check(
        bot.say(CAROL, "away <@U0ALICE|alice> 2026-04-07 2026-04-07")
            .await,
        expect![[r#"
            <@U0ALICE> is away Tue Apr 7 (absence #2).
            It falls in their triage duty:
            • *UI* in *Sprint 3*, Mon Apr 6 to Sun Apr 19
            <@U0ALICE> can ask someone to cover it; if nobody does, the admins are told on Mon Mar 23 08:00 PDT."#]],
    );
    let dm = bot.payload("away:2:dm:U0ALICE");
    check(
        render(&dm["blocks"]),
        expect![[r#"
            <@U0CAROL> recorded that you are away Tue Apr 7 (absence #2).
            It falls in your triage duty:
            *UI* in *Sprint 3*, Mon Apr 6 to Sun Apr 19
              [Request coverage → cover_shift:2:ui]
              (Ask someone to cover it (the button, or `/triage cover`); if nobody does, the admins are told on Mon Mar 23 08:00 PDT.)
        "#]],
    );
    // Overlapping days, days in the past or too far ahead, a mention where the person goes and
    // a person in no rotation are refused, with days as Slack writes them.
    let counts = bot.row_counts();
    for (who, text, expected) in [
        (
            BOB,
            "away 2026-03-27 2026-03-28",
            "you are already away Wed Mar 25 to Fri Mar 27 (absence #1); remove it first to record different days",
        ),
        (
            CAROL,
            "away <@U0BOB|bob> 2026-03-27 2026-03-28",
            "<@U0BOB> is already away Wed Mar 25 to Fri Mar 27 (absence #1); remove it first to record different days",
        ),
        (
            BOB,
            "away 2026-03-01 2026-03-09",
            "that absence ended on Mon Mar 9, before today (Tue Mar 10); only current and future absences are kept",
        ),
        (
            BOB,
            "away 2026-04-10 2026-04-01",
            "an absence cannot end (Wed Apr 1) before it starts (Fri Apr 10)",
        ),
        (
            BOB,
            "away 9999-01-01 9999-01-02",
            "an absence can start at most 2 years ahead (before Sat Mar 11, 2028)",
        ),
        (
            CAROL,
            "away 2026-05-06 2026-05-08 <@U0ALICE|alice>",
            "the reason is only a mention; to record someone else's absence, name them first\nUsage: `/triage away &lt;@person&gt; &lt;first day&gt; &lt;last day&gt; [reason…]`",
        ),
        (
            CAROL,
            "away <@U0ZED> 2026-04-07 2026-04-07",
            "<@U0ZED> is not in any rotation, so there is no duty to plan around",
        ),
        (
            "U0ZED",
            "away 2026-04-07 2026-04-07",
            "you are not in any rotation, so there is no duty to plan around",
        ),
    ] {
        assert_eq!(bot.say(who, text).await, expected, "{text}");
    }
    assert_eq!(bot.row_counts()[..], counts[..]);
    // Lists: mine, and everyone's for an admin.
    check(
        bot.say(CAROL, "away list").await,
        expect![[r#"
            Your time away:
            Nothing recorded. Record an absence with `/triage away &lt;first day&gt; &lt;last day&gt; [reason]`.
            Everyone's time away:
            • <@U0BOB> Wed Mar 25 to Fri Mar 27 (absence #1: family trip)
            • <@U0ALICE> Tue Apr 7 (absence #2)"#]],
    );
    // Only the person or an admin removes an absence; removing moves nothing back.
    check(
        bot.click(ALICE, "remove_away", "1").await,
        expect![[r#"only <@U0BOB> or an admin can remove absence #1"#]],
    );
    check(
        bot.click(BOB, "remove_away", "1").await,
        expect![[r#"Your absence Wed Mar 25 to Fri Mar 27 (absence #1: family trip) is removed."#]],
    );
    assert!(!bot.say(ALICE, "schedule 2").await.contains("(away)"));
    let actions = bot.audit_actions();
    let away: Vec<&String> = actions.iter().filter(|a| a.contains("away")).collect();
    check(
        format!("{away:#?}"),
        expect![[r#"
            [
                "U0BOB away.add 1",
                "U0ALICE away.add.refused U0BOB",
                "U0CAROL away.add 2",
                "U0ALICE away.remove.refused 1",
                "U0BOB away.remove 1",
            ]"#]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_swap_next_the_away_person_and_the_next_person_swap_and_hear_once() {
    let bot = Bot::start().await;
    check(
        bot.say(ALICE, "policy ui away swap-next").await,
        expect![[r#"only admins can change the away policy"#]],
    );
    check(
        bot.say(CAROL, "policy ui away swap-next").await,
        expect![[
            r#"*UI* now has the away policy swap-next: they swap with the next person on duty who can take it; only those two shifts change. It applies to absences recorded from now on."#
        ]],
    );
    check(
        bot.say(BOB, "policy").await,
        expect![[r#"
            What happens when someone is away during their triage duty:
            • *UI* (`ui`): swap-next: they swap with the next person on duty who can take it; only those two shifts change
            • *Backend* (`backend`): warn: nothing moves; they ask for cover, and the admins are told if nobody covers in time
            Admins change it with `/triage policy &lt;discipline&gt; away warn|swap-next`."#]],
    );
    // Eve joins UI: Alice, Bob and Eve take turns. Bob (UI, Sprint 2) is away: Eve, on duty in
    // Sprint 3, takes Sprint 2 and Bob Sprint 3. (Alice, on duty in Sprint 1, would get
    // back-to-back duty with Sprint 2.)
    bot.say(CAROL, "member add <@U0EVE|eve> ui Eve").await;
    check(
        bot.say(BOB, "away 2026-03-30 2026-03-31").await,
        expect![[r#"
            You are away Mon Mar 30 to Tue Mar 31 (absence #1).
            *UI* swaps shifts when someone is away: <@U0EVE> takes your duty in *Sprint 2* (Mon Mar 23 to Sun Apr 5), and you take theirs in *Sprint 3* (Mon Apr 6 to Sun Apr 19). <@U0EVE> has a DM about it."#]],
    );
    check(
        bot.say(BOB, "schedule 3").await,
        expect![[r#"
            *This sprint and the next 2*

            *Sprint 1* · Mon Mar 9 to Sun Mar 22
            • UI: <@U0ALICE> (rotation)
            • Backend: <@U0DAVE> (rotation)

            *Sprint 2* · Mon Mar 23 to Sun Apr 5
            • UI: <@U0EVE> (override)
            • Backend: <@U0CAROL> (rotation)

            *Sprint 3* · Mon Apr 6 to Sun Apr 19
            • UI: <@U0BOB> (override)
            • Backend: <@U0DAVE> (rotation)"#]],
    );
    // One DM each, and fresh Home tabs.
    check(
        bot.outbox("away:1"),
        expect![[r#"
            away:1:dm:U0EVE direct_message
            away:1:home:U0BOB publish_home
            away:1:home:U0EVE publish_home
        "#]],
    );
    check(
        bot.payload("away:1:dm:U0EVE")["text"].as_str().unwrap(),
        expect![[r#"
            <@U0BOB> is away during *Sprint 2*, and *UI* swaps shifts when someone is away, so your shift moved: you are now on duty for *UI* in *Sprint 2* (Mon Mar 23 to Sun Apr 5) instead of *Sprint 3* (Mon Apr 6 to Sun Apr 19).
            If that does not suit you, ask someone to cover it (the button, or `/triage cover`)."#]],
    );
    // The two overrides are linked as a swap: revoking one revokes both, one DM each.
    check(
        bot.say(CAROL, "revoke 2").await,
        expect![[
            r#"Request #2 (a swap with #1: <@U0BOB> to cover *UI* in *Sprint 3*) is now revoked."#
        ]],
    );
    assert_eq!(
        (bot.status(1), bot.status(2)),
        (OverrideStatus::Revoked, OverrideStatus::Revoked)
    );
    check(
        bot.outbox("decision:2"),
        expect![[r#"
        decision:2:revoked:dm:U0BOB direct_message
        decision:2:revoked:dm:U0EVE direct_message
        decision:2:revoked:home:U0CAROL publish_home
        decision:2:revoked:home:U0BOB publish_home
        decision:2:revoked:home:U0EVE publish_home
    "#]],
    );
    check(
        bot.payload("decision:2:revoked:dm:U0BOB")["text"]
            .as_str()
            .unwrap(),
        expect![[
            r#"The swap with <@U0EVE> (requests #1 and #2) was revoked by <@U0CAROL>: you are on triage duty for *UI* in *Sprint 2* again, and not for *UI* in *Sprint 3*."#
        ]],
    );
    check(
        bot.say(BOB, "schedule 3").await,
        expect![[r#"
            *This sprint and the next 2*

            *Sprint 1* · Mon Mar 9 to Sun Mar 22
            • UI: <@U0ALICE> (rotation)
            • Backend: <@U0DAVE> (rotation)

            *Sprint 2* · Mon Mar 23 to Sun Apr 5
            • UI: <@U0BOB> (rotation, away)
            • Backend: <@U0CAROL> (rotation)

            *Sprint 3* · Mon Apr 6 to Sun Apr 19
            • UI: <@U0EVE> (rotation)
            • Backend: <@U0DAVE> (rotation)"#]],
    );
    // Its swap revoked, removing the absence leaves no swap to speak of.
    check(
        bot.say(BOB, "away remove 1").await,
        expect![[r#"Your absence Mon Mar 30 to Tue Mar 31 (absence #1) is removed."#]],
    );
    // Recorded again, it swaps again; removing it keeps the swap, and says so.
    bot.say(BOB, "away 2026-03-30 2026-03-31").await;
    check(
        bot.say(BOB, "away remove 2").await,
        expect![[
            r#"Your absence Mon Mar 30 to Tue Mar 31 (absence #2) is removed. Swaps it caused stay as they are."#
        ]],
    );
    assert_eq!(
        (bot.status(3), bot.status(4)),
        (OverrideStatus::Approved, OverrideStatus::Approved)
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_set_that_gives_double_duty_takes_effect_and_says_so() {
    let bot = Bot::start().await;
    bot.store
        .upsert_member(&user(DAVE), &key("ui"), Some("Dave"), "test", now())
        .unwrap();
    // Dave is on duty for Backend in Sprint 1: setting him on UI too is an admin's call, made
    // at once, with the conflict in the answer.
    check(
        bot.say(CAROL, "set ui <@U0DAVE|dave>").await,
        expect![[r#"
            <@U0DAVE> is now on duty for *UI* in *Sprint 1* (override #1).
            :warning: This gives <@U0DAVE> double duty: they are on duty for *Backend* in *Sprint 1* too."#]],
    );
    // Back to Alice (next on duty in Sprint 3): no conflict, no warning.
    check(
        bot.say(CAROL, "set ui <@U0ALICE|alice>").await,
        expect![[r#"<@U0ALICE> is now on duty for *UI* in *Sprint 1* (override #2)."#]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approval_that_gives_double_duty_warns_and_waits_for_a_second_click() {
    let bot = Bot::start().await;
    // Dave joins UI too: covering Alice in Sprint 1 puts him on UI and Backend at once.
    bot.store
        .upsert_member(&user(DAVE), &key("ui"), Some("Dave"), "test", now())
        .unwrap();
    bot.say(ALICE, "cover 1 <@U0DAVE|dave>").await;
    bot.click(DAVE, "accept_request", "1").await;
    check(
        render(&bot.payload("request:1:admin-post")["blocks"]),
        expect![[r#"
            *Coverage request #1*
            <@U0ALICE> asks <@U0DAVE> to cover *UI* in *Sprint 1*
              (:warning: Approving gives <@U0DAVE> double duty: they are on duty for *Backend* in *Sprint 1* too.)
              [Approve → approve_override:1] [Decline → decline_override:1]
        "#]],
    );
    // The command and the button both answer with the warning; nothing is decided.
    let reply = bot.command(CAROL, "approve 1").await;
    check(
        render(&reply["blocks"]),
        expect![[r#"
        :warning: Approving request #1 gives <@U0DAVE> double duty: they are on duty for *Backend* in *Sprint 1* too. Approve it anyway?
          [Approve anyway → approve_override_confirmed:1] [Decline → decline_override:1]
    "#]],
    );
    check(
        bot.click(CAROL, "approve_override", "1").await,
        expect![[
            r#":warning: Approving request #1 gives <@U0DAVE> double duty: they are on duty for *Backend* in *Sprint 1* too. Approve it anyway?"#
        ]],
    );
    assert_eq!(bot.status(1), OverrideStatus::Pending);
    // Only an admin's confirming click approves.
    check(
        bot.click(BOB, "approve_override_confirmed", "1").await,
        expect![[r#"only admins can approve requests"#]],
    );
    check(
        bot.click(CAROL, "approve_override_confirmed", "1").await,
        expect![[r#"Request #1 (<@U0DAVE> to cover *UI* in *Sprint 1*) is now approved."#]],
    );
    assert_eq!(bot.status(1), OverrideStatus::Approved);
    check(
        bot.say(BOB, "schedule 1").await,
        expect![[r#"
        *This sprint*

        *Sprint 1* · Mon Mar 9 to Sun Mar 22
        • UI: <@U0DAVE> (override) · :warning: double duty
        • Backend: <@U0DAVE> (rotation) · :warning: double duty"#]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_swap_revoked_after_the_rotation_changed_tells_who_is_on_duty_now() {
    let bot = Bot::start().await;
    bot.say(BOB, "swap 2 <@U0ALICE> 3").await;
    bot.say(ALICE, "accept 1").await;
    bot.click(CAROL, "approve_override_confirmed", "1").await;
    assert_eq!(bot.status(2), OverrideStatus::Approved);
    // Eve joins UI first in line: Sprint 3 is hers now, were it not for the swap.
    bot.say(CAROL, "member add <@U0EVE|eve> ui Eve").await;
    bot.say(CAROL, "member move <@U0EVE|eve> ui 1").await;
    check(
        bot.say(BOB, "schedule 3").await,
        expect![[r#"
        *This sprint and the next 2*

        *Sprint 1* · Mon Mar 9 to Sun Mar 22
        • UI: <@U0ALICE> (rotation) · :warning: back-to-back duty
        • Backend: <@U0DAVE> (rotation)

        *Sprint 2* · Mon Mar 23 to Sun Apr 5
        • UI: <@U0ALICE> (override) · :warning: back-to-back duty
        • Backend: <@U0CAROL> (rotation)

        *Sprint 3* · Mon Apr 6 to Sun Apr 19
        • UI: <@U0BOB> (override)
        • Backend: <@U0DAVE> (rotation)"#]],
    );
    bot.say(CAROL, "revoke 1").await;
    check(
        bot.say(BOB, "schedule 3").await,
        expect![[r#"
        *This sprint and the next 2*

        *Sprint 1* · Mon Mar 9 to Sun Mar 22
        • UI: <@U0ALICE> (rotation)
        • Backend: <@U0DAVE> (rotation)

        *Sprint 2* · Mon Mar 23 to Sun Apr 5
        • UI: <@U0BOB> (rotation)
        • Backend: <@U0CAROL> (rotation)

        *Sprint 3* · Mon Apr 6 to Sun Apr 19
        • UI: <@U0EVE> (rotation)
        • Backend: <@U0DAVE> (rotation)"#]],
    );
    let dm = |person: &str| {
        bot.payload(&format!("decision:1:revoked:dm:{person}"))["text"]
            .as_str()
            .unwrap()
            .to_string()
    };
    check(
        dm("U0BOB"),
        expect![[
            r#"The swap with <@U0ALICE> (requests #1 and #2) was revoked by <@U0CAROL>: you are on triage duty for *UI* in *Sprint 2*, and you are not on duty for *UI* in *Sprint 3* (<@U0EVE> is)."#
        ]],
    );
    check(
        dm("U0ALICE"),
        expect![[
            r#"The swap with <@U0BOB> (requests #1 and #2) was revoked by <@U0CAROL>: you are not on duty for *UI* in *Sprint 2* (<@U0BOB> is)."#
        ]],
    );
    check(
        dm("U0EVE"),
        expect![[
            r#"You are on triage duty for *UI* in *Sprint 3*: <@U0CAROL> revoked the swap of <@U0BOB> and <@U0ALICE> (requests #1 and #2)."#
        ]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_time_away_form_records_an_absence_or_keeps_its_errors() {
    let bot = Bot::start().await;
    bot.emulator
        .send_block_action(BOB, "D0BOB", "add_away", "add");
    assert!(
        bot.emulator
            .wait_until(Duration::from_secs(5), |e| e.calls("views.open").len() == 1)
            .await
    );
    let modal = &bot.emulator.calls("views.open")[0].params["view"];
    assert_eq!(modal["callback_id"], "away_add");
    check(
        render(&modal["blocks"]),
        expect![[r#"
            input away_from (datepicker):
            input away_to (datepicker):
            input away_reason (plain_text_input):
              (You get a DM saying which of your triage duties fall in it.)
        "#]],
    );
    let submit = |from: &str, to: &str| {
        let values = json!({
            "away_from": {"away_from": {"type": "datepicker", "selected_date": from}},
            "away_to": {"away_to": {"type": "datepicker", "selected_date": to}},
            "away_reason": {"away_reason": {"type": "plain_text_input", "value": "move"}},
        });
        bot.emulator.send_view_submission(BOB, "away_add", values)
    };
    let sent = submit("2026-03-26", "2026-03-24");
    check(
        bot.ack(&sent.envelope_id).await.to_string(),
        expect![[
            r#"{"errors":{"away_to":"An absence cannot end (Tue Mar 24) before it starts (Thu Mar 26)."},"response_action":"errors"}"#
        ]],
    );
    let sent = submit("2030-01-01", "2030-01-02");
    check(
        bot.ack(&sent.envelope_id).await.to_string(),
        expect![[
            r#"{"errors":{"away_from":"An absence can start at most 2 years ahead (before Sat Mar 11, 2028)."},"response_action":"errors"}"#
        ]],
    );
    assert!(bot.store.away_window(1).unwrap().is_none());
    let sent = submit("2026-03-24", "2026-03-26");
    assert_eq!(bot.ack(&sent.envelope_id).await, Value::Null);
    // The confirmation comes by DM, with the button for the duty it falls in.
    let dm = bot.payload("away:1:dm:U0BOB");
    check(
        render(&dm["blocks"]),
        expect![[r#"
            You are away Tue Mar 24 to Thu Mar 26 (absence #1: move).
            It falls in your triage duty:
            *UI* in *Sprint 2*, Mon Mar 23 to Sun Apr 5
              [Request coverage → cover_shift:1:ui]
              (Ask someone to cover it (the button, or `/triage cover`); the admins are told now.)
        "#]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_schedule_joins_and_leaves_from_slack() {
    let bot = Bot::start().await;
    check(
        bot.say(ALICE, "member join <@U0DAVE|dave> ui 2026-03-23")
            .await,
        expect![[r#"only admins can schedule roster changes"#]],
    );
    check(
        bot.say(CAROL, "member join <@U0DAVE|dave> ui 2026-03-23")
            .await,
        expect![[r#"
            <@U0DAVE> joins the rotation of *UI* at the handoff of *Sprint 2* (Mon Mar 23 08:00 PDT); the schedule shows it already (change #1).
            This moves the duties of 2 people over the next 8 sprints: <@U0ALICE>, <@U0DAVE>. They get one DM each with the net change of the edits made within 10 minutes."#]],
    );
    check(
        bot.say(CAROL, "member leave <@U0BOB|bob> UI 2026-03-23")
            .await,
        expect![[r#"
            <@U0BOB> leaves the rotation of *UI* at the handoff of *Sprint 2* (Mon Mar 23 08:00 PDT); the schedule shows it already (change #2).
            This moves the duties of 3 people over the next 8 sprints: <@U0ALICE>, <@U0BOB>, <@U0DAVE>. They get one DM each with the net change of the edits made within 10 minutes."#]],
    );
    check(
        bot.say(CAROL, "member join <@U0ALICE> ui 2026-03-23").await,
        expect![[r#"<@U0ALICE> is already in the rotation of *UI*"#]],
    );
    // From Sprint 2 the rotation is Alice then Dave.
    check(
        bot.say(ALICE, "schedule 3").await,
        expect![[r#"
            *This sprint and the next 2*

            *Sprint 1* · Mon Mar 9 to Sun Mar 22
            • UI: <@U0ALICE> (rotation)
            • Backend: <@U0DAVE> (rotation) · :warning: back-to-back duty

            *Sprint 2* · Mon Mar 23 to Sun Apr 5
            • UI: <@U0DAVE> (rotation) · :warning: back-to-back duty
            • Backend: <@U0CAROL> (rotation)

            *Sprint 3* · Mon Apr 6 to Sun Apr 19
            • UI: <@U0ALICE> (rotation)
            • Backend: <@U0DAVE> (rotation) · :warning: back-to-back duty"#]],
    );
    check(
        bot.say(CAROL, "member leave <@U0BOB> ui cancel").await,
        expect![[r#"
            The leave of <@U0BOB> in *UI* on Mon Mar 23 (change #2) is cancelled.
            This moves the duties of 3 people over the next 8 sprints: <@U0ALICE>, <@U0BOB>, <@U0DAVE>. They get one DM each with the net change of the edits made within 10 minutes."#]],
    );
    bot.stop().await;
}

fn note_count(bot: &Bot) -> i64 {
    let conn = rusqlite::Connection::open(bot.store.path()).unwrap();
    conn.query_row("SELECT count(*) FROM handoff_notes", [], |r| r.get(0))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_person_on_duty_leaves_a_handoff_note_and_refusals_change_nothing() {
    let bot = Bot::start().await;
    // Sprint 1 is in force: Alice is on duty for UI, Dave for Backend; Bob is not on duty.
    check(
        bot.say(ALICE, "note").await,
        expect![
            "You have left no handoff note in Sprint 1 yet. Leave one with `/triage note &lt;text&gt;`."
        ],
    );
    check(
        bot.say(
            ALICE,
            "note deploy is frozen &amp; the flaky test is <#C0OPS>\nsee the runbook",
        )
        .await,
        expect![
            "Your handoff note for UI (Sprint 1) is saved: whoever takes over gets it at the handoff."
        ],
    );
    check(
        bot.say(ALICE, "note ui deploy is frozen until Friday")
            .await,
        expect![
            "Your handoff note for UI (Sprint 1) is saved: whoever takes over gets it at the handoff. It replaces your earlier one."
        ],
    );
    check(
        bot.say(ALICE, "note").await,
        expect![[r#"
            Your handoff note for UI:
            >deploy is frozen until Friday"#]],
    );
    assert_eq!(note_count(&bot), 1);

    let before = (bot.row_counts(), note_count(&bot));
    check(
        bot.say(BOB, "note all quiet").await,
        expect!["you are not on duty now, so you have no handoff note to leave"],
    );
    check(
        bot.say(BOB, "note").await,
        expect!["you are not on duty now, so you have no handoff note to leave"],
    );
    check(
        bot.say(ALICE, "note ui   ").await,
        expect!["a handoff note cannot be empty"],
    );
    check(
        bot.say(ALICE, &format!("note {}", "x".repeat(2001))).await,
        expect!["a handoff note can have at most 2000 characters (this one has 2001)"],
    );
    check(
        bot.say(ALICE, "note rollback \u{202E}exe.txt").await,
        expect!["a handoff note cannot contain control characters (found U+202E)"],
    );
    assert_eq!((bot.row_counts(), note_count(&bot)), before);
    bot.stop().await;
}

/// On the last working day of a duty Home offers *Leave a handoff note*; its form holds the
/// note left so far, keeps its errors (the rules of `/triage note`) and saves; a click for a
/// sprint whose handoff has passed, or by someone not on duty, opens nothing and changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_leave_a_handoff_note_button_opens_a_form_that_keeps_the_note() {
    // Friday before Monday's handoff: Alice's last working day on UI.
    let bot = Bot::start_at(&[CAROL], &[], "2026-03-20T10:00:00-07:00", false).await;
    bot.emulator.send_app_home_opened(ALICE);
    let published = |e: &Emulator| e.workspace().views.iter().any(|v| v.home_of.is_some());
    assert!(
        bot.emulator
            .wait_until(Duration::from_secs(5), published)
            .await
    );
    let home = bot.emulator.workspace().views[0].view.clone();
    let rendered = render(&home["blocks"]);
    let invite: Vec<&str> = rendered
        .lines()
        .skip_while(|line| !line.starts_with("*Your duty ends"))
        .take(2)
        .collect();
    check(
        invite.join("\n"),
        expect![[r#"
            *Your duty ends Mon Mar 23 08:00 PDT.* Leave a handoff note for whoever takes over.
              [Leave a handoff note → leave_note:0]"#]],
    );
    let sprint = "0";

    // Not on duty, or a sprint whose handoff has passed: refused, nothing opens.
    let before = (bot.row_counts(), note_count(&bot));
    check(
        bot.click(BOB, "leave_note", sprint).await,
        expect!["you are not on duty now, so you have no handoff note to leave"],
    );
    check(
        bot.click(ALICE, "leave_note", "-1").await,
        expect!["the handoff this note was for has happened, so it would come too late"],
    );
    assert!(bot.emulator.calls("views.open").is_empty());

    bot.emulator
        .send_block_action(ALICE, "D0ALICE", "leave_note", sprint);
    let opened = |e: &Emulator| e.calls("views.open").len() == 1;
    assert!(
        bot.emulator
            .wait_until(Duration::from_secs(5), opened)
            .await
    );
    let modal = &bot.emulator.calls("views.open")[0].params["view"];
    assert_eq!(modal["callback_id"], "handoff_note");
    check(
        render(&modal["blocks"]),
        expect![[r#"
              (For whoever takes over from you at the end of Sprint 1: they get it by DM and in the triage channel at the handoff. You can change it until then.)
            input note:ui (plain_text_input):
        "#]],
    );
    let view_id = bot.emulator.workspace().modals_of(ALICE)[0].id.clone();
    let submit = |text: &str| {
        let inputs = BTreeMap::from([("note:ui".to_string(), InputValue::Text(text.to_string()))]);
        bot.emulator.submit_modal(ALICE, &view_id, &inputs).unwrap()
    };
    let sent = submit("rollback \u{202E}exe.txt");
    check(
        bot.ack(&sent.envelope_id).await.to_string(),
        expect![[
            r#"{"errors":{"note:ui":"A handoff note cannot contain control characters (found U+202E)."},"response_action":"errors"}"#
        ]],
    );
    assert_eq!((bot.row_counts(), note_count(&bot)), before);
    let sent = submit("deploy frozen until Monday");
    assert_eq!(bot.ack(&sent.envelope_id).await, Value::Null);
    check(
        bot.say(ALICE, "note").await,
        expect![[r#"
            Your handoff note for UI:
            >deploy frozen until Monday"#]],
    );
    // Opened again, the form holds the note; Home shows it and offers to change it.
    bot.emulator
        .send_block_action(ALICE, "D0ALICE", "leave_note", sprint);
    let again = |e: &Emulator| e.calls("views.open").len() == 2;
    assert!(bot.emulator.wait_until(Duration::from_secs(5), again).await);
    let modal = &bot.emulator.calls("views.open")[1].params["view"];
    assert_eq!(
        modal["blocks"][1]["element"]["initial_value"],
        "deploy frozen until Monday"
    );
    bot.emulator.send_app_home_opened(ALICE);
    let republished = |e: &Emulator| e.calls("views.publish").len() == 2;
    assert!(
        bot.emulator
            .wait_until(Duration::from_secs(5), republished)
            .await
    );
    let home = bot.emulator.calls("views.publish")[1].params["view"].clone();
    let rendered = render(&home["blocks"]);
    let invite: Vec<&str> = rendered
        .lines()
        .skip_while(|line| !line.starts_with("*Your duty ends"))
        .take(4)
        .collect();
    check(
        invite.join("\n"),
        expect![[r#"
            *Your duty ends Mon Mar 23 08:00 PDT.* Leave a handoff note for whoever takes over.
            Your note for UI:
            >deploy frozen until Monday
              [Change your handoff note → leave_note:0]"#]],
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn someone_on_duty_for_two_disciplines_names_the_one_the_note_is_for() {
    let bot = Bot::start().await;
    bot.say(CAROL, "member add <@U0ALICE> backend Alice").await;
    check(
        bot.say(CAROL, "set backend <@U0ALICE>").await,
        expect![[r#"
        <@U0ALICE> is now on duty for *Backend* in *Sprint 1* (override #1).
        :warning: This gives <@U0ALICE> double duty: they are on duty for *UI* in *Sprint 1* too."#]],
    );
    check(
        bot.say(ALICE, "note all quiet").await,
        expect![
            "you are on duty for UI and Backend: say which one the note is for, `note <discipline> <text>`"
        ],
    );
    check(
        bot.say(ALICE, "note backend all quiet").await,
        expect![
            "Your handoff note for Backend (Sprint 1) is saved: whoever takes over gets it at the handoff."
        ],
    );
    let notes = bot.store.handoff_notes(None).unwrap();
    let notes: Vec<(String, String)> = notes
        .iter()
        .map(|n| (n.discipline.to_string(), n.text.clone()))
        .collect();
    assert_eq!(
        notes,
        vec![("backend".to_string(), "all quiet".to_string())]
    );
    bot.stop().await;
}
