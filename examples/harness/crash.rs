//! The crash run: `serve` killed with SIGKILL at random moments while requests, approvals,
//! heads-ups and handoffs are in flight, restarted each time, then one clean run that drains
//! the outbox, and the invariants.
//!
//! Sprints last one day, so a handoff (08:00) and a heads-up (17:00 the day before) come every
//! twelve hours of the bot's clock. Each process's clock starts where the last one's stopped;
//! once the next moment has passed and what it caused has been delivered, the next process
//! starts its clock just before the following moment. So every heads-up and handoff happens
//! with the bot running, and kills land in the middle of them.

use std::time::{Duration, Instant};

use jiff::civil::time;
use jiff::{SignedDuration, Timestamp};
use rusqlite::{Connection, params};
use tokio::time::sleep;
use triage_bot::slack::emulator::Emulator;

use super::check::{self, Life, Report};
use super::load::Load;
use super::{Rng, Serve, Site, ZONE, start_emulator, team_instant};

pub struct CrashOptions {
    pub binary: std::path::PathBuf,
    pub kills: usize,
    pub seed: u64,
    /// Random delay before each kill, from the process's start.
    pub kill_after: (Duration, Duration),
    pub request_every: Duration,
    pub click_every: Duration,
    /// Longest wait for the final clean run to drain the outbox.
    pub drain_timeout: Duration,
}

/// A moment of the bot's clock that causes notifications.
#[derive(Debug, Clone, Copy)]
struct Moment {
    at: Timestamp,
    /// Outbox keys of what it causes start with this.
    prefix_of: fn(i64) -> String,
    sprint: i64,
    /// Bot uptime spent past this moment without seeing its notifications delivered.
    waited: Duration,
}

/// The `k`-th moment from the start: heads-up for sprint 1, handoff to sprint 1, heads-up for
/// sprint 2, …
fn moment(k: usize) -> Moment {
    let day = (k / 2) as i64;
    if k % 2 == 0 {
        Moment {
            at: team_instant(day, time(17, 0, 0, 0)),
            prefix_of: |s| format!("headsup:{s}:"),
            sprint: day + 1,
            waited: Duration::ZERO,
        }
    } else {
        Moment {
            at: team_instant(day + 1, time(8, 0, 0, 0)),
            prefix_of: |s| format!("post:{s}"),
            sprint: day + 1,
            waited: Duration::ZERO,
        }
    }
}

/// The index of the sprint in force at `at` (one-day sprints from the first day, 08:00).
pub fn sprint_at(at: Timestamp) -> i64 {
    let zone = jiff::tz::TimeZone::get(ZONE).expect("zone");
    let local = at.to_zoned(zone);
    let days = (local.date() - super::FIRST_DAY).get_days() as i64;
    if local.time() < time(8, 0, 0, 0) {
        days - 1
    } else {
        days
    }
}

/// `at` plus `elapsed`: a process's clock after it ran for `elapsed`.
pub fn plus(at: Timestamp, elapsed: Duration) -> Timestamp {
    at.checked_add(SignedDuration::try_from(elapsed).unwrap_or_default())
        .unwrap_or(at)
}

