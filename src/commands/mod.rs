//! One module per subcommand: parse arguments into domain values, call the store and the
//! domain, print the result (text or `--json`). Text writes dates with `dates::CliDates` (ISO).

/// `println!` for a command's output on stdout; see [`write_out`].
macro_rules! outln {
    () => {
        $crate::commands::write_out(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::commands::write_out(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` for a command's output on stdout; see [`write_out`].
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::commands::write_out(format_args!($($arg)*))
    };
}

pub mod away;
pub mod backup;
pub mod cadence;
pub mod calendar;
pub mod duty;
pub mod impact;
pub mod import;
pub mod migrate;
pub mod notes;
pub mod overrides;
pub mod serve;
pub mod sprints;
pub mod stats;
pub mod team;

use std::io::Write;

use jiff::Timestamp;
use jiff::civil::Date;

use crate::app::UsageError;
use crate::domain::{SlackUserId, Team};

/// Parses a whole number argument, naming it in the error.
pub(crate) fn parse_number(what: &str, text: &str, min: u64, max: u64) -> Result<u64, UsageError> {
    let number = text
        .trim()
        .parse::<u64>()
        .map_err(|_| UsageError(format!("{what} must be a whole number, not `{text}`")))?;
    if !(min..=max).contains(&number) {
        return Err(UsageError(format!(
            "{what} must be between {min} and {max}, not {number}"
        )));
    }
    Ok(number)
}

/// Parses a `YYYY-MM-DD` date, naming the argument in the error.
pub(crate) fn parse_date(what: &str, text: &str) -> Result<Date, UsageError> {
    text.trim()
        .parse::<Date>()
        .ok()
        .filter(|_| text.trim().len() == 10)
        .ok_or_else(|| UsageError(format!("{what} must be a date as YYYY-MM-DD, not `{text}`")))
}

/// Parses `what` (a flag or parameter name): a date (meaning that day's handoff) or an RFC 3339
/// instant.
pub(crate) fn parse_when(team: &Team, what: &str, text: &str) -> Result<Timestamp, UsageError> {
    if let Ok(instant) = text.trim().parse::<Timestamp>() {
        return Ok(instant);
    }
    let date = parse_date(what, text).map_err(|_| {
        UsageError(format!(
            "{what} must be a date (YYYY-MM-DD) or an RFC 3339 instant (2026-03-09T09:00:00-07:00), not `{text}`"
        ))
    })?;
    Ok(crate::domain::handoff_instant(team, date))
}

/// The actor for the audit log: `cli` or a Slack user id.
pub(crate) fn parse_actor(text: &str) -> Result<String, UsageError> {
    if text == "cli" {
        return Ok(text.to_string());
    }
    SlackUserId::parse(text)
        .map(|id| id.to_string())
        .map_err(|error| UsageError(format!("--by: {error}")))
}

/// Formats an instant for JSON: RFC 3339 with the team zone's offset at that instant, e.g.
/// `2026-03-12T10:00:00-07:00` (the zone's name goes in a field of its own).
pub(crate) fn rfc3339(team: &Team, instant: Timestamp) -> String {
    let offset = team.zone.to_offset(instant);
    instant.display_with_offset(offset).to_string()
}

/// Prints a JSON value on one line.
pub(crate) fn print_json(value: &serde_json::Value) {
    outln!("{value}");
}

/// Pads `rows` into aligned columns separated by two spaces.
pub(crate) fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|v| v.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, value) in row.iter().enumerate() {
            if c + 1 == row.len() {
                line.push_str(value);
            } else {
                line.push_str(&format!("{value:<width$}  ", width = widths[c]));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Writes a command's output to stdout. When whoever reads it has gone away
/// (`triage-bot audit | head -1`), the command stops quietly with exit status 0, as a command
/// whose output nobody wants has nothing left to do; any other write error ends it with status 1.
pub(crate) fn write_out(text: std::fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_fmt(text) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(error) => {
            eprintln!("error: cannot write to standard output: {error}");
            std::process::exit(1)
        }
    }
}
