-- Version 4 → 5: handoff notes. The person on duty leaves one note per sprint and discipline
-- for whoever takes over; the handoff posts it and puts it in the incoming person's DM.

CREATE TABLE handoff_notes (
    sprint_index INTEGER NOT NULL,
    discipline   TEXT NOT NULL REFERENCES disciplines (key),
    slack_id     TEXT NOT NULL,
    text         TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (sprint_index, discipline)
) STRICT;
