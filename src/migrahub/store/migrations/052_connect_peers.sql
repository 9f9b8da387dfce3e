-- Peer exchange: experts who opted in, contacts of cities and organisations (who receives relayed messages),
-- requests with the matches found when they were made, relayed messages and the outcomes curators record.
CREATE TABLE connect_experts (
    id              INTEGER PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,     -- the hub account that opted in
    display_name    TEXT NOT NULL,
    email           TEXT NOT NULL,            -- never shown unless share_contact = 1
    bio             TEXT NOT NULL,
    themes          TEXT NOT NULL DEFAULT '[]',
    languages       TEXT NOT NULL DEFAULT '[]',
    country         TEXT,
    share_contact   INTEGER NOT NULL DEFAULT 0,
    active          INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE TABLE connect_contacts (
    id              INTEGER PRIMARY KEY,
    entity_id       INTEGER NOT NULL REFERENCES entities(id),  -- a city or an organisation
    name            TEXT NOT NULL,            -- an office or a person
    email           TEXT NOT NULL,
    share_contact   INTEGER NOT NULL DEFAULT 0,
    added_by        TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX connect_contacts_entity ON connect_contacts(entity_id);

CREATE TABLE peer_requests (
    id              INTEGER PRIMARY KEY,
    requester       TEXT NOT NULL,
    challenge       TEXT NOT NULL,
    themes          TEXT NOT NULL DEFAULT '[]',
    languages       TEXT NOT NULL DEFAULT '[]',
    country         TEXT,
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_at      TEXT NOT NULL
);

CREATE TABLE peer_matches (
    request_id      INTEGER NOT NULL REFERENCES peer_requests(id),
    rank            INTEGER NOT NULL,
    target_kind     TEXT NOT NULL,            -- city | organisation | expert
    target_id       INTEGER NOT NULL,
    name            TEXT NOT NULL,
    score           REAL NOT NULL,
    data            TEXT NOT NULL,            -- JSON: reasons and evidence
    PRIMARY KEY (request_id, target_kind, target_id)
);

CREATE TABLE peer_messages (
    id              INTEGER PRIMARY KEY,
    request_id      INTEGER NOT NULL REFERENCES peer_requests(id),
    sender          TEXT NOT NULL,
    target_kind     TEXT NOT NULL,
    target_id       INTEGER NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL,            -- sent | no-contact | failed
    recipients      INTEGER NOT NULL DEFAULT 0,
    error           TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX peer_messages_request ON peer_messages(request_id);

CREATE TABLE peer_outcomes (
    id              INTEGER PRIMARY KEY,
    request_id      INTEGER NOT NULL REFERENCES peer_requests(id),
    target_kind     TEXT NOT NULL,
    target_id       INTEGER NOT NULL,
    kind            TEXT NOT NULL,            -- peer-visit | peer-review | mentoring | exchange | no-follow-up
    note            TEXT NOT NULL DEFAULT '',
    happened_on     TEXT,
    actor           TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX peer_outcomes_request ON peer_outcomes(request_id);
