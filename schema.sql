-- triage-bot schema, version 7.
--
-- The single source of truth for tables. The store's migration runner applies it to an empty
-- database in one transaction and sets PRAGMA user_version; a database at an older version is
-- brought here by the steps in src/store/migrations/ (a test checks both give the same schema).
-- Instants are integer Unix seconds (UTC); calendar dates are 'YYYY-MM-DD' text in the team's
-- time zone.

-- Columns that later versions added come last, written as `ALTER TABLE … ADD COLUMN` writes
-- them, so that a migrated database and a fresh one have the same schema text. `approval`: who
-- approves a cover once the person covering accepted: `admin`, `none` (their acceptance is
-- enough) or `admin-if-conflict` (an admin only when the cover gives the person double or
-- back-to-back duty). `away_policy`: what happens when someone is away during their duty:
-- `warn` (nothing moves; the admins are alerted before an uncovered handoff) or `swap-next`
-- (the slot is exchanged with the next eligible person's next slot).
CREATE TABLE disciplines (
    key               TEXT PRIMARY KEY NOT NULL,
    name              TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    position          INTEGER NOT NULL,
    fallback_slack_id TEXT,
    usergroup_id      TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
    , approval TEXT NOT NULL DEFAULT 'admin' CHECK (approval IN ('admin', 'none', 'admin-if-conflict')), away_policy TEXT NOT NULL DEFAULT 'warn'
    CHECK (away_policy IN ('warn', 'swap-next'))) STRICT;

-- One person may serve in several disciplines, but only once in each.
CREATE TABLE members (
    id             INTEGER PRIMARY KEY,
    slack_id       TEXT NOT NULL,
    discipline     TEXT NOT NULL REFERENCES disciplines (key),
    name           TEXT NOT NULL,
    rotation_order INTEGER NOT NULL,
    active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (slack_id, discipline),
    UNIQUE (discipline, rotation_order)
) STRICT;

-- Sprints are retired, never deleted, so history stays readable.
CREATE TABLE sprints (
    id           INTEGER PRIMARY KEY,
    sprint_index INTEGER NOT NULL CHECK (sprint_index >= 0),
    name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    start_date   TEXT NOT NULL CHECK (start_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    end_date     TEXT NOT NULL CHECK (end_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    retired_at   INTEGER,
    created_at   INTEGER NOT NULL,
    CHECK (end_date >= start_date)
) STRICT;

-- At most one live sprint per index.
CREATE UNIQUE INDEX sprints_live_index ON sprints (sprint_index) WHERE retired_at IS NULL;
CREATE INDEX sprints_live_start ON sprints (start_date) WHERE retired_at IS NULL;

-- The rotation's own pick for each (sprint, discipline), recorded when the sprint begins so that
-- a started sprint's assignment never changes. Overrides are applied on top of it.
CREATE TABLE rotation_turns (
    sprint_index INTEGER NOT NULL,
    discipline   TEXT NOT NULL REFERENCES disciplines (key),
    slack_id     TEXT,
    source       TEXT NOT NULL CHECK (source IN ('rotation', 'fallback', 'none')),
    recorded_at  INTEGER NOT NULL,
    PRIMARY KEY (sprint_index, discipline)
) STRICT;

-- What the rotation did to reach a started sprint's pick under `double-duty = avoid`, recorded
-- with the turn and never changed: `passed_over`, a member of the discipline skipped because
-- they would have had double or back-to-back duty (owed a turn from then on), or `owed_turn`, the
-- picked person taking a turn owed to them. At most one row per person in a sprint's slot.
-- Sprints recorded before version 7 have none.
CREATE TABLE rotation_skips (
    sprint_index INTEGER NOT NULL,
    discipline   TEXT NOT NULL REFERENCES disciplines (key),
    slack_id     TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('passed_over', 'owed_turn')),
    recorded_at  INTEGER NOT NULL,
    PRIMARY KEY (sprint_index, discipline, slack_id)
) STRICT;

-- What was last applied and announced, one row per discipline. Written only by upsert.
CREATE TABLE current_state (
    discipline   TEXT PRIMARY KEY NOT NULL REFERENCES disciplines (key),
    sprint_index INTEGER,
    slack_id     TEXT,
    updated_at   INTEGER NOT NULL
) STRICT;

-- A coverage request and its lifecycle (see domain::request): pending → approved / declined /
-- cancelled / superseded / expired; approved → revoked. `reason` is the requester's;
-- `decision_reason` belongs to the decision out of pending, `revoke_reason` to a revocation.
CREATE TABLE overrides (
    id                   INTEGER PRIMARY KEY,
    sprint_index         INTEGER NOT NULL CHECK (sprint_index >= 0),
    discipline           TEXT NOT NULL REFERENCES disciplines (key),
    original_slack_id    TEXT,
    replacement_slack_id TEXT NOT NULL,
    requested_by         TEXT NOT NULL,
    status               TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('proposed', 'pending', 'approved', 'declined', 'cancelled',
                          'superseded', 'expired', 'revoked')),
    decided_by           TEXT,
    decided_at           INTEGER,
    reason               TEXT,
    created_at           INTEGER NOT NULL,
    decision_reason      TEXT,
    revoked_by           TEXT,
    revoked_at           INTEGER,
    revoke_reason        TEXT
) STRICT;

-- At most one open request (proposed or pending) per (sprint, discipline, requester,
-- replacement) ...
CREATE UNIQUE INDEX overrides_one_open
    ON overrides (sprint_index, discipline, requested_by, replacement_slack_id)
    WHERE status IN ('proposed', 'pending');
-- ... and at most one approved override per slot.
CREATE UNIQUE INDEX overrides_one_approved
    ON overrides (sprint_index, discipline)
    WHERE status = 'approved';
CREATE INDEX overrides_by_status ON overrides (status, sprint_index);

-- Two requests that form a swap: each person covers the other's shift. Both halves move
-- together (accepted, approved, declined, cancelled, revoked or closed as one).
CREATE TABLE swap_pairs (
    first_id   INTEGER NOT NULL UNIQUE REFERENCES overrides (id),
    second_id  INTEGER NOT NULL UNIQUE REFERENCES overrides (id),
    created_at INTEGER NOT NULL,
    CHECK (first_id < second_id)
) STRICT;

-- A shift offered to volunteers: the first eligible person to take it becomes the replacement
-- of a coverage request (`override_id`) that goes on like any other.
CREATE TABLE open_requests (
    id                INTEGER PRIMARY KEY,
    sprint_index      INTEGER NOT NULL CHECK (sprint_index >= 0),
    discipline        TEXT NOT NULL REFERENCES disciplines (key),
    original_slack_id TEXT,
    requested_by      TEXT NOT NULL,
    reason            TEXT,
    status            TEXT NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'taken', 'cancelled', 'expired')),
    taken_by          TEXT,
    override_id       INTEGER REFERENCES overrides (id),
    created_at        INTEGER NOT NULL,
    closed_at         INTEGER
) STRICT;
-- At most one open offer per slot.
CREATE UNIQUE INDEX open_requests_one_per_slot
    ON open_requests (sprint_index, discipline)
    WHERE status = 'open';

