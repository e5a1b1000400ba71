//! Surviving the loss of the machine: `serve` with Litestream replicating its database (the
//! shipped `deploy/litestream.yml`) to a directory, both killed with SIGKILL at a random moment,
//! the replica restored with `litestream restore` into an empty directory and `serve` started
//! on the restored file. Checks that every write acknowledged more than one replication window
//! before the kill was restored, nothing twice, and that the restarted bot sends nothing again
//! that was delivered before that window; prints the recovery point and the restore time.
//!
//! Needs the `litestream` binary: `.ci/litestream-restore [--rounds 3] [--seed N]` installs it
//! and runs this example, or run
//! `cargo run --example litestream_restore -- --litestream PATH [--rounds 3] [--seed N]`.
//! It runs the `triage-bot` binary of its own profile. Exits non-zero when a check fails.
//! See `RELIABILITY.md`.

#[allow(dead_code)] // shared with the crash harness, the soak and the smoke tests
mod harness;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use harness::restore::{self, RestoreOptions};

fn main() -> ExitCode {
    let Some(litestream) = harness::path_flag("--litestream") else {
        eprintln!("usage: litestream_restore --litestream PATH [--rounds N] [--seed N]");
        return ExitCode::from(2);
    };
    let options = RestoreOptions {
        binary: harness::bot_binary(),
        litestream,
        config: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("deploy/litestream.yml"),
        rounds: harness::flag("--rounds", 3) as usize,
        seed: harness::flag("--seed", harness::Rng::seed_from_clock()),
        kill_after: (Duration::from_secs(3), Duration::from_secs(10)),
        request_every: Duration::from_millis(700),
        click_every: Duration::from_millis(2000),
        drain_timeout: Duration::from_secs(60),
    };
    harness::run_and_report(restore::run(options))
}
