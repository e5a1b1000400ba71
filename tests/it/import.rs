//! `import-legacy`: the old bot's JSON files, imported through the real binary into a real
//! database, checked row by row.

use std::path::{Path, PathBuf};

use expect_test::{Expect, expect};
use rusqlite::Connection;
use tempfile::TempDir;
use triage_bot::store::{Store, StoreOptions};

use crate::cli::{stderr, stdout};

/// Inside sprint 1 (FY26 Sp2) of the `full` fixture.
const FULL_CLOCK: &str = "2026-01-26T10:00:00-08:00";
/// Inside sprint 1 (FY26 Sp6) of the `present` fixture.
const PRESENT_CLOCK: &str = "2026-03-12T10:00:00-07:00";

fn fixture(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/legacy")
        .join(case)
}

/// Runs `triage-bot` in `dir` with the clock pinned at `clock` and no other TRIAGE_* settings.
pub fn triage_at(dir: &Path, clock: &str, args: &[&str]) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_triage-bot"));
    command.current_dir(dir).args(args);
    for (name, _) in std::env::vars() {
        if name.starts_with("TRIAGE_") || name.starts_with("SLACK_") {
            command.env_remove(name);
        }
    }
    command.env("TRIAGE_CLOCK_START", clock).output().unwrap()
}

/// Runs `import-legacy` on a fixture in `dir` (database `dir/triage.db`), in sprint 1 of `full`.
fn import(dir: &TempDir, case: &str, extra: &[&str]) -> std::process::Output {
    import_from(dir, &fixture(case), FULL_CLOCK, extra)
}

fn import_from(dir: &TempDir, source: &Path, clock: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["import-legacy", source.to_str().unwrap()];
    args.extend_from_slice(extra);
    triage_at(dir.path(), clock, &args)
}

/// The `present` fixture with some of its files replaced, in a temporary directory.
fn present_with(replaced: &[(&str, &str)]) -> TempDir {
    let source = tempfile::tempdir().unwrap();
    for file in ["sprints.json", "disciplines.json", "currentState.json"] {
        std::fs::copy(fixture("present").join(file), source.path().join(file)).unwrap();
    }
    for (file, text) in replaced {
        std::fs::write(source.path().join(file), text).unwrap();
    }
    source
}

/// `who` and `schedule` at `clock`, one after the other.
fn who_and_schedule(dir: &TempDir, clock: &str) -> String {
    let mut text = String::new();
    for args in [&["who"][..], &["schedule", "--count", "2"]] {
        let output = triage_at(dir.path(), clock, args);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        text.push_str(&stdout(&output));
    }
    text
}

#[track_caller]
fn check_run(output: &std::process::Output, status: i32, out: Expect, err: Expect) {
    assert_eq!(output.status.code(), Some(status), "{}", stderr(output));
    out.assert_eq(&stdout(output));
    err.assert_eq(&stderr(output));
}

fn db(dir: &TempDir) -> PathBuf {
    dir.path().join("triage.db")
}

fn store(dir: &TempDir) -> Store {
    Store::open(&db(dir), StoreOptions::default()).unwrap().0
}

/// Every table's row count, or `None` when the database does not exist.
fn row_counts(dir: &TempDir) -> Option<Vec<(String, i64)>> {
    if !db(dir).exists() {
        return None;
    }
    let conn = Connection::open(db(dir)).unwrap();
    let tables = [
        "disciplines",
        "members",
        "sprints",
        "overrides",
        "current_state",
        "rotation_turns",
        "audit_log",
    ];
    Some(
        tables
            .iter()
            .map(|table| {
                let sql = format!("SELECT count(*) FROM {table}");
                let n = conn.query_row(&sql, [], |row| row.get(0)).unwrap();
                (table.to_string(), n)
            })
            .collect(),
    )
}

