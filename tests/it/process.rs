//! The real binary as a process: what it writes where, and how it ends (a closed pipe, a
//! read-only database, Slack refusing the bot, logs to a file).

use std::process::{Command, Stdio};

use super::cli::{check, stderr, stdout, triage};
use triage_bot::store::SCHEMA_VERSION;

/// `triage-bot` in `dir` with no inherited TRIAGE_*/SLACK_* settings or RUST_LOG.
fn command(dir: &std::path::Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_triage-bot"));
    command.current_dir(dir).args(args);
    for (name, _) in std::env::vars() {
        if name.starts_with("TRIAGE_") || name.starts_with("SLACK_") || name == "RUST_LOG" {
            command.env_remove(name);
        }
    }
    command
}

#[test]
fn output_into_a_closed_pipe_ends_quietly_with_status_0() {
    let dir = tempfile::tempdir().unwrap();
    for key in ["ui", "backend", "po"] {
        let added = triage(dir.path(), &["discipline", "add", key, "--name", key]);
        assert_eq!(added.status.code(), Some(0), "{}", stderr(&added));
    }
    for args in [
        &["audit"][..],
        &["discipline", "list"],
        &["audit", "--json"],
    ] {
        // The reading end is closed before the command writes its first byte, as
        // `triage-bot audit | true` does.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = command(dir.path(), args)
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(
            (output.status.code(), stderr(&output).as_str()),
            (Some(0), ""),
            "{args:?}"
        );
    }
}

#[test]
fn migrate_check_json_is_json() {
    let dir = tempfile::tempdir().unwrap();
    check(
        &triage(dir.path(), &["migrate", "--check", "--json"]),
        0,
        &format!(
            "{{\"exists\":false,\"path\":\"triage.db\",\"status\":\"missing\",\"supported\":{SCHEMA_VERSION},\"version\":0}}\n"
        ),
        "",
    );
    check(
        &triage(dir.path(), &["migrate", "--json"]),
        0,
        &format!("{{\"from\":0,\"path\":\"triage.db\",\"to\":{SCHEMA_VERSION}}}\n"),
        "",
    );
    let output = triage(dir.path(), &["migrate", "--check", "--json"]);
    let answer: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        answer,
        serde_json::json!({"path": "triage.db", "exists": true, "version": SCHEMA_VERSION, "supported": SCHEMA_VERSION, "status": "current"})
    );
}

#[test]
fn logs_not_written_to_a_terminal_have_no_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    let output = command(dir.path(), &["migrate"])
        .env("RUST_LOG", "info")
        .output()
        .unwrap();
    let log = stderr(&output);
    assert!(log.contains("migrated database schema"), "{log}");
    assert!(!log.contains('\u{1b}'), "{log:?}");
}

/// Root ignores file permissions, so the test reaches a read-only database the way SQLite
/// reports one whatever the cause: through a connection that may only read.
#[test]
fn a_read_only_database_says_what_is_wrong_and_how_to_fix_it() {
    use triage_bot::store::{Store, StoreError, StoreOptions};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("triage.db");
    drop(Store::open(&path, StoreOptions::default()).unwrap());
    let conn =
        rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let error = StoreError::from(
        conn.execute("INSERT INTO admins VALUES ('U1', 'test', 0)", [])
            .unwrap_err(),
    );
    assert!(!error.is_user_error());
    assert_eq!(
        error.to_string(),
        "the database is read-only: check the permissions of the database file and of its \
         directory (triage-bot must write the file and create its -wal and -shm files beside it)"
    );
}

/// Waits for `child` to exit, for at most `limit`; kills it (and fails) past that.
fn wait_for_exit(child: &mut std::process::Child, limit: std::time::Duration) -> Option<i32> {
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("the process did not exit within {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_exits_1_when_slack_refuses_the_app_token() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let emulator = triage_bot::slack::emulator::Emulator::start()
        .await
        .unwrap();
    // The health server and the scheduler run too: they must not keep the process alive.
    let mut child = command(dir.path(), &["serve"])
        .env("TRIAGE_CLOCK_START", "2026-03-10T12:00:00-07:00")
        .env("TRIAGE_HTTP_ADDR", "127.0.0.1:0")
        .env("SLACK_API_URL", emulator.api_url())
        .env("SLACK_APP_TOKEN", "xapp-revoked")
        .env("SLACK_BOT_TOKEN", "xoxb-emulator-bot-token")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = tokio::task::block_in_place(|| {
        wait_for_exit(&mut child, std::time::Duration::from_secs(30))
    });
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert_eq!(status, Some(1), "{log}");
    assert!(
        log.contains("slack refused the app-level token (invalid_auth)"),
        "{log}"
    );
    assert!(!log.contains("xapp-revoked"), "{log}");
}

/// `doctor`'s report when Slack's Web API is at `api_url`.
fn doctor_report(api_url: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut child = command(dir.path(), &["doctor"])
        .env("SLACK_API_URL", api_url)
        .env("SLACK_APP_TOKEN", "xapp-emulator-app-token")
        .env("SLACK_BOT_TOKEN", "xoxb-emulator-bot-token")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Generous: the point is that doctor ends at all, and says the right thing.
    assert_eq!(
        wait_for_exit(&mut child, std::time::Duration::from_secs(60)),
        Some(1)
    );
    let mut report = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut report).unwrap();
    report
}

#[test]
fn doctor_tells_an_unreachable_slack_from_a_refused_token() {
    // Accepts connections (the kernel completes them) and never answers: never `accept`ed.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let report = doctor_report(&format!("http://{}/api", silent.local_addr().unwrap()));
    for token in ["bot token", "app token"] {
        assert!(
            report.contains(&format!("{token}: could not reach Slack (timed out")),
            "{report}"
        );
    }
    assert!(report.contains("check the network, DNS"), "{report}");
    assert!(!report.contains("refused the token"), "{report}");
    drop(silent);

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = closed.local_addr().unwrap();
    drop(closed);
    let report = doctor_report(&format!("http://{address}/api"));
    for token in ["bot token", "app token"] {
        assert!(
            report.contains(&format!(
                "{token}: could not reach Slack (connection failed"
            )),
            "{report}"
        );
    }
    assert!(!report.contains("refused the token"), "{report}");
}
