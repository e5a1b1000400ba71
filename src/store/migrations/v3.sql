-- Version 2 → 3: a coverage request that names someone else first asks that person
-- (status `proposed`), each discipline says who approves a cover once they accepted
-- (`approval`), two requests may form a swap (`swap_pairs`), and a shift may be offered to
-- volunteers (`open_requests`). SQLite cannot change a CHECK constraint in place, so the overrides table is
-- rebuilt; nothing references it by foreign key.

CREATE TABLE overrides_v3 (
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

INSERT INTO overrides_v3 SELECT * FROM overrides;

DROP TABLE overrides;
ALTER TABLE overrides_v3 RENAME TO overrides;

CREATE UNIQUE INDEX overrides_one_open
    ON overrides (sprint_index, discipline, requested_by, replacement_slack_id)
    WHERE status IN ('proposed', 'pending');
CREATE UNIQUE INDEX overrides_one_approved
    ON overrides (sprint_index, discipline)
    WHERE status = 'approved';
CREATE INDEX overrides_by_status ON overrides (status, sprint_index);

ALTER TABLE disciplines ADD COLUMN approval TEXT NOT NULL DEFAULT 'admin'
    CHECK (approval IN ('admin', 'none', 'admin-if-conflict'));

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
