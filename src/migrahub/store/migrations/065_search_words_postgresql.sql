-- Passages are parsed for the search, and their snippets, with punctuation read as a space (mh_words, mh_spaced), as
-- SQLite's FTS5 tokenizer reads it. PostgreSQL's parser gives a hyphenated word ("one-stop"), a URL, a host name ("city.org") or a decimal ("3.5")
-- a token of its own, beside its parts or instead of them: the compound takes a position of its own, so a phrase
-- with a word before it ("a one-stop shop") found nothing, and a host name or a decimal was not found by the words
-- a query reads in it ("city org", "3 5"). The search table is rebuilt from the passages' text and filter tokens
-- (as store/search_pg.py indexes new passages), and the lexicon of prefixes from it.
SET LOCAL maintenance_work_mem = '256MB';
CREATE FUNCTION mh_spaced(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    -- each ASCII punctuation mark, dash (U+2010 to U+2015) and typographic apostrophe a space: every offset kept,
    -- so that a snippet read in it (ts_headline) is the same stretch of the passage's own text
    SELECT regexp_replace(t, '[!-/:-@[-`{-~‐-―‘’]', ' ', 'g')
$$;
CREATE FUNCTION mh_words(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT mh_fold(mh_spaced(t))
$$;
CREATE TABLE passages_fts_next (
    id          BIGINT NOT NULL,             -- passages.id
    document_id BIGINT NOT NULL,             -- passages.document_id
    config      REGCONFIG NOT NULL,          -- the text-search configuration of its document's language
    words       TSVECTOR NOT NULL            -- its words, its document's filter tokens and its block token
);
INSERT INTO passages_fts_next(id, document_id, config, words)
    SELECT f.id, f.document_id, f.config,
           to_tsvector(f.config, mh_words(p.text)) || mh_search_tokens(string_to_array(p.facets, ' '), p.id)
    FROM passages_fts f JOIN passages p ON p.id = f.id ORDER BY f.id;
DROP TABLE passages_fts;
ALTER TABLE passages_fts_next RENAME TO passages_fts;
ALTER TABLE passages_fts ADD CONSTRAINT passages_fts_pkey PRIMARY KEY (id);
CREATE INDEX passages_fts_words ON passages_fts USING GIN (words);
CREATE INDEX passages_fts_document ON passages_fts(document_id);
ANALYZE passages_fts;
TRUNCATE passages_fts_lexemes;
INSERT INTO passages_fts_lexemes(lexeme)
    SELECT DISTINCT unnest(tsvector_to_array(words)) FROM passages_fts;
