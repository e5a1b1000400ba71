//! Change-impact notices end to end: admin changes made as Slack makes them (`admin::run` at
//! pinned instants), the window closed by `bot::impact::close_due` as the scheduler closes it,
//! and the DMs delivered to the emulator by the outbox worker. The command line's `--dry-run`
//! runs the real binary.
//!
//! The team: UI is Alice, Bob and Carol; Backend is Dave and Erin. Ten two-week sprints from Mon
//! Mar 9 2026; the clock starts on Tue Mar 10 12:00 PDT, in Sprint 1 (index 0), so the next
//! eight sprints are indexes 1 to 8. Backend's rotation: Dave, Erin, Dave, … from Sprint 1.

use std::collections::BTreeMap;
use std::sync::Arc;

use clap::Parser;
use expect_test::expect;
use jiff::{SignedDuration, Timestamp};
use tempfile::TempDir;
use triage_bot::bot::coverage::{self as bot_coverage, Via};
use triage_bot::bot::worker::Worker;
use triage_bot::bot::{Context, admin, command::Command, impact};
use triage_bot::cli::Cli;
use triage_bot::config::Config;
use triage_bot::domain::request::Action;
use triage_bot::domain::{CoverageRequest, Sprint, SprintIndex};
use triage_bot::slack::emulator::Emulator;
use triage_bot::slack::emulator::workspace::User;
use triage_bot::store::Store;

use super::commands::Team;
use super::slack::support;
use super::store::{key, open_store, team_store, user};

const ADMIN: &str = "U0ADMIN";

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

/// Tue Mar 10 12:00 PDT, in the first sprint.
fn t0() -> Timestamp {
    at("2026-03-10T19:00:00Z")
}

fn after(minutes: i64) -> Timestamp {
    t0().checked_add(SignedDuration::from_mins(minutes))
        .unwrap()
}

struct World {
    dir: TempDir,
    store: Store,
    config: Arc<Config>,
    emulator: Emulator,
}

impl World {
    async fn new() -> World {
        let (dir, store) = team_store();
        let t = at("2026-03-01T00:00:00Z");
        for (id, discipline, name) in [
            ("U0ALICE", "ui", "Alice"),
            ("U0BOB", "ui", "Bob"),
            ("U0CAROL", "ui", "Carol"),
            ("U0DAVE", "backend", "Dave"),
            ("U0ERIN", "backend", "Erin"),
        ] {
            store
                .upsert_member(&user(id), &key(discipline), Some(name), "test", t)
                .unwrap();
        }
        for index in 0..10 {
            let start = jiff::civil::date(2026, 3, 9)
                .checked_add(jiff::Span::new().days(14 * index))
                .unwrap();
            let sprint = Sprint {
                index: SprintIndex::new(index).unwrap(),
                name: format!("Sprint {}", index + 1),
                start,
                end: start.checked_add(jiff::Span::new().days(13)).unwrap(),
            };
            store.create_sprint(&sprint, "test", t).unwrap();
        }
        store.add_admin(&user(ADMIN), "test", t).unwrap();
        let db = dir.path().join("triage.db");
        let args = ["triage-bot", "--db", db.to_str().unwrap()];
        let config = Config::from_settings(&Cli::parse_from(args).settings).unwrap();
        let emulator = support::emulator().await;
        emulator.edit_workspace(|w| {
            for (id, name) in [
                ("U0ERIN", "erin"),
                ("U0FRANK", "frank"),
                ("U0ADMIN", "admin"),
            ] {
                w.users.push(User {
                    id: id.to_string(),
                    name: name.to_string(),
                    real_name: name.to_string(),
                    tz: "America/Los_Angeles".to_string(),
                });
            }
        });
        World {
            dir,
            store,
            config: Arc::new(config),
            emulator,
        }
    }

    fn ctx<'a>(&'a self, user: &'a triage_bot::domain::SlackUserId, now: Timestamp) -> Context<'a> {
        Context {
            store: &self.store,
            config: &self.config,
            user,
            now,
        }
    }

    /// Runs an admin command as the admin at `now`; the reply's text.
    fn admin(&self, now: Timestamp, command: Command) -> String {
        let admin = user(ADMIN);
        admin::run(self.ctx(&admin, now), command).unwrap().text
    }

