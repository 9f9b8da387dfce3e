-- Core schema: sources, documents (one row per distinct content), the links between them, passages and their
-- full-text index, ingest runs, failures, and the append-only log of user actions.
-- Plain SQL; the FTS5 table is the only SQLite-specific object and lives in 002_search_sqlite.sql.

CREATE TABLE sources (
    id              INTEGER PRIMARY KEY,
    locator         TEXT NOT NULL UNIQUE,      -- file path or URL
    kind            TEXT NOT NULL,             -- file | feed | page | opml
    etag            TEXT,
    last_modified   TEXT,
    fetched_at      TEXT,
    status          TEXT NOT NULL DEFAULT 'new', -- ok | not-modified | failed
    error           TEXT,
    item_count      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE documents (
    id              INTEGER PRIMARY KEY,
    content_hash    TEXT NOT NULL UNIQUE,      -- sha256 of the normalised text
    text            TEXT NOT NULL,             -- NFC text; every offset in the hub indexes it in code points
    title           TEXT,
    published       TEXT,                      -- ISO 8601, as precise as known
    language        TEXT,
    content_type    TEXT NOT NULL,
    source_kind     TEXT NOT NULL,
    doc_type        TEXT NOT NULL,             -- txt | md | html | pdf | docx | feed-item | page
    author          TEXT,
    url             TEXT,
    summary         TEXT,
    fingerprint     BLOB NOT NULL,             -- MinHash signature (empty for very short texts)
    story_id        INTEGER REFERENCES documents(id),  -- first document of its near-duplicate group
    supersedes_id   INTEGER REFERENCES documents(id),  -- older version at the same locator
    superseded      INTEGER NOT NULL DEFAULT 0,        -- 1 once a newer version replaced it everywhere
    provenance      TEXT NOT NULL,             -- JSON list of versioned stage names
    created_at      TEXT NOT NULL
);
CREATE INDEX documents_story ON documents(story_id);
CREATE INDEX documents_supersedes ON documents(supersedes_id);
CREATE INDEX documents_url ON documents(url);
CREATE INDEX documents_published ON documents(published);
CREATE INDEX documents_language ON documents(language);
CREATE INDEX documents_doc_type ON documents(doc_type);

-- Locality-sensitive hashing bands of each document's MinHash signature, to find near-duplicate candidates.
CREATE TABLE document_bands (
    band            INTEGER NOT NULL,
    hash            INTEGER NOT NULL,
    document_id     INTEGER NOT NULL REFERENCES documents(id),
    PRIMARY KEY (band, hash, document_id)
) WITHOUT ROWID;

-- Where each document was found. One locator (a file path, a feed item) points at one current document; older
-- versions keep their link with current = 0.
CREATE TABLE document_links (
    locator         TEXT NOT NULL,
    document_id     INTEGER NOT NULL REFERENCES documents(id),
    source_id       INTEGER NOT NULL REFERENCES sources(id),
    first_seen      TEXT NOT NULL,
    last_seen       TEXT NOT NULL,
    current         INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (locator, document_id)
);
CREATE INDEX document_links_document ON document_links(document_id);
CREATE INDEX document_links_source ON document_links(source_id);

CREATE TABLE passages (
    id              INTEGER PRIMARY KEY,
    document_id     INTEGER NOT NULL REFERENCES documents(id),
    seq             INTEGER NOT NULL,
    start           INTEGER NOT NULL,          -- code-point offset into documents.text, inclusive
    "end"           INTEGER NOT NULL,          -- code-point offset, exclusive
    kind            TEXT NOT NULL,             -- heading | paragraph | list_item
    section         TEXT NOT NULL,             -- JSON list of the headings above it
    text            TEXT NOT NULL,
    facets          TEXT NOT NULL DEFAULT '',  -- filter tokens of its document for the search index (search.py)
    indexed         INTEGER NOT NULL DEFAULT 0, -- 1 while it is in the full-text index
    UNIQUE (document_id, seq)
);
CREATE INDEX passages_pending ON passages(document_id) WHERE indexed = 0;

CREATE TABLE runs (
    id              INTEGER PRIMARY KEY,
    started_at      TEXT NOT NULL,
    finished_at     TEXT,
    targets         TEXT NOT NULL,             -- JSON list
    summary         TEXT                       -- JSON
);

CREATE TABLE failures (
    id              INTEGER PRIMARY KEY,
    run_id          INTEGER REFERENCES runs(id),
    locator         TEXT NOT NULL,
    stage           TEXT NOT NULL,
    reason          TEXT NOT NULL,
    at              TEXT NOT NULL
);
CREATE INDEX failures_locator ON failures(locator);

-- Append-only log of what people and machines did (ingest, codings, curation). Never updated, never deleted.
CREATE TABLE actions (
    id              INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,
    actor           TEXT NOT NULL,             -- user name or machine coder name
    verb            TEXT NOT NULL,             -- e.g. ingest, coding.add, entity.merge
    object_type     TEXT,
    object_id       TEXT,
    payload         TEXT                       -- JSON
);
CREATE TRIGGER actions_no_update BEFORE UPDATE ON actions BEGIN SELECT RAISE(ABORT, 'the action log is append-only'); END;
CREATE TRIGGER actions_no_delete BEFORE DELETE ON actions BEGIN SELECT RAISE(ABORT, 'the action log is append-only'); END;
