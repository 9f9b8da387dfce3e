-- The open research library: references imported from reference managers, curated, or promoted from the resources
-- the extraction found (entity_id). `data` is the reference as JSON; `words` the folded text a query searches.
CREATE TABLE library_references (
    id              INTEGER PRIMARY KEY,
    data            TEXT NOT NULL,
    title           TEXT NOT NULL,
    year            INTEGER,
    type            TEXT NOT NULL,
    origin          TEXT NOT NULL,            -- imported | extracted | curated
    entity_id       INTEGER UNIQUE REFERENCES entities(id),
    words           TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX library_references_year ON library_references(year);

-- The keys that find a reference's duplicates: doi:…, url:…, title:… (several references may share a title).
CREATE TABLE library_keys (
    key             TEXT NOT NULL,
    reference_id    INTEGER NOT NULL REFERENCES library_references(id) ON DELETE CASCADE,
    PRIMARY KEY (key, reference_id)
) WITHOUT ROWID;
