-- Monitor: watched feeds and pages, their schedule and health, every poll, and when each document arrived.
-- Times are epoch seconds (REAL) of the scheduler's clock.

CREATE TABLE monitor_watches (
    id                    INTEGER PRIMARY KEY,
    url                   TEXT NOT NULL UNIQUE,
    kind                  TEXT NOT NULL DEFAULT 'auto',  -- auto | feed | page (auto: what the first answer is)
    title                 TEXT,
    interval_s            INTEGER NOT NULL,              -- the interval asked for (the longest between two polls)
    current_s             INTEGER NOT NULL,              -- the adaptive interval now (shorter for active sources)
    paused                INTEGER NOT NULL DEFAULT 0,
    status                TEXT NOT NULL DEFAULT 'new',   -- new | ok | failing
    next_due              REAL NOT NULL,
    last_poll             REAL,
    last_success          REAL,
    consecutive_failures  INTEGER NOT NULL DEFAULT 0,
    last_error            TEXT,
    etag                  TEXT,
    last_modified         TEXT,
    added_at              REAL NOT NULL,
    added_by              TEXT
);
CREATE INDEX monitor_watches_due ON monitor_watches(paused, next_due);

CREATE TABLE monitor_polls (
    id            INTEGER PRIMARY KEY,
    watch_id      INTEGER NOT NULL REFERENCES monitor_watches(id) ON DELETE CASCADE,
    at            REAL NOT NULL,
    outcome       TEXT NOT NULL,                  -- ok | not-modified | failed
    http_status   INTEGER,
    new_items     INTEGER NOT NULL DEFAULT 0,
    seconds       REAL,
    error         TEXT
);
CREATE INDEX monitor_polls_watch ON monitor_polls(watch_id, at);

CREATE TABLE monitor_arrivals (
    watch_id      INTEGER NOT NULL REFERENCES monitor_watches(id) ON DELETE CASCADE,
    document_id   INTEGER NOT NULL REFERENCES documents(id),
    arrived       REAL NOT NULL,
    published     REAL,                           -- the item's publication time, when it states one
    PRIMARY KEY (watch_id, document_id)
) WITHOUT ROWID;
CREATE INDEX monitor_arrivals_document ON monitor_arrivals(document_id);
