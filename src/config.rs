//! Validated configuration: flags, environment and the optional TOML file become typed values
//! once, here. A flag wins over the environment (clap reads both), which wins over the file.
//! Nothing else in the program reads the environment.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use jiff::civil::Time;
use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::cli::Settings;
use crate::domain::SlackUserId;
use crate::store::StoreOptions;

/// A setting that is missing, unreadable or out of range. Always names the setting.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A value does not parse or is out of range.
    #[error("invalid {setting} `{value}`: {reason}")]
    Invalid {
        setting: &'static str,
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
    db_busy_timeout_ms: Option<u64>,
    db_retries: Option<u64>,
    db_retry_base_ms: Option<u64>,
    db_retry_max_ms: Option<u64>,
    channel: Option<String>,
    admin_channel: Option<String>,
    usergroup: Option<String>,
    admins: Option<String>,
    command: Option<String>,
    heads_up_time: Option<String>,
    http_addr: Option<String>,
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
    /// Local time of the heads-up on the day before a handoff.
    pub heads_up: Time,
}

/// Settings every command shares, validated.
#[derive(Debug, Clone)]
pub struct Config {
    pub db: PathBuf,
    pub json: bool,
    pub timezone: TimeZone,
    pub handoff: Time,
    pub store: StoreOptions,
    /// When set, the clock starts at this instant (demos and tests) and runs on in real time.
    pub clock_start: Option<jiff::Timestamp>,
    /// The real time at start-up, so a pinned clock runs on from `clock_start`.
    pub started_at: jiff::Timestamp,
    /// Seconds added to the clock by [`Config::advance_clock`] (the demo's `advance`); shared
    /// by every clone, so the bot's tasks see the same time.
    pub clock_offset: Arc<AtomicI64>,
    pub bot: BotSettings,
    /// Where to serve /healthz and /metrics; off when unset.
    pub http_addr: Option<std::net::SocketAddr>,
}

impl Config {
    /// The team's time zone and handoff time.
    pub fn team(&self) -> crate::domain::Team {
        crate::domain::Team {
            zone: self.timezone.clone(),
            handoff: self.handoff,
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
        let defaults = StoreOptions::default();
        let store = StoreOptions {
            busy_timeout: millis(
                "TRIAGE_DB_BUSY_TIMEOUT_MS",
                settings.db_busy_timeout_ms.as_deref(),
                file.db_busy_timeout_ms,
                defaults.busy_timeout,
            )?,
            retries: number(
                "TRIAGE_DB_RETRIES",
                settings.db_retries.as_deref(),
                file.db_retries,
                defaults.retries as u64,
                100,
            )? as usize,
            retry_base: millis(
                "TRIAGE_DB_RETRY_BASE_MS",
                settings.db_retry_base_ms.as_deref(),
                file.db_retry_base_ms,
                defaults.retry_base,
            )?,
            retry_max: millis(
                "TRIAGE_DB_RETRY_MAX_MS",
                settings.db_retry_max_ms.as_deref(),
                file.db_retry_max_ms,
                defaults.retry_max,
            )?,
            pool_size: defaults.pool_size,
        };
        let timezone = settings.timezone.clone().or(file.timezone);
        let handoff = settings.handoff_time.clone().or(file.handoff_time);
        Ok(Config {
            db: settings
                .db
                .clone()
                .or(file.db)
                .unwrap_or_else(|| PathBuf::from("triage.db")),
            json: settings.json,
            timezone: parse_timezone(timezone.as_deref().unwrap_or("America/Los_Angeles"))?,
            handoff: parse_time("TRIAGE_HANDOFF_TIME", handoff.as_deref().unwrap_or("08:00"))?,
            store,
            clock_start: settings
                .clock_start
                .as_deref()
                .map(|text| {
                    text.parse().map_err(|_| ConfigError::Invalid {
                        setting: "TRIAGE_CLOCK_START",
                        value: text.to_string(),
                        reason: "expected an RFC 3339 instant such as 2026-03-09T08:00:00-07:00"
                            .to_string(),
                    })
                })
                .transpose()?,
            started_at: jiff::Timestamp::now(),
            clock_offset: Arc::new(AtomicI64::new(0)),
            http_addr: settings
                .http_addr
                .clone()
                .or(file.http_addr)
                .map(|text| {
                    text.trim().parse().map_err(|_| ConfigError::Invalid {
                        setting: "TRIAGE_HTTP_ADDR",
                        reason: "expected an address and port such as 127.0.0.1:9000".to_string(),
                        value: text,
                    })
                })
                .transpose()?,
            bot: BotSettings {
                channel: slack_id(
                    "TRIAGE_CHANNEL",
                    settings.channel.clone().or(file.channel),
                    &['C', 'G'],
                )?,
                admin_channel: slack_id(
                    "TRIAGE_ADMIN_CHANNEL",
                    settings.admin_channel.clone().or(file.admin_channel),
                    &['C', 'G'],
                )?,
                usergroup: slack_id(
                    "TRIAGE_USERGROUP",
                    settings.usergroup.clone().or(file.usergroup),
                    &['S'],
                )?,
                admins: parse_admins(settings.admins.clone().or(file.admins).as_deref())?,
                command: parse_command(settings.command.clone().or(file.command).as_deref())?,
                heads_up: parse_time(
                    "TRIAGE_HEADS_UP_TIME",
                    settings
                        .heads_up_time
                        .clone()
                        .or(file.heads_up_time)
                        .as_deref()
                        .unwrap_or("17:00"),
                )?,
            },
        })
    }
}

fn read_file(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|error| ConfigError::Unreadable {
        path: path.display().to_string(),
        reason: error.to_string(),
    })
}

