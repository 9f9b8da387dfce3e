-- The sources page and API count each source's current documents: with the link's flag and document in the index,
-- no link row is read (a feed of 100k items: every one of its link rows). One entry per link, as before.
DROP INDEX document_links_source;
CREATE INDEX document_links_source ON document_links(source_id, current, document_id);
