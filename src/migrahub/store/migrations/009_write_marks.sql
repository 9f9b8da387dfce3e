-- Marks that let an ingest batch work without writing a queue row per document (every page a document's commit
-- touches is written out again in the write-ahead log; store/documents.py and store/search.py).
-- 'minhash': the version of the MinHash stage behind documents.fingerprint and document_bands. A hub whose signatures
-- are older than the running stage gets them recomputed from the stored text, and its bands rebuilt, before the next
-- comparison (refresh_fingerprints). Hubs before this migration hold minhash/1.
-- 'bands_through': every document up to this id has its bands in document_bands; the documents after it are the
-- queue. It replaces band_queue.
-- 'fts_through': every passage up to this id with indexed = 1 is in the full-text index; the passages after it with
-- indexed = 1 wait for it (an ingest stores them so, instead of updating every passage row after indexing it).
INSERT INTO hub_state(key, value) VALUES ('minhash', 1);
INSERT INTO hub_state(key, value) VALUES ('bands_through', COALESCE(
    (SELECT min(document_id) - 1 FROM band_queue), (SELECT max(id) FROM documents), 0));
INSERT INTO hub_state(key, value) VALUES ('fts_through', COALESCE((SELECT max(id) FROM passages), 0));
DROP TABLE band_queue;
