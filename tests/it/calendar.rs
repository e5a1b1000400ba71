//! Calendar feeds end to end: `/triage calendar` against the emulator, the feeds fetched over
//! real HTTP from the running bot, checked by an independent iCalendar parser
//! (`tests/ical/check.py`, PyPI's `icalendar`), a cover moving an event between two people's
//! feeds, a reset ending the old address, and no token left anywhere in the database. The clock
//! is pinned to Tuesday 2026-03-10 12:00 in Los Angeles, in the first of six two-week sprints.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use expect_test::{Expect, expect};
use serde_json::Value;
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use triage_bot::cli::Cli;
use triage_bot::config::Config;
use triage_bot::domain::cadence::Cadence;
use triage_bot::domain::{Sprint, SprintIndex};
use triage_bot::serve::{self, ServeError, ServeOptions};
use triage_bot::slack::emulator::Emulator;
use triage_bot::store::Store;

use super::slack::support;
use super::store::{key, now, team_store, user};
use super::tools;

const ALICE: &str = "U0ALICE";
const BOB: &str = "U0BOB";
const ERIN: &str = "U0ERIN";
const FRANK: &str = "U0FRANK";
const CAROL: &str = "U0CAROL";
const DAVE: &str = "U0DAVE";

/// The bot against the emulator with its HTTP listener on a free local port. UI: Alice, Bob,
/// Erin, Frank; Backend: Dave, Carol (an admin by the configuration).
struct Bot {
    dir: TempDir,
    store: Store,
    emulator: Emulator,
    stop: watch::Sender<bool>,
    task: JoinHandle<Result<(), ServeError>>,
    http: reqwest::Client,
}

