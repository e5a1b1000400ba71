//! Ack latency of the release `triage-bot serve` under a steady stream of `/triage who`.
//!
//! Builds a small team with a sprint in force through the binary's own command line, starts
//! the Slack emulator in this process, runs `triage-bot serve` against it, streams 2,000 slash
//! commands at 200 per second, and prints the p50 / p99 / max ack latency the emulator
//! recorded (from the socket task starting to write the envelope to reading its ack), lost and
//! duplicated acks, wrong answers, `serve`'s own view of the same latency (received → ack
//! queued, from its /metrics), and the resident memory of `serve` after connecting and after the
//! stream. Then it stops `serve` with SIGTERM and checks that it exits 0. The emulator runs on
//! one thread, so that the measuring side takes at most one of the machine's cores.
//!
//! Targets: p99 ≤ 1 ms, 0 lost, 0 duplicated, ≤ 15 MiB resident after the stream.
//! Run with `cargo bench --bench socket_acks`; `cargo bench --bench socket_acks -- help` streams
//! `/triage help` instead, which needs one small query instead of the duty lookup, to tell the
//! store's share of the latency from the transport's. The machine's load average is printed with the figures: other
//! processes competing for the cores show up directly in p99.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use triage_bot::slack::emulator::{Emulator, RecordedAck};

const ENVELOPES: u32 = 2_000;
const PERIOD: Duration = Duration::from_millis(5); // 200 per second
const CLOCK_START: &str = "2026-03-10T12:00:00-07:00";
/// The emulator's fixed tokens, as `triage-bot slack-emulator` prints them.
const EMULATOR_APP_TOKEN: &str = "xapp-emulator-app-token";
const EMULATOR_BOT_TOKEN: &str = "xoxb-emulator-bot-token";
const EXPECTED_WHO: &str = "*Sprint 1* until Mon 2026-03-23 08:00 PDT\n• UI: <@U1> (rotation)\n• Backend: <@U3> (rotation)";

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

/// The slash command's text: `who` unless the first free argument says otherwise.
fn command_text() -> String {
    std::env::args()
        .skip(1)
        .find(|arg| !arg.starts_with("--"))
        .unwrap_or_else(|| "who".to_string())
}

async fn run() {
    let text = command_text();
    println!("load average before: {}", load_average());
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("triage.db");
    set_up_team(&db);
    let emulator = Emulator::start().await.expect("emulator");
    let metrics_addr = free_local_address();
    let mut serve = spawn_serve(&emulator, &db, dir.path(), &metrics_addr);
    let ready = emulator
        .wait_until(Duration::from_secs(10), |e| e.ready_sockets() == 2)
        .await;
    assert!(ready, "serve did not open 2 sockets: {}", log(dir.path()));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let rss_connected = resident_kib(serve.id());

    let (sent, elapsed) = stream(&emulator, &text).await;
    let settled = emulator
        .wait_until(Duration::from_secs(10), |e| e.unacked() == 0)
        .await;
    // Time for a late duplicate to show up.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_after = resident_kib(serve.id());
    let threads = threads(serve.id());

    let expected = (text == "who").then_some(EXPECTED_WHO);
    let summary = Summary::of(&sent, &emulator.acks(), expected);
    println!(
        "socket_acks: {ENVELOPES} `/triage {text}` slash commands in {:.2} s ({:.0}/s) to the release `serve` over 2 sockets",
        elapsed.as_secs_f64(),
        f64::from(ENVELOPES) / elapsed.as_secs_f64()
    );
    summary.print();
    println!(
        "inside serve (received → ack queued), from its /metrics: {}",
        inside_serve(&metrics_addr).await
    );
    println!("settled (no envelope left unacked): {settled}");
    println!(
        "serve resident memory: {} after connecting, {} after the stream ({threads} threads)",
        mib(rss_connected),
        mib(rss_after)
    );
    println!("load average after: {}", load_average());
    let status = stop(&mut serve);
    println!("serve after SIGTERM: {status}");
    assert!(
        status.success(),
        "serve did not exit 0: {}",
        log(dir.path())
    );
    emulator.shutdown().await;
}

