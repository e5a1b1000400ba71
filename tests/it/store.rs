//! The store against real SQLite files: the duplicate-key scenarios the old bot failed on, the
//! busy path, migrations and the audit log.

use std::sync::Barrier;
use std::thread;
use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::date;
use rusqlite::Connection;
use tempfile::TempDir;
use triage_bot::coverage::{self, CoverageFailure, DecisionOutcome};
use triage_bot::domain::request::Action;
use triage_bot::domain::{DisciplineKey, OverrideStatus, SlackUserId, Sprint, SprintIndex, Team};
use triage_bot::store::{
    MemberOutcome, NewDiscipline, NewOverride, RequestOutcome, Store, StoreError, StoreOptions,
    no_effects,
};

pub fn now() -> Timestamp {
    "2026-03-02T16:00:00Z".parse().unwrap()
}

pub fn user(id: &str) -> SlackUserId {
    SlackUserId::parse(id).unwrap()
}

pub fn key(k: &str) -> DisciplineKey {
    DisciplineKey::parse(k).unwrap()
}

pub fn open_store(dir: &TempDir) -> Store {
    Store::open(&dir.path().join("triage.db"), StoreOptions::default())
        .unwrap()
        .0
}

/// A store with disciplines `ui` and `backend`.
pub fn team_store() -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(&dir);
    for (k, name) in [("ui", "UI"), ("backend", "Backend")] {
        let new = NewDiscipline {
            key: key(k),
            name: name.to_string(),
            fallback: None,
            usergroup_id: None,
        };
        store.upsert_discipline(&new, "test", now()).unwrap();
    }
    (dir, store)
}

fn audit_actions(store: &Store) -> Vec<String> {
    let mut actions: Vec<String> = store
        .audit(10_000)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    actions.reverse();
    actions
}

fn count(store: &Store, sql: &str) -> i64 {
    let conn = Connection::open(store.path()).unwrap();
    conn.query_row(sql, [], |row| row.get(0)).unwrap()
}

