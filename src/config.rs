//! Validated configuration: flags, environment and the optional TOML file become typed values
//! once, here. A flag wins over the environment (clap reads both), which wins over the file.
//! Nothing else in the program reads the environment.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use std::collections::BTreeSet;

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::cli::Settings;
use crate::domain::conflict::UnknownDoubleDuty;
use crate::domain::impact::ImpactWindow;
use crate::domain::{
    DoubleDuty, HeadsUpSchedule, ReminderLead, SlackUserId, Weekdays, WorkCalendar,
};
use crate::store::StoreOptions;

/// A setting that is missing, unreadable or out of range. Always names the setting.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A value does not parse or is out of range.
    #[error("invalid {setting} `{value}`: {reason}")]
    Invalid {
        setting: String,
        value: String,
        reason: String,
    },
    /// The TOML file cannot be read.
    #[error("cannot read config file {path}: {reason}")]
    Unreadable { path: String, reason: String },
    /// The TOML file is not valid TOML or has unknown keys.
    #[error("config file {path} is invalid: {reason}")]
    BadFile { path: String, reason: String },
}

/// The optional TOML file. Unknown keys are an error, so a typo is not silently ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    db: Option<PathBuf>,
    timezone: Option<String>,
    handoff_time: Option<String>,
    double_duty: Option<String>,
    db_busy_timeout_ms: Option<u64>,
    db_retries: Option<u64>,
    db_retry_base_ms: Option<u64>,
    db_retry_max_ms: Option<u64>,
    db_wal_autocheckpoint: Option<u64>,
    channel: Option<String>,
    admin_channel: Option<String>,
    usergroup: Option<String>,
    admins: Option<String>,
    command: Option<String>,
    heads_up_time: Option<String>,
    workdays: Option<String>,
    holidays: Option<Vec<Holiday>>,
    reminder_lead: Option<String>,
    impact_window: Option<String>,
    http_addr: Option<String>,
    public_url: Option<String>,
    away_alert_lead: Option<u64>,
}

/// A holiday in the TOML file's list: a quoted date or a bare TOML date.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Holiday {
    Text(String),
    Date(toml::value::Datetime),
}

impl Holiday {
    fn text(&self) -> String {
        match self {
            Holiday::Text(text) => text.clone(),
            Holiday::Date(date) => date.to_string(),
        }
    }
}

/// What the Slack bot needs beyond the team settings. A missing optional setting switches the
/// matching feature off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotSettings {
    /// Triage channel: handoff posts and topic.
    pub channel: Option<String>,
    /// Where coverage requests are posted for approval.
    pub admin_channel: Option<String>,
    /// The on-call user group.
    pub usergroup: Option<String>,
    /// Admins named in the configuration (in addition to the `admins` table).
    pub admins: Vec<SlackUserId>,
    /// The slash command, e.g. `/triage`.
    pub command: String,
    /// The heads-up's time of day, the working days and holidays, and the optional reminder.
    pub heads_up: HeadsUpSchedule,
    /// How many days before a handoff the admin channel hears of a duty that falls in the
    /// person's absence and that nobody covers.
    pub away_alert_lead_days: i64,
    /// How long changes to upcoming duty are gathered before the people they moved are told.
    pub impact_window: ImpactWindow,
}

/// Settings every command shares, validated.
#[derive(Debug, Clone)]
pub struct Config {
    pub db: PathBuf,
    pub json: bool,
    pub timezone: TimeZone,
    pub handoff: Time,
    /// What the rotation does about double and back-to-back duty.
    pub double_duty: DoubleDuty,
    pub store: StoreOptions,
    /// When set, the clock starts at this instant (demos and tests) and runs on in real time.
    pub clock_start: Option<jiff::Timestamp>,
    /// The real time at start-up, so a pinned clock runs on from `clock_start`.
    pub started_at: jiff::Timestamp,
    /// Seconds added to the clock by [`Config::advance_clock`] (the demo's `advance`); shared
    /// by every clone, so the bot's tasks see the same time.
    pub clock_offset: Arc<AtomicI64>,
    pub bot: BotSettings,
    /// Where to serve /healthz and /metrics; off when unset. Once `serve` listens, the
    /// address it listens on (a port 0 resolved).
    pub http_addr: Option<std::net::SocketAddr>,
    /// The address people reach the HTTP listener at (`TRIAGE_PUBLIC_URL`): an http or https
    /// URL without query or fragment, trailing slash trimmed.
    pub public_url: Option<String>,
}

/// Why calendar feed addresses cannot be given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedAddressError {
    /// No HTTP listener at all.
    #[error("calendar feeds need the HTTP listener: an admin must set TRIAGE_HTTP_ADDR")]
    NoListener,
    /// The listener is on every interface, so its own address says nothing about how to reach it.
    #[error(
        "the bot listens on {0}, which is no address people can reach: an admin must set TRIAGE_PUBLIC_URL"
    )]
    Unspecified(std::net::SocketAddr),
}

