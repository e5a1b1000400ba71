//! Absences, away policies and dated joins and leaves from the command line: the real binary on
//! a database in a temporary directory, the clock pinned (Tue 2026-03-10 12:00 in Los Angeles,
//! in Sprint 1 of six two-week sprints from Mon 2026-03-02; see `commands::Team::standard`).

use std::collections::BTreeMap;

use serde_json::Value;

use super::commands::Team;

/// Who holds each (sprint name, discipline) slot in `schedule --json`, with whether they are
/// away.
fn slots(schedule: &Value) -> BTreeMap<(String, String), (String, bool)> {
    let mut slots = BTreeMap::new();
    for sprint in schedule["sprints"].as_array().unwrap() {
        for a in sprint["assignments"].as_array().unwrap() {
            let key = (
                sprint["name"].as_str().unwrap().to_string(),
                a["discipline"].as_str().unwrap().to_string(),
            );
            let who = a["slack_id"].as_str().unwrap_or("-").to_string();
            slots.insert(key, (who, a["away"].as_bool().unwrap()));
        }
    }
    slots
}

/// The slots whose holder differs between two `schedule --json` answers: `sprint/discipline:
/// before → after`.
fn changed(before: &Value, after: &Value) -> Vec<String> {
    let (before, after) = (slots(before), slots(after));
    before
        .iter()
        .filter(|(slot, (who, _))| &after[*slot].0 != who)
        .map(|((sprint, discipline), (who, _))| {
            format!(
                "{sprint}/{discipline}: {who} → {}",
                after[&(sprint.clone(), discipline.clone())].0
            )
        })
        .collect()
}

#[test]
fn an_absence_with_warn_marks_the_duty_and_moves_nothing() {
    let team = Team::standard();
    let before = team.json(&["schedule"]);
    // Ben is on duty for UI in Sprint 2 (Mon Mar 16 to Sun Mar 29).
    let added = team.ok(&[
        "member",
        "away",
        "add",
        "UUI2",
        "2026-03-20",
        "2026-03-22",
        "--reason",
        "family",
    ]);
    assert_eq!(
        added,
        "absence #1 recorded: UUI2 is away from 2026-03-20 to 2026-03-22 (family)\n\
         note: it falls in UUI2's duty for UI Engineering in Sprint 2 (2026-03-16 to 2026-03-29): \
         ask for cover with `triage-bot override request \"Sprint 2\" ui --replacement <U…> --by UUI2`\n"
    );
    let after = team.json(&["schedule"]);
    assert_eq!(changed(&before, &after), Vec::<String>::new());
    let away: Vec<_> = slots(&after)
        .into_iter()
        .filter(|(_, (_, away))| *away)
        .map(|((sprint, discipline), (who, _))| format!("{sprint}/{discipline}: {who}"))
        .collect();
    assert_eq!(away, ["Sprint 2/ui: UUI2"]);
    assert!(
        team.ok(&["schedule"])
            .contains("Sprint 2  2026-03-16 to 2026-03-29  Ben (away)"),
        "{}",
        team.ok(&["schedule"])
    );
    let who = team.ok(&["who", "--at", "2026-03-20"]);
    let ben = who
        .lines()
        .find(|line| line.contains("UI Engineering"))
        .unwrap();
    assert_eq!(
        ben.split_whitespace().collect::<Vec<_>>(),
        ["UI", "Engineering", "Ben", "(UUI2)", "rotation,", "away"],
        "{who}"
    );
    assert_eq!(
        team.json(&["who", "--at", "2026-03-20"])["assignments"][1]["away"],
        false
    );
    // The same days again change nothing; the list shows the absence.
    let again = team.ok(&["member", "away", "add", "UUI2", "2026-03-20", "2026-03-22"]);
    assert!(again.starts_with("absence #1 already recorded"), "{again}");
    let list = team.json(&["member", "away", "list"]);
    assert_eq!(
        list,
        serde_json::json!([{"id": 1, "slack_id": "UUI2", "from": "2026-03-20", "to": "2026-03-22",
                            "reason": "family", "created_by": "cli"}])
    );
    // The person hears of it (delivered by `serve`); the audit log has it.
    let audit = team.json(&["audit", "--limit", "1"]);
    assert_eq!(
        (
            &audit[0]["actor"],
            &audit[0]["action"],
            &audit[0]["entity_id"]
        ),
        (
            &Value::from("cli"),
            &Value::from("away.add"),
            &Value::from("1")
        )
    );
}

