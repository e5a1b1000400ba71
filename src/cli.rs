//! Command-line syntax (clap types). This is raw, unvalidated input: `config` turns the global
//! settings into typed values, and each command parses its own arguments into domain types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "triage-bot",
    version,
    about = "Runs triage / on-call rotations for small teams in Slack",
    after_help = "With no command, runs `serve` when Slack tokens are set and the local demo otherwise."
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Settings shared by every command. Each may also come from the environment or the TOML file
/// named by `--config`; a flag wins over the environment, which wins over the file.
#[derive(Debug, Clone, Default, Args)]
pub struct Settings {
    /// SQLite database file [default: triage.db]
    #[arg(long, global = true, env = "TRIAGE_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Optional TOML file with settings (keys: db, timezone, handoff_time, db_busy_timeout_ms, …)
    #[arg(long, global = true, env = "TRIAGE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Print machine-readable JSON (read commands)
    #[arg(long, global = true)]
    pub json: bool,

    /// The team's IANA time zone [default: America/Los_Angeles]
    #[arg(long, global = true, env = "TRIAGE_TIMEZONE", value_name = "ZONE")]
    pub timezone: Option<String>,

    /// Local time of day when duty hands over, HH:MM [default: 08:00]
    #[arg(long, global = true, env = "TRIAGE_HANDOFF_TIME", value_name = "HH:MM")]
    pub handoff_time: Option<String>,

    /// How long one attempt waits for a locked database, in ms [default: 5000]
    #[arg(
        long,
        global = true,
        env = "TRIAGE_DB_BUSY_TIMEOUT_MS",
        value_name = "MS"
    )]
    pub db_busy_timeout_ms: Option<String>,

    /// Further attempts when the database stays locked [default: 5]
    #[arg(long, global = true, env = "TRIAGE_DB_RETRIES", value_name = "N")]
    pub db_retries: Option<String>,

    /// First delay between attempts, in ms [default: 50]
    #[arg(
        long,
        global = true,
        env = "TRIAGE_DB_RETRY_BASE_MS",
        value_name = "MS"
    )]
    pub db_retry_base_ms: Option<String>,

    /// Longest delay between attempts, in ms [default: 2000]
    #[arg(long, global = true, env = "TRIAGE_DB_RETRY_MAX_MS", value_name = "MS")]
    pub db_retry_max_ms: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Bring the database schema up to date (every command also does this on start)
    Migrate {
        /// Only report the schema version; change nothing
        #[arg(long)]
        check: bool,
    },
}
