//! Configuration: any TOML file text and any flag/environment values give a `Config` or a typed
//! error naming the setting, never a panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use triage_bot::cli::Settings;
use triage_bot::config::Config;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The first NUL-separated parts are flag values, the last one the TOML file.
    let parts: Vec<&str> = text.split('\0').collect();
    let value = |i: usize| {
        parts
            .get(i)
            .filter(|_| parts.len() > i + 1)
            .map(|v| v.to_string())
    };
    let settings = Settings {
        timezone: value(0),
        handoff_time: value(1),
        db_retries: value(2),
        db_busy_timeout_ms: value(3),
        channel: value(4),
        admins: value(5),
        command: value(6),
        heads_up_time: value(7),
        http_addr: value(8),
        clock_start: value(9),
        ..Settings::default()
    };
    let file = parts.last().copied();
    if let Err(error) = Config::from_parts(&settings, file, Path::new("fuzz.toml")) {
        let _ = error.to_string();
    }
});
