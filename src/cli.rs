//! Command-line syntax (clap types). Raw, unvalidated input: `config` turns it into typed values.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "triage-bot",
    version,
    about = "Runs triage / on-call rotations for small teams in Slack"
)]
pub struct Cli {
    /// SQLite database file.
    #[arg(long, global = true, env = "TRIAGE_DB", default_value = "triage.db")]
    pub db: PathBuf,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Bring the database schema up to date.
    Migrate {
        /// Only report the schema version; change nothing.
        #[arg(long)]
        check: bool,
    },
}