/// Runs `f(i)` on 16 threads released at the same moment.
fn on_16_threads<T: Send>(f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let barrier = Barrier::new(16);
    thread::scope(|scope| {
        let handles: Vec<_> = (0..16)
            .map(|i| {
                let (barrier, f) = (&barrier, &f);
                scope.spawn(move || {
                    barrier.wait();
                    f(i)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

fn sprint(index: i64, name: &str, start: jiff::civil::Date, end: jiff::civil::Date) -> Sprint {
    Sprint {
        index: SprintIndex::new(index).unwrap(),
        name: name.to_string(),
        start,
        end,
    }
}

fn new_override(requester: &str, replacement: &str) -> NewOverride {
    NewOverride {
        sprint: SprintIndex::new(0).unwrap(),
        discipline: key("ui"),
        original: Some(user(requester)),
        replacement: user(replacement),
        requested_by: user(requester),
        reason: None,
    }
}

#[test]
fn one_person_in_two_disciplines() {
    let (_dir, store) = team_store();
    store
        .upsert_member(&user("U1"), &key("ui"), Some("Ana"), "test", now())
        .unwrap();
    store
        .upsert_member(&user("U1"), &key("backend"), Some("Ana"), "test", now())
        .unwrap();
    let members = store.members(None).unwrap();
    let places: Vec<_> = members
        .iter()
        .map(|m| (m.slack_id.as_str(), m.discipline.as_str()))
        .collect();
    assert_eq!(places, [("U1", "ui"), ("U1", "backend")]);
}

#[test]
fn adding_the_same_member_twice_is_an_upsert() {
    let (_dir, store) = team_store();
    let first = store
        .upsert_member(&user("U1"), &key("ui"), Some("Ana"), "test", now())
        .unwrap();
    let again = store
        .upsert_member(&user("U1"), &key("ui"), Some("Ana"), "test", now())
        .unwrap();
    assert_eq!(
        (first.outcome, again.outcome),
        (MemberOutcome::Added, MemberOutcome::Unchanged)
    );
    store
        .deactivate_member(&user("U1"), &key("ui"), "test", None, now())
        .unwrap();
    let back = store
        .upsert_member(&user("U1"), &key("ui"), Some("Ana B"), "test", now())
        .unwrap();
    assert_eq!(back.outcome, MemberOutcome::Reactivated);
    assert!(back.member.active);
    assert_eq!(back.member.name, "Ana B");
    assert_eq!(back.member.rotation_order, first.member.rotation_order);
    assert_eq!(count(&store, "SELECT count(*) FROM members"), 1);
    assert_eq!(
        audit_actions(&store)[2..],
        ["member.add", "member.remove", "member.reactivate"]
    );
}

#[test]
fn sixteen_threads_upserting_the_same_member() {
    let (_dir, store) = team_store();
    let results =
        on_16_threads(|_| store.upsert_member(&user("U1"), &key("ui"), Some("Ana"), "test", now()));
    let added = results
        .iter()
        .filter(|r| matches!(r, Ok(c) if c.outcome == MemberOutcome::Added))
        .count();
    let unchanged = results
        .iter()
        .filter(|r| matches!(r, Ok(c) if c.outcome == MemberOutcome::Unchanged))
        .count();
    assert_eq!((added, unchanged), (1, 15));
    assert_eq!(count(&store, "SELECT count(*) FROM members"), 1);
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM audit_log WHERE action = 'member.add'"
        ),
        1
    );
}

#[test]
fn sixteen_threads_creating_the_same_sprint_index() {
    let (_dir, store) = team_store();
    let identical = sprint(0, "Sprint 1", date(2026, 3, 2), date(2026, 3, 15));
    let results = on_16_threads(|_| store.create_sprint(&identical, "test", now()));
    let created = results
        .iter()
        .filter(|r| matches!(r, Ok(c) if c.created))
        .count();
    let repeats = results
        .iter()
        .filter(|r| matches!(r, Ok(c) if !c.created))
        .count();
    assert_eq!((created, repeats), (1, 15));

    let results = on_16_threads(|i| {
        let differing = sprint(
            1,
            &format!("Sprint 2 take {i}"),
            date(2026, 3, 16),
            date(2026, 3, 29),
        );
        store.create_sprint(&differing, "test", now())
    });
    let created = results
        .iter()
        .filter(|r| matches!(r, Ok(c) if c.created))
        .count();
    let exists = results
        .iter()
        .filter(|r| matches!(r, Err(StoreError::SprintExists(_))))
        .count();
    assert_eq!((created, exists), (1, 15));
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM sprints WHERE retired_at IS NULL"
        ),
        2
    );
}

#[test]
fn sixteen_threads_updating_current_state_of_one_discipline() {
    let (_dir, store) = team_store();
    let results = on_16_threads(|i| {
        let person = user(&format!("U{i}"));
        store.set_current_state(
            &key("ui"),
            SprintIndex::new(3).ok(),
            Some(&person),
            "test",
            now(),
        )
    });
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(count(&store, "SELECT count(*) FROM current_state"), 1);
    let state = store.current_state().unwrap();
    assert_eq!(state.len(), 1);
    assert_eq!(state[0].sprint, SprintIndex::new(3).ok());
}

#[test]
fn sixteen_threads_filing_the_identical_override() {
    let (_dir, store) = team_store();
    let request = new_override("U1", "U2");
    let results = on_16_threads(|_| store.request_override(&request, now()));
    let created = results
        .iter()
        .filter(|r| matches!(r, Ok(RequestOutcome::Created(_))))
        .count();
    let pending = results
        .iter()
        .filter(|r| matches!(r, Ok(RequestOutcome::AlreadyPending(_))))
        .count();
    assert_eq!((created, pending), (1, 15));
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM overrides WHERE status = 'pending'"
        ),
        1
    );
}

/// `team_store` with U1, U2 and U3 in `ui` and a future sprint 0, so U1 (the rotation's first
/// pick) holds sprint 0's UI slot.
fn slot_store() -> (TempDir, Store) {
    let (dir, store) = team_store();
    for id in ["U1", "U2", "U3"] {
        store
            .upsert_member(&user(id), &key("ui"), None, "test", now())
            .unwrap();
    }
    let sprint = sprint(0, "Sprint 1", date(2026, 3, 9), date(2026, 3, 22));
    store.create_sprint(&sprint, "test", now()).unwrap();
    (dir, store)
}

fn team() -> Team {
    Team {
        zone: jiff::tz::TimeZone::get("America/Los_Angeles").unwrap(),
        handoff: jiff::civil::Time::constant(8, 0, 0, 0),
        double_duty: Default::default(),
    }
}

fn decide(store: &Store, id: i64, action: Action) -> Result<DecisionOutcome, CoverageFailure> {
    coverage::decide_request(
        store,
        &team(),
        id,
        action,
        "UADMIN",
        None,
        now(),
        &no_effects,
    )
}

#[test]
fn approving_closes_the_other_pending_requests_for_the_slot() {
    let (_dir, store) = slot_store();
    let first = store
        .request_override(&new_override("U1", "U2"), now())
        .unwrap();
    let second = store
        .request_override(&new_override("U1", "U3"), now())
        .unwrap();
    let approved = decide(&store, first.request().id, Action::Approve).unwrap();
    assert_eq!(
        approved
            .others
            .iter()
            .map(|m| m.after.id)
            .collect::<Vec<_>>(),
        [second.request().id]
    );
    let refused = decide(&store, second.request().id, Action::Approve).unwrap_err();
    assert_eq!(
        refused.to_string(),
        format!(
            "request #{} is superseded, so it cannot be approved",
            second.request().id
        )
    );
    let statuses: Vec<_> = store
        .overrides(None)
        .unwrap()
        .iter()
        .map(|o| o.status)
        .collect();
    assert_eq!(
        statuses,
        [OverrideStatus::Approved, OverrideStatus::Superseded]
    );
}

#[test]
fn resubmitting_an_approved_request_keeps_it_approved() {
    let (_dir, store) = slot_store();
    let filed = store
        .request_override(&new_override("U1", "U2"), now())
        .unwrap();
    decide(&store, filed.request().id, Action::Approve).unwrap();
    let again = store
        .request_override(&new_override("U1", "U2"), now())
        .unwrap();
    assert!(matches!(again, RequestOutcome::AlreadyApproved(ref o) if o.id == filed.request().id));
    assert_eq!(count(&store, "SELECT count(*) FROM overrides"), 1);
    assert_eq!(
        store.overrides(None).unwrap()[0].status,
        OverrideStatus::Approved
    );
}

#[test]
fn deciding_a_decided_request_is_refused() {
    let (_dir, store) = slot_store();
    let filed = store
        .request_override(&new_override("U1", "U2"), now())
        .unwrap();
    let id = filed.request().id;
    decide(&store, id, Action::Decline).unwrap();
    let error = decide(&store, id, Action::Approve).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("request #{id} is declined, so it cannot be approved")
    );
    assert!(matches!(
        decide(&store, 999, Action::Approve),
        Err(CoverageFailure::Store(StoreError::UnknownOverride(999)))
    ));
}

