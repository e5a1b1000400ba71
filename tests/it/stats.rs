//! `triage-bot stats` on fixture histories whose counts are worked out by hand: sprints recorded
//! by moving the clock past their handoffs, covers approved, an away swap, turns passed over by
//! double-duty avoidance, roster edits after the fact; then `--json` compared exactly and the
//! text table as a snapshot.

use expect_test::expect;
use serde_json::json;

use super::commands::Team;

/// UI (Ana, Ben, Cy) and Backend (Di, Ed), six two-week sprints from Mon 2026-03-02, and this
/// history, each step at its own moment:
///
/// - Sprint 1 (Mar 2): UI Ana, Backend Di, as the rotation picked.
/// - Sprint 2 (Mar 16): UI Ben, covered by Cy (approved); Backend Ed.
/// - Sprint 3 (Mar 30): UI Cy; Backend Di, away, so the bot swapped Di and Ed: Ed serves it.
/// - Sprint 4 (Apr 13, in force at the end): UI Ana; Backend Di (the other half of the swap).
/// - Sprint 6 (May 11, not started): Cy's UI turn covered by Ana (approved; it does not count).
///
fn history() -> Team {
    let mut team = Team::new("2026-03-01T12:00:00-08:00");
    team.ok(&["discipline", "add", "ui", "--name", "UI"]);
    team.ok(&["discipline", "add", "be", "--name", "Backend"]);
    for (id, discipline, name) in [
        ("UANA", "ui", "Ana"),
        ("UBEN", "ui", "Ben"),
        ("UCY", "ui", "Cy"),
        ("UDI", "be", "Di"),
        ("UED", "be", "Ed"),
    ] {
        team.ok(&["member", "add", id, discipline, "--name", name]);
    }
    let generate = ["sprint", "generate", "--start", "2026-03-02"];
    team.ok(&[&generate[..], &["--days", "14", "--count", "6"]].concat());
    team.ok(&["admin", "add", "UBOSS"]);
    team.ok(&["discipline", "policy", "be", "--away", "swap-next"]);

    // In Sprint 1.
    team.clock = "2026-03-10T12:00:00-07:00".to_string();
    let ask = |sprint: &str, discipline: &str, replacement: &str, by: &str| {
        let args = ["override", "request", sprint, discipline];
        team.ok(&[&args[..], &["--replacement", replacement, "--by", by]].concat());
    };
    ask("2", "ui", "UCY", "UBEN");
    team.ok(&["override", "accept", "1", "--by", "UCY"]);
    team.ok(&["override", "approve", "1", "--by", "UBOSS", "--confirm"]);
    ask("6", "ui", "UANA", "UCY");
    team.ok(&["override", "accept", "2", "--by", "UANA"]);
    team.ok(&["override", "approve", "2", "--by", "UBOSS", "--confirm"]);
    // Two people take turns in Backend: any swap gives both back-to-back duty, which the
    // default `double-duty = avoid` would refuse.
    let away = ["member", "away", "add", "UDI", "2026-04-01", "2026-04-03"];
    let away = team.json(&[&away[..], &["--double-duty", "allow"]].concat());
    assert_eq!(
        away["swaps"],
        json!([{"discipline": "be", "away": "UDI", "away_sprint": 2,
                "partner": "UED", "partner_sprint": 3, "overrides": [3, 4]}])
    );

    // In Sprint 4.
    team.clock = "2026-04-16T12:00:00-07:00".to_string();
    team
}

fn person(id: &str, name: &str, discipline: &str, counts: [u32; 4]) -> serde_json::Value {
    skipped(id, name, discipline, counts, [0, 0, 0])
}

/// [`person`] with turns passed over, owed turns taken and owed.
fn skipped(
    id: &str,
    name: &str,
    discipline: &str,
    counts: [u32; 4],
    skips: [u32; 3],
) -> serde_json::Value {
    json!({"slack_id": id, "name": name, "discipline": discipline, "served": counts[0],
           "covers_given": counts[1], "covers_received": counts[2], "away_swaps": counts[3],
           "passed_over": skips[0], "owed_turns_taken": skips[1], "owed": skips[2]})
}

