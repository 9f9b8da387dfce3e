-- A word or phrase of a search as one tsquery over the hub's text-search configurations, each distinct stem once
-- (store/search_pg.py). IMMUTABLE: with constant arguments PostgreSQL computes it while planning, so the planner
-- sees the lexemes and estimates how many passages match from the index statistics.
CREATE FUNCTION mh_any_config(t text, configs regconfig[]) RETURNS tsquery LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT string_agg(DISTINCT '(' || q::text || ')', ' | ')::tsquery
    FROM (SELECT phraseto_tsquery(c, mh_fold(t)) AS q FROM unnest(configs) AS c) AS alternatives
    WHERE numnode(q) > 0
$$;