fn busy_options() -> StoreOptions {
    StoreOptions {
        busy_timeout: Duration::from_millis(50),
        retries: 8,
        retry_base: Duration::from_millis(20),
        retry_max: Duration::from_millis(100),
        ..StoreOptions::default()
    }
}

/// Holds a write lock on the database for `hold`, from another connection.
fn hold_write_lock(path: &std::path::Path, hold: Duration) -> thread::JoinHandle<()> {
    let locker = Connection::open(path).unwrap();
    locker.execute_batch("BEGIN IMMEDIATE").unwrap();
    thread::spawn(move || {
        thread::sleep(hold);
        locker.execute_batch("COMMIT").unwrap();
    })
}

/// Frames in the WAL after `writes` commits through a store opened with `wal_autocheckpoint`,
/// as another process (Litestream, say) would find them.
fn wal_frames_after(wal_autocheckpoint: u32, writes: usize) -> i64 {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("triage.db");
    let options = StoreOptions {
        wal_autocheckpoint,
        ..StoreOptions::default()
    };
    let store = Store::open(&path, options).unwrap().0;
    for i in 0..writes {
        let new = NewDiscipline {
            key: key(&format!("d{i}")),
            name: format!("D{i}"),
            fallback: None,
            usergroup_id: None,
        };
        store.upsert_discipline(&new, "test", now()).unwrap();
    }
    let other = Connection::open(&path).unwrap();
    let frames = other
        .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| row.get(1))
        .unwrap();
    drop(store);
    frames
}

#[test]
fn with_autocheckpoints_off_every_commit_stays_in_the_wal_for_litestream() {
    let writes = 30;
    let kept = wal_frames_after(0, writes);
    assert!(
        kept >= writes as i64,
        "{kept} frames after {writes} commits"
    );
    // Checkpointing after every commit restarts the WAL: only the last commit's frames remain.
    let restarted = wal_frames_after(1, writes);
    assert!(
        restarted < writes as i64,
        "{restarted} frames after {writes} commits"
    );
}

#[test]
fn a_writer_waits_out_a_short_lock() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("triage.db");
    let store = Store::open(&path, busy_options()).unwrap().0;
    let release = hold_write_lock(&path, Duration::from_millis(250));
    let new = NewDiscipline {
        key: key("ui"),
        name: "UI".into(),
        fallback: None,
        usergroup_id: None,
    };
    let result = store.upsert_discipline(&new, "test", now());
    release.join().unwrap();
    assert!(result.is_ok(), "{result:?}");
    assert!(store.busy_retries() > 0, "the writer should have retried");
}

