-- Most documents have no URL (files), no near-duplicate story and no older version: their index entries were all
-- NULL, yet every document's commit rewrote the last page of each of these three indexes. Lookups are by value
-- (url = ?, story_id = ?, supersedes_id = ?), which partial indexes serve just as well.
DROP INDEX IF EXISTS documents_url;
DROP INDEX IF EXISTS documents_story;
DROP INDEX IF EXISTS documents_supersedes;
CREATE INDEX documents_url ON documents(url) WHERE url IS NOT NULL;
CREATE INDEX documents_story ON documents(story_id) WHERE story_id IS NOT NULL;
CREATE INDEX documents_supersedes ON documents(supersedes_id) WHERE supersedes_id IS NOT NULL;
