-- Documents whose near-duplicate bands are not in document_bands yet. An ingest writes one row here per document
-- (one hot page) instead of 16 band rows at random places of the band index, and moves them in batches; a run
-- killed in between leaves them here and the next write moves them first. Nothing is lost.
CREATE TABLE band_queue (
    document_id     INTEGER PRIMARY KEY REFERENCES documents(id)
);
