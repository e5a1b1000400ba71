//! The soak: one `serve` under mixed load and injected faults for a fixed time, then a drain,
//! SIGTERM and the invariants, plus resident memory and ack latency.
//!
//! Load: `who`, `help` and `schedule 3` commands, coverage requests and Approve clicks.
//! Faults: every second about a fifth of the previous second's Web API calls (per method) are
//! answered 429 with `Retry-After: 1` or 500/503; a socket refresh (`disconnect`,
//! `refresh_requested`) every 30 s; every socket dropped without a close frame now and then;
//! duplicated deliveries (on every socket, and redelivered with a new envelope id); and a slow
//! disk, emulated by another connection holding the write lock (`BEGIN IMMEDIATE`) for
//! 200–500 ms every few seconds.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use jiff::civil::time;
use tokio::time::sleep;
use triage_bot::slack::DisconnectReason;
use triage_bot::slack::emulator::{Duplication, Emulator, Fault};

use super::check::{self, Life, Report};
use super::crash::{drain, sprint_at};
use super::load::Load;
use super::{Rng, Site, resident_kib, start_emulator, team_instant};

pub struct SoakOptions {
    pub binary: std::path::PathBuf,
    pub duration: Duration,
    /// Memory is compared with its value at the end of the warm-up.
    pub warm_up: Duration,
    /// Ack latency percentiles are reported per window of this length.
    pub window: Duration,
    pub seed: u64,
    pub commands_per_second: u64,
    pub request_every: Duration,
    pub click_every: Duration,
    pub lock_every: Duration,
    pub refresh_every: Duration,
    pub abrupt_every: Duration,
    pub duplicate_every: Duration,
    pub drain_timeout: Duration,
    /// Whether the memory and latency limits are checks (the soak) or only figures (the smoke
    /// test in CI, on a debug build, where performance is not asserted).
    pub enforce_limits: bool,
}

/// Methods the faults are spread over.
const FAULTED: [&str; 7] = [
    "chat.postMessage",
    "chat.update",
    "conversations.open",
    "conversations.setTopic",
    "views.publish",
    "usergroups.list",
    "usergroups.users.update",
];

/// Injects about `share` of each method's calls of the last second as 429s and 5xxs.
struct FaultPacer {
    share: f64,
    seen: HashMap<&'static str, usize>,
    owed: HashMap<&'static str, f64>,
    injected: usize,
    flip: bool,
}

impl FaultPacer {
    fn tick(&mut self, emulator: &Emulator) {
        for method in FAULTED {
            let calls = emulator.calls(method).len();
            let new = calls - self.seen.insert(method, calls).unwrap_or(0);
            let owed = self.owed.entry(method).or_default();
            *owed += new as f64 * self.share;
            let times = owed.floor() as usize;
            *owed -= times as f64;
            for _ in 0..times {
                self.flip = !self.flip;
                let method = method.to_string();
                emulator.inject(if self.flip {
                    Fault::RateLimit {
                        method,
                        retry_after_secs: 1,
                        times: 1,
                    }
                } else {
                    Fault::ServerError {
                        method,
                        status: 503,
                        times: 1,
                    }
                });
            }
            self.injected += times;
        }
    }

    fn calls(&self) -> usize {
        self.seen.values().sum()
    }
}

/// Holds the database's write lock for 200–500 ms every `every`, from its own thread.
struct LockHolder {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<(usize, Duration)>,
}

impl LockHolder {
    fn start(site: &Site, every: Duration, seed: u64) -> LockHolder {
        let stop = Arc::new(AtomicBool::new(false));
        let conn = site.connect();
        let stopping = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut rng = Rng::new(seed);
            let (mut holds, mut held) = (0, Duration::ZERO);
            while !stopping.load(Ordering::Relaxed) {
                std::thread::sleep(every);
                let hold = Duration::from_millis(rng.between(200, 501));
                let began = Instant::now();
                conn.execute_batch("BEGIN IMMEDIATE")
                    .expect("take the write lock");
                std::thread::sleep(hold);
                conn.execute_batch("COMMIT")
                    .expect("release the write lock");
                holds += 1;
                held += began.elapsed();
            }
            (holds, held)
        });
        LockHolder { stop, thread }
    }

    fn finish(self) -> (usize, Duration) {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().expect("lock holder")
    }
}

