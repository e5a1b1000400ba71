//! Outside tools some tests run (a Python package, a browser): present, or the test is skipped
//! with a line saying how to install it, unless `TRIAGE_REQUIRE_TOOLS` is set (CI sets it),
//! where a missing tool fails the test.

/// Whether `what` is available, as `probe` finds. When it is not: panics if
/// `TRIAGE_REQUIRE_TOOLS` is set, else prints `skipped: …` and returns false.
pub fn available(what: &str, probe: impl FnOnce() -> bool) -> bool {
    if probe() {
        return true;
    }
    let required = std::env::var_os("TRIAGE_REQUIRE_TOOLS").is_some_and(|v| !v.is_empty());
    assert!(
        !required,
        "{what} is missing and TRIAGE_REQUIRE_TOOLS is set: install it"
    );
    eprintln!("skipped: {what} is missing; install it to run this test");
    false
}
