//! Notifications end to end against the emulator, with the clock pinned: `announce::sync` and
//! the outbox worker are driven with explicit instants. Sprint 0 runs Mon Mar 9 – Sun Mar 22
//! 2026, sprint 1 Mon Mar 23 – Sun Apr 5 (handoff 08:00 America/Los_Angeles = 15:00 UTC; the
//! heads-up for sprint 1 is on the last working day before, Fri Mar 20 17:00 PDT = Sat Mar 21
//! 00:00 UTC).
//!
//! Rotation: UI is Alice then Bob, Backend is Alice then Carol, so Alice holds both
//! disciplines in sprint 0 and Bob and Carol take over in sprint 1.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use expect_test::expect;
use jiff::Timestamp;
use jiff::civil::date;
use tempfile::TempDir;
use tokio::sync::{Notify, watch};
use triage_bot::bot::announce::sync;
use triage_bot::bot::home::home_view;
use triage_bot::bot::plan::PlanRound;
use triage_bot::bot::scheduler::{self, Notifications};
use triage_bot::bot::usergroups::reconcile;
use triage_bot::bot::worker::{DeliveryReport, Worker};
use triage_bot::cli::Cli;
use triage_bot::config::Config;
use triage_bot::domain::cadence::Cadence;
use triage_bot::domain::{Sprint, SprintIndex};
use triage_bot::slack::emulator::{Emulator, Fault};
use triage_bot::slack::{ApiClient, ApiConfig, Pacing};
use triage_bot::store::{NewOverride, Store};

use super::import::triage_at;
use super::store::{key, open_store, user};

const METHODS: [&str; 5] = [
    "conversations.open",
    "chat.postMessage",
    "conversations.setTopic",
    "usergroups.list",
    "usergroups.users.update",
];

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

/// Mid sprint 0.
fn mid_sprint() -> Timestamp {
    at("2026-03-12T18:00:00Z")
}

/// The heads-up moment for sprint 1: Friday 17:00 PDT before Monday's handoff.
fn heads_up() -> Timestamp {
    at("2026-03-21T00:00:00Z")
}

/// Sprint 1's handoff.
fn handoff() -> Timestamp {
    at("2026-03-23T15:00:00Z")
}

struct Bot {
    _dir: TempDir,
    store: Store,
    config: Arc<Config>,
    emulator: Emulator,
}

impl Bot {
    async fn start() -> Bot {
        Bot::start_with(&[
            "--channel",
            "C0TRIAGE",
            "--admin-channel",
            "C0GENERAL",
            "--usergroup",
            "S0ONCALL",
        ])
        .await
    }

    async fn start_with(flags: &[&str]) -> Bot {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("triage.db");
        // Alice is on duty for both disciplines at once (see `with_people`): the rotation must
        // not pass her over for these tests.
        let mut args = vec![
            "triage-bot",
            "--db",
            db.to_str().unwrap(),
            "--double-duty",
            "allow",
        ];
        args.extend_from_slice(flags);
        let config = Config::from_settings(&Cli::parse_from(args).settings).unwrap();
        let store = open_store(&dir);
        let emulator = Emulator::start().await.unwrap();
        // The group starts with someone who is never on duty, so every first check changes it.
        emulator.edit_workspace(|w| w.usergroups[0].users = vec!["U0DAVE".to_string()]);
        Bot {
            _dir: dir,
            store,
            config: Arc::new(config),
            emulator,
        }
    }

    /// Disciplines UI (Alice, Bob) and Backend (Alice, Carol), sprints 0 and 1.
    fn with_team(self) -> Bot {
        self.with_people().with_sprints()
    }

    /// Disciplines UI (Alice, Bob) and Backend (Alice, Carol), and no sprints.
    fn with_people(self) -> Bot {
        let t = at("2026-01-01T00:00:00Z");
        for (k, name) in [("ui", "UI"), ("backend", "Backend")] {
            let new = triage_bot::store::NewDiscipline {
                key: key(k),
                name: name.to_string(),
                fallback: None,
                usergroup_id: None,
            };
            self.store.upsert_discipline(&new, "test", t).unwrap();
        }
        for (who, k) in [
            ("U0ALICE", "ui"),
            ("U0BOB", "ui"),
            ("U0ALICE", "backend"),
            ("U0CAROL", "backend"),
        ] {
            self.store
                .upsert_member(&user(who), &key(k), None, "test", t)
                .unwrap();
        }
        self
    }

    /// Two two-week sprints, the first starting on `start`.
    fn with_sprints_from(self, start: jiff::civil::Date) -> Bot {
        let t = at("2026-01-01T00:00:00Z");
        for index in 0..2 {
            let first = start
                .checked_add(jiff::Span::new().days(14 * index))
                .unwrap();
            let sprint = Sprint {
                index: SprintIndex::new(index).unwrap(),
                name: format!("Sprint {}", index + 1),
                start: first,
                end: first.checked_add(jiff::Span::new().days(13)).unwrap(),
            };
            self.store.create_sprint(&sprint, "test", t).unwrap();
        }
        self
    }

    fn with_sprints(self) -> Bot {
        let t = at("2026-03-01T00:00:00Z");
        let sprints = [
            (0, date(2026, 3, 9), date(2026, 3, 22)),
            (1, date(2026, 3, 23), date(2026, 4, 5)),
        ];
        for (index, start, end) in sprints {
            let sprint = Sprint {
                index: SprintIndex::new(index).unwrap(),
                name: format!("Sprint {}", index + 1),
                start,
                end,
            };
            self.store.create_sprint(&sprint, "test", t).unwrap();
        }
        self
    }

    fn api(&self) -> ApiClient {
        let mut config = ApiConfig::new(self.emulator.api_url());
        config.pacing = Pacing::none();
        config.min_backoff = Duration::from_millis(5);
        config.max_backoff = Duration::from_millis(20);
        config.max_retries = 3;
        config.max_retry_after = Duration::ZERO;
        config.request_timeout = Duration::from_secs(2);
        ApiClient::new(config, self.emulator.bot_token())
    }

    fn worker(&self) -> Worker {
        Worker::new(
            self.store.clone(),
            self.config.clone(),
            self.api(),
            None,
            None,
        )
    }

    fn sync(&self, now: Timestamp) -> usize {
        sync(&self.store, &self.config, now).unwrap()
    }

    async fn deliver(&self, now: Timestamp) -> DeliveryReport {
        self.worker().deliver_due(now).await.unwrap()
    }

    /// Syncs and delivers at `now`.
    async fn tick(&self, now: Timestamp) -> DeliveryReport {
        self.sync(now);
        self.deliver(now).await
    }

    /// Calls per Web API method, for the methods notifications use.
    fn calls(&self) -> BTreeMap<&'static str, usize> {
        METHODS
            .iter()
            .map(|m| (*m, self.emulator.calls(m).len()))
            .collect()
    }

    /// Every DM text, as "user: text", in the order sent.
    fn dms(&self) -> Vec<String> {
        let workspace = self.emulator.workspace();
        workspace
            .messages
            .iter()
            .filter_map(|m| {
                let dm_with = workspace.channel(&m.channel)?.dm_with.clone()?;
                Some(format!("{dm_with}: {}", m.text))
            })
            .collect()
    }

    fn channel_texts(&self, channel: &str) -> Vec<String> {
        let workspace = self.emulator.workspace();
        workspace
            .messages_in(channel)
            .iter()
            .map(|m| m.text.clone())
            .collect()
    }

    fn topic(&self) -> String {
        self.emulator
            .workspace()
            .channel("C0TRIAGE")
            .unwrap()
            .topic
            .clone()
    }

    fn group(&self) -> Vec<String> {
        self.emulator
            .workspace()
            .usergroup("S0ONCALL")
            .unwrap()
            .users
            .clone()
    }

    fn pending(&self) -> i64 {
        self.store
            .outbox_stats(jiff::Timestamp::MAX)
            .unwrap()
            .pending
    }
}

