//! The legacy-JSON importer's parser must turn any four files into either a checked batch or a
//! typed error: no panic, no unbounded allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use triage_bot::legacy::{LegacyFiles, parse};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Four files separated by NUL bytes; fewer parts mean absent files.
    let mut parts = text.split('\0').map(|part| Some(part.to_string()));
    let files = LegacyFiles {
        sprints: parts.next().flatten(),
        disciplines: parts.next().flatten(),
        overrides: parts.next().flatten(),
        current_state: parts.next().flatten(),
    };
    match parse(&files) {
        Ok(legacy) => {
            let _ = format!("{legacy:?}");
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
});
