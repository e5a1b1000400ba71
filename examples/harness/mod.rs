//! Shared code of the reliability runs: the crash harness (`examples/crash_harness.rs`), the
//! soak under faults (`examples/soak.rs`), their smoke versions in `tests/it/crash.rs`, and the
//! restore drill with Litestream (`examples/litestream_restore.rs`).
//!
//! It owns the pieces the runs need: a team in a temporary database made with the binary's own
//! command line, the in-process Slack emulator with the team's people, `triage-bot serve` as a
//! subprocess (killed or stopped with SIGTERM), a stream of coverage requests and approvals
//! ([`load`]), and the invariant checks over the database and the emulator ([`check`]). It lives
//! beside the examples rather than in the library because it is test machinery: it needs
//! `tempfile`, spawns processes and kills them, none of which belongs in the shipped crate. The
//! smoke test includes this directory with `#[path]`, so there is one copy of it.

pub mod check;
pub mod crash;
pub mod load;
pub mod restore;
pub mod soak;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use jiff::civil::{Date, Time};
use jiff::{Timestamp, ToSpan, tz::TimeZone};
use rusqlite::Connection;
use triage_bot::slack::emulator::{Emulator, EmulatorOptions, workspace::User};

/// The emulator's fixed tokens, as `triage-bot slack-emulator` prints them.
const EMULATOR_APP_TOKEN: &str = "xapp-emulator-app-token";
const EMULATOR_BOT_TOKEN: &str = "xoxb-emulator-bot-token";
pub const TRIAGE_CHANNEL: &str = "C0TRIAGE";
pub const ADMIN_CHANNEL: &str = "C0GENERAL";
pub const USERGROUP: &str = "S0ONCALL";
/// The admin who files requests and clicks Approve; not on any rotation.
pub const ADMIN: &str = "U0ADMIN";
pub const ZONE: &str = "America/Los_Angeles";
/// The first day of the first one-day sprint (index 0).
pub const FIRST_DAY: Date = jiff::civil::date(2026, 3, 2);
/// Disciplines and their people, three each.
pub const TEAM: [(&str, &str, [&str; 3]); 3] = [
    ("ui", "UI", ["U0UI1", "U0UI2", "U0UI3"]),
    ("backend", "Backend", ["U0BE1", "U0BE2", "U0BE3"]),
    ("po", "Product", ["U0PO1", "U0PO2", "U0PO3"]),
];

/// A small, seedable pseudo-random generator (xorshift64*), so a run can be repeated.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    /// A seed from the clock, for runs that do not name one.
    pub fn seed_from_clock() -> u64 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        nanos.as_nanos() as u64 ^ 0x9e37_79b9_7f4a_7c15
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `low..high`.
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low).max(1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.between(0, items.len() as u64) as usize]
    }
}

/// The instant of `time` on the day `days` after [`FIRST_DAY`], in the team's zone.
pub fn team_instant(days: i64, time: Time) -> Timestamp {
    let zone = TimeZone::get(ZONE).expect("the team's zone is known");
    FIRST_DAY
        .checked_add(days.days())
        .expect("a date in range")
        .to_datetime(time)
        .to_zoned(zone)
        .expect("a valid local time")
        .timestamp()
}

/// Where the run keeps its database and logs, and which binary it runs.
pub struct Site {
    pub dir: tempfile::TempDir,
    pub binary: PathBuf,
    /// Settings every command of the binary gets, besides the database.
    pub env: Vec<(String, String)>,
}

impl Site {
    /// An empty temporary directory: no database yet.
    pub fn empty(binary: PathBuf) -> Site {
        Site {
            dir: tempfile::tempdir().expect("temp dir"),
            binary,
            env: Vec::new(),
        }
    }

