//! `triage-bot backup <file> [--force]`: a consistent copy of the live database. The copy is
//! written to a temporary file beside the target and renamed into place, so a failed backup
//! never leaves a half-written file or destroys an older backup. The copy is private (0600)
//! like the database, and the live database (or its `-wal`, `-shm` or `-journal` file) is never
//! a destination, whatever path names it.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::app::{self, UsageError};
use crate::config::Config;
use crate::store::StoreError;

pub fn run(config: &Config, file: &Path, force: bool) -> anyhow::Result<()> {
    if !config.db.exists() {
        return Err(UsageError(format!(
            "database {} does not exist; there is nothing to back up",
            config.db.display()
        ))
        .into());
    }
    refuse_the_live_database(config, file)?;
    refuse_to_overwrite(file, force)?;
    refuse_a_missing_directory(file)?;
    let store = app::open_store(config)?;
    let temporary = temporary_beside(file)?;
    let written = store.backup_to(&temporary);
    let report = match written {
        Ok(report) => report,
        Err(error) => {
            let _ = std::fs::remove_file(&temporary);
            // The temporary file's name means nothing to the user: name the destination.
            let error = match error {
                StoreError::CannotOpen { reason, .. } => StoreError::CannotOpen {
                    path: file.display().to_string(),
                    reason,
                },
                other => other,
            };
            return Err(error).context(format!("backup to {} failed", file.display()));
        }
    };
    refuse_the_live_database(config, file)?;
    refuse_to_overwrite(file, force)?;
    std::fs::rename(&temporary, file)
        .with_context(|| format!("cannot move the backup into place at {}", file.display()))?;
    let size = std::fs::metadata(file)
        .with_context(|| format!("cannot read {}", file.display()))?
        .len();
    outln!(
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

/// Refuses a destination that is the live database or one of its companion files, named by any
/// path: relative, through a symbolic link, or a hard link to the same file.
fn refuse_the_live_database(config: &Config, file: &Path) -> anyhow::Result<()> {
    let refuse = || {
        Err(UsageError(format!(
            "{} is the live database {}; back up to another file",
            file.display(),
            config.db.display()
        ))
        .into())
    };
    let database = std::fs::canonicalize(&config.db)
        .with_context(|| format!("cannot resolve {}", config.db.display()))?;
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut live = database.clone().into_os_string();
        live.push(suffix);
        let live = PathBuf::from(live);
        if canonical_destination(file).as_deref() == Some(live.as_path()) {
            return refuse();
        }
        if let (Ok(a), Ok(b)) = (std::fs::metadata(file), std::fs::metadata(&live))
            && (a.dev(), a.ino()) == (b.dev(), b.ino())
        {
            return refuse();
        }
    }
    Ok(())
}

/// The destination's absolute path with every link resolved, also when the file itself does not
/// exist yet (then its directory is resolved); `None` when its directory does not exist.
fn canonical_destination(file: &Path) -> Option<PathBuf> {
    if let Ok(path) = std::fs::canonicalize(file) {
        return Some(path);
    }
    let name = file.file_name()?;
    let parent = match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(parent).ok()?.join(name))
}

/// Refuses a destination whose directory does not exist, naming that directory.
fn refuse_a_missing_directory(file: &Path) -> anyhow::Result<()> {
    let parent = match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => return Ok(()),
    };
    if parent.is_dir() {
        return Ok(());
    }
    Err(UsageError(format!(
        "cannot write {}: directory {} does not exist",
        file.display(),
        parent.display()
    ))
    .into())
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
