-- Monitor: stories across feeds and languages. A story is named by the id of its first document.

CREATE TABLE monitor_story_members (
    document_id   INTEGER PRIMARY KEY REFERENCES documents(id),
    story_id      INTEGER NOT NULL,
    at            REAL,                           -- publication (or arrival) time used for the time window
    score         REAL,                           -- similarity that joined it to the story (NULL: it opened it)
    stage         TEXT NOT NULL                   -- versioned clustering stage
);
CREATE INDEX monitor_story_members_story ON monitor_story_members(story_id);
CREATE INDEX monitor_story_members_at ON monitor_story_members(at);
