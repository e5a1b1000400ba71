//! All SQL lives here: the pooled SQLite store, its migrations and its typed errors.
//!
//! Public methods speak the domain (`upsert_member`, `request_override`, `audit`). Each is a short
//! synchronous function; async callers run it on the blocking pool (`Store::run`), so a pooled
//! connection never crosses an `.await`. Every transaction that may write begins IMMEDIATE and
//! appends its audit rows inside the same transaction. Busy errors that outlast SQLite's
//! `busy_timeout` are retried with jittered exponential backoff; nothing else is retried.
//! This module must not read the clock for anything it stores: `now` is a parameter.

mod announce;
mod audit;
mod away;
mod backup;
mod cadence;
mod calendar_feeds;
mod codec;
mod disciplines;
mod error;
mod events;
mod impact;
mod import;
mod members;
pub mod migrate;
mod notes;
mod offers;
mod outbox;
mod outbox_read;
mod overrides;
mod plan;
mod roster_changes;
mod sprints;
mod state;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use backon::{BlockingRetryable, ExponentialBuilder};
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

pub use audit::AuditRecord;
pub use away::{MAX_AWAY_REASON_CHARS, NewAwayWindow};
pub use backup::BackupReport;
pub use calendar_feeds::{CalendarFeed, FeedCreation};
pub use disciplines::{DisciplineChange, NewDiscipline};
pub use error::{Result, StoreError};
pub use impact::OpenImpactWindow;
pub use import::{
    ImportBatch, ImportCounts, ImportCurrentState, ImportDiscipline, ImportMember, ImportMode,
    ImportOverride, ImportReport, ImportState,
};
pub use members::{MemberChange, MemberOutcome};
pub use migrate::{MigrationReport, SCHEMA_VERSION};
pub use offers::{NewOffer, Offer, OfferStatus};
pub use outbox::{NewOutboxItem, OutboxEnd, OutboxEntry, OutboxStats};
pub use outbox_read::OutboxRow;
pub use overrides::{NewOverride, RequestOutcome};
pub use roster_changes::NewRosterChange;
pub use sprints::{NewSprint, SprintChange};
pub use state::CurrentState;

/// An error a [`Store::transaction`] may end with: a store error, or a caller's own (a refusal)
/// that also rolls the transaction back.
pub trait TransactionError: From<StoreError> {
    /// Whether the database was busy, so the whole transaction may be tried again.
    fn is_busy(&self) -> bool;
}

impl TransactionError for StoreError {
    fn is_busy(&self) -> bool {
        StoreError::is_busy(self)
    }
}

/// Derives the outbox items a decision causes from its outcome (see `write_with_effects`).
pub type Effects<'a, T> = &'a dyn Fn(&T) -> Vec<NewOutboxItem>;

/// No effects.
pub fn no_effects<T>(_: &T) -> Vec<NewOutboxItem> {
    Vec::new()
}

/// How a pinned transaction ends when its closure succeeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    Commit,
    RollBack,
}

/// How the store waits for and retries a busy database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreOptions {
    /// SQLite's own wait for a lock, per attempt.
    pub busy_timeout: Duration,
    /// Further attempts after the first when the database stays busy.
    pub retries: usize,
    /// First backoff delay between attempts.
    pub retry_base: Duration,
    /// Longest backoff delay between attempts.
    pub retry_max: Duration,
    /// Pooled connections.
    pub pool_size: u32,
    /// WAL pages after which a commit checkpoints the WAL into the database file (SQLite's
    /// `wal_autocheckpoint`); 0 leaves checkpoints to another process, such as Litestream.
    pub wal_autocheckpoint: u32,
}

impl Default for StoreOptions {
    fn default() -> StoreOptions {
        StoreOptions {
            busy_timeout: Duration::from_secs(5),
            retries: 5,
            retry_base: Duration::from_millis(50),
            retry_max: Duration::from_secs(2),
            pool_size: 4,
            wal_autocheckpoint: DEFAULT_WAL_AUTOCHECKPOINT,
        }
    }
}

