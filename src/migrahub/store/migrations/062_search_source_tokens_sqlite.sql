-- Each passage's filter tokens also name the sources its document was found through ("xsrc" and the source's id:
-- store/search.py facet_tokens), so a filter on a source is one more token of the one FTS5 query, like the
-- language, the type and the dates, instead of a test of each match's document; and a document dated by its year
-- alone gets the token "xm" + year + "00", so a date range is said by year and month tokens alone (date_tokens).
-- Existing passages get the tokens, and the index is rebuilt from them: every passage in it (indexed = 1 up to the
-- fts_through mark) goes back in with its new tokens.
INSERT INTO passages_fts(passages_fts) VALUES ('delete-all');
CREATE TEMP TABLE _source_tokens AS
    SELECT document_id, group_concat(' xsrc' || source_id, '') AS tokens
    FROM (SELECT DISTINCT document_id, source_id FROM document_links ORDER BY document_id, source_id)
    GROUP BY document_id;
CREATE UNIQUE INDEX temp._source_tokens_document ON _source_tokens(document_id);
UPDATE passages SET facets = facets || ' xm' || substr(facets, instr(facets, ' xy') + 3, 4) || '00'
    WHERE instr(facets, ' xy') > 0 AND instr(facets, ' xm') = 0;
UPDATE passages SET facets = facets || (SELECT tokens FROM _source_tokens t WHERE t.document_id = passages.document_id)
    WHERE document_id IN (SELECT document_id FROM _source_tokens);
DROP TABLE _source_tokens;
INSERT INTO passages_fts(rowid, text, facets)
    SELECT id, text, facets FROM passages
    WHERE indexed = 1 AND id <= (SELECT value FROM hub_state WHERE key = 'fts_through') ORDER BY id;
INSERT INTO passages_fts(passages_fts) VALUES ('optimize');
