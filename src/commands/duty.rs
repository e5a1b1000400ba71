//! `who` and `schedule`.
use crate::config::Config;
pub fn who(_config: &Config, _at: Option<&str>) -> anyhow::Result<()> {
    Ok(())
}
pub fn schedule(_config: &Config, _from: Option<&str>, _count: &str) -> anyhow::Result<()> {
    Ok(())
}
