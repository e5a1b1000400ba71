//! The admin command line end to end: the real binary on a database in a temporary directory,
//! with the clock pinned by TRIAGE_CLOCK_START.

use std::process::{Command, Output};

use serde_json::Value;
use tempfile::TempDir;

use super::cli::{stderr, stdout};

pub(super) struct Team {
    pub(super) dir: TempDir,
    pub(super) clock: String,
}

impl Team {
    pub(super) fn new(clock: &str) -> Team {
        Team {
            dir: tempfile::tempdir().unwrap(),
            clock: clock.to_string(),
        }
    }

    pub(super) fn run(&self, args: &[&str]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_triage-bot"));
        command.current_dir(self.dir.path()).args(args);
        for (name, _) in std::env::vars() {
            if name.starts_with("TRIAGE_") || name.starts_with("SLACK_") {
                command.env_remove(name);
            }
        }
        command
            .env("TRIAGE_CLOCK_START", &self.clock)
            .output()
            .unwrap()
    }

    #[track_caller]
    pub(super) fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&output)
        );
        stdout(&output)
    }

    /// Runs a command that must fail with status 2 and change nothing; returns its message.
    #[track_caller]
    pub(super) fn refused(&self, args: &[&str]) -> String {
        let before = self.snapshot();
        let output = self.run(args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stdout(&output)
        );
        assert_eq!(self.snapshot(), before, "{args:?} changed the database");
        stderr(&output)
    }

    pub(super) fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_str(&self.ok(&all)).unwrap()
    }

    /// Row counts of every table, to prove a refused command changed nothing (the audit log's
    /// record of a refused attempt aside: refusals are audited).
    pub(super) fn snapshot(&self) -> Vec<i64> {
        let path = self.dir.path().join("triage.db");
        if !path.exists() {
            return Vec::new();
        }
        let conn = rusqlite::Connection::open(path).unwrap();
        [
            "disciplines",
            "members",
            "sprints",
            "overrides",
            "audit_log",
            "admins",
            "rotation_turns",
            "away_windows",
            "roster_changes",
        ]
        .iter()
        .map(|table| {
            conn.query_row(
                &format!(
                    "SELECT count(*) + coalesce(sum(length(quote({table}.rowid))), 0) FROM {table} {}",
                    if *table == "audit_log" { "WHERE action NOT LIKE '%.refused'" } else { "" }
                ),
                [],
                |r| r.get(0),
            )
            .unwrap()
        })
        .collect()
    }

    /// Three disciplines of four people and six two-week sprints from 2026-03-02.
    pub(super) fn standard() -> Team {
        let team = Team::new("2026-03-10T12:00:00-07:00");
        team.ok(&["discipline", "add", "ui", "--name", "UI Engineering"]);
        team.ok(&["discipline", "add", "backend", "--name", "Backend"]);
        team.ok(&["discipline", "add", "po", "--name", "Product Owner"]);
        for (key, people) in [
            ("ui", ["Ana", "Ben", "Cy", "Di"]),
            ("backend", ["Eve", "Fay", "Gus", "Hal"]),
            ("po", ["Ivy", "Jo", "Kai", "Lu"]),
        ] {
            for (i, name) in people.iter().enumerate() {
                let id = format!("U{}{}", key.to_uppercase(), i + 1);
                team.ok(&["member", "add", &id, key, "--name", name]);
            }
        }
        team.ok(&[
            "sprint",
            "generate",
            "--start",
            "2026-03-02",
            "--days",
            "14",
            "--count",
            "6",
        ]);
        team.ok(&["admin", "add", "UBOSS"]);
        team
    }
}

#[test]
fn a_team_of_three_disciplines_gets_a_fair_schedule() {
    let team = Team::standard();
    let expected = "\
SPRINT    DATES                     UI Engineering  Backend  Product Owner
Sprint 1  2026-03-02 to 2026-03-15  Ana             Eve      Ivy
Sprint 2  2026-03-16 to 2026-03-29  Ben             Fay      Jo
Sprint 3  2026-03-30 to 2026-04-12  Cy              Gus      Kai
Sprint 4  2026-04-13 to 2026-04-26  Di              Hal      Lu
Sprint 5  2026-04-27 to 2026-05-10  Ana             Eve      Ivy
Sprint 6  2026-05-11 to 2026-05-24  Ben             Fay      Jo
";
    assert_eq!(team.ok(&["schedule"]), expected);
}

