-- The requester's city of a peer request: it is left out of its matches, and an outcome (a peer visit, a peer
-- review) links the two cities in the network.
ALTER TABLE peer_requests ADD COLUMN city_id INTEGER REFERENCES entities(id);
