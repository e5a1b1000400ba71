//! Does the Slack emulator behave like Slack towards Slack's own Python SDK?
//!
//! Starts the emulator on 127.0.0.1, runs `tests/conformance/socket_mode_client.py` (an app
//! built on `slack_sdk.socket_mode.SocketModeClient`) with the given Python, and checks what
//! the emulator sees: the SDK opens a connection and its socket gets `hello`; it keeps the
//! socket alive with pings; it acks a slash command with a message payload and an event and an
//! interaction without one; after `disconnect` (`refresh_requested`, then `warning`) it calls
//! `apps.connections.open` again and takes envelopes on the new socket. Finally it reads what
//! the SDK reported it understood. Prints a short report; exits non-zero on any mismatch.
//!
//! Run with `cargo run --example slack_sdk_conformance -- <python with slack_sdk installed>`.
//! A mismatch is an emulator bug unless Slack's documentation says otherwise.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use triage_bot::slack::DisconnectReason;
use triage_bot::slack::emulator::{Delivered, Emulator, Fault, RecordedAck};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/conformance/socket_mode_client.py"
);
/// The emulator's fixed tokens, as `triage-bot slack-emulator` prints them.
const EMULATOR_APP_TOKEN: &str = "xapp-emulator-app-token";
const EMULATOR_BOT_TOKEN: &str = "xoxb-emulator-bot-token";
/// The whole run, Python start-up included.
const TOTAL: Duration = Duration::from_secs(60);
/// One step: a connection, an ack, the script's exit.
const STEP: Duration = Duration::from_secs(15);
/// How long the first socket must stay up untouched. The script pings every second and calls
/// a socket stale after more than 4 s without a pong.
const PONG_WINDOW: Duration = Duration::from_secs(6);