/// Runs the soak and checks the invariants and the figures.
pub async fn run(options: SoakOptions) -> Report {
    let site = Site::new(options.binary.clone(), 30);
    let emulator = start_emulator().await;
    let db = site.connect();
    let mut load = Load::new(options.seed);
    let mut rng = Rng::new(options.seed ^ 0xfa17);
    let serve = site.spawn_serve(&emulator, team_instant(1, time(7, 59, 30, 0)));
    let ready = emulator
        .wait_until(Duration::from_secs(10), |e| e.ready_sockets() == 2)
        .await;
    assert!(ready, "serve did not connect: {}", site.log_tail(20));
    let started = Instant::now();
    let locks = LockHolder::start(&site, options.lock_every, options.seed);
    let mut faults = FaultPacer {
        share: 0.2,
        seen: HashMap::new(),
        owed: HashMap::new(),
        injected: 0,
        flip: false,
    };
    let mut commands: Vec<(String, Instant)> = Vec::new();
    let mut rss_warm = None;
    let mut rss_samples: Vec<u64> = Vec::new();
    let (mut refreshes, mut abrupt, mut duplicated) = (0, 0, 0);
    let every = Duration::from_millis(1000 / options.commands_per_second.max(1));
    let mut timers = Timers::new(started);
    while started.elapsed() < options.duration {
        let texts = ["who", "help", "schedule 3", "who", "me"];
        let sent = emulator.send_slash_command(
            super::ADMIN,
            super::ADMIN_CHANNEL,
            "/triage",
            texts[rng.between(0, texts.len() as u64) as usize],
        );
        commands.push((sent.envelope_id, Instant::now()));
        let sprint = sprint_at(serve.now());
        if timers.due("request", options.request_every) {
            load.file_new(&emulator, sprint + 1);
            load.repeat_unanswered(&emulator, Instant::now() - Duration::from_secs(5));
        }
        if timers.due("click", options.click_every) {
            load.approve_one(&emulator, &db, sprint);
        }
        if timers.due("faults", Duration::from_secs(1)) {
            faults.tick(&emulator);
        }
        if timers.due("refresh", options.refresh_every) {
            emulator.inject(Fault::Disconnect {
                reason: DisconnectReason::RefreshRequested,
                only_oldest: true,
            });
            refreshes += 1;
        }
        if timers.due("abrupt", options.abrupt_every) {
            emulator.inject(Fault::CloseAbruptly);
            abrupt += 1;
        }
        if timers.due("duplicate", options.duplicate_every) {
            let how = if duplicated % 2 == 0 {
                Duplication::OnEverySocket
            } else {
                Duplication::Redeliver
            };
            emulator.inject(Fault::Duplicate { how, times: 3 });
            duplicated += 3;
        }
        if rss_warm.is_none() && started.elapsed() >= options.warm_up {
            rss_warm = Some(resident_kib(serve.pid()));
        }
        if timers.due("memory", options.window) {
            rss_samples.push(resident_kib(serve.pid()));
        }
        sleep(every).await;
    }
    let soaked = started.elapsed();
    let rss_end = resident_kib(serve.pid());
    let (holds, held) = locks.finish();
    for request in &load.requests {
        for send in &request.sends {
            commands.push((send.envelope_id.clone(), send.at));
        }
    }
    let api_calls = faults.calls();
    let (final_now, stopped_cleanly) = drain(&emulator, &db, serve, options.drain_timeout).await;
    let lives = [Life {
        started,
        ended: Instant::now(),
        killed: false,
    }];
    let mut report = Report::default();
    report.figure("seed", options.seed);
    report.figure("soak", format!("{:.0} s", soaked.as_secs_f64()));
    report.figure(
        "commands sent (who/help/schedule/me)",
        commands.len() - load.requests.iter().map(|r| r.sends.len()).sum::<usize>(),
    );
    report.figure("Web API calls (faultable methods)", api_calls);
    report.figure(
        "faults injected (429 or 503)",
        format!(
            "{} ({:.1} % of those calls)",
            faults.injected,
            100.0 * faults.injected as f64 / api_calls.max(1) as f64
        ),
    );
    report.figure(
        "socket refreshes / abrupt closes",
        format!("{refreshes} / {abrupt}"),
    );
    report.figure("envelopes delivered twice (armed)", duplicated);
    report.figure(
        "write-lock holds",
        format!("{holds}, {} ms in all", held.as_millis()),
    );
    if !stopped_cleanly {
        report.fail(format!(
            "serve did not exit 0 on SIGTERM:\n{}",
            site.log_tail(20)
        ));
    }
    report.figure(
        "resident memory at the end of each window (MiB)",
        rss_samples
            .iter()
            .map(|kib| format!("{:.1}", *kib as f64 / 1024.0))
            .collect::<Vec<_>>()
            .join(", "),
    );
    check_memory(
        rss_warm.unwrap_or(0),
        rss_end,
        options.enforce_limits,
        &mut report,
    );
    check_latency(&emulator, &commands, started, &options, &mut report);
    check::check_all(&db, &emulator, &load, &lives, final_now, &mut report);
    if !report.failures.is_empty() {
        report
            .notes
            .push(format!("serve's last log lines:\n{}", site.log_tail(40)));
    }
    report
}

