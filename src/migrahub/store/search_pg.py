"""Full-text search on PostgreSQL: the same queries, filters and results as :mod:`migrahub.store.search` on SQLite.

A user's query is read by :func:`migrahub.store.search.fts_query` on both backends (words, "phrases", AND/OR/NOT,
groups, prefix*). Here its terms become a ``tsquery``: each word is stemmed by the configurations of the hub's
languages (english, french, spanish, german) and taken as it is (simple), so a query finds a passage in any of them;
a filter on the language uses that language's configuration alone. Passages are indexed with the configuration of
their document's language (migration ``002_search_postgresql.sql``), their punctuation read as spaces as SQLite's
tokenizer reads it (``mh_words``, migration ``065``: a hyphenated word, a host name or a decimal is its words, so
"a one-stop shop" is a phrase there as on SQLite), with their document's filter tokens and
their block of ids as lexemes of the same tsvector (``017_search_tokens_postgresql.sql``: filters and "newest first"
are one GIN search, see :func:`newest_matches`), ranked with ``ts_rank`` (normalised by the log
of the passage length) within the same window of newest matches as on SQLite, and their snippets come from
``ts_headline``.
"""

from __future__ import annotations

import re

from migrahub.store.database import has_table, hub_counter, transaction

BLOCK_BITS = 13  # passages of a block token: ids id >> 13 (8,192 passages; migration 017 mh_search_tokens)
BLOCK = 1 << BLOCK_BITS
MAX_BLOCKS = 256  # blocks in one search at most: the OR of their tokens is one key of the GIN scan, which skips
# through it (see _matches); what a block costs is its matches read from the table
ALL_AT_ONCE = 2_000  # fewer older matches expected than this: read them all in one search (see newest_matches)…
OVERREAD = 2  # …or fewer than this many times the matches the window still needs
RANGE_SHARE = 0.5  # a search of more than this share of the blocks left is a range of ids, not their tokens
MAX_EXPANSION = 128  # a prefix standing for more indexed words than this is left to GIN's partial match
PREFIX_SAMPLE = 2_048  # a prefix's share of the newest passages is counted over this many ids, without the index…
PREFIX_MARGIN = 2  # …and its first search spans the blocks for this many windows at that share (see _prefix_span)
LANGUAGES = {"en": "english", "fr": "french", "es": "spanish", "de": "german"}
_TOKEN = re.compile(r'"(?:[^"]|"")*"\*?|\(|\)|AND|OR|NOT')
_PREFIXED = re.compile(r"'((?:[^'\\]|''|\\.)*)':\*")  # a prefix lexeme in a tsquery's text: 'integr':*


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


def _facet_query(filters, sources: list[str] | None) -> list[str]:
    """The filter tokens of ``filters`` (language, type, dates, and the source filter's ``sources``:
    ``store.search.source_tokens``) as tsquery literals, one per filter: they are lexemes of the passages' tsvectors
    (migrations 017 and 062), so the filters and the words are one GIN search. The twin of
    ``store.search.filter_tokens``. Each is its own condition of that search (see :func:`_matches`)."""
    from migrahub.store.search import date_tokens

    parts = []
    if filters.language:
        parts.append(_lexeme("xlang" + filters.language.lower()))
    if filters.doc_type:
        parts.append(_lexeme("xtype" + re.sub(r"\W", "", filters.doc_type)))
    dates = date_tokens(filters.since, filters.until)
    if dates:
        parts.append(" | ".join(_lexeme(t) for t in dates))
    if sources:
        parts.append(" | ".join(_lexeme(t) for t in sources))
    return parts


def _blocks(first: int, last: int) -> str:
    """The block tokens of the blocks ``first`` to ``last`` as a tsquery literal."""
    return " | ".join(_lexeme(f"xb{b}") for b in range(first, last + 1))