/// A team of two disciplines with one sprint in force at `CLOCK_START`, made with the CLI.
fn set_up_team(db: &Path) {
    let steps: [&[&str]; 6] = [
        &["discipline", "add", "ui", "--name", "UI"],
        &["discipline", "add", "backend", "--name", "Backend"],
        &["member", "add", "U1", "ui", "--name", "Ana"],
        &["member", "add", "U2", "ui", "--name", "Ben"],
        &["member", "add", "U3", "backend", "--name", "Cy"],
        &["sprint", "add", "Sprint 1", "2026-03-09", "2026-03-22"],
    ];
    for args in steps {
        let output = triage_bot_command(db)
            .args(args)
            .output()
            .expect("run triage-bot");
        assert!(
            output.status.success(),
            "triage-bot {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

fn triage_bot_command(db: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_triage-bot"));
    for (name, _) in std::env::vars() {
        if name.starts_with("TRIAGE_") || name.starts_with("SLACK_") || name == "RUST_LOG" {
            command.env_remove(name);
        }
    }
    command
        .env("TRIAGE_DB", db)
        .env("TRIAGE_CLOCK_START", CLOCK_START);
    command
}

fn spawn_serve(emulator: &Emulator, db: &Path, dir: &Path, metrics_addr: &str) -> Child {
    let log = std::fs::File::create(dir.join("serve.log")).expect("log file");
    triage_bot_command(db)
        .arg("serve")
        .env("SLACK_API_URL", emulator.api_url())
        .env("SLACK_APP_TOKEN", EMULATOR_APP_TOKEN)
        .env("SLACK_BOT_TOKEN", EMULATOR_BOT_TOKEN)
        .env("TRIAGE_HTTP_ADDR", metrics_addr)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("spawn serve")
}

/// Sends the slash commands on a fixed schedule; returns their envelope ids and the time taken.
async fn stream(emulator: &Emulator, text: &str) -> (Vec<String>, Duration) {
    let start = tokio::time::Instant::now();
    let mut sent = Vec::with_capacity(ENVELOPES as usize);
    for n in 0..ENVELOPES {
        tokio::time::sleep_until(start + PERIOD * n).await;
        let delivered = emulator.send_slash_command("U1", "C1", "/triage", text);
        sent.push(delivered.envelope_id);
    }
    (sent, start.elapsed())
}

/// What came back for the envelopes sent.
struct Summary {
    latencies: Vec<Duration>,
    lost: usize,
    duplicated: usize,
    wrong_answers: usize,
    first_answer: Option<String>,
}

impl Summary {
    /// `expected` is the answer every ack must carry, when known.
    fn of(sent: &[String], acks: &[RecordedAck], expected: Option<&str>) -> Summary {
        let mut per_envelope: HashMap<&str, Vec<&RecordedAck>> = HashMap::new();
        for ack in acks {
            per_envelope
                .entry(ack.envelope_id.as_str())
                .or_default()
                .push(ack);
        }
        let answer = |ack: &RecordedAck| {
            ack.payload
                .as_ref()
                .and_then(|payload| payload["text"].as_str())
                .map(str::to_string)
        };
        let mut latencies: Vec<Duration> = acks.iter().filter_map(|ack| ack.latency).collect();
        latencies.sort_unstable();
        Summary {
            latencies,
            lost: sent
                .iter()
                .filter(|id| !per_envelope.contains_key(id.as_str()))
                .count(),
            duplicated: per_envelope.values().filter(|acks| acks.len() > 1).count(),
            wrong_answers: acks
                .iter()
                .filter(|ack| {
                    let text = answer(ack);
                    text.is_none() || expected.is_some_and(|e| text.as_deref() != Some(e))
                })
                .count(),
            first_answer: acks.first().and_then(answer),
        }
    }

    fn percentile(&self, percent: usize) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let rank = (self.latencies.len() * percent).div_ceil(100);
        self.latencies[rank.saturating_sub(1)]
    }

    fn print(&self) {
        let ms = |d: Duration| format!("{:.3} ms", d.as_secs_f64() * 1e3);
        println!(
            "ack latency: p50 {}  p99 {}  max {}  ({} acks timed)",
            ms(self.percentile(50)),
            ms(self.percentile(99)),
            ms(self.latencies.last().copied().unwrap_or_default()),
            self.latencies.len()
        );
        println!(
            "lost: {}  duplicated: {}  wrong answers: {}",
            self.lost, self.duplicated, self.wrong_answers
        );
        println!(
            "first answer: {:?}",
            self.first_answer.as_deref().unwrap_or("none")
        );
    }
}

/// `VmRSS` of a process, in KiB.
fn resident_kib(pid: u32) -> u64 {
    status_field(pid, "VmRSS:")
}

fn threads(pid: u32) -> u64 {
    status_field(pid, "Threads:")
}

fn status_field(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|number| number.parse().ok())
        .unwrap_or(0)
}

fn load_average() -> String {
    let loadavg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    loadavg
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// A loopback address with a port that was free a moment ago.
fn free_local_address() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").to_string()
}

/// The share of acks `serve` queued within 0.1, 0.2, 0.4 and 0.8 ms of reading the envelope,
/// from its ack latency histogram.
async fn inside_serve(metrics_addr: &str) -> String {
    let url = format!("http://{metrics_addr}/metrics");
    let Ok(response) = reqwest::get(&url).await else {
        return "unavailable".to_string();
    };
    let body = response.text().await.unwrap_or_default();
    let bucket = |le: &str| -> f64 {
        let prefix = format!("triage_ack_latency_seconds_bucket{{le=\"{le}\"}} ");
        body.lines()
            .find_map(|line| line.strip_prefix(prefix.as_str()))
            .and_then(|count| count.trim().parse().ok())
            .unwrap_or(0.0)
    };
    let total = bucket("+Inf");
    if total == 0.0 {
        return "no acks recorded".to_string();
    }
    ["0.0001", "0.0002", "0.0004", "0.0008", "0.0016"]
        .iter()
        .map(|le| {
            let ms = le.parse::<f64>().unwrap_or(0.0) * 1e3;
            format!("≤ {ms} ms {:.1} %", 100.0 * bucket(le) / total)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Sends SIGTERM to `serve` and waits up to 10 s for it to exit.
fn stop(serve: &mut Child) -> ExitStatus {
    let sent = Command::new("kill")
        .args(["-TERM", &serve.id().to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success(), "kill -TERM failed");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = serve.try_wait().expect("wait for serve") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = serve.kill();
            panic!("serve did not stop within 10 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn log(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("serve.log")).unwrap_or_default()
}
