//! Entry points for the fuzz targets in `fuzz/`, kept in the library so that `cargo test` runs
//! them over the seed corpora too. Each takes arbitrary bytes and must never panic, hang or
//! allocate without bound; what it returns does not matter.

use std::path::Path;

use crate::cli::{ServerSettings, Settings};
use crate::config::Config;
use crate::legacy::{LegacyFiles, parse};
use crate::slack::envelope::{Frame, decode_frame, encode_ack};

/// The Socket Mode frame decoder, the interaction decoders and the envelope accessors.
pub fn envelope(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(Frame::Envelope(envelope)) = decode_frame(text) {
        let _ = envelope.event_id();
        let _ = envelope.event_type();
        let _ = envelope.interaction_type();
        let _ = envelope.slash_command();
        let _ = envelope.response_url();
        let _ = envelope.block_action();
        let _ = envelope.view_submission();
        let _ = envelope.block_suggestion();
        let _ = envelope.app_mention();
        let _ = envelope.app_home_opened();
        let _ = encode_ack(&envelope.envelope_id, Some(envelope.payload.clone()));
    }
}

/// The `/triage` text parser and its read-only check.
pub fn slash_command(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match crate::bot::command::parse(text) {
        Ok(command) => drop(format!("{command:?}")),
        Err(error) => drop(error.to_string()),
    }
    let _ = crate::bot::command::is_read_only(text);
}

/// The legacy importer's parser: four files separated by NUL bytes (fewer parts: absent files).
pub fn legacy_import(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.split('\0').map(|part| Some(part.to_string()));
    let files = LegacyFiles {
        sprints: parts.next().flatten(),
        disciplines: parts.next().flatten(),
        overrides: parts.next().flatten(),
        current_state: parts.next().flatten(),
    };
    match parse(&files) {
        Ok(legacy) => drop(format!("{legacy:?}")),
        Err(error) => drop(error.to_string()),
    }
}

/// The configuration: NUL-separated flag values, the last part being the TOML file.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
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
        admins: value(5),
        server: ServerSettings {
            channel: value(4),
            command: value(6),
            heads_up_time: value(7),
            http_addr: value(8),
            workdays: value(10),
            holidays: value(11),
            reminder_lead: value(12),
            impact_window: value(13),
            ..ServerSettings::default()
        },
        clock_start: value(9),
        ..Settings::default()
    };
    if let Err(error) = Config::from_parts(&settings, parts.last().copied(), Path::new("fuzz.toml"))
    {
        drop(error.to_string());
    }
}
