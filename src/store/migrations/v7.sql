-- Version 6 → 7: rotation skips. Under `double-duty = avoid`, what the rotation did to reach a
-- started sprint's pick is recorded with its turn: each member it passed over, and the picked
-- person when they took a turn owed to them. Sprints recorded before this version have none.

CREATE TABLE rotation_skips (
    sprint_index INTEGER NOT NULL,
    discipline   TEXT NOT NULL REFERENCES disciplines (key),
    slack_id     TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('passed_over', 'owed_turn')),
    recorded_at  INTEGER NOT NULL,
    PRIMARY KEY (sprint_index, discipline, slack_id)
) STRICT;