-- Append-only: rows are written in the same transaction as the change they record.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    before_json TEXT CHECK (before_json IS NULL OR json_valid(before_json)),
    after_json  TEXT CHECK (after_json IS NULL OR json_valid(after_json)),
    reason      TEXT
) STRICT;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TABLE admins (
    slack_id TEXT PRIMARY KEY NOT NULL,
    added_by TEXT NOT NULL,
    added_at INTEGER NOT NULL
) STRICT;

-- Slack event ids already handled, so a redelivered event has no second effect.
CREATE TABLE processed_events (
    event_id     TEXT PRIMARY KEY NOT NULL,
    processed_at INTEGER NOT NULL
) STRICT;
CREATE INDEX processed_events_by_time ON processed_events (processed_at);

-- Durable queue of side effects towards Slack. The idempotency key makes enqueueing the same
-- effect twice a no-op.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL CHECK (json_valid(payload)),
    status          TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sent', 'failed', 'dropped')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    -- A message not delivered by then is dropped (a heads-up whose moment has passed).
    expires_at      INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
) STRICT;
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';

-- Messages the bot posted and may edit later (the admin-channel copy of a coverage request),
-- keyed by the outbox idempotency key of the post.
CREATE TABLE slack_messages (
    message_key TEXT PRIMARY KEY NOT NULL,
    channel     TEXT NOT NULL,
    ts          TEXT NOT NULL,
    posted_at   INTEGER NOT NULL
) STRICT;

-- Persistent Slack problems (a user group the bot may not edit, say), so each distinct problem
-- is reported to the admins once and not every cycle.
CREATE TABLE reported_problems (
    problem_key TEXT PRIMARY KEY NOT NULL,
    detail      TEXT NOT NULL,
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    resolved_at INTEGER
) STRICT;

