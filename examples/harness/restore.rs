//! The restore run: the machine is lost and the database comes back from Litestream's replica.
//!
//! Each round sets up a team, starts Litestream with the shipped configuration
//! (`deploy/litestream.yml`) replicating the database to a directory (a second disk), then
//! `serve` (with `TRIAGE_DB_WAL_AUTOCHECKPOINT=0`, as deployed beside Litestream) under coverage
//! requests and Approve clicks. At a random moment both die by SIGKILL, Litestream first. The
//! replica is restored with `litestream restore -o` into an empty directory, checked, and `serve`
//! is started on the restored file against the same emulator, which remembers everything the
//! first process delivered; once it has drained its outbox it is stopped with SIGTERM.
//!
//! Litestream finds a commit in the WAL within its `monitor-interval` and ships it within its
//! `sync-interval`, both read from the configuration; their sum is the *window*. The checks:
//!
//! - the restored database passes `PRAGMA integrity_check`;
//! - every write acknowledged more than one window before the kill (a request answered with
//!   its id, an Approve click acked) is in it, under its id; no slot asked for holds two rows,
//!   and it holds nothing the run did not ask for;
//! - after the restart, every message in Slack that the restored outbox does not account for
//!   (sent again, or sent from a row the restore lost) was first sent within the window: what
//!   was delivered earlier is never sent again; and the outbox drains (the crash run's
//!   delivery checks).

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use jiff::civil::time;
use rusqlite::Connection;
use tokio::time::sleep;

mod recovery;

use super::check::{self, Report};
use super::crash::{Schedule, drain, drive, plus};
use super::load::Load;
use super::{Rng, Site, start_emulator, team_instant};
use recovery::{check_resent, check_restored};

pub struct RestoreOptions {
    pub binary: PathBuf,
    pub litestream: PathBuf,
    /// The Litestream configuration to run: the shipped `deploy/litestream.yml`.
    pub config: PathBuf,
    pub rounds: usize,
    pub seed: u64,
    /// Random time from serve's start to the kill.
    pub kill_after: (Duration, Duration),
    pub request_every: Duration,
    pub click_every: Duration,
    /// Longest wait for the restarted serve to drain the outbox.
    pub drain_timeout: Duration,
}

/// What one round measured, for the summary over all rounds.
struct Round {
    report: Report,
    /// How long before the kill the newest acknowledged write that was restored was acked.
    newest_kept: Option<Duration>,
    /// How long before the kill the oldest acknowledged write that was lost was acked.
    oldest_lost: Option<Duration>,
    restore_time: Duration,
    resent: usize,
}

/// Runs the rounds and puts their figures side by side.
pub async fn run(options: RestoreOptions) -> Report {
    let started = Instant::now();
    let text = std::fs::read_to_string(&options.config).expect("read the Litestream configuration");
    let window = interval(&text, "monitor-interval") + interval(&text, "sync-interval");
    let mut rng = Rng::new(options.seed);
    let mut rounds = Vec::new();
    for _ in 0..options.rounds {
        let seed = rng.next();
        rounds.push(round(&options, window, seed).await);
    }
    let mut report = Report::default();
    report.figure("seed", options.seed);
    report.figure("rounds (figures per round, | between)", rounds.len());
    report.figure("window (monitor-interval + sync-interval)", seconds(window));
    merge(&mut report, &rounds);
    let worst = |pick: fn(&Round) -> Option<Duration>| {
        rounds
            .iter()
            .filter_map(pick)
            .max()
            .map_or("none".to_string(), seconds)
    };
    report.figure(
        "oldest acknowledged write lost, worst round",
        worst(|r| r.oldest_lost),
    );
    report.figure(
        "newest acknowledged write restored, worst",
        worst(|r| r.newest_kept),
    );
    report.figure("restore time, longest", worst(|r| Some(r.restore_time)));
    report.figure(
        "messages sent again, all rounds",
        rounds.iter().map(|r| r.resent).sum::<usize>(),
    );
    report.figure(
        "wall time",
        format!("{:.1} s", started.elapsed().as_secs_f64()),
    );
    report
}