fn counts(pairs: &[(&'static str, usize)]) -> BTreeMap<&'static str, usize> {
    let mut expected: BTreeMap<&'static str, usize> = METHODS.iter().map(|m| (*m, 0)).collect();
    expected.extend(pairs.iter().copied());
    expected
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_sprint_cycle_sends_each_notification_once() {
    let bot = Bot::start().await.with_team();

    // First start mid-sprint: the team is posted, nobody is DMed.
    bot.tick(mid_sprint()).await;
    assert_eq!(bot.dms(), Vec::<String>::new());
    assert_eq!(
        bot.calls(),
        counts(&[
            ("chat.postMessage", 1),
            ("conversations.setTopic", 1),
            ("usergroups.list", 1),
            ("usergroups.users.update", 1),
        ])
    );
    assert_eq!(bot.group(), ["U0ALICE"]);

    // Nothing new before the heads-up.
    assert_eq!(bot.sync(at("2026-03-20T23:59:59Z")), 0);

    // The heads-up, to each incoming person.
    bot.tick(heads_up()).await;
    bot.tick(at("2026-03-21T00:10:00Z")).await;

    // The handoff.
    let report = bot.tick(handoff()).await;
    assert_eq!(report.sent, 6, "{report:?}");
    for later in ["2026-03-23T15:10:00Z", "2026-03-24T09:00:00Z"] {
        assert_eq!(bot.sync(at(later)), 0);
        assert_eq!(bot.deliver(at(later)).await, DeliveryReport::default());
    }

    assert_eq!(
        bot.calls(),
        counts(&[
            ("conversations.open", 6),
            ("chat.postMessage", 8),
            ("conversations.setTopic", 2),
            ("usergroups.list", 2),
            ("usergroups.users.update", 2),
        ])
    );
    expect![[r#"
        [
            "U0BOB: Heads-up: your triage duty for UI starts on Mon Mar 23 at 08:00 PDT (Sprint 2, until Mon Apr 6 08:00 PDT).",
            "U0CAROL: Heads-up: your triage duty for Backend starts on Mon Mar 23 at 08:00 PDT (Sprint 2, until Mon Apr 6 08:00 PDT).",
            "U0ALICE: Your triage duty for UI and Backend ends Mon Mar 23 08:00 PDT (Sprint 1). Anything in flight that whoever takes over should know? Leave a handoff note: they get it when they take over.",
            "U0BOB: You are on triage duty for UI from Mon Mar 23 to Sun Apr 5 (Sprint 2).",
            "U0CAROL: You are on triage duty for Backend from Mon Mar 23 to Sun Apr 5 (Sprint 2).",
            "U0ALICE: Your triage duty for UI and Backend has ended — thank you!",
        ]
    "#]].assert_debug_eq(&bot.dms());
    expect![[r#"
        [
            "Triage duty: Sprint 1 (Mon Mar 9 to Sun Mar 22). UI: <@U0ALICE>, Backend: <@U0ALICE>",
            "Triage duty: Sprint 2 (Mon Mar 23 to Sun Apr 5). UI: <@U0BOB>, Backend: <@U0CAROL>",
        ]
    "#]]
    .assert_debug_eq(&bot.channel_texts("C0TRIAGE"));
    expect![[
        r#"On triage: UI <@U0BOB> · Backend <@U0CAROL> · Sprint 2 until Mon Apr 6 08:00 PDT"#
    ]]
    .assert_eq(&bot.topic());
    assert_eq!(bot.group(), ["U0BOB", "U0CAROL"]);
    assert_eq!(bot.pending(), 0);
}

/// Every message about Sprint 2 states its end the same way: its days as a span ending on its
/// last day, or "until" the instant its duty ends, which is the handoff on the day after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_message_states_a_sprints_end_the_same_way() {
    use triage_bot::bot::command::Command;
    use triage_bot::bot::{Context, slash};

    let bot = Bot::start().await.with_team();
    bot.tick(mid_sprint()).await;
    bot.tick(heads_up()).await;
    bot.tick(handoff()).await;
    let now = at("2026-03-25T18:00:00Z");
    let ctx = Context {
        store: &bot.store,
        config: &bot.config,
        user: &user("U0BOB"),
        now,
    };
    let ask = |command| slash::run(ctx, "/triage", command).unwrap().text;
    let dms = bot.dms();
    let dm_to_bob = |begins: &str| {
        let found = dms
            .iter()
            .find(|dm| dm.starts_with(&format!("U0BOB: {begins}")));
        found.unwrap().clone()
    };
    let cli = triage_at(bot._dir.path(), "2026-03-25T11:00:00-07:00", &["who"]);

    let days = "Mon Mar 23 to Sun Apr 5";
    let until = "until Mon Apr 6 08:00 PDT";
    let texts = [
        (
            "the handoff post",
            bot.channel_texts("C0TRIAGE")[1].clone(),
            days,
        ),
        ("the handoff DM", dm_to_bob("You are on triage duty"), days),
        ("schedule", ask(Command::Schedule { count: 1 }), days),
        ("the topic", bot.topic(), until),
        ("the heads-up DM", dm_to_bob("Heads-up"), until),
        (
            "who",
            ask(Command::Who {
                here: false,
                day: None,
            }),
            until,
        ),
    ];
    for (what, text, end) in &texts {
        assert!(text.contains(end), "{what} should say `{end}`: {text}");
        for (at, _) in text.match_indices("until ") {
            let rest = &text[at..];
            assert!(
                rest.starts_with(until),
                "{what}: `until` before a day: {text}"
            );
        }
    }
    let cli = String::from_utf8_lossy(&cli.stdout);
    assert!(
        cli.starts_with("Sprint 2, in force until 2026-04-06 08:00 PDT\n"),
        "{cli}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_on_duty_in_two_disciplines_gets_one_message() {
    let bot = Bot::start().await.with_team();
    // Just after sprint 0's handoff: a first start that also DMs.
    bot.tick(at("2026-03-09T15:30:00Z")).await;
    expect![[r#"
        [
            "U0ALICE: You are on triage duty for UI and Backend from Mon Mar 9 to Sun Mar 22 (Sprint 1).",
        ]
    "#]].assert_debug_eq(&bot.dms());
    assert_eq!(bot.emulator.calls("conversations.open").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_in_the_middle_of_a_handoff_delivers_each_message_once() {
    let bot = Bot::start().await.with_team();
    bot.tick(mid_sprint()).await;
    let before = bot.emulator.calls("chat.postMessage").len();
    assert!(bot.sync(handoff()) >= 6);

    // Slow answers, so shutdown arrives while items are still pending.
    bot.emulator.inject(Fault::Slow {
        method: "chat.postMessage".to_string(),
        delay: Duration::from_millis(150),
        times: 10,
    });
    let (stop, shutdown) = watch::channel(false);
    let now = handoff();
    let running = tokio::spawn(bot.worker().run(
        Arc::new(move || now),
        shutdown,
        Arc::new(Notify::new()),
    ));
    let two_posted = bot
        .emulator
        .wait_until(Duration::from_secs(5), |e| {
            e.calls("chat.postMessage").len() >= before + 2
        })
        .await;
    assert!(two_posted);
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), running)
        .await
        .unwrap()
        .unwrap();
    let pending = bot.pending();
    assert!(pending > 0, "the first worker stopped with work left");

    // A new worker picks up where the first stopped.
    bot.deliver(handoff()).await;
    assert_eq!(bot.pending(), 0);
    let posts = bot.emulator.calls("chat.postMessage").len() - before;
    assert_eq!(posts, 4, "three DMs and the channel post, each once");
    let mut dms = bot.dms();
    dms.sort();
    dms.dedup();
    assert_eq!(dms.len(), 3);
    assert_eq!(bot.channel_texts("C0TRIAGE").len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_stopped_across_a_handoff_performs_it_once_on_start() {
    let bot = Bot::start().await.with_team();
    bot.tick(mid_sprint()).await;
    // Down from mid sprint 0 until two days into sprint 1: the heads-up moment was missed
    // entirely and the handoff happens on the first sync back.
    let back = at("2026-03-25T17:00:00Z");
    assert!(bot.sync(back) > 0);
    assert_eq!(bot.sync(back), 0);
    bot.deliver(back).await;
    bot.tick(at("2026-03-25T17:10:00Z")).await;
    expect![[r#"
        [
            "U0BOB: You are on triage duty for UI from Mon Mar 23 to Sun Apr 5 (Sprint 2).",
            "U0CAROL: You are on triage duty for Backend from Mon Mar 23 to Sun Apr 5 (Sprint 2).",
            "U0ALICE: Your triage duty for UI and Backend has ended — thank you!",
        ]
    "#]]
    .assert_debug_eq(&bot.dms());
    assert_eq!(bot.channel_texts("C0TRIAGE").len(), 2);
    assert_eq!(bot.group(), ["U0BOB", "U0CAROL"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_heads_up_more_than_an_hour_late_is_dropped() {
    let bot = Bot::start().await.with_team();
    bot.tick(mid_sprint()).await;
    let late = at("2026-03-21T02:00:00Z");
    assert_eq!(
        bot.sync(late),
        3,
        "two heads-ups enqueued already expired, to be dropped once; the note invitation"
    );
    let report = bot.deliver(late).await;
    assert_eq!(report.dropped, 2, "{report:?}");
    // The invitation to leave a handoff note is good until the handoff.
    assert_eq!(report.sent, 1);
    assert_eq!(bot.sync(at("2026-03-21T03:00:00Z")), 0);
    assert_eq!(heads_ups(&bot), Vec::<String>::new());

    // A heads-up half an hour late still goes out.
    let bot = Bot::start().await.with_team();
    bot.tick(mid_sprint()).await;
    let report = bot.tick(at("2026-03-21T00:30:00Z")).await;
    assert_eq!(report.sent, 3, "{report:?}");
    assert_eq!(heads_ups(&bot).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_storm_during_a_handoff_still_delivers_every_message_once() {
    let bot = Bot::start().await.with_team();
    bot.tick(mid_sprint()).await;
    bot.sync(handoff());
    let before = bot.emulator.calls("chat.postMessage").len();
    bot.emulator.inject(Fault::RateLimit {
        method: "chat.postMessage".to_string(),
        retry_after_secs: 120,
        times: 14,
    });
    bot.emulator.inject(Fault::RateLimit {
        method: "conversations.open".to_string(),
        retry_after_secs: 30,
        times: 6,
    });
    let first = bot.deliver(handoff()).await;
    assert!(first.retried > 0, "{first:?}");
    // Retry-After (at least 30 s here) is honoured.
    let next = bot.store.next_outbox_attempt().unwrap().unwrap();
    assert!(next >= at("2026-03-23T15:00:30Z"), "{next}");
    let mut now = handoff();
    for _ in 0..10 {
        now = now
            .checked_add(jiff::SignedDuration::from_hours(1))
            .unwrap();
        bot.deliver(now).await;
    }
    assert_eq!(bot.pending(), 0);
    let posts = bot.emulator.calls("chat.postMessage").len() - before;
    assert_eq!(
        posts,
        4 + 14,
        "each message once, plus the refused attempts"
    );
    let mut dms = bot.dms();
    let count = dms.len();
    dms.sort();
    dms.dedup();
    assert_eq!((count, dms.len()), (3, 3));
    assert_eq!(bot.channel_texts("C0TRIAGE").len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_dm_is_retried_exactly_when_slack_allows_it() {
    let bot = Bot::start().await.with_team();
    bot.tick(mid_sprint()).await;
    bot.sync(handoff());
    // More 429s than the client retries within one call, so the outbox reschedules the DM.
    bot.emulator.inject(Fault::RateLimit {
        method: "conversations.open".to_string(),
        retry_after_secs: 1,
        times: 4,
    });
    let first = bot.deliver(handoff()).await;
    assert_eq!(first.retried, 1, "{first:?}");
    let next = bot.store.next_outbox_attempt().unwrap().unwrap();
    assert_eq!(next, at("2026-03-23T15:00:01Z"));
    // The DM, and the channel post naming the person, which waited for it.
    let second = bot.deliver(next).await;
    assert_eq!((second.sent, second.retried), (2, 0), "{second:?}");
    assert_eq!(bot.pending(), 0);
}

/// Where each message landed, in arrival order: `dm U…` or `post C…`.
fn arrivals(bot: &Bot) -> Vec<String> {
    let workspace = bot.emulator.workspace();
    workspace
        .messages
        .iter()
        .map(|m| match &workspace.channel(&m.channel).unwrap().dm_with {
            Some(user) => format!("dm {user}"),
            None => format!("post {}", m.channel),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handoff_post_waits_for_the_rate_limited_dm_to_a_person_it_names() {
    let bot = Bot::start().await.with_team();
    bot.tick(mid_sprint()).await;
    bot.sync(handoff());
    // DMs are rate limited (the first DM's call and all its in-call retries); the channel is not.
    bot.emulator.inject(Fault::RateLimit {
        method: "conversations.open".to_string(),
        retry_after_secs: 1,
        times: 4,
    });
    let first = bot.deliver(handoff()).await;
    assert_eq!(first.retried, 1, "{first:?}");
    assert_eq!(
        bot.channel_texts("C0TRIAGE").len(),
        1,
        "only sprint 0's post"
    );
    let second = bot.deliver(at("2026-03-23T15:00:01Z")).await;
    assert_eq!((second.sent, second.retried), (2, 0), "{second:?}");

    // In arrival order: every DM to a person on duty, then the post naming them.
    let arrivals = arrivals(&bot);
    let post = arrivals.iter().rposition(|a| a == "post C0TRIAGE").unwrap();
    for person in ["U0BOB", "U0CAROL"] {
        let dm = arrivals.iter().rposition(|a| *a == format!("dm {person}"));
        assert!(dm.is_some_and(|dm| dm < post), "{arrivals:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_waits_for_a_rate_limited_dm_at_most_two_minutes() {
    let bot = Bot::start().await.with_team();
    bot.tick(mid_sprint()).await;
    bot.sync(handoff());
    bot.emulator.inject(Fault::RateLimit {
        method: "conversations.open".to_string(),
        retry_after_secs: 1,
        times: 1000,
    });
    let mut now = handoff();
    for _ in 0..3 {
        bot.deliver(now).await;
        now = now
            .checked_add(jiff::SignedDuration::from_secs(59))
            .unwrap();
    }
    assert_eq!(
        bot.channel_texts("C0TRIAGE").len(),
        1,
        "held for two minutes"
    );
    bot.deliver(at("2026-03-23T15:02:00Z")).await;
    assert_eq!(bot.channel_texts("C0TRIAGE").len(), 2, "then posted anyway");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dm_backing_off_after_a_server_error_does_not_hold_the_post() {
    let bot = Bot::start().await.with_team();
    bot.tick(mid_sprint()).await;
    bot.sync(handoff());
    // Every DM fails with 503 (the client's in-call retries too): they back off for 30 s or more.
    bot.emulator.inject(Fault::ServerError {
        method: "conversations.open".to_string(),
        status: 503,
        times: 1000,
    });
    let first = bot.deliver(handoff()).await;
    // The three DMs (two people on duty, one whose duty ended) wait; post, topic and groups go.
    assert_eq!((first.retried, first.sent), (3, 3), "{first:?}");
    assert_eq!(
        bot.channel_texts("C0TRIAGE").len(),
        2,
        "the team hears who is on duty without waiting for the DMs"
    );
}

#[test]
fn outbox_retries_wait_exactly_retry_after_and_back_off_otherwise() {
    use triage_bot::bot::worker::retry_at;
    let now = at("2026-03-23T15:00:00Z");
    for attempts in [0, 3, 11] {
        for secs in [1u64, 2, 30, 3600] {
            let expected = now
                .checked_add(jiff::SignedDuration::from_secs(secs as i64))
                .unwrap();
            assert_eq!(retry_at(now, attempts, Duration::from_secs(secs)), expected);
        }
    }
    // A fraction of a second rounds up to the next whole second.
    let now = at("2026-03-23T15:00:00.250Z");
    let next = retry_at(now, 5, Duration::from_secs(1));
    assert_eq!(next, at("2026-03-23T15:00:02Z"));
    // Without a Retry-After, the backoff starts at 30 s.
    let next = retry_at(now, 0, Duration::ZERO);
    assert!(next >= at("2026-03-23T15:00:30.250Z"), "{next}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permission_denied_on_the_user_group_is_reported_once() {
    let bot = Bot::start().await.with_team();
    bot.emulator.inject(Fault::Error {
        method: "usergroups.users.update".to_string(),
        code: "permission_denied".to_string(),
        times: 6,
    });
    let api = bot.api();
    let mut now = mid_sprint();
    for _ in 0..6 {
        reconcile(&bot.store, &bot.config, &api, now).await.unwrap();
        bot.deliver(now).await;
        now = now
            .checked_add(jiff::SignedDuration::from_mins(10))
            .unwrap();
    }
    expect![[r#"
        [
            ":warning: the bot cannot update the user group S0ONCALL (Slack answered `permission_denied`)\n*How to fix:* let apps edit user groups in workspace settings (Settings & administration → Workspace settings → Permissions → User Groups), or set SLACK_USER_TOKEN to an admin's xoxp- token",
        ]
    "#]].assert_debug_eq(&bot.channel_texts("C0GENERAL"));
    assert_eq!(bot.group(), ["U0DAVE"]);

    // It works again, then breaks again: a new report.
    reconcile(&bot.store, &bot.config, &api, now).await.unwrap();
    assert_eq!(bot.group(), ["U0ALICE"]);
    bot.emulator
        .edit_workspace(|w| w.usergroups[0].users = vec!["U0DAVE".to_string()]);
    bot.emulator.inject(Fault::Error {
        method: "usergroups.users.update".to_string(),
        code: "permission_denied".to_string(),
        times: 1,
    });
    reconcile(&bot.store, &bot.config, &api, now).await.unwrap();
    bot.deliver(now).await;
    assert_eq!(bot.channel_texts("C0GENERAL").len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_group_update_answered_with_ok_alone_is_a_success() {
    let bot = Bot::start().await.with_team();
    bot.emulator.inject(Fault::MinimalAnswer {
        method: "usergroups.users.update".to_string(),
        times: 1,
    });
    let report = reconcile(&bot.store, &bot.config, &bot.api(), mid_sprint())
        .await
        .unwrap();
    bot.deliver(mid_sprint()).await;
    assert_eq!(
        (report.updated.len(), report.problems),
        (1, 0),
        "{report:?}"
    );
    assert_eq!(bot.group(), ["U0ALICE"]);
    assert_eq!(bot.channel_texts("C0GENERAL"), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_edit_of_the_group_is_corrected_and_audited() {
    let bot = Bot::start().await.with_team();
    bot.tick(mid_sprint()).await;
    assert_eq!(bot.group(), ["U0ALICE"]);
    bot.emulator.edit_workspace(|w| {
        w.usergroups[0].users = vec!["U0ALICE".to_string(), "U0DAVE".to_string()]
    });
    let later = at("2026-03-12T18:10:00Z");
    let report = reconcile(&bot.store, &bot.config, &bot.api(), later)
        .await
        .unwrap();
    assert_eq!(report.updated, ["S0ONCALL"]);
    assert_eq!(bot.group(), ["U0ALICE"]);
    let audit = bot.store.audit(1).unwrap().remove(0);
    assert_eq!(
        (audit.action.as_str(), audit.entity_id.as_str(), audit.at),
        ("usergroup.update", "S0ONCALL", later)
    );
    assert_eq!(
        audit.before.as_deref(),
        Some(r#"{"users":["U0ALICE","U0DAVE"]}"#)
    );
    assert_eq!(audit.after.as_deref(), Some(r#"{"users":["U0ALICE"]}"#));
    // In line now: the next check changes nothing.
    let again = reconcile(&bot.store, &bot.config, &bot.api(), later)
        .await
        .unwrap();
    assert_eq!((again.updated.len(), again.unchanged), (0, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_desired_list_is_never_sent() {
    // Disciplines with no members and no fallback: nobody is on duty.
    let bot = Bot::start().await.with_sprints();
    let new = triage_bot::store::NewDiscipline {
        key: key("ui"),
        name: "UI".to_string(),
        fallback: None,
        usergroup_id: None,
    };
    bot.store
        .upsert_discipline(&new, "test", mid_sprint())
        .unwrap();
    bot.tick(mid_sprint()).await;
    let report = reconcile(&bot.store, &bot.config, &bot.api(), mid_sprint())
        .await
        .unwrap();
    assert_eq!(report.kept_empty, 1);
    assert_eq!(bot.emulator.calls("usergroups.users.update").len(), 0);
    assert_eq!(bot.group(), ["U0DAVE"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_override_approved_for_the_sprint_in_force_tells_added_and_removed_people() {
    let bot = Bot::start().await.with_team();
    bot.tick(mid_sprint()).await;
    let covered = NewOverride {
        sprint: SprintIndex::new(0).unwrap(),
        discipline: key("ui"),
        original: Some(user("U0ALICE")),
        replacement: user("U0BOB"),
        requested_by: user("U0ALICE"),
        reason: None,
    };
    let later = at("2026-03-13T18:00:00Z");
    bot.store.record_approved_override(&covered, later).unwrap();
    bot.tick(later).await;
    expect![[r#"
        [
            "U0BOB: You have been added to triage duty for UI (instead of <@U0ALICE>) until Mon Mar 23 08:00 PDT (Sprint 1).",
            "U0ALICE: You are no longer on triage duty for UI (<@U0BOB> takes over) in Sprint 1. Thank you!",
        ]
    "#]].assert_debug_eq(&bot.dms());
    expect![[
        r#"On triage: UI <@U0BOB> · Backend <@U0ALICE> · Sprint 1 until Mon Mar 23 08:00 PDT"#
    ]]
    .assert_eq(&bot.topic());
    assert_eq!(bot.group(), ["U0ALICE", "U0BOB"]);
    assert_eq!(
        bot.channel_texts("C0TRIAGE").len(),
        1,
        "a change is not posted to the channel"
    );

    // Back to Alice and over to Bob again: each change is told, none is swallowed.
    let back = at("2026-03-14T18:00:00Z");
    let back_to_alice = NewOverride {
        replacement: user("U0ALICE"),
        ..covered.clone()
    };
    bot.store
        .record_approved_override(&back_to_alice, back)
        .unwrap();
    bot.tick(back).await;
    let again = at("2026-03-15T18:00:00Z");
    bot.store.record_approved_override(&covered, again).unwrap();
    bot.tick(again).await;
    assert_eq!(bot.dms().len(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_settings_switch_their_effects_off() {
    let bot = Bot::start_with(&[]).await.with_team();
    bot.tick(at("2026-03-09T15:30:00Z")).await;
    assert_eq!(
        bot.calls(),
        counts(&[("conversations.open", 1), ("chat.postMessage", 1)])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduler_catches_up_on_start_wakes_on_decisions_and_stops_on_shutdown() {
    let bot = Bot::start().await.with_team();
    bot.tick(mid_sprint()).await;
    let dms_before = bot.dms().len();
    // The clock stands two days into sprint 1: the missed handoff is due at once.
    let now = at("2026-03-25T17:00:00Z");
    let mut config = (*bot.config).clone();
    config.clock_start = Some(now);
    config.started_at = Timestamp::now();
    let notifications = Notifications {
        store: bot.store.clone(),
        config: Arc::new(config),
        api: bot.api(),
        usergroup_api: None,
        home: None,
    };
    let (stop, shutdown) = watch::channel(false);
    let wake = Arc::new(Notify::new());
    let running = tokio::spawn(scheduler::run(notifications, shutdown, wake.clone()));
    let handed_over = bot
        .emulator
        .wait_until(Duration::from_secs(10), |e| {
            e.workspace().usergroup("S0ONCALL").unwrap().users == ["U0BOB", "U0CAROL"]
        })
        .await;
    assert!(handed_over);
    assert!(
        bot.emulator
            .wait_until(Duration::from_secs(5), |_| bot.dms().len()
                == dms_before + 3)
            .await
    );

    // A decision wakes it: Carol's Backend slot goes to Alice.
    let covered = NewOverride {
        sprint: SprintIndex::new(1).unwrap(),
        discipline: key("backend"),
        original: Some(user("U0CAROL")),
        replacement: user("U0ALICE"),
        requested_by: user("U0CAROL"),
        reason: None,
    };
    bot.store.record_approved_override(&covered, now).unwrap();
    wake.notify_one();
    assert!(
        bot.emulator
            .wait_until(Duration::from_secs(5), |_| bot.dms().len()
                == dms_before + 5)
            .await
    );
    assert!(
        bot.emulator
            .wait_until(Duration::from_secs(5), |_| bot.pending() == 0)
            .await
    );
    assert_eq!(
        bot.topic(),
        "On triage: UI <@U0BOB> · Backend <@U0ALICE> · Sprint 2 until Mon Apr 6 08:00 PDT"
    );

    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), running)
        .await
        .expect("the scheduler stops promptly")
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decision_made_from_a_stale_announced_state_writes_nothing() {
    let bot = Bot::start().await.with_team();
    let stale = bot.store.announced().unwrap();
    bot.sync(mid_sprint());
    let pending = bot.pending();
    let item = triage_bot::bot::Outgoing::now(
        "late-decision",
        triage_bot::bot::Effect::ReconcileUsergroups,
        mid_sprint(),
    )
    .to_item();
    let applied = bot
        .store
        .apply_announcements(&stale, &[], &[item], "test", mid_sprint())
        .unwrap();
    assert_eq!(applied, None);
    assert_eq!(bot.pending(), pending);
}

/// Sprint 2's duty ends at the handoff on the day after its end date, Mon Apr 6 08:00 PDT.
fn end_of_sprint_2() -> Timestamp {
    at("2026-04-06T15:00:00Z")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_end_of_the_last_sprint_tells_the_outgoing_people_once() {
    let bot = Bot::start().await.with_team();
    bot.tick(mid_sprint()).await;
    bot.tick(handoff()).await;
    let before = bot.dms().len();
    assert_eq!(bot.sync(at("2026-04-06T14:59:59Z")), 0);

    let report = bot.tick(end_of_sprint_2()).await;
    assert_eq!(report.sent, 3, "{report:?}");
    expect![[r#"
        [
            "U0BOB: Your triage duty for UI has ended — thank you! No sprint is planned yet; an admin can add one.",
            "U0CAROL: Your triage duty for Backend has ended — thank you! No sprint is planned yet; an admin can add one.",
        ]
    "#]]
    .assert_debug_eq(&bot.dms()[before..].to_vec());
    expect![[r#"No sprint in force · none planned yet"#]].assert_eq(&bot.topic());
    // The announced state says nobody is on duty, so later syncs (and a restart) send nothing.
    let states = bot.store.current_state().unwrap();
    assert!(
        states
            .iter()
            .all(|s| s.sprint.is_none() && s.slack_id.is_none()),
        "{states:?}"
    );
    for later in ["2026-04-06T15:10:00Z", "2026-04-20T09:00:00Z"] {
        assert_eq!(bot.sync(at(later)), 0);
        assert_eq!(bot.deliver(at(later)).await, DeliveryReport::default());
    }
    assert_eq!(bot.dms().len(), before + 2);
    // Slack refuses an empty group: it keeps its members, and is no longer reconciled.
    assert_eq!(bot.group(), ["U0BOB", "U0CAROL"]);
    assert_eq!(bot.channel_texts("C0TRIAGE").len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gap_between_sprints_is_announced_and_the_next_sprint_starts_as_a_handoff() {
    let bot = Bot::start().await.with_team();
    let sprint = Sprint {
        index: SprintIndex::new(2).unwrap(),
        name: "Sprint 3".to_string(),
        start: date(2026, 4, 13),
        end: date(2026, 4, 26),
    };
    bot.store
        .create_sprint(&sprint, "test", at("2026-03-01T00:00:00Z"))
        .unwrap();
    bot.tick(mid_sprint()).await;
    bot.tick(handoff()).await;
    let before = bot.dms().len();

    bot.tick(end_of_sprint_2()).await;
    expect![[r#"
        [
            "U0BOB: Your triage duty for UI has ended — thank you! No sprint is in force until Mon Apr 13 08:00 PDT, when Sprint 3 starts.",
            "U0CAROL: Your triage duty for Backend has ended — thank you! No sprint is in force until Mon Apr 13 08:00 PDT, when Sprint 3 starts.",
        ]
    "#]]
    .assert_debug_eq(&bot.dms()[before..].to_vec());
    expect![[r#"No sprint in force · next: Sprint 3 from Mon Apr 13"#]].assert_eq(&bot.topic());

    // In the gap the group is not brought back to the old team.
    bot.emulator
        .edit_workspace(|w| w.usergroups[0].users = vec!["U0DAVE".to_string()]);
    let report = reconcile(
        &bot.store,
        &bot.config,
        &bot.api(),
        at("2026-04-08T18:00:00Z"),
    )
    .await
    .unwrap();
    assert_eq!((report.updated.len(), report.kept_empty), (0, 1));
    assert_eq!(bot.group(), ["U0DAVE"]);
    assert_eq!(bot.sync(at("2026-04-08T18:00:00Z")), 0);

    // The heads-up on the Friday before (Fri Apr 10 17:00 PDT), then the handoff out of the gap.
    bot.tick(at("2026-04-11T00:00:00Z")).await;
    bot.tick(at("2026-04-13T15:00:00Z")).await;
    expect![[r#"
        [
            "U0ALICE: Heads-up: your triage duty for UI and Backend starts on Mon Apr 13 at 08:00 PDT (Sprint 3, until Mon Apr 27 08:00 PDT).",
            "U0ALICE: You are on triage duty for UI and Backend from Mon Apr 13 to Sun Apr 26 (Sprint 3).",
        ]
    "#]]
    .assert_debug_eq(&bot.dms()[before + 2..].to_vec());
    expect![[
        r#"On triage: UI <@U0ALICE> · Backend <@U0ALICE> · Sprint 3 until Mon Apr 27 08:00 PDT"#
    ]]
    .assert_eq(&bot.topic());
    assert_eq!(bot.group(), ["U0ALICE"]);
    assert_eq!(bot.channel_texts("C0TRIAGE").len(), 3);
}

/// `import-legacy` of the `present` fixture (sprint 1 runs Mon Mar 2 – Sun Mar 15 2026; the old
/// bot had Cy and Dee on duty, while the rotation alone would pick Ben and Eli), then the
/// scheduler's first run, as `serve` starts it: nothing is sent for the sprint in force.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_start_after_an_import_sends_nothing_for_the_sprint_in_force() {
    let bot = Bot::start().await;
    let clock = "2026-03-12T11:00:00-07:00";
    let now = at(clock);
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/legacy/present")
        .into_os_string()
        .into_string()
        .unwrap();
    let imported = triage_at(bot._dir.path(), clock, &["import-legacy", &fixture]);
    assert_eq!(imported.status.code(), Some(0), "{imported:?}");
    bot.emulator.edit_workspace(|w| {
        for (id, name) in [
            ("U0UI00001", "Ana Lima"),
            ("U0UI00002", "Ben Ode"),
            ("U0UI00003", "Cy Park"),
            ("U0BE00001", "Dee Roy"),
            ("U0BE00002", "Eli Sato"),
        ] {
            w.users.push(triage_bot::slack::emulator::workspace::User {
                id: id.to_string(),
                name: name.to_lowercase().replace(' ', "."),
                real_name: name.to_string(),
                tz: "America/Los_Angeles".to_string(),
            });
        }
    });

    let mut config = (*bot.config).clone();
    config.clock_start = Some(now);
    config.started_at = Timestamp::now();
    let notifications = Notifications {
        store: bot.store.clone(),
        config: Arc::new(config),
        api: bot.api(),
        usergroup_api: None,
        home: None,
    };
    let (stop, shutdown) = watch::channel(false);
    let running = tokio::spawn(scheduler::run(
        notifications,
        shutdown,
        Arc::new(Notify::new()),
    ));
    // The user-group check (not a message) runs right after the first sync.
    let checked = bot
        .emulator
        .wait_until(Duration::from_secs(10), |e| {
            e.workspace().usergroup("S0ONCALL").unwrap().users != ["U0DAVE"]
        })
        .await;
    assert!(checked);
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), running)
        .await
        .expect("the scheduler stops promptly")
        .unwrap();

    assert_eq!(bot.group(), ["U0BE00001", "U0UI00003"]);
    assert_eq!(bot.dms(), Vec::<String>::new());
    assert_eq!(bot.channel_texts("C0TRIAGE"), Vec::<String>::new());
    assert_eq!(
        bot.calls(),
        counts(&[("usergroups.list", 1), ("usergroups.users.update", 1)])
    );
    assert_eq!(bot.pending(), 0, "nothing waits in the outbox either");
    assert_eq!(bot.sync(now), 0);

    let who = triage_at(bot._dir.path(), clock, &["who"]);
    expect![[r#"
        FY26 Sp6, in force until 2026-03-16 08:00 PDT
          UI Engineering       Cy Park (U0UI00003)  rotation
          Backend Engineering  Dee Roy (U0BE00001)  rotation
    "#]]
    .assert_eq(&String::from_utf8_lossy(&who.stdout));
}

/// The admin channel's posts that warn the plan runs out.
fn plan_warnings(bot: &Bot) -> Vec<String> {
    bot.channel_texts("C0GENERAL")
        .into_iter()
        .filter(|text| text.starts_with("The last planned sprint"))
        .collect()
}

fn keep_planned(bot: &Bot, now: Timestamp) -> PlanRound {
    triage_bot::bot::plan::keep_planned(&bot.store, &bot.config, now).unwrap()
}

// Sprint 1 (the last, "Sprint 2") ends Sun Apr 5: it stops at the handoff on Mon Apr 6 (15:00
// UTC), so the warnings fall due on Mon Mar 23 and Sat Apr 4 at 15:00 UTC.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_cadence_admins_are_warned_14_and_2_days_before_the_plan_runs_out() {
    let bot = Bot::start().await.with_team();
    assert_eq!(keep_planned(&bot, mid_sprint()), PlanRound::Warned(0));
    assert_eq!(
        keep_planned(&bot, at("2026-03-23T14:59:59Z")),
        PlanRound::Warned(0)
    );
    assert_eq!(
        keep_planned(&bot, at("2026-03-23T15:00:00Z")),
        PlanRound::Warned(1)
    );
    assert_eq!(
        keep_planned(&bot, at("2026-03-30T15:00:00Z")),
        PlanRound::Warned(0)
    );
    bot.deliver(at("2026-03-30T15:00:00Z")).await;
    assert_eq!(
        keep_planned(&bot, at("2026-04-04T15:00:00Z")),
        PlanRound::Warned(1)
    );
    assert_eq!(
        keep_planned(&bot, at("2026-04-05T15:00:00Z")),
        PlanRound::Warned(0)
    );
    bot.deliver(at("2026-04-05T15:00:00Z")).await;
    expect![[r#"
        [
            "The last planned sprint, Sprint 2, ends on Sun Apr 5: add sprints (`/triage sprint generate …`) or declare a cadence (`triage-bot sprint cadence set …`)",
            "The last planned sprint, Sprint 2, ends on Sun Apr 5: add sprints (`/triage sprint generate …`) or declare a cadence (`triage-bot sprint cadence set …`)",
        ]
    "#]]
    .assert_debug_eq(&plan_warnings(&bot));

    // A sprint added after them moves the last sprint: its own warnings apply, once each.
    let sprint = Sprint {
        index: SprintIndex::new(2).unwrap(),
        name: "Sprint 3".to_string(),
        start: date(2026, 4, 6),
        end: date(2026, 4, 19),
    };
    bot.store
        .create_sprint(&sprint, "test", at("2026-04-05T16:00:00Z"))
        .unwrap();
    assert_eq!(
        keep_planned(&bot, at("2026-04-06T14:59:59Z")),
        PlanRound::Warned(0)
    );
    assert_eq!(
        keep_planned(&bot, at("2026-04-06T15:00:00Z")),
        PlanRound::Warned(1)
    );
    assert_eq!(
        keep_planned(&bot, at("2026-04-06T16:00:00Z")),
        PlanRound::Warned(0)
    );
    bot.deliver(at("2026-04-06T16:00:00Z")).await;
    let warnings = plan_warnings(&bot);
    assert_eq!(warnings.len(), 3);
    assert!(
        warnings[2].contains("Sprint 3, ends on Sun Apr 19"),
        "{warnings:?}"
    );
    // Once the last sprint has ended, no more warnings.
    assert_eq!(
        keep_planned(&bot, at("2026-04-20T15:00:00Z")),
        PlanRound::Warned(0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_cadence_the_plan_is_extended_instead_of_warned_about() {
    let bot = Bot::start().await.with_team();
    let cadence = Cadence {
        start: date(2026, 3, 9),
        days: 14,
        name_pattern: "Sprint {n}".to_string(),
        horizon_days: 84,
    };
    let team = bot.config.team();
    let set_at = at("2026-03-01T00:00:00Z");
    let added = bot
        .store
        .set_cadence(&cadence, &team, "test", set_at)
        .unwrap();
    // Feb 28 (local) + 84 days is May 23: four more sprints reach May 31.
    assert_eq!(added.len(), 4, "{added:?}");
    let now = at("2026-03-23T15:00:00Z");
    let PlanRound::Extended(added) = keep_planned(&bot, now) else {
        panic!("a cadence extends the plan");
    };
    // Mar 23 + 84 days is Jun 15: two more sprints reach Jun 28.
    let names: Vec<&str> = added.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Sprint 7", "Sprint 8"]);
    assert_eq!(keep_planned(&bot, now), PlanRound::Extended(Vec::new()));
    let sprints = bot.store.sprints().unwrap();
    assert_eq!(sprints.last().unwrap().end, date(2026, 6, 28));
    for pair in sprints.windows(2) {
        assert_eq!(
            pair[0].end.tomorrow().unwrap(),
            pair[1].start,
            "back to back"
        );
    }
    let audited = bot.store.audit(50).unwrap();
    let bot_adds = audited
        .iter()
        .filter(|e| e.action == "sprint.add" && e.actor == "triage-bot")
        .count();
    assert_eq!(bot_adds, 2);
    bot.deliver(now).await;
    assert!(plan_warnings(&bot).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduler_wakes_for_a_plan_warning() {
    let bot = Bot::start().await.with_team();
    // The 14-day warning has been posted; the clock stands 3 s before the 2-day one, with no
    // handoff or heads-up in between, so only the warning's own moment wakes the scheduler.
    keep_planned(&bot, at("2026-03-23T15:00:00Z"));
    let now = at("2026-04-04T14:59:57Z");
    let mut config = (*bot.config).clone();
    config.clock_start = Some(now);
    config.started_at = Timestamp::now();
    let notifications = Notifications {
        store: bot.store.clone(),
        config: Arc::new(config),
        api: bot.api(),
        usergroup_api: None,
        home: None,
    };
    let (stop, shutdown) = watch::channel(false);
    let running = tokio::spawn(scheduler::run(
        notifications,
        shutdown,
        Arc::new(Notify::new()),
    ));
    let posted = bot
        .emulator
        .wait_until(Duration::from_secs(15), |_| plan_warnings(&bot).len() == 2)
        .await;
    assert!(posted, "{:?}", plan_warnings(&bot));
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), running)
        .await
        .expect("the scheduler stops promptly")
        .unwrap();
}

/// Backend has nobody when Sprint 1 starts; once Dave joins, the slot fills and he hears it like
/// any mid-sprint change, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slot_that_started_with_nobody_is_announced_when_it_fills() {
    let bot = Bot::start().await;
    let t = at("2026-03-01T00:00:00Z");
    for (k, name) in [("ui", "UI"), ("backend", "Backend")] {
        let new = triage_bot::store::NewDiscipline {
            key: key(k),
            name: name.to_string(),
            fallback: None,
            usergroup_id: None,
        };
        bot.store.upsert_discipline(&new, "test", t).unwrap();
    }
    bot.store
        .upsert_member(&user("U0ALICE"), &key("ui"), None, "test", t)
        .unwrap();
    let bot = bot.with_sprints();
    bot.tick(mid_sprint()).await;
    let before = bot.dms().len();
    let team = bot.config.team();
    let later = at("2026-03-13T18:00:00Z");
    triage_bot::duty::change_roster(&bot.store, &team, later, "test", |store| {
        store.upsert_member(&user("U0DAVE"), &key("backend"), None, "test", later)
    })
    .unwrap();
    bot.tick(later).await;
    bot.tick(at("2026-03-13T18:10:00Z")).await;
    expect![[r#"
        [
            "U0DAVE: You have been added to triage duty for Backend until Mon Mar 23 08:00 PDT (Sprint 1).",
        ]
    "#]]
    .assert_debug_eq(&bot.dms()[before..].to_vec());
    assert!(bot.topic().contains("Backend <@U0DAVE>"), "{}", bot.topic());
}

fn away(bot: &Bot, who: &str, from: &str, to: &str, now: Timestamp) {
    let new = triage_bot::store::NewAwayWindow {
        person: user(who),
        from: from.parse().unwrap(),
        to: to.parse().unwrap(),
        reason: None,
        created_by: who.to_string(),
    };
    triage_bot::bot::away::record(
        &bot.store,
        &bot.config,
        &new,
        now,
        triage_bot::bot::away::Via::Command,
    )
    .unwrap();
}

fn raise_alerts(store: &Store, bot: &Bot, now: Timestamp) -> usize {
    triage_bot::bot::away::raise_alerts(store, &bot.config, now).unwrap()
}

/// Bob (UI) and Carol (Backend) are on duty in Sprint 2 (from Mon Mar 23 08:00 PDT) and away in
/// it. With a lead of 3 days the admins hear of Bob's uncovered duty once, on Fri Mar 20 at the
/// handoff time, whatever the rounds and restarts; Carol's is covered by then and raises nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duty_in_an_absence_that_nobody_covers_is_raised_once_before_its_handoff() {
    let bot = Bot::start_with(&["--admin-channel", "C0GENERAL", "--away-alert-lead", "3"])
        .await
        .with_team();
    away(&bot, "U0BOB", "2026-03-30", "2026-03-31", mid_sprint());
    away(&bot, "U0CAROL", "2026-03-24", "2026-03-24", mid_sprint());
    let cover = NewOverride {
        sprint: SprintIndex::new(1).unwrap(),
        discipline: key("backend"),
        original: Some(user("U0CAROL")),
        replacement: user("U0ALICE"),
        requested_by: user("U0CAROL"),
        reason: None,
    };
    bot.store
        .record_approved_override(&cover, mid_sprint())
        .unwrap();
    assert_eq!(raise_alerts(&bot.store, &bot, mid_sprint()), 0);
    assert_eq!(
        raise_alerts(&bot.store, &bot, at("2026-03-20T14:59:59Z")),
        0
    );
    let due = at("2026-03-20T15:00:00Z");
    assert_eq!(
        triage_bot::bot::away::next_alert(&bot.store, &bot.config, mid_sprint()).unwrap(),
        Some(due)
    );
    assert_eq!(raise_alerts(&bot.store, &bot, due), 1);
    assert_eq!(
        raise_alerts(&bot.store, &bot, at("2026-03-20T15:10:00Z")),
        0
    );
    // A restart: a new store on the same file raises nothing again.
    let reopened = open_store(&bot._dir);
    assert_eq!(raise_alerts(&reopened, &bot, at("2026-03-21T09:00:00Z")), 0);
    bot.deliver(at("2026-03-21T09:00:00Z")).await;
    expect![[r#"
        [
            "*Away during triage duty*\n<@U0BOB> is away Mon Mar 30 to Tue Mar 31 (absence #1) and on duty for *UI* in *Sprint 2* (Mon Mar 23 to Sun Apr 5); nobody covers it yet. <@U0BOB> can ask for cover, or an admin can file it for them: `/triage cover Sprint 2 @person ui`.",
        ]
    "#]]
    .assert_debug_eq(&bot.channel_texts("C0GENERAL"));
    // Once Sprint 2 has ended there is nothing left to raise.
    assert_eq!(
        raise_alerts(&bot.store, &bot, at("2026-04-06T16:00:00Z")),
        0
    );
}

/// Bob leaves UI at Sprint 2's handoff: Alice, on duty already, takes his turn and is told so
/// at the handoff (she is not incoming, so no heads-up), Bob hears nothing, and after the
/// handoff he is out of the rotation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_leave_takes_effect_at_its_handoff_and_is_announced_as_planned() {
    let bot = Bot::start().await.with_team();
    bot.tick(mid_sprint()).await;
    let before = bot.dms().len();
    let leave = triage_bot::store::NewRosterChange {
        person: user("U0BOB"),
        discipline: key("ui"),
        kind: triage_bot::domain::roster_change::ChangeKind::Leave,
        on: date(2026, 3, 23),
        name: None,
        created_by: "test".into(),
    };
    let team = bot.config.team();
    triage_bot::roster_changes::schedule(&bot.store, &team, &leave, mid_sprint()).unwrap();
    bot.tick(heads_up()).await;
    bot.tick(handoff()).await;
    expect![[r#"
        [
            "U0CAROL: Heads-up: your triage duty for Backend starts on Mon Mar 23 at 08:00 PDT (Sprint 2, until Mon Apr 6 08:00 PDT).",
            "U0ALICE: Your triage duty for Backend ends Mon Mar 23 08:00 PDT (Sprint 1). Anything in flight that whoever takes over should know? Leave a handoff note: they get it when they take over.",
            "U0ALICE: You are on triage duty for UI from Mon Mar 23 to Sun Apr 5 (Sprint 2).",
            "U0CAROL: You are on triage duty for Backend from Mon Mar 23 to Sun Apr 5 (Sprint 2).",
            "U0ALICE: Your triage duty for Backend has ended — thank you!",
        ]
    "#]]
    .assert_debug_eq(&bot.dms()[before..].to_vec());
    let bob = bot
        .store
        .members(Some(&key("ui")))
        .unwrap()
        .into_iter()
        .find(|m| m.slack_id == user("U0BOB"))
        .unwrap();
    assert!(!bob.active);
    assert!(bot.store.pending_roster_changes(None).unwrap().is_empty());
}

/// Runs the scheduler and its outbox worker as `serve` does, the clock starting at `now`, until
/// `done` holds (at most 10 s), then stops it: one run of the bot between a start and a stop.
async fn run_scheduler(bot: &Bot, now: Timestamp, done: impl Fn(&Bot) -> bool) -> bool {
    let mut config = (*bot.config).clone();
    config.clock_start = Some(now);
    config.started_at = Timestamp::now();
    let notifications = Notifications {
        store: bot.store.clone(),
        config: Arc::new(config),
        api: bot.api(),
        usergroup_api: None,
        home: None,
    };
    let (stop, shutdown) = watch::channel(false);
    let running = tokio::spawn(scheduler::run(
        notifications,
        shutdown,
        Arc::new(Notify::new()),
    ));
    let reached = bot
        .emulator
        .wait_until(Duration::from_secs(10), |_| done(bot))
        .await;
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), running)
        .await
        .expect("the scheduler stops promptly")
        .unwrap();
    reached
}

/// Heads-up DMs so far.
fn heads_ups(bot: &Bot) -> Vec<String> {
    bot.dms()
        .into_iter()
        .filter(|dm| dm.contains("Heads-up"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_holiday_on_friday_moves_the_heads_up_to_thursday_and_the_weekend_stays_quiet() {
    let bot = Bot::start_with(&["--channel", "C0TRIAGE", "--holidays", "2026-03-20"])
        .await
        .with_team();
    bot.tick(mid_sprint()).await;
    // Thu Mar 19 16:59:59 PDT, then 17:00 PDT.
    assert_eq!(bot.sync(at("2026-03-19T23:59:59Z")), 0);
    let report = bot.tick(at("2026-03-20T00:00:00Z")).await;
    assert_eq!(report.sent, 3, "{report:?}");
    // The holiday's own 17:00, Saturday, and Sunday's 17:00 (the old eve) add nothing.
    for later in [
        "2026-03-21T00:00:00Z",
        "2026-03-21T20:00:00Z",
        "2026-03-23T00:00:00Z",
    ] {
        assert_eq!(bot.sync(at(later)), 0, "{later}");
        assert_eq!(bot.deliver(at(later)).await, DeliveryReport::default());
    }
    expect![[r#"
        [
            "U0BOB: Heads-up: your triage duty for UI starts on Mon Mar 23 at 08:00 PDT (Sprint 2, until Mon Apr 6 08:00 PDT).",
            "U0CAROL: Heads-up: your triage duty for Backend starts on Mon Mar 23 at 08:00 PDT (Sprint 2, until Mon Apr 6 08:00 PDT).",
            "U0ALICE: Your triage duty for UI and Backend ends Mon Mar 23 08:00 PDT (Sprint 1). Anything in flight that whoever takes over should know? Leave a handoff note: they get it when they take over.",
        ]
    "#]]
    .assert_debug_eq(&bot.dms());
}

/// With Sunday a working day, the heads-up before a Monday handoff falls on the Sundays the
/// clocks change (2026-03-08 forward, 2026-11-01 back), and still at 17:00 local time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_heads_up_keeps_its_local_time_on_both_daylight_saving_change_days() {
    // Spring forward: 17:00 PDT on Sun Mar 8 is 00:00 UTC; 17:00 PST would have been 01:00.
    let bot = Bot::start_with(&["--workdays", "sun-thu"])
        .await
        .with_people()
        .with_sprints_from(date(2026, 2, 23));
    bot.tick(at("2026-03-04T18:00:00Z")).await;
    assert_eq!(bot.sync(at("2026-03-08T23:59:59Z")), 0);
    let report = bot.tick(at("2026-03-09T00:00:00Z")).await;
    assert_eq!(report.sent, 3, "{report:?}");
    assert_eq!(bot.sync(at("2026-03-09T01:00:00Z")), 0);
    expect![[r#"
        [
            "U0BOB: Heads-up: your triage duty for UI starts tomorrow at 08:00 PDT (Sprint 2, until Mon Mar 23 08:00 PDT).",
            "U0CAROL: Heads-up: your triage duty for Backend starts tomorrow at 08:00 PDT (Sprint 2, until Mon Mar 23 08:00 PDT).",
        ]
    "#]]
    .assert_debug_eq(&heads_ups(&bot));

    // Fall back: 17:00 PST on Sun Nov 1 is 01:00 UTC; 17:00 PDT would have been 00:00.
    let bot = Bot::start_with(&["--workdays", "sun-thu"])
        .await
        .with_people()
        .with_sprints_from(date(2026, 10, 19));
    bot.tick(at("2026-10-28T18:00:00Z")).await;
    assert_eq!(bot.sync(at("2026-11-02T00:00:00Z")), 0);
    assert_eq!(bot.sync(at("2026-11-02T00:59:59Z")), 0);
    let report = bot.tick(at("2026-11-02T01:00:00Z")).await;
    assert_eq!(report.sent, 3, "{report:?}");
    expect![[r#"
        [
            "U0BOB: Heads-up: your triage duty for UI starts tomorrow at 08:00 PST (Sprint 2, until Mon Nov 16 08:00 PST).",
            "U0CAROL: Heads-up: your triage duty for Backend starts tomorrow at 08:00 PST (Sprint 2, until Mon Nov 16 08:00 PST).",
        ]
    "#]]
    .assert_debug_eq(&heads_ups(&bot));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_after_the_heads_up_time_sends_it_once() {
    let bot = Bot::start().await.with_team();
    bot.tick(mid_sprint()).await;
    // Stopped before Friday 17:00 PDT and started again at 17:20: the heads-up goes at once.
    let twenty_past = at("2026-03-21T00:20:00Z");
    let sent = run_scheduler(&bot, twenty_past, |bot| {
        heads_ups(bot).len() == 2 && bot.pending() == 0
    })
    .await;
    assert!(sent, "{:?}", bot.dms());
    // Started again at 17:40, and on Saturday: nothing more.
    for restart in ["2026-03-21T00:40:00Z", "2026-03-21T18:00:00Z"] {
        let calls = bot.emulator.calls("usergroups.list").len();
        let checked = run_scheduler(&bot, at(restart), |bot| {
            bot.emulator.calls("usergroups.list").len() > calls
        })
        .await;
        assert!(checked, "the scheduler ran a round at {restart}");
        assert_eq!(bot.pending(), 0, "{restart}");
    }
    assert_eq!(heads_ups(&bot).len(), 2, "{:?}", bot.dms());

    // Stopped after enqueueing the heads-up at 17:00 but before sending it: the restart at
    // 17:10 sends it, once.
    let bot = Bot::start().await.with_team();
    bot.tick(mid_sprint()).await;
    assert_eq!(bot.sync(heads_up()), 3);
    let sent = run_scheduler(&bot, at("2026-03-21T00:10:00Z"), |bot| {
        heads_ups(bot).len() == 2 && bot.pending() == 0
    })
    .await;
    assert!(sent, "{:?}", bot.dms());
    assert_eq!(bot.sync(at("2026-03-21T00:30:00Z")), 0);
    assert_eq!(heads_ups(&bot).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_goes_a_week_ahead_on_a_working_day_and_the_heads_up_still_follows() {
    let bot = Bot::start_with(&["--reminder-lead", "7d"])
        .await
        .with_team();
    bot.tick(mid_sprint()).await;
    // Mon Mar 16 17:00 PDT, a week before Monday's handoff.
    assert_eq!(bot.sync(at("2026-03-16T23:59:59Z")), 0);
    let report = bot.tick(at("2026-03-17T00:00:00Z")).await;
    assert_eq!(report.sent, 2, "{report:?}");
    assert_eq!(bot.sync(at("2026-03-18T00:00:00Z")), 0);
    let report = bot.tick(heads_up()).await;
    assert_eq!(report.sent, 3, "{report:?}");
    expect![[r#"
        [
            "U0BOB: Reminder: your triage duty for UI starts on Mon Mar 23 at 08:00 PDT (Sprint 2, until Mon Apr 6 08:00 PDT).",
            "U0CAROL: Reminder: your triage duty for Backend starts on Mon Mar 23 at 08:00 PDT (Sprint 2, until Mon Apr 6 08:00 PDT).",
            "U0BOB: Heads-up: your triage duty for UI starts on Mon Mar 23 at 08:00 PDT (Sprint 2, until Mon Apr 6 08:00 PDT).",
            "U0CAROL: Heads-up: your triage duty for Backend starts on Mon Mar 23 at 08:00 PDT (Sprint 2, until Mon Apr 6 08:00 PDT).",
            "U0ALICE: Your triage duty for UI and Backend ends Mon Mar 23 08:00 PDT (Sprint 1). Anything in flight that whoever takes over should know? Leave a handoff note: they get it when they take over.",
        ]
    "#]]
    .assert_debug_eq(&bot.dms());
}

/// Sprint 1 ends on a Friday and sprint 2 starts on the Monday after: the invitation to leave a
/// note comes on Friday at the heads-up time (the last working day before the duty ends on
/// Saturday), and the note left then reaches the incoming person at Monday's handoff.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_left_before_a_gap_is_handed_over_when_the_next_sprint_starts() {
    let bot = Bot::start().await.with_people();
    let t = at("2026-03-01T00:00:00Z");
    for (index, start, end) in [
        (0, date(2026, 3, 9), date(2026, 3, 20)),
        (1, date(2026, 3, 23), date(2026, 4, 5)),
    ] {
        let sprint = Sprint {
            index: SprintIndex::new(index).unwrap(),
            name: format!("Sprint {}", index + 1),
            start,
            end,
        };
        bot.store.create_sprint(&sprint, "test", t).unwrap();
    }
    bot.tick(mid_sprint()).await;
    let dms_before = bot.dms().len();
    // Thursday 17:00 PDT: nothing yet; Friday 17:00 PDT: the heads-ups and the invitation.
    assert_eq!(bot.sync(at("2026-03-20T00:00:00Z")), 0);
    bot.tick(at("2026-03-21T00:00:00Z")).await;
    bot.store
        .save_handoff_note(
            SprintIndex::new(0).unwrap(),
            &key("ui"),
            &user("U0ALICE"),
            "deploy frozen until Monday",
            at("2026-03-21T00:30:00Z"),
        )
        .unwrap();
    // Saturday 08:00 PDT: the duty ends with no sprint in force; Monday's handoff.
    bot.tick(at("2026-03-21T15:00:00Z")).await;
    bot.tick(handoff()).await;
    bot.tick(at("2026-03-23T15:10:00Z")).await;
    assert_eq!(bot.pending(), 0);
    expect![[r#"
        [
            "U0BOB: Heads-up: your triage duty for UI starts on Mon Mar 23 at 08:00 PDT (Sprint 2, until Mon Apr 6 08:00 PDT).",
            "U0CAROL: Heads-up: your triage duty for Backend starts on Mon Mar 23 at 08:00 PDT (Sprint 2, until Mon Apr 6 08:00 PDT).",
            "U0ALICE: Your triage duty for UI and Backend ends Sat Mar 21 08:00 PDT (Sprint 1). Anything in flight that whoever takes over should know? Leave a handoff note: they get it when they take over.",
            "U0ALICE: Your triage duty for UI and Backend has ended — thank you! No sprint is in force until Mon Mar 23 08:00 PDT, when Sprint 2 starts.",
            "U0BOB: You are on triage duty for UI from Mon Mar 23 to Sun Apr 5 (Sprint 2).\nHandoff note for UI from <@U0ALICE>:\n>deploy frozen until Monday",
            "U0CAROL: You are on triage duty for Backend from Mon Mar 23 to Sun Apr 5 (Sprint 2).",
        ]
    "#]]
    .assert_debug_eq(&bot.dms()[dms_before..].to_vec());
    let replies: Vec<String> = bot
        .emulator
        .workspace()
        .messages_in("C0TRIAGE")
        .iter()
        .filter(|m| m.thread_ts.is_some())
        .map(|m| m.text.clone())
        .collect();
    expect![[r#"
        [
            "Handoff note for UI from <@U0ALICE>:\n>deploy frozen until Monday",
        ]
    "#]]
    .assert_debug_eq(&replies);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handoff_notes_go_once_into_the_team_posts_thread_and_the_incoming_dms_and_stay_on_home() {
    let bot = Bot::start().await.with_team();
    bot.tick(mid_sprint()).await;
    // Alice, on duty for both disciplines in sprint 0, leaves a note for each.
    let sprint = SprintIndex::new(0).unwrap();
    for (k, text) in [
        ("ui", "deploy frozen until Friday"),
        ("backend", "db migration half done\nsee <#C0OPS>"),
    ] {
        bot.store
            .save_handoff_note(sprint, &key(k), &user("U0ALICE"), text, mid_sprint())
            .unwrap();
    }
    let dms_before = bot.dms().len();

    // The handoff is enqueued, then the process restarts before anything is delivered: the
    // next sync enqueues nothing more, and a fresh worker delivers each message once.
    assert!(bot.sync(handoff()) > 0);
    assert_eq!(bot.sync(handoff()), 0);
    bot.deliver(handoff()).await;
    bot.tick(at("2026-03-23T15:10:00Z")).await;
    assert_eq!(bot.pending(), 0);

    expect![[r#"
        [
            "U0BOB: You are on triage duty for UI from Mon Mar 23 to Sun Apr 5 (Sprint 2).\nHandoff note for UI from <@U0ALICE>:\n>deploy frozen until Friday",
            "U0CAROL: You are on triage duty for Backend from Mon Mar 23 to Sun Apr 5 (Sprint 2).\nHandoff note for Backend from <@U0ALICE>:\n>db migration half done\n>see <#C0OPS>",
            "U0ALICE: Your triage duty for UI and Backend has ended — thank you!",
        ]
    "#]]
    .assert_debug_eq(&bot.dms()[dms_before..].to_vec());
    let workspace = bot.emulator.workspace();
    let messages = workspace.messages_in("C0TRIAGE");
    let channel: Vec<String> = messages
        .iter()
        .map(|m| match &m.thread_ts {
            Some(parent) => {
                let at = messages.iter().position(|p| &p.ts == parent);
                format!("reply under #{}: {}", at.unwrap(), m.text)
            }
            None => format!(
                "#{}: {}",
                messages.iter().position(|p| p.ts == m.ts).unwrap(),
                m.text
            ),
        })
        .collect();
    expect![[r##"
        [
            "#0: Triage duty: Sprint 1 (Mon Mar 9 to Sun Mar 22). UI: <@U0ALICE>, Backend: <@U0ALICE>",
            "#1: Triage duty: Sprint 2 (Mon Mar 23 to Sun Apr 5). UI: <@U0BOB>, Backend: <@U0CAROL>",
            "reply under #1: Handoff note for UI from <@U0ALICE>:\n>deploy frozen until Friday",
            "reply under #1: Handoff note for Backend from <@U0ALICE>:\n>db migration half done\n>see <#C0OPS>",
        ]
    "##]].assert_debug_eq(&channel);

    // Home shows the notes handed over while the new sprint is in force, and not after it.
    let home_notes = |now: &str| -> Vec<String> {
        let home = home_view(&bot.store, &bot.config, &user("U0BOB"), at(now)).unwrap();
        let blocks = home["blocks"].as_array().unwrap().clone();
        let first = blocks
            .iter()
            .position(|b| b["text"]["text"] == "*Handoff notes for this sprint*");
        first.map_or_else(Vec::new, |first| {
            blocks[first..first + 3]
                .iter()
                .map(|b| b["text"]["text"].as_str().unwrap().to_string())
                .collect()
        })
    };
    expect![[r#"
        [
            "*Handoff notes for this sprint*",
            "UI from <@U0ALICE>:\n>deploy frozen until Friday",
            "Backend from <@U0ALICE>:\n>db migration half done\n>see <#C0OPS>",
        ]
    "#]]
    .assert_debug_eq(&home_notes("2026-04-05T12:00:00Z"));
    assert_eq!(home_notes("2026-04-07T12:00:00Z"), Vec::<String>::new());
}