def newest_matches(conn, match: str, filters, limit: int, scores: dict[int, tuple[bool, float]] | None = None
                   ) -> list[tuple[int, int]]:
    """``(passage id, document id)`` of the newest ``limit`` current passages matching under ``filters``.

    Blocks of :data:`BLOCK` passage ids are searched newest first, each a GIN search of the words, the filter tokens
    and the blocks' tokens together (no walk over rows that do not match, no read of every match of a common word):
    the newest block first (two when it holds under a block's worth), then as many blocks as the matches found so
    far say the window needs (half again as many). Every older match is read in one search instead when nothing
    matched yet, when the matches found so far say fewer than :data:`ALL_AT_ONCE` are left or fewer than
    :data:`OVERREAD` times what the window still needs (each search intersects the words' posting lists again: for
    common words that costs more than reading a few thousand rows; but reading 8,000 rows where 2,000 are kept, for
    a selective filter, costs more than a second search), or when the window needs more than :data:`MAX_BLOCKS`
    blocks. A common word fills the window from the newest block; a rare one costs two index searches. With
    ``scores``, each match's rank is read with it (see :func:`ranked`)."""
    from migrahub.store.search import SOURCE_EXISTS, document_conditions, source_documents, source_tokens

    q, q_params = tsquery(match, filters.language)
    exact = _exact_prefixes(conn, q, q_params) if "*" in match else None
    partial = "*" in match and exact is None  # GIN reads every posting of the words a prefix stands for
    q, q_params = exact or (q, q_params)
    sources = source_tokens(conn, filters.source)
    if sources == []:
        return []
    facets = _facet_query(filters, sources)
    doc_where, doc_params = document_conditions(filters, tokenized=True, source=False)
    documents, doc_where, doc_params = _documents(conn, doc_where, doc_params)
    if filters.source and sources is None:
        listed = source_documents(conn, filters.source)
        if listed is None:  # many documents: each match's links are tested
            doc_where.append(SOURCE_EXISTS.format(column="f.document_id"))
            doc_params.append(filters.source)
        else:
            documents = set(listed) if documents is None else documents & set(listed)
    if documents is not None and not documents:
        return []
    conditions = [_day_bound(c, filters) or native(c) for c in doc_where]
    if documents is not None:
        conditions.append(f"f.document_id = ANY('{_array(sorted(documents))}'::bigint[])")
    joins = " JOIN documents d ON d.id = f.document_id" if any(re.search(r"\bd\.", c) for c in conditions) else ""
    top = conn.native("SELECT max(id) FROM passages_fts").fetchone()[0]
    if top is None:
        return []
    rows: list[tuple[int, int]] = []
    last = top >> BLOCK_BITS
    span = last - (max(top - BLOCK, 0) >> BLOCK_BITS) + 1  # a whole block's worth at least
    if partial:
        span = max(span, _prefix_span(conn, q, q_params, facets, top, limit))
    rank = None if scores is None else _Rank(match, filters.language, scores)
    while last >= 0 and len(rows) < limit:
        first = max(last - span + 1, 0)
        ranged = first == 0 or span > RANGE_SHARE * (last + 1)  # most of the blocks left: see _matches
        tokens = [*facets, *([] if ranged else [_blocks(first, last)])]
        bound = [f"f.id + 0 BETWEEN {first << BLOCK_BITS} AND {((last + 1) << BLOCK_BITS) - 1}"] if ranged else []
        rows += _matches(conn, q, q_params, tokens, joins, [*conditions, *bound], doc_params, limit - len(rows),
                         rank)
        last = first - 1
        searched = top - (first << BLOCK_BITS) + 1
        older = len(rows) / searched * (last + 1) * BLOCK  # the matches expected in the older blocks
        needed = (limit - len(rows)) * searched * 1.5 / max(len(rows), 1)  # the passages the window still needs
        span = (int(needed) >> BLOCK_BITS) + 1
        if not rows or older <= max(ALL_AT_ONCE, OVERREAD * (limit - len(rows))) or span > MAX_BLOCKS:
            span = last + 1
    return rows


def _day_bound(condition: str, filters) -> str | None:
    """A day bound of the date range (a ``since`` or ``until`` within its month: ``document_conditions`` tests it on
    the document) as a test of the document for the passages of that month alone. The date tokens already hold
    every match to the range's months, and any month but the bound's is wholly inside it: the passages of the other
    months are not joined to their documents (1,756 lookups, 7 ms, for ``city card`` from 2019-03-01 at 1M)."""
    from migrahub.store.search import SINCE_TEST, UNTIL_TEST

    for test, date in ((SINCE_TEST, filters.since), (UNTIL_TEST, filters.until)):
        if condition == test.format(alias="d"):
            month = _lexeme(f"xm{date[:4]}{date[5:7]}")
            return (f"(NOT f.words @@ {month}::tsquery OR EXISTS (SELECT 1 FROM documents dated "
                    f"WHERE dated.id = f.document_id AND {native(test.format(alias='dated'))}))")
    return None


