-- Full-text index over the passages of current documents (PostgreSQL text search; the SQLite side is
-- 002_search_sqlite.sql). One row per indexed passage: its words as a tsvector built with the text-search
-- configuration of its document's language (english, french, spanish, german; simple otherwise) after folding
-- accents away, and the filter tokens of its document (store/search.py: facet_tokens) as an array. Both have GIN
-- indexes. Rows enter in batches (store/search_pg.py: index_pending) and leave when a document is superseded,
-- exactly as on SQLite; the table is derived from passages and rebuilt, never dumped.
CREATE FUNCTION mh_fold(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT lower(translate(t,
        'ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖØòóôõöøÙÚÛÜùúûüÝýÿŠšŽžŒœÆæ',
        'AAAAAAaaaaaaCcEEEEeeeeIIIIiiiiNnOOOOOOooooooUUUUuuuuYyySsZzOoAa'))
$$;
CREATE FUNCTION mh_text_config(language text) RETURNS regconfig LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (CASE lower(coalesce(language, ''))
        WHEN 'en' THEN 'english' WHEN 'fr' THEN 'french' WHEN 'es' THEN 'spanish' WHEN 'de' THEN 'german'
        ELSE 'simple' END)::regconfig
$$;
CREATE TABLE passages_fts (
    id          BIGINT PRIMARY KEY,          -- passages.id
    config      REGCONFIG NOT NULL,          -- the text-search configuration of its document's language
    words       TSVECTOR NOT NULL,
    facets      TEXT[] NOT NULL
);
CREATE INDEX passages_fts_words ON passages_fts USING GIN (words);
CREATE INDEX passages_fts_facets ON passages_fts USING GIN (facets);
CREATE FUNCTION passages_no_delete_fn() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
    RAISE EXCEPTION 'passages are kept with their document version; they are never deleted';
END $$;
CREATE TRIGGER passages_no_delete BEFORE DELETE ON passages FOR EACH ROW EXECUTE FUNCTION passages_no_delete_fn();
