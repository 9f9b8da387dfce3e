-- Filters and "newest first" through the one GIN index of the words (store/search_pg.py: newest_matches).
-- Each indexed passage's tsvector also holds, as lexemes without positions, its document's filter tokens
-- (language, type, year, month: store/search.py facet_tokens) and the token of its block of ids ("xb" and
-- id / 8,192): a search with filters is one tsquery the GIN index answers by intersecting posting lists, and the
-- newest matches of a common word are read from the newest blocks alone, with no walk over rows that do not match
-- and no read of every match. The passage's document id is kept beside it (with an index: a filter on a few
-- documents, such as a source's, is intersected with the words' matches), so matches need no join to passages.
-- Rebuilds the table of an existing hub from its own rows (the words are not parsed again).
SET LOCAL maintenance_work_mem = '256MB';
CREATE FUNCTION mh_search_tokens(facets text[], id bigint) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_to_tsvector(array_remove(facets, '') || ('xb' || (id >> 13))::text)
$$;
CREATE TABLE passages_fts_next (
    id          BIGINT NOT NULL,             -- passages.id
    document_id BIGINT NOT NULL,             -- passages.document_id
    config      REGCONFIG NOT NULL,          -- the text-search configuration of its document's language
    words       TSVECTOR NOT NULL,           -- its words, its document's filter tokens and its block token
    facets      TEXT[] NOT NULL
);
INSERT INTO passages_fts_next(id, document_id, config, words, facets)
    SELECT f.id, p.document_id, f.config, f.words || mh_search_tokens(f.facets, f.id), f.facets
    FROM passages_fts f JOIN passages p ON p.id = f.id ORDER BY f.id;
DROP TABLE passages_fts;
ALTER TABLE passages_fts_next RENAME TO passages_fts;
ALTER TABLE passages_fts ADD CONSTRAINT passages_fts_pkey PRIMARY KEY (id);
CREATE INDEX passages_fts_words ON passages_fts USING GIN (words);
CREATE INDEX passages_fts_document ON passages_fts(document_id);
ANALYZE passages_fts;
