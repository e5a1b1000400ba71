//! `triage-bot backup <file> [--force]`.

use std::path::Path;

use crate::app::UsageError;
use crate::config::Config;

pub fn run(_config: &Config, _file: &Path, _force: bool) -> anyhow::Result<()> {
    Err(UsageError("backup is not available in this build".to_string()).into())
}