impl Bot {
    async fn start() -> Bot {
        let (dir, store) = team_store();
        for (id, discipline, name) in [
            (ALICE, "ui", "Alice"),
            (BOB, "ui", "Bob"),
            (ERIN, "ui", "Erin"),
            (FRANK, "ui", "Frank"),
            (DAVE, "backend", "Dave"),
            (CAROL, "backend", "Carol"),
        ] {
            store
                .upsert_member(&user(id), &key(discipline), Some(name), "test", now())
                .unwrap();
        }
        let first = jiff::civil::date(2026, 3, 9);
        for index in 0..6 {
            let start = first
                .checked_add(jiff::Span::new().days(14 * index))
                .unwrap();
            let sprint = Sprint {
                index: SprintIndex::new(index).unwrap(),
                name: format!("Sprint {}", index + 1),
                start,
                end: start.checked_add(jiff::Span::new().days(13)).unwrap(),
            };
            store.create_sprint(&sprint, "test", now()).unwrap();
        }
        let db = dir.path().join("triage.db");
        let args = [
            "triage-bot",
            "--db",
            db.to_str().unwrap(),
            "--clock-start",
            "2026-03-10T12:00:00-07:00",
            "--admins",
            CAROL,
        ];
        let config = Config::from_settings(&Cli::parse_from(args).settings).unwrap();
        let emulator = support::emulator().await;
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let options = ServeOptions {
            http: Some(listener),
            notifications: false,
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
            dir,
            store,
            emulator,
            stop,
            task,
            http: reqwest::Client::new(),
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

    /// The text of `/triage <text>`'s ephemeral reply, run as `user`.
    async fn say(&self, user: &str, text: &str) -> String {
        let sent = self
            .emulator
            .send_slash_command(user, "C0TRIAGE", "/triage", text);
        let id = sent.envelope_id;
        assert!(
            self.emulator
                .wait_until(Duration::from_secs(5), |e| e.ack_of(&id).is_some())
                .await,
            "no ack"
        );
        let payload = self.emulator.ack_of(&id).unwrap().payload.unwrap();
        assert_eq!(payload["response_type"], "ephemeral");
        payload["text"].as_str().unwrap().to_string()
    }

    /// The feed address in the reply to `/triage <text>`.
    async fn feed_url(&self, user: &str, text: &str) -> String {
        url_in(&self.say(user, text).await)
    }

    async fn fetch(&self, url: &str) -> (u16, String) {
        let response = self.http.get(url).send().await.unwrap();
        let status = response.status().as_u16();
        if status == 200 {
            let kind = response.headers()[reqwest::header::CONTENT_TYPE].clone();
            assert_eq!(kind, "text/calendar; charset=utf-8");
        }
        (status, response.text().await.unwrap())
    }

    /// The feed at `url`, which must answer 200.
    async fn feed(&self, url: &str) -> String {
        let (status, body) = self.fetch(url).await;
        assert_eq!(status, 200, "{url}: {body}");
        body
    }
}

/// The address between backticks in a reply.
fn url_in(reply: &str) -> String {
    let start = reply.find("`http").expect("an address in the reply") + 1;
    let end = start + reply[start..].find('`').unwrap();
    reply[start..end].to_string()
}

/// The UIDs of a feed, in order.
fn uids(feed: &str) -> Vec<String> {
    feed.lines()
        .filter_map(|line| line.strip_prefix("UID:"))
        .map(|uid| uid.trim_end().to_string())
        .collect()
}

/// Runs `tests/ical/check.py` on `feeds` (written to files by these names) and returns its
/// JSON summary; `None` when Python or `icalendar` is missing and the test may be skipped.
fn parsed(feeds: &[(&str, &str)]) -> Option<Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ical/check.py");
    let has_parser = || {
        std::process::Command::new("python3")
            .args(["-c", "import icalendar"])
            .output()
            .is_ok_and(|output| output.status.success())
    };
    let what = "python3 with icalendar (python3 -m pip install icalendar)";
    if !tools::available(what, has_parser) {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in feeds {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let output = std::process::Command::new("python3")
        .arg(&script)
        .args(feeds.iter().map(|(name, _)| name))
        .current_dir(dir.path())
        .output()
        .unwrap();
    let errors = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "check.py found problems:\n{errors}"
    );
    Some(serde_json::from_slice(&output.stdout).unwrap())
}

/// The events of `file` in the parser's summary, one line each.
#[track_caller]
fn check_events(summary: &Value, file: &str, expected: Expect) {
    let lines: Vec<String> = summary[file]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let description = e["description"].as_str().map(|d| format!(" ({d})"));
            format!(
                "{} {}..{} {}{}",
                e["uid"].as_str().unwrap(),
                e["dtstart"].as_str().unwrap(),
                e["dtend"].as_str().unwrap(),
                e["summary"].as_str().unwrap(),
                description.unwrap_or_default()
            )
        })
        .collect();
    expected.assert_eq(&(lines.join("\n") + "\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_follow_the_rotation_and_covers_and_keep_no_token() {
    let bot = Bot::start().await;
    let alice_url = bot.feed_url(ALICE, "calendar").await;
    assert!(alice_url.starts_with("http://127.0.0.1:"), "{alice_url}");
    assert!(alice_url.ends_with(".ics"));
    let asked_again = bot.say(ALICE, "calendar").await;
    expect![[r#"Your calendar feed exists since Tue Mar 10. Its address was shown once, when it was made, and is not kept. `/triage calendar reset` makes a new address and ends the old one."#]]
        .assert_eq(&asked_again);
    let team_url = bot.feed_url(BOB, "calendar team").await;
    let erin_url = bot.feed_url(ERIN, "calendar").await;

    // Two fetches list the same events under the same UIDs.
    let alice = bot.feed(&alice_url).await;
    let team = bot.feed(&team_url).await;
    assert_eq!(uids(&bot.feed(&alice_url).await), uids(&alice));
    assert_eq!(uids(&bot.feed(&team_url).await), uids(&team));
    // One event per duty: two disciplines in six sprints.
    assert_eq!(uids(&team).len(), 12);

    if let Some(summary) = parsed(&[("alice.ics", &alice), ("team.ics", &team)]) {
        check_events(
            &summary,
            "alice.ics",
            expect![[r#"
                sprint-0-ui-U0ALICE@triage-bot 2026-03-09..2026-03-23 Triage: UI — Sprint 1
                sprint-4-ui-U0ALICE@triage-bot 2026-05-04..2026-05-18 Triage: UI — Sprint 5
            "#]],
        );
        check_events(
            &summary,
            "team.ics",
            expect![[r#"
                sprint-0-backend@triage-bot 2026-03-09..2026-03-23 Triage: Backend — Sprint 1 — Dave
                sprint-0-ui@triage-bot 2026-03-09..2026-03-23 Triage: UI — Sprint 1 — Alice
                sprint-1-backend@triage-bot 2026-03-23..2026-04-06 Triage: Backend — Sprint 2 — Carol
                sprint-1-ui@triage-bot 2026-03-23..2026-04-06 Triage: UI — Sprint 2 — Bob
                sprint-2-backend@triage-bot 2026-04-06..2026-04-20 Triage: Backend — Sprint 3 — Dave
                sprint-2-ui@triage-bot 2026-04-06..2026-04-20 Triage: UI — Sprint 3 — Erin
                sprint-3-backend@triage-bot 2026-04-20..2026-05-04 Triage: Backend — Sprint 4 — Carol
                sprint-3-ui@triage-bot 2026-04-20..2026-05-04 Triage: UI — Sprint 4 — Frank
                sprint-4-backend@triage-bot 2026-05-04..2026-05-18 Triage: Backend — Sprint 5 — Dave
                sprint-4-ui@triage-bot 2026-05-04..2026-05-18 Triage: UI — Sprint 5 — Alice
                sprint-5-backend@triage-bot 2026-05-18..2026-06-01 Triage: Backend — Sprint 6 — Carol
                sprint-5-ui@triage-bot 2026-05-18..2026-06-01 Triage: UI — Sprint 6 — Bob
            "#]],
        );
    }

    // Erin covers Alice's Sprint 5: the event leaves Alice's feed and appears in Erin's.
    bot.say(ALICE, "cover 5 <@U0ERIN|erin> travel").await;
    bot.say(ERIN, "accept 1").await;
    let approved = bot.say(CAROL, "approve 1").await;
    assert!(approved.contains("is now approved"), "{approved}");
    let alice = bot.feed(&alice_url).await;
    let erin = bot.feed(&erin_url).await;
    let team_after = bot.feed(&team_url).await;
    assert_eq!(uids(&team_after), uids(&team));
    if let Some(summary) = parsed(&[
        ("alice.ics", &alice),
        ("erin.ics", &erin),
        ("team.ics", &team_after),
    ]) {
        check_events(
            &summary,
            "alice.ics",
            expect![[r#"
                sprint-0-ui-U0ALICE@triage-bot 2026-03-09..2026-03-23 Triage: UI — Sprint 1
            "#]],
        );
        check_events(
            &summary,
            "erin.ics",
            expect![[r#"
                sprint-2-ui-U0ERIN@triage-bot 2026-04-06..2026-04-20 Triage: UI — Sprint 3
                sprint-4-ui-U0ERIN@triage-bot 2026-05-04..2026-05-18 Triage: UI — Sprint 5 (covering for Alice)
            "#]],
        );
        let sprint_5: Vec<&Value> = summary["team.ics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["uid"] == "sprint-4-ui@triage-bot")
            .collect();
        assert_eq!(sprint_5.len(), 1);
        assert_eq!(
            sprint_5[0]["summary"], "Triage: UI — Sprint 5 — Erin",
            "{sprint_5:?}"
        );
    }

    // A reset ends the old address at once.
    let new_url = bot.feed_url(ALICE, "calendar reset").await;
    assert_ne!(new_url, alice_url);
    assert_eq!(
        bot.fetch(&alice_url).await,
        (404, "no such calendar feed\n".to_string())
    );
    assert_eq!(uids(&bot.feed(&new_url).await), uids(&alice));

    // No address, and no token, is kept anywhere in the database's files.
    let tokens: Vec<String> = [&alice_url, &new_url, &team_url, &erin_url]
        .iter()
        .map(|url| {
            let file = url.rsplit('/').next().unwrap();
            file.trim_end_matches(".ics").to_string()
        })
        .collect();
    assert_no_token_stored(&bot, &tokens);
    bot.stop().await;
}

/// Neither any table's text nor the database's files (WAL included) hold one of `tokens`.
fn assert_no_token_stored(bot: &Bot, tokens: &[String]) {
    let conn = rusqlite::Connection::open(bot.dir.path().join("triage.db")).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(tables.contains(&"outbox".to_string()), "{tables:?}");
    for table in &tables {
        let mut statement = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let columns = statement.column_count();
        let mut rows = statement.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for column in 0..columns {
                let value: rusqlite::types::Value = row.get(column).unwrap();
                let text = match value {
                    rusqlite::types::Value::Text(text) => text,
                    rusqlite::types::Value::Blob(bytes) => {
                        String::from_utf8_lossy(&bytes).into_owned()
                    }
                    _ => continue,
                };
                for token in tokens {
                    assert!(!text.contains(token.as_str()), "{table} holds a token");
                }
            }
        }
    }
    for entry in std::fs::read_dir(bot.dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for token in tokens {
            assert!(
                !text.contains(token.as_str()),
                "a database file holds a token"
            );
        }
    }
    let audit: Vec<String> = bot
        .store
        .audit(50)
        .unwrap()
        .into_iter()
        .filter(|e| e.entity == "calendar_feed")
        .map(|e| format!("{} {} {}", e.actor, e.action, e.entity_id))
        .collect();
    expect![[r#"
        U0ALICE calendar_feed.reset U0ALICE
        U0ERIN calendar_feed.create U0ERIN
        U0BOB calendar_feed.create team
        U0ALICE calendar_feed.create U0ALICE"#]]
    .assert_eq(&audit.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_a_clear_answer_and_change_nothing() {
    let bot = Bot::start().await;
    let url = bot.feed_url(ALICE, "calendar").await;
    let base = url.split("/ical/").next().unwrap().to_string();
    // The first fetch records the rotation's turns of the sprint in force, as `who` would.
    bot.feed(&url).await;
    let audit_before = bot.store.audit_count().unwrap();

    // Malformed and unknown tokens: 404 with a plain body.
    let unknown = format!("{base}/ical/{}.ics", "A".repeat(43));
    for path in [
        unknown.as_str(),
        &format!("{base}/ical/short.ics"),
        url.trim_end_matches(".ics"),
        &format!("{url}x"),
        &format!("{base}/ical/..%2f..%2fetc%2fpasswd.ics"),
    ] {
        assert_eq!(
            bot.fetch(path).await,
            (404, "no such calendar feed\n".to_string()),
            "{path}"
        );
    }
    // Only GET and HEAD.
    let head = bot.http.head(&url).send().await.unwrap();
    assert_eq!(head.status().as_u16(), 200);
    for method in [
        reqwest::Method::POST,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
    ] {
        let response = bot.http.request(method, &url).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 405);
    }
    assert!(bot.feed(&url).await.starts_with("BEGIN:VCALENDAR\r\n"));

    // Someone in no rotation, a malformed command, and a reset of the team's feed by a
    // member who is no admin.
    expect![[r#"you are in no rotation, so there are no duties of yours to put in a calendar; `/triage calendar team` gives the team's"#]]
        .assert_eq(&bot.say("U0STRANGER", "calendar").await);
    expect![[r#"
        `calendar` takes `team` and `reset`, not `now`
        Usage: `/triage calendar [team] [reset]`"#]]
    .assert_eq(&bot.say(ALICE, "calendar now").await);
    expect!["only admins can reset the team's calendar address"]
        .assert_eq(&bot.say(ALICE, "calendar team reset").await);
    let refused: Vec<String> = bot
        .store
        .audit(5)
        .unwrap()
        .into_iter()
        .map(|e| format!("{} {} {}", e.actor, e.action, e.entity_id))
        .collect();
    assert_eq!(refused[0], "U0ALICE calendar_feed.reset.refused team");
    assert_eq!(bot.store.audit_count().unwrap(), audit_before + 1);
    assert_eq!(
        bot.fetch(&url).await.0,
        200,
        "the refusals left the feed alone"
    );
    // An admin may reset the team's feed, made on the spot.
    let team = bot.feed_url(CAROL, "calendar team reset").await;
    assert_eq!(bot.fetch(&team).await.0, 200);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_cadence_the_feed_reaches_a_year_ahead() {
    let bot = Bot::start().await;
    let team = triage_bot::config::Config::from_settings(&Cli::parse_from(["triage-bot"]).settings)
        .unwrap()
        .team();
    let cadence = Cadence {
        start: jiff::civil::date(2026, 3, 9),
        days: 14,
        name_pattern: "Sprint {n}".into(),
        horizon_days: 84,
    };
    bot.store
        .set_cadence(&cadence, &team, "test", now())
        .unwrap();
    let url = bot.feed_url(CAROL, "calendar team").await;
    let feed = bot.feed(&url).await;
    let last_end = feed
        .lines()
        .filter_map(|line| line.strip_prefix("DTEND;VALUE=DATE:"))
        .max()
        .unwrap()
        .to_string();
    // The plan reaches twelve weeks ahead; the feed adds the cadence's sprints to a year.
    assert!(bot.store.sprints().unwrap().len() < 10);
    assert!(last_end.as_str() >= "20270311", "{last_end}");
    assert_eq!(uids(&feed).len() % 2, 0);
    if let Some(summary) = parsed(&[("team.ics", &feed)]) {
        assert_eq!(
            summary["team.ics"].as_array().unwrap().len(),
            uids(&feed).len()
        );
    }
    bot.stop().await;
}

#[test]
fn the_command_line_prints_an_address_once() {
    use super::cli::{stderr, stdout, triage};
    let (dir, store) = team_store();
    drop(store);
    let d = dir.path();
    let calendar = |public: bool, args: &[&str]| {
        let mut all = vec![];
        if public {
            all.extend(["--public-url", "https://triage.example.com/"]);
        }
        all.push("calendar");
        all.extend(args);
        triage(d, &all)
    };
    // No address to give without a listener or a public URL.
    let output = calendar(false, &["team"]);
    assert_eq!(output.status.code(), Some(2));
    expect![[r#"
        error: calendar feeds need the HTTP listener: an admin must set TRIAGE_HTTP_ADDR
    "#]]
    .assert_eq(&stderr(&output));
    let output = calendar(true, &["nobody"]);
    assert_eq!(output.status.code(), Some(2));
    expect![[r#"
        error: expected a Slack user id (U…) or `team`, not `nobody`
    "#]]
    .assert_eq(&stderr(&output));

    let first = stdout(&calendar(true, &["team"]));
    let token = first
        .trim_end()
        .strip_prefix("https://triage.example.com/ical/")
        .and_then(|rest| rest.strip_suffix(".ics"))
        .unwrap_or_else(|| panic!("{first}"));
    assert_eq!(token.len(), 43);
    let again = calendar(true, &["team", "--by", "U0CAROL"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(!stdout(&again).contains("https://"), "{}", stdout(&again));
    assert!(stdout(&again).contains("exists since"));
    let reset = stdout(&calendar(true, &["team", "--reset"]));
    assert!(reset.starts_with("https://triage.example.com/ical/"));
    assert_ne!(reset, first);
}
