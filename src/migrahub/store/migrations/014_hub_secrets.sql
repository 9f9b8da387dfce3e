-- Secrets a hub keeps for its web processes (the key that signs sessions and forms), when no file beside the
-- database can hold them: a hub on PostgreSQL served by several processes on several machines reads one key here.
CREATE TABLE hub_secrets (
    name        TEXT PRIMARY KEY,
    value       TEXT NOT NULL
);