/// Lines up the rounds' figures by name and collects their failures and notes.
fn merge(report: &mut Report, rounds: &[Round]) {
    let mut names: Vec<String> = Vec::new();
    let mut values: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for round in rounds {
        for (name, value) in &round.report.figures {
            if !names.contains(name) {
                names.push(name.clone());
            }
            values.entry(name.clone()).or_default().push(value.clone());
        }
    }
    for name in names {
        report.figure(&name, values[&name].join(" | "));
    }
    for (number, round) in rounds.iter().enumerate() {
        for note in &round.report.notes {
            report.notes.push(format!("round {}: {note}", number + 1));
        }
        for failure in &round.report.failures {
            report.fail(format!("round {}: {failure}", number + 1));
        }
    }
}

async fn round(options: &RestoreOptions, window: Duration, seed: u64) -> Round {
    let mut report = Report::default();
    let mut outcome = Round {
        report: Report::default(),
        newest_kept: None,
        oldest_lost: None,
        restore_time: Duration::ZERO,
        resent: 0,
    };
    let mut site = Site::new(options.binary.clone(), 60);
    site.env.push(litestream_checkpoints());
    let replica = site.dir.path().join("replica");
    let mut litestream = Litestream::start(options, &site, &replica);
    if let Err(why) = litestream.wait_for_snapshot(&replica).await {
        report.fail(why);
        outcome.report = report;
        return outcome;
    }
    let emulator = start_emulator().await;
    let db = site.connect();
    let mut rng = Rng::new(seed);
    let mut load = Load::new(seed ^ 0x5eed);
    // Just before the heads-up moment, so its DMs go out while the load runs.
    let serve = site.spawn_serve(&emulator, team_instant(0, time(16, 59, 58, 0)));
    let (low, high) = options.kill_after;
    let delay = Duration::from_millis(rng.between(low.as_millis() as u64, high.as_millis() as u64));
    let mut schedule = Schedule::new(options.request_every, options.click_every);
    drive(&emulator, &db, &mut load, &serve, delay, &mut schedule).await;
    // The machine is lost. Litestream dies first, so whatever serve commits after it is lost too.
    let killed = litestream.kill();
    let (clock, began) = (serve.clock, serve.started);
    serve.kill();
    drop(db);
    report.figure("serve killed after", seconds(killed.duration_since(began)));

    let mut target = Site::empty(options.binary.clone());
    target.env.push(litestream_checkpoints());
    match restore_replica(&options.litestream, &replica, &target.db()) {
        Ok(took) => outcome.restore_time = took,
        Err(why) => {
            report.fail(why);
            outcome.report = report;
            return outcome;
        }
    }
    report.figure("restore time", seconds(outcome.restore_time));
    let restored = target.connect();
    report.figure("restored database", format!("{} KiB", kib(&restored)));
    (outcome.newest_kept, outcome.oldest_lost) =
        check_restored(&restored, &emulator, &load, killed, window, &mut report);

    let restarted = Instant::now();
    let serve = target.spawn_serve(&emulator, plus(clock, began.elapsed()));
    let (final_now, stopped_cleanly) =
        drain(&emulator, &restored, serve, options.drain_timeout).await;
    if !stopped_cleanly {
        report.fail(format!(
            "serve on the restored database did not exit 0 on SIGTERM:\n{}",
            target.log_tail(20)
        ));
    }
    report.figure(
        "restarted serve drained and stopped after",
        seconds(restarted.elapsed()),
    );
    outcome.resent = check_resent(&restored, &emulator, killed, window, &mut report);
    check::check_delivery(&restored, final_now, &mut report);
    outcome.report = report;
    outcome
}