def _exact_prefixes(conn, q: str, q_params: list) -> tuple[str, list] | None:
    """The tsquery ``q`` with each ``prefix:*`` replaced by the OR of the indexed words it stands for, read from the
    index's lexicon (``passages_fts_lexemes``, migration 064: every lexeme of every tsvector ever indexed); ``None``
    when a prefix stands for no word or for more than :data:`MAX_EXPANSION` (GIN's partial match is left to them).

    The same matches: a prefix matches exactly the lexemes that begin with it. But GIN reads a partial match whole,
    every posting of every word, in each search (93,000 postings for ``integr*`` at 1M passages, about 25 ms), while
    it steps through exact words and skips ahead to the blocks and filters searched, as for any word."""
    if not has_table(conn, "passages_fts_lexemes"):  # a hub opened read-only before migration 064
        return None
    text = conn.native(f"SELECT ({q})::text", q_params).fetchone()[0]
    pieces, at = [], 0
    for found in _PREFIXED.finditer(text):
        prefix = found.group(1).replace("''", "'").replace("\\\\", "\\")
        words = [row[0] for row in conn.native(
            "SELECT lexeme FROM passages_fts_lexemes WHERE lexeme >= %s AND lexeme < %s ORDER BY lexeme LIMIT %s",
            [prefix, prefix + "\U0010ffff", MAX_EXPANSION + 1])]
        if not words or len(words) > MAX_EXPANSION:
            return None
        pieces += [text[at:found.start()], "(" + " | ".join(_lexeme(w) for w in words) + ")"]
        at = found.end()
    return "%s::tsquery", ["".join([*pieces, text[at:]])]


def _prefix_span(conn, q: str, q_params: list, facets: list[str], top: int, limit: int) -> int:
    """The blocks the first search of a query with a ``prefix*`` spans: enough for :data:`PREFIX_MARGIN` windows at
    the query's share of the newest :data:`PREFIX_SAMPLE` passages (0 when none of them matches).

    The GIN index finds a prefix's matches by reading every posting of every word it stands for, in each search
    (13 words and 93,000 postings for ``integr*`` at 1M passages, about 25 ms), so a second search costs as much
    again. Testing the newest passages' tsvectors one by one costs about 4 ms and tells how many blocks one search
    needs."""
    tests = " AND ".join([f"words @@ {q}", *["words @@ %s::tsquery"] * len(facets)])
    found = conn.native(f"WITH newest AS MATERIALIZED (SELECT words FROM passages_fts WHERE id > %s) "
                        f"SELECT count(*) FROM newest WHERE {tests}",
                        [top - PREFIX_SAMPLE, *q_params, *facets]).fetchone()[0]
    return (int(limit * PREFIX_MARGIN * PREFIX_SAMPLE / found) >> BLOCK_BITS) + 1 if found else 0


_OF_DOCUMENTS = "d.id IN ("


def _documents(conn, conditions: list[str], params: list) -> tuple[set[int] | None, list[str], list]:
    """The documents the ``d.id IN (…)`` conditions of ``document_conditions`` (source, country, entities) allow,
    read once (``None`` when there are none), and the other conditions with their parameters: PostgreSQL then
    intersects the documents' passages with the words' matches through the index of their document ids instead of
    testing the condition on each match of a common word."""
    from migrahub.store.search import MAX_DOCUMENTS

    allowed, kept, kept_params = None, [], []
    for condition in conditions:
        count = condition.count("?")
        mine, params = params[:count], params[count:]
        found = None
        if condition.startswith(_OF_DOCUMENTS):
            found = {row[0] for row in conn.execute(condition[len(_OF_DOCUMENTS):-1] + " LIMIT ?",
                                                    [*mine, MAX_DOCUMENTS + 1])}
        if found is not None and len(found) <= MAX_DOCUMENTS:
            allowed = found if allowed is None else allowed & found
        else:  # many documents: a list of them costs more to send and test than the condition
            kept.append(condition)
            kept_params.extend(mine)
    return allowed, kept, kept_params


