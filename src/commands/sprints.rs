//! `sprint` commands.
use crate::cli::SprintCommand;
use crate::config::Config;
pub fn run(_config: &Config, _command: SprintCommand) -> anyhow::Result<()> {
    Ok(())
}