#[test]
fn who_answers_with_sources_in_text_and_json() {
    let team = Team::standard();
    let text = team.ok(&["who"]);
    assert_eq!(
        text,
        "\
Sprint 1, in force until 2026-03-16 08:00 PDT
  UI Engineering  Ana (UUI1)       rotation
  Backend         Eve (UBACKEND1)  rotation
  Product Owner   Ivy (UPO1)       rotation
"
    );
    let json = team.json(&["who", "--at", "2026-03-20"]);
    assert_eq!(json["at"], "2026-03-20T08:00:00-07:00");
    assert_eq!(json["timezone"], "America/Los_Angeles");
    assert_eq!(json["until"], "2026-03-30T08:00:00-07:00");
    // Standard time before the spring-forward day carries its own offset.
    let winter = team.json(&["who", "--at", "2026-03-06T12:30:00Z"]);
    assert_eq!(winter["at"], "2026-03-06T04:30:00-08:00");
    assert_eq!(
        json["sprint"],
        serde_json::json!({"index": 1, "name": "Sprint 2", "start": "2026-03-16", "end": "2026-03-29"})
    );
    assert_eq!(
        json["assignments"][0],
        serde_json::json!({"discipline": "ui", "slack_id": "UUI2", "name": "Ben", "source": "rotation", "away": false})
    );
    assert_eq!(json["assignments"].as_array().unwrap().len(), 3);
}

#[test]
fn who_says_plainly_when_no_sprint_is_in_force() {
    let team = Team::standard();
    let before = team.ok(&["who", "--at", "2026-03-02T07:59:00-08:00"]);
    assert_eq!(
        before,
        "no sprint is in force at 2026-03-02 07:59 PST: the first sprint, Sprint 1, starts 2026-03-02 08:00 PST\n"
    );
    let after = team.ok(&["who", "--at", "2026-05-25T08:00:00-07:00"]);
    assert!(after.starts_with("no sprint is in force at 2026-05-25 08:00 PDT: the last sprint, Sprint 6, ended 2026-05-25 08:00 PDT"), "{after}");
    let json = team.json(&["who", "--at", "2026-06-01"]);
    assert_eq!(
        (json["sprint"].clone(), json["assignments"].clone()),
        (Value::Null, serde_json::json!([]))
    );
    let empty = Team::new("2026-03-10T12:00:00-07:00");
    assert_eq!(
        empty.ok(&["who"]),
        "no sprints yet: add some with `triage-bot sprint generate --start <date> --count <n>`\n"
    );
}

#[test]
fn in_a_gap_between_sprints_no_sprint_is_in_force() {
    let mut team = Team::new("2026-03-10T12:00:00-07:00");
    team.ok(&["discipline", "add", "ui", "--name", "UI"]);
    team.ok(&["member", "add", "U1", "ui"]);
    team.ok(&["member", "add", "U2", "ui"]);
    team.ok(&["sprint", "add", "Sprint 8", "2026-03-02", "2026-03-15"]);
    team.ok(&["sprint", "add", "Sprint 9", "2026-03-20", "2026-04-02"]);
    let last_day = team.ok(&["who", "--at", "2026-03-16T07:59:00-07:00"]);
    assert!(
        last_day.starts_with("Sprint 8, in force until 2026-03-16 08:00 PDT"),
        "{last_day}"
    );
    assert_eq!(
        team.ok(&["who", "--at", "2026-03-16"]),
        "no sprint is in force at 2026-03-16 08:00 PDT: Sprint 8 ended 2026-03-16 08:00 PDT; the next sprint, Sprint 9, starts 2026-03-20 08:00 PDT\n"
    );
    let json = team.json(&["who", "--at", "2026-03-18"]);
    assert_eq!(
        json,
        serde_json::json!({
            "at": "2026-03-18T08:00:00-07:00",
            "timezone": "America/Los_Angeles",
            "sprint": null,
            "assignments": [],
            "next": {"index": 1, "name": "Sprint 9", "start": "2026-03-20", "end": "2026-04-02"},
            "next_starts_at": "2026-03-20T08:00:00-07:00",
        })
    );
    let next = team.ok(&["who", "--at", "2026-03-20"]);
    assert!(
        next.starts_with("Sprint 9, in force until 2026-04-03 08:00 PDT"),
        "{next}"
    );
    // On the morning Sprint 9 starts, before the handoff, the schedule begins with it.
    team.clock = "2026-03-20T07:00:00-07:00".to_string();
    let schedule = team.ok(&["schedule", "--count", "1"]);
    assert!(
        schedule.contains("Sprint 9  2026-03-20 to 2026-04-02"),
        "{schedule}"
    );
}

