//! The `/triage` text parser must turn any text into a command or a clear error: no panic, and
//! the "is it read-only" check agrees with it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use triage_bot::bot::command::{is_read_only, parse};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse(text) {
        Ok(command) => {
            let _ = format!("{command:?}");
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
    let _ = is_read_only(text);
});