#[test]
fn a_lock_that_outlasts_the_budget_is_a_typed_busy_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("triage.db");
    let options = StoreOptions {
        retries: 2,
        ..busy_options()
    };
    let store = Store::open(&path, options).unwrap().0;
    let release = hold_write_lock(&path, Duration::from_millis(1500));
    let new = NewDiscipline {
        key: key("ui"),
        name: "UI".into(),
        fallback: None,
        usergroup_id: None,
    };
    let result = store.upsert_discipline(&new, "test", now());
    release.join().unwrap();
    assert!(matches!(result, Err(StoreError::Busy)), "{result:?}");
    assert_eq!(
        result.unwrap_err().to_string(),
        "the database is busy (another process is writing); nothing was changed, try again"
    );
    assert!(store.disciplines().unwrap().is_empty());
}

#[test]
fn every_write_makes_exactly_one_audit_row() {
    let (_dir, store) = team_store();
    let before = store.audit_count().unwrap();
    store
        .upsert_member(&user("U1"), &key("ui"), Some("Ana"), "UADMIN", now())
        .unwrap();
    assert_eq!(store.audit_count().unwrap(), before + 1);
    let entry = &store.audit(1).unwrap()[0];
    assert_eq!(
        (
            entry.actor.as_str(),
            entry.action.as_str(),
            entry.entity_id.as_str()
        ),
        ("UADMIN", "member.add", "ui/U1")
    );
    assert_eq!(entry.before, None);
    assert!(entry.after.as_deref().unwrap().contains("\"name\":\"Ana\""));

    // A write that fails (unknown discipline) and one that breaks a rule leave no audit row.
    assert!(matches!(
        store.upsert_member(&user("U1"), &key("nope"), None, "test", now()),
        Err(StoreError::UnknownDiscipline(_))
    ));
    let backwards = sprint(0, "Backwards", date(2026, 3, 10), date(2026, 3, 1));
    assert!(matches!(
        store.create_sprint(&backwards, "test", now()),
        Err(StoreError::SprintDates { .. })
    ));
    assert_eq!(store.audit_count().unwrap(), before + 1);
}

#[test]
fn a_change_and_its_audit_row_commit_or_roll_back_together() {
    let (_dir, store) = team_store();
    let before = store.audit_count().unwrap();
    // Make the audit insert fail after the member row was written in the same transaction.
    let conn = Connection::open(store.path()).unwrap();
    conn.execute_batch(
        "CREATE TRIGGER fail_member_audit AFTER INSERT ON audit_log WHEN NEW.action = 'member.add'
         BEGIN SELECT RAISE(ABORT, 'injected'); END;",
    )
    .unwrap();
    let result = store.upsert_member(&user("U1"), &key("ui"), Some("Ana"), "test", now());
    assert!(matches!(result, Err(StoreError::Internal(_))), "{result:?}");
    assert_eq!(result.unwrap_err().to_string(), "internal database error");
    assert_eq!(count(&store, "SELECT count(*) FROM members"), 0);
    assert_eq!(store.audit_count().unwrap(), before);

    conn.execute_batch("DROP TRIGGER fail_member_audit")
        .unwrap();
    store
        .upsert_member(&user("U1"), &key("ui"), Some("Ana"), "test", now())
        .unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM members"), 1);
    assert_eq!(store.audit_count().unwrap(), before + 1);
}

#[test]
fn the_audit_log_rejects_update_and_delete() {
    let (_dir, store) = team_store();
    let conn = Connection::open(store.path()).unwrap();
    let update = conn.execute("UPDATE audit_log SET actor = 'someone else'", []);
    let delete = conn.execute("DELETE FROM audit_log", []);
    assert!(update.unwrap_err().to_string().contains("append-only"));
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM audit_log WHERE actor = 'test'"
        ),
        2
    );
}

#[test]
fn moving_a_member_keeps_the_others_in_order() {
    let (_dir, store) = team_store();
    for id in ["U1", "U2", "U3", "U4"] {
        store
            .upsert_member(&user(id), &key("ui"), None, "test", now())
            .unwrap();
    }
    store
        .move_member(&user("U4"), &key("ui"), 2, "test", now())
        .unwrap();
    let order: Vec<_> = store
        .members(Some(&key("ui")))
        .unwrap()
        .into_iter()
        .map(|m| m.slack_id.to_string())
        .collect();
    assert_eq!(order, ["U1", "U4", "U2", "U3"]);
}