#[test]
fn stats_count_the_recorded_history_by_hand() {
    let team = history();
    // Served, covers given, covers received, away swaps. Ben served nothing: Cy covered his
    // one turn.
    let mut people = vec![
        person("UANA", "Ana", "ui", [2, 0, 0, 0]),
        person("UBEN", "Ben", "ui", [0, 0, 1, 0]),
        person("UCY", "Cy", "ui", [2, 1, 0, 0]),
        person("UDI", "Di", "be", [2, 0, 0, 1]),
        person("UED", "Ed", "be", [2, 0, 0, 1]),
    ];
    let expected = |people: &[serde_json::Value]| json!({"since": null, "people": people, "median_served": 2.0});
    assert_eq!(team.json(&["stats"]), expected(&people));
    // Roster edits afterwards change no count: Ben, out of the rotation, keeps his line, and
    // Fay joins with nothing yet.
    team.ok(&["member", "remove", "UBEN", "ui"]);
    team.ok(&["member", "add", "UFAY", "ui", "--name", "Fay"]);
    people.insert(3, person("UFAY", "Fay", "ui", [0, 0, 0, 0]));
    assert_eq!(team.json(&["stats"]), expected(&people));
    expect![[r#"
        DISCIPLINE  PERSON      SERVED  COVERS GIVEN  COVERS RECEIVED  AWAY SWAPS  PASSED OVER  OWED
        UI          Ana (UANA)  2       0             0                0           0            0
        UI          Ben (UBEN)  0       0             1                0           0            0
        UI          Cy (UCY)    2       1             0                0           0            0
        UI          Fay (UFAY)  0       0             0                0           0            0
        Backend     Di (UDI)    2       0             0                1           0            0
        Backend     Ed (UED)    2       0             0                1           0            0
        median sprints served: 2
    "#]]
    .assert_eq(&team.ok(&["stats"]));
}

#[test]
fn since_and_discipline_narrow_the_count() {
    let team = history();
    // From Sprint 3 on: UI Cy and Ana, Backend Ed and Di (both halves of the swap).
    expect![[r#"
        DISCIPLINE  PERSON      SERVED  COVERS GIVEN  COVERS RECEIVED  AWAY SWAPS  PASSED OVER  OWED
        UI          Ana (UANA)  1       0             0                0           0            0
        UI          Ben (UBEN)  0       0             0                0           0            0
        UI          Cy (UCY)    1       0             0                0           0            0
        Backend     Di (UDI)    1       0             0                1           0            0
        Backend     Ed (UED)    1       0             0                1           0            0
        median sprints served: 1, counting sprints that started on or after 2026-03-30
    "#]]
    .assert_eq(&team.ok(&["stats", "--since", "2026-03-30"]));
    let ui = team.json(&["stats", "--discipline", "ui", "--since", "2026-03-16"]);
    assert_eq!(ui["since"], "2026-03-16");
    assert_eq!(ui["median_served"], 1.0);
    let served: Vec<_> = ui["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("{} {}", p["name"].as_str().unwrap(), p["served"]))
        .collect();
    assert_eq!(served, ["Ana 1", "Ben 0", "Cy 2"]);
}

#[test]
fn stats_refuse_a_bad_date_or_discipline() {
    let team = history();
    expect![[r#"
        error: --since must be a date as YYYY-MM-DD, not `garbage`
    "#]]
    .assert_eq(&team.refused(&["stats", "--since", "garbage"]));
    expect![[r#"
        error: --discipline: unknown discipline `nope`: choose one of `ui` (UI), `be` (Backend)
    "#]]
    .assert_eq(&team.refused(&["stats", "--discipline", "nope"]));
}

/// Product (Ana, Ben, Cy) and UI (Ana, Dan, Eve), Product first in display order, eight
/// two-week sprints from Mon 2026-03-02 under the default `double-duty = avoid`, each sprint
/// recorded when it has just started (`who` two days in), up to Sprint 7 (May 25, in force at
/// the end). The plain rotation would put Ana on both in Sprints 1, 4 and 7; instead:
///
/// - Sprint 1: Product Ana; UI passes Ana over (on Product) for Dan.
/// - Sprint 2: Product Ben; UI Eve (Ana, owed, was on Product the sprint before).
/// - Sprint 3: Product Cy; UI Ana, her own turn, which makes up for Sprint 1.
/// - Sprint 4: Product passes Ana over (on UI the sprint before) for Ben; UI Dan.
/// - Sprint 5: Product Ana, the turn owed to her; UI Eve.
/// - Sprint 6: Product Cy; UI passes Ana over (on Product the sprint before) for Dan.
/// - Sprint 7: Product Ana; UI Eve. Ana is still owed a UI turn.
fn avoiding_history() -> Team {
    let mut team = Team::new("2026-03-01T12:00:00-08:00");
    team.ok(&["discipline", "add", "po", "--name", "Product"]);
    team.ok(&["discipline", "add", "ui", "--name", "UI"]);
    for (id, discipline, name) in [
        ("UANA", "po", "Ana"),
        ("UBEN", "po", "Ben"),
        ("UCY", "po", "Cy"),
        ("UANA", "ui", "Ana"),
        ("UDAN", "ui", "Dan"),
        ("UEVE", "ui", "Eve"),
    ] {
        team.ok(&["member", "add", id, discipline, "--name", name]);
    }
    let generate = ["sprint", "generate", "--start", "2026-03-02"];
    team.ok(&[&generate[..], &["--days", "14", "--count", "8"]].concat());
    for day in [
        "03-04", "03-18", "04-01", "04-15", "04-29", "05-13", "05-27",
    ] {
        team.clock = format!("2026-{day}T12:00:00-07:00");
        team.ok(&["who"]);
    }
    team
}

#[test]
fn turns_passed_over_and_owed_are_counted_from_the_recorded_history() {
    let team = avoiding_history();
    expect![[r#"
        SPRINT    DATES                     Product  UI
        Sprint 1  2026-03-02 to 2026-03-15  Ana      Dan
        Sprint 2  2026-03-16 to 2026-03-29  Ben      Eve
        Sprint 3  2026-03-30 to 2026-04-12  Cy       Ana
        Sprint 4  2026-04-13 to 2026-04-26  Ben      Dan
        Sprint 5  2026-04-27 to 2026-05-10  Ana      Eve
        Sprint 6  2026-05-11 to 2026-05-24  Cy       Dan
        Sprint 7  2026-05-25 to 2026-06-07  Ana      Eve
    "#]]
    .assert_eq(&team.ok(&["schedule", "--from", "2026-03-02", "--count", "7"]));
    // Served, covers given, covers received, away swaps; passed over, owed turns taken, owed.
    // Ana: passed over once in Product (Sprint 4) and made up for it (Sprint 5); passed over
    // twice in UI (Sprints 1 and 6), the first made up by her own turn (Sprint 3), the second
    // still owed.
    let mut people = vec![
        skipped("UANA", "Ana", "po", [3, 0, 0, 0], [1, 1, 0]),
        person("UBEN", "Ben", "po", [2, 0, 0, 0]),
        person("UCY", "Cy", "po", [2, 0, 0, 0]),
        skipped("UANA", "Ana", "ui", [1, 0, 0, 0], [2, 0, 1]),
        person("UDAN", "Dan", "ui", [3, 0, 0, 0]),
        person("UEVE", "Eve", "ui", [3, 0, 0, 0]),
    ];
    let expected = |people: &[serde_json::Value], median: f64| json!({"since": null, "people": people, "median_served": median});
    assert_eq!(team.json(&["stats"]), expected(&people, 2.5));

    // Roster edits afterwards change no count: Ana leaves UI (keeping her line), Fay joins it
    // with nothing yet, Eve moves to the front of UI's order, Ana to the back of Product's.
    team.ok(&["member", "remove", "UANA", "ui"]);
    team.ok(&["member", "add", "UFAY", "ui", "--name", "Fay"]);
    team.ok(&["member", "move", "UEVE", "ui", "--to", "1"]);
    team.ok(&["member", "move", "UANA", "po", "--to", "3"]);
    // Only the median moves, as Fay's zero joins the served counts.
    people.insert(6, person("UFAY", "Fay", "ui", [0, 0, 0, 0]));
    assert_eq!(team.json(&["stats"]), expected(&people, 2.0));
    expect![[r#"
        DISCIPLINE  PERSON      SERVED  COVERS GIVEN  COVERS RECEIVED  AWAY SWAPS  PASSED OVER  OWED
        Product     Ana (UANA)  3       0             0                0           1            0
        Product     Ben (UBEN)  2       0             0                0           0            0
        Product     Cy (UCY)    2       0             0                0           0            0
        UI          Ana (UANA)  1       0             0                0           2            1
        UI          Dan (UDAN)  3       0             0                0           0            0
        UI          Eve (UEVE)  3       0             0                0           0            0
        UI          Fay (UFAY)  0       0             0                0           0            0
        median sprints served: 2
    "#]]
    .assert_eq(&team.ok(&["stats"]));

    // From Sprint 5 on: Ana's owed Product turn and her UI skip in Sprint 6 count; what she
    // is still owed is the same whatever the scope.
    let since = team.json(&["stats", "--since", "2026-04-27", "--discipline", "ui"]);
    let ana = &since["people"][0];
    assert_eq!(
        (&ana["slack_id"], &ana["passed_over"], &ana["owed"]),
        (&json!("UANA"), &json!(1), &json!(1))
    );
    let since = team.json(&["stats", "--since", "2026-04-27", "--discipline", "po"]);
    assert_eq!(
        since["people"][0],
        skipped("UANA", "Ana", "po", [2, 0, 0, 0], [0, 1, 0])
    );
}