#[test]
fn swap_next_changes_exactly_two_slots() {
    let team = Team::standard();
    assert_eq!(
        team.ok(&[
            "discipline",
            "policy",
            "ui",
            "--away",
            "swap-next",
            "--by",
            "UBOSS"
        ]),
        "ui: away policy swap-next (was warn); it applies to absences recorded from now on\n"
    );
    let list = team.ok(&["discipline", "list"]);
    let ui_line = list.lines().find(|l| l.starts_with("ui ")).unwrap();
    assert!(ui_line.ends_with("swap-next"), "{list}");
    assert_eq!(team.json(&["discipline", "list"])[1]["away"], "warn");
    let before = team.json(&["schedule"]);
    // Cy is on duty for UI in Sprint 3 (Mon Mar 30 to Sun Apr 12); Di follows in Sprint 4.
    let added = team.json(&["member", "away", "add", "UUI3", "2026-04-01", "2026-04-03"]);
    assert_eq!(
        added["swaps"],
        serde_json::json!([{"discipline": "ui", "away": "UUI3", "away_sprint": 2,
                            "partner": "UUI4", "partner_sprint": 3, "overrides": [1, 2]}])
    );
    let after = team.json(&["schedule"]);
    assert_eq!(
        changed(&before, &after),
        ["Sprint 3/ui: UUI3 → UUI4", "Sprint 4/ui: UUI4 → UUI3"]
    );
    assert!(slots(&after).values().all(|(_, away)| !away));
    let overrides = team.json(&["override", "list"]);
    let reasons: Vec<&Value> = overrides
        .as_array()
        .unwrap()
        .iter()
        .map(|o| &o["reason"])
        .collect();
    let reason = Value::from("away: UUI3 and UUI4 swapped (absence #1)");
    assert_eq!(reasons, [&reason, &reason]);
    // Removing the absence moves nothing back, and says the swap stays.
    assert_eq!(
        team.ok(&["member", "away", "remove", "1"]),
        "absence #1 of UUI3 (2026-04-01 to 2026-04-03) removed; swaps it caused stay\n"
    );
    assert_eq!(
        changed(&after, &team.json(&["schedule"])),
        Vec::<String>::new()
    );
    // Another discipline keeps warning: Jo (po, Sprint 2) is away, nothing moves.
    let warned = team.json(&["member", "away", "add", "UPO2", "2026-03-17", "2026-03-17"]);
    assert_eq!(warned["swaps"], serde_json::json!([]));
    assert_eq!(
        changed(&after, &team.json(&["schedule"])),
        Vec::<String>::new()
    );
    assert_eq!(
        team.ok(&["discipline", "policy", "ui", "--away", "swap-next"]),
        "ui already has the away policy swap-next; nothing changed\n"
    );
}

#[test]
fn the_sprint_in_force_never_swaps() {
    let team = Team::standard();
    team.ok(&["discipline", "policy", "ui", "--away", "swap-next"]);
    let before = team.json(&["schedule"]);
    // Ana is on duty for UI in Sprint 1, which is in force.
    let added = team.json(&["member", "away", "add", "UUI1", "2026-03-11", "2026-03-12"]);
    assert_eq!(added["swaps"], serde_json::json!([]));
    assert_eq!(added["conflicts"][0]["sprint"]["name"], "Sprint 1");
    assert_eq!(
        changed(&before, &team.json(&["schedule"])),
        Vec::<String>::new()
    );
}

