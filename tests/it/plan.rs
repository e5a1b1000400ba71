//! The sprint plan from the command line: a declared cadence keeps it planned ahead, and future
//! sprints are edited, shifted and retired while started ones stay as they are. The real binary
//! on a database in a temporary directory, the clock pinned per command by TRIAGE_CLOCK_START.

use std::path::Path;
use std::process::{Command, Output};

use expect_test::expect;
use serde_json::Value;
use tempfile::TempDir;

use super::cli::{stderr, stdout};

fn run(dir: &Path, clock: &str, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_triage-bot"));
    command.current_dir(dir).args(args);
    for (name, _) in std::env::vars() {
        if name.starts_with("TRIAGE_") || name.starts_with("SLACK_") {
            command.env_remove(name);
        }
    }
    command.env("TRIAGE_CLOCK_START", clock).output().unwrap()
}

#[track_caller]
fn ok(dir: &Path, clock: &str, args: &[&str]) -> String {
    let output = run(dir, clock, args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}: {}",
        stderr(&output)
    );
    stdout(&output)
}

/// Everything a plan change could touch: the sprints (retired ones too), the cadence and the
/// number of audit rows.
fn plan_state(dir: &Path) -> String {
    let conn = rusqlite::Connection::open(dir.join("triage.db")).unwrap();
    let mut state = String::new();
    let mut sprints = conn
        .prepare("SELECT sprint_index, name, start_date, end_date, retired_at IS NOT NULL FROM sprints ORDER BY id")
        .unwrap();
    let rows = sprints
        .query_map([], |r| {
            Ok(format!(
                "{} {} {} {} {}\n",
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, bool>(4)?
            ))
        })
        .unwrap();
    rows.for_each(|row| state.push_str(&row.unwrap()));
    let cadence: i64 = conn
        .query_row("SELECT count(*) FROM cadence", [], |r| r.get(0))
        .unwrap();
    let audit: i64 = conn
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    state.push_str(&format!("cadence {cadence} audit {audit}"));
    state
}

/// Runs a command that must fail with status 2 and change nothing; returns its message.
#[track_caller]
fn refused(dir: &Path, clock: &str, args: &[&str]) -> String {
    let before = plan_state(dir);
    let output = run(dir, clock, args);
    assert_eq!(
        output.status.code(),
        Some(2),
        "{args:?}: {}",
        stdout(&output)
    );
    assert_eq!(plan_state(dir), before, "{args:?} changed the database");
    stderr(&output)
}

fn sprint_list(dir: &Path, clock: &str) -> Vec<String> {
    let listed: Value =
        serde_json::from_str(&ok(dir, clock, &["sprint", "list", "--json"])).unwrap();
    listed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{} {} {}..{}",
                s["index"],
                s["name"].as_str().unwrap(),
                s["start"].as_str().unwrap(),
                s["end"].as_str().unwrap()
            )
        })
        .collect()
}

fn audit_actions(dir: &Path, clock: &str, action: &str) -> usize {
    let entries: Value =
        serde_json::from_str(&ok(dir, clock, &["audit", "--limit", "500", "--json"])).unwrap();
    entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == action)
        .count()
}

// Sunday 1 March 2026, before the spring-forward weekend of 8 March.
const MARCH_1: &str = "2026-03-01T12:00:00-08:00";