/// A pooled, migrated triage-bot database. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: r2d2::Pool<SqliteConnectionManager>,
    options: StoreOptions,
    path: PathBuf,
    busy_retries: Arc<AtomicU64>,
    /// Serialises this process's writers, so they queue here instead of in SQLite's sleeping
    /// busy handler; other processes are still kept out by SQLite's own lock.
    write_lock: Arc<Mutex<()>>,
    /// Inside [`Store::snapshot`] or [`Store::transaction`]: the connection whose open
    /// transaction every read (and, in a transaction, every write) uses.
    pinned: Option<Arc<Mutex<PooledConnection>>>,
    /// Whether `pinned` holds an IMMEDIATE (write) transaction rather than a read snapshot.
    pinned_for_writes: bool,
}

type PooledConnection = r2d2::PooledConnection<SqliteConnectionManager>;

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path, options: StoreOptions) -> Result<(Store, MigrationReport)> {
        Store::open_with_migrations(path, options, migrate::MIGRATIONS)
    }

    /// Like [`Store::open`] with an explicit list of migration steps (tests add steps).
    #[doc(hidden)]
    pub fn open_with_migrations(
        path: &Path,
        options: StoreOptions,
        migrations: &[&str],
    ) -> Result<(Store, MigrationReport)> {
        create_private(path)?;
        let mut conn = open_connection(path, OpenFlags::default())?;
        configure(&conn, &options).map_err(|error| classify_open_error(path, error))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|error| classify_open_error(path, error))?;
        let report = migrate::migrate(&mut conn, path, migrations)?;
        drop(conn);
        let init_options = options.clone();
        let manager = SqliteConnectionManager::file(path)
            .with_init(move |conn| configure(conn, &init_options));
        let pool = r2d2::Pool::builder()
            .max_size(options.pool_size)
            .test_on_check_out(false)
            .connection_timeout(Duration::from_secs(30))
            .build(manager)?;
        let store = Store {
            pool,
            options,
            path: path.to_path_buf(),
            busy_retries: Arc::new(AtomicU64::new(0)),
            write_lock: Arc::new(Mutex::new(())),
            pinned: None,
            pinned_for_writes: false,
        };
        Ok((store, report))
    }

    /// The schema version of the database at `path` without creating or changing anything:
    /// `None` when the file does not exist.
    pub fn inspect_version(path: &Path) -> Result<Option<i64>> {
        if !path.exists() {
            return Ok(None);
        }
        let conn = open_connection(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let version = migrate::schema_version(&conn).map_err(|error| match error {
            StoreError::Internal(_) => StoreError::NotADatabase {
                path: path.display().to_string(),
            },
            other => other,
        })?;
        Ok(Some(version))
    }

    /// Runs SQLite's integrity check on the file at `path`, read-only: the problems it finds.
    pub fn integrity_check(path: &Path) -> Result<Vec<String>> {
        let conn = open_connection(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        migrate::integrity_problems(&conn)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many times a busy database made a write wait and retry, since the store opened.
    pub fn busy_retries(&self) -> u64 {
        self.busy_retries.load(Ordering::Relaxed)
    }

    /// Runs `f` on the blocking pool: the way async code reaches the store.
    pub async fn run<T, F>(&self, f: F) -> T
    where
        F: FnOnce(&Store) -> T + Send + 'static,
        T: Send + 'static,
    {
        let store = self.clone();
        match tokio::task::spawn_blocking(move || f(&store)).await {
            Ok(value) => value,
            Err(join_error) => std::panic::resume_unwind(join_error.into_panic()),
        }
    }

    /// Runs `f` in one IMMEDIATE transaction, retrying the whole transaction while the database
    /// is busy. `f` may run more than once, so it must not have effects outside the transaction.
    /// Inside [`Store::transaction`], `f` joins the open transaction instead.
    pub(crate) fn write<T>(&self, f: impl Fn(&Connection) -> Result<T>) -> Result<T> {
        if let (Some(pinned), true) = (&self.pinned, self.pinned_for_writes) {
            let conn = pinned
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            return f(&conn);
        }
        if self.pinned.is_some() {
            return Err(StoreError::Invalid(
                "a write was attempted inside a read snapshot".to_string(),
            ));
        }
        let attempt = || {
            // The turn first, then a connection: writers waiting for their turn hold none, so
            // readers keep the rest of the pool while another process holds the write lock.
            let _writer = self
                .write_lock
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let mut conn = self.pool.get()?;
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        };
        attempt
            .retry(self.backoff())
            .sleep(std::thread::sleep)
            .when(StoreError::is_busy)
            .notify(|_, delay| {
                self.busy_retries.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(?delay, "database busy, retrying");
            })
            .call()
    }

    /// Runs `f` in one IMMEDIATE transaction with a store whose reads and writes all go through
    /// it: a decision reads the world as it is at that moment and writes its outcome before any
    /// other writer can change that world. Retried as a whole while the database is busy, so `f`
    /// must not have effects outside the store. Nested calls join the outer transaction.
    /// An `Err` from `f` rolls everything back, a refusal as much as a failure.
    pub fn transaction<T, E: TransactionError>(
        &self,
        f: impl Fn(&Store) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        if self.pinned_for_writes {
            return f(self);
        }
        self.pinned_transaction(f, Ending::Commit)
    }

    /// Runs `f` like [`Store::transaction`], then rolls everything back whatever `f` returned:
    /// a dry run that sees its own writes and leaves the database as it was. Not inside a
    /// transaction or snapshot (that would roll back the outer one's work too).
    pub fn dry_run<T, E: TransactionError>(
        &self,
        f: impl Fn(&Store) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        if self.pinned.is_some() {
            return Err(E::from(StoreError::Invalid(
                "a dry run was started inside a transaction or snapshot".to_string(),
            )));
        }
        self.pinned_transaction(f, Ending::RollBack)
    }

    fn pinned_transaction<T, E: TransactionError>(
        &self,
        f: impl Fn(&Store) -> std::result::Result<T, E>,
        ending: Ending,
    ) -> std::result::Result<T, E> {
        if self.pinned.is_some() {
            return Err(E::from(StoreError::Invalid(
                "a transaction was started inside a read snapshot".to_string(),
            )));
        }
        let attempt = || {
            let _writer = self
                .write_lock
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let conn = self.pool.get().map_err(StoreError::from)?;
            conn.execute_batch("BEGIN IMMEDIATE")
                .map_err(StoreError::from)?;
            let pinned = Arc::new(Mutex::new(conn));
            let inner = Store {
                pinned: Some(pinned.clone()),
                pinned_for_writes: true,
                ..self.clone()
            };
            let value = f(&inner);
            drop(inner);
            let conn = pinned
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let rollback = || -> std::result::Result<(), E> {
                if !conn.is_autocommit() {
                    conn.execute_batch("ROLLBACK").map_err(StoreError::from)?;
                }
                Ok(())
            };
            match value {
                Ok(value) if ending == Ending::RollBack => {
                    rollback()?;
                    Ok(value)
                }
                Ok(value) => match conn.execute_batch("COMMIT") {
                    Ok(()) => Ok(value),
                    Err(error) => {
                        rollback()?;
                        Err(E::from(StoreError::from(error)))
                    }
                },
                Err(error) => {
                    rollback()?;
                    Err(error)
                }
            }
        };
        attempt
            .retry(self.backoff())
            .sleep(std::thread::sleep)
            .when(E::is_busy)
            .notify(|_, delay| {
                self.busy_retries.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(?delay, "database busy, retrying");
            })
            .call()
    }

    /// Like `write`, then enqueues the outbox items `effects` derives from `f`'s result, in the
    /// same transaction: the decision and the messages it causes commit together or not at all.
    pub(crate) fn write_with_effects<T>(
        &self,
        now: jiff::Timestamp,
        f: impl Fn(&Connection) -> Result<T>,
        effects: Effects<'_, T>,
    ) -> Result<T> {
        self.write(|tx| {
            let value = f(tx)?;
            outbox::enqueue_all(tx, &effects(&value), now)?;
            Ok(value)
        })
    }

    /// Runs `f` with a store whose reads all see one snapshot of the database and share one
    /// connection: an answer built from several reads is consistent, and costs one read
    /// transaction instead of one per query. Writes made inside go through other connections
    /// and are not seen by the snapshot, so callers write first and read after. Nested calls
    /// join the outer snapshot.
    pub fn snapshot<T>(&self, f: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        if self.pinned.is_some() {
            return f(self);
        }
        let conn = self.pool.get()?;
        conn.execute_batch("BEGIN DEFERRED")?;
        let pinned = Arc::new(Mutex::new(conn));
        let reader = Store {
            pinned: Some(pinned.clone()),
            pinned_for_writes: false,
            ..self.clone()
        };
        let value = f(&reader);
        drop(reader);
        let conn = pinned
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Ends the read transaction, or rolls back one that an error left open.
        if !conn.is_autocommit() {
            conn.execute_batch("ROLLBACK")?;
        }
        value
    }

    /// Runs `f` with a pooled connection for reads (no transaction needed for a single query;
    /// use `read_tx` when several reads must agree). Inside a snapshot, uses its connection.
    pub(crate) fn read<T>(&self, f: impl Fn(&Connection) -> Result<T>) -> Result<T> {
        let attempt = || match &self.pinned {
            Some(pinned) => {
                let conn = pinned
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                f(&conn)
            }
            None => {
                let conn = self.pool.get()?;
                f(&conn)
            }
        };
        attempt
            .retry(self.backoff())
            .sleep(std::thread::sleep)
            .when(StoreError::is_busy)
            .call()
    }

    /// Runs `f` in one deferred (read-only) transaction, so all its reads see one snapshot.
    pub(crate) fn read_tx<T>(&self, f: impl Fn(&Connection) -> Result<T>) -> Result<T> {
        if self.pinned.is_some() {
            return self.read(f);
        }
        self.read(|conn| {
            let tx = conn.unchecked_transaction()?;
            let value = f(&tx)?;
            tx.finish()?;
            Ok(value)
        })
    }

    fn backoff(&self) -> ExponentialBuilder {
        ExponentialBuilder::default()
            .with_min_delay(self.options.retry_base)
            .with_max_delay(self.options.retry_max)
            .with_max_times(self.options.retries)
            .with_jitter()
    }
}

/// Creates a missing database file readable and writable by its owner only (0600); SQLite gives
/// its `-wal` and `-shm` files the same mode.
fn create_private(path: &Path) -> Result<()> {
    if path.exists() {
        return Ok(());
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(StoreError::CannotOpen {
            path: path.display().to_string(),
            reason: match error.kind() {
                std::io::ErrorKind::NotFound => {
                    "the file or its directory cannot be opened".to_string()
                }
                std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
                _ => error.to_string(),
            },
        }),
    }
}

fn open_connection(path: &Path, flags: OpenFlags) -> Result<Connection> {
    let conn =
        Connection::open_with_flags(path, flags).map_err(|error| StoreError::CannotOpen {
            path: path.display().to_string(),
            reason: plain_open_reason(&error),
        })?;
    // Opening is lazy: the first read tells whether the file is a database at all.
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))
        .map_err(|error| classify_open_error(path, error))?;
    Ok(conn)
}

