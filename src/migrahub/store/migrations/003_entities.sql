-- Structured records resolved across documents: one row per real place, organisation, initiative, person (and per
-- event, practice and resource), every mention pointing back to its document, passage and offsets.

CREATE TABLE entities (
    id              INTEGER PRIMARY KEY,
    category        TEXT NOT NULL,             -- places | organisations | initiatives | events | practices | people | resources
    name            TEXT NOT NULL,
    data            TEXT NOT NULL,             -- JSON: the record in the schema of the category (latest seen)
    merged_into     INTEGER REFERENCES entities(id),  -- set when a curator merged this record into another
    curated         INTEGER NOT NULL DEFAULT 0, -- 1 once a curator edited it: extraction no longer overwrites data
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX entities_category ON entities(category, name);

-- Every key that resolves to an entity: the extractor's key, registry ids, acronyms, aliases and translations.
-- A curator's merge moves keys here, so later documents resolve to the merged record.
CREATE TABLE entity_keys (
    category        TEXT NOT NULL,
    key             TEXT NOT NULL,
    entity_id       INTEGER NOT NULL REFERENCES entities(id),
    PRIMARY KEY (category, key)
) WITHOUT ROWID;
CREATE INDEX entity_keys_entity ON entity_keys(entity_id);

CREATE TABLE mentions (
    id              INTEGER PRIMARY KEY,
    entity_id       INTEGER NOT NULL REFERENCES entities(id),
    document_id     INTEGER NOT NULL REFERENCES documents(id),
    passage_id      INTEGER REFERENCES passages(id),
    start           INTEGER NOT NULL,          -- code-point offsets into documents.text, end exclusive
    "end"           INTEGER NOT NULL,
    surface         TEXT NOT NULL,
    stage           TEXT NOT NULL
);
CREATE INDEX mentions_entity ON mentions(entity_id);
CREATE INDEX mentions_document ON mentions(document_id);
CREATE INDEX mentions_passage ON mentions(passage_id);

-- The record as each document states it (an event's date in this report, a person's role in that one).
CREATE TABLE entity_records (
    entity_id       INTEGER NOT NULL REFERENCES entities(id),
    document_id     INTEGER NOT NULL REFERENCES documents(id),
    data            TEXT NOT NULL,
    PRIMARY KEY (entity_id, document_id)
);
CREATE INDEX entity_records_document ON entity_records(document_id);
