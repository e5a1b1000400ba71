//! The real binary: exit statuses and messages of commands, run in a temporary directory.

use std::path::Path;
use std::process::{Command, Output};

/// Runs `triage-bot` in `dir` with `args` and no inherited TRIAGE_* settings.
pub fn triage(dir: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_triage-bot"));
    command.current_dir(dir).args(args);
    for (name, _) in std::env::vars() {
        if name.starts_with("TRIAGE_") || name.starts_with("SLACK_") {
            command.env_remove(name);
        }
    }
    command.output().unwrap()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[track_caller]
pub fn check(output: &Output, status: i32, expected_stdout: &str, expected_stderr: &str) {
    assert_eq!(
        (
            output.status.code(),
            stdout(output).as_str(),
            stderr(output).as_str()
        ),
        (Some(status), expected_stdout, expected_stderr)
    );
}

#[test]
fn migrate_check_on_a_fresh_directory_reports_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let output = triage(dir.path(), &["migrate", "--check"]);
    check(
        &output,
        0,
        "database triage.db: does not exist yet (schema version 0); this triage-bot writes version 2\n",
        "",
    );
    assert!(!dir.path().join("triage.db").exists());
}

#[test]
fn migrate_then_check() {
    let dir = tempfile::tempdir().unwrap();
    check(
        &triage(dir.path(), &["migrate"]),
        0,
        "database triage.db: migrated from schema version 0 to 2\n",
        "",
    );
    check(
        &triage(dir.path(), &["migrate"]),
        0,
        "database triage.db: already at schema version 2\n",
        "",
    );
    check(
        &triage(dir.path(), &["migrate", "--check"]),
        0,
        "database triage.db: schema version 2 (up to date)\n",
        "",
    );
}

#[test]
fn a_database_that_cannot_be_opened_is_one_line_and_status_1() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("notes.db"),
        "plain text, not a database, long enough to have a header",
    )
    .unwrap();
    check(
        &triage(dir.path(), &["--db", "notes.db", "migrate"]),
        1,
        "",
        "error: notes.db is not a triage-bot database (not a SQLite file)\n",
    );
    check(
        &triage(dir.path(), &["--db", "missing/dir/x.db", "migrate"]),
        1,
        "",
        "error: cannot open database missing/dir/x.db: the file or its directory cannot be opened\n",
    );
}

#[test]
fn invalid_settings_name_the_setting_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    check(
        &triage(dir.path(), &["--handoff-time", "25:00", "migrate"]),
        2,
        "",
        "error: invalid --handoff-time `25:00`: expected a time of day as HH:MM, from 00:00 to 23:59\n",
    );
    check(
        &triage(dir.path(), &["migrate", "--timezone", "Mars/Base"]),
        2,
        "",
        "error: invalid --timezone `Mars/Base`: not a known IANA time zone (e.g. America/Los_Angeles, Europe/Berlin, UTC)\n",
    );
    assert!(!dir.path().join("triage.db").exists());
}

#[test]
fn an_invalid_setting_from_the_environment_or_the_file_names_the_variable_or_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_triage-bot"))
        .current_dir(dir.path())
        .env("TRIAGE_HANDOFF_TIME", "25:00")
        .env_remove("TRIAGE_CONFIG")
        .env_remove("TRIAGE_DB")
        .arg("migrate")
        .output()
        .unwrap();
    check(
        &output,
        2,
        "",
        "error: invalid TRIAGE_HANDOFF_TIME `25:00`: expected a time of day as HH:MM, from 00:00 to 23:59\n",
    );
    std::fs::write(dir.path().join("t.toml"), "timezone = \"Mars/Base\"\n").unwrap();
    check(
        &triage(dir.path(), &["--config", "t.toml", "migrate"]),
        2,
        "",
        "error: invalid timezone in t.toml `Mars/Base`: not a known IANA time zone (e.g. America/Los_Angeles, Europe/Berlin, UTC)\n",
    );
    std::fs::write(
        dir.path().join("t.toml"),
        "timezone = \"UTC\"\nhandoff_time 08:00\n",
    )
    .unwrap();
    check(
        &triage(dir.path(), &["--config", "t.toml", "migrate"]),
        2,
        "",
        "error: config file t.toml is invalid: line 2, column 14: key with no value, expected `=`\n",
    );
    assert!(!dir.path().join("triage.db").exists());
}
