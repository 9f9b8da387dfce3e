-- Each passage's filter tokens also name the sources its document was found through ("xsrc" and the source's id:
-- store/search.py facet_tokens), so a filter on a source is one more lexeme of the one GIN search (store/
-- search_pg.py: newest_matches), like the language, the type and the years, instead of a list of the source's
-- documents intersected with the words' matches; and a document dated by its year alone gets the token "xm" + year
-- + "00", so a date range is said by year and month tokens alone (store/search.py date_tokens). Existing passages
-- get the tokens, and the search table is rebuilt from its own rows with them (the words are not parsed again).
SET LOCAL maintenance_work_mem = '256MB';
CREATE TEMP TABLE _source_tokens ON COMMIT DROP AS
    SELECT document_id, string_agg(' xsrc' || source_id, '' ORDER BY source_id) AS tokens
    FROM (SELECT DISTINCT document_id, source_id FROM document_links) links
    GROUP BY document_id;
UPDATE passages SET facets = facets || ' xm' || substr(facets, strpos(facets, ' xy') + 3, 4) || '00'
    WHERE strpos(facets, ' xy') > 0 AND strpos(facets, ' xm') = 0;
UPDATE passages p SET facets = p.facets || t.tokens FROM _source_tokens t WHERE t.document_id = p.document_id;
CREATE TABLE passages_fts_next (
    id          BIGINT NOT NULL,             -- passages.id
    document_id BIGINT NOT NULL,             -- passages.document_id
    config      REGCONFIG NOT NULL,          -- the text-search configuration of its document's language
    words       TSVECTOR NOT NULL            -- its words, its document's filter tokens and its block token
);
INSERT INTO passages_fts_next(id, document_id, config, words)
    SELECT f.id, f.document_id, f.config, f.words || array_to_tsvector(array_remove(string_to_array(p.facets, ' '), ''))
    FROM passages_fts f JOIN passages p ON p.id = f.id ORDER BY f.id;
DROP TABLE passages_fts;
ALTER TABLE passages_fts_next RENAME TO passages_fts;
ALTER TABLE passages_fts ADD CONSTRAINT passages_fts_pkey PRIMARY KEY (id);
CREATE INDEX passages_fts_words ON passages_fts USING GIN (words);
CREATE INDEX passages_fts_document ON passages_fts(document_id);
ANALYZE passages_fts;
