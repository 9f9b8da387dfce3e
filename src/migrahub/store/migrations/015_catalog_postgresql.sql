-- The catalogue SQLite calls sqlite_master, as a view of the hub's own schema: the store asks it whether a table,
-- index, view or trigger exists (type, name, tbl_name; sql is not kept by PostgreSQL and is NULL).
CREATE VIEW sqlite_master AS
    SELECT CASE c.relkind WHEN 'i' THEN 'index' WHEN 'v' THEN 'view' ELSE 'table' END AS type,
           c.relname::text AS name,
           COALESCE(t.relname, c.relname)::text AS tbl_name,
           NULL::text AS sql
    FROM pg_class c
    LEFT JOIN pg_index x ON x.indexrelid = c.oid
    LEFT JOIN pg_class t ON t.oid = x.indrelid
    WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'v', 'i', 'p')
    UNION ALL
    SELECT 'trigger', g.tgname::text, r.relname::text, NULL::text
    FROM pg_trigger g JOIN pg_class r ON r.oid = g.tgrelid
    WHERE r.relnamespace = current_schema()::regnamespace AND NOT g.tgisinternal;