fn parse_file(text: &str, path: &Path) -> Result<FileSettings, ConfigError> {
    toml::from_str(text).map_err(|error| ConfigError::BadFile {
        path: path.display().to_string(),
        reason: error.message().to_string(),
    })
}

/// Checks an optional Slack id that must start with one of `prefixes`.
fn slack_id(
    setting: &'static str,
    value: Option<String>,
    prefixes: &[char],
) -> Result<Option<String>, ConfigError> {
    let Some(value) = value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
    else {
        return Ok(None);
    };
    let ok = value.len() >= 2
        && value.starts_with(prefixes)
        && value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if ok {
        Ok(Some(value))
    } else {
        let first: Vec<String> = prefixes.iter().map(char::to_string).collect();
        Err(ConfigError::Invalid {
            setting,
            value,
            reason: format!("expected a Slack id starting with {}", first.join(" or ")),
        })
    }
}

fn parse_admins(value: Option<&str>) -> Result<Vec<SlackUserId>, ConfigError> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    value
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            SlackUserId::parse(part).map_err(|_| ConfigError::Invalid {
                setting: "TRIAGE_ADMINS",
                value: part.to_string(),
                reason: "expected comma-separated Slack user ids such as U024BE7LH".to_string(),
            })
        })
        .collect()
}

fn parse_command(value: Option<&str>) -> Result<String, ConfigError> {
    let command = value.unwrap_or("/triage").trim();
    let ok = command.len() >= 2
        && command.len() <= 32
        && command.starts_with('/')
        && command[1..]
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(command.to_string())
    } else {
        Err(ConfigError::Invalid {
            setting: "TRIAGE_COMMAND",
            value: command.to_string(),
            reason: "expected a slash command such as /triage".to_string(),
        })
    }
}

/// Parses an IANA zone name such as `Europe/Berlin`.
pub fn parse_timezone(name: &str) -> Result<TimeZone, ConfigError> {
    TimeZone::get(name).map_err(|_| ConfigError::Invalid {
        setting: "TRIAGE_TIMEZONE",
        value: name.to_string(),
        reason: "not a known IANA time zone (e.g. America/Los_Angeles, Europe/Berlin, UTC)"
            .to_string(),
    })
}

/// Parses a local time of day written `HH:MM` (24-hour clock).
pub fn parse_time(setting: &'static str, text: &str) -> Result<Time, ConfigError> {
    let invalid = || ConfigError::Invalid {
        setting,
        value: text.to_string(),
        reason: "expected a time of day as HH:MM, from 00:00 to 23:59".to_string(),
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

fn number(
    setting: &'static str,
    flag: Option<&str>,
    file: Option<u64>,
    default: u64,
    max: u64,
) -> Result<u64, ConfigError> {
    let value = match flag {
        Some(text) => text
            .trim()
            .parse::<u64>()
            .map_err(|_| ConfigError::Invalid {
                setting,
                value: text.to_string(),
                reason: "expected a whole number".to_string(),
            })?,
        None => file.unwrap_or(default),
    };
    if value > max {
        return Err(ConfigError::Invalid {
            setting,
            value: value.to_string(),
            reason: format!("must be at most {max}"),
        });
    }
    Ok(value)
}

fn millis(
    setting: &'static str,
    flag: Option<&str>,
    file: Option<u64>,
    default: Duration,
) -> Result<Duration, ConfigError> {
    let default = default.as_millis() as u64;
    number(setting, flag, file, default, 3_600_000).map(Duration::from_millis)
}

#[cfg(test)]
mod tests {
    use super::*;

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
            "timezone = \"Europe/Berlin\"\nhandoff_time = \"09:30\"\ndb_retries = 7\n",
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
        assert_eq!(config.db, PathBuf::from("triage.db"));
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
            channel: Some("C0TRIAGE".into()),
            admins: Some("U1, W2".into()),
            ..Settings::default()
        };
        let bot = Config::from_settings(&settings).unwrap().bot;
        assert_eq!(bot.channel.as_deref(), Some("C0TRIAGE"));
        assert_eq!(
            bot.admins.iter().map(|a| a.as_str()).collect::<Vec<_>>(),
            ["U1", "W2"]
        );
        assert_eq!((bot.command.as_str(), bot.heads_up.hour()), ("/triage", 17));
        assert_eq!(bot.admin_channel, None);
        let bad = |settings: Settings| Config::from_settings(&settings).unwrap_err().to_string();
        assert_eq!(
            bad(Settings {
                channel: Some("#triage".into()),
                ..Settings::default()
            }),
            "invalid TRIAGE_CHANNEL `#triage`: expected a Slack id starting with C or G"
        );
        assert_eq!(
            bad(Settings {
                admins: Some("U1,bob".into()),
                ..Settings::default()
            }),
            "invalid TRIAGE_ADMINS `bob`: expected comma-separated Slack user ids such as U024BE7LH"
        );
        assert_eq!(
            bad(Settings {
                command: Some("triage".into()),
                ..Settings::default()
            }),
            "invalid TRIAGE_COMMAND `triage`: expected a slash command such as /triage"
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
            "invalid TRIAGE_DB_RETRIES `many`: expected a whole number"
        );
    }
}