class _Rank:
    """How a window is ranked: each passage's ``ts_rank`` for the query and, for a query of plain words, whether it
    holds them as an exact phrase (those first). :func:`_matches` reads both with each match into ``scores``;
    :func:`ranked` reads them for a window it is given."""

    def __init__(self, match: str, language: str | None, scores: dict[int, tuple[bool, float]] | None = None):
        from migrahub.store.search import _phrase_of

        self.q, self.q_params = tsquery(match, language)
        phrase = _phrase_of(match)
        self.first, self.first_params = tsquery(phrase, language) if phrase else ("", [])
        self.scores = {} if scores is None else scores

    def phrase(self, alias: str) -> str:
        return f"{alias}.words @@ {self.first}" if self.first else "false"

    def select(self, inner: str) -> str:
        return (f"SELECT w.id, w.document_id, -ts_rank(w.words, {self.q}, 1), {self.phrase('w')} "
                f"FROM ({inner}) w ORDER BY w.id DESC")


def _matches(conn, q: str, q_params: list, tokens: list[str], joins: str, conditions: list[str], params: list,
             limit: int, rank: _Rank | None = None) -> list[tuple[int, int]]:
    """The newest ``limit`` passages matching the words ``q`` and each of the ``tokens``, read through the GIN index
    ("+ 0": the planner may not walk the table in id order hoping to meet matches soon).

    The words and each filter's tokens are separate conditions, so separate keys of one GIN scan: the scan steps
    through the rarest key's postings and skips ahead in the others. In one tsquery, an OR of tokens (a range of
    blocks, the years of a date range) with fewer postings each than the words would be read whole, posting by
    posting: the newest 2,000 of 16,828 matches of ``Flüchtlinge`` among 25 blocks, 40 to 70 ms that way and 9 ms
    this way at 1M passages. But GIN steps each of an OR's entries along: a search of most of the blocks left is a
    range of ids instead (a test of each match read), which costs less than their tokens (``babipufi`` from one
    source in 83 of 121 blocks at 1M passages: 23 ms with the blocks' tokens, 13 ms with the range)."""
    where = " AND ".join([f"f.words @@ {q}", *["f.words @@ %s::tsquery"] * len(tokens), *conditions])
    columns = "f.id, f.document_id" + (", f.words" if rank else "")
    sql = f"SELECT {columns} FROM passages_fts f{joins} WHERE {where} ORDER BY f.id + 0 DESC LIMIT %s"
    values = [*q_params, *tokens, *params, limit]
    if rank is None:
        return conn.native_tuples(sql, values)
    rows = conn.native_tuples(rank.select(sql), [*rank.q_params, *rank.first_params, *values])
    rank.scores.update((i, (phrase, score)) for i, _doc, score, phrase in rows)
    return [(i, doc) for i, doc, _score, _phrase in rows]


def native(condition: str) -> str:
    """A condition of ``document_conditions`` (SQLite's dialect) in PostgreSQL's, placeholders included."""
    from migrahub.store import dialect

    return dialect.condition(condition)


def ranked(conn, match: str, window: list[int], want: int, language: str | None,
           scores: dict[int, tuple[bool, float]] | None = None) -> list[tuple[int, float]]:
    """The best ``want`` passages of the window by ``ts_rank`` (as a negative score, lower is better, like BM25 on
    SQLite), for a query of plain words the passages holding them as an exact phrase first: one read of the window's
    rows tests the phrase and ranks (every row of the window matches the words already, see
    :func:`newest_matches`: testing them again costs more than ranking). With the ``scores`` that
    :func:`newest_matches` read with the window (a read of 2,000 rows by id saved: 8 ms at 1M passages), no read."""
    if scores is not None and all(i in scores for i in window):
        order = sorted(window, key=lambda i: (not scores[i][0], scores[i][1], -i))
        return [(i, scores[i][1]) for i in order[:want]]
    rank = _Rank(match, language)
    order = f"{rank.phrase('f')} DESC, score" if rank.first else "score"
    return conn.native_tuples(
        f"SELECT f.id, -ts_rank(f.words, {rank.q}, 1) AS score FROM passages_fts f "
        f"WHERE f.id = ANY(%s::bigint[]) ORDER BY {order}, f.id DESC LIMIT %s",
        [*rank.q_params, _array(window), *rank.first_params, want])


