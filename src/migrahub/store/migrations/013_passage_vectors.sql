-- Passage embeddings for the auto-coder: one vector per passage and embedding model (the model's versioned name),
-- stored as little-endian float16 bytes (its dimension is the blob's length / 2). A passage's text never changes (a
-- changed text is a new document with new passages), so a vector stays valid for as long as its model's name.
CREATE TABLE passage_vectors (
    model      TEXT    NOT NULL,
    passage_id INTEGER NOT NULL REFERENCES passages (id),
    vector     BLOB    NOT NULL,
    PRIMARY KEY (model, passage_id)
) WITHOUT ROWID;

-- Embeddings of other texts the auto-coder compares passages with (a code's name and definition), by the 16-byte
-- BLAKE2b hash of the text: a changed definition is another text.
CREATE TABLE text_vectors (
    model      TEXT    NOT NULL,
    text_hash  BLOB    NOT NULL,
    vector     BLOB    NOT NULL,
    PRIMARY KEY (model, text_hash)
) WITHOUT ROWID;