#[test]
fn handoff_on_dst_days_happens_at_local_handoff_time() {
    let team = Team::new("2026-02-20T12:00:00-08:00");
    team.ok(&["discipline", "add", "ui", "--name", "UI"]);
    team.ok(&["member", "add", "U1", "ui"]);
    team.ok(&["member", "add", "U2", "ui"]);
    team.ok(&["sprint", "add", "Winter", "2026-02-22", "2026-03-07"]);
    team.ok(&["sprint", "add", "Spring", "2026-03-08", "2026-10-31"]);
    team.ok(&["sprint", "add", "Fall", "2026-11-01", "2026-11-14"]);
    let sprint_at = |at: &str| team.json(&["who", "--at", at])["sprint"]["name"].clone();
    assert_eq!(sprint_at("2026-03-08T14:59:59Z"), "Winter"); // 07:59:59 PDT
    assert_eq!(sprint_at("2026-03-08T15:00:00Z"), "Spring"); // 08:00 PDT
    assert_eq!(sprint_at("2026-11-01T15:59:59Z"), "Spring"); // 07:59:59 PST
    assert_eq!(sprint_at("2026-11-01T16:00:00Z"), "Fall"); // 08:00 PST
}

#[test]
fn roster_changes_never_change_the_current_assignment() {
    let team = Team::standard();
    let before = team.json(&["who"]);
    // A newcomer who sorts first by name, a removal and a reorder: today's team stays.
    team.ok(&["member", "add", "UAAA", "ui", "--name", "Aaron"]);
    team.ok(&["member", "remove", "UUI3", "ui"]);
    team.ok(&["member", "move", "UUI4", "ui", "--to", "1"]);
    assert_eq!(team.json(&["who"]), before);
    let ui: Vec<String> = team.json(&["schedule", "--count", "6"])["sprints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s["assignments"][0]["slack_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    // Sprint 0 keeps Ana; the rotation then continues in the new order after her.
    assert_eq!(ui, ["UUI1", "UUI2", "UAAA", "UUI4", "UUI1", "UUI2"]);
}

#[test]
fn the_coverage_flow_from_request_to_approval() {
    let team = Team::standard();
    let filed = team.ok(&[
        "override",
        "request",
        "2",
        "ui",
        "--replacement",
        "UUI3",
        "--by",
        "UUI2",
        "--reason",
        "vacation",
    ]);
    assert_eq!(
        filed,
        "request #1 filed: UUI3 to cover ui in Sprint 2; waiting for UUI3 to accept it\n"
    );
    let again = team.ok(&[
        "override",
        "request",
        "2",
        "ui",
        "--replacement",
        "UUI3",
        "--by",
        "UUI2",
    ]);
    assert_eq!(
        again,
        "the same request is already proposed as request #1\n"
    );

    // Nobody approves before the person named to cover accepts, and only they can.
    assert_eq!(
        team.refused(&["override", "approve", "1", "--by", "UBOSS"]),
        "error: request #1 waits for UUI3 to accept it; an admin decides after that\n"
    );
    assert_eq!(
        team.refused(&["override", "accept", "1", "--by", "UUI4"]),
        "error: only UUI3, the person named to cover, can accept request #1\n"
    );
    assert_eq!(
        team.ok(&["override", "accept", "1", "--by", "UUI3"]),
        "request #1 (UUI3 to cover ui in Sprint 2) is now pending\n"
    );
    let refusal = team.refused(&["override", "approve", "1", "--by", "UUI4"]);
    assert_eq!(refusal, "error: only admins can approve requests\n");
    // Cy's own turn comes next: the admin confirms.
    assert_eq!(
        team.refused(&["override", "approve", "1", "--by", "UBOSS"]),
        "error: approving request #1 gives UUI3 back-to-back duty: besides ui in Sprint 2, they \
         are on duty for ui in Sprint 3, the sprint after; run again with --confirm to approve it \
         anyway\n"
    );
    assert_eq!(
        team.ok(&["override", "approve", "1", "--by", "UBOSS", "--confirm"]),
        "request #1 (UUI3 to cover ui in Sprint 2) is now approved\n"
    );
    assert_eq!(
        team.ok(&["override", "approve", "1", "--by", "UBOSS"]),
        "request #1 (UUI3 to cover ui in Sprint 2) was already approved; nothing changed\n"
    );
    let resubmitted = team.ok(&[
        "override",
        "request",
        "2",
        "ui",
        "--replacement",
        "UUI3",
        "--by",
        "UUI2",
    ]);
    assert_eq!(
        resubmitted,
        "the same cover is already approved as request #1\n"
    );

    let list = team.json(&["override", "list"]);
    assert_eq!(
        list,
        serde_json::json!([{"id": 1, "sprint": 1, "discipline": "ui", "requested_by": "UUI2", "original": "UUI2", "replacement": "UUI3", "status": "approved", "reason": "vacation", "decision_reason": null, "revoke_reason": null}])
    );
    let sprint_1 = team.json(&["who", "--at", "2026-03-20"]);
    assert_eq!(sprint_1["assignments"][0]["slack_id"], "UUI3");
    assert_eq!(sprint_1["assignments"][0]["source"], "override");
    // The rotation goes on as if the override had not happened: Cy still has sprint 2.
    assert_eq!(
        team.json(&["who", "--at", "2026-04-01"])["assignments"][0]["slack_id"],
        "UUI3"
    );
    assert_eq!(
        team.json(&["who", "--at", "2026-04-14"])["assignments"][0]["slack_id"],
        "UUI4"
    );
}

#[test]
fn decline_and_cancel_need_the_right_person() {
    let team = Team::standard();
    team.ok(&[
        "override",
        "request",
        "3",
        "po",
        "--replacement",
        "UPO1",
        "--by",
        "UPO3",
    ]);
    team.ok(&[
        "override",
        "request",
        "4",
        "po",
        "--replacement",
        "UPO1",
        "--by",
        "UPO4",
    ]);
    let refusal = team.refused(&["override", "cancel", "1", "--by", "UPO4"]);
    assert_eq!(
        refusal,
        "error: only the requester (UPO3) or an admin can cancel request #1\n"
    );
    let audit = team.json(&["audit", "--limit", "1"]);
    assert_eq!(audit[0]["action"], "override.cancel.refused", "{audit}");
    assert_eq!(audit[0]["actor"], "UPO4");
    assert_eq!(
        team.ok(&["override", "cancel", "1", "--by", "UPO3"]),
        "request #1 (UPO1 to cover po in Sprint 3) is now cancelled\n"
    );
    team.ok(&[
        "override",
        "decline",
        "2",
        "--by",
        "UBOSS",
        "--reason",
        "not enough notice",
    ]);
    let refusal = team.refused(&["override", "approve", "2", "--by", "UBOSS"]);
    assert_eq!(
        refusal,
        "error: request #2 is declined, so it cannot be approved\n"
    );
    let statuses: Vec<_> = team
        .json(&["override", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["status"].clone())
        .collect();
    assert_eq!(statuses, ["cancelled", "declined"]);
    assert_eq!(
        team.json(&["override", "list", "--status", "declined"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[track_caller]
fn check_refused(team: &Team, args: &[&str], message: &str) {
    assert_eq!(
        team.refused(args),
        format!("error: {message}\n"),
        "{args:?}"
    );
}

#[test]
fn invalid_coverage_requests_are_refused_with_a_reason() {
    let team = Team::standard();
    let request = |sprint: &'static str,
                   discipline: &'static str,
                   replacement: &'static str,
                   by: &'static str| {
        vec![
            "override",
            "request",
            sprint,
            discipline,
            "--replacement",
            replacement,
            "--by",
            by,
        ]
    };
    check_refused(
        &team,
        &request("9", "ui", "UUI3", "UUI2"),
        "no sprint is called `9`: name a sprint as the schedule shows it (\"Sprint 8\", or just 8), a day in it (2026-04-06), `now` or `next`",
    );
    check_refused(
        &team,
        &request("2", "qa", "UUI3", "UUI2"),
        "unknown discipline `qa`: choose one of `ui` (UI Engineering), `backend` (Backend), `po` (Product Owner)",
    );
    check_refused(
        &team,
        &request("2", "ui", "UPO1", "UUI2"),
        "UPO1 is not an active member of UI Engineering",
    );
    check_refused(
        &team,
        &request("2", "ui", "UUI2", "UBOSS"),
        "UUI2 is already on duty for UI Engineering in Sprint 2",
    );
    check_refused(
        &team,
        &request("2", "ui", "UUI3", "UUI1"),
        "only the person on duty (UUI2) or an admin can request coverage for UI Engineering in Sprint 2",
    );
    check_refused(
        &team,
        &request("x", "ui", "UUI3", "UUI2"),
        "no sprint is called `x`: name a sprint as the schedule shows it (\"Sprint 8\", or just 8), a day in it (2026-04-06), `now` or `next`",
    );
    check_refused(
        &team,
        &request("2", "ui", "bob", "UUI2"),
        "`bob` is not a Slack user id (expected something like U024BE7LH)",
    );
    team.ok(&["member", "remove", "UUI3", "ui"]);
    check_refused(
        &team,
        &request("2", "ui", "UUI3", "UUI2"),
        "UUI3 is not an active member of UI Engineering",
    );
}

#[test]
fn a_sprint_that_has_ended_takes_no_requests() {
    let team = Team::standard();
    let later = Team {
        dir: team.dir,
        clock: "2026-03-20T12:00:00-07:00".to_string(),
    };
    check_refused(
        &later,
        &[
            "override",
            "request",
            "1",
            "ui",
            "--replacement",
            "UUI3",
            "--by",
            "UBOSS",
        ],
        "Sprint 1 ended on 2026-03-16 at 08:00",
    );
}

#[test]
fn setup_commands_refuse_bad_input_and_change_nothing() {
    let team = Team::standard();
    check_refused(
        &team,
        &["member", "add", "U9", "qa"],
        "unknown discipline `qa`",
    );
    check_refused(
        &team,
        &["member", "add", "nobody", "ui"],
        "`nobody` is not a Slack user id (expected something like U024BE7LH)",
    );
    check_refused(
        &team,
        &["member", "remove", "U9", "ui"],
        "U9 is not a member of ui",
    );
    check_refused(
        &team,
        &["member", "reactivate", "U9", "ui"],
        "U9 is not a member of ui; use `member add`",
    );
    check_refused(
        &team,
        &["member", "move", "UUI1", "ui", "--to", "9"],
        "position must be between 1 and 4 for ui",
    );
    check_refused(
        &team,
        &["member", "move", "UUI1", "ui", "--to", "first"],
        "--to must be a whole number, not `first`",
    );
    check_refused(
        &team,
        &["discipline", "add", "2fast", "--name", "X"],
        "`2fast` is not a valid discipline key (1-32 letters, digits, `-` or `_`, starting with a letter)",
    );
    check_refused(
        &team,
        &["discipline", "add", "qa", "--name", " "],
        "a discipline name must be 1 to 80 characters",
    );
    check_refused(
        &team,
        &["sprint", "add", "Late", "2026-06-10", "2026-06-01"],
        "a sprint cannot end (2026-06-01) before it starts (2026-06-10)",
    );
    check_refused(
        &team,
        &["sprint", "add", "Early", "2026-01-05", "2026-01-18"],
        "Early must start after Sprint 6, which starts on 2026-05-11",
    );
    check_refused(
        &team,
        &["sprint", "add", "Bad", "2026-13-01", "2026-13-14"],
        "start must be a date as YYYY-MM-DD, not `2026-13-01`",
    );
    check_refused(
        &team,
        &[
            "sprint",
            "generate",
            "--start",
            "2026-06-01",
            "--count",
            "0",
        ],
        "--count must be between 1 and 1000, not 0",
    );
    check_refused(
        &team,
        &["override", "list", "--status", "open"],
        "`open` is not an override status (expected proposed, pending, approved, declined, cancelled, superseded, expired or revoked)",
    );
    check_refused(
        &team,
        &["override", "approve", "77", "--by", "UBOSS"],
        "request #77 does not exist",
    );
    check_refused(
        &team,
        &["audit", "--limit", "lots"],
        "--limit must be a whole number, not `lots`",
    );
    check_refused(
        &team,
        &["who", "--at", "yesterday"],
        "--at must be a date (YYYY-MM-DD) or an RFC 3339 instant (2026-03-09T09:00:00-07:00), not `yesterday`",
    );
    check_refused(
        &team,
        &["admin", "add", "UX", "--by", "root"],
        "--by: `root` is not a Slack user id (expected something like U024BE7LH)",
    );
}

#[test]
fn names_with_control_characters_are_refused_and_change_nothing() {
    let team = Team::standard();
    let listed = || {
        let mut all = String::new();
        for list in [
            &["member", "list"][..],
            &["discipline", "list"],
            &["sprint", "list"],
        ] {
            all.push_str(&team.ok(list));
        }
        all + &team.ok(&["sprint", "cadence", "show"])
    };
    let before = listed();
    let tab = "a member's name cannot contain control characters (found U+0009 tab)";
    check_refused(
        &team,
        &["member", "add", "U9", "ui", "--name", "Ana\tLima"],
        tab,
    );
    check_refused(
        &team,
        &["member", "add", "UUI1", "ui", "--name", "Ana\tLima"],
        tab,
    );
    check_refused(
        &team,
        &["member", "add", "U9", "ui", "--name", "Ana\nLima"],
        "a member's name cannot contain control characters (found U+000A line feed)",
    );
    check_refused(
        &team,
        &["member", "add", "UUI1", "ui", "--name", "Ana \u{202E}amiL"],
        "a member's name cannot contain control characters (found U+202E right-to-left override)",
    );
    check_refused(
        &team,
        &["discipline", "add", "ui", "--name", "UI\u{1b}[31m"],
        "a discipline name cannot contain control characters (found U+001B escape)",
    );
    check_refused(
        &team,
        &["discipline", "add", "qa\t", "--name", "QA"],
        "`qa\t` is not a valid discipline key (1-32 letters, digits, `-` or `_`, starting with a letter)",
    );
    check_refused(
        &team,
        &[
            "sprint",
            "add",
            "Sprint\u{2066} 7",
            "2026-05-25",
            "2026-06-07",
        ],
        "a sprint name cannot contain control characters (found U+2066 left-to-right isolate)",
    );
    check_refused(
        &team,
        &["sprint", "edit", "6", "--name", "Sprint\t6"],
        "a sprint name cannot contain control characters (found U+0009 tab)",
    );
    let generate = [
        "sprint",
        "generate",
        "--start",
        "2026-05-25",
        "--count",
        "2",
    ];
    check_refused(
        &team,
        &[&generate[..], &["--name-pattern", "Sp\u{200F}{n}"]].concat(),
        "a name pattern cannot contain control characters (found U+200F right-to-left mark)",
    );
    check_refused(
        &team,
        &[
            "sprint",
            "cadence",
            "set",
            "--start",
            "2026-05-25",
            "--days",
            "14",
            "--name-pattern",
            "Sprint\n{n}",
        ],
        "a name pattern cannot contain control characters (found U+000A line feed)",
    );
    assert_eq!(listed(), before);
    // Ordinary punctuation and other scripts are names like any other.
    team.ok(&["member", "add", "UUI1", "ui", "--name", "Zoë <Ana> & عربى"]);
    assert!(team.ok(&["member", "list"]).contains("Zoë <Ana> & عربى"));
}

#[test]
fn reasons_keep_line_breaks_and_lose_other_control_characters() {
    let team = Team::standard();
    team.ok(&[
        "override",
        "request",
        "now",
        "ui",
        "--replacement",
        "UUI2",
        "--by",
        "UUI1",
        "--reason",
        "dentist\u{1b}[2J\n\tthen \u{202E}emoh",
    ]);
    team.ok(&[
        "override",
        "decline",
        "1",
        "--by",
        "UBOSS",
        "--reason",
        "\u{7}no\u{2069}",
    ]);
    let listed = team.json(&["override", "list"]);
    assert_eq!(listed[0]["reason"], "dentist[2J\n\tthen emoh");
    assert_eq!(listed[0]["decision_reason"], "no");
}

#[test]
fn sprints_never_overlap_but_may_share_a_boundary_day() {
    let team = Team::standard();
    // Sprint 6 runs 2026-05-11 to 2026-05-24.
    check_refused(
        &team,
        &["sprint", "add", "Overlap", "2026-05-20", "2026-06-02"],
        "Overlap (2026-05-20 to 2026-06-02) would overlap Sprint 6 (2026-05-11 to 2026-05-24); sprints may share only a boundary day (one ends the day the next starts)",
    );
    check_refused(
        &team,
        &[
            "sprint",
            "generate",
            "--start",
            "2026-05-12",
            "--days",
            "14",
            "--count",
            "3",
        ],
        "Sprint 7 (2026-05-12 to 2026-05-25) would overlap Sprint 6 (2026-05-11 to 2026-05-24); sprints may share only a boundary day (one ends the day the next starts)",
    );
    assert_eq!(
        team.ok(&["sprint", "add", "Handover", "2026-05-24", "2026-06-06"]),
        "added \"Handover\" from 2026-05-24 to 2026-06-06\n\
         this moves the duties of 3 people over the next 8 sprints: Cy (UUI3), Gus (UBACKEND3), Kai (UPO3)\n"
    );
    assert_eq!(team.json(&["sprint", "list"]).as_array().unwrap().len(), 7);
}

#[test]
fn lists_and_the_audit_log() {
    let team = Team::standard();
    let disciplines = team.json(&["discipline", "list"]);
    let keys: Vec<_> = disciplines
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["key"].clone())
        .collect();
    assert_eq!(keys, ["ui", "backend", "po"]);
    team.ok(&["member", "add", "UUI1", "backend", "--name", "Ana"]);
    let ana: Vec<_> = team
        .json(&["member", "list"])
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["slack_id"] == "UUI1")
        .map(|m| m["discipline"].clone())
        .collect();
    assert_eq!(ana, ["ui", "backend"]);
    assert_eq!(
        team.ok(&["member", "list", "--discipline", "po"])
            .lines()
            .count(),
        5
    );
    assert_eq!(team.json(&["admin", "list"]), serde_json::json!(["UBOSS"]));
    assert_eq!(
        team.ok(&["admin", "add", "UBOSS"]),
        "UBOSS was already an admin\n"
    );
    // With an admin in the configuration, the last one in the database may go.
    assert_eq!(
        team.ok(&["--admins", "UCONF", "admin", "remove", "UBOSS"]),
        "UBOSS is no longer an admin\n"
    );
    assert_eq!(
        team.ok(&["admin", "remove", "UBOSS"]),
        "UBOSS was not an admin\n"
    );
    assert_eq!(team.json(&["admin", "list"]), serde_json::json!([]));
    assert_eq!(
        team.ok(&["member", "remove", "UPO2", "po"]),
        "Jo (UPO2) taken out of the rotation of po (position 2)\n\
         this moves the duties of 4 people over the next 8 sprints: Ivy (UPO1), Jo (UPO2), Kai (UPO3), Lu (UPO4)\n"
    );
    assert_eq!(
        team.ok(&["member", "reactivate", "UPO2", "po"]),
        "Jo (UPO2) back in the rotation of po (position 2)\n\
         this moves the duties of 4 people over the next 8 sprints: Ivy (UPO1), Jo (UPO2), Kai (UPO3), Lu (UPO4)\n"
    );
    // Generating the sprints recorded the sprint in force (one turn per discipline) before the
    // admin was added: a change that may move duty records started sprints first.
    let audit = team.json(&["audit", "--limit", "7"]);
    let actions: Vec<_> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].clone())
        .collect();
    assert_eq!(
        actions,
        [
            "member.reactivate",
            "member.remove",
            "admin.remove",
            "member.add",
            "admin.add",
            "turn.record",
            "turn.record",
        ]
    );
    assert_eq!(audit[3]["after"]["discipline"], "backend");
    assert_eq!(audit[1]["before"]["active"], true);
    assert_eq!(audit[1]["after"]["active"], false);
    assert_eq!(team.ok(&["sprint", "list"]).lines().count(), 7);
}

#[test]
fn double_duty_is_reported() {
    let team = Team::new("2026-03-10T12:00:00-07:00");
    team.ok(&["discipline", "add", "ui", "--name", "UI"]);
    team.ok(&["discipline", "add", "po", "--name", "PO"]);
    team.ok(&["member", "add", "U1", "ui", "--name", "Ana"]);
    team.ok(&["member", "add", "U1", "po", "--name", "Ana"]);
    team.ok(&["sprint", "add", "One", "2026-03-09", "2026-03-22"]);
    assert!(
        team.ok(&["who"])
            .ends_with("note: Ana (U1) is on duty for ui and po at once\n")
    );
}

#[test]
fn the_last_admin_cannot_be_removed() {
    let team = Team::standard();
    assert_eq!(
        team.refused(&["admin", "remove", "UBOSS"]),
        "error: UBOSS is the last admin; add another admin first (`triage-bot admin add <U…>`)\n"
    );
    assert_eq!(team.json(&["admin", "list"]), serde_json::json!(["UBOSS"]));
    team.ok(&["admin", "add", "UDEP"]);
    assert_eq!(
        team.ok(&["admin", "remove", "UBOSS", "--by", "UDEP"]),
        "UBOSS is no longer an admin\n"
    );
    assert_eq!(
        team.refused(&["admin", "remove", "UDEP", "--by", "UDEP"]),
        "error: UDEP is the last admin; add another admin first (`triage-bot admin add <U…>`)\n"
    );
    // Someone who is not an admin can be "removed" whatever the count: nothing changes.
    assert_eq!(
        team.ok(&["admin", "remove", "UBOSS"]),
        "UBOSS was not an admin\n"
    );
    assert_eq!(team.json(&["admin", "list"]), serde_json::json!(["UDEP"]));
}

#[test]
fn removing_the_person_on_duty_says_they_stay_until_the_sprint_ends() {
    let team = Team::standard();
    // 2026-03-10 is in Sprint 1 (2026-03-02 to 2026-03-15), where Ana is on duty for ui.
    assert_eq!(
        team.ok(&["member", "remove", "UUI1", "ui"]),
        "Ana (UUI1) taken out of the rotation of ui (position 1)\n\
         note: UUI1 stays on duty for ui until the sprint ends (Sprint 1, until 2026-03-16 08:00 PDT); \
         to change that, an admin can run `/triage set ui @person` in Slack\n\
         this moves the duties of 3 people over the next 8 sprints: Ana (UUI1), Ben (UUI2), Cy (UUI3)\n"
    );
    assert_eq!(team.json(&["who"])["assignments"][0]["slack_id"], "UUI1");
    // Someone who is not on duty now: no note.
    assert_eq!(
        team.ok(&["member", "remove", "UUI3", "ui"]),
        "Cy (UUI3) taken out of the rotation of ui (position 3)\n\
         this moves the duties of 3 people over the next 8 sprints: Ben (UUI2), Cy (UUI3), Di (UUI4)\n"
    );
}

#[test]
fn removing_the_last_member_of_a_discipline_warns_who_comes_next() {
    let team = Team::standard();
    team.ok(&["member", "remove", "UUI2", "ui"]);
    team.ok(&["member", "remove", "UUI3", "ui"]);
    team.ok(&["member", "remove", "UUI1", "ui"]);
    assert_eq!(
        team.ok(&["member", "remove", "UUI4", "ui"]),
        "Di (UUI4) taken out of the rotation of ui (position 4)\n\
         warning: ui has no active members left: from the next sprint nobody will be on duty for it \
         (add someone with `triage-bot member add <U…> ui`)\n\
         this moves the duties of 1 person over the next 8 sprints: Di (UUI4)\n"
    );
    // Repeating the removal changes nothing and warns no more.
    assert_eq!(
        team.ok(&["member", "remove", "UUI4", "ui"]),
        "Di (UUI4) unchanged in ui (position 4)\n\
         this moves nobody's duties over the next 8 sprints\n"
    );
    team.ok(&[
        "discipline",
        "add",
        "qa",
        "--name",
        "QA",
        "--fallback",
        "UFALL",
    ]);
    team.ok(&["member", "add", "UQA1", "qa", "--name", "Quinn"]);
    assert_eq!(
        team.ok(&["member", "remove", "UQA1", "qa"]),
        "Quinn (UQA1) taken out of the rotation of qa (position 1)\n\
         note: UQA1 stays on duty for qa until the sprint ends (Sprint 1, until 2026-03-16 08:00 PDT); \
         to change that, an admin can run `/triage set qa @person` in Slack\n\
         warning: qa has no active members left: from the next sprint its fallback UFALL will be on duty for it \
         (add someone with `triage-bot member add <U…> qa`)\n\
         this moves the duties of 2 people over the next 8 sprints: Quinn (UQA1), UFALL\n"
    );
    let next = team.json(&["schedule", "--from", "2026-03-16", "--count", "1"]);
    assert_eq!(next["sprints"][0]["assignments"][3]["slack_id"], "UFALL");
    assert_eq!(
        next["sprints"][0]["assignments"][0]["slack_id"],
        Value::Null
    );
}

#[test]
fn adding_an_existing_discipline_says_what_changed() {
    let team = Team::standard();
    assert_eq!(
        team.ok(&["discipline", "add", "qa", "--name", "QA"]),
        "discipline qa: QA\n"
    );
    assert_eq!(
        team.ok(&["discipline", "add", "ui", "--name", "UI"]),
        "discipline ui already existed; renamed from \"UI Engineering\" to \"UI\"\n"
    );
    assert_eq!(
        team.ok(&["discipline", "add", "ui", "--name", "UI"]),
        "discipline ui already existed; unchanged\n"
    );
    assert_eq!(
        team.ok(&[
            "discipline",
            "add",
            "ui",
            "--name",
            "UI",
            "--fallback",
            "UFALL"
        ]),
        "discipline ui already existed; fallback now UFALL\n"
    );
}
