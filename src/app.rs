//! Runs one subcommand with a validated configuration.

use crate::cli::Cli;

pub fn run(_cli: Cli) -> anyhow::Result<()> {
    Ok(())
}