#[test]
fn sprint_start_dates_must_increase_with_the_index() {
    let (_dir, store) = team_store();
    store
        .create_sprint(
            &sprint(1, "B", date(2026, 3, 16), date(2026, 3, 29)),
            "t",
            now(),
        )
        .unwrap();
    let error = store
        .create_sprint(
            &sprint(0, "A", date(2026, 3, 20), date(2026, 3, 21)),
            "t",
            now(),
        )
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "A must start before B, which starts on 2026-03-16"
    );
    let error = store
        .create_sprint(
            &sprint(2, "C", date(2026, 3, 16), date(2026, 3, 21)),
            "t",
            now(),
        )
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "C must start after B, which starts on 2026-03-16"
    );
}

#[test]
fn a_retired_sprint_index_can_be_reused() {
    let (_dir, store) = team_store();
    store
        .create_sprint(
            &sprint(0, "A", date(2026, 3, 2), date(2026, 3, 15)),
            "t",
            now(),
        )
        .unwrap();
    store
        .retire_sprint(SprintIndex::new(0).unwrap(), "t", now())
        .unwrap();
    store
        .create_sprint(
            &sprint(0, "A2", date(2026, 3, 3), date(2026, 3, 16)),
            "t",
            now(),
        )
        .unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM sprints"), 2);
    assert_eq!(store.sprints().unwrap()[0].name, "A2");
}

#[test]
fn processed_events_are_recorded_once() {
    let (_dir, store) = team_store();
    let first = on_16_threads(|_| store.mark_event_processed("Ev123", now()).unwrap());
    assert_eq!(first.iter().filter(|fresh| **fresh).count(), 1);
}

#[cfg(unix)]
#[test]
fn a_new_database_file_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(&dir);
    store.mark_event_processed("Ev1", now()).unwrap();
    for name in ["triage.db", "triage.db-wal"] {
        let mode = std::fs::metadata(dir.path().join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{name}");
    }
}

mod migrations {
    use super::*;
    use triage_bot::store::SCHEMA_VERSION;
    use triage_bot::store::migrate::MIGRATIONS;

    fn version(path: &std::path::Path) -> i64 {
        Store::inspect_version(path).unwrap().unwrap()
    }

