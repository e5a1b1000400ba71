//! The real binary: exit statuses and messages of commands, run in a temporary directory.

use std::path::Path;
use std::process::{Command, Output};
use triage_bot::store::SCHEMA_VERSION;

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
        &format!(
            "database triage.db: does not exist yet (schema version 0); this triage-bot writes version {SCHEMA_VERSION}\n"
        ),
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
        &format!("database triage.db: migrated from schema version 0 to {SCHEMA_VERSION}\n"),
        "",
    );
    check(
        &triage(dir.path(), &["migrate"]),
        0,
        &format!("database triage.db: already at schema version {SCHEMA_VERSION}\n"),
        "",
    );
    check(
        &triage(dir.path(), &["migrate", "--check"]),
        0,
        &format!("database triage.db: schema version {SCHEMA_VERSION} (up to date)\n"),
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

/// Every subcommand, as its path of names (`["override", "request"]`), with its arguments.
fn every_command() -> Vec<(Vec<String>, clap::Command)> {
    fn walk(
        path: Vec<String>,
        command: &clap::Command,
        all: &mut Vec<(Vec<String>, clap::Command)>,
    ) {
        all.push((path.clone(), command.clone()));
        for sub in command.get_subcommands() {
            let mut path = path.clone();
            path.push(sub.get_name().to_string());
            walk(path, sub, all);
        }
    }
    let mut command = <triage_bot::cli::Cli as clap::CommandFactory>::command();
    command.build();
    let mut all = Vec::new();
    walk(Vec::new(), &command, &mut all);
    all
}

#[test]
fn every_argument_of_every_subcommand_has_help_text() {
    let mut missing = Vec::new();
    for (path, command) in every_command() {
        for arg in command.get_arguments() {
            let id = arg.get_id().as_str();
            if arg.is_hide_set() || id == "help" || id == "version" {
                continue;
            }
            let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
            if help.trim().is_empty() {
                missing.push(format!("{} {id}", path.join(" ")));
            }
        }
    }
    assert_eq!(missing, Vec::<String>::new());
}

#[test]
fn server_settings_appear_only_where_they_apply() {
    let dir = tempfile::tempdir().unwrap();
    for (path, _) in every_command() {
        if path.is_empty() || path.iter().any(|name| name == "help") {
            continue;
        }
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let output = triage(dir.path(), &args);
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        let help = stdout(&output);
        let server = ["serve", "doctor", "demo", "healthcheck"].contains(&path[0].as_str());
        for setting in [
            "--http-addr",
            "--channel",
            "--admin-channel",
            "--heads-up-time",
            "--workdays",
            "--holidays",
            "--reminder-lead",
        ] {
            assert_eq!(help.contains(setting), server, "{args:?} {setting}\n{help}");
        }
        assert!(help.contains("--db"), "{args:?}");
    }
}

#[test]
fn the_name_pattern_help_keeps_its_placeholder() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["sprint", "generate", "--help"][..],
        &["sprint", "cadence", "set", "--help"][..],
    ] {
        let help = stdout(&triage(dir.path(), args));
        let section: String = help
            .split("--name-pattern")
            .nth(1)
            .unwrap()
            .split("--")
            .next()
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            section.contains(
                "placeholder (n in braces, as in the default) becomes the sprint's number"
            ) && section.contains("[default: \"Sprint {n}\"]"),
            "{section}"
        );
    }
}

#[test]
fn a_server_setting_after_the_subcommand_wins_and_is_named_as_a_flag() {
    let dir = tempfile::tempdir().unwrap();
    check(
        &triage(
            dir.path(),
            &["--channel", "C0GOOD", "doctor", "--channel", "#bad"],
        ),
        2,
        "",
        "error: invalid --channel `#bad`: expected a Slack id starting with C or G\n",
    );
}

#[test]
fn bad_working_days_holidays_and_reminder_leads_are_named_as_given() {
    let dir = tempfile::tempdir().unwrap();
    check(
        &triage(dir.path(), &["doctor", "--workdays", "weekdays"]),
        2,
        "",
        "error: invalid --workdays `weekdays`: `weekdays` is not a weekday: expected days such as mon-fri, sun-thu or mon,tue,wed,thu,fri\n",
    );
    let output = Command::new(env!("CARGO_BIN_EXE_triage-bot"))
        .current_dir(dir.path())
        .env("TRIAGE_HOLIDAYS", "2026-12-25,2026-13-01")
        .env_remove("TRIAGE_CONFIG")
        .env_remove("TRIAGE_DB")
        .arg("migrate")
        .output()
        .unwrap();
    check(
        &output,
        2,
        "",
        "error: invalid TRIAGE_HOLIDAYS `2026-13-01`: expected dates as YYYY-MM-DD, such as 2026-12-25, separated by commas\n",
    );
    std::fs::write(dir.path().join("t.toml"), "reminder_lead = \"90d\"\n").unwrap();
    check(
        &triage(dir.path(), &["--config", "t.toml", "migrate"]),
        2,
        "",
        "error: invalid reminder_lead in t.toml `90d`: expected a number of days or weeks such as 7d or 2w, from 1d to 60d\n",
    );
    assert!(!dir.path().join("triage.db").exists());
}