#[test]
fn a_bad_absence_is_refused_and_changes_nothing() {
    let team = Team::standard();
    team.ok(&["member", "away", "add", "UUI2", "2026-03-20", "2026-03-22"]);
    for (args, expected) in [
        (
            vec!["UUI2", "2026-03-25", "2026-03-21"],
            "an absence cannot end (2026-03-21) before it starts (2026-03-25)",
        ),
        (
            vec!["UUI2", "2026-03-01", "2026-03-09"],
            "that absence ended on 2026-03-09, before today (2026-03-10); only current and future absences are kept",
        ),
        (
            vec!["UUI2", "2026-03-22", "2026-03-24"],
            "UUI2 is already away from 2026-03-20 to 2026-03-22 (absence #1); remove it first to record different days",
        ),
        (
            vec!["UUI2", "9999-01-01", "9999-01-02"],
            "an absence can start at most 2 years ahead (before 2028-03-11)",
        ),
        (
            vec!["UNOBODY", "2026-03-20", "2026-03-22"],
            "UNOBODY is not a member of any discipline",
        ),
        (
            vec!["UUI2", "2026-04-31", "2026-05-01"],
            "the first day must be a date as YYYY-MM-DD, not `2026-04-31`",
        ),
    ] {
        let mut all = vec!["member", "away", "add"];
        all.extend(args.iter().copied());
        let error = team.refused(&all);
        assert!(error.contains(expected), "{all:?}: {error}");
    }
    let error = team.refused(&["member", "away", "remove", "9"]);
    assert!(error.contains("absence #9 does not exist"), "{error}");
    assert_eq!(
        team.ok(&["member", "away", "remove", "#1"]),
        "absence #1 of UUI2 (2026-03-20 to 2026-03-22) removed\n"
    );
    assert_eq!(
        team.json(&["member", "away", "list"]),
        serde_json::json!([])
    );
    let error = team.refused(&["member", "away", "remove", "1"]);
    assert!(error.contains("absence #1 does not exist"), "{error}");
}

#[test]
fn a_join_and_a_leave_take_effect_at_the_right_handoff() {
    let mut team = Team::standard();
    // Ana leaves from Sprint 3 (starts Mon Mar 30); Zed joins at Sprint 4 (the first sprint
    // starting on or after Tue Mar 31: Mon Apr 13).
    assert_eq!(
        team.ok(&["member", "leave", "UUI1", "ui", "--on", "2026-03-30"]),
        "change #1: UUI1 leaves ui at the handoff of Sprint 3 (2026-03-30 08:00 PDT)\n\
         this moves the duties of 3 people over the next 8 sprints: Ana (UUI1), Ben (UUI2), Cy (UUI3)\n"
    );
    assert_eq!(
        team.ok(&[
            "member",
            "join",
            "UUI9",
            "ui",
            "--on",
            "2026-03-31",
            "--name",
            "Zed"
        ]),
        "change #2: UUI9 joins ui at the handoff of Sprint 4 (2026-04-13 08:00 PDT)\n\
         this moves the duties of 3 people over the next 8 sprints: Ben (UUI2), Cy (UUI3), UUI9\n"
    );
    let ui = |team: &Team| -> Vec<String> {
        let schedule = team.json(&["schedule", "--from", "2026-03-02"]);
        schedule["sprints"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                s["assignments"][0]["slack_id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    // The schedule already shows the sprints after each handoff as they will be.
    let projected = ["UUI1", "UUI2", "UUI3", "UUI4", "UUI9", "UUI2"];
    assert_eq!(ui(&team), projected);
    let listed = team.ok(&["member", "list", "--discipline", "ui"]);
    assert!(
        listed.ends_with(
            "scheduled:\n\
             CHANGE  DISCIPLINE  SLACK ID  WHAT   ON          TAKES EFFECT\n\
             #1      ui          UUI1      leave  2026-03-30  at the handoff of Sprint 3 (2026-03-30 08:00 PDT)\n\
             #2      ui          UUI9      join   2026-03-31  at the handoff of Sprint 4 (2026-04-13 08:00 PDT)\n"
        ),
        "{listed}"
    );
    let json = team.json(&["member", "list", "--discipline", "ui"]);
    assert_eq!(json[0]["pending"]["change"], "leave");
    assert_eq!(json[0]["pending"]["sprint"]["name"], "Sprint 3");
    assert_eq!(json[1]["pending"], Value::Null);
    assert_eq!(
        json[4],
        serde_json::json!({"slack_id": "UUI9", "discipline": "ui", "name": "Zed", "position": null,
                           "active": false, "pending": {"id": 2, "change": "join", "on": "2026-03-31",
                           "sprint": {"index": 3, "name": "Sprint 4", "start": "2026-04-13", "end": "2026-04-26"}}})
    );
    let active = |team: &Team| -> Vec<(String, bool)> {
        team.json(&["member", "list", "--discipline", "ui"])
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["slack_id"].as_str().unwrap().to_string(),
                    m["active"].as_bool().unwrap(),
                )
            })
            .collect()
    };
    // A minute before Sprint 3's handoff nothing has changed.
    team.clock = "2026-03-30T07:59:00-07:00".into();
    assert_eq!(team.json(&["who"])["assignments"][0]["slack_id"], "UUI2");
    assert_eq!(active(&team)[0], ("UUI1".to_string(), true));
    // At the handoff Ana leaves, before Sprint 3 is recorded.
    team.clock = "2026-03-30T08:00:00-07:00".into();
    assert_eq!(team.json(&["who"])["assignments"][0]["slack_id"], "UUI3");
    assert_eq!(active(&team)[0], ("UUI1".to_string(), false));
    assert_eq!(
        active(&team)[4],
        ("UUI9".to_string(), false),
        "Zed is only scheduled"
    );
    // At Sprint 4's handoff Zed joins; what happened is what the schedule showed.
    team.clock = "2026-04-13T09:00:00-07:00".into();
    assert_eq!(team.json(&["who"])["assignments"][0]["slack_id"], "UUI4");
    assert_eq!(active(&team)[4], ("UUI9".to_string(), true));
    assert_eq!(ui(&team), projected);
    assert!(!team.ok(&["member", "list"]).contains("scheduled:"));
    let audit = team.json(&["audit", "--limit", "60"]);
    let applied: Vec<(&Value, &Value)> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "roster_change.apply")
        .map(|e| (&e["actor"], &e["entity_id"]))
        .collect();
    let bot = Value::from("triage-bot");
    assert_eq!(
        applied,
        [(&bot, &Value::from("2")), (&bot, &Value::from("1"))]
    );
}

