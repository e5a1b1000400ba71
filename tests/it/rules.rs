//! The schedule and coverage rules in combination, through the command line: each test plays a
//! sequence of actions that once put the wrong person on duty or rewrote the past.

use serde_json::Value;

use super::commands::Team;

/// Who `schedule --json` has on duty for `discipline` in sprint `index`.
fn on_duty(team: &Team, from: &str, index: i64, discipline: &str) -> Value {
    let schedule = team.json(&["schedule", "--from", from, "--count", "12"]);
    let sprint = schedule["sprints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["index"] == index)
        .unwrap_or_else(|| panic!("sprint {index} in {schedule}"))
        .clone();
    sprint["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["discipline"] == discipline)
        .unwrap()["slack_id"]
        .clone()
}

fn statuses(team: &Team) -> Vec<String> {
    team.json(&["override", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|o| format!("#{} {}", o["id"], o["status"].as_str().unwrap()))
        .collect()
}

/// The standard team with its clock moved to `clock`.
fn at(mut team: Team, clock: &str) -> Team {
    team.clock = clock.to_string();
    team
}

#[test]
fn a_second_approval_cannot_take_a_slot_already_covered() {
    let team = Team::standard();
    // Di has UI in sprint 3 and asks Ana, then Ben.
    let request = |replacement| {
        team.ok(&[
            "override",
            "request",
            "4",
            "ui",
            "--replacement",
            replacement,
            "--by",
            "UUI4",
        ])
    };
    request("UUI1");
    request("UUI2");
    team.ok(&["override", "accept", "1", "--by", "UUI1"]);
    team.ok(&["override", "accept", "2", "--by", "UUI2"]);
    let approved = team.ok(&["override", "approve", "1", "--by", "UBOSS", "--confirm"]);
    assert_eq!(
        approved,
        "request #1 (UUI1 to cover ui in Sprint 4) is now approved\n\
         request #2 is now superseded: UUI1 is on duty in the slot now, not the person it would replace\n"
    );
    let refused = team.refused(&["override", "approve", "2", "--by", "UBOSS"]);
    assert_eq!(
        refused,
        "error: request #2 is superseded, so it cannot be approved\n"
    );
    assert_eq!(on_duty(&team, "2026-03-02", 3, "ui"), "UUI1");
    assert_eq!(statuses(&team), ["#1 approved", "#2 superseded"]);
}

#[test]
fn a_request_for_a_sprint_that_ended_cannot_be_approved() {
    let team = Team::standard();
    // Ana, on duty in sprint 0, asks Ben; nobody decides before the sprint ends.
    team.ok(&[
        "override",
        "request",
        "1",
        "ui",
        "--replacement",
        "UUI2",
        "--by",
        "UUI1",
    ]);
    team.ok(&["override", "accept", "1", "--by", "UUI2"]);
    let team = at(team, "2026-03-16T09:00:00-07:00");
    let refused = team.run(&["override", "approve", "1", "--by", "UBOSS"]);
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(
        super::cli::stderr(&refused),
        "error: request #1 cannot be approved: its sprint ended before it was approved; it is closed as expired\n"
    );
    assert_eq!(statuses(&team), ["#1 expired"]);
    // The past is as it was: Ana had sprint 0.
    assert_eq!(on_duty(&team, "2026-03-02", 0, "ui"), "UUI1");
    let then = team.json(&["who", "--at", "2026-03-10"]);
    assert_eq!(then["assignments"][0]["slack_id"], "UUI1");
}

#[test]
fn an_approval_checks_the_replacement_is_still_a_member() {
    let team = Team::standard();
    // Ben has sprint 1 and asks Cy, who then leaves UI.
    team.ok(&[
        "override",
        "request",
        "2",
        "ui",
        "--replacement",
        "UUI3",
        "--by",
        "UUI2",
    ]);
    team.ok(&["override", "accept", "1", "--by", "UUI3"]);
    team.ok(&["member", "remove", "UUI3", "ui"]);
    let refused = team.run(&["override", "approve", "1", "--by", "UBOSS"]);
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(
        super::cli::stderr(&refused),
        "error: request #1 cannot be approved: the replacement is no longer a member of the discipline; it is closed as superseded\n"
    );
    assert_eq!(on_duty(&team, "2026-03-02", 1, "ui"), "UUI2");
}

#[test]
fn an_approved_cover_can_be_revoked_by_an_admin_until_its_sprint_ends() {
    let team = Team::standard();
    team.ok(&[
        "override",
        "request",
        "3",
        "ui",
        "--replacement",
        "UUI4",
        "--by",
        "UUI3",
    ]);
    team.ok(&["override", "accept", "1", "--by", "UUI4"]);
    team.ok(&["override", "approve", "1", "--by", "UBOSS", "--confirm"]);
    assert_eq!(on_duty(&team, "2026-03-02", 2, "ui"), "UUI4");
    assert_eq!(
        team.refused(&["override", "revoke", "1", "--by", "UUI1"]),
        "error: only admins can revoke approved covers\n"
    );
    assert_eq!(
        team.ok(&[
            "override",
            "revoke",
            "1",
            "--by",
            "UBOSS",
            "--reason",
            "Cy is back",
        ]),
        "request #1 (UUI4 to cover ui in Sprint 3) is now revoked\n"
    );
    assert_eq!(on_duty(&team, "2026-03-02", 2, "ui"), "UUI3");
    assert_eq!(
        team.ok(&["override", "revoke", "1", "--by", "UBOSS"]),
        "request #1 (UUI4 to cover ui in Sprint 3) was already revoked; nothing changed\n"
    );
    // A pending request is declined or cancelled, not revoked.
    team.ok(&[
        "override",
        "request",
        "4",
        "ui",
        "--replacement",
        "UUI1",
        "--by",
        "UUI4",
    ]);
    assert_eq!(
        team.refused(&["override", "revoke", "2", "--by", "UBOSS"]),
        "error: request #2 is proposed, so it cannot be revoked\n"
    );
    team.ok(&["override", "accept", "2", "--by", "UUI1"]);
    // Once its sprint has ended, an approved cover is history.
    team.ok(&["override", "approve", "2", "--by", "UBOSS", "--confirm"]);
    let team = at(team, "2026-04-27T09:00:00-07:00");
    assert_eq!(
        team.refused(&["override", "revoke", "2", "--by", "UBOSS"]),
        "error: request #2 covers a sprint that has ended; the past does not change\n"
    );
}

#[test]
fn a_decline_keeps_the_requesters_reason_and_its_own() {
    let team = Team::standard();
    team.ok(&[
        "override",
        "request",
        "2",
        "ui",
        "--replacement",
        "UUI3",
        "--by",
        "UUI2",
        "--reason",
        "dentist",
    ]);
    assert_eq!(
        team.ok(&[
            "override",
            "decline",
            "1",
            "--by",
            "UBOSS",
            "--reason",
            "Cy is away that week",
        ]),
        "request #1 (UUI3 to cover ui in Sprint 2) is now declined\n"
    );
    let list = team.json(&["override", "list"]);
    assert_eq!(list[0]["reason"], "dentist");
    assert_eq!(list[0]["decision_reason"], "Cy is away that week");
}

#[test]
fn sprints_that_started_before_the_first_run_are_frozen_too() {
    let team = Team::new("2026-03-12T10:00:00-07:00");
    team.ok(&["discipline", "add", "ui", "--name", "UI"]);
    for id in ["UA", "UB", "UC"] {
        team.ok(&["member", "add", id, "ui"]);
    }
    team.ok(&[
        "sprint",
        "generate",
        "--start",
        "2025-12-01",
        "--days",
        "14",
        "--count",
        "10",
    ]);
    let before = team.json(&["schedule", "--from", "2025-12-01", "--count", "8"]);
    team.ok(&["member", "add", "UD", "ui"]);
    team.ok(&["member", "move", "UD", "ui", "--to", "1"]);
    let after = team.json(&["schedule", "--from", "2025-12-01", "--count", "8"]);
    // Sprints 0 to 7 have all started by 2026-03-12: none of them changes.
    assert_eq!(before, after);
}

#[test]
fn a_slot_with_nobody_fills_once_the_discipline_has_members() {
    let team = Team::new("2026-03-10T12:00:00-07:00");
    team.ok(&["discipline", "add", "ui", "--name", "UI"]);
    team.ok(&["discipline", "add", "po", "--name", "Product Owner"]);
    team.ok(&["member", "add", "UUI1", "ui"]);
    team.ok(&[
        "sprint",
        "generate",
        "--start",
        "2026-03-02",
        "--days",
        "14",
        "--count",
        "3",
    ]);
    let first = team.json(&["who"]);
    assert_eq!(first["assignments"][1]["slack_id"], Value::Null);
    team.ok(&["member", "add", "UPO1", "po"]);
    let filled = team.json(&["who"]);
    assert_eq!(filled["assignments"][1]["slack_id"], "UPO1");
    assert_eq!(filled["assignments"][1]["source"], "rotation");
    // Once filled, the slot is frozen like any other.
    team.ok(&["member", "add", "UPO2", "po"]);
    team.ok(&["member", "move", "UPO2", "po", "--to", "1"]);
    assert_eq!(team.json(&["who"])["assignments"][1]["slack_id"], "UPO1");
}

#[test]
fn a_sprint_added_on_the_last_day_after_its_handoff_cannot_end_the_sprint_in_force_in_the_past() {
    // Sprint 6, the last, runs to Sun 2026-05-24; its duty lasts until Mon 08:00.
    let team = at(Team::standard(), "2026-05-24T09:00:00-07:00");
    let refused = team.refused(&["sprint", "add", "Handover", "2026-05-24", "2026-06-06"]);
    assert_eq!(
        refused,
        "error: a sprint starting on 2026-05-24 would have ended Sprint 6 at 2026-05-24's handoff, which has passed; start it on 2026-05-25 or later\n"
    );
    assert_eq!(
        team.ok(&["sprint", "add", "Handover", "2026-05-25", "2026-06-07"]),
        "added \"Handover\" from 2026-05-25 to 2026-06-07\n\
         this moves the duties of 3 people over the next 8 sprints: Cy (UUI3), Gus (UBACKEND3), Kai (UPO3)\n"
    );
    // Before that day's handoff the shared day is fine.
    let team = at(Team::standard(), "2026-05-24T07:00:00-07:00");
    team.ok(&[
        "sprint",
        "generate",
        "--start",
        "2026-05-24",
        "--count",
        "1",
    ]);
    assert_eq!(team.json(&["who"])["sprint"]["name"], "Sprint 6");
}

#[test]
fn people_name_a_sprint_as_they_see_it() {
    let team = Team::standard();
    // Ben has Sprint 2 (2026-03-16 to 2026-03-29); the clock is in Sprint 1.
    for (named, id) in [
        ("Sprint 2", 1),
        ("2", 1),
        ("2026-03-20", 1),
        ("next", 1),
        ("now", 2),
    ] {
        let by = if named == "now" { "UUI1" } else { "UUI2" };
        let filed = team.ok(&[
            "override",
            "request",
            named,
            "ui",
            "--replacement",
            "UUI3",
            "--by",
            by,
        ]);
        assert!(
            filed.contains(&format!("request #{id}")),
            "{named}: {filed}"
        );
    }
    let list = team.json(&["override", "list"]);
    let sprints: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["sprint"].as_i64().unwrap())
        .collect();
    // Four names for Sprint 2 filed one request; `now` named Sprint 1. JSON keeps the index.
    assert_eq!(sprints, [0, 1]);
    assert_eq!(
        team.refused(&[
            "override",
            "request",
            "Sprint 9",
            "ui",
            "--replacement",
            "UUI3",
            "--by",
            "UUI2"
        ]),
        "error: no sprint is called `Sprint 9`: name a sprint as the schedule shows it (\"Sprint 8\", or just 8), a day in it (2026-04-06), `now` or `next`\n"
    );
    let schedule = team.ok(&["schedule", "--count", "2"]);
    assert!(schedule.contains("\nSprint 2 "), "{schedule}");
    assert!(!schedule.contains("(sprint"), "{schedule}");
}

/// `override request <sprint> <discipline> --replacement <replacement> --by <by>`.
fn request(team: &Team, sprint: &str, discipline: &str, replacement: &str, by: &str) -> String {
    team.ok(&[
        "override",
        "request",
        sprint,
        discipline,
        "--replacement",
        replacement,
        "--by",
        by,
    ])
}

#[test]
fn the_person_named_to_cover_agrees_first_and_may_say_no() {
    let team = Team::standard();
    // Ben (Sprint 2) asks Cy, who says no: Ben's request ends there, with Cy's reason.
    assert_eq!(
        request(&team, "2", "ui", "UUI3", "UUI2"),
        "request #1 filed: UUI3 to cover ui in Sprint 2; waiting for UUI3 to accept it\n"
    );
    assert_eq!(
        team.refused(&["override", "refuse", "1", "--by", "UUI2"]),
        "error: only UUI3, the person named to cover, can refuse request #1\n"
    );
    assert_eq!(
        team.ok(&[
            "override", "refuse", "1", "--by", "UUI3", "--reason", "on leave",
        ]),
        "request #1 (UUI3 to cover ui in Sprint 2) is now declined\n"
    );
    let list = team.json(&["override", "list"]);
    assert_eq!(list[0]["decision_reason"], "on leave");
    assert_eq!(
        team.refused(&["override", "accept", "1", "--by", "UUI3"]),
        "error: request #1 is declined, so it cannot be accepted\n"
    );
    let audit = team.json(&["audit", "--limit", "1"]);
    assert_eq!(audit[0]["action"], "override.refuse", "{audit}");
    assert_eq!(audit[0]["actor"], "UUI3");
    assert_eq!(on_duty(&team, "2026-03-02", 1, "ui"), "UUI2");
    // An admin offering to cover goes straight to the admins: nobody else has to agree.
    team.ok(&["member", "add", "UBOSS", "po", "--name", "Boss"]);
    assert_eq!(
        request(&team, "4", "po", "UBOSS", "UBOSS"),
        "request #2 filed: UBOSS to cover po in Sprint 4; waiting for an admin\n"
    );
}

#[test]
fn a_disciplines_approval_policy_decides_whether_an_admin_approves_after_acceptance() {
    let team = Team::standard();
    assert_eq!(
        team.ok(&["discipline", "approval", "ui"]),
        "ui: approval admin (an admin approves every cover)\n"
    );
    assert_eq!(
        team.refused(&["discipline", "approval", "ui", "whoever"]),
        "error: `whoever` is not an approval policy (expected admin, none or admin-if-conflict)\n"
    );
    // `none`: Di (Sprint 4) asks Ana, who accepts; that is enough.
    assert_eq!(
        team.ok(&["discipline", "approval", "ui", "none", "--by", "UBOSS"]),
        "ui: approval admin → none (the replacement's acceptance is enough)\n"
    );
    request(&team, "4", "ui", "UUI1", "UUI4");
    assert_eq!(
        team.ok(&["override", "accept", "1", "--by", "UUI1"]),
        "request #1 (UUI1 to cover ui in Sprint 4) is now approved\n"
    );
    assert_eq!(on_duty(&team, "2026-03-02", 3, "ui"), "UUI1");
    // `admin-if-conflict`: Cy (Sprint 3) asks Ben, on duty in Sprint 2 just before: an admin
    // decides. Lu (Product Owner, Sprint 4) asks Jo, free around it: his word is enough.
    team.ok(&["discipline", "approval", "ui", "admin-if-conflict"]);
    team.ok(&["discipline", "approval", "po", "admin-if-conflict"]);
    request(&team, "3", "ui", "UUI2", "UUI3");
    assert_eq!(
        team.ok(&["override", "accept", "2", "--by", "UUI2"]),
        "request #2 (UUI2 to cover ui in Sprint 3) is now pending\n"
    );
    request(&team, "4", "po", "UPO2", "UPO4");
    assert_eq!(
        team.ok(&["override", "accept", "3", "--by", "UPO2"]),
        "request #3 (UPO2 to cover po in Sprint 4) is now approved\n"
    );
    assert_eq!(
        statuses(&team),
        ["#2 pending", "#1 approved", "#3 approved"]
    );
    let changes: Vec<String> = team
        .json(&["audit", "--limit", "20"])
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["action"] == "discipline.approval")
        .map(|row| format!("{} {} {}", row["entity_id"], row["before"], row["after"]))
        .collect();
    assert_eq!(changes.len(), 3, "{changes:?}");
}
