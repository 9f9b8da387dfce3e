-- The search table rebuilt from its own rows with the filter tokens 062_search_source_tokens.sql gave the passages
-- (the words are not parsed again): a source filter and a date range are lexemes of the one GIN search
-- (store/search_pg.py: newest_matches), like the language and the type.
SET LOCAL maintenance_work_mem = '256MB';
CREATE TABLE passages_fts_next (
    id          BIGINT NOT NULL,             -- passages.id
    document_id BIGINT NOT NULL,             -- passages.document_id
    config      REGCONFIG NOT NULL,          -- the text-search configuration of its document's language
    words       TSVECTOR NOT NULL            -- its words, its document's filter tokens and its block token
);
INSERT INTO passages_fts_next(id, document_id, config, words)
    SELECT f.id, f.document_id, f.config,
           f.words || array_to_tsvector(array_remove(string_to_array(p.facets, ' '), ''))
    FROM passages_fts f JOIN passages p ON p.id = f.id ORDER BY f.id;
DROP TABLE passages_fts;
ALTER TABLE passages_fts_next RENAME TO passages_fts;
ALTER TABLE passages_fts ADD CONSTRAINT passages_fts_pkey PRIMARY KEY (id);
CREATE INDEX passages_fts_words ON passages_fts USING GIN (words);
CREATE INDEX passages_fts_document ON passages_fts(document_id);
ANALYZE passages_fts;
