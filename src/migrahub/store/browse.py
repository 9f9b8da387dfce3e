"""Reading the hub's current documents under the search filters: pages of them, how many there are, and their
counts per facet value (language, type, year, source).

Filters are :class:`~migrahub.store.search.SearchFilters` and mean exactly what they mean for a search; ``words`` is
a user's query in the search syntax, empty for every document.
"""

from __future__ import annotations

import json
import sqlite3

from migrahub.store import search as fts
from migrahub.store import search_pg
from migrahub.store.database import backend, tuples
from migrahub.store.documents import LISTED

FACETS = ("language", "doc_type", "year", "source")

_FACET_SQL = {  # the value a facet counts, and what a document needs to have one
    "language": ("COALESCE(d.language, '')", ""),
    "doc_type": ("d.doc_type", ""),
    "year": ("substr(d.published, 1, 4)", "AND d.published IS NOT NULL AND d.published != ''"),
    "source": ("s.locator", ""),
}


def conditions(filters: fts.SearchFilters) -> tuple[list[str], list]:
    """SQL conditions on ``documents d`` (and their parameters): current documents under ``filters``."""
    where, params = fts.document_conditions(filters)
    return ["d.superseded = 0", *where], params


def newest(conn: sqlite3.Connection, filters: fts.SearchFilters, limit: int = 20, offset: int = 0) -> list[dict]:
    """Current documents under ``filters``, newest published first: the :data:`~migrahub.store.documents.LISTED`
    columns and ``opening`` (the first 300 code points of the text)."""
    where, params = conditions(filters)
    return [dict(r) for r in conn.execute(
        f"SELECT {LISTED}, substr(d.text, 1, 300) AS opening FROM documents d WHERE {' AND '.join(where)} "
        f"ORDER BY d.published DESC, d.id DESC LIMIT ? OFFSET ?",  # NULL sorts last in DESC: the index serves
        [*params, limit, offset])]


def newest_ids(conn: sqlite3.Connection, filters: fts.SearchFilters, limit: int) -> list[int]:
    """The ids of the newest ``limit`` current documents under ``filters``, newest published first."""
    where, params = conditions(filters)
    return [r[0] for r in conn.execute(
        f"SELECT d.id FROM documents d WHERE {' AND '.join(where)} ORDER BY d.published DESC LIMIT ?",
        [*params, limit])]


def count(conn: sqlite3.Connection, filters: fts.SearchFilters) -> int:
    """How many current documents pass ``filters``."""
    where, params = conditions(filters)
    if len(where) == 1:  # every document less the older versions, from indexes (not each row's flag)
        return conn.execute("SELECT (SELECT count(*) FROM documents) - "
                            "(SELECT count(*) FROM documents WHERE superseded = 1)").fetchone()[0]
    return conn.execute(f"SELECT count(*) FROM documents d WHERE {' AND '.join(where)}", params).fetchone()[0]


def _words_match(conn, words: str, language: str | None) -> tuple[str, str, list]:
    """The joins (``p``: the matching passages), the condition and its parameters of the current passages that
    ``words`` match: FTS5's MATCH on SQLite, a tsquery on PostgreSQL (its statement then runs in its own dialect)."""
    if backend(conn) == "postgresql":
        q, q_params = search_pg.tsquery(fts.fts_query(words), language)
        return "passages_fts f JOIN passages p ON p.id = f.id", f"f.words @@ {q}", q_params
    # sqlite-only: the FTS5 index, whose rowid is the passage's id
    return ("passages_fts JOIN passages p ON p.id = passages_fts.rowid", "passages_fts MATCH ?",
            [fts.fts_query(words)])


def _run(conn, sql: str, where: list[str], params: list) -> list:
    """Every row of ``sql`` (``{where}`` stands for the conditions, ``{mark}`` for a placeholder of the statement's
    own text): SQLite's dialect, or on PostgreSQL, where a tsquery is PostgreSQL's, the conditions translated."""
    if backend(conn) == "postgresql":
        return conn.native(sql.format(where=" AND ".join(search_pg.native(c) for c in where), mark="%s"),
                           params).fetchall()
    return conn.execute(sql.format(where=" AND ".join(where), mark="?"), params).fetchall()


