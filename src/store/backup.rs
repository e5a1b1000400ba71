//! Consistent copies of the live database with SQLite's online backup API. The copy is taken in
//! one step inside one read transaction, so it is a snapshot even while others write. This
//! module writes only the file it is given; choosing, replacing and renaming files is the
//! caller's business.

use std::fs::OpenOptions;
use std::io::ErrorKind;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use rusqlite::Connection;
use rusqlite::backup::{Backup, StepResult};

use super::Store;
use super::error::{Result, StoreError};
use super::migrate;

/// What a backup wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupReport {
    /// The schema version recorded in the copy.
    pub schema_version: i64,
    /// Database pages copied.
    pub pages: i64,
}

impl Store {
    /// Writes a consistent copy of the database to `destination`, a file that must not exist
    /// yet. The copy is a single self-contained file (rollback journal mode, no `-wal`), private
    /// to its owner (mode 0600) like the database, whatever the umask.
    pub fn backup_to(&self, destination: &Path) -> Result<BackupReport> {
        create_private(destination)?;
        self.read(|source| {
            let mut copy =
                Connection::open(destination).map_err(|error| StoreError::CannotOpen {
                    path: destination.display().to_string(),
                    reason: error.to_string(),
                })?;
            {
                let backup = Backup::new(source, &mut copy)?;
                // -1: every page in one step, under one read lock: a snapshot.
                match backup.step(-1)? {
                    StepResult::Done => {}
                    StepResult::Busy | StepResult::Locked => return Err(StoreError::Busy),
                    _ => {
                        return Err(StoreError::Invalid(
                            "the backup stopped before the end".to_string(),
                        ));
                    }
                }
            }
            copy.pragma_update(None, "journal_mode", "DELETE")?;
            let pages: i64 = copy.query_row("PRAGMA page_count", [], |row| row.get(0))?;
            let schema_version = migrate::schema_version(&copy)?;
            copy.close().map_err(|(_, error)| StoreError::from(error))?;
            Ok(BackupReport {
                schema_version,
                pages,
            })
        })
    }
}

/// Creates `path` as an empty file readable and writable by its owner alone, so the copy is
/// never readable by others, not even for a moment. SQLite gives its journal the same mode.
fn create_private(path: &Path) -> Result<()> {
    let created = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path);
    match created {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == ErrorKind::AlreadyExists => Err(StoreError::Invalid(
            format!("{} already exists", path.display()),
        )),
        Err(error) => Err(StoreError::CannotOpen {
            path: path.display().to_string(),
            reason: error.to_string(),
        }),
    }
}
