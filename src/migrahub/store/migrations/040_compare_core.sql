-- Compare: policy indices, their editions, the units they score, answers with evidence, and suggested answers.
-- Every change is also appended to `actions` (verbs compare.*).
CREATE TABLE compare_indices (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    definition  TEXT NOT NULL,                -- JSON: the validated definition (migrahub.compare.definition)
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE compare_editions (
    id          INTEGER PRIMARY KEY,
    index_id    INTEGER NOT NULL REFERENCES compare_indices(id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    year        INTEGER,
    indicators  TEXT NOT NULL,                -- JSON list of indicator codes (the edition's catalogue)
    UNIQUE (index_id, code)
);

CREATE TABLE compare_units (
    id          INTEGER PRIMARY KEY,
    index_id    INTEGER NOT NULL REFERENCES compare_indices(id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL DEFAULT 'city', -- city | country | region
    geonames_id INTEGER,
    country     TEXT,                         -- ISO 3166-1 alpha-2
    population  INTEGER,
    groups      TEXT NOT NULL DEFAULT '{}',   -- JSON {group: value or [values]}: size, country, region, networks, custom
    UNIQUE (index_id, code)
);

CREATE TABLE compare_answers (
    id          INTEGER PRIMARY KEY,
    edition_id  INTEGER NOT NULL REFERENCES compare_editions(id),
    unit_id     INTEGER NOT NULL REFERENCES compare_units(id),
    indicator   TEXT NOT NULL,
    answer      TEXT,                         -- the option key or the number as given; NULL when missing
    value       REAL,                         -- the option's value or the number; NULL when missing or not applicable
    status      TEXT NOT NULL CHECK (status IN ('answered', 'missing', 'na')),
    source      TEXT NOT NULL DEFAULT '',
    comment     TEXT NOT NULL DEFAULT '',
    evidence    TEXT NOT NULL DEFAULT '[]',   -- JSON [{passage_id, document_id, start, end}]
    answered_by TEXT NOT NULL,
    answered_at TEXT NOT NULL,
    UNIQUE (edition_id, unit_id, indicator)
);
CREATE INDEX compare_answers_unit ON compare_answers(unit_id);

CREATE TABLE compare_suggestions (
    id          INTEGER PRIMARY KEY,
    edition_id  INTEGER NOT NULL REFERENCES compare_editions(id),
    unit_id     INTEGER NOT NULL REFERENCES compare_units(id),
    indicator   TEXT NOT NULL,
    passage_id  INTEGER NOT NULL REFERENCES passages(id),
    reason      TEXT NOT NULL,                -- why the passage was suggested (the code or words it matched)
    status      TEXT NOT NULL DEFAULT 'suggested' CHECK (status IN ('suggested', 'confirmed', 'rejected')),
    decided_by  TEXT,
    decided_at  TEXT,
    created_at  TEXT NOT NULL,
    UNIQUE (edition_id, unit_id, indicator, passage_id)
);