type Checked<T = ()> = Result<T, String>;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let Some(python) = std::env::args().nth(1) else {
        eprintln!("usage: slack_sdk_conformance <python with slack_sdk installed>");
        return ExitCode::from(2);
    };
    let emulator = match Emulator::start().await {
        Ok(emulator) => emulator,
        Err(error) => {
            eprintln!("conformance FAILED: cannot start the emulator: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut run = Run::new(&emulator, &python);
    let outcome = match tokio::time::timeout(TOTAL, run.all_checks()).await {
        Ok(outcome) => outcome,
        Err(_) => Err(format!("the run took longer than {} s", TOTAL.as_secs())),
    };
    run.finish(outcome)
}

/// One conformance run: the emulator, the script and the report so far.
struct Run<'a> {
    emulator: &'a Emulator,
    python: String,
    script: Option<Script>,
    report: Vec<String>,
    started: Instant,
}

impl<'a> Run<'a> {
    fn new(emulator: &'a Emulator, python: &str) -> Run<'a> {
        Run {
            emulator,
            python: python.to_string(),
            script: None,
            report: Vec::new(),
            started: Instant::now(),
        }
    }

    fn ok(&mut self, line: String) {
        self.report.push(format!("ok    {line}"));
    }

    async fn all_checks(&mut self) -> Checked {
        self.script = Some(Script::spawn(&self.python, self.emulator)?);
        let first = self.connects(1).await?;
        self.acks_each_kind(first).await?;
        self.keeps_the_socket_alive().await?;
        let second = self
            .reconnects_after(DisconnectReason::RefreshRequested, 2, first)
            .await?;
        let third = self
            .reconnects_after(DisconnectReason::Warning, 3, second)
            .await?;
        self.stops_cleanly().await?;
        self.sdk_understood_every_frame(third)
    }

    /// Waits for the `connections`-th `apps.connections.open` and a ready socket; returns the
    /// socket's id, learnt from the ack of a probe envelope.
    async fn connects(&mut self, connections: usize) -> Checked<u64> {
        let emulator = self.emulator;
        let ready = emulator
            .wait_until(STEP, |e| {
                e.calls("apps.connections.open").len() == connections && e.ready_sockets() == 1
            })
            .await;
        if !ready {
            let script = match self.script.as_mut().map(|script| script.child.try_wait()) {
                Some(Ok(Some(status))) => format!(" (the script had exited: {status})"),
                _ => String::new(),
            };
            return Err(format!(
                "expected apps.connections.open call {connections} and one ready socket; \
                 saw {} calls and {} ready sockets{script}",
                emulator.calls("apps.connections.open").len(),
                emulator.ready_sockets()
            ));
        }
        let probe = emulator.send_event(json!({"type": "app_home_opened", "user": "U1"}));
        let ack = self.ack(&probe, None).await?;
        self.ok(format!(
            "connection {connections}: apps.connections.open called, hello sent, \
             socket {} acks envelopes",
            ack.socket
        ));
        Ok(ack.socket)
    }

    async fn acks_each_kind(&mut self, socket: u64) -> Checked {
        let emulator = self.emulator;
        let slash = emulator.send_slash_command("U1", "C1", "/triage", "who");
        let expected = json!({"text": "conformance ack for /triage who"});
        let ack = self.ack(&slash, Some(expected.clone())).await?;
        same_socket(&ack, socket)?;
        self.ok(format!(
            "slash_commands acked in {} with payload {expected}",
            latency(&ack)
        ));
        let event = emulator.send_app_mention("U1", "C1", "<@U0BOT> hi");
        let ack = self.ack(&event, None).await?;
        same_socket(&ack, socket)?;
        self.ok(format!(
            "events_api acked in {} without payload",
            latency(&ack)
        ));
        let action = emulator.send_block_action("U1", "C1", "approve", "42");
        let ack = self.ack(&action, None).await?;
        same_socket(&ack, socket)?;
        self.ok(format!(
            "interactive acked in {} without payload",
            latency(&ack)
        ));
        Ok(())
    }

    async fn keeps_the_socket_alive(&mut self) -> Checked {
        tokio::time::sleep(PONG_WINDOW).await;
        let opens = self.emulator.calls("apps.connections.open").len();
        if opens != 1 || self.emulator.ready_sockets() != 1 {
            return Err(format!(
                "the SDK gave up its socket within {} s (pings unanswered?): \
                 {opens} apps.connections.open calls, {} ready sockets",
                PONG_WINDOW.as_secs(),
                self.emulator.ready_sockets()
            ));
        }
        self.ok(format!(
            "socket kept for {} s with 1 s pings: no reconnect",
            PONG_WINDOW.as_secs()
        ));
        Ok(())
    }

    async fn reconnects_after(
        &mut self,
        reason: DisconnectReason,
        connection: usize,
        old_socket: u64,
    ) -> Checked<u64> {
        let wire = reason.as_str().to_string();
        self.emulator.inject(Fault::Disconnect {
            reason,
            only_oldest: false,
        });
        let socket = self.connects(connection).await?;
        if socket == old_socket {
            return Err(format!(
                "after disconnect ({wire}) the ack came on the old socket {socket}"
            ));
        }
        let slash = self
            .emulator
            .send_slash_command("U1", "C1", "/triage", "help");
        let expected = json!({"text": "conformance ack for /triage help"});
        let ack = self.ack(&slash, Some(expected)).await?;
        same_socket(&ack, socket)?;
        self.ok(format!(
            "disconnect ({wire}): SDK reconnected on socket {socket}, slash command acked in {}",
            latency(&ack)
        ));
        Ok(socket)
    }

    async fn stops_cleanly(&mut self) -> Checked {
        let script = self.script.as_mut().ok_or("the script is not running")?;
        let status = script.stop().await?;
        if !status.success() {
            return Err(format!("the script exited with {status}"));
        }
        let complaints = script.stderr_lines();
        if !complaints.is_empty() {
            return Err(format!(
                "the SDK logged warnings or errors:\n    {}",
                complaints.join("\n    ")
            ));
        }
        self.ok("script stopped when its input closed, exit status 0, no SDK warnings".to_string());
        Ok(())
    }

    /// Compares every envelope sent with what the SDK reported and what the emulator got back.
    fn sdk_understood_every_frame(&mut self, last_socket: u64) -> Checked {
        let script = self.script.as_ref().ok_or("the script is not running")?;
        let lines = script.reported()?;
        let hellos = lines.iter().filter(|line| line["frame"] == "hello").count();
        if hellos != 3 {
            return Err(format!(
                "the SDK reported {hellos} hello frames, expected 3"
            ));
        }
        let acks = self.emulator.acks();
        for ack in &acks {
            check_request_line(&lines, ack)?;
        }
        check_no_duplicates(&acks)?;
        if self.emulator.unacked() != 0 {
            return Err(format!(
                "{} envelopes were never acked",
                self.emulator.unacked()
            ));
        }
        let version = lines
            .iter()
            .find_map(|line| line["sdk_version"].as_str())
            .unwrap_or("unknown");
        self.ok(format!(
            "slack_sdk {version} parsed all {} envelopes as sent (type, accepts_response_payload, \
             retry_attempt, retry_reason) and acked each once; last socket {last_socket}",
            acks.len()
        ));
        Ok(())
    }

    /// Waits for the ack of `delivered` and checks its payload and latency.
    async fn ack(&self, delivered: &Delivered, payload: Option<Value>) -> Checked<RecordedAck> {
        let id = delivered.envelope_id.clone();
        let acked = self
            .emulator
            .wait_until(STEP, |e| e.ack_of(&id).is_some())
            .await;
        let ack = match self.emulator.ack_of(&id) {
            Some(ack) if acked => ack,
            _ => return Err(format!("no ack for {id} within {} s", STEP.as_secs())),
        };
        if ack.payload != payload {
            return Err(format!(
                "ack of {id}: payload {:?}, expected {:?}",
                ack.payload, payload
            ));
        }
        if ack.latency.is_none() {
            return Err(format!("ack of {id}: no latency recorded"));
        }
        Ok(ack)
    }

    fn finish(mut self, outcome: Checked) -> ExitCode {
        println!(
            "slack_sdk conformance against the emulator at {}",
            self.emulator.address()
        );
        for line in &self.report {
            println!("  {line}");
        }
        let elapsed = self.started.elapsed().as_secs_f64();
        match outcome {
            Ok(()) => {
                println!("passed: {} checks in {elapsed:.1} s", self.report.len());
                ExitCode::SUCCESS
            }
            Err(message) => {
                println!("conformance FAILED after {elapsed:.1} s: {message}");
                if let Some(script) = self.script.take() {
                    script.print_stderr();
                }
                ExitCode::FAILURE
            }
        }
    }
}

fn same_socket(ack: &RecordedAck, socket: u64) -> Checked {
    if ack.socket != socket {
        return Err(format!(
            "ack of {} came on socket {}, expected socket {socket}",
            ack.envelope_id, ack.socket
        ));
    }
    Ok(())
}

fn latency(ack: &RecordedAck) -> String {
    let latency = ack.latency.unwrap_or_default();
    format!("{:.2} ms", latency.as_secs_f64() * 1e3)
}

/// The SDK must have handed the app exactly the envelope the emulator sent.
fn check_request_line(lines: &[Value], ack: &RecordedAck) -> Checked {
    let Some(line) = lines
        .iter()
        .find(|line| line["envelope_id"] == ack.envelope_id.as_str())
    else {
        return Err(format!(
            "the SDK acked {} but never reported it",
            ack.envelope_id
        ));
    };
    let kind = line["request"].as_str().unwrap_or("");
    let expected = json!({
        "request": kind,
        "envelope_id": ack.envelope_id,
        "accepts_response_payload": kind != "events_api" && kind != "interactive",
        "retry_attempt": 0,
        "retry_reason": "",
    });
    if *line != expected {
        return Err(format!("the SDK understood {line}, expected {expected}"));
    }
    Ok(())
}

fn check_no_duplicates(acks: &[RecordedAck]) -> Checked {
    let mut ids: Vec<&str> = acks.iter().map(|ack| ack.envelope_id.as_str()).collect();
    ids.sort_unstable();
    match ids.windows(2).find(|pair| pair[0] == pair[1]) {
        Some(pair) => Err(format!("{} was acked more than once", pair[0])),
        None => Ok(()),
    }
}

/// The Python app: its process, and files holding what it printed.
struct Script {
    child: Child,
    _dir: tempfile::TempDir,
    stdout: PathBuf,
    stderr: PathBuf,
}

impl Script {
    fn spawn(python: &str, emulator: &Emulator) -> Checked<Script> {
        let dir = tempfile::tempdir().map_err(|error| format!("temp dir: {error}"))?;
        let stdout = dir.path().join("stdout.jsonl");
        let stderr = dir.path().join("stderr.log");
        let mut command = Command::new(python);
        command
            .arg(SCRIPT)
            .env("SLACK_API_URL", emulator.api_url())
            .env("SLACK_APP_TOKEN", EMULATOR_APP_TOKEN)
            .env("SLACK_BOT_TOKEN", EMULATOR_BOT_TOKEN)
            .env("PYTHONUNBUFFERED", "1")
            .stdin(Stdio::piped())
            .stdout(create(&stdout)?)
            .stderr(create(&stderr)?);
        // The SDK honours proxy variables; the emulator is on loopback.
        for proxy in ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"] {
            command.env_remove(proxy);
        }
        let child = command
            .spawn()
            .map_err(|error| format!("cannot run {python}: {error}"))?;
        Ok(Script {
            child,
            _dir: dir,
            stdout,
            stderr,
        })
    }

    /// Closes the script's input and waits for it to exit.
    async fn stop(&mut self) -> Checked<std::process::ExitStatus> {
        drop(self.child.stdin.take());
        let deadline = Instant::now() + STEP;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Ok(status),
                Ok(None) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(50)).await
                }
                Ok(None) => return Err(format!("the script did not exit within {STEP:?}")),
                Err(error) => return Err(format!("cannot wait for the script: {error}")),
            }
        }
    }

    /// The JSON lines the script printed.
    fn reported(&self) -> Checked<Vec<Value>> {
        let text = fs::read_to_string(&self.stdout)
            .map_err(|error| format!("cannot read the script's output: {error}"))?;
        text.lines()
            .map(|line| {
                serde_json::from_str(line)
                    .map_err(|error| format!("the script printed {line:?}: {error}"))
            })
            .collect()
    }

    /// What the script logged: at the default level, the SDK's warnings and errors.
    fn stderr_lines(&self) -> Vec<String> {
        let text = fs::read_to_string(&self.stderr).unwrap_or_default();
        text.lines().map(str::to_string).collect()
    }

    fn print_stderr(&self) {
        let lines = self.stderr_lines();
        let tail = &lines[lines.len().saturating_sub(40)..];
        if !tail.is_empty() {
            println!("script stderr (last {} lines):", tail.len());
            for line in tail {
                println!("  | {line}");
            }
        }
    }
}

impl Drop for Script {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn create(path: &Path) -> Checked<fs::File> {
    fs::File::create(path).map_err(|error| format!("cannot create {}: {error}", path.display()))
}