    #[test]
    fn a_fresh_file_gets_the_whole_schema_and_no_backup() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("triage.db");
        assert_eq!(Store::inspect_version(&path).unwrap(), None);
        let (_store, report) = Store::open(&path, StoreOptions::default()).unwrap();
        assert_eq!(
            (report.from, report.to, report.backup),
            (0, SCHEMA_VERSION, None)
        );
        assert_eq!(version(&path), SCHEMA_VERSION);
    }

    #[test]
    fn migrating_twice_is_a_no_op() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("triage.db");
        drop(Store::open(&path, StoreOptions::default()).unwrap());
        let (_store, report) = Store::open(&path, StoreOptions::default()).unwrap();
        assert_eq!(
            (report.from, report.to, report.backup),
            (SCHEMA_VERSION, SCHEMA_VERSION, None)
        );
    }

    #[test]
    fn a_newer_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("triage.db");
        drop(Store::open(&path, StoreOptions::default()).unwrap());
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let error = Store::open(&path, StoreOptions::default()).unwrap_err();
        assert!(matches!(error, StoreError::TooNew { found: 99, .. }));
        assert!(
            error
                .to_string()
                .contains("has schema version 99, but this triage-bot supports up to")
        );
        assert_eq!(version(&path), 99);
    }

    /// Tables, indexes and triggers as comparable text: whitespace collapsed, no space before a
    /// comma or a closing parenthesis or after an opening one (SQLite writes an added column as
    /// `…NOT NULL\n, col …)`), quotes dropped (a renamed table's SQL is quoted by SQLite).
    fn schema_of(path: &std::path::Path) -> Vec<String> {
        let conn = Connection::open(path).unwrap();
        let mut statement = conn
            .prepare("SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY type, name")
            .unwrap();
        let rows = statement
            .query_map([], |row| {
                let (kind, name, sql): (String, String, String) =
                    (row.get(0)?, row.get(1)?, row.get(2)?);
                let sql = sql.replace('"', "");
                let sql = sql.split_whitespace().collect::<Vec<_>>().join(" ");
                let sql = sql.replace(" ,", ",").replace(" )", ")").replace("( ", "(");
                Ok(format!("{kind} {name}: {sql}"))
            })
            .unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    }

    /// A database at schema `version` in `dir` (`old.db`), holding what `sql` writes.
    fn database_at(dir: &tempfile::TempDir, version: usize, sql: &str) -> std::path::PathBuf {
        let old = dir.path().join("old.db");
        let (store, report) =
            Store::open_with_migrations(&old, StoreOptions::default(), &MIGRATIONS[..version])
                .unwrap();
        assert_eq!((report.from, report.to), (0, version as i64));
        drop(store);
        Connection::open(&old).unwrap().execute_batch(sql).unwrap();
        old
    }

    /// The migrated database at `old` has the schema a fresh one gets.
    #[track_caller]
    fn assert_schema_as_fresh(dir: &tempfile::TempDir, old: &std::path::Path) {
        let fresh = dir.path().join("fresh.db");
        drop(Store::open(&fresh, StoreOptions::default()).unwrap());
        assert_eq!(schema_of(old), schema_of(&fresh));
    }

    #[test]
    fn a_version_1_database_migrates_to_the_current_schema_and_keeps_its_requests() {
        let dir = tempfile::tempdir().unwrap();
        let old = database_at(
            &dir,
            1,
            "INSERT INTO disciplines (key, name, position, created_at, updated_at)
                 VALUES ('ui', 'UI', 0, 0, 0);
             INSERT INTO overrides (sprint_index, discipline, original_slack_id,
                                    replacement_slack_id, requested_by, status, decided_by,
                                    decided_at, reason, created_at)
                 VALUES (3, 'ui', 'U1', 'U2', 'U1', 'approved', 'U9', 5, 'dentist', 4);",
        );

        let (store, report) = Store::open(&old, StoreOptions::default()).unwrap();
        assert_eq!((report.from, report.to), (1, SCHEMA_VERSION));
        assert!(report.backup.is_some());
        let kept = store.override_by_id(1).unwrap().unwrap();
        assert_eq!(
            (
                kept.status,
                kept.reason.as_deref(),
                kept.decided_by.as_deref()
            ),
            (OverrideStatus::Approved, Some("dentist"), Some("U9"))
        );
        drop(store);

        assert_schema_as_fresh(&dir, &old);
    }

    #[test]
    fn a_version_3_database_migrates_to_the_current_schema_and_its_disciplines_warn() {
        let dir = tempfile::tempdir().unwrap();
        let old = database_at(
            &dir,
            3,
            "INSERT INTO disciplines (key, name, position, created_at, updated_at)
                     VALUES ('ui', 'UI', 0, 0, 0);",
        );

        let (store, report) = Store::open(&old, StoreOptions::default()).unwrap();
        assert_eq!((report.from, report.to), (3, SCHEMA_VERSION));
        assert_eq!(
            store.away_policies().unwrap(),
            vec![(key("ui"), triage_bot::domain::away::AwayPolicy::Warn)]
        );
        drop(store);

        assert_schema_as_fresh(&dir, &old);
    }

    #[test]
    fn a_version_4_database_gets_handoff_notes_kept_one_per_sprint_and_discipline() {
        let dir = tempfile::tempdir().unwrap();
        let old = database_at(
            &dir,
            4,
            "INSERT INTO disciplines (key, name, position, created_at, updated_at)
                     VALUES ('ui', 'UI', 0, 0, 0);",
        );

        let (store, report) = Store::open(&old, StoreOptions::default()).unwrap();
        assert_eq!((report.from, report.to), (4, SCHEMA_VERSION));
        let sprint = triage_bot::domain::SprintIndex::new(3).unwrap();
        let t = |s: i64| jiff::Timestamp::from_second(s).unwrap();
        let first = store
            .save_handoff_note(sprint, &key("ui"), &user("U1"), "deploy frozen", t(10))
            .unwrap();
        let replaced = store
            .save_handoff_note(sprint, &key("ui"), &user("U1"), "all quiet", t(20))
            .unwrap();
        assert_eq!(first, None);
        assert_eq!(replaced.map(|n| n.text), Some("deploy frozen".to_string()));
        let kept = store.handoff_notes(None).unwrap();
        let kept: Vec<_> = kept
            .iter()
            .map(|n| (n.sprint.get(), n.text.as_str(), n.created_at, n.updated_at))
            .collect();
        assert_eq!(kept, vec![(3, "all quiet", t(10), t(20))]);
        let audited: Vec<String> = store
            .audit(5)
            .unwrap()
            .into_iter()
            .map(|e| format!("{} {} {}", e.actor, e.action, e.entity_id))
            .collect();
        assert_eq!(
            audited,
            ["U1 handoff_note.save 3:ui", "U1 handoff_note.save 3:ui"]
        );
        drop(store);

        assert_schema_as_fresh(&dir, &old);
    }

    #[test]
    fn a_version_6_database_gets_rotation_skips_and_its_recorded_turns_have_none() {
        let dir = tempfile::tempdir().unwrap();
        let old = database_at(
            &dir,
            6,
            "INSERT INTO disciplines (key, name, position, created_at, updated_at)
                     VALUES ('ui', 'UI', 0, 0, 0);
                 INSERT INTO rotation_turns (sprint_index, discipline, slack_id, source,
                                             recorded_at)
                     VALUES (0, 'ui', 'U1', 'rotation', 5);",
        );

        let (store, report) = Store::open(&old, StoreOptions::default()).unwrap();
        assert_eq!((report.from, report.to), (6, SCHEMA_VERSION));
        let index = |i: i64| triage_bot::domain::SprintIndex::new(i).unwrap();
        let t = |s: i64| jiff::Timestamp::from_second(s).unwrap();
        assert_eq!(store.turns(index(0)).unwrap().len(), 1);
        assert_eq!(store.skips_between(index(0), index(9)).unwrap(), vec![]);
        // A turn recorded from now on keeps its skips; recording it again changes nothing.
        let turn = triage_bot::domain::Turn {
            sprint: index(1),
            discipline: key("ui"),
            slack_id: Some(user("U2")),
            source: triage_bot::domain::Source::Rotation,
        };
        let skip = triage_bot::domain::Skip {
            sprint: index(1),
            discipline: key("ui"),
            slack_id: user("U1"),
            kind: triage_bot::domain::SkipKind::PassedOver,
        };
        let record = |skips: &[triage_bot::domain::Skip]| {
            store
                .record_turns(std::slice::from_ref(&turn), skips, "test", t(10))
                .unwrap()
        };
        assert_eq!(record(std::slice::from_ref(&skip)), 1);
        let owed = triage_bot::domain::Skip {
            kind: triage_bot::domain::SkipKind::OwedTurn,
            ..skip.clone()
        };
        assert_eq!(record(&[owed]), 0);
        assert_eq!(store.skips_between(index(0), index(9)).unwrap(), vec![skip]);
        drop(store);

        assert_schema_as_fresh(&dir, &old);
    }

    #[test]
    fn data_written_at_version_n_survives_migration_to_n_plus_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("triage.db");
        let store = open_store(&dir);
        let new = NewDiscipline {
            key: key("ui"),
            name: "UI".into(),
            fallback: None,
            usergroup_id: None,
        };
        store.upsert_discipline(&new, "test", now()).unwrap();
        store
            .upsert_member(&user("U1"), &key("ui"), Some("Ana"), "test", now())
            .unwrap();
        drop(store);

        let mut steps = MIGRATIONS.to_vec();
        steps.push("ALTER TABLE members ADD COLUMN pronouns TEXT;");
        let (store, report) =
            Store::open_with_migrations(&path, StoreOptions::default(), &steps).unwrap();
        assert_eq!(
            (report.from, report.to),
            (SCHEMA_VERSION, SCHEMA_VERSION + 1)
        );
        let backup = report
            .backup
            .expect("a non-empty database is backed up first");
        assert_eq!(version(&backup), SCHEMA_VERSION);
        assert_eq!(store.members(None).unwrap()[0].name, "Ana");
        assert_eq!(
            count(
                &store,
                "SELECT count(*) FROM members WHERE pronouns IS NULL"
            ),
            1
        );
    }

    #[test]
    fn a_failing_step_rolls_back_and_leaves_the_backup() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("triage.db");
        let store = open_store(&dir);
        let new = NewDiscipline {
            key: key("ui"),
            name: "UI".into(),
            fallback: None,
            usergroup_id: None,
        };
        store.upsert_discipline(&new, "test", now()).unwrap();
        drop(store);

        let mut steps = MIGRATIONS.to_vec();
        steps.push("CREATE TABLE half_done (a); INSERT INTO no_such_table VALUES (1);");
        let error =
            Store::open_with_migrations(&path, StoreOptions::default(), &steps).unwrap_err();
        assert!(
            matches!(error, StoreError::MigrationFailed { version, .. } if version == SCHEMA_VERSION + 1)
        );
        assert_eq!(version(&path), SCHEMA_VERSION);
        let conn = Connection::open(&path).unwrap();
        let half: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(half, 0);
        let backups: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .filter(|name| name.ends_with(".bak"))
            .collect();
        assert_eq!(backups.len(), 1, "{backups:?}");
        let backup = Connection::open(dir.path().join(&backups[0])).unwrap();
        let disciplines: i64 = backup
            .query_row("SELECT count(*) FROM disciplines", [], |r| r.get(0))
            .unwrap();
        assert_eq!(disciplines, 1);
    }

    #[test]
    fn a_file_that_is_not_sqlite_is_a_typed_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.txt");
        std::fs::write(
            &path,
            "these are not the pages you are looking for, not a database at all",
        )
        .unwrap();
        let error = Store::open(&path, StoreOptions::default()).unwrap_err();
        assert!(
            matches!(error, StoreError::NotADatabase { .. }),
            "{error:?}"
        );
        let missing_dir = dir.path().join("missing").join("triage.db");
        let error = Store::open(&missing_dir, StoreOptions::default()).unwrap_err();
        assert!(matches!(error, StoreError::CannotOpen { .. }), "{error:?}");
    }
}

