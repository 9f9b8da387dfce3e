-- Covering indexes for the web hub's read paths (checked with EXPLAIN QUERY PLAN on a 100k-document hub):
-- entity pages page through a record's documents (entity → documents), search facets and entity filters read the
-- records of a set of documents (document → entities), the network joins mentions of the same passage.
CREATE INDEX IF NOT EXISTS mentions_entity_document ON mentions(entity_id, document_id);
CREATE INDEX IF NOT EXISTS mentions_document_entity ON mentions(document_id, entity_id);
CREATE INDEX IF NOT EXISTS mentions_passage_entity ON mentions(passage_id, entity_id);