/// The imported data as text, one line per row, in display / rotation / index order.
fn contents(dir: &TempDir) -> String {
    let store = store(dir);
    let mut lines = Vec::new();
    for d in store.disciplines().unwrap() {
        lines.push(format!(
            "discipline {} {:?} position {}",
            d.key, d.name, d.position
        ));
    }
    for m in store.members(None).unwrap() {
        let active = if m.active { "active" } else { "inactive" };
        lines.push(format!(
            "member {} #{} {} {:?} {active}",
            m.discipline, m.rotation_order, m.slack_id, m.name
        ));
    }
    for s in store.sprints().unwrap() {
        lines.push(format!(
            "sprint {} {:?} {} {}",
            s.index, s.name, s.start, s.end
        ));
    }
    for o in store.overrides(None).unwrap() {
        lines.push(format!(
            "override sprint {} {} {} -> {} by {} original {:?} decided by {:?}",
            o.sprint,
            o.discipline,
            o.status,
            o.replacement,
            o.requested_by,
            o.original.map(|u| u.to_string()),
            o.decided_by
        ));
    }
    for c in store.current_state().unwrap() {
        lines.push(format!(
            "state {} sprint {:?} {:?}",
            c.discipline,
            c.sprint.map(|s| s.get()),
            c.slack_id.map(|u| u.to_string())
        ));
    }
    let conn = Connection::open(db(dir)).unwrap();
    let mut statement = conn
        .prepare(
            "SELECT sprint_index, discipline, slack_id, source FROM rotation_turns
             ORDER BY sprint_index, discipline",
        )
        .unwrap();
    let turns = statement
        .query_map([], |row| {
            let (sprint, discipline, person, source): (i64, String, Option<String>, String) =
                (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
            Ok(format!(
                "turn sprint {sprint} {discipline} {person:?} {source}"
            ))
        })
        .unwrap();
    lines.extend(turns.map(Result::unwrap));
    lines.push(format!("audit rows {}", store.audit_count().unwrap()));
    lines.join("\n") + "\n"
}

const FULL_SUMMARY: &str = "disciplines: 5 created; members: 11 created, 1 duplicate merged; \
    sprints: 4 created, 1 duplicate merged; overrides: 4 created (1 superseded), \
    2 duplicates merged; on duty: 3 kept; current state of sprint 1: 5 set\n";

#[test]
fn import_a_full_legacy_directory() {
    let dir = tempfile::tempdir().unwrap();
    let output = import(&dir, "full", &["--by", "U0ADMIN01"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), FULL_SUMMARY);
    expect![[r#"
        discipline account "Account" position 1
        discipline producer "Producer" position 2
        discipline po "Product Owner" position 3
        discipline uiEng "UI Engineering" position 4
        discipline beEng "Backend Engineering" position 5
        member account #1 U0AC00001 "Fay Wu" active
        member account #2 U0AC00002 "Gus Ito" active
        member producer #1 U0PR00001 "Hal Kim" active
        member po #1 U0PO00001 "Ivy Ng" active
        member po #2 U0PO00002 "Jon Ek" active
        member uiEng #1 U0UI00001 "Ana Lima" active
        member uiEng #2 U0UI00002 "Ben Ode" inactive
        member uiEng #3 U0UI00003 "Cy Park" active
        member beEng #1 U0BE00001 "Dee Roy" active
        member beEng #2 U0BE00002 "Eli Sato" active
        member beEng #3 U0UI00003 "Cy Park" active
        sprint 0 "FY26 Sp1" 2026-01-05 2026-01-19
        sprint 1 "FY26 Sp2" 2026-01-19 2026-02-02
        sprint 2 "FY26 Sp3" 2026-02-02 2026-02-16
        sprint 3 "FY26 Sp4" 2026-02-16 2026-03-02
        override sprint 1 uiEng superseded -> U0UI00003 by U0UI00002 original None decided by Some("U0AD00001")
        override sprint 1 uiEng approved -> U0UI00001 by U0UI00003 original None decided by Some("U0AD00002")
        override sprint 2 beEng pending -> U0BE00002 by U0BE00001 original None decided by None
        override sprint 3 po approved -> U0PO00002 by U0PO00001 original None decided by Some("U0ADMIN01")
        state account sprint Some(1) Some("U0AC00002")
        state beEng sprint Some(1) Some("U0BE00002")
        state po sprint Some(1) Some("U0PO00001")
        state producer sprint Some(1) Some("U0PR00001")
        state uiEng sprint Some(1) Some("U0UI00001")
        turn sprint 1 account Some("U0AC00002") rotation
        turn sprint 1 beEng Some("U0BE00002") rotation
        turn sprint 1 po Some("U0PO00001") rotation
        turn sprint 1 producer Some("U0PR00001") rotation
        turn sprint 1 uiEng Some("U0UI00003") rotation
        audit rows 38
    "#]].assert_eq(&contents(&dir));
}

#[test]
fn import_the_same_directory_twice_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(stdout(&import(&dir, "full", &[])), FULL_SUMMARY);
    let (counts, rows) = (row_counts(&dir), contents(&dir));
    check_run(
        &import(&dir, "full", &[]),
        0,
        expect![[r#"
            disciplines: 0 created, 5 already present; members: 0 created, 11 already present, 1 duplicate merged; sprints: 0 created, 4 already present, 1 duplicate merged; overrides: 0 created, 4 already present, 2 duplicates merged; on duty: 0 kept, 3 already present; current state of sprint 1: 0 set, 5 already present
        "#]],
        expect![[""]],
    );
    assert_eq!(row_counts(&dir), counts);
    assert_eq!(contents(&dir), rows);
}

#[test]
fn import_dry_run_prints_the_summary_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    store(&dir);
    let before = row_counts(&dir);
    let output = import(&dir, "full", &["--dry-run"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        format!("dry run, nothing was written: {FULL_SUMMARY}")
    );
    assert_eq!(row_counts(&dir), before);
    // After a real import, a dry run reports everything as already present.
    import(&dir, "full", &[]);
    let after = row_counts(&dir);
    check_run(
        &import(&dir, "full", &["--dry-run"]),
        0,
        expect![[r#"
            dry run, nothing was written: disciplines: 0 created, 5 already present; members: 0 created, 11 already present, 1 duplicate merged; sprints: 0 created, 4 already present, 1 duplicate merged; overrides: 0 created, 4 already present, 2 duplicates merged; on duty: 0 kept, 3 already present; current state of sprint 1: 0 set, 5 already present
        "#]],
        expect![[""]],
    );
    assert_eq!(row_counts(&dir), after);
}

#[test]
fn import_conflicting_entries_lists_every_conflict_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    import(&dir, "sprints-only", &[]);
    let before = (row_counts(&dir), contents(&dir));
    check_run(
        &import(&dir, "conflicts", &[]),
        2,
        expect![[""]],
        expect![[r#"
            error: the legacy files contradict themselves, nothing was imported:
              - disciplines.json: U0UI00001 is listed twice in uiEng, as "Ana Lima" (active) and as "Ana Lima-Berg" (active)
              - disciplines.json: U0BE00001 is listed twice in beEng, as "Dee Roy" (active) and as "Dee Roy" (inactive)
              - sprints.json: sprint 1 is listed as "FY26 Sp2" 2026-01-19 to 2026-02-02 and as "FY26 Sp2" 2026-01-20 to 2026-02-03
              - sprints.json: sprint 0 is listed as "FY26 Sp1" 2026-01-05 to 2026-01-19 and as "FY26 Sp1 (renamed)" 2026-01-05 to 2026-01-19
        "#]],
    );
    assert_eq!((row_counts(&dir), contents(&dir)), before);
}

#[test]
fn import_sprints_whose_dates_go_backwards_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    check_run(
        &import(&dir, "unordered", &[]),
        2,
        expect![[""]],
        expect![[r#"
            error: import failed, nothing was changed: sprint 1 (FY26 Sp2): FY26 Sp2 must start after FY26 Sp1, which starts on 2026-01-05
        "#]],
    );
    assert_eq!(store(&dir).sprints().unwrap(), vec![]);
    assert_eq!(store(&dir).audit_count().unwrap(), 0);
}

#[test]
fn import_sprints_that_overlap_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    check_run(
        &import(&dir, "overlapping", &[]),
        2,
        expect![[""]],
        expect![[r#"
            error: import failed, nothing was changed: sprint 1 (FY26 Sp2): FY26 Sp2 (2026-01-12 to 2026-01-26) would overlap FY26 Sp1 (2026-01-05 to 2026-01-19); sprints may share only a boundary day (one ends the day the next starts)
        "#]],
    );
    assert_eq!(store(&dir).sprints().unwrap(), vec![]);
    assert_eq!(store(&dir).audit_count().unwrap(), 0);
}

#[test]
fn import_sprints_that_differ_from_the_database_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    import(&dir, "full", &[]);
    let before = (row_counts(&dir), contents(&dir));
    check_run(
        &import(&dir, "renamed-sprint", &[]),
        2,
        expect![[""]],
        expect![[r#"
            error: import failed, nothing was changed: sprint 0 (Sprint One): sprint 0 already exists with different dates or name
        "#]],
    );
    assert_eq!((row_counts(&dir), contents(&dir)), before);
}

#[test]
fn import_malformed_files_name_the_file_and_the_problem() {
    let cases = [
        (
            "malformed-json",
            expect![[r#"
            error: overrides.json: not valid JSON: key must be a string at line 3 column 1
        "#]],
        ),
        (
            "wrong-shape",
            expect![[r#"
            error: sprints.json: unexpected content: missing field `endDate` at line 2 column 57
        "#]],
        ),
        (
            "invalid-entry",
            expect![[r#"
            error: disciplines.json: uiEng entry 2 ("Ben Ode"): slackId: `ben.ode` is not a Slack user id (expected something like U024BE7LH)
        "#]],
        ),
        (
            "no-such-directory",
            expect![[r#"
            error: <repo>/tests/fixtures/legacy/no-such-directory does not exist
        "#]],
        ),
        (
            "full/sprints.json",
            expect![[r#"
            error: <repo>/tests/fixtures/legacy/full/sprints.json is not a directory
        "#]],
        ),
    ];
    for (case, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        let output = import(&dir, case, &[]);
        assert_eq!(output.status.code(), Some(2), "{case}");
        assert_eq!(stdout(&output), "", "{case}");
        expected.assert_eq(&stderr(&output).replace(env!("CARGO_MANIFEST_DIR"), "<repo>"));
        assert_eq!(row_counts(&dir), None, "{case}: nothing is created");
    }
}

#[test]
fn import_a_directory_without_any_legacy_file_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("notes.txt"), "not a legacy file").unwrap();
    let output = import_from(&dir, empty.path(), FULL_CLOCK, &[]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
    expect![[r#"
        error: <empty> holds none of the legacy files (sprints.json, disciplines.json, overrides.json, currentState.json), nothing was imported
    "#]]
    .assert_eq(&stderr(&output).replace(empty.path().to_str().unwrap(), "<empty>"));
    assert_eq!(row_counts(&dir), None, "no database is created");

    // Into an existing database: still refused, and nothing changes.
    import(&dir, "full", &[]);
    let before = (row_counts(&dir), contents(&dir));
    let output = import_from(&dir, empty.path(), FULL_CLOCK, &[]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!((row_counts(&dir), contents(&dir)), before);
}

#[test]
fn import_absent_files_are_fine_when_one_is_there() {
    let dir = tempfile::tempdir().unwrap();
    check_run(
        &import(&dir, "sprints-only", &[]),
        0,
        expect![[r#"
            disciplines: 0 created; members: 0 created; sprints: 1 created; overrides: 0 created; on duty: 0 kept; current state of sprint 0: 0 set
        "#]],
        expect![[""]],
    );
}

#[test]
fn import_keeps_the_old_bots_people_on_duty_now() {
    // The rotation alone would put Ben and Eli on duty in sprint 1; the old bot had Cy and Dee.
    let dir = tempfile::tempdir().unwrap();
    check_run(
        &import_from(&dir, &fixture("present"), PRESENT_CLOCK, &[]),
        0,
        expect![[r#"
            disciplines: 2 created; members: 5 created; sprints: 3 created; overrides: 0 created; on duty: 2 kept; current state of sprint 1: 2 set
        "#]],
        expect![[""]],
    );
    expect![[r#"
        FY26 Sp6, in force until 2026-03-16 08:00 PDT
          UI Engineering       Cy Park (U0UI00003)  rotation
          Backend Engineering  Dee Roy (U0BE00001)  rotation
        SPRINT    DATES                     UI Engineering  Backend Engineering
        FY26 Sp6  2026-03-02 to 2026-03-15  Cy Park         Dee Roy (back-to-back)
        FY26 Sp7  2026-03-16 to 2026-03-29  Ana Lima        Eli Sato
        double: on duty for two disciplines in the sprint; back-to-back: on duty in the sprint before or after too
    "#]]
    .assert_eq(&who_and_schedule(&dir, PRESENT_CLOCK));
    // Until the next handoff, and the rotation continues after them.
    expect![[r#"
        FY26 Sp7, in force until 2026-03-30 08:00 PDT
          UI Engineering       Ana Lima (U0UI00001)  rotation
          Backend Engineering  Eli Sato (U0BE00002)  rotation
        SPRINT    DATES                     UI Engineering  Backend Engineering
        FY26 Sp7  2026-03-16 to 2026-03-29  Ana Lima        Eli Sato
    "#]]
    .assert_eq(&who_and_schedule(&dir, "2026-03-16T09:00:00-07:00"));
    let rows = contents(&dir);
    check_run(
        &import_from(&dir, &fixture("present"), PRESENT_CLOCK, &[]),
        0,
        expect![[r#"
            disciplines: 0 created, 2 already present; members: 0 created, 5 already present; sprints: 0 created, 3 already present; overrides: 0 created; on duty: 0 kept, 2 already present; current state of sprint 1: 0 set, 2 already present
        "#]],
        expect![[""]],
    );
    assert_eq!(contents(&dir), rows, "importing again changes nothing");
}

#[test]
fn import_a_stale_current_state_anchors_the_rotation_at_its_own_sprint() {
    // The old bot last ran in sprint 0: its people anchor sprint 0, and sprint 1 continues.
    let source = present_with(&[(
        "currentState.json",
        r#"{ "sprintIndex": 0, "uiEng": "U0UI00003", "beEng": "U0BE00001" }"#,
    )]);
    let dir = tempfile::tempdir().unwrap();
    check_run(
        &import_from(&dir, source.path(), PRESENT_CLOCK, &[]),
        0,
        expect![[r#"
            disciplines: 2 created; members: 5 created; sprints: 3 created; overrides: 0 created; on duty: 2 kept; current state of sprint 1: 2 set
        "#]],
        expect![[r#"
            warning: currentState.json is stale: it is for sprint 0 (FY26 Sp5), but sprint 1 (FY26 Sp6) took over since; its people were kept as sprint 0's turns and the rotation continues from them
        "#]],
    );
    expect![[r#"
        FY26 Sp6, in force until 2026-03-16 08:00 PDT
          UI Engineering       Ana Lima (U0UI00001)  rotation
          Backend Engineering  Eli Sato (U0BE00002)  rotation
        SPRINT    DATES                     UI Engineering  Backend Engineering
        FY26 Sp6  2026-03-02 to 2026-03-15  Ana Lima        Eli Sato
        FY26 Sp7  2026-03-16 to 2026-03-29  Ben Ode         Dee Roy
    "#]]
    .assert_eq(&who_and_schedule(&dir, PRESENT_CLOCK));
}

/// Imports the `present` fixture with `replaced` files; returns the warnings, `who` and
/// `schedule`.
fn import_present_with(replaced: &[(&str, &str)]) -> String {
    let source = present_with(replaced);
    let dir = tempfile::tempdir().unwrap();
    let output = import_from(&dir, source.path(), PRESENT_CLOCK, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    stderr(&output) + &who_and_schedule(&dir, PRESENT_CLOCK)
}

fn current_state(sprint: &str, ui: &str, be: &str) -> String {
    format!(r#"{{ "sprintIndex": {sprint}, "uiEng": "{ui}", "beEng": "{be}" }}"#)
}

#[test]
fn import_people_who_are_not_active_members_are_kept_on_duty_with_a_warning() {
    // Cy is listed but inactive; U0ZZ00001 is not listed in beEng at all.
    let disciplines = r#"{
      "uiEng": [
        { "name": "Ana Lima", "slackId": "U0UI00001" },
        { "name": "Ben Ode", "slackId": "U0UI00002" },
        { "name": "Cy Park", "slackId": "U0UI00003", "active": false }
      ],
      "beEng": [
        { "name": "Dee Roy", "slackId": "U0BE00001" },
        { "name": "Eli Sato", "slackId": "U0BE00002" }
      ]
    }"#;
    let state = current_state("1", "U0UI00003", "U0ZZ00001");
    expect![[r#"
        warning: currentState.json: U0UI00003 is an inactive member of uiEng; kept on duty for sprint 1 all the same
        warning: currentState.json: U0ZZ00001 is not a member of beEng; kept on duty for sprint 1 all the same
        FY26 Sp6, in force until 2026-03-16 08:00 PDT
          UI Engineering       Cy Park (U0UI00003)  rotation
          Backend Engineering  U0ZZ00001            rotation
        SPRINT    DATES                     UI Engineering  Backend Engineering
        FY26 Sp6  2026-03-02 to 2026-03-15  Cy Park         U0ZZ00001
        FY26 Sp7  2026-03-16 to 2026-03-29  Ana Lima        Dee Roy
    "#]]
    .assert_eq(&import_present_with(&[
        ("disciplines.json", disciplines),
        ("currentState.json", &state),
    ]));
}

#[test]
fn import_current_state_for_no_sprint_an_unknown_or_a_future_one_is_left_to_the_rotation() {
    let rotation_alone = [
        "FY26 Sp6, in force until 2026-03-16 08:00 PDT",
        "  UI Engineering       Ben Ode (U0UI00002)   rotation",
        "  Backend Engineering  Eli Sato (U0BE00002)  rotation",
        "SPRINT    DATES                     UI Engineering  Backend Engineering",
        "FY26 Sp6  2026-03-02 to 2026-03-15  Ben Ode         Eli Sato",
        "FY26 Sp7  2026-03-16 to 2026-03-29  Cy Park         Dee Roy",
        "",
    ]
    .join("\n");
    let cases = [
        (
            "null",
            expect![[r#"
                warning: currentState.json: sprintIndex is null, so nobody in it was kept on duty; the rotation decides
            "#]],
        ),
        (
            "7",
            expect![[r#"
                warning: currentState.json: sprint 7 does not exist, so nobody in it was kept on duty; the rotation decides
            "#]],
        ),
        (
            "2",
            expect![[r#"
                warning: currentState.json: sprint 2 (FY26 Sp7) has not started yet, so nobody in it was kept on duty; the rotation decides
            "#]],
        ),
    ];
    for (sprint, warning) in cases {
        let state = current_state(sprint, "U0UI00003", "U0BE00001");
        let text = import_present_with(&[("currentState.json", &state)]);
        let (warnings, duty) = text.split_at(text.find("FY26 Sp6").unwrap());
        warning.assert_eq(warnings);
        assert_eq!(duty, rotation_alone, "sprintIndex {sprint}");
    }
}

#[test]
fn import_current_state_and_an_approved_override_of_the_same_slot() {
    let cover = |replacement: &str| {
        format!(
            r#"[{{ "sprintIndex": 1, "role": "uiEng", "newSlackId": "{replacement}",
                  "requestedBy": "U0UI00002", "approved": true,
                  "timestamp": "2026-03-03T17:00:00Z" }}]"#
        )
    };
    // The override put Cy on: the rotation's own pick (Ben) stays the turn, Cy covers.
    expect![[r#"
        FY26 Sp6, in force until 2026-03-16 08:00 PDT
          UI Engineering       Cy Park (U0UI00003)  override
          Backend Engineering  Dee Roy (U0BE00001)  rotation
        SPRINT    DATES                     UI Engineering           Backend Engineering
        FY26 Sp6  2026-03-02 to 2026-03-15  Cy Park* (back-to-back)  Dee Roy (back-to-back)
        FY26 Sp7  2026-03-16 to 2026-03-29  Cy Park (back-to-back)   Eli Sato
        * covering by approved override
        double: on duty for two disciplines in the sprint; back-to-back: on duty in the sprint before or after too
    "#]]
    .assert_eq(&import_present_with(&[(
        "overrides.json",
        &cover("U0UI00003"),
    )]));
    // The override names someone else: it stays in force, and the rotation continues after Cy.
    expect![[r#"
        warning: currentState.json: U0UI00003 is on duty for uiEng, but an approved override puts U0UI00001 on duty in sprint 1; the override stays in force
        FY26 Sp6, in force until 2026-03-16 08:00 PDT
          UI Engineering       Ana Lima (U0UI00001)  override
          Backend Engineering  Dee Roy (U0BE00001)   rotation
        SPRINT    DATES                     UI Engineering            Backend Engineering
        FY26 Sp6  2026-03-02 to 2026-03-15  Ana Lima* (back-to-back)  Dee Roy (back-to-back)
        FY26 Sp7  2026-03-16 to 2026-03-29  Ana Lima (back-to-back)   Eli Sato
        * covering by approved override
        double: on duty for two disciplines in the sprint; back-to-back: on duty in the sprint before or after too
    "#]]
    .assert_eq(&import_present_with(&[("overrides.json", &cover("U0UI00001"))]));
}

#[test]
fn import_skips_overrides_for_unknown_sprints_or_non_members_and_lists_them() {
    let overrides = r#"[
      { "sprintIndex": 2, "role": "uiEng", "newSlackId": "U0UI00001", "requestedBy": "U0UI00003",
        "approved": true, "timestamp": "2026-03-10T17:00:00Z" },
      { "sprintIndex": 9, "role": "uiEng", "newSlackId": "U0UI00001", "requestedBy": "U0UI00003",
        "approved": true, "timestamp": "2026-03-10T17:00:00Z" },
      { "sprintIndex": 2, "role": "beEng", "newSlackId": "U0UI00001", "requestedBy": "U0BE00002",
        "approved": false, "timestamp": "2026-03-10T17:00:00Z" },
      { "sprintIndex": 2, "role": "qa", "newSlackId": "U0UI00001", "requestedBy": "U0BE00002",
        "approved": true, "timestamp": "2026-03-10T17:00:00Z" }
    ]"#;
    let source = present_with(&[("overrides.json", overrides)]);
    let dir = tempfile::tempdir().unwrap();
    check_run(
        &import_from(&dir, source.path(), PRESENT_CLOCK, &[]),
        0,
        expect![[r#"
            disciplines: 2 created; members: 5 created; sprints: 3 created; overrides: 1 created, 3 skipped; on duty: 2 kept; current state of sprint 1: 2 set
        "#]],
        expect![[r#"
            warning: overrides.json: entry 2 (sprint 9, uiEng): sprint 9 does not exist, not imported
            warning: overrides.json: entry 3 (sprint 2, beEng): U0UI00001 is not a member of beEng, not imported
            warning: overrides.json: entry 4 (sprint 2, qa): qa is not a discipline, not imported
        "#]],
    );
    let overrides: Vec<String> = contents(&dir)
        .lines()
        .filter(|line| line.starts_with("override"))
        .map(str::to_string)
        .collect();
    expect![[r#"
        [
            "override sprint 2 uiEng approved -> U0UI00001 by U0UI00003 original None decided by Some(\"cli\")",
        ]
    "#]].assert_debug_eq(&overrides);
}

#[test]
fn import_orders_known_disciplines_first_then_others_in_file_order() {
    let dir = tempfile::tempdir().unwrap();
    let output = import(&dir, "extra-disciplines", &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    expect![[r#"
        discipline account "Account" position 1
        discipline beEng "Backend Engineering" position 2
        discipline qa "qa" position 3
        discipline design "design" position 4
        member qa #1 U0QA00001 "Kim Lu" active
        member design #1 U0DE00001 "Lee Mo" active
        audit rows 6
    "#]]
    .assert_eq(&contents(&dir));
}

/// Inside FY26 Sp6 (sprint 1) of `examples/legacy`, the example the README documents.
const EXAMPLE_CLOCK: &str = "2026-03-20T10:00:00-07:00";

#[test]
fn import_the_documented_example_directory() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/legacy");
    let dir = tempfile::tempdir().unwrap();
    check_run(
        &import_from(&dir, &example, EXAMPLE_CLOCK, &["--by", "U0EXPO001"]),
        0,
        expect![[r#"
            disciplines: 3 created; members: 8 created; sprints: 4 created; overrides: 1 created; on duty: 3 kept; current state of sprint 1: 3 set
        "#]],
        expect![[""]],
    );
    expect![[r#"
        discipline po "Product Owner" position 1
        discipline uiEng "UI Engineering" position 2
        discipline beEng "Backend Engineering" position 3
        member po #1 U0EXPO001 "Priya Shah" active
        member po #2 U0EXPO002 "Tom Berg" active
        member uiEng #1 U0EXUI001 "Ana Lima" active
        member uiEng #2 U0EXUI002 "Ben Ode" inactive
        member uiEng #3 U0EXUI003 "Cy Park" active
        member beEng #1 U0EXBE001 "Dee Roy" active
        member beEng #2 U0EXBE002 "Eli Sato" active
        member beEng #3 U0EXBE003 "Fay Wu" active
        sprint 0 "FY26 Sp5" 2026-03-02 2026-03-16
        sprint 1 "FY26 Sp6" 2026-03-16 2026-03-30
        sprint 2 "FY26 Sp7" 2026-03-30 2026-04-13
        sprint 3 "FY26 Sp8" 2026-04-13 2026-04-27
        override sprint 2 uiEng approved -> U0EXUI003 by U0EXUI001 original None decided by Some("U0EXPO001")
        state beEng sprint Some(1) Some("U0EXBE002")
        state po sprint Some(1) Some("U0EXPO002")
        state uiEng sprint Some(1) Some("U0EXUI003")
        turn sprint 1 beEng Some("U0EXBE002") rotation
        turn sprint 1 po Some("U0EXPO002") rotation
        turn sprint 1 uiEng Some("U0EXUI003") rotation
        audit rows 24
    "#]]
    .assert_eq(&contents(&dir));
    expect![[r#"
        FY26 Sp6, in force until 2026-03-30 08:00 PDT
          Product Owner        Tom Berg (U0EXPO002)  rotation
          UI Engineering       Cy Park (U0EXUI003)   rotation
          Backend Engineering  Eli Sato (U0EXBE002)  rotation
        SPRINT    DATES                     Product Owner  UI Engineering           Backend Engineering
        FY26 Sp6  2026-03-16 to 2026-03-30  Tom Berg       Cy Park (back-to-back)   Eli Sato
        FY26 Sp7  2026-03-30 to 2026-04-13  Priya Shah     Cy Park* (back-to-back)  Fay Wu
        * covering by approved override
        double: on duty for two disciplines in the sprint; back-to-back: on duty in the sprint before or after too
    "#]]
    .assert_eq(&who_and_schedule(&dir, EXAMPLE_CLOCK));
}

#[test]
fn import_names_with_control_characters_is_refused_and_changes_nothing() {
    for (disciplines, expected) in [
        (
            r#"{ "uiEng": [{ "name": "Ana\tLima", "slackId": "U0UI00001" }] }"#,
            expect![[r#"
                error: disciplines.json: uiEng entry 1 ("Ana\tLima"): name: a member's name cannot contain control characters (found U+0009 tab)
            "#]],
        ),
        (
            r#"{ "uiEng": [{ "name": "Ana \u202eamiL", "slackId": "U0UI00001" }] }"#,
            expect![[r#"
                error: disciplines.json: uiEng entry 1 ("Ana \u{202e}amiL"): name: a member's name cannot contain control characters (found U+202E right-to-left override)
            "#]],
        ),
    ] {
        let source = present_with(&[("disciplines.json", disciplines)]);
        let dir = tempfile::tempdir().unwrap();
        check_run(
            &import_from(&dir, source.path(), PRESENT_CLOCK, &[]),
            2,
            expect![[""]],
            expected,
        );
        assert_eq!(row_counts(&dir), None, "nothing is created");
    }
}