    fn add(&self, now: Timestamp, who: &str, discipline: &str, name: &str) -> String {
        self.admin(
            now,
            Command::MemberAdd {
                user: user(who),
                discipline: key(discipline),
                name: Some(name.to_string()),
            },
        )
    }

    fn remove(&self, now: Timestamp, who: &str, discipline: &str) -> String {
        self.admin(
            now,
            Command::MemberRemove {
                user: user(who),
                discipline: key(discipline),
            },
        )
    }

    fn move_to(&self, now: Timestamp, who: &str, discipline: &str, position: usize) -> String {
        self.admin(
            now,
            Command::MemberMove {
                user: user(who),
                discipline: key(discipline),
                position,
            },
        )
    }

    /// Closes the window if its time is up at `now` and delivers what is due; how many change
    /// notices were enqueued.
    async fn round(&self, now: Timestamp) -> usize {
        let enqueued = impact::close_due(&self.store, &self.config, now).unwrap();
        let worker = Worker::new(
            self.store.clone(),
            self.config.clone(),
            support::api(&self.emulator),
            None,
            None,
        );
        worker.deliver_due(now).await.unwrap();
        enqueued
    }

    /// Every DM delivered, as "user: text", in the order sent.
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

    /// How many DMs each person got.
    fn dm_counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for dm in self.dms() {
            let person = dm.split(':').next().unwrap().to_string();
            *counts.entry(person).or_default() += 1;
        }
        counts
    }
}

fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(p, n)| (p.to_string(), *n)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_roster_change_dms_each_moved_person_once_when_the_window_closes() {
    let world = World::new().await;
    expect![[r#"
        <@U0FRANK> added to *Backend* (position 3)
        This moves the duties of 3 people over the next 8 sprints: <@U0DAVE>, <@U0ERIN>, <@U0FRANK>. They get one DM each with the net change of the edits made within 10 minutes."#]]
    .assert_eq(&world.add(t0(), "U0FRANK", "backend", "Frank"));
    // Nothing before the window closes.
    assert_eq!(world.round(after(9)).await, 0);
    assert_eq!(world.dms(), Vec::<String>::new());
    assert_eq!(world.round(after(10)).await, 3);
    expect![[r#"
        [
            "U0DAVE: Your triage duties changed (over the next 8 sprints): you had Backend in Sprint 3 (Mon Apr 6 to Sun Apr 19), Sprint 5 (Mon May 4 to Sun May 17) and Sprint 9 (Mon Jun 29 to Sun Jul 12); you now have Backend in Sprint 4 (Mon Apr 20 to Sun May 3). Unchanged: Backend in Sprint 7 (Mon Jun 1 to Sun Jun 14).",
            "U0ERIN: Your triage duties changed (over the next 8 sprints): you had Backend in Sprint 4 (Mon Apr 20 to Sun May 3) and Sprint 6 (Mon May 18 to Sun May 31); you now have Backend in Sprint 5 (Mon May 4 to Sun May 17). Unchanged: Backend in Sprint 2 (Mon Mar 23 to Sun Apr 5) and Sprint 8 (Mon Jun 15 to Sun Jun 28).",
            "U0FRANK: Your triage duties changed (over the next 8 sprints): you now have Backend in Sprint 3 (Mon Apr 6 to Sun Apr 19), Sprint 6 (Mon May 18 to Sun May 31) and Sprint 9 (Mon Jun 29 to Sun Jul 12).",
        ]
    "#]]
    .assert_debug_eq(&world.dms());
    // The UI people's duties did not change: they hear nothing. Closing again sends nothing.
    assert_eq!(world.round(after(30)).await, 0);
    assert_eq!(
        world.dm_counts(),
        counts(&[("U0DAVE", 1), ("U0ERIN", 1), ("U0FRANK", 1)])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_undone_within_the_window_sends_nothing() {
    let world = World::new().await;
    world.move_to(t0(), "U0CAROL", "ui", 2);
    world.move_to(after(4), "U0CAROL", "ui", 3);
    world.add(after(6), "U0FRANK", "backend", "Frank");
    expect![[r#"
        <@U0FRANK> taken out of the rotation of *Backend*
        This moves the duties of 3 people over the next 8 sprints: <@U0DAVE>, <@U0ERIN>, <@U0FRANK>. They get one DM each with the net change of the edits made within 10 minutes."#]].assert_eq(&world.remove(after(8), "U0FRANK", "backend"));
    assert_eq!(world.round(after(10)).await, 0);
    assert_eq!(world.dms(), Vec::<String>::new());
    // The window closed, told nobody, and the next change opens a new one.
    assert!(world.store.open_impact_window().unwrap().is_none());
    world.move_to(after(20), "U0BOB", "ui", 1);
    assert_eq!(world.round(after(29)).await, 0);
    assert_eq!(world.round(after(30)).await, 2);
    let keys: Vec<String> = world
        .store
        .outbox_rows("impact:")
        .unwrap()
        .iter()
        .map(|row| row.key.clone())
        .collect();
    expect![[r#"
        [
            "impact:2:U0BOB",
            "impact:2:U0CAROL",
        ]
    "#]]
    .assert_debug_eq(&keys);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_edits_in_a_window_send_one_message_each_with_the_net_effect() {
    let world = World::new().await;
    world.add(t0(), "U0FRANK", "backend", "Frank");
    let shifted = world.admin(
        after(3),
        Command::SprintShift {
            sprint: "7".to_string(),
            days: 1,
        },
    );
    expect![[r#"
        Moved 4 sprint(s) by 1 day(s):
        • *Sprint 7*: Tue Jun 2 to Mon Jun 15
        • *Sprint 8*: Tue Jun 16 to Mon Jun 29
        • *Sprint 9*: Tue Jun 30 to Mon Jul 13
        • *Sprint 10*: Tue Jul 14 to Mon Jul 27
        This moves the duties of 6 people over the next 8 sprints: <@U0ALICE>, <@U0BOB>, <@U0CAROL>, <@U0DAVE>, <@U0ERIN>, <@U0FRANK>. They get one DM each with the net change of the edits made within 10 minutes."#]].assert_eq(&shifted);
    world.move_to(after(5), "U0ALICE", "ui", 3);
    world.round(after(10)).await;
    expect![[r#"
        [
            "U0ALICE: Your triage duties changed (over the next 8 sprints): you had UI in Sprint 7 (Mon Jun 1 to Sun Jun 14); you now have UI in Sprint 7 (Tue Jun 2 to Mon Jun 15). Unchanged: UI in Sprint 4 (Mon Apr 20 to Sun May 3).",
            "U0BOB: Your triage duties changed (over the next 8 sprints): you had UI in Sprint 8 (Mon Jun 15 to Sun Jun 28); you now have UI in Sprint 8 (Tue Jun 16 to Mon Jun 29). Unchanged: UI in Sprint 2 (Mon Mar 23 to Sun Apr 5) and Sprint 5 (Mon May 4 to Sun May 17).",
            "U0CAROL: Your triage duties changed (over the next 8 sprints): you had UI in Sprint 9 (Mon Jun 29 to Sun Jul 12); you now have UI in Sprint 9 (Tue Jun 30 to Mon Jul 13). Unchanged: UI in Sprint 3 (Mon Apr 6 to Sun Apr 19) and Sprint 6 (Mon May 18 to Sun May 31).",
            "U0DAVE: Your triage duties changed (over the next 8 sprints): you had Backend in Sprint 3 (Mon Apr 6 to Sun Apr 19), Sprint 5 (Mon May 4 to Sun May 17), Sprint 7 (Mon Jun 1 to Sun Jun 14) and Sprint 9 (Mon Jun 29 to Sun Jul 12); you now have Backend in Sprint 4 (Mon Apr 20 to Sun May 3) and Sprint 7 (Tue Jun 2 to Mon Jun 15).",
            "U0ERIN: Your triage duties changed (over the next 8 sprints): you had Backend in Sprint 4 (Mon Apr 20 to Sun May 3), Sprint 6 (Mon May 18 to Sun May 31) and Sprint 8 (Mon Jun 15 to Sun Jun 28); you now have Backend in Sprint 5 (Mon May 4 to Sun May 17) and Sprint 8 (Tue Jun 16 to Mon Jun 29). Unchanged: Backend in Sprint 2 (Mon Mar 23 to Sun Apr 5).",
            "U0FRANK: Your triage duties changed (over the next 8 sprints): you now have Backend in Sprint 3 (Mon Apr 6 to Sun Apr 19), Sprint 6 (Mon May 18 to Sun May 31) and Sprint 9 (Tue Jun 30 to Mon Jul 13).",
        ]
    "#]].assert_debug_eq(&world.dms());
    assert!(
        world.dm_counts().values().all(|n| *n == 1),
        "{:?}",
        world.dm_counts()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_during_the_window_neither_repeats_nor_loses_a_notice() {
    let mut world = World::new().await;
    world.add(t0(), "U0FRANK", "backend", "Frank");
    // The bot restarts during the window: the window and its baseline are in the database.
    world.store = open_store(&world.dir);
    assert_eq!(world.round(after(5)).await, 0);
    // It closes the window, then dies before delivering.
    assert_eq!(
        impact::close_due(&world.store, &world.config, after(10)).unwrap(),
        3
    );
    world.store = open_store(&world.dir);
    // After the restart: nothing is enqueued twice, and what was enqueued is delivered once.
    assert_eq!(world.round(after(11)).await, 0);
    assert_eq!(world.round(after(40)).await, 0);
    assert_eq!(
        world.dm_counts(),
        counts(&[("U0DAVE", 1), ("U0ERIN", 1), ("U0FRANK", 1)])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cover_decided_in_the_window_is_not_told_again() {
    let world = World::new().await;
    // A roster change opens the window...
    world.add(t0(), "U0FRANK", "backend", "Frank");
    // ...then Bob (UI in Sprint 2) gets Carol to cover it, approved by the admin.
    let (bob, carol, admin) = (user("U0BOB"), user("U0CAROL"), user(ADMIN));
    let request = CoverageRequest {
        sprint: SprintIndex::new(1).unwrap(),
        discipline: key("ui"),
        replacement: carol.clone(),
        requester: bob.clone(),
    };
    bot_coverage::file(world.ctx(&bob, after(2)), &request, None, Via::Command).unwrap();
    bot_coverage::decide_outcome(world.ctx(&carol, after(3)), 1, Action::Accept, None).unwrap();
    let approved =
        bot_coverage::decide_outcome(world.ctx(&admin, after(4)), 1, Action::Approve, None)
            .unwrap();
    assert!(approved.duty_moved());
    world.round(after(5)).await;
    let decision_dms = world.dm_counts();
    assert_eq!(world.round(after(10)).await, 3);
    // Bob and Carol heard of the cover from the decision, once each, and nothing more.
    let mut expected = decision_dms.clone();
    for person in ["U0DAVE", "U0ERIN", "U0FRANK"] {
        *expected.entry(person.to_string()).or_default() += 1;
    }
    assert_eq!(world.dm_counts(), expected);
    expect![[r#"
        {
            "U0BOB": 2,
            "U0CAROL": 2,
        }
    "#]]
    .assert_debug_eq(&decision_dms);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whoever_loses_a_sprint_that_starts_during_the_window_still_hears() {
    let world = World::new().await;
    // Mon Mar 23 07:55 PDT, five minutes before Sprint 2 (Erin's) starts: Erin leaves Backend.
    let monday = at("2026-03-23T14:55:00Z");
    world.remove(monday, "U0ERIN", "backend");
    let later = monday.checked_add(SignedDuration::from_mins(10)).unwrap();
    assert_eq!(world.round(later).await, 2);
    // Dave took Sprint 2 over at the handoff (which told him); Erin hears she lost it.
    expect![[r#"
        [
            "U0DAVE: Your triage duties changed (over the next 8 sprints): you now also have Backend in Sprint 2 (Mon Mar 23 to Sun Apr 5), Sprint 4 (Mon Apr 20 to Sun May 3), Sprint 6 (Mon May 18 to Sun May 31) and Sprint 8 (Mon Jun 15 to Sun Jun 28). Unchanged: Backend in Sprint 3 (Mon Apr 6 to Sun Apr 19), Sprint 5 (Mon May 4 to Sun May 17), Sprint 7 (Mon Jun 1 to Sun Jun 14) and Sprint 9 (Mon Jun 29 to Sun Jul 12).",
            "U0ERIN: Your triage duties changed (over the next 8 sprints): you no longer have Backend in Sprint 2 (Mon Mar 23 to Sun Apr 5), Sprint 4 (Mon Apr 20 to Sun May 3), Sprint 6 (Mon May 18 to Sun May 31) and Sprint 8 (Mon Jun 15 to Sun Jun 28).",
        ]
    "#]].assert_debug_eq(&world.dms());
}

/// Every table's rows, as text: to prove a dry run changed nothing at all.
fn dump(team: &Team) -> String {
    let conn = rusqlite::Connection::open(team.dir.path().join("triage.db")).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = String::new();
    for table in tables {
        let mut statement = conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY rowid"))
            .unwrap();
        let columns = statement.column_count();
        let rows: Vec<String> = statement
            .query_map([], |row| {
                let values: Vec<String> = (0..columns)
                    .map(|i| format!("{:?}", row.get_ref(i).unwrap()))
                    .collect();
                Ok(values.join("|"))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        out.push_str(&format!("{table}: {}\n", rows.join("; ")));
    }
    out
}

#[test]
fn dry_run_prints_whose_duties_would_move_and_changes_nothing() {
    let team = Team::standard();
    let before = dump(&team);
    expect![[r#"
        dry run: nothing was changed; the change would do this:
          Eli (UUI5) added to ui (position 5)
        this would move the duties of 3 people over the next 8 sprints: Ana (UUI1), Ben (UUI2), Eli (UUI5)
          Ana (UUI1)
            had: UI Engineering in Sprint 5 (2026-04-27 to 2026-05-10)
            now: UI Engineering in Sprint 6 (2026-05-11 to 2026-05-24)
          Ben (UUI2)
            had: UI Engineering in Sprint 2 (2026-03-16 to 2026-03-29), UI Engineering in Sprint 6 (2026-05-11 to 2026-05-24)
            now: UI Engineering in Sprint 2 (2026-03-16 to 2026-03-29)
          Eli (UUI5)
            had: no triage duty
            now: UI Engineering in Sprint 5 (2026-04-27 to 2026-05-10)
    "#]].assert_eq(&team.ok(&["member", "add", "UUI5", "ui", "--name", "Eli", "--dry-run"]));
    expect![[r#"
        dry run: nothing was changed; the change would do this:
          Ben (UUI2) taken out of the rotation of ui (position 2)
        this would move the duties of 4 people over the next 8 sprints: Ana (UUI1), Ben (UUI2), Cy (UUI3), Di (UUI4)
          Ana (UUI1)
            had: UI Engineering in Sprint 5 (2026-04-27 to 2026-05-10)
            now: UI Engineering in Sprint 4 (2026-04-13 to 2026-04-26)
          Ben (UUI2)
            had: UI Engineering in Sprint 2 (2026-03-16 to 2026-03-29), UI Engineering in Sprint 6 (2026-05-11 to 2026-05-24)
            now: no triage duty
          Cy (UUI3)
            had: UI Engineering in Sprint 3 (2026-03-30 to 2026-04-12)
            now: UI Engineering in Sprint 2 (2026-03-16 to 2026-03-29), UI Engineering in Sprint 5 (2026-04-27 to 2026-05-10)
          Di (UUI4)
            had: UI Engineering in Sprint 4 (2026-04-13 to 2026-04-26)
            now: UI Engineering in Sprint 3 (2026-03-30 to 2026-04-12), UI Engineering in Sprint 6 (2026-05-11 to 2026-05-24)
    "#]].assert_eq(&team.ok(&["member", "remove", "UUI2", "ui", "--dry-run"]));
    expect![[r#"
        dry run: nothing was changed; the change would do this:
          Di (UUI4) moved in ui (position 1)
        this would move nobody's duties over the next 8 sprints
    "#]]
    .assert_eq(&team.ok(&["member", "move", "UUI4", "ui", "--to", "1", "--dry-run"]));
    expect![[r#"
        dry run: nothing was changed; the change would do this:
          "Sprint 4" from 2026-04-13 to 2026-04-25
        this would move the duties of 3 people over the next 8 sprints: Di (UUI4), Hal (UBACKEND4), Lu (UPO4)
          Di (UUI4)
            had: UI Engineering in Sprint 4 (2026-04-13 to 2026-04-26)
            now: UI Engineering in Sprint 4 (2026-04-13 to 2026-04-25)
          Hal (UBACKEND4)
            had: Backend in Sprint 4 (2026-04-13 to 2026-04-26)
            now: Backend in Sprint 4 (2026-04-13 to 2026-04-25)
          Lu (UPO4)
            had: Product Owner in Sprint 4 (2026-04-13 to 2026-04-26)
            now: Product Owner in Sprint 4 (2026-04-13 to 2026-04-25)
    "#]].assert_eq(&team.ok(&["sprint", "edit", "4", "--end", "2026-04-25", "--dry-run"]));
    expect![[r#"
        dry run: nothing was changed; the change would do this:
          moved "Sprint 5" from 2026-04-30 to 2026-05-13
          moved "Sprint 6" from 2026-05-14 to 2026-05-27
        this would move the duties of 6 people over the next 8 sprints: Ana (UUI1), Ben (UUI2), Eve (UBACKEND1), Fay (UBACKEND2), Ivy (UPO1), Jo (UPO2)
          Ana (UUI1)
            had: UI Engineering in Sprint 5 (2026-04-27 to 2026-05-10)
            now: UI Engineering in Sprint 5 (2026-04-30 to 2026-05-13)
          Ben (UUI2)
            had: UI Engineering in Sprint 2 (2026-03-16 to 2026-03-29), UI Engineering in Sprint 6 (2026-05-11 to 2026-05-24)
            now: UI Engineering in Sprint 2 (2026-03-16 to 2026-03-29), UI Engineering in Sprint 6 (2026-05-14 to 2026-05-27)
          Eve (UBACKEND1)
            had: Backend in Sprint 5 (2026-04-27 to 2026-05-10)
            now: Backend in Sprint 5 (2026-04-30 to 2026-05-13)
          Fay (UBACKEND2)
            had: Backend in Sprint 2 (2026-03-16 to 2026-03-29), Backend in Sprint 6 (2026-05-11 to 2026-05-24)
            now: Backend in Sprint 2 (2026-03-16 to 2026-03-29), Backend in Sprint 6 (2026-05-14 to 2026-05-27)
          Ivy (UPO1)
            had: Product Owner in Sprint 5 (2026-04-27 to 2026-05-10)
            now: Product Owner in Sprint 5 (2026-04-30 to 2026-05-13)
          Jo (UPO2)
            had: Product Owner in Sprint 2 (2026-03-16 to 2026-03-29), Product Owner in Sprint 6 (2026-05-11 to 2026-05-24)
            now: Product Owner in Sprint 2 (2026-03-16 to 2026-03-29), Product Owner in Sprint 6 (2026-05-14 to 2026-05-27)
    "#]].assert_eq(&team.ok(&["sprint", "shift", "5", "--days", "3", "--dry-run"]));
    assert_eq!(dump(&team), before);
    // A refused change is refused the same way in a dry run.
    assert!(
        team.refused(&["sprint", "edit", "1", "--name", "x", "--dry-run"])
            .contains("cannot be changed")
    );
    // The same change, made: the same people, and a window opens for the bot to tell them.
    expect![[r#"
        Eli (UUI5) added to ui (position 5)
        this moves the duties of 3 people over the next 8 sprints: Ana (UUI1), Ben (UUI2), Eli (UUI5)
    "#]].assert_eq(&team.ok(&["member", "add", "UUI5", "ui", "--name", "Eli"]));
    assert_ne!(dump(&team), before);
}

#[test]
fn a_new_fallback_for_a_discipline_without_members_moves_its_duty() {
    let team = Team::standard();
    assert_eq!(
        team.ok(&["discipline", "add", "qa", "--name", "QA"]),
        "discipline qa: QA\n"
    );
    expect![[r#"
        discipline qa already existed; fallback now UFALL
        this moves the duties of 1 person over the next 8 sprints: UFALL
    "#]]
    .assert_eq(&team.ok(&[
        "discipline",
        "add",
        "qa",
        "--name",
        "QA",
        "--fallback",
        "UFALL",
    ]));
}