-- The team's sprint cadence, when it declared one: the bot keeps sprints of `days` days, named
-- by `name_pattern`, planned at least `horizon_days` ahead of now, continuing from `start_date`.
CREATE TABLE cadence (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    start_date   TEXT NOT NULL CHECK (start_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    days         INTEGER NOT NULL CHECK (days BETWEEN 1 AND 366),
    name_pattern TEXT NOT NULL CHECK (length(name_pattern) BETWEEN 1 AND 80),
    horizon_days INTEGER NOT NULL CHECK (horizon_days BETWEEN 1 AND 3660),
    updated_at   INTEGER NOT NULL
) STRICT;

-- Change-impact notices: a window opens at the first change that moves someone's upcoming duty
-- and keeps who was on duty in the coming sprints just before it (`baseline`, JSON); when it
-- closes, each person whose upcoming duties differ gets one DM with the net effect. At most one
-- window is open. `impact_told` holds, for the open window, the slots a decision on a coverage
-- request told a person about (its DM said it already), left out of that window's notices.
CREATE TABLE impact_windows (
    id        INTEGER PRIMARY KEY,
    opened_at INTEGER NOT NULL,
    opened_by TEXT NOT NULL,
    baseline  TEXT NOT NULL CHECK (json_valid(baseline)),
    closed_at INTEGER,
    notified  INTEGER CHECK (notified IS NULL OR notified >= 0)
) STRICT;
CREATE UNIQUE INDEX impact_windows_one_open ON impact_windows ((closed_at IS NULL))
    WHERE closed_at IS NULL;

CREATE TABLE impact_told (
    window_id    INTEGER NOT NULL REFERENCES impact_windows (id),
    sprint_index INTEGER NOT NULL,
    discipline   TEXT NOT NULL REFERENCES disciplines (key),
    slack_id     TEXT NOT NULL,
    PRIMARY KEY (window_id, sprint_index, discipline, slack_id)
) STRICT;

-- Days a person is away, first and last day inclusive, in the team's zone. A person may have
-- several windows, never two that share a day. Removed windows are kept, marked removed.
CREATE TABLE away_windows (
    id         INTEGER PRIMARY KEY,
    slack_id   TEXT NOT NULL,
    from_date  TEXT NOT NULL CHECK (from_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    to_date    TEXT NOT NULL CHECK (to_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    reason     TEXT,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    removed_by TEXT,
    removed_at INTEGER,
    CHECK (to_date >= from_date)
) STRICT;

CREATE INDEX away_windows_by_person ON away_windows (slack_id, to_date) WHERE removed_at IS NULL;
CREATE INDEX away_windows_by_end ON away_windows (to_date) WHERE removed_at IS NULL;

-- A roster change scheduled for a date: a person joins or leaves a discipline's rotation at the
-- first handoff on or after `effective_date` (applied when that sprint's turns are recorded).
-- At most one pending change per person and discipline.
CREATE TABLE roster_changes (
    id             INTEGER PRIMARY KEY,
    slack_id       TEXT NOT NULL,
    discipline     TEXT NOT NULL REFERENCES disciplines (key),
    change         TEXT NOT NULL CHECK (change IN ('join', 'leave')),
    effective_date TEXT NOT NULL
        CHECK (effective_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    name           TEXT CHECK (name IS NULL OR length(name) BETWEEN 1 AND 80),
    status         TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'applied', 'cancelled')),
    created_by     TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    settled_by     TEXT,
    settled_at     INTEGER,
    applied_sprint INTEGER
) STRICT;

CREATE UNIQUE INDEX roster_changes_one_pending
    ON roster_changes (slack_id, discipline) WHERE status = 'pending';
CREATE INDEX roster_changes_by_status ON roster_changes (status, effective_date);

-- A handoff note: what the person on duty in `discipline` during sprint `sprint_index` hands
-- over to whoever takes over at the next handoff. One per sprint and discipline (a new note
-- replaces the old one).
CREATE TABLE handoff_notes (
    sprint_index INTEGER NOT NULL,
    discipline   TEXT NOT NULL REFERENCES disciplines (key),
    slack_id     TEXT NOT NULL,
    text         TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (sprint_index, discipline)
) STRICT;

-- A calendar feed: `subject` is `team` or a person's Slack id, whose duties the feed lists. The
-- feed's address carries a random token; only its SHA-256 (lowercase hex) is kept, so the
-- database never holds the address. A new token replaces the old one, which stops working.
CREATE TABLE calendar_feeds (
    subject      TEXT PRIMARY KEY NOT NULL
        CHECK (subject = 'team' OR subject GLOB '[UW][A-Z0-9]*'),
    token_sha256 TEXT NOT NULL UNIQUE
        CHECK (length(token_sha256) = 64 AND token_sha256 NOT GLOB '*[^0-9a-f]*'),
    created_at   INTEGER NOT NULL,
    created_by   TEXT NOT NULL
) STRICT;
