//! Programs some tests drive from outside the project: headless Chromium for the status page,
//! Python's `icalendar` for the calendar feeds. `.ci/run` installs them and sets
//! `TRIAGE_REQUIRE_TOOLS`, so there a missing tool fails the test; elsewhere the test says it
//! was skipped and how to install what it needs.

/// Whether `what` is present (`probe` says so). Absent with `TRIAGE_REQUIRE_TOOLS` set: panics.
/// Absent otherwise: prints a line naming what to install and returns false.
#[track_caller]
pub fn available(what: &str, probe: impl FnOnce() -> bool) -> bool {
    if probe() {
        return true;
    }
    assert!(
        std::env::var_os("TRIAGE_REQUIRE_TOOLS").is_none(),
        "{what} is required (TRIAGE_REQUIRE_TOOLS is set) but missing"
    );
    eprintln!("skipped: {what} is missing");
    false
}
