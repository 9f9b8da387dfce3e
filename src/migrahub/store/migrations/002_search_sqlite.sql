-- Full-text index over the passages of current documents (SQLite FTS5, BM25 ranking). External content: the text
-- lives in passages. Passages are never deleted; when a document is superseded by a new version its passages leave
-- the index (store/documents.py), so plain searches need no join to skip old versions. Passages enter the index in
-- batches (store/search.py: index_pending), flagged by passages.indexed.
-- The second column holds filter tokens (language, type, year, month of the document: see store/search.py) so that
-- filtered searches are one FTS5 query; it carries no weight in BM25.
CREATE VIRTUAL TABLE passages_fts USING fts5(
    text,
    facets,
    content='passages',
    content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER passages_no_delete BEFORE DELETE ON passages BEGIN
    SELECT RAISE(ABORT, 'passages are kept with their document version; they are never deleted');
END;