/// Whether what `moment` causes has been enqueued and delivered: the heads-ups, or the team
/// post and the handoff DMs.
fn delivered(db: &Connection, moment: &Moment) -> bool {
    let mut prefixes = vec![(moment.prefix_of)(moment.sprint)];
    if prefixes[0].starts_with("post:") {
        prefixes.push(format!("handoff:{}:", moment.sprint));
    }
    prefixes.iter().all(|prefix| {
        let (rows, open): (i64, i64) = db
            .query_row(
                "SELECT count(*), coalesce(sum(status = 'pending'), 0) FROM outbox
                 WHERE substr(idempotency_key, 1, length(?1)) = ?1",
                params![prefix],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap_or((0, 1));
        rows > 0 && open == 0
    })
}

/// Pending outbox rows due at `now`, or waiting for a retry.
pub fn due_pending(db: &Connection, now: Timestamp) -> i64 {
    db.query_row(
        "SELECT count(*) FROM outbox WHERE status = 'pending'
         AND (next_attempt_at <= ?1 OR attempts > 0)",
        params![now.as_second()],
        |row| row.get(0),
    )
    .unwrap_or(-1)
}

/// Runs the whole crash harness and checks the invariants.
pub async fn run(options: CrashOptions) -> Report {
    let started = Instant::now();
    let site = Site::new(options.binary.clone(), 400);
    let emulator = start_emulator().await;
    let db = site.connect();
    let mut rng = Rng::new(options.seed);
    let mut load = Load::new(options.seed ^ 0x5eed);
    let mut lives: Vec<Life> = Vec::new();
    let mut cursor = team_instant(0, time(16, 59, 59, 0));
    let mut next = 0;
    let mut current = moment(next);
    let mut stalled: Vec<String> = Vec::new();
    let mut last_kill = Instant::now();
    let mut schedule = Schedule::new(options.request_every, options.click_every);
    for _ in 0..options.kills {
        let serve = site.spawn_serve(&emulator, cursor);
        load.repeat_unanswered(&emulator, last_kill);
        let (low, high) = options.kill_after;
        let delay =
            Duration::from_millis(rng.between(low.as_millis() as u64, high.as_millis() as u64));
        drive(&emulator, &db, &mut load, &serve, delay, &mut schedule).await;
        let (clock, began) = (serve.clock, serve.started);
        let killed = serve.kill();
        last_kill = killed;
        let life = killed.duration_since(began);
        lives.push(Life {
            started: began,
            ended: killed,
            killed: true,
        });
        cursor = plus(clock, life);
        // Move on to the next moment once this one's notifications are out.
        let mut moved = false;
        while current.at <= cursor {
            if delivered(&db, &current) {
                next += 1;
                current = moment(next);
                moved = true;
                continue;
            }
            current.waited += life;
            if current.waited > Duration::from_secs(60) {
                stalled.push(format!(
                    "{} for sprint {}",
                    (current.prefix_of)(current.sprint),
                    current.sprint
                ));
                next += 1;
                current = moment(next);
                moved = true;
                continue;
            }
            break;
        }
        if moved && current.at > cursor {
            let before = Duration::from_millis(rng.between(100, 700));
            let start = current
                .at
                .checked_sub(SignedDuration::try_from(before).unwrap_or_default());
            cursor = cursor.max(start.unwrap_or(cursor));
        }
    }
    let serve = site.spawn_serve(&emulator, cursor);
    load.repeat_unanswered(&emulator, last_kill);
    let (final_now, stopped_cleanly) = drain(&emulator, &db, serve, options.drain_timeout).await;
    lives.push(Life {
        started: last_kill,
        ended: Instant::now(),
        killed: false,
    });
    let mut report = Report::default();
    report.figure("seed", options.seed);
    report.figure("kills (SIGKILL)", options.kills);
    report.figure(
        "clock at the end",
        final_now.to_zoned(jiff::tz::TimeZone::get(ZONE).expect("zone")),
    );
    report.figure("heads-up and handoff moments passed", next);
    if !stalled.is_empty() {
        report.fail(format!(
            "moments whose notifications never went out: {stalled:?}"
        ));
    }
    if !stopped_cleanly {
        report.fail(format!(
            "the final serve did not exit 0 on SIGTERM:\n{}",
            site.log_tail(20)
        ));
    }
    check::check_all(&db, &emulator, &load, &lives, final_now, &mut report);
    report.figure(
        "wall time",
        format!("{:.1} s", started.elapsed().as_secs_f64()),
    );
    report
}

/// How often requests and clicks are sent, and when the next ones are due; kept across
/// processes.
pub struct Schedule {
    request_every: Duration,
    click_every: Duration,
    next_request: Instant,
    next_click: Instant,
}

impl Schedule {
    /// The first request at once, the first click one interval later.
    pub fn new(request_every: Duration, click_every: Duration) -> Schedule {
        Schedule {
            request_every,
            click_every,
            next_request: Instant::now(),
            next_click: Instant::now() + click_every,
        }
    }
}

/// Sends requests and clicks on their schedules until `delay` after `serve` started.
pub async fn drive(
    emulator: &Emulator,
    db: &Connection,
    load: &mut Load,
    serve: &Serve,
    delay: Duration,
    schedule: &mut Schedule,
) {
    let end = serve.started + delay;
    while Instant::now() < end {
        let sprint = sprint_at(serve.now());
        if Instant::now() >= schedule.next_request {
            load.file_new(emulator, sprint + 1);
            schedule.next_request = Instant::now() + schedule.request_every;
        }
        if Instant::now() >= schedule.next_click {
            load.approve_one(emulator, db, sprint);
            schedule.next_click = Instant::now() + schedule.click_every;
        }
        let wait = end
            .saturating_duration_since(Instant::now())
            .min(Duration::from_millis(10));
        sleep(wait).await;
    }
}

/// The last, clean run: waits until every command is acked and nothing in the outbox is due,
/// then stops `serve` with SIGTERM. Returns its clock at the end and whether it exited 0.
pub async fn drain(
    emulator: &Emulator,
    db: &Connection,
    serve: Serve,
    timeout: Duration,
) -> (Timestamp, bool) {
    let deadline = Instant::now() + timeout;
    sleep(Duration::from_millis(500)).await;
    // The instant the bot was seen quiet: what was due by then must have been delivered. A
    // heads-up or handoff whose moment comes after it (while the harness waits below) was not
    // due at the check, so it is judged "not due yet", not "undelivered".
    let mut quiet_at = serve.now();
    while Instant::now() < deadline {
        quiet_at = serve.now();
        if emulator.unacked() == 0 && due_pending(db, quiet_at) == 0 {
            break;
        }
        sleep(Duration::from_millis(100)).await;
    }
    // Time for a stray repeat to show up before counting.
    sleep(Duration::from_millis(500)).await;
    (quiet_at, serve.stop())
}
