//! `discipline`, `member`, `admin` and `audit` commands.

use crate::cli::{AdminCommand, DisciplineCommand, MemberCommand};
use crate::config::Config;

pub fn discipline(_config: &Config, _command: DisciplineCommand) -> anyhow::Result<()> {
    Ok(())
}
pub fn member(_config: &Config, _command: MemberCommand) -> anyhow::Result<()> {
    Ok(())
}
pub fn admin(_config: &Config, _command: AdminCommand) -> anyhow::Result<()> {
    Ok(())
}
pub fn audit(_config: &Config, _limit: &str) -> anyhow::Result<()> {
    Ok(())
}
