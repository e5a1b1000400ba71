//! `import-legacy`: the old bot's JSON files, imported through the real binary into a real
//! database, checked row by row.

use std::path::{Path, PathBuf};

use expect_test::{Expect, expect};
use rusqlite::Connection;
use tempfile::TempDir;
use triage_bot::store::{Store, StoreOptions};

use crate::cli::{stderr, stdout, triage};

fn fixture(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/legacy")
        .join(case)
}

/// Runs `import-legacy` on a fixture in `dir` (database `dir/triage.db`).
fn import(dir: &TempDir, case: &str, extra: &[&str]) -> std::process::Output {
    let source = fixture(case);
    let mut args = vec!["import-legacy", source.to_str().unwrap()];
    args.extend_from_slice(extra);
    triage(dir.path(), &args)
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
    lines.push(format!("audit rows {}", store.audit_count().unwrap()));
    lines.join("\n") + "\n"
}

const FULL_SUMMARY: &str = "disciplines: 5 created; members: 11 created, 1 duplicate merged; \
    sprints: 4 created, 1 duplicate merged; overrides: 4 created (1 superseded), \
    2 duplicates merged; current state: 5 set\n";

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
        state beEng sprint Some(1) None
        state po sprint Some(1) Some("U0PO00001")
        state producer sprint Some(1) Some("U0PR00001")
        state uiEng sprint Some(1) Some("U0UI00001")
        audit rows 33
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
            disciplines: 0 created, 5 already present; members: 0 created, 11 already present, 1 duplicate merged; sprints: 0 created, 4 already present, 1 duplicate merged; overrides: 0 created, 4 already present, 2 duplicates merged; current state: 0 set, 5 already present
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
            dry run, nothing was written: disciplines: 0 created, 5 already present; members: 0 created, 11 already present, 1 duplicate merged; sprints: 0 created, 4 already present, 1 duplicate merged; overrides: 0 created, 4 already present, 2 duplicates merged; current state: 0 set, 5 already present
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
            error: import failed, nothing was changed: sprint 1 (FY26 Sp2): sprint 1 must start after sprint 0 (FY26 Sp1), which starts on 2026-01-05
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
            error: import failed, nothing was changed: sprint 1 (FY26 Sp2): sprint 1 (2026-01-12 to 2026-01-26) would overlap sprint 0 (FY26 Sp1, 2026-01-05 to 2026-01-19); sprints may share only a boundary day (one ends the day the next starts)
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
            error: <repo>/tests/fixtures/legacy/no-such-directory is not a directory
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
fn import_absent_files_are_fine() {
    let dir = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    check_run(
        &triage(
            dir.path(),
            &["import-legacy", empty.path().to_str().unwrap()],
        ),
        0,
        expect![[r#"
            disciplines: 0 created; members: 0 created; sprints: 0 created; overrides: 0 created; current state: 0 set
        "#]],
        expect![[""]],
    );
    check_run(
        &import(&dir, "sprints-only", &[]),
        0,
        expect![[r#"
            disciplines: 0 created; members: 0 created; sprints: 1 created; overrides: 0 created; current state: 0 set
        "#]],
        expect![[""]],
    );
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
