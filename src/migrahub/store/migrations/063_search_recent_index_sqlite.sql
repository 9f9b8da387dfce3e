-- The ranking index of the newest passages (store/search.py: RECENT): a second FTS5 index, without content, that
-- holds every passage of passages_fts from its lowest id up. BM25 reads each ranked term's whole posting list for
-- its IDF; a window of the newest matches is ranked here, where those lists are short. It is kept once a hub passes
-- 200,000 passages (RECENT_FROM), from 100,000 ids below the index's top (RECENT_PASSAGES); smaller hubs leave it
-- empty and rank on passages_fts. The two numbers are store/search.py's as this migration was written.
CREATE VIRTUAL TABLE passages_fts_recent USING fts5(
    text,
    facets,
    content='',
    tokenize='porter unicode61 remove_diacritics 2'
);
INSERT INTO passages_fts_recent(rowid, text, facets)
    SELECT id, text, facets FROM passages
    WHERE indexed = 1
      AND id <= (SELECT value FROM hub_state WHERE key = 'fts_through')
      AND id > (SELECT value FROM hub_state WHERE key = 'fts_through') - 100000
      AND (SELECT value FROM hub_state WHERE key = 'fts_through') > 200000
    ORDER BY id;
INSERT INTO passages_fts_recent(passages_fts_recent) VALUES ('optimize');