/// Named periodic timers for the load loop.
struct Timers {
    start: Instant,
    next: BTreeMap<&'static str, Instant>,
}

impl Timers {
    fn new(start: Instant) -> Timers {
        Timers {
            start,
            next: BTreeMap::new(),
        }
    }

    /// True once per `every`, first after one period.
    fn due(&mut self, name: &'static str, every: Duration) -> bool {
        let next = self.next.entry(name).or_insert(self.start + every);
        if Instant::now() < *next {
            return false;
        }
        *next += every;
        true
    }
}

fn check_memory(warm: u64, end: u64, enforce: bool, report: &mut Report) {
    let mib = |kib: u64| format!("{:.1} MiB", kib as f64 / 1024.0);
    let growth = (end as f64 - warm as f64) / (warm.max(1) as f64) * 100.0;
    report.figure(
        "resident memory after warm-up / at the end",
        format!("{} / {} ({growth:+.1} %)", mib(warm), mib(end)),
    );
    if warm == 0 || end == 0 {
        report.fail("could not read serve's resident memory".to_string());
    } else if enforce && growth > 10.0 {
        report.fail(format!(
            "resident memory grew {growth:.1} % during the soak (limit 10 %)"
        ));
    }
}

/// Ack latency per window of the soak, by when the envelope was sent.
fn check_latency(
    emulator: &Emulator,
    commands: &[(String, Instant)],
    started: Instant,
    options: &SoakOptions,
    report: &mut Report,
) {
    let window = options.window;
    let latency: HashMap<String, (Duration, u64)> = emulator
        .acks()
        .into_iter()
        .filter_map(|ack| Some((ack.envelope_id, (ack.latency?, ack.socket))))
        .collect();
    let mut windows: BTreeMap<u64, Vec<Duration>> = BTreeMap::new();
    let mut slow: Vec<(Duration, Duration, u64)> = Vec::new();
    let mut unacked = 0;
    for (envelope_id, at) in commands {
        let Some((latency, socket)) = latency.get(envelope_id) else {
            unacked += 1;
            continue;
        };
        if *latency >= SLOW_ACK {
            slow.push((at.saturating_duration_since(started), *latency, *socket));
        }
        let index =
            at.saturating_duration_since(started).as_millis() as u64 / window.as_millis() as u64;
        windows.entry(index).or_default().push(*latency);
    }
    let ms = |d: Duration| format!("{:.1}", d.as_secs_f64() * 1e3);
    for (index, mut latencies) in windows {
        latencies.sort_unstable();
        let at =
            |percent: usize| latencies[(latencies.len() * percent).div_ceil(100).saturating_sub(1)];
        let (p50, p99, max) = (at(50), at(99), latencies[latencies.len() - 1]);
        report.figure(
            &format!(
                "ack latency, {} s from {} s (ms)",
                window.as_secs(),
                index * window.as_secs()
            ),
            format!(
                "p50 {}  p99 {}  max {}  ({} acks)",
                ms(p50),
                ms(p99),
                ms(max),
                latencies.len()
            ),
        );
        if options.enforce_limits && p99 >= Duration::from_millis(50) {
            report.fail(format!(
                "ack latency p99 {} ms in the window from {} s (limit 50 ms)",
                ms(p99),
                index * window.as_secs()
            ));
        }
    }
    report.figure("commands never acked (socket dropped under them)", unacked);
    report.figure("acks of 40 ms or more, by burst", slow_bursts(slow));
}

/// Acks this slow are listed by when their envelopes were sent.
const SLOW_ACK: Duration = Duration::from_millis(40);

/// Slow acks grouped into bursts (sent less than a second apart): when, how many, how slow, on
/// which sockets. A burst of similar latencies points at one stall, not at slow handling.
fn slow_bursts(mut slow: Vec<(Duration, Duration, u64)>) -> String {
    slow.sort_by_key(|(sent, _, _)| *sent);
    let mut bursts: Vec<Vec<(Duration, Duration, u64)>> = Vec::new();
    for ack in slow {
        match bursts.last_mut() {
            Some(burst) if ack.0 - burst[burst.len() - 1].0 < Duration::from_secs(1) => {
                burst.push(ack)
            }
            _ => bursts.push(vec![ack]),
        }
    }
    if bursts.is_empty() {
        return "none".to_string();
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    bursts
        .iter()
        .map(|burst| {
            let low = burst.iter().map(|a| a.1).min().unwrap_or_default();
            let high = burst.iter().map(|a| a.1).max().unwrap_or_default();
            let mut sockets: Vec<u64> = burst.iter().map(|a| a.2).collect();
            sockets.sort_unstable();
            sockets.dedup();
            format!(
                "{:.1} s ×{} ({:.0}–{:.0} ms, sockets {sockets:?})",
                burst[0].0.as_secs_f64(),
                burst.len(),
                ms(low),
                ms(high)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}