    /// A temporary directory with the team set up through the binary's command line:
    /// three disciplines of three people and `sprints` one-day sprints from [`FIRST_DAY`].
    pub fn new(binary: PathBuf, sprints: usize) -> Site {
        let site = Site::empty(binary);
        let mut steps: Vec<Vec<String>> = Vec::new();
        for (key, name, people) in TEAM {
            steps.push(vec![
                "discipline".into(),
                "add".into(),
                key.into(),
                "--name".into(),
                name.into(),
            ]);
            for person in people {
                steps.push(vec![
                    "member".into(),
                    "add".into(),
                    person.into(),
                    key.into(),
                    "--name".into(),
                    person.to_lowercase(),
                ]);
            }
        }
        steps.push(vec![
            "sprint".into(),
            "generate".into(),
            "--start".into(),
            FIRST_DAY.to_string(),
            "--days".into(),
            "1".into(),
            "--count".into(),
            sprints.to_string(),
        ]);
        for args in steps {
            let output = site.command().args(&args).output().expect("run triage-bot");
            assert!(
                output.status.success(),
                "triage-bot {args:?} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        site
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("triage.db")
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("serve.log")
    }

    /// The binary with a clean environment apart from the database.
    fn command(&self) -> Command {
        let mut command = Command::new(&self.binary);
        for (name, _) in std::env::vars() {
            if name.starts_with("TRIAGE_") || name.starts_with("SLACK_") || name == "RUST_LOG" {
                command.env_remove(name);
            }
        }
        command
            .env("TRIAGE_DB", self.db())
            .env("TRIAGE_TIMEZONE", ZONE)
            .envs(self.env.iter().map(|(name, value)| (name, value)));
        command
    }

    /// Starts `serve` against `emulator` with its clock starting at `clock`; its log is
    /// appended to [`Site::log_path`].
    pub fn spawn_serve(&self, emulator: &Emulator, clock: Timestamp) -> Serve {
        let log = File::options()
            .create(true)
            .append(true)
            .open(self.log_path())
            .expect("log file");
        let child = self
            .command()
            .arg("serve")
            .env("TRIAGE_CLOCK_START", clock.to_string())
            .env("TRIAGE_CHANNEL", TRIAGE_CHANNEL)
            .env("TRIAGE_ADMIN_CHANNEL", ADMIN_CHANNEL)
            .env("TRIAGE_ADMINS", ADMIN)
            .env("TRIAGE_USERGROUP", USERGROUP)
            .env("SLACK_API_URL", emulator.api_url())
            .env("SLACK_APP_TOKEN", EMULATOR_APP_TOKEN)
            .env("SLACK_BOT_TOKEN", EMULATOR_BOT_TOKEN)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn serve");
        Serve {
            child,
            started: Instant::now(),
            clock,
        }
    }

    /// A connection to the bot's database, for reading and for holding locks.
    pub fn connect(&self) -> Connection {
        let conn = Connection::open(self.db()).expect("open the database");
        conn.busy_timeout(Duration::from_secs(10))
            .expect("busy timeout");
        conn
    }

    /// The last `lines` lines of serve's log, for failure messages.
    pub fn log_tail(&self, lines: usize) -> String {
        let log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        let all: Vec<&str> = log.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }
}

/// A running `serve` and where its clock started.
pub struct Serve {
    pub child: Child,
    pub started: Instant,
    pub clock: Timestamp,
}

impl Serve {
    /// The instant serve's clock shows now (give or take its start-up).
    pub fn now(&self) -> Timestamp {
        let elapsed = jiff::SignedDuration::try_from(self.started.elapsed()).unwrap_or_default();
        self.clock.checked_add(elapsed).unwrap_or(self.clock)
    }

    /// SIGKILL, then reap. Returns the instant of the kill.
    pub fn kill(mut self) -> Instant {
        let at = Instant::now();
        self.child.kill().expect("SIGKILL serve");
        self.child.wait().expect("reap serve");
        at
    }

    /// SIGTERM and wait up to 15 s; true when it exited 0.
    pub fn stop(mut self) -> bool {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -TERM failed");
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for serve") {
                return status.success();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// The emulator with the team's people (and the admin) as workspace users.
pub async fn start_emulator() -> Emulator {
    let options = EmulatorOptions {
        disconnect_grace: Duration::from_millis(500),
    };
    let emulator = Emulator::start_with(0, options).await.expect("emulator");
    emulator.edit_workspace(|workspace| {
        let people = TEAM.iter().flat_map(|(_, _, people)| people.iter());
        for id in people.chain([&ADMIN]) {
            workspace.users.push(User {
                id: id.to_string(),
                name: id.to_lowercase(),
                real_name: id.to_string(),
                tz: ZONE.to_string(),
            });
        }
    });
    emulator
}

/// The release binary beside this example's executable (`target/release/triage-bot`). Built
/// first when it is missing or older than this executable (which cargo has just rebuilt if the
/// library changed), so it is never stale.
pub fn release_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    // target/release/examples/<name> → target/release/triage-bot
    let release = exe
        .parent()
        .and_then(Path::parent)
        .expect("the example runs from target/<profile>/examples");
    let binary = release.join("triage-bot");
    let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    if modified(&binary).is_none() || modified(&binary) < modified(&exe) {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        let status = Command::new(cargo)
            .args(["build", "--release", "--bin", "triage-bot"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("run cargo build");
        assert!(
            status.success(),
            "cargo build --release --bin triage-bot failed"
        );
    }
    binary
}

/// `triage-bot` built with the same profile as this example, beside it
/// (`target/<profile>/triage-bot`); built first when it is missing or older than this executable.
pub fn bot_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the example runs from target/<profile>/examples");
    let binary = profile_dir.join("triage-bot");
    let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    if modified(&binary).is_none() || modified(&binary) < modified(&exe) {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        // Built together with this example, so dev-dependencies unify features the same way
        // and an up-to-date build is not redone.
        let example = exe.file_stem().expect("example name").to_os_string();
        let mut build = Command::new(cargo);
        build
            .args(["build", "--bin", "triage-bot", "--example"])
            .arg(example);
        if profile_dir.ends_with("release") {
            build.arg("--release");
        }
        let status = build
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("run cargo build");
        assert!(status.success(), "cargo build of triage-bot failed");
    }
    binary
}

/// A path flag `--name PATH` from the command line.
pub fn path_flag(name: &str) -> Option<PathBuf> {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|arg| arg == name)?;
    let value = args
        .get(at + 1)
        .unwrap_or_else(|| panic!("{name} takes a path"));
    Some(PathBuf::from(value))
}

/// A number flag `--name N` from the command line, or `default`.
pub fn flag(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|arg| arg == name)
        .and_then(|at| args.get(at + 1))
        .map(|value| {
            value
                .parse()
                .unwrap_or_else(|_| panic!("{name} takes a number, not {value:?}"))
        })
        .unwrap_or(default)
}

/// `VmRSS` of a process, in KiB (0 when it cannot be read).
pub fn resident_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|number| number.parse().ok())
        .unwrap_or(0)
}

pub fn load_average() -> String {
    let loadavg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    loadavg
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs a harness on a two-worker runtime, prints its report between the load averages before
/// and after, and turns its verdict into the exit status.
pub fn run_and_report(
    run: impl std::future::Future<Output = check::Report>,
) -> std::process::ExitCode {
    println!("load average before: {}", load_average());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let report = runtime.block_on(run);
    report.print();
    println!("load average after: {}", load_average());
    if report.failures.is_empty() {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
