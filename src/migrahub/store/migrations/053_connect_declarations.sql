-- Declarations, charters and pledges with their signatory cities: curated, or found where the hub's documents
-- say a city signed an initiative named as a declaration (initiative_id, passage_id keep the evidence).
CREATE TABLE connect_declarations (
    id              INTEGER PRIMARY KEY,
    title           TEXT NOT NULL,
    kind            TEXT NOT NULL DEFAULT 'declaration',   -- declaration | charter | pledge
    adopted_on      TEXT,
    summary         TEXT NOT NULL DEFAULT '',
    url             TEXT NOT NULL DEFAULT '',
    initiative_id   INTEGER UNIQUE REFERENCES entities(id),
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL
);

CREATE TABLE connect_signatories (
    declaration_id  INTEGER NOT NULL REFERENCES connect_declarations(id),
    city_id         INTEGER NOT NULL REFERENCES entities(id),
    signed_on       TEXT,
    passage_id      INTEGER REFERENCES passages(id),
    added_by        TEXT NOT NULL,
    PRIMARY KEY (declaration_id, city_id)
);
CREATE INDEX connect_signatories_city ON connect_signatories(city_id);
