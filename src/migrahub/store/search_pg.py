"""Full-text search on PostgreSQL: the same queries, filters and results as :mod:`migrahub.store.search` on SQLite.

A user's query is read by :func:`migrahub.store.search.fts_query` on both backends (words, "phrases", AND/OR/NOT,
groups, prefix*). Here its terms become a ``tsquery``: each word is stemmed by the configurations of the hub's
languages (english, french, spanish, german) and taken as it is (simple), so a query finds a passage in any of them;
a filter on the language uses that language's configuration alone. Passages are indexed with the configuration of
their document's language (migration ``002_search_postgresql.sql``), ranked with ``ts_rank`` (normalised by the log
of the passage length) within the same window of newest matches as on SQLite, and their snippets come from
``ts_headline``.
"""

from __future__ import annotations

import re

from migrahub.store.database import hub_counter, transaction

RECENT = 5_000  # newest passages searched in id order first: the share of matches among them chooses the plan
LANGUAGES = {"en": "english", "fr": "french", "es": "spanish", "de": "german"}
_TOKEN = re.compile(r'"(?:[^"]|"")*"\*?|\(|\)|AND|OR|NOT')


class _Query:
    """A tsquery built from an FTS5 expression of :func:`fts_query`, as SQL with its parameters."""

    def __init__(self, match: str, language: str | None):
        self.configs = ([LANGUAGES[language]] if language in LANGUAGES else list(LANGUAGES.values())) + ["simple"]
        self.params: list = []
        self.tokens = _TOKEN.findall(match)
        self.pos = 0
        self.sql = self._or()

    def _peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _or(self) -> str:
        parts = [self._and()]
        while self._peek() == "OR":
            self.pos += 1
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else "(" + " || ".join(parts) + ")"

    def _and(self) -> str:
        parts = [self._unary()]
        while self._peek() not in (None, "OR", ")"):
            if self._peek() == "AND":
                self.pos += 1
                parts.append(self._unary())
            elif self._peek() == "NOT":
                self.pos += 1
                parts.append("!!" + self._unary())
            else:
                parts.append(self._unary())
        return parts[0] if len(parts) == 1 else "(" + " && ".join(parts) + ")"

    def _unary(self) -> str:
        token = self._peek()
        self.pos += 1
        if token == "(":
            inner = self._or()
            self.pos += 1  # the closing parenthesis
            return inner
        return self._term(token or '""')

    def _term(self, token: str) -> str:
        prefix = token.endswith("*")
        words = token.rstrip("*")[1:-1].replace('""', '"').split()
        if prefix:
            self.params.append(" <-> ".join(_lexeme(w) for w in words) + ":*")
            return "to_tsquery('simple', mh_fold(%s))"
        # each distinct stem once: the five configurations give the same lexeme for most words, and every
        # duplicate counts again in the planner's estimate of the rows that match (a wrong plan past 100k passages)
        self.params.extend([" ".join(words), self.configs])
        return "mh_any_config(%s, %s::regconfig[])"


def _lexeme(word: str) -> str:
    return "'" + word.replace("'", "''").replace("\\", "\\\\") + "'"


def tsquery(match: str, language: str | None = None) -> tuple[str, list]:
    """The SQL of the tsquery for an FTS5 expression of :func:`fts_query`, and its parameters."""
    query = _Query(match, (language or "").lower() or None)
    return query.sql, query.params


def _facet_conditions(filters) -> tuple[list[str], list]:
    from migrahub.store.search import _year_range

    where, params = [], []
    if filters.language:
        where.append("f.facets @> ARRAY[%s]")
        params.append("xlang" + filters.language.lower())
    if filters.doc_type:
        where.append("f.facets @> ARRAY[%s]")
        params.append("xtype" + re.sub(r"\W", "", filters.doc_type))
    years = _year_range(filters.since, filters.until)
    if years:
        where.append("f.facets && %s")
        params.append(years)
    return where, params


def newest_matches(conn, match: str, filters, limit: int) -> list[tuple[int, int]]:
    """``(passage id, document id)`` of the newest ``limit`` current passages matching under ``filters``."""
    from migrahub.store.search import document_conditions

    q, q_params = tsquery(match, filters.language)
    where, params = _facet_conditions(filters)
    doc_where, doc_params = document_conditions(filters, tokenized=True)
    doc_where = [native(condition) for condition in doc_where]
    joins = "JOIN passages p ON p.id = f.id" + (" JOIN documents d ON d.id = p.document_id" if doc_where else "")
    conditions = " AND ".join([f"f.words @@ {q}", *where, *doc_where])
    values = [*q_params, *params, *doc_params]
    # 1. the newest RECENT passages in id order: a word in many passages fills the window here at a bounded cost
    rows = _newest_in(conn, RECENT, joins, conditions, values, limit)
    everything = conn.native("SELECT max(id) FROM passages_fts").fetchone()[0] or 0
    if len(rows) == limit or everything <= RECENT:
        return rows
    # 2. The planner's estimates cannot see how words and filters go together (a word common in one language under
    # a filter on another: it walked all 1M passages in id order for 71 matches, 2 s), so the share of matches
    # among the newest passages decides: walk on in id order as far as that share says the window ends, when that
    # is less work than reading every match (share² × passages > limit)...
    share = len(rows) / RECENT
    if share * share * everything > limit:
        span = int(limit / share * 1.5)
        rows = _newest_in(conn, span, joins, conditions, values, limit)
        if len(rows) == limit or span >= everything:
            return rows
    # 3. ...else every match through the GIN indexes, then the newest ("+ 0": not in id order)
    return [(row[0], row[1]) for row in conn.native(
        f"SELECT f.id, p.document_id FROM passages_fts f {joins} WHERE {conditions} ORDER BY f.id + 0 DESC LIMIT %s",
        [*values, limit])]


