-- The full-text index rebuilt with the filter tokens 062_search_source_tokens.sql gave the passages: every passage
-- in it (indexed = 1 up to the fts_through mark) goes back in with its new tokens, and the index is merged into one
-- segment, as after a large ingest.
INSERT INTO passages_fts(passages_fts) VALUES ('delete-all');
INSERT INTO passages_fts(rowid, text, facets)
    SELECT id, text, facets FROM passages
    WHERE indexed = 1 AND id <= (SELECT value FROM hub_state WHERE key = 'fts_through') ORDER BY id;
INSERT INTO passages_fts(passages_fts) VALUES ('optimize');
