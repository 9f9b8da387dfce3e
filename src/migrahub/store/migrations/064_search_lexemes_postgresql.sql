-- The lexicon of the search index (store/search_pg.py: _exact_prefixes): every lexeme of every tsvector indexed,
-- kept by each index. A prefix* is searched as the OR of the words it stands for, which GIN steps through and skips
-- ahead in like any word, instead of a partial match that reads every posting of every such word in each search.
-- Lexemes of passages indexed no more stay: a word without postings costs the search nothing. In byte order
-- (COLLATE "C"), so the words of a prefix are one range of the key.
CREATE TABLE passages_fts_lexemes (
    lexeme TEXT COLLATE "C" PRIMARY KEY
);
INSERT INTO passages_fts_lexemes(lexeme)
    SELECT DISTINCT unnest(tsvector_to_array(words)) FROM passages_fts;
