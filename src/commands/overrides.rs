//! `override` commands.
use crate::cli::OverrideCommand;
use crate::config::Config;
pub fn run(_config: &Config, _command: OverrideCommand) -> anyhow::Result<()> {
    Ok(())
}