impl Config {
    /// The team's time zone and handoff time.
    pub fn team(&self) -> crate::domain::Team {
        crate::domain::Team {
            zone: self.timezone.clone(),
            handoff: self.handoff,
            double_duty: self.double_duty,
        }
    }

    /// The current instant: real time, or `clock_start` plus the time since start-up, plus
    /// whatever [`Config::advance_clock`] added.
    pub fn now(&self) -> jiff::Timestamp {
        let real = jiff::Timestamp::now();
        let now = match self.clock_start {
            None => real,
            Some(start) => start
                .checked_add(real.duration_since(self.started_at))
                .unwrap_or(start),
        };
        let offset = jiff::SignedDuration::from_secs(self.clock_offset.load(Ordering::SeqCst));
        let now = now.checked_add(offset).unwrap_or(now);
        // Everything is stored in whole seconds.
        jiff::Timestamp::from_second(now.as_second()).unwrap_or(now)
    }
}

impl Config {
    /// The base of calendar feed URLs: `TRIAGE_PUBLIC_URL`, else `http://` and the listener's
    /// address when that is a specific IP.
    pub fn feed_base(&self) -> Result<String, FeedAddressError> {
        if let Some(url) = &self.public_url {
            return Ok(url.clone());
        }
        match self.http_addr {
            None => Err(FeedAddressError::NoListener),
            Some(addr) if addr.ip().is_unspecified() => Err(FeedAddressError::Unspecified(addr)),
            Some(addr) => Ok(format!("http://{addr}")),
        }
    }

    /// Moves the clock of this configuration and all its clones forward by `by` (whole seconds).
    pub fn advance_clock(&self, by: jiff::SignedDuration) {
        self.clock_offset.fetch_add(by.as_secs(), Ordering::SeqCst);
    }

    pub fn from_settings(settings: &Settings) -> Result<Config, ConfigError> {
        let text = match &settings.config {
            Some(path) => Some(read_file(path)?),
            None => None,
        };
        let path = settings.config.as_deref().unwrap_or(Path::new("config"));
        Config::from_parts(settings, text.as_deref(), path)
    }

    /// Builds the configuration from flags/environment and the TOML file's text (if any).
    pub fn from_parts(
        settings: &Settings,
        file_text: Option<&str>,
        file_path: &Path,
    ) -> Result<Config, ConfigError> {
        let file = match file_text {
            Some(text) => parse_file(text, file_path)?,
            None => FileSettings::default(),
        };
        let names = Names {
            settings,
            file: file_path,
        };
        let defaults = StoreOptions::default();
        let store = StoreOptions {
            busy_timeout: millis(
                &names,
                "db_busy_timeout_ms",
                &settings.db_busy_timeout_ms,
                file.db_busy_timeout_ms,
                defaults.busy_timeout,
            )?,
            retries: number(
                &names,
                "db_retries",
                &settings.db_retries,
                file.db_retries,
                defaults.retries as u64,
                100,
            )? as usize,
            retry_base: millis(
                &names,
                "db_retry_base_ms",
                &settings.db_retry_base_ms,
                file.db_retry_base_ms,
                defaults.retry_base,
            )?,
            retry_max: millis(
                &names,
                "db_retry_max_ms",
                &settings.db_retry_max_ms,
                file.db_retry_max_ms,
                defaults.retry_max,
            )?,
            pool_size: defaults.pool_size,
            wal_autocheckpoint: number(
                &names,
                "db_wal_autocheckpoint",
                &settings.db_wal_autocheckpoint,
                file.db_wal_autocheckpoint,
                u64::from(defaults.wal_autocheckpoint),
                1_000_000,
            )? as u32,
        };
        let text =
            |field, flag: &Option<String>, file: Option<String>| names.choose(field, flag, file);
        let timezone = text("timezone", &settings.timezone, file.timezone);
        let handoff = text("handoff_time", &settings.handoff_time, file.handoff_time);
        let heads_up = text(
            "heads_up_time",
            &settings.server.heads_up_time,
            file.heads_up_time,
        );
        let heads_up = HeadsUpSchedule {
            time: parse_named_time(heads_up, "17:00")?,
            calendar: WorkCalendar {
                weekdays: parse_workdays(text(
                    "workdays",
                    &settings.server.workdays,
                    file.workdays,
                ))?,
                holidays: parse_holidays(&names, &settings.server.holidays, file.holidays)?,
            },
            reminder_lead: parse_reminder_lead(text(
                "reminder_lead",
                &settings.server.reminder_lead,
                file.reminder_lead,
            ))?,
        };
        Ok(Config {
            db: settings
                .db
                .clone()
                .or(file.db)
                .unwrap_or_else(|| PathBuf::from("triage.db")),
            json: settings.json,
            timezone: match timezone {
                Some(named) => parse_timezone_named(&named.name, &named.value)?,
                None => TimeZone::get("America/Los_Angeles")
                    .map_err(|_| invalid("TRIAGE_TIMEZONE", "America/Los_Angeles", "unknown"))?,
            },
            handoff: parse_named_time(handoff, "08:00")?,
            double_duty: parse_double_duty(text(
                "double_duty",
                &settings.double_duty,
                file.double_duty,
            ))?,
            store,
            clock_start: text("clock_start", &settings.clock_start, None)
                .map(|named| {
                    named.value.parse().map_err(|_| {
                        invalid(
                            &named.name,
                            &named.value,
                            "expected an RFC 3339 instant such as 2026-03-09T08:00:00-07:00",
                        )
                    })
                })
                .transpose()?,
            started_at: jiff::Timestamp::now(),
            clock_offset: Arc::new(AtomicI64::new(0)),
            http_addr: text("http_addr", &settings.server.http_addr, file.http_addr)
                .map(|named| {
                    named.value.trim().parse().map_err(|_| {
                        invalid(
                            &named.name,
                            &named.value,
                            "expected an address and port such as 127.0.0.1:9000",
                        )
                    })
                })
                .transpose()?,
            public_url: text("public_url", &settings.server.public_url, file.public_url)
                .map(parse_public_url)
                .transpose()?,
            bot: BotSettings {
                channel: slack_id(
                    text("channel", &settings.server.channel, file.channel),
                    &['C', 'G'],
                )?,
                admin_channel: slack_id(
                    text(
                        "admin_channel",
                        &settings.server.admin_channel,
                        file.admin_channel,
                    ),
                    &['C', 'G'],
                )?,
                usergroup: slack_id(
                    text("usergroup", &settings.server.usergroup, file.usergroup),
                    &['S'],
                )?,
                admins: parse_admins(text("admins", &settings.admins, file.admins))?,
                command: parse_command(text("command", &settings.server.command, file.command))?,
                heads_up,
                away_alert_lead_days: days(
                    &names,
                    "away_alert_lead",
                    &settings.server.away_alert_lead,
                    file.away_alert_lead,
                    DEFAULT_AWAY_ALERT_LEAD_DAYS,
                )?,
                impact_window: parse_impact_window(text(
                    "impact_window",
                    &settings.server.impact_window,
                    file.impact_window,
                ))?,
            },
        })
    }
}