#[test]
fn a_cadence_keeps_twelve_weeks_planned_and_a_repeat_adds_nothing() {
    let dir = TempDir::new().unwrap();
    let dir = dir.path();
    let set = [
        "sprint",
        "cadence",
        "set",
        "--start",
        "2026-03-08",
        "--days",
        "7",
    ];
    let first = ok(dir, MARCH_1, &set);
    expect![[r#"
        cadence: "Sprint {n}", 7 days each from 2026-03-08, planned at least 12 weeks ahead
        added "Sprint 1" from 2026-03-08 to 2026-03-14
        added "Sprint 2" from 2026-03-15 to 2026-03-21
        added "Sprint 3" from 2026-03-22 to 2026-03-28
        added "Sprint 4" from 2026-03-29 to 2026-04-04
        added "Sprint 5" from 2026-04-05 to 2026-04-11
        added "Sprint 6" from 2026-04-12 to 2026-04-18
        added "Sprint 7" from 2026-04-19 to 2026-04-25
        added "Sprint 8" from 2026-04-26 to 2026-05-02
        added "Sprint 9" from 2026-05-03 to 2026-05-09
        added "Sprint 10" from 2026-05-10 to 2026-05-16
        added "Sprint 11" from 2026-05-17 to 2026-05-23
        added "Sprint 12" from 2026-05-24 to 2026-05-30
    "#]]
    .assert_eq(&first);
    let before = plan_state(dir);
    let again = ok(dir, MARCH_1, &set);
    assert!(again.contains("no sprint added"), "{again}");
    assert_eq!(plan_state(dir), before, "a repeat changed something");
    assert_eq!(audit_actions(dir, MARCH_1, "cadence.set"), 1);
    assert_eq!(audit_actions(dir, MARCH_1, "sprint.add"), 12);
    expect![[r#"
        cadence: "Sprint {n}", 7 days each from 2026-03-08, planned at least 12 weeks ahead
    "#]]
    .assert_eq(&ok(dir, MARCH_1, &["sprint", "cadence", "show"]));

    // Three weeks on, declaring it again with 13 weeks extends the plan to Jun 21 at once.
    let later = "2026-03-22T12:00:00-07:00";
    let extended = ok(
        dir,
        later,
        &[
            "sprint",
            "cadence",
            "set",
            "--start",
            "2026-03-08",
            "--days",
            "7",
            "--horizon-weeks",
            "13",
        ],
    );
    assert!(
        extended.contains("added \"Sprint 15\" from 2026-06-14 to 2026-06-20"),
        "{extended}"
    );
    assert_eq!(
        sprint_list(dir, later).last().unwrap(),
        "15 Sprint 16 2026-06-21..2026-06-27"
    );

    let cleared = ok(dir, later, &["sprint", "cadence", "clear"]);
    assert!(cleared.starts_with("cadence cleared"), "{cleared}");
    assert!(ok(dir, later, &["sprint", "cadence", "show"]).starts_with("no cadence declared"));
    assert_eq!(audit_actions(dir, later, "cadence.clear"), 1);
    assert_eq!(
        sprint_list(dir, later).len(),
        16,
        "clearing keeps the sprints"
    );
}

#[test]
fn a_cadence_counts_days_in_the_teams_zone_across_the_fall_back_weekend() {
    let dir = TempDir::new().unwrap();
    // 23:30 on Sunday 1 November in Los Angeles is Monday in UTC: today is still the 1st.
    let clock = "2026-11-01T23:30:00-08:00";
    ok(
        dir.path(),
        clock,
        &[
            "sprint",
            "cadence",
            "set",
            "--start",
            "2026-10-26",
            "--days",
            "1",
            "--horizon-weeks",
            "1",
        ],
    );
    let sprints = sprint_list(dir.path(), clock);
    assert_eq!(
        sprints.first().unwrap(),
        "0 Sprint 1 2026-11-01..2026-11-01"
    );
    assert_eq!(sprints.last().unwrap(), "7 Sprint 8 2026-11-08..2026-11-08");
}

#[test]
fn bad_cadences_are_refused_and_change_nothing() {
    let dir = TempDir::new().unwrap();
    let dir = dir.path();
    ok(dir, MARCH_1, &["sprint", "list"]);
    let base = ["sprint", "cadence", "set", "--start", "2026-03-08"];
    let with = |extra: &[&'static str]| [&base[..], extra].concat();
    assert!(refused(dir, MARCH_1, &with(&["--days", "0"])).contains("--days"));
    assert!(
        refused(
            dir,
            MARCH_1,
            &with(&["--days", "7", "--horizon-weeks", "0"])
        )
        .contains("--horizon-weeks")
    );
    assert!(
        refused(dir, MARCH_1, &with(&["--days", "7", "--name-pattern", ""]))
            .contains("--name-pattern")
    );
    assert!(
        refused(
            dir,
            MARCH_1,
            &[
                "sprint", "cadence", "set", "--start", "March 8", "--days", "7"
            ]
        )
        .contains("--start")
    );
}

/// Six two-week sprints from Mon 2 March; the clock stands in the second (index 1).
fn six_sprints(dir: &Path, clock: &str) {
    ok(
        dir,
        clock,
        &[
            "sprint",
            "generate",
            "--start",
            "2026-03-02",
            "--days",
            "14",
            "--count",
            "6",
        ],
    );
}

#[test]
fn future_sprints_can_be_edited_shifted_and_retired_started_ones_cannot() {
    let dir = TempDir::new().unwrap();
    let dir = dir.path();
    let now = "2026-03-20T12:00:00-07:00";
    six_sprints(dir, now);
    // Started sprints (0 and 1, in force) are immutable.
    let started = refused(dir, now, &["sprint", "edit", "2", "--name", "Renamed"]);
    assert_eq!(
        started.trim_end(),
        "error: Sprint 2 started on 2026-03-16; a sprint that has started cannot be changed"
    );
    assert!(refused(dir, now, &["sprint", "shift", "1", "--days", "7"]).contains("started"));
    assert!(refused(dir, now, &["sprint", "retire", "2"]).contains("started"));
    // Future ones cannot overlap, break the order, or move into the past.
    let overlap = refused(dir, now, &["sprint", "edit", "3", "--start", "2026-03-29"]);
    assert!(
        overlap.contains("would overlap Sprint 2 (2026-03-16 to 2026-03-29)"),
        "{overlap}"
    );
    assert!(
        refused(dir, now, &["sprint", "edit", "3", "--end", "2026-04-13"])
            .contains("overlap Sprint 4")
    );
    assert!(
        refused(dir, now, &["sprint", "edit", "3", "--end", "2026-03-29"]).contains("cannot end")
    );
    assert!(
        refused(dir, now, &["sprint", "shift", "3", "--days", "-1"]).contains("overlap Sprint 2")
    );
    assert!(refused(dir, now, &["sprint", "shift", "3", "--days", "0"]).contains("--days"));
    assert!(
        refused(dir, now, &["sprint", "edit", "9", "--name", "x"])
            .contains("no sprint is called `9`")
    );

    let edited = ok(
        dir,
        now,
        &[
            "sprint",
            "edit",
            "3",
            "--name",
            "Hack week",
            "--end",
            "2026-04-10",
        ],
    );
    assert_eq!(
        edited,
        "\"Hack week\" from 2026-03-30 to 2026-04-10\n\
         this moves nobody's duties over the next 8 sprints\n"
    );
    ok(dir, now, &["sprint", "shift", "4", "--days", "-2"]);
    ok(dir, now, &["sprint", "retire", "6"]);
    expect![[r#"
        [
            "0 Sprint 1 2026-03-02..2026-03-15",
            "1 Sprint 2 2026-03-16..2026-03-29",
            "2 Hack week 2026-03-30..2026-04-10",
            "3 Sprint 4 2026-04-11..2026-04-24",
            "4 Sprint 5 2026-04-25..2026-05-08",
        ]
    "#]]
    .assert_debug_eq(&sprint_list(dir, now));
    assert_eq!(audit_actions(dir, now, "sprint.edit"), 1);
    assert_eq!(audit_actions(dir, now, "sprint.shift"), 3);
    assert_eq!(audit_actions(dir, now, "sprint.retire"), 1);
    // Once sprint 2 has started (Mon 30 March at the handoff) it is frozen too.
    let later = "2026-03-30T12:00:00-07:00";
    assert!(refused(dir, later, &["sprint", "retire", "hack week"]).contains("started"));
}
