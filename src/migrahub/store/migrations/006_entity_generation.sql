-- A counter that moves whenever an entity record is changed or removed (a rename, a merge, a split, an edit in the
-- admin), by any process. Web processes cache entity names for facets and compare this counter to know when their
-- cache is stale.
CREATE TABLE hub_state (
    key     TEXT PRIMARY KEY,
    value   INTEGER NOT NULL
);
INSERT INTO hub_state(key, value) VALUES ('entities', 0);

CREATE TRIGGER entities_changed AFTER UPDATE ON entities
BEGIN
    UPDATE hub_state SET value = value + 1 WHERE key = 'entities';
END;

CREATE TRIGGER entities_removed AFTER DELETE ON entities
BEGIN
    UPDATE hub_state SET value = value + 1 WHERE key = 'entities';
END;
