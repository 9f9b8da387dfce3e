-- Each passage's filter tokens (store/search.py facet_tokens) also name the sources its document was found through
-- ("xsrc" and the source's id), so a filter on a source is one more token of the one index query, like the language,
-- the type and the dates, instead of a test of each match's document; and a document dated by its year alone gets
-- the token "xm" + year + "00", so a date range is said by year and month tokens alone (date_tokens). Existing
-- passages get the tokens here, on both engines (the tokens are part of a hub's data: an archive written before
-- them is refused, see services/archive.py); each engine then rebuilds its search index from them
-- (062_search_source_tokens_sqlite.sql, 062_search_source_tokens_postgresql.sql).
UPDATE passages SET facets = facets || ' xm' || substr(facets, instr(facets, ' xy') + 3, 4) || '00'
    WHERE instr(facets, ' xy') > 0 AND instr(facets, ' xm') = 0;
UPDATE passages SET facets = facets || (
        SELECT group_concat(' xsrc' || s.source_id, '') FROM (
            SELECT DISTINCT l.source_id FROM document_links l WHERE l.document_id = passages.document_id
            ORDER BY l.source_id) s)
    WHERE document_id IN (SELECT document_id FROM document_links);
