-- Consult: consultations with their guiding questions and vote statements, submissions (answers, attachments),
-- votes, the moderation log, synthesis reports and anonymous incident reports.
-- Originals (answers as written, submitter's contact) are kept for moderators only; every public output reads the
-- redacted columns of published submissions.

CREATE TABLE consult_consultations (
    id              INTEGER PRIMARY KEY,
    slug            TEXT    NOT NULL UNIQUE,
    title           TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    languages       TEXT    NOT NULL DEFAULT '["en"]',     -- JSON list of ISO 639-1 codes
    phase           TEXT    NOT NULL DEFAULT 'draft' CHECK (phase IN ('draft', 'open', 'closed', 'published')),
    dates           TEXT    NOT NULL DEFAULT '{}',         -- JSON {phase: ISO date}
    submitter_types TEXT    NOT NULL DEFAULT '["organisation","city","individual","anonymous"]',
    consent_text    TEXT    NOT NULL DEFAULT '',
    access          TEXT    NOT NULL DEFAULT 'public' CHECK (access IN ('public', 'link', 'signed_in')),
    invite_token    TEXT    NOT NULL,
    moderation      TEXT    NOT NULL DEFAULT 'post' CHECK (moderation IN ('pre', 'post')),
    report_limit    INTEGER NOT NULL DEFAULT 3,            -- publish-then-hide: hidden after this many reports
    retention_days  INTEGER NOT NULL DEFAULT 730,
    created_by      TEXT    NOT NULL,
    created_at      TEXT    NOT NULL
);

CREATE TABLE consult_questions (
    id              INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consult_consultations (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('text', 'choice', 'scale', 'procon', 'statements')),
    prompt          TEXT    NOT NULL,
    options         TEXT    NOT NULL DEFAULT '[]',         -- JSON: choices, or [low, high] of a scale
    required        INTEGER NOT NULL DEFAULT 0,
    UNIQUE (consultation_id, seq)
);

CREATE TABLE consult_statements (
    id              INTEGER PRIMARY KEY,
    question_id     INTEGER NOT NULL REFERENCES consult_questions (id) ON DELETE CASCADE,
    text            TEXT    NOT NULL,
    author          TEXT    NOT NULL DEFAULT '',
    moderated       INTEGER NOT NULL DEFAULT 1 CHECK (moderated IN (-1, 0, 1)),   -- Pol.is: -1 out, 1 in
    created_at      TEXT    NOT NULL
);

CREATE TABLE consult_submissions (
    id              INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consult_consultations (id) ON DELETE CASCADE,
    receipt         TEXT    NOT NULL UNIQUE,               -- the submitter's key to their draft and receipt
    status          TEXT    NOT NULL DEFAULT 'draft'
                    CHECK (status IN ('draft', 'pending', 'published', 'hidden', 'rejected')),
    submitter_type  TEXT    NOT NULL CHECK (submitter_type IN ('organisation', 'city', 'individual', 'anonymous')),
    organisation    TEXT    NOT NULL DEFAULT '',
    org_type        TEXT    NOT NULL DEFAULT '',
    country         TEXT    NOT NULL DEFAULT '',           -- ISO 3166 alpha-2 or a region name
    city            TEXT    NOT NULL DEFAULT '',
    contact_name    TEXT    NOT NULL DEFAULT '',           -- private: moderators only
    contact_email   TEXT    NOT NULL DEFAULT '',           -- private: moderators only
    account         TEXT    NOT NULL DEFAULT '',           -- private: the signed-in user who answered
    consent         INTEGER NOT NULL DEFAULT 0,
    language        TEXT    NOT NULL DEFAULT '',
    source          TEXT    NOT NULL DEFAULT 'web',        -- web, import:<file>, api
    reports         INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT    NOT NULL,
    submitted_at    TEXT
);
CREATE INDEX consult_submissions_by_status ON consult_submissions (consultation_id, status);

CREATE TABLE consult_answers (
    submission_id   INTEGER NOT NULL REFERENCES consult_submissions (id) ON DELETE CASCADE,
    question_id     INTEGER NOT NULL REFERENCES consult_questions (id) ON DELETE CASCADE,
    original        TEXT    NOT NULL DEFAULT '',           -- as written: moderators only
    redacted        TEXT    NOT NULL DEFAULT '',           -- personal data replaced: every public output
    value           TEXT    NOT NULL DEFAULT 'null',       -- JSON: a choice, a scale point, {"pro": [...], "con": [...]}
    PRIMARY KEY (submission_id, question_id)
);

CREATE TABLE consult_attachments (
    id              INTEGER PRIMARY KEY,
    submission_id   INTEGER NOT NULL REFERENCES consult_submissions (id) ON DELETE CASCADE,
    filename        TEXT    NOT NULL,
    content_type    TEXT    NOT NULL,
    size            INTEGER NOT NULL,
    original        TEXT    NOT NULL DEFAULT '',
    redacted        TEXT    NOT NULL DEFAULT ''
);

CREATE TABLE consult_votes (
    statement_id    INTEGER NOT NULL REFERENCES consult_statements (id) ON DELETE CASCADE,
    participant     TEXT    NOT NULL,
    value           INTEGER NOT NULL CHECK (value IN (-1, 0, 1)),
    submission_id   INTEGER REFERENCES consult_submissions (id) ON DELETE CASCADE,
    created_at      TEXT    NOT NULL,
    PRIMARY KEY (statement_id, participant)
);
CREATE INDEX consult_votes_by_submission ON consult_votes (submission_id);

-- Append-only log of moderation: approve, hide, reject, restore, report, note, delete.
CREATE TABLE consult_moderation (
    id              INTEGER PRIMARY KEY,
    submission_id   INTEGER NOT NULL,
    action          TEXT    NOT NULL,
    note            TEXT    NOT NULL DEFAULT '',
    actor           TEXT    NOT NULL,
    at              TEXT    NOT NULL
);
CREATE INDEX consult_moderation_by_submission ON consult_moderation (submission_id);

CREATE TABLE consult_reports (
    consultation_id INTEGER PRIMARY KEY REFERENCES consult_consultations (id) ON DELETE CASCADE,
    body            TEXT    NOT NULL,                      -- JSON report (sections, sentences with their sources)
    edited          INTEGER NOT NULL DEFAULT 0,
    updated_by      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
);

-- Incidents: nothing identifying (no IP, no account, no exact time): the month is the finest date kept.
CREATE TABLE consult_incidents (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL,
    target_group    TEXT    NOT NULL DEFAULT '',
    city            TEXT    NOT NULL DEFAULT '',
    country         TEXT    NOT NULL DEFAULT '',
    month           TEXT    NOT NULL,                      -- YYYY-MM of the incident
    description     TEXT    NOT NULL DEFAULT '',           -- redacted
    evidence        TEXT    NOT NULL DEFAULT '',           -- redacted text of the evidence file
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
    received_month  TEXT    NOT NULL
);
CREATE INDEX consult_incidents_by_status ON consult_incidents (status, month);