def _array(ids: list[int]) -> str:
    """Ids as one PostgreSQL array literal: psycopg adapting a list of 2,000 ints costs ~10 ms a call."""
    return "{" + ",".join(str(int(i)) for i in ids) + "}"


def snippets(conn, match: str, ids: list[int], language: str | None, start: str, end: str) -> dict[int, str]:
    """Each passage's best fragment with the matched words between ``start`` and ``end`` (adjacent matched words,
    as in a phrase, in one highlight). ``ts_headline`` reads the passage with its punctuation as spaces
    (``mh_spaced``, as the index reads it: "a one-stop shop" is a phrase there too); the fragment it picks is then
    given back in the passage's own text (:func:`_in_text`)."""
    q, q_params = tsquery(match, language)
    options = f"StartSel={start}, StopSel={end}, MaxWords=24, MinWords=10, ShortWord=2, MaxFragments=1"
    joined = re.compile(f"{re.escape(end)}(\\s+){re.escape(start)}")
    rows = conn.native_tuples(
        f"SELECT f.id, ts_headline(f.config, s.spaced, {q}, %s), s.spaced, p.text FROM passages_fts f "
        "JOIN passages p ON p.id = f.id CROSS JOIN LATERAL (SELECT mh_spaced(p.text) AS spaced) s "
        "WHERE f.id = ANY(%s)", [*q_params, options, ids])
    return {pid: _in_text(joined.sub(r"\1", marked), spaced, text, start, end) for pid, marked, spaced, text in rows}


def _in_text(marked: str, spaced: str, text: str, start: str, end: str) -> str:
    """The fragment ``marked`` (``ts_headline`` of ``spaced``, which keeps every offset of ``text``) with its marks,
    in ``text`` itself: the punctuation back where the headline read spaces."""
    pieces = re.split(f"([{re.escape(start)}{re.escape(end)}])", marked)
    plain = "".join(piece for piece in pieces if piece not in (start, end))
    at = spaced.find(plain)
    if at < 0 or len(spaced) != len(text):
        return marked
    out = []
    for piece in pieces:
        if piece in (start, end):
            out.append(piece)
        else:
            out.append(text[at:at + len(piece)])
            at += len(piece)
    return "".join(out)


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
        if n or waiting:
            merge_pending(conn)
        return n + len(waiting)


def merge_pending(conn) -> None:
    """Move the GIN index's pending list into its tree. GIN adds new entries to an unsorted list first, which every
    search reads whole until autovacuum merges it (up to 4 MB: a search at 1M passages took 96 ms with 300 pages of
    it, 53 ms once merged). Merged after each batch of indexing instead, the batch keeps its fast insertion. Only
    the index's owner may merge it: a hub's role that does not own its tables leaves it to autovacuum."""
    conn.native("SELECT gin_clean_pending_list(c.oid) FROM pg_class c "
                "WHERE c.oid = 'passages_fts_words'::regclass AND pg_has_role(c.relowner, 'USAGE')")


def _insert(conn, where: str, params) -> int:
    """Index the passages ``where`` selects, and add their words to the lexicon (see :func:`_exact_prefixes`)."""
    return conn.native(
        "WITH added AS (INSERT INTO passages_fts(id, document_id, config, words) "
        "SELECT p.id, p.document_id, mh_text_config(d.language), "
        "to_tsvector(mh_text_config(d.language), mh_words(p.text)) || mh_search_tokens(string_to_array(p.facets, ' '), "
        "p.id) FROM passages p JOIN documents d ON d.id = p.document_id "
        f"WHERE {where} ON CONFLICT (id) DO NOTHING RETURNING words), "
        "lexicon AS (INSERT INTO passages_fts_lexemes(lexeme) SELECT DISTINCT unnest(tsvector_to_array(words)) "
        "FROM added ON CONFLICT DO NOTHING) SELECT count(*) FROM added", params).fetchone()[0]


def unindex_document(conn, document_id: int) -> None:
    conn.execute("DELETE FROM passages_fts WHERE id IN (SELECT id FROM passages WHERE document_id = ?)",
                 (document_id,))
    conn.execute("UPDATE passages SET indexed = 0 WHERE document_id = ? AND indexed = 1", (document_id,))


def optimize(conn) -> None:
    """Refresh the planner's statistics of the index (PostgreSQL merges GIN entries itself)."""
    conn.native("ANALYZE passages_fts")
