//! Smoke versions of the reliability runs (`examples/crash_harness.rs`, `examples/soak.rs`):
//! the same harness code and the same invariant checks with small numbers, against the debug
//! binary, so both checkers run in CI. Memory and ack latency are printed here but asserted
//! only by the soak itself (performance is measured, not asserted in timed tests). The full runs and their figures are in `RELIABILITY.md`.

#[allow(dead_code)] // the examples use parts these tests do not
#[path = "../../examples/harness/mod.rs"]
mod harness;

use std::path::PathBuf;
use std::time::Duration;

use harness::check::Report;
use harness::crash::{self, CrashOptions};
use harness::soak::{self, SoakOptions};

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_triage-bot"))
}

#[track_caller]
fn check(report: Report) {
    report.print();
    assert!(report.failures.is_empty(), "{:#?}", report.failures);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_killed_five_times_loses_and_repeats_nothing() {
    let options = CrashOptions {
        binary: binary(),
        kills: 5,
        seed: harness::Rng::seed_from_clock(),
        kill_after: (Duration::from_millis(50), Duration::from_millis(800)),
        request_every: Duration::from_millis(300),
        click_every: Duration::from_millis(600),
        drain_timeout: Duration::from_secs(90),
    };
    check(crash::run(options).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_soak_under_faults_keeps_every_invariant() {
    let options = SoakOptions {
        binary: binary(),
        duration: Duration::from_secs(15),
        warm_up: Duration::from_secs(5),
        window: Duration::from_secs(5),
        seed: harness::Rng::seed_from_clock(),
        commands_per_second: 20,
        request_every: Duration::from_secs(1),
        click_every: Duration::from_secs(2),
        lock_every: Duration::from_secs(3),
        refresh_every: Duration::from_secs(5),
        abrupt_every: Duration::from_secs(7),
        duplicate_every: Duration::from_secs(3),
        drain_timeout: Duration::from_secs(90),
        enforce_limits: false,
    };
    check(soak::run(options).await);
}