def _newest_in(conn, span: int, joins: str, conditions: str, values: list, limit: int) -> list[tuple[int, int]]:
    """The newest ``limit`` matches among the newest ``span`` indexed passages (read in id order)."""
    return [(row[0], row[1]) for row in conn.native(
        f"SELECT f.id, p.document_id FROM (SELECT id, words, facets FROM passages_fts ORDER BY id DESC LIMIT %s) f "
        f"{joins} WHERE {conditions} ORDER BY f.id DESC LIMIT %s", [span, *values, limit])]


def native(condition: str) -> str:
    """A condition of ``document_conditions`` (SQLite's dialect) in PostgreSQL's, placeholders included."""
    from migrahub.store import dialect

    return dialect.condition(condition)


def ranked(conn, match: str, window: list[int], want: int, language: str | None) -> list[tuple[int, float]]:
    """The best ``want`` passages of the window: exact phrases first (a query of plain words), then by rank."""
    from migrahub.store.search import _phrase_of

    phrase = _phrase_of(match)
    first = phrase_ids(conn, phrase, window, language) if phrase else []
    return rank(conn, match, window, want, first, language)


def phrase_ids(conn, phrase: str, window: list[int], language: str | None) -> list[int]:
    q, q_params = tsquery(phrase, language)
    return [row[0] for row in conn.native(
        # the window's rows by id, then the phrase on each ("OFFSET 0": else the planner may read the phrase's words
        # from the GIN index for the whole table, 0.4 s at 1M passages)
        f"SELECT f.id FROM (SELECT id, words FROM passages_fts WHERE id = ANY(%s::bigint[]) OFFSET 0) f "
        f"WHERE f.words @@ {q}", [_array(window), *q_params])]


def _array(ids: list[int]) -> str:
    """Ids as one PostgreSQL array literal: psycopg adapting a list of 2,000 ints costs ~10 ms a call."""
    return "{" + ",".join(str(int(i)) for i in ids) + "}"


def rank(conn, match: str, window: list[int], limit: int, first: list[int], language: str | None
         ) -> list[tuple[int, float]]:
    """The best ``limit`` passages of the window by ``ts_rank`` (as a negative score, lower is better, like
    BM25 on SQLite), the exact-phrase matches ``first`` ahead."""
    q, q_params = tsquery(match, language)
    order = "f.id = ANY(%s::bigint[]) DESC, score" if first else "score"
    # every row of the window matches already (newest_matches): testing @@ again costs more than ranking it
    return [(row[0], row[1]) for row in conn.native(
        f"SELECT f.id, -ts_rank(f.words, {q}, 1) AS score FROM passages_fts f "
        f"WHERE f.id = ANY(%s::bigint[]) ORDER BY {order}, f.id DESC LIMIT %s",
        [*q_params, _array(window), *([_array(first)] if first else []), limit])]


def snippets(conn, match: str, ids: list[int], language: str | None, start: str, end: str) -> dict[int, str]:
    """Each passage's best fragment with the matched words between ``start`` and ``end`` (adjacent matched words,
    as in a phrase, in one highlight)."""
    q, q_params = tsquery(match, language)
    options = f"StartSel={start}, StopSel={end}, MaxWords=24, MinWords=10, ShortWord=2, MaxFragments=1"
    return {row[0]: re.sub(f"{re.escape(end)}(\\s+){re.escape(start)}", r"\1", row[1]) for row in conn.native(
        f"SELECT f.id, ts_headline(f.config, p.text, {q}, %s) FROM passages_fts f JOIN passages p ON p.id = f.id "
        "WHERE f.id = ANY(%s)", [*q_params, options, ids])}


def index_pending(conn) -> int:
    """Index every passage of a current document not in the index yet (see ``store.search.index_pending``)."""
    with transaction(conn):
        through = hub_counter(conn, "fts_through")
        last = conn.execute("SELECT max(id) FROM passages").fetchone()[0] or 0
        n = 0
        if last > through:
            n = _insert(conn, "p.id > %s AND p.id <= %s AND p.indexed = 1", (through, last))
            conn.execute("UPDATE hub_state SET value = ? WHERE key = 'fts_through'", (last,))
        waiting = [row[0] for row in conn.execute(
            "SELECT p.id FROM passages p JOIN documents d ON d.id = p.document_id "
            "WHERE p.indexed = 0 AND d.superseded = 0")]
        if waiting:
            _insert(conn, "p.id = ANY(%s)", (waiting,))
            conn.native("UPDATE passages SET indexed = 1 WHERE id = ANY(%s)", (waiting,))
        return n + len(waiting)


def _insert(conn, where: str, params) -> int:
    return conn.native(
        "INSERT INTO passages_fts(id, config, words, facets) "
        "SELECT p.id, mh_text_config(d.language), to_tsvector(mh_text_config(d.language), mh_fold(p.text)), "
        f"string_to_array(p.facets, ' ') FROM passages p JOIN documents d ON d.id = p.document_id WHERE {where} "
        "ON CONFLICT (id) DO NOTHING", params).rowcount


def unindex_document(conn, document_id: int) -> None:
    conn.execute("DELETE FROM passages_fts WHERE id IN (SELECT id FROM passages WHERE document_id = ?)",
                 (document_id,))
    conn.execute("UPDATE passages SET indexed = 0 WHERE document_id = ? AND indexed = 1", (document_id,))


def optimize(conn) -> None:
    """Refresh the planner's statistics of the index (PostgreSQL merges GIN entries itself)."""
    conn.native("ANALYZE passages_fts")
