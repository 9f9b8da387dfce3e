-- The filter tokens live in the words' tsvector since 017 (store/search_pg.py: newest_matches): the separate array
-- of them is read by nothing. Dropping it narrows every row of the search table (each match a search reads) and
-- stops writing it at each index. Dropping a column is a change of the catalogue only: nothing is rewritten.
ALTER TABLE passages_fts DROP COLUMN facets;
