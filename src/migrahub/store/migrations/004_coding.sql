-- Coding: codebooks, codes, coders, and the append-only log of coding actions from which the current codings are
-- derived. A coding is (a character span of a document — often exactly a passage — a code, a coder, a time, an
-- optional memo). Spans are code-point offsets into documents.text, end exclusive.

CREATE TABLE codebooks (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    version     TEXT,
    language    TEXT,
    origin      TEXT,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);

CREATE TABLE codes (
    codebook_id INTEGER NOT NULL REFERENCES codebooks (id),
    code_id     TEXT    NOT NULL,                 -- 'GOV.MLG', or a GUID for codes imported from other tools
    guid        TEXT    NOT NULL,                 -- REFI-QDA GUID (uuid5 of code_id for MigraHub codes)
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    colour      TEXT,                             -- '#RRGGBB'
    parent_id   TEXT,                             -- code_id of the parent code, NULL at the top
    codable     INTEGER NOT NULL DEFAULT 1,
    position    INTEGER NOT NULL,                 -- depth-first order in the codebook
    PRIMARY KEY (codebook_id, code_id)
);

CREATE TABLE coders (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,          -- a person's user name, or a machine coder's versioned name
    kind        TEXT    NOT NULL CHECK (kind IN ('person', 'machine')),
    guid        TEXT    NOT NULL UNIQUE,          -- REFI-QDA User GUID
    created_at  TEXT    NOT NULL
);

-- Append-only: a change of mind is a new row.
--   add     coder applies code to span (machine coders: a suggestion, with confidence)
--   remove  coder withdraws their own earlier add/accept
--   accept  a person confirms a machine suggestion (about_coder_id = the machine): the person now applies the code
--   reject  a person turns a machine suggestion down (about_coder_id = the machine)
--   memo    a note on the span (code_id optional); changes no coding
CREATE TABLE coding_actions (
    id             INTEGER PRIMARY KEY,
    codebook_id    INTEGER NOT NULL REFERENCES codebooks (id),
    document_id    INTEGER NOT NULL REFERENCES documents (id),
    start          INTEGER NOT NULL,
    "end"          INTEGER NOT NULL,
    passage_id     INTEGER REFERENCES passages (id),  -- the passage the span is, when it is exactly one
    code_id        TEXT,
    coder_id       INTEGER NOT NULL REFERENCES coders (id),
    action         TEXT    NOT NULL CHECK (action IN ('add', 'remove', 'accept', 'reject', 'memo')),
    about_coder_id INTEGER REFERENCES coders (id),
    confidence     REAL    CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1)),
    memo           TEXT,
    at             TEXT    NOT NULL,
    CHECK (start >= 0 AND "end" > start),
    CHECK (action = 'memo' OR code_id IS NOT NULL),
    CHECK (action <> 'memo' OR memo IS NOT NULL),
    CHECK ((action IN ('accept', 'reject')) = (about_coder_id IS NOT NULL))
);
CREATE INDEX coding_actions_span ON coding_actions (document_id, start, "end", code_id, coder_id, id);
CREATE INDEX coding_actions_coder ON coding_actions (coder_id, id);
CREATE INDEX coding_actions_codebook ON coding_actions (codebook_id, code_id);

CREATE TRIGGER coding_actions_no_update BEFORE UPDATE ON coding_actions
BEGIN SELECT RAISE(ABORT, 'coding_actions is append-only'); END;
CREATE TRIGGER coding_actions_no_delete BEFORE DELETE ON coding_actions
BEGIN SELECT RAISE(ABORT, 'coding_actions is append-only'); END;

-- The state of each (span, code, coder): the coder's latest add/remove/accept/reject decides.
CREATE VIEW coding_state AS
SELECT codebook_id, document_id, start, "end", passage_id, code_id, coder_id, action, confidence, at, id AS action_id
FROM (
    SELECT a.*,
           ROW_NUMBER() OVER (PARTITION BY codebook_id, document_id, start, "end", code_id, coder_id
                              ORDER BY id DESC) AS rn
    FROM coding_actions a
    WHERE action IN ('add', 'remove', 'accept', 'reject')
) latest
WHERE rn = 1;

-- Current codings: codes applied now, by whom. A machine's add is 'suggested' until a person accepts it (then the
-- person's 'applied' row appears) or rejects it (then it disappears from here).
CREATE VIEW current_codings AS
SELECT s.codebook_id, s.document_id, s.start, s."end", s.passage_id, s.code_id, s.coder_id, c.name AS coder,
       c.kind AS coder_kind, CASE WHEN c.kind = 'machine' THEN 'suggested' ELSE 'applied' END AS status,
       s.confidence, s.at AS since
FROM coding_state s
JOIN coders c ON c.id = s.coder_id
WHERE s.action IN ('add', 'accept')
  AND NOT (c.kind = 'machine' AND EXISTS (
        SELECT 1 FROM coding_actions d
        WHERE d.codebook_id = s.codebook_id AND d.document_id = s.document_id AND d.start = s.start
          AND d."end" = s."end" AND d.code_id = s.code_id AND d.about_coder_id = s.coder_id
          AND d.action IN ('accept', 'reject') AND d.id > s.action_id));

CREATE VIEW coding_memos AS
SELECT a.codebook_id, a.document_id, a.start, a."end", a.passage_id, a.code_id, c.name AS coder, a.memo, a.at
FROM coding_actions a JOIN coders c ON c.id = a.coder_id
WHERE a.action = 'memo';
