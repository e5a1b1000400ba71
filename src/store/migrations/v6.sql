-- Version 5 → 6: calendar feeds. One private feed address per person and one for the team; the
-- address's token is kept only as its SHA-256, never in plain text.

CREATE TABLE calendar_feeds (
    subject      TEXT PRIMARY KEY NOT NULL
        CHECK (subject = 'team' OR subject GLOB '[UW][A-Z0-9]*'),
    token_sha256 TEXT NOT NULL UNIQUE
        CHECK (length(token_sha256) = 64 AND token_sha256 NOT GLOB '*[^0-9a-f]*'),
    created_at   INTEGER NOT NULL,
    created_by   TEXT NOT NULL
) STRICT;
