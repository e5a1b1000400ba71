//! Fuzz target: see `triage_bot::fuzzing::legacy_import`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| triage_bot::fuzzing::legacy_import(data));
