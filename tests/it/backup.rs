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

fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_backup_is_private_like_the_database() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("triage.db");
    one_member_store(&db);
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o600)).unwrap();
    for (file, args) in [
        ("new.db", vec!["backup", "new.db"]),
        ("old.db", vec!["backup", "old.db", "--force"]),
    ] {
        let target = dir.path().join(file);
        if file == "old.db" {
            std::fs::write(&target, "an older backup").unwrap();
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        let output = triage(dir.path(), &args);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert_eq!(mode(&target), 0o600, "{file}");
    }
}

#[test]
fn a_backup_onto_the_live_database_is_refused_by_any_name() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("triage.db");
    one_member_store(&db);
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::os::unix::fs::symlink(&db, dir.path().join("link.db")).unwrap();
    std::fs::hard_link(&db, dir.path().join("hard.db")).unwrap();
    let before = std::fs::read(&db).unwrap();
    let absolute = db.display().to_string();
    for name in [
        "triage.db",
        "./triage.db",
        "sub/../triage.db",
        absolute.as_str(),
        "link.db",
        "hard.db",
        "triage.db-wal",
    ] {
        check(
            &triage(dir.path(), &["backup", name, "--force"]),
            2,
            "",
            &format!("error: {name} is the live database triage.db; back up to another file\n"),
        );
        assert_eq!(std::fs::read(&db).unwrap(), before, "{name}");
    }
    let live = Connection::open(&db).unwrap();
    assert_eq!(query(&live, "SELECT count(*) FROM members"), 1);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.contains("partial"))
        .collect();
    assert_eq!(names, Vec::<String>::new());
}

#[test]
fn a_backup_into_a_missing_directory_names_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    one_member_store(&dir.path().join("triage.db"));
    check(
        &triage(dir.path(), &["backup", "missing/copy.db"]),
        2,
        "",
        "error: cannot write missing/copy.db: directory missing does not exist\n",
    );
    assert!(!dir.path().join("missing").exists());
}
