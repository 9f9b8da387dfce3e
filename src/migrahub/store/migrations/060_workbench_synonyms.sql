-- Synonym groups curators add to the search (equivalent terms, any language), beside the curated list in
-- services/data/search_terms.yaml and the registry's names and aliases.
CREATE TABLE IF NOT EXISTS search_synonyms (
    id         INTEGER PRIMARY KEY,
    terms      TEXT    NOT NULL,  -- JSON list of two or more terms
    added_by   TEXT    NOT NULL,
    added_at   TEXT    NOT NULL
);