/// A setting's value and its name as the user wrote it: the flag (`--handoff-time`), the
/// environment variable (`TRIAGE_HANDOFF_TIME`) or the TOML key (`handoff_time in t.toml`).
struct Named {
    name: String,
    value: String,
}

/// Names settings by where their values came from.
struct Names<'a> {
    settings: &'a Settings,
    file: &'a Path,
}

impl Names<'_> {
    /// The name of `field` (a `Settings` field, e.g. `handoff_time`) as the user wrote it.
    fn name(&self, field: &str, from_file: bool) -> String {
        if from_file {
            format!("{field} in {}", self.file.display())
        } else if self.settings.from_environment.iter().any(|f| f == field) {
            format!("TRIAGE_{}", field.to_uppercase())
        } else {
            format!("--{}", field.replace('_', "-"))
        }
    }

    /// The flag's (or environment's) value if given, else the file's, with its name.
    fn choose(&self, field: &str, flag: &Option<String>, file: Option<String>) -> Option<Named> {
        match (flag, file) {
            (Some(value), _) => Some(Named {
                name: self.name(field, false),
                value: value.clone(),
            }),
            (None, Some(value)) => Some(Named {
                name: self.name(field, true),
                value,
            }),
            (None, None) => None,
        }
    }
}

fn invalid(setting: &str, value: &str, reason: &str) -> ConfigError {
    ConfigError::Invalid {
        setting: setting.to_string(),
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

fn parse_named_time(named: Option<Named>, default: &str) -> Result<Time, ConfigError> {
    match named {
        Some(named) => parse_time(&named.name, &named.value),
        None => parse_time("default", default),
    }
}

fn read_file(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|error| ConfigError::Unreadable {
        path: path.display().to_string(),
        reason: error.to_string(),
    })
}

fn parse_file(text: &str, path: &Path) -> Result<FileSettings, ConfigError> {
    toml::from_str(text).map_err(|error: toml::de::Error| {
        let message = error.message().trim_end();
        let reason = match error.span() {
            Some(span) => {
                let (line, column) = line_and_column(text, span.start);
                format!("line {line}, column {column}: {message}")
            }
            None => message.to_string(),
        };
        ConfigError::BadFile {
            path: path.display().to_string(),
            reason,
        }
    })
}

/// The 1-based line and column (in characters) of byte `offset` in `text`.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// Checks an optional Slack id that must start with one of `prefixes`.
fn slack_id(named: Option<Named>, prefixes: &[char]) -> Result<Option<String>, ConfigError> {
    let Some(named) = named else {
        return Ok(None);
    };
    let value = named.value.trim().to_string();
    if value.is_empty() {
        return Ok(None);
    }
    let ok = value.len() >= 2
        && value.starts_with(prefixes)
        && value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if ok {
        Ok(Some(value))
    } else {
        let first: Vec<String> = prefixes.iter().map(char::to_string).collect();
        Err(invalid(
            &named.name,
            &value,
            &format!("expected a Slack id starting with {}", first.join(" or ")),
        ))
    }
}

fn parse_admins(named: Option<Named>) -> Result<Vec<SlackUserId>, ConfigError> {
    let Some(named) = named else {
        return Ok(Vec::new());
    };
    named
        .value
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            SlackUserId::parse(part).map_err(|_| {
                invalid(
                    &named.name,
                    part,
                    "expected comma-separated Slack user ids such as U024BE7LH",
                )
            })
        })
        .collect()
}