fn add_member(store: &Store, id: &str) {
    store
        .upsert_member(&user(id), &key("ui"), None, "test", now())
        .unwrap();
}

fn member_ids(store: &Store) -> Vec<String> {
    store
        .members(None)
        .unwrap()
        .iter()
        .map(|m| m.slack_id.as_str().to_string())
        .collect()
}

#[test]
fn reads_in_a_snapshot_agree_while_another_writer_commits() {
    let (_dir, store) = team_store();
    add_member(&store, "U1");
    let (before, after, seen_after) = store
        .snapshot(|snapshot| {
            let before = member_ids(snapshot);
            // A write from another connection commits in the middle of the snapshot.
            add_member(&store, "U2");
            let after = member_ids(snapshot);
            Ok((before, after, member_ids(&store)))
        })
        .unwrap();
    assert_eq!(before, ["U1"]);
    assert_eq!(
        after,
        ["U1"],
        "the snapshot saw a write made after it began"
    );
    assert_eq!(
        seen_after,
        ["U1", "U2"],
        "outside the snapshot the write is seen"
    );
    assert_eq!(member_ids(&store), ["U1", "U2"]);
}

#[test]
fn a_nested_snapshot_joins_the_outer_one() {
    let (_dir, store) = team_store();
    add_member(&store, "U1");
    let inner = store
        .snapshot(|outer| {
            let _ = member_ids(outer);
            add_member(&store, "U2");
            outer.snapshot(|inner| Ok(member_ids(inner)))
        })
        .unwrap();
    assert_eq!(inner, ["U1"]);
}

