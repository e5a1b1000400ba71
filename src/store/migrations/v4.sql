-- Version 3 → 4: the schedule knows about absences. People record the days they are away
-- (`away_windows`, removed ones kept for history); each discipline chooses what happens when
-- someone is away during their duty (`disciplines.away_policy`); and roster changes can be
-- scheduled for a date (`roster_changes`), taking effect at the first handoff on or after it.

ALTER TABLE disciplines ADD COLUMN away_policy TEXT NOT NULL DEFAULT 'warn'
    CHECK (away_policy IN ('warn', 'swap-next'));

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
