-- Monitor: saved searches (alerts) of signed-in users and what they matched (one hit per alert and story).

CREATE TABLE monitor_alerts (
    id            INTEGER PRIMARY KEY,
    owner         TEXT NOT NULL,                  -- the user's name
    email         TEXT,
    name          TEXT NOT NULL,
    query         TEXT NOT NULL,                  -- JSON: words, entities (with their keys and names), themes, ...
    frequency     TEXT NOT NULL DEFAULT 'daily',  -- immediate | daily | weekly | off (no e-mail)
    feed_token    TEXT NOT NULL UNIQUE,           -- secret of the private Atom feed (revocable: replaced)
    unsubscribe   TEXT NOT NULL UNIQUE,           -- secret of the unsubscribe link
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    REAL NOT NULL,
    last_mailed   REAL,
    after_document INTEGER NOT NULL DEFAULT 0     -- only documents stored after this one are news to it
);
CREATE INDEX monitor_alerts_owner ON monitor_alerts(owner);

CREATE TABLE monitor_alert_hits (
    alert_id      INTEGER NOT NULL REFERENCES monitor_alerts(id) ON DELETE CASCADE,
    story_id      INTEGER NOT NULL,
    document_id   INTEGER NOT NULL REFERENCES documents(id),
    at            REAL NOT NULL,
    mailed_at     REAL,
    seen_at       REAL,
    PRIMARY KEY (alert_id, story_id)
);
CREATE INDEX monitor_alert_hits_at ON monitor_alert_hits(alert_id, at);