/// An http or https URL with a host and no query, fragment or credentials; its trailing slashes
/// trimmed.
fn parse_public_url(named: Named) -> Result<String, ConfigError> {
    let text = named.value.trim().trim_end_matches('/');
    let fail = |reason: &str| invalid(&named.name, &named.value, reason);
    let url = reqwest::Url::parse(text)
        .map_err(|_| fail("expected an http or https URL such as https://triage.example.com"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(fail(
            "expected an http or https URL such as https://triage.example.com",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(fail("must not have a query (?…) or a fragment (#…)"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(fail("must not hold a user name or password"));
    }
    Ok(text.to_string())
}

fn parse_command(named: Option<Named>) -> Result<String, ConfigError> {
    let Some(named) = named else {
        return Ok("/triage".to_string());
    };
    let command = named.value.trim();
    let ok = command.len() >= 2
        && command.len() <= 32
        && command.starts_with('/')
        && command[1..]
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(command.to_string())
    } else {
        Err(invalid(
            &named.name,
            command,
            "expected a slash command such as /triage",
        ))
    }
}

fn parse_workdays(named: Option<Named>) -> Result<Weekdays, ConfigError> {
    let Some(named) = named else {
        return Ok(Weekdays::default());
    };
    Weekdays::parse(&named.value)
        .map_err(|error| invalid(&named.name, named.value.trim(), &error.to_string()))
}

/// Holidays from the flag or environment (comma-separated) or the file (a list).
fn parse_holidays(
    names: &Names,
    flag: &Option<String>,
    file: Option<Vec<Holiday>>,
) -> Result<BTreeSet<Date>, ConfigError> {
    let (name, days): (String, Vec<String>) = match (flag, file) {
        (Some(text), _) => (
            names.name("holidays", false),
            text.split(',').map(str::to_string).collect(),
        ),
        (None, Some(list)) => (
            names.name("holidays", true),
            list.iter().map(Holiday::text).collect(),
        ),
        (None, None) => return Ok(BTreeSet::new()),
    };
    days.iter()
        .map(|day| day.trim())
        .filter(|day| !day.is_empty())
        .map(|day| {
            day.parse::<Date>()
                .ok()
                .filter(|_| day.len() == 10)
                .ok_or_else(|| {
                    invalid(
                        &name,
                        day,
                        "expected dates as YYYY-MM-DD, such as 2026-12-25, separated by commas",
                    )
                })
        })
        .collect()
}

fn parse_double_duty(named: Option<Named>) -> Result<DoubleDuty, ConfigError> {
    let Some(named) = named else {
        return Ok(DoubleDuty::default());
    };
    named.value.parse().map_err(|error: UnknownDoubleDuty| {
        invalid(&named.name, named.value.trim(), &error.to_string())
    })
}

fn parse_reminder_lead(named: Option<Named>) -> Result<Option<ReminderLead>, ConfigError> {
    let Some(named) = named.filter(|named| !named.value.trim().is_empty()) else {
        return Ok(None);
    };
    ReminderLead::parse(&named.value)
        .map(Some)
        .map_err(|error| invalid(&named.name, named.value.trim(), &error.to_string()))
}

fn parse_impact_window(named: Option<Named>) -> Result<ImpactWindow, ConfigError> {
    let Some(named) = named else {
        return Ok(ImpactWindow::DEFAULT);
    };
    ImpactWindow::parse(&named.value)
        .map_err(|error| invalid(&named.name, named.value.trim(), &error.to_string()))
}

/// Parses an IANA zone name such as `Europe/Berlin`.
pub fn parse_timezone(name: &str) -> Result<TimeZone, ConfigError> {
    parse_timezone_named("TRIAGE_TIMEZONE", name)
}

/// Parses an IANA zone name given as `setting`.
fn parse_timezone_named(setting: &str, name: &str) -> Result<TimeZone, ConfigError> {
    TimeZone::get(name).map_err(|_| {
        invalid(
            setting,
            name,
            "not a known IANA time zone (e.g. America/Los_Angeles, Europe/Berlin, UTC)",
        )
    })
}

/// Parses a local time of day written `HH:MM` (24-hour clock), given as `setting`.
pub fn parse_time(setting: &str, text: &str) -> Result<Time, ConfigError> {
    let invalid = || {
        invalid(
            setting,
            text,
            "expected a time of day as HH:MM, from 00:00 to 23:59",
        )
    };
    let (hours, minutes) = text.trim().split_once(':').ok_or_else(invalid)?;
    let two_digits = |part: &str| part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit());
    if !two_digits(hours) || !two_digits(minutes) {
        return Err(invalid());
    }
    let hours: i8 = hours.parse().map_err(|_| invalid())?;
    let minutes: i8 = minutes.parse().map_err(|_| invalid())?;
    Time::new(hours, minutes, 0, 0).map_err(|_| invalid())
}

/// A whole number from the flag or environment (text) or the file (already a number).
fn number(
    names: &Names,
    field: &str,
    flag: &Option<String>,
    file: Option<u64>,
    default: u64,
    max: u64,
) -> Result<u64, ConfigError> {
    let (value, name) = match (flag, file) {
        (Some(text), _) => {
            let name = names.name(field, false);
            let value = text
                .trim()
                .parse::<u64>()
                .map_err(|_| invalid(&name, text, "expected a whole number"))?;
            (value, name)
        }
        (None, Some(value)) => (value, names.name(field, true)),
        (None, None) => (default, names.name(field, false)),
    };
    if value > max {
        return Err(invalid(
            &name,
            &value.to_string(),
            &format!("must be at most {max}"),
        ));
    }
    Ok(value)
}

/// Days before a handoff that the admins hear of an uncovered duty in an absence, by default.
pub const DEFAULT_AWAY_ALERT_LEAD_DAYS: i64 = 14;

/// A number of days (0 to 365) from the flag or environment (`14`, or `14d`) or the file.
fn days(
    names: &Names,
    field: &str,
    flag: &Option<String>,
    file: Option<u64>,
    default: i64,
) -> Result<i64, ConfigError> {
    const REASON: &str = "expected a whole number of days from 0 to 365, such as 14";
    let (value, name) = match (flag, file) {
        (Some(text), _) => {
            let name = names.name(field, false);
            let digits = text.trim().trim_end_matches('d');
            let value = digits
                .parse::<u64>()
                .map_err(|_| invalid(&name, text, REASON))?;
            (value, name)
        }
        (None, Some(value)) => (value, names.name(field, true)),
        (None, None) => return Ok(default),
    };
    if value > 365 {
        return Err(invalid(&name, &value.to_string(), REASON));
    }
    Ok(value as i64)
}

fn millis(
    names: &Names,
    field: &str,
    flag: &Option<String>,
    file: Option<u64>,
    default: Duration,
) -> Result<Duration, ConfigError> {
    let default = default.as_millis() as u64;
    number(names, field, flag, file, default, 3_600_000).map(Duration::from_millis)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::ServerSettings;

    #[track_caller]
    fn check_time(input: &str, expected: Option<(i8, i8)>) {
        let parsed = parse_time("TRIAGE_HANDOFF_TIME", input).ok();
        assert_eq!(
            parsed.map(|t| (t.hour(), t.minute())),
            expected,
            "{input:?}"
        );
    }

    #[test]
    fn handoff_times() {
        check_time("08:00", Some((8, 0)));
        check_time("23:59", Some((23, 59)));
        check_time("00:00", Some((0, 0)));
        check_time("25:00", None);
        check_time("8:00", None);
        check_time("08:60", None);
        check_time("0800", None);
        check_time("", None);
        check_time("-1:00", None);
    }

    #[test]
    fn unknown_zone_names_the_setting() {
        let error = parse_timezone("Mars/Olympus").unwrap_err().to_string();
        assert_eq!(
            error,
            "invalid TRIAGE_TIMEZONE `Mars/Olympus`: not a known IANA time zone (e.g. America/Los_Angeles, Europe/Berlin, UTC)"
        );
        assert!(parse_timezone("Europe/Berlin").is_ok());
    }

    #[test]
    fn precedence_flag_over_file_over_default() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("triage.toml");
        std::fs::write(
            &file,
            "timezone = \"Europe/Berlin\"\nhandoff_time = \"09:30\"\ndb_retries = 7\n\
             db_wal_autocheckpoint = 0\ndouble_duty = \"warn\"\n",
        )
        .unwrap();
        let settings = Settings {
            config: Some(file.clone()),
            handoff_time: Some("10:00".to_string()),
            ..Settings::default()
        };
        let config = Config::from_settings(&settings).unwrap();
        assert_eq!(config.timezone.iana_name(), Some("Europe/Berlin"));
        assert_eq!((config.handoff.hour(), config.handoff.minute()), (10, 0));
        assert_eq!(config.store.retries, 7);
        assert_eq!(config.store.wal_autocheckpoint, 0);
        assert_eq!(config.double_duty, DoubleDuty::Warn);
        assert_eq!(config.team().double_duty, DoubleDuty::Warn);
        assert_eq!(config.db, PathBuf::from("triage.db"));
    }

    #[test]
    fn double_duty_is_avoided_unless_set_and_a_bad_value_names_the_setting() {
        let config = Config::from_settings(&Settings::default()).unwrap();
        assert_eq!(config.double_duty, DoubleDuty::Avoid);
        let given = |value: &str, from_environment: &[&str]| Settings {
            double_duty: Some(value.to_string()),
            from_environment: from_environment.iter().map(|f| f.to_string()).collect(),
            ..Settings::default()
        };
        let config = Config::from_settings(&given(" Allow", &[])).unwrap();
        assert_eq!(config.double_duty, DoubleDuty::Allow);
        let error = |settings| Config::from_settings(&settings).unwrap_err().to_string();
        assert_eq!(
            error(given("sometimes", &[])),
            "invalid --double-duty `sometimes`: expected avoid, warn or allow"
        );
        assert_eq!(
            error(given("never", &["double_duty"])),
            "invalid TRIAGE_DOUBLE_DUTY `never`: expected avoid, warn or allow"
        );
    }

    #[test]
    fn unknown_file_key_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("triage.toml");
        std::fs::write(&file, "timezon = \"UTC\"\n").unwrap();
        let settings = Settings {
            config: Some(file),
            ..Settings::default()
        };
        let error = Config::from_settings(&settings).unwrap_err().to_string();
        assert!(error.contains("unknown field `timezon`"), "{error}");
    }

    #[test]
    fn bot_settings_are_checked() {
        let settings = Settings {
            server: ServerSettings {
                channel: Some("C0TRIAGE".into()),
                ..ServerSettings::default()
            },
            admins: Some("U1, W2".into()),
            ..Settings::default()
        };
        let bot = Config::from_settings(&settings).unwrap().bot;
        assert_eq!(bot.channel.as_deref(), Some("C0TRIAGE"));
        assert_eq!(
            bot.admins.iter().map(|a| a.as_str()).collect::<Vec<_>>(),
            ["U1", "W2"]
        );
        assert_eq!(
            (bot.command.as_str(), bot.heads_up.time.hour()),
            ("/triage", 17)
        );
        assert_eq!(bot.heads_up.calendar.weekdays.to_string(), "mon-fri");
        assert_eq!(bot.heads_up.reminder_lead, None);
        assert_eq!(bot.admin_channel, None);
        let bad = |settings: Settings| Config::from_settings(&settings).unwrap_err().to_string();
        assert_eq!(
            bad(Settings {
                server: ServerSettings {
                    channel: Some("#triage".into()),
                    ..ServerSettings::default()
                },
                ..Settings::default()
            }),
            "invalid --channel `#triage`: expected a Slack id starting with C or G"
        );
        assert_eq!(
            bad(Settings {
                admins: Some("U1,bob".into()),
                ..Settings::default()
            }),
            "invalid --admins `bob`: expected comma-separated Slack user ids such as U024BE7LH"
        );
        assert_eq!(
            bad(Settings {
                server: ServerSettings {
                    command: Some("triage".into()),
                    ..ServerSettings::default()
                },
                ..Settings::default()
            }),
            "invalid --command `triage`: expected a slash command such as /triage"
        );
    }

    #[test]
    fn bad_number_names_the_setting() {
        let settings = Settings {
            db_retries: Some("many".to_string()),
            ..Settings::default()
        };
        let error = Config::from_settings(&settings).unwrap_err().to_string();
        assert_eq!(
            error,
            "invalid --db-retries `many`: expected a whole number"
        );
    }

    #[track_caller]
    fn check_error(settings: Settings, file: Option<&str>, expected: &str) {
        let error = Config::from_parts(&settings, file, Path::new("t.toml")).unwrap_err();
        assert_eq!(error.to_string(), expected);
    }

    #[test]
    fn a_bad_setting_is_named_as_the_user_wrote_it() {
        let flag = Settings {
            handoff_time: Some("25:00".into()),
            ..Settings::default()
        };
        let reason = "expected a time of day as HH:MM, from 00:00 to 23:59";
        check_error(
            flag.clone(),
            None,
            &format!("invalid --handoff-time `25:00`: {reason}"),
        );
        let environment = Settings {
            from_environment: vec!["handoff_time".into()],
            ..flag
        };
        check_error(
            environment,
            None,
            &format!("invalid TRIAGE_HANDOFF_TIME `25:00`: {reason}"),
        );
        check_error(
            Settings::default(),
            Some("handoff_time = \"25:00\"\n"),
            &format!("invalid handoff_time in t.toml `25:00`: {reason}"),
        );
        check_error(
            Settings::default(),
            Some("db_retries = 1000\n"),
            "invalid db_retries in t.toml `1000`: must be at most 100",
        );
        check_error(
            Settings {
                db_wal_autocheckpoint: Some("-1".into()),
                from_environment: vec!["db_wal_autocheckpoint".into()],
                ..Settings::default()
            },
            None,
            "invalid TRIAGE_DB_WAL_AUTOCHECKPOINT `-1`: expected a whole number",
        );
        check_error(
            Settings {
                server: ServerSettings {
                    http_addr: Some("nowhere".into()),
                    ..ServerSettings::default()
                },
                from_environment: vec!["http_addr".into()],
                ..Settings::default()
            },
            None,
            "invalid TRIAGE_HTTP_ADDR `nowhere`: expected an address and port such as 127.0.0.1:9000",
        );
    }

    #[test]
    fn feed_addresses_come_from_the_public_url_or_the_listener() {
        let base = |public: Option<&str>, addr: Option<&str>, file: Option<&str>| {
            let settings = Settings {
                server: ServerSettings {
                    public_url: public.map(String::from),
                    http_addr: addr.map(String::from),
                    ..ServerSettings::default()
                },
                from_environment: vec!["public_url".into()],
                ..Settings::default()
            };
            Config::from_parts(&settings, file, Path::new("t.toml"))
                .map(|c| c.feed_base().map_err(|e| e.to_string()))
                .map_err(|e| e.to_string())
        };
        let ok = |url: &str| Ok(Ok(url.to_string()));
        assert_eq!(
            base(Some(" https://triage.example.com/ "), None, None),
            ok("https://triage.example.com")
        );
        assert_eq!(
            base(
                Some("http://10.0.0.5:9000/triage//"),
                Some("0.0.0.0:9000"),
                None
            ),
            ok("http://10.0.0.5:9000/triage")
        );
        assert_eq!(
            base(
                None,
                None,
                Some("public_url = \"https://cal.example.org\"\n")
            ),
            ok("https://cal.example.org")
        );
        assert_eq!(
            base(None, Some("10.1.2.3:9000"), None),
            ok("http://10.1.2.3:9000")
        );
        assert_eq!(
            base(None, Some("[::1]:9000"), None),
            ok("http://[::1]:9000")
        );
        let unset = "the bot listens on 0.0.0.0:9000, which is no address people can reach: an admin must set TRIAGE_PUBLIC_URL";
        assert_eq!(
            base(None, Some("0.0.0.0:9000"), None),
            Ok(Err(unset.to_string()))
        );
        assert_eq!(
            base(None, None, None),
            Ok(Err(
                "calendar feeds need the HTTP listener: an admin must set TRIAGE_HTTP_ADDR".into()
            ))
        );
        let example = "expected an http or https URL such as https://triage.example.com";
        for (bad, reason) in [
            ("triage.example.com", example),
            ("ftp://triage.example.com", example),
            ("https://", example),
            (
                "https://triage.example.com/?token=1",
                "must not have a query (?…) or a fragment (#…)",
            ),
            (
                "https://triage.example.com/#here",
                "must not have a query (?…) or a fragment (#…)",
            ),
            (
                "https://me:pw@triage.example.com",
                "must not hold a user name or password",
            ),
        ] {
            assert_eq!(
                base(Some(bad), None, None),
                Err(format!("invalid TRIAGE_PUBLIC_URL `{bad}`: {reason}")),
            );
        }
    }

    #[test]
    fn the_away_alert_lead_is_a_number_of_days() {
        let lead = |settings: Settings, file: Option<&str>| {
            Config::from_parts(&settings, file, Path::new("t.toml"))
                .map(|c| c.bot.away_alert_lead_days)
        };
        assert_eq!(lead(Settings::default(), None).unwrap(), 14);
        assert_eq!(
            lead(Settings::default(), Some("away_alert_lead = 3\n")).unwrap(),
            3
        );
        let flag = |value: &str| Settings {
            server: ServerSettings {
                away_alert_lead: Some(value.into()),
                ..ServerSettings::default()
            },
            ..Settings::default()
        };
        assert_eq!(lead(flag("7d"), Some("away_alert_lead = 3\n")).unwrap(), 7);
        assert_eq!(lead(flag("0"), None).unwrap(), 0);
        let reason = "expected a whole number of days from 0 to 365, such as 14";
        check_error(
            Settings {
                from_environment: vec!["away_alert_lead".into()],
                ..flag("two weeks")
            },
            None,
            &format!("invalid TRIAGE_AWAY_ALERT_LEAD `two weeks`: {reason}"),
        );
        check_error(
            Settings::default(),
            Some("away_alert_lead = 400\n"),
            &format!("invalid away_alert_lead in t.toml `400`: {reason}"),
        );
    }

    #[test]
    fn working_days_holidays_and_the_reminder_lead() {
        let server = ServerSettings {
            workdays: Some("sun-thu".into()),
            holidays: Some("2026-12-25, 2026-12-24,".into()),
            reminder_lead: Some("2w".into()),
            ..ServerSettings::default()
        };
        let settings = Settings {
            server,
            ..Settings::default()
        };
        let schedule = Config::from_parts(&settings, None, Path::new("t.toml"))
            .unwrap()
            .bot
            .heads_up;
        assert_eq!(schedule.calendar.weekdays.to_string(), "sun-thu");
        let holidays: Vec<String> = schedule
            .calendar
            .holidays
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(holidays, ["2026-12-24", "2026-12-25"]);
        assert_eq!(schedule.reminder_lead.map(|l| l.days()), Some(14));

        // The file's holidays are a list of quoted or bare dates.
        let file = "workdays = \"mon,tue,wed\"\nholidays = [\"2026-01-01\", 2026-05-25]\nreminder_lead = \"7d\"\n";
        let schedule = Config::from_parts(&Settings::default(), Some(file), Path::new("t.toml"))
            .unwrap()
            .bot
            .heads_up;
        assert_eq!(schedule.calendar.weekdays.to_string(), "mon-wed");
        assert_eq!(schedule.calendar.holidays.len(), 2);
        assert_eq!(schedule.reminder_lead.map(|l| l.days()), Some(7));
    }

    #[test]
    fn a_bad_working_day_holiday_or_lead_names_the_setting() {
        let server = |server: ServerSettings, from_environment: &[&str]| Settings {
            server,
            from_environment: from_environment.iter().map(|f| f.to_string()).collect(),
            ..Settings::default()
        };
        check_error(
            server(
                ServerSettings {
                    workdays: Some("weekdays".into()),
                    ..ServerSettings::default()
                },
                &["workdays"],
            ),
            None,
            "invalid TRIAGE_WORKDAYS `weekdays`: `weekdays` is not a weekday: expected days such as mon-fri, sun-thu or mon,tue,wed,thu,fri",
        );
        check_error(
            Settings::default(),
            Some("workdays = \",\"\n"),
            "invalid workdays in t.toml `,`: name at least one working day, such as mon-fri",
        );
        check_error(
            server(
                ServerSettings {
                    holidays: Some("2026-12-25,2026-02-30".into()),
                    ..ServerSettings::default()
                },
                &[],
            ),
            None,
            "invalid --holidays `2026-02-30`: expected dates as YYYY-MM-DD, such as 2026-12-25, separated by commas",
        );
        check_error(
            Settings::default(),
            Some("holidays = [\"12/25/2026\"]\n"),
            "invalid holidays in t.toml `12/25/2026`: expected dates as YYYY-MM-DD, such as 2026-12-25, separated by commas",
        );
        check_error(
            server(
                ServerSettings {
                    reminder_lead: Some("90d".into()),
                    ..ServerSettings::default()
                },
                &["reminder_lead"],
            ),
            None,
            "invalid TRIAGE_REMINDER_LEAD `90d`: expected a number of days or weeks such as 7d or 2w, from 1d to 60d",
        );
        check_error(
            Settings::default(),
            Some("reminder_lead = \"0d\"\n"),
            "invalid reminder_lead in t.toml `0d`: expected a number of days or weeks such as 7d or 2w, from 1d to 60d",
        );
    }

    #[test]
    fn the_impact_window_comes_from_a_flag_the_environment_or_the_file() {
        let config = Config::from_parts(&Settings::default(), None, Path::new("t.toml")).unwrap();
        assert_eq!(config.bot.impact_window, ImpactWindow::DEFAULT);
        let settings = Settings {
            server: ServerSettings {
                impact_window: Some("90s".into()),
                ..ServerSettings::default()
            },
            ..Settings::default()
        };
        let config = Config::from_parts(
            &settings,
            Some("impact_window = \"1h\"\n"),
            Path::new("t.toml"),
        )
        .unwrap();
        assert_eq!(config.bot.impact_window.duration().as_secs(), 90);
        let config = Config::from_parts(
            &Settings::default(),
            Some("impact_window = \"0\"\n"),
            Path::new("t.toml"),
        )
        .unwrap();
        assert!(config.bot.impact_window.duration().is_zero());
        check_error(
            Settings {
                server: ServerSettings {
                    impact_window: Some("2d".into()),
                    ..ServerSettings::default()
                },
                from_environment: vec!["impact_window".into()],
                ..Settings::default()
            },
            None,
            "invalid TRIAGE_IMPACT_WINDOW `2d`: expected a duration such as 10m, 90s or 1h, from 0s to 24h",
        );
        check_error(
            Settings::default(),
            Some("impact_window = \"soon\"\n"),
            "invalid impact_window in t.toml `soon`: expected a duration such as 10m, 90s or 1h, from 0s to 24h",
        );
    }

    #[test]
    fn a_toml_syntax_error_has_its_line_and_column() {
        check_error(
            Settings::default(),
            Some("timezone = \"UTC\"\nhandoff_time 08:00\n"),
            "config file t.toml is invalid: line 2, column 14: key with no value, expected `=`",
        );
        let error = Config::from_parts(
            &Settings::default(),
            Some("# team\n\ntimezon = \"UTC\"\n"),
            Path::new("t.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.starts_with(
                "config file t.toml is invalid: line 3, column 1: unknown field `timezon`"
            ),
            "{error}"
        );
    }
}
