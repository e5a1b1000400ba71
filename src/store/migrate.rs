//! Schema migrations by `PRAGMA user_version`.
//!
//! Step *n* brings the schema from version *n − 1* to *n* (`migrations/v<n>.sql`; step 1 is the
//! first released schema). An empty database gets the current schema, `schema.sql`, in one step
//! instead, and a test checks that both roads lead to the same schema. Each step runs in its own
//! IMMEDIATE transaction together with the `user_version` bump, so a failed step leaves the
//! database exactly as it was before that step. Before a non-empty database is migrated, a copy
//! is written beside it with `VACUUM INTO`.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, TransactionBehavior};

use super::error::{Result, StoreError};

/// The SQL of each migration step, in order.
pub const MIGRATIONS: &[&str] = &[
    include_str!("migrations/v1.sql"),
    include_str!("migrations/v2.sql"),
    include_str!("migrations/v3.sql"),
    include_str!("migrations/v4.sql"),
    include_str!("migrations/v5.sql"),
    include_str!("migrations/v6.sql"),
    include_str!("migrations/v7.sql"),
];

/// The current schema, which an empty database gets at once (version [`SCHEMA_VERSION`]).
pub const CURRENT_SCHEMA: &str = include_str!("../../schema.sql");

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// What a migration run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    pub from: i64,
    pub to: i64,
    /// The pre-migration copy, when one was written.
    pub backup: Option<PathBuf>,
}

/// Runs `PRAGMA integrity_check`; the problems it names, none when the file is sound.
pub fn integrity_problems(conn: &Connection) -> Result<Vec<String>> {
    let mut statement = conn.prepare("PRAGMA integrity_check")?;
    let rows = statement.query_map([], |row| row.get::<_, String>(0))?;
    let lines: Vec<String> = rows.collect::<rusqlite::Result<_>>()?;
    Ok(lines.into_iter().filter(|line| line != "ok").collect())
}

/// Reads `PRAGMA user_version`.
pub fn schema_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |row| row.get(0))?)
}

/// Applies the steps of `migrations` that the database lacks. `path` names the database file,
/// for the backup and for messages.
pub fn migrate(conn: &mut Connection, path: &Path, migrations: &[&str]) -> Result<MigrationReport> {
    let supported = migrations.len() as i64;
    let from = schema_version(conn)?;
    if from > supported {
        return Err(StoreError::TooNew {
            path: path.display().to_string(),
            found: from,
            supported,
        });
    }
    if from == supported {
        return Ok(MigrationReport {
            from,
            to: from,
            backup: None,
        });
    }
    let (backup, done) = if !is_empty(conn)? {
        (Some(write_backup(conn, path, from)?), from)
    } else if starts_with_own_steps(migrations) {
        apply_step(conn, SCHEMA_VERSION, CURRENT_SCHEMA)?;
        (None, SCHEMA_VERSION)
    } else {
        (None, from)
    };
    for (step, sql) in migrations.iter().enumerate().skip(done as usize) {
        apply_step(conn, step as i64 + 1, sql)?;
    }
    Ok(MigrationReport {
        from,
        to: supported,
        backup,
    })
}

/// Whether `migrations` starts with this binary's own steps (tests append steps of their own),
/// so that an empty database may take [`CURRENT_SCHEMA`] in their place.
fn starts_with_own_steps(migrations: &[&str]) -> bool {
    migrations.len() >= MIGRATIONS.len() && migrations[..MIGRATIONS.len()] == *MIGRATIONS
}

fn apply_step(conn: &mut Connection, version: i64, sql: &str) -> Result<()> {
    let failed = |error: rusqlite::Error| match error.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ReadOnly) => StoreError::ReadOnly,
        _ => StoreError::MigrationFailed {
            version,
            reason: error.to_string(),
        },
    };
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(failed)?;
    tx.execute_batch(sql).map_err(failed)?;
    tx.pragma_update(None, "user_version", version)
        .map_err(failed)?;
    tx.commit().map_err(failed)
}

fn is_empty(conn: &Connection) -> Result<bool> {
    let objects: i64 =
        conn.query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))?;
    Ok(objects == 0)
}

fn write_backup(conn: &Connection, path: &Path, version: i64) -> Result<PathBuf> {
    let stamp = jiff::Timestamp::now().as_second();
    let file_name = format!(
        "{}.v{version}-{stamp}.bak",
        path.file_name().unwrap_or_default().to_string_lossy()
    );
    let backup = path.with_file_name(file_name);
    conn.execute("VACUUM INTO ?1", [backup.to_string_lossy()])
        .map_err(|error| StoreError::MigrationFailed {
            version: version + 1,
            reason: format!("could not write the pre-migration backup: {error}"),
        })?;
    Ok(backup)
}