def count_matches(conn: sqlite3.Connection, words: str, filters: fts.SearchFilters) -> tuple[int, int]:
    """(passages, documents) of the current documents under ``filters`` that ``words`` match; raises
    :class:`~migrahub.store.search.QueryError` for a query the index cannot run."""
    where, params = conditions(filters)
    joins, match, match_params = _words_match(conn, words, filters.language)
    try:
        row = _run(conn, f"SELECT count(*), count(DISTINCT d.id) FROM {joins} JOIN documents d "
                         f"ON d.id = p.document_id WHERE {match} AND {{where}}", where, [*match_params, *params])[0]
    except sqlite3.OperationalError as exc:
        raise fts.QueryError(f"cannot search for {words!r}: {exc}") from exc
    return row[0], row[1]


def facet_counts(conn: sqlite3.Connection, facet: str, words: str, filters: fts.SearchFilters, *, size: int = 25,
                 among: list[int] | None = None) -> list[tuple[str, int]]:
    """``(value, documents)`` of one facet (:data:`FACETS`) over the current documents under ``filters`` that
    ``words`` match (every one without words), the most frequent first (years newest first), at most ``size``.
    ``among``: the documents the words match, when the caller knows them (the words are then not searched again).
    Raises :class:`~migrahub.store.search.QueryError` for a query the index cannot run."""
    where, params = conditions(filters)
    if among is not None:
        # CROSS JOIN: SQLite keeps this order (the given documents first, not every document of a filter's source)
        source, source_params = "json_each(?) j CROSS JOIN documents d", [json.dumps(among)]
        where.insert(0, "d.id = j.value")
    elif words.strip():
        joins, match, source_params = _words_match(conn, words, filters.language)
        source = f"(SELECT DISTINCT p.document_id AS id FROM {joins} WHERE {match}) m JOIN documents d ON d.id = m.id"
    else:
        source, source_params = "documents d", []
    expr, extra = _FACET_SQL[facet]
    counted = "count(*)"
    if facet == "source":
        source += (" JOIN document_links fl ON fl.document_id = d.id AND fl.current = 1 "
                   "JOIN sources s ON s.id = fl.source_id")
        counted = "count(DISTINCT d.id)"
    order = "1 DESC" if facet == "year" else "2 DESC, 1"
    sql = (f"SELECT {expr} AS value, {counted} AS n FROM {source} WHERE {{where}} {extra} "
           f"GROUP BY 1 ORDER BY {order} LIMIT {{mark}}")
    try:
        if among is not None or not words.strip():  # no words' condition: one statement in SQLite's dialect
            rows = conn.execute(sql.format(where=" AND ".join(where), mark="?"), [*source_params, *params, size])
        else:
            rows = _run(conn, sql, where, [*source_params, *params, size])
        return [(row[0], row[1]) for row in rows]
    except sqlite3.OperationalError as exc:
        raise fts.QueryError(f"cannot search for {words!r}: {exc}") from exc


def facet_values(conn: sqlite3.Connection, document_ids: list[int]) -> list[tuple]:
    """``(id, language or '', type, year, source locator)`` of the given documents, one row per current source of
    each (a document found nowhere now: one row, locator ``None``)."""
    # CROSS JOIN: SQLite keeps this order (the given documents first)
    return tuples(conn, "SELECT d.id, COALESCE(d.language, ''), d.doc_type, substr(d.published, 1, 4), s.locator "
                        "FROM json_each(?) j CROSS JOIN documents d LEFT JOIN document_links fl "
                        "ON fl.document_id = d.id AND fl.current = 1 LEFT JOIN sources s ON s.id = fl.source_id "
                        "WHERE d.id = j.value", (json.dumps(document_ids),))