#[test]
fn a_failed_snapshot_leaves_every_pooled_connection_usable() {
    let (_dir, store) = team_store();
    add_member(&store, "U1");
    for _ in 0..8 {
        let failed: Result<(), StoreError> = store.snapshot(|snapshot| {
            let _ = member_ids(snapshot);
            Err(StoreError::Busy)
        });
        assert!(matches!(failed, Err(StoreError::Busy)));
    }
    // Had a connection gone back to the pool inside its read transaction, this write (which
    // needs a connection of its own) or the read after it would fail or see old data.
    let connections = StoreOptions::default().pool_size;
    for n in 0..connections {
        add_member(&store, &format!("U{}", n + 2));
        assert_eq!(member_ids(&store).len(), n as usize + 2);
    }
}

#[test]
fn concurrent_removals_never_leave_the_team_without_an_admin() {
    let (_dir, store) = team_store();
    store.add_admin(&user("U1"), "test", now()).unwrap();
    store.add_admin(&user("U2"), "test", now()).unwrap();
    // Half the threads remove U1, half U2, all at once: one removal wins, the other admin stays.
    let results = on_16_threads(|i| {
        let who = if i % 2 == 0 { "U1" } else { "U2" };
        store.remove_admin(&user(who), &[], "test", now())
    });
    let removed = results.iter().filter(|r| matches!(r, Ok(true))).count();
    assert_eq!(removed, 1, "{results:?}");
    assert!(
        results
            .iter()
            .all(|r| matches!(r, Ok(_) | Err(StoreError::LastAdmin(_)))),
        "{results:?}"
    );
    assert_eq!(store.admins().unwrap().len(), 1);
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM audit_log WHERE action = 'admin.remove'"
        ),
        1
    );
}

#[test]
fn an_admin_in_the_configuration_lets_the_last_listed_admin_go() {
    let (_dir, store) = team_store();
    store.add_admin(&user("U1"), "test", now()).unwrap();
    let refused = store.remove_admin(&user("U1"), &[], "test", now());
    assert!(
        matches!(refused, Err(StoreError::LastAdmin(_))),
        "{refused:?}"
    );
    assert_eq!(store.admins().unwrap(), [user("U1")]);
    assert!(
        store
            .remove_admin(&user("U1"), &[user("W9")], "test", now())
            .unwrap()
    );
    assert!(store.admins().unwrap().is_empty());
}
