//! `triage-bot backup <file> [--force]`: a consistent copy of the live database. The copy is
//! written to a temporary file beside the target and renamed into place, so a failed backup
//! never leaves a half-written file or destroys an older backup.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::app::{self, UsageError};
use crate::config::Config;

pub fn run(config: &Config, file: &Path, force: bool) -> anyhow::Result<()> {
    if !config.db.exists() {
        return Err(UsageError(format!(
            "database {} does not exist; there is nothing to back up",
            config.db.display()
        ))
        .into());
    }
    refuse_to_overwrite(file, force)?;
    let store = app::open_store(config)?;
    let temporary = temporary_beside(file)?;
    let written = store.backup_to(&temporary);
    let report = match written {
        Ok(report) => report,
        Err(error) => {
            let _ = std::fs::remove_file(&temporary);
            return Err(error).context(format!("backup to {} failed", file.display()));
        }
    };
    refuse_to_overwrite(file, force)?;
    std::fs::rename(&temporary, file)
        .with_context(|| format!("cannot move the backup into place at {}", file.display()))?;
    let size = std::fs::metadata(file)
        .with_context(|| format!("cannot read {}", file.display()))?
        .len();
    println!(
        "backed up {} to {} ({size} bytes, schema version {})",
        config.db.display(),
        file.display(),
        report.schema_version
    );
    Ok(())
}

fn refuse_to_overwrite(file: &Path, force: bool) -> anyhow::Result<()> {
    if file.exists() && !force {
        return Err(UsageError(format!(
            "{} already exists; pass --force to replace it",
            file.display()
        ))
        .into());
    }
    if file.is_dir() {
        return Err(UsageError(format!("{} is a directory", file.display())).into());
    }
    Ok(())
}

/// A fresh name in the target's directory, so the final rename stays on one file system.
fn temporary_beside(file: &Path) -> anyhow::Result<PathBuf> {
    let name = file
        .file_name()
        .ok_or_else(|| UsageError(format!("{} is not a file name", file.display())))?;
    let mut temporary_name = std::ffi::OsString::from(".");
    temporary_name.push(name);
    temporary_name.push(format!(".{}.partial", std::process::id()));
    let temporary = file.with_file_name(temporary_name);
    let _ = std::fs::remove_file(&temporary);
    Ok(temporary)
}
