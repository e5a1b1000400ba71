//! `triage-bot import-legacy <dir> [--dry-run]`.

use std::path::Path;

use crate::app::UsageError;
use crate::config::Config;

pub fn run(_config: &Config, _dir: &Path, _dry_run: bool, _by: &str) -> anyhow::Result<()> {
    Err(UsageError("import-legacy is not available in this build".to_string()).into())
}