#[test]
fn a_dated_change_is_checked_and_can_be_cancelled() {
    let team = Team::standard();
    for (args, expected) in [
        (
            vec!["join", "UUI1", "ui", "--on", "2026-04-01"],
            "UUI1 is already an active member of ui",
        ),
        (
            vec!["leave", "UUI9", "ui", "--on", "2026-04-01"],
            "UUI9 is not an active member of ui",
        ),
        (
            vec!["join", "UUI9", "ui", "--on", "2026-03-09"],
            "2026-03-09 is in the past",
        ),
        (
            vec!["join", "UUI9", "nope", "--on", "2026-04-01"],
            "unknown discipline `nope`",
        ),
    ] {
        let mut all = vec!["member"];
        all.extend(args.iter().copied());
        let error = team.refused(&all);
        assert!(error.contains(expected), "{all:?}: {error}");
    }
    team.ok(&["member", "join", "UUI9", "ui", "--on", "2026-04-01"]);
    let again = team.ok(&["member", "join", "UUI9", "ui", "--on", "2026-04-01"]);
    assert!(
        again.contains("(already scheduled; nothing changed)\nthis moves nobody's duties"),
        "{again}"
    );
    let error = team.refused(&["member", "leave", "UUI9", "ui", "--on", "2026-04-20"]);
    assert!(
        error.contains(
            "a join of UUI9 in ui on 2026-04-01 is already scheduled (change #1); cancel it first"
        ),
        "{error}"
    );
    let schedule = |team: &Team| team.ok(&["schedule", "--count", "6"]);
    let with_join = schedule(&team);
    assert_eq!(
        team.ok(&["member", "join", "UUI9", "ui", "--cancel"]),
        "cancelled: the join of UUI9 in ui on 2026-04-01 (change #1)\n\
         this moves the duties of 3 people over the next 8 sprints: Ana (UUI1), Ben (UUI2), UUI9\n"
    );
    assert_ne!(schedule(&team), with_join);
    assert!(!schedule(&team).contains("UUI9"));
    let error = team.refused(&["member", "join", "UUI9", "ui", "--cancel"]);
    assert!(
        error.contains("no join of UUI9 in ui is scheduled"),
        "{error}"
    );
}
