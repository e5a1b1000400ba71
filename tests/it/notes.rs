//! `triage-bot notes`: the handoff notes left in the sprints, as JSON and as a table.

use expect_test::expect;
use serde_json::json;
use triage_bot::domain::SprintIndex;
use triage_bot::store::{Store, StoreOptions};

use super::commands::Team;
use super::store::{key, user};

/// UI (Ana) and Backend (Di), three two-week sprints from Mon 2026-03-02; Ana left a note in
/// sprint 1 and replaced it, Di one in sprint 2.
fn team_with_notes() -> Team {
    let team = Team::new("2026-03-01T12:00:00-08:00");
    team.ok(&["discipline", "add", "ui", "--name", "UI"]);
    team.ok(&["discipline", "add", "be", "--name", "Backend"]);
    team.ok(&["member", "add", "UANA", "ui", "--name", "Ana"]);
    team.ok(&["member", "add", "UDI", "be", "--name", "Di"]);
    let generate = ["sprint", "generate", "--start", "2026-03-02"];
    team.ok(&[&generate[..], &["--days", "14", "--count", "3"]].concat());
    let (store, _) =
        Store::open(&team.dir.path().join("triage.db"), StoreOptions::default()).unwrap();
    let t = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
    let notes = [
        (0, "ui", "UANA", "first try", "2026-03-12T17:00:00Z"),
        (
            0,
            "ui",
            "UANA",
            "deploy frozen\nsee #ops",
            "2026-03-13T17:00:00Z",
        ),
        (1, "be", "UDI", "all quiet", "2026-03-27T17:00:00Z"),
    ];
    for (sprint, discipline, author, text, at) in notes {
        let sprint = SprintIndex::new(sprint).unwrap();
        store
            .save_handoff_note(sprint, &key(discipline), &user(author), text, t(at))
            .unwrap();
    }
    team
}

#[test]
fn notes_are_listed_per_sprint_as_json_and_as_a_table() {
    let team = team_with_notes();
    let ana = json!({
        "sprint": 0, "sprint_name": "Sprint 1", "discipline": "ui", "discipline_name": "UI",
        "person": "UANA", "text": "deploy frozen\nsee #ops",
        "created_at": "2026-03-12T10:00:00-07:00", "updated_at": "2026-03-13T10:00:00-07:00",
    });
    let di = json!({
        "sprint": 1, "sprint_name": "Sprint 2", "discipline": "be", "discipline_name": "Backend",
        "person": "UDI", "text": "all quiet",
        "created_at": "2026-03-27T10:00:00-07:00", "updated_at": "2026-03-27T10:00:00-07:00",
    });
    assert_eq!(team.json(&["notes"]), json!({ "notes": [ana, di] }));
    assert_eq!(
        team.json(&["notes", "--sprint", "Sprint 2"]),
        json!({ "notes": [di] })
    );
    assert_eq!(
        team.json(&["notes", "--sprint", "3"]),
        json!({ "notes": [] })
    );
    expect![[r#"
        SPRINT    DISCIPLINE  PERSON  UPDATED               NOTE
        Sprint 1  UI          UANA    2026-03-13 10:00 PDT  deploy frozen / see #ops
        Sprint 2  Backend     UDI     2026-03-27 10:00 PDT  all quiet
    "#]]
    .assert_eq(&team.ok(&["notes"]));
    expect![[r#"
        error: --sprint: no sprint is called `nope`: name a sprint as the schedule shows it ("Sprint 8", or just 8), a day in it (2026-04-06), `now` or `next`
    "#]].assert_eq(&team.refused(&["notes", "--sprint", "nope"]));
}
