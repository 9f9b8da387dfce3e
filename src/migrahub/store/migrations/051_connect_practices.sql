-- Curated practice records: submitted by cities and organisations or promoted from extracted practices, reviewed by
-- curators (draft → submitted → published). Every save is a version; comments are the review's conversation.
CREATE TABLE practice_records (
    id              INTEGER PRIMARY KEY,
    state           TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'published')),
    title           TEXT NOT NULL,
    data            TEXT NOT NULL,            -- JSON: the PracticeRecord
    city_id         INTEGER REFERENCES entities(id),
    country         TEXT,
    year            INTEGER,                  -- the period's start
    owner           TEXT NOT NULL,            -- the user who created it
    extracted_from  INTEGER REFERENCES entities(id),
    version         INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    published_at    TEXT
);
CREATE INDEX practice_records_state ON practice_records(state, city_id);

CREATE TABLE practice_versions (
    record_id       INTEGER NOT NULL REFERENCES practice_records(id),
    version         INTEGER NOT NULL,
    state           TEXT NOT NULL,
    data            TEXT NOT NULL,
    actor           TEXT NOT NULL,
    action          TEXT NOT NULL,            -- create | edit | submit | publish | return | withdraw
    at              TEXT NOT NULL,
    PRIMARY KEY (record_id, version)
);

CREATE TABLE practice_comments (
    id              INTEGER PRIMARY KEY,
    record_id       INTEGER NOT NULL REFERENCES practice_records(id),
    actor           TEXT NOT NULL,
    text            TEXT NOT NULL,
    at              TEXT NOT NULL
);
CREATE INDEX practice_comments_record ON practice_comments(record_id);
