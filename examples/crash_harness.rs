//! Crash safety of `triage-bot serve`: kills it with SIGKILL at random moments while coverage
//! requests, approvals, heads-ups and handoffs are in flight, restarts it each time, lets a last
//! clean run drain the outbox, and checks that no request was lost or duplicated and no message
//! was sent twice (outside the one documented at-least-once window) or left unsent.
//!
//! Run with `cargo run --release --example crash_harness -- [--kills 80] [--seed N]`. It builds
//! and runs the release binary. Prints the figures; exits non-zero when an invariant fails.
//! See `RELIABILITY.md`.

#[allow(dead_code)] // shared with the soak and the smoke test, which use other parts
mod harness;

use std::process::ExitCode;
use std::time::Duration;

use harness::crash::{self, CrashOptions};

fn main() -> ExitCode {
    let options = CrashOptions {
        binary: harness::release_binary(),
        kills: harness::flag("--kills", 80) as usize,
        seed: harness::flag("--seed", harness::Rng::seed_from_clock()),
        kill_after: (Duration::from_millis(50), Duration::from_millis(800)),
        request_every: Duration::from_millis(1500),
        click_every: Duration::from_millis(3000),
        drain_timeout: Duration::from_secs(180),
    };
    harness::run_and_report(crash::run(options))
}
