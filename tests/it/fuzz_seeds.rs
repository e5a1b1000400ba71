//! The fuzz targets' entry points over their committed seed corpora (and any crash inputs kept
//! there as regressions): the short version of the fuzzing that runs in `cargo test`.

use std::path::Path;

#[track_caller]
fn run_corpus(target: &str, entry: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut inputs = 0;
    for file in std::fs::read_dir(&dir).unwrap() {
        let data = std::fs::read(file.unwrap().path()).unwrap();
        entry(&data);
        // Every prefix too: truncated input is the commonest malformation.
        for cut in (0..data.len()).step_by(7) {
            entry(&data[..cut]);
        }
        inputs += 1;
    }
    assert!(inputs > 0, "no seeds in {}", dir.display());
}

#[test]
fn envelope_seeds() {
    run_corpus("envelope", triage_bot::fuzzing::envelope);
}

#[test]
fn slash_command_seeds() {
    run_corpus("slash_command", triage_bot::fuzzing::slash_command);
}

#[test]
fn legacy_import_seeds() {
    run_corpus("legacy_import", triage_bot::fuzzing::legacy_import);
}

#[test]
fn config_seeds() {
    run_corpus("config", triage_bot::fuzzing::config);
}
