//! `backup`: a consistent copy of a database that another process is writing to.

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use rusqlite::Connection;
use triage_bot::store::{NewDiscipline, SCHEMA_VERSION, Store, StoreOptions};

use crate::cli::{check, stderr, stdout, triage};
use crate::store::{key, now, user};

const RENAMES: usize = 2_000;

fn query(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |row| row.get(0)).unwrap()
}

/// A store with one discipline and one member named "Name 0".
fn one_member_store(path: &std::path::Path) -> Store {
    let store = Store::open(path, StoreOptions::default()).unwrap().0;
    let new = NewDiscipline {
        key: key("ui"),
        name: "UI".to_string(),
        fallback: None,
        usergroup_id: None,
    };
    store.upsert_discipline(&new, "test", now()).unwrap();
    store
        .upsert_member(&user("U1"), &key("ui"), Some("Name 0"), "test", now())
        .unwrap();
    store
}

#[test]
fn backup_while_another_thread_writes_is_a_consistent_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let store = one_member_store(&dir.path().join("triage.db"));
    let started = AtomicBool::new(false);
    let output = thread::scope(|scope| {
        let writer = scope.spawn(|| {
            for i in 1..=RENAMES {
                let name = format!("Name {i}");
                store
                    .upsert_member(&user("U1"), &key("ui"), Some(&name), "test", now())
                    .unwrap();
                if i == 50 {
                    started.store(true, Ordering::Release);
                }
            }
        });
        while !started.load(Ordering::Acquire) {
            thread::yield_now();
        }
        let output = triage(dir.path(), &["backup", "copy.db"]);
        writer.join().unwrap();
        output
    });
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).starts_with("backed up triage.db to copy.db ("),
        "{}",
        stdout(&output)
    );
    assert!(stdout(&output).ends_with(&format!(" bytes, schema version {SCHEMA_VERSION})\n")));
    assert!(!dir.path().join("copy.db-wal").exists());

    let copy = Connection::open(dir.path().join("copy.db")).unwrap();
    let integrity: String = copy
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    assert_eq!(query(&copy, "PRAGMA user_version"), SCHEMA_VERSION);
    // The member's name and the audit log agree: the copy is one moment of the database.
    let renames = query(
        &copy,
        "SELECT count(*) FROM audit_log WHERE action = 'member.rename'",
    );
    assert!(renames >= 50, "{renames}");
    let name: String = copy
        .query_row(
            "SELECT name FROM members WHERE slack_id = 'U1'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(name, format!("Name {renames}"));
    assert_eq!(query(&copy, "SELECT count(*) FROM audit_log"), renames + 2);
    assert_eq!(query(&copy, "SELECT count(*) FROM members"), 1);
}

#[test]
fn backup_refuses_to_overwrite_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    check(
        &triage(dir.path(), &["backup", "copy.db"]),
        2,
        "",
        "error: database triage.db does not exist; there is nothing to back up\n",
    );
    assert!(!dir.path().join("triage.db").exists());
    one_member_store(&dir.path().join("triage.db"));
    std::fs::write(dir.path().join("old.db"), "an older backup").unwrap();
    check(
        &triage(dir.path(), &["backup", "old.db"]),
        2,
        "",
        "error: old.db already exists; pass --force to replace it\n",
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("old.db")).unwrap(),
        "an older backup"
    );

    let output = triage(dir.path(), &["backup", "old.db", "--force"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let copy = Connection::open(dir.path().join("old.db")).unwrap();
    assert_eq!(query(&copy, "SELECT count(*) FROM members"), 1);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.contains("partial"))
        .collect();
    assert_eq!(leftovers, Vec::<String>::new());
}