/// `litestream restore -o into REPLICA_URL`, as on a new machine; how long it took.
fn restore_replica(litestream: &Path, replica: &Path, into: &Path) -> Result<Duration, String> {
    let started = Instant::now();
    let restore = Command::new(litestream)
        .arg("restore")
        .arg("-o")
        .arg(into)
        .arg(replica_url(replica))
        .output()
        .expect("run litestream restore");
    let took = started.elapsed();
    if restore.status.success() {
        Ok(took)
    } else {
        Err(format!(
            "litestream restore failed: {}",
            String::from_utf8_lossy(&restore.stderr)
        ))
    }
}

/// The size of the database `db` is connected to, in KiB.
fn kib(db: &Connection) -> i64 {
    db.query_row(
        "SELECT page_count * page_size / 1024 FROM pragma_page_count(), pragma_page_size()",
        [],
        |row| row.get(0),
    )
    .unwrap_or(-1)
}

/// The bot's setting beside Litestream: checkpoints are Litestream's.
fn litestream_checkpoints() -> (String, String) {
    ("TRIAGE_DB_WAL_AUTOCHECKPOINT".to_string(), "0".to_string())
}

fn replica_url(replica: &Path) -> String {
    format!("file://{}", replica.display())
}

/// `litestream replicate` as a child process, killed when dropped.
struct Litestream {
    child: Option<Child>,
    log: PathBuf,
}

impl Litestream {
    /// Replicates the site's database to `replica` with the configuration under test, which
    /// reads both places from the environment, as deployed.
    fn start(options: &RestoreOptions, site: &Site, replica: &Path) -> Litestream {
        let log = site.dir.path().join("litestream.log");
        let file = File::create(&log).expect("litestream log");
        let child = Command::new(&options.litestream)
            .arg("replicate")
            .arg("-config")
            .arg(&options.config)
            .env("TRIAGE_DB", site.db())
            .env("LITESTREAM_REPLICA_URL", replica_url(replica))
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("litestream log"))
            .stderr(file)
            .spawn()
            .expect("spawn litestream replicate");
        Litestream {
            child: Some(child),
            log,
        }
    }

    /// Waits until the replica holds its first snapshot, as a deployment would before the bot
    /// starts.
    async fn wait_for_snapshot(&mut self, replica: &Path) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if holds_files(&replica.join("ltx")) {
                return Ok(());
            }
            let exited = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten());
            if let Some(status) = exited {
                return Err(format!(
                    "litestream replicate exited ({status}):\n{}",
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                ));
            }
            sleep(Duration::from_millis(50)).await;
        }
        Err(format!(
            "no snapshot in the replica after 30 s:\n{}",
            std::fs::read_to_string(&self.log).unwrap_or_default()
        ))
    }

    /// SIGKILL, then reap. Returns the instant of the kill.
    fn kill(&mut self) -> Instant {
        let at = Instant::now();
        if let Some(mut child) = self.child.take() {
            child.kill().expect("SIGKILL litestream");
            child.wait().expect("reap litestream");
        }
        at
    }
}

impl Drop for Litestream {
    fn drop(&mut self) {
        self.kill();
    }
}

fn holds_files(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|entry| {
        let path = entry.path();
        if path.is_dir() {
            holds_files(&path)
        } else {
            true
        }
    })
}

/// A duration such as `1s`, `500ms` or `2m` set for `key` in the YAML `text`; the
/// configuration must set it, so the window checked is the one the configuration promises.
fn interval(text: &str, key: &str) -> Duration {
    let value = text
        .lines()
        .map(|line| line.split('#').next().unwrap_or_default().trim())
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
        .unwrap_or_else(|| panic!("the Litestream configuration does not set {key}"))
        .trim();
    let (number, unit) = value.split_at(value.find(|c: char| !c.is_ascii_digit()).unwrap_or(0));
    let number: u64 = number
        .parse()
        .unwrap_or_else(|_| panic!("{key}: cannot read {value:?}"));
    match unit {
        "ms" => Duration::from_millis(number),
        "s" => Duration::from_secs(number),
        "m" => Duration::from_secs(number * 60),
        _ => panic!("{key}: cannot read {value:?}"),
    }
}

pub fn seconds(duration: Duration) -> String {
    format!("{:.2} s", duration.as_secs_f64())
}