/// SQLite's own default for `wal_autocheckpoint`, in pages.
const DEFAULT_WAL_AUTOCHECKPOINT: u32 = 1000;

/// Page cache per connection, in KiB (SQLite's default is 2 MiB). A team's database is small,
/// and with several pooled connections the default lets resident memory creep up for minutes.
const CACHE_KIB: i64 = 512;

/// Prepared statements kept per connection. rusqlite's default of 16 is fewer than the distinct
/// statements the bot's commands and notifications use, so under mixed load the cache would keep
/// evicting and parsing SQL afresh.
const STATEMENT_CACHE: usize = 64;

fn configure(conn: &Connection, options: &StoreOptions) -> rusqlite::Result<()> {
    conn.busy_timeout(options.busy_timeout)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // Plans that do not depend on bound values: without this, SQLite (built with STAT4)
    // re-prepares a cached statement whenever a parameter in a range or LIMIT is rebound.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "wal_autocheckpoint", options.wal_autocheckpoint)?;
    conn.pragma_update(None, "cache_size", -CACHE_KIB)
}

fn classify_open_error(path: &Path, error: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    let path = path.display().to_string();
    match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::NotADatabase { path },
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy,
        Some(ErrorCode::ReadOnly) => StoreError::ReadOnly,
        _ => StoreError::CannotOpen {
            reason: plain_open_reason(&error),
            path,
        },
    }
}

fn plain_open_reason(error: &rusqlite::Error) -> String {
    use rusqlite::ErrorCode;
    match error.sqlite_error_code() {
        Some(ErrorCode::CannotOpen) => "the file or its directory cannot be opened".to_string(),
        Some(ErrorCode::PermissionDenied | ErrorCode::ReadOnly) => "permission denied".to_string(),
        _ => error.to_string(),
    }
}
