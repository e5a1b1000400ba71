-- Version 1 → 2: coverage requests get their full lifecycle (statuses `expired` and `revoked`,
-- and a reason per decision, so a decision no longer overwrites the requester's reason), and the
-- team may declare a sprint cadence. SQLite cannot change a CHECK constraint in place, so the
-- overrides table is rebuilt; nothing references it by foreign key.

CREATE TABLE overrides_v2 (
    id                   INTEGER PRIMARY KEY,
    sprint_index         INTEGER NOT NULL CHECK (sprint_index >= 0),
    discipline           TEXT NOT NULL REFERENCES disciplines (key),
    original_slack_id    TEXT,
    replacement_slack_id TEXT NOT NULL,
    requested_by         TEXT NOT NULL,
    status               TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'approved', 'declined', 'cancelled', 'superseded',
                          'expired', 'revoked')),
    decided_by           TEXT,
    decided_at           INTEGER,
    reason               TEXT,
    created_at           INTEGER NOT NULL,
    decision_reason      TEXT,
    revoked_by           TEXT,
    revoked_at           INTEGER,
    revoke_reason        TEXT
) STRICT;

INSERT INTO overrides_v2 (id, sprint_index, discipline, original_slack_id, replacement_slack_id,
                          requested_by, status, decided_by, decided_at, reason, created_at)
SELECT id, sprint_index, discipline, original_slack_id, replacement_slack_id, requested_by,
       status, decided_by, decided_at, reason, created_at
FROM overrides;

DROP TABLE overrides;
ALTER TABLE overrides_v2 RENAME TO overrides;

CREATE UNIQUE INDEX overrides_one_pending
    ON overrides (sprint_index, discipline, requested_by, replacement_slack_id)
    WHERE status = 'pending';
CREATE UNIQUE INDEX overrides_one_approved
    ON overrides (sprint_index, discipline)
    WHERE status = 'approved';
CREATE INDEX overrides_by_status ON overrides (status, sprint_index);

CREATE TABLE cadence (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    start_date   TEXT NOT NULL CHECK (start_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    days         INTEGER NOT NULL CHECK (days BETWEEN 1 AND 366),
    name_pattern TEXT NOT NULL CHECK (length(name_pattern) BETWEEN 1 AND 80),
    horizon_days INTEGER NOT NULL CHECK (horizon_days BETWEEN 1 AND 3660),
    updated_at   INTEGER NOT NULL
) STRICT;
