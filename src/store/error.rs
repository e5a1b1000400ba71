//! Typed store errors. Callers branch on these; none of them carries raw SQLite text in its
//! message (the underlying error is kept as a `source` for logs only).

use crate::domain::{DisciplineKey, OverrideStatus, SlackUserId, SprintIndex};

/// Something the store could not do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file exists but is not a SQLite database (or is encrypted or corrupt).
    #[error("{path} is not a triage-bot database (not a SQLite file)")]
    NotADatabase { path: String },
    /// The file or its directory cannot be opened or created.
    #[error("cannot open database {path}: {reason}")]
    CannotOpen { path: String, reason: String },
    /// The database was written by a newer triage-bot.
    #[error(
        "database {path} has schema version {found}, but this triage-bot supports up to {supported}; upgrade triage-bot"
    )]
    TooNew {
        path: String,
        found: i64,
        supported: i64,
    },
    /// A migration step failed and was rolled back.
    #[error("migration to schema version {version} failed and was rolled back: {reason}")]
    MigrationFailed { version: i64, reason: String },
    /// The database can be read but not written: the file or its directory is not writable by
    /// this process (or the file system is mounted read-only).
    #[error(
        "the database is read-only: check the permissions of the database file and of its directory (triage-bot must write the file and create its -wal and -shm files beside it)"
    )]
    ReadOnly,
    /// Another writer held the database for longer than the retry budget.
    #[error("the database is busy (another process is writing); nothing was changed, try again")]
    Busy,
    /// The discipline key names no discipline.
    #[error("unknown discipline `{0}`")]
    UnknownDiscipline(DisciplineKey),
    /// The person is not listed in the discipline.
    #[error("{slack_id} is not a member of {discipline}")]
    NotAMember {
        slack_id: SlackUserId,
        discipline: DisciplineKey,
    },
    /// No live sprint has this index.
    #[error("sprint {0} does not exist")]
    UnknownSprint(SprintIndex),
    /// A live sprint with this index exists with different details.
    #[error("sprint {0} already exists with different dates or name")]
    SprintExists(SprintIndex),
    /// The new sprint's dates are not after its neighbours'.
    #[error("{0}")]
    SprintOrder(String),
    /// The new sprint's days overlap a live sprint's days by more than a shared boundary day.
    #[error("{0}")]
    SprintOverlap(String),
    /// The end date is before the start date.
    #[error("a sprint cannot end ({end}) before it starts ({start})")]
    SprintDates { start: String, end: String },
    /// A change to the sprint plan breaks a rule (a started sprint, an overlap, …).
    #[error(transparent)]
    Plan(#[from] crate::domain::plan::PlanError),
    /// No override has this id.
    #[error("request #{0} does not exist")]
    UnknownOverride(i64),
    /// No offer to volunteers has this id.
    #[error("offer #{0} does not exist")]
    UnknownOffer(i64),
    /// The override was already decided, so it cannot be decided again.
    #[error("override {id} is already {status}")]
    OverrideNotPending { id: i64, status: OverrideStatus },
    /// Removing this admin would leave nobody (in the table or the configuration) an admin.
    #[error("{0} is the last admin; add another admin first")]
    LastAdmin(SlackUserId),
    /// No absence (not removed) has this id.
    #[error("absence #{0} does not exist")]
    UnknownAway(i64),
    /// The person is not listed in any discipline.
    #[error("{0} is not a member of any discipline")]
    UnknownPerson(SlackUserId),
    /// An absence breaks a rule (ends before it starts, overlaps another of the person's, …).
    #[error(transparent)]
    Away(#[from] crate::domain::away::AwayError),
    /// No pending dated roster change has this id.
    #[error("scheduled change #{0} does not exist or is no longer pending")]
    UnknownRosterChange(i64),
    /// A dated roster change breaks a rule (a date in the past, a joiner already active, …).
    #[error(transparent)]
    RosterChange(#[from] crate::domain::roster_change::RosterChangeError),
    /// A name (of a member, a discipline or a sprint) is empty, too long or holds a control
    /// character.
    #[error(transparent)]
    Name(#[from] crate::domain::NameError),
    /// A value broke a rule the schema enforces; the text names the rule, not SQLite's words.
    #[error("{0}")]
    Invalid(String),
    /// An unexpected SQLite or pool failure. The message stays generic; the source has details.
    #[error("internal database error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    /// Whether the error is the busy/locked kind that a retry may cure.
    pub fn is_busy(&self) -> bool {
        matches!(self, StoreError::Busy)
    }

    /// Whether the error comes from the caller's input (exit status 2) rather than the system.
    pub fn is_user_error(&self) -> bool {
        !matches!(
            self,
            StoreError::Busy
                | StoreError::ReadOnly
                | StoreError::Internal(_)
                | StoreError::CannotOpen { .. }
                | StoreError::NotADatabase { .. }
                | StoreError::TooNew { .. }
                | StoreError::MigrationFailed { .. }
        )
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> StoreError {
        use rusqlite::ErrorCode;
        match error.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy,
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly,
            _ => StoreError::Internal(Box::new(error)),
        }
    }
}

impl From<r2d2::Error> for StoreError {
    fn from(error: r2d2::Error) -> StoreError {
        StoreError::Internal(Box::new(error))
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
