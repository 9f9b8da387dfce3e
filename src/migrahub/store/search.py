"""Full-text search over passages: BM25 ranking, highlighted snippets, phrase and boolean queries, filters.

The user's query is translated into a safe FTS5 expression by :func:`fts_query` so that punctuation in ordinary
queries ("city-card", "Zürich's") never becomes FTS5 syntax. Supported: bare words (all must match), ``"exact
phrases"``, ``AND``/``OR``/``NOT`` in capitals, parentheses, and ``prefix*``.
"""

from __future__ import annotations

import calendar
import json
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date

from migrahub.store import search_pg
from migrahub.store.database import backend, has_table, hub_counter, snapshot, tuples

HL_START, HL_END = "\x02", "\x03"
RANK_WINDOW = 2000  # words matching more passages than this: the newest RANK_WINDOW matches are ranked
COMMON_SAMPLE = 20_000  # newest passages in which a word's share is measured (a bounded, cheap count)
COMMON_SHARE = 0.25  # a word in at least this share of them (BM25 gives it an IDF of 1.1 or less)…
COMMON_POSTINGS = 20_000  # …and in about this many passages of the whole index is left out of the BM25 score
_TOKEN = re.compile(r'"[^"]*"?|\(|\)|[^\s()"]+')
_WORD = re.compile(r"\w+", re.UNICODE)
_POSSESSIVE = re.compile(r"['’]s\b", re.IGNORECASE)  # Zürich's → Zürich
_ELISION = re.compile(r"\b(?:[cdjlmnst]|qu)['’](?=\w)", re.IGNORECASE)  # l'accueil → accueil
_OPERATORS = ("AND", "OR", "NOT")
MAX_GROUP_DEPTH = 8  # FTS5's parser stack holds 13 levels of groups with every operator pending in each


class QueryError(ValueError):
    """The search query cannot be understood; the message says why."""


@dataclass(frozen=True)
class SearchFilters:
    language: str | None = None
    doc_type: str | None = None
    source: str | None = None  # substring of a source locator (path or URL)
    since: str | None = None  # ISO date, inclusive, on the published date
    until: str | None = None  # ISO date, inclusive
    country: str | None = None  # ISO 3166 code: documents mentioning a place in that country
    mentioning: tuple[int, ...] = ()  # entity ids: documents mentioning every one of them
    limit: int = 10
    offset: int = 0


@dataclass(frozen=True)
class Hit:
    passage_id: int
    document_id: int
    title: str | None
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    start: int
    end: int
    section: tuple[str, ...]
    score: float  # BM25, higher is better; 0.0 when every word was too common to score (newest first)
    language: str | None
    doc_type: str
    published: str | None
    url: str | None
    sources: tuple[str, ...] = field(default=())
    ranked_within: int | None = None  # None: ranked among every match; N: among the N newest matches (RANK_WINDOW)

    def as_dict(self) -> dict:
        return {
            "passage_id": self.passage_id, "document_id": self.document_id, "title": self.title,
            "snippet": self.snippet, "highlights": [list(h) for h in self.highlights], "start": self.start,
            "end": self.end, "section": list(self.section), "score": round(self.score, 4), "language": self.language,
            "type": self.doc_type, "published": self.published, "url": self.url, "sources": list(self.sources),
            "ranked_within": self.ranked_within,
        }


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def fts_query(query: str) -> str:
    """Translate a user query into an FTS5 MATCH expression, or raise :class:`QueryError`.

    Groups are read as users mean them where FTS5 would refuse them: a group beside a term or another group is
    joined with ``AND``, an empty group ``()`` is left out, an operator left dangling before ``)`` is dropped, and
    ``AND NOT`` means ``NOT``. A group of one term is that term. Parentheses nested deeper than
    :data:`MAX_GROUP_DEPTH` are read as if absent (FTS5's parser stack holds about a hundred entries). Unbalanced
    parentheses, an operator at either end of the query, and a query or group that starts with ``NOT`` are errors.
    """
    groups: list[list[str]] = [[]]  # the open groups, outermost first: terms, closed groups and operators
    ignored = 0  # parentheses opened beyond MAX_GROUP_DEPTH, read as if absent
    for token in _TOKEN.findall(query):
        if token == "(":
            if len(groups) > MAX_GROUP_DEPTH:
                ignored += 1
            else:
                groups.append([])
        elif token == ")":
            if ignored:
                ignored -= 1
            elif len(groups) == 1:
                raise QueryError("unbalanced ')' in the query")
            elif group := _closed(groups.pop()):
                _operand(groups[-1], group)
        elif token in _OPERATORS:
            _operator(groups[-1], token, first_word="a query" if len(groups) == 1 else "a group")
        elif term := _term(token):
            _operand(groups[-1], term)
    if len(groups) > 1 or ignored:
        raise QueryError("unbalanced '(' in the query")
    out = groups[0]
    if not out:
        raise QueryError("the query has no words to search for")
    if out[-1] in _OPERATORS:
        raise QueryError(f"'{out[-1]}' needs a term after it")
    return " ".join(out)


def _term(token: str) -> str | None:
    """A word or phrase of the query as an FTS5 string (``None`` when it has no word characters)."""
    if token.startswith('"'):
        words = _WORD.findall(token.strip('"'))
        return _quote(" ".join(words)) if words else None
    prefix = token.endswith("*")
    words = _WORD.findall(_ELISION.sub("", _POSSESSIVE.sub("", token.rstrip("*"))))
    if not words:
        return None
    # "city-card" means the phrase "city card", as the tokenizer splits it in the text
    return _quote(" ".join(words)) + ("*" if prefix else "")


def _operand(out: list[str], item: str) -> None:
    """Add a term or a closed group; FTS5 joins adjacent terms with an implicit AND, but not a group and its
    neighbour."""
    if out and out[-1] not in _OPERATORS and (item.startswith("(") or out[-1].startswith("(")):
        out.append("AND")
    out.append(item)


def _operator(out: list[str], token: str, first_word: str) -> None:
    if not out:
        if token == "NOT":
            raise QueryError(f"{first_word} cannot start with NOT (FTS5 needs something to exclude from)")
        raise QueryError(f"'{token}' needs a term before it")
    if out[-1] == "AND" and token == "NOT":
        out[-1] = "NOT"
    elif out[-1] in _OPERATORS:
        raise QueryError(f"'{token}' needs a term before it")
    else:
        out.append(token)


def _closed(items: list[str]) -> str | None:
    """A group as one FTS5 operand: without operators dangling at its end; ``None`` when it holds no term."""
    while items and items[-1] in _OPERATORS:
        items.pop()
    if not items:
        return None
    return items[0] if len(items) == 1 else "( " + " ".join(items) + " )"


def facet_tokens(language: str | None, doc_type: str, published: str | None, sources: tuple[int, ...] = ()) -> str:
    """The filter tokens indexed with each passage of a document: ``xlangen xtypepdf xy2019 xm201906 xsrc3``
    (``xm201900`` for a date of a year alone).

    They are plain alphanumeric words so the FTS5 tokenizer keeps each one whole; filters then become part of the
    one FTS5 query (``… AND facets : xlangen``) instead of a join per matching row. ``sources`` are the ids of the
    sources the document was found through (:func:`add_source_token` adds one found later).
    """
    tokens = [f"xlang{language or 'none'}", "xtype" + re.sub(r"\W", "", doc_type)]
    year = (published or "")[:4]
    if year.isdigit():
        tokens.append(f"xy{year}")
        month = (published or "")[5:7]
        tokens.append(f"xm{year}{month}" if month.isdigit() else f"xm{year}00")  # 00: a year without its month
    tokens.extend(source_token(source_id) for source_id in sources)
    return " ".join(tokens)


def source_token(source_id: int) -> str:
    return f"xsrc{int(source_id)}"


def add_source_token(conn: sqlite3.Connection, document_id: int, source_id: int) -> None:
    """Name one more source in the filter tokens of a document's passages (a document found again through another
    source), inside the caller's transaction. Its passages leave the index and wait for the next
    :func:`index_pending`, which indexes them with their new tokens."""
    token = " " + source_token(source_id)
    unindex_document(conn, document_id)
    conn.execute("UPDATE passages SET facets = facets || ? WHERE document_id = ? AND instr(facets || ' ', ?) = 0",
                 (token, document_id, token + " "))


MAX_SOURCE_TOKENS = 64  # a source filter naming up to this many sources is their tokens in the query


def source_tokens(conn: sqlite3.Connection, source: str | None) -> list[str] | None:
    """The filter tokens of the sources whose locator holds ``source`` (``[]``: none does; ``None``: no source
    filter, or one naming more than :data:`MAX_SOURCE_TOKENS` sources, then each match's document is tested)."""
    if not source:
        return None
    tokens = [source_token(row[0]) for row in conn.execute(
        "SELECT id FROM sources WHERE instr(locator, ?) > 0 ORDER BY id LIMIT ?", (source, MAX_SOURCE_TOKENS + 1))]
    return tokens if len(tokens) <= MAX_SOURCE_TOKENS else None


def date_tokens(since: str | None, until: str | None) -> list[str] | None:
    """The filter tokens a date range covers, any of which a passage's document needs (``None`` when unbounded on
    both sides): a whole year's token (``xy2019``) for each year inside the range, and for a year the range covers
    in part, its months' tokens (``xm201903`` …) and, unless the range starts in that year at a month, the token of
    dates of that year alone (``xm201900``), as the comparison of :func:`document_conditions` reads them ("2020" is
    on or before "2020-06", and before "2020-03"). The days of a bound within its month are not tokens:
    :func:`document_conditions` still tests them (see :func:`_exact_months`)."""
    if not since and not until:
        return None
    for value, name in ((since, "since"), (until, "until")):
        if value and not re.fullmatch(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?", value):
            raise QueryError(f"--{name} must be a date like 2019, 2019-06 or 2019-06-25, not {value!r}")
    first = int(since[:4]) if since else min(1950, int(until[:4]))
    last = int(until[:4]) if until else max(date.today().year + 1, first)
    if since and until and since[:len(until)] > until:
        raise QueryError(f"the date range is empty: since {since} is after until {until}")
    tokens = []
    for year in range(first, last + 1):
        starts_here = bool(since) and year == first and len(since) > 4
        low = int(since[5:7]) if starts_here else 1
        high = int(until[5:7]) if until and year == last and len(until) > 4 else 12
        if low == 1 and high == 12 and not starts_here:
            tokens.append(f"xy{year}")
            continue
        tokens.extend(f"xm{year}{month:02d}" for month in range(low, high + 1))
        if not starts_here:
            tokens.append(f"xm{year}00")
    return tokens


def _exact_months(since: str | None, until: str | None) -> tuple[bool, bool]:
    """Whether each bound falls on a month's edge, so that :func:`date_tokens` say it exactly and no test of the date
    is needed: a year or a month, and for ``until`` its month's last day too. ``since`` on a month's first day is not
    (a date of the month alone, "2019-03", is before "2019-03-01")."""
    since_exact = not since or len(since) < 10
    until_exact = (not until or len(until) < 10
                   or int(until[8:]) == calendar.monthrange(int(until[:4]), int(until[5:7]))[1])
    return since_exact, until_exact


_MARKS = re.compile(f"([{HL_START}{HL_END}])")


def _highlights(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A snippet without its highlight marks, and the code-point spans the marks enclosed (read piece by piece
    between the marks, not character by character: a page has 20 snippets)."""
    plain, spans, pos, start = [], [], 0, None
    for piece in _MARKS.split(marked):
        if piece == HL_START:
            start = pos
        elif piece == HL_END:
            if start is not None:
                spans.append((start, pos))
            start = None
        elif piece:
            plain.append(piece)
            pos += len(piece)
    return "".join(plain), tuple(spans)


def _phrase_of(match: str) -> str | None:
    """For a query of two or more plain words, the same words as one phrase (else ``None``)."""
    terms = match.split(" ")
    if len(terms) < 2 or not all(re.fullmatch(r'"[^"\s]+"', t) for t in terms):
        return None
    return '"' + " ".join(t.strip('"') for t in terms) + '"'


def search(conn: sqlite3.Connection, query: str, filters: SearchFilters = SearchFilters(),
           window: list[int] | None = None, scores: dict[int, tuple[bool, float]] | None = None) -> list[Hit]:
    """Rank current passages matching ``query`` by BM25 (best first) under ``filters``.

    For a query of several plain words, passages holding them as an exact phrase rank first (``city card`` finds
    "city-card" before a passage that has "city" and "card" far apart), then the rest by BM25.
    Words matching more than :data:`RANK_WINDOW` passages (``city`` in a hub of a million passages) are ranked among
    the newest :data:`RANK_WINDOW` matches, with term weights from the whole index (or, in a hub past
    :data:`RECENT_FROM` passages, from its newest passages: :func:`ranking_index`): BM25 costs the same for every
    match, so this bounds the cost of the broadest queries. Each hit says so in ``ranked_within``.
    Three steps keep it fast on large hubs: find the window, rank the matching row ids (only current documents are
    in the index, so an unfiltered query never touches the other tables), then build snippets for the page alone.
    They read one state of the hub (:class:`~migrahub.store.database.snapshot`): an ingest committing between them
    (a new ranking index among them) changes nothing in the hits. A caller that read the window already under the
    same filters (the facet counts of ``services.documents.result_counts``) passes it, and on PostgreSQL the ranks
    read with it (``scores``): the window is then neither searched nor read again.
    """
    with snapshot(conn):
        return _search(conn, query, filters, window, {} if scores is None else scores)


def _search(conn: sqlite3.Connection, query: str, filters: SearchFilters, window: list[int] | None,
            scores: dict[int, tuple[bool, float]]) -> list[Hit]:
    match = fts_query(query)
    want = filters.offset + filters.limit
    if window is None:  # a caller that already read the window (the web's facet counts) passes it, with its ranks
        # on PostgreSQL (``scores``, read with the window under the same filters)
        window = [row[0] for row in newest_matches(conn, query, filters, RANK_WINDOW + 1, scores)]
    if not window:
        return []
    windowed = len(window) > RANK_WINDOW
    window = window[:RANK_WINDOW]
    postgresql = backend(conn) == "postgresql"
    ranked = (search_pg.ranked(conn, match, window, want, filters.language, scores) if postgresql
              else _ranked(conn, match, window, want, query,
                           filter_tokens(filters, source_tokens(conn, filters.source))))
    ranked = ranked[filters.offset:want]
    if not ranked:
        return []
    ids = [row[0] for row in ranked]
    marks = ",".join("?" * len(ids))
    try:
        snippets = (search_pg.snippets(conn, match, ids, filters.language, HL_START, HL_END) if postgresql
                    else _snippets(conn, match, ids))
    except sqlite3.OperationalError as exc:
        raise QueryError(f"cannot search for {query!r}: {exc}") from exc
    rows = {row["id"]: row for row in conn.execute(
        f"""SELECT p.id, p.document_id, p.start, p."end", p.section, d.title, d.language, d.doc_type, d.published,
                   d.url FROM passages p JOIN documents d ON d.id = p.document_id WHERE p.id IN ({marks})""", ids)}
    sources: dict[int, list[str]] = {}
    documents = list({row["document_id"] for row in rows.values()})
    for document_id, locator in conn.execute(
            "SELECT l.document_id, s.locator FROM document_links l CROSS JOIN sources s ON s.id = l.source_id "
            f"WHERE l.document_id IN ({','.join('?' * len(documents))}) ORDER BY l.first_seen, l.rowid", documents):
        sources.setdefault(document_id, []).append(locator)
    hits = []
    for passage_id, score in ranked:
        row = rows[passage_id]
        snippet, spans = _highlights(snippets.get(row["id"], ""))
        hits.append(Hit(row["id"], row["document_id"], row["title"], snippet, spans, row["start"], row["end"],
                        tuple(json.loads(row["section"])), -score, row["language"], row["doc_type"], row["published"],
                        row["url"], tuple(sources.get(row["document_id"], ())), RANK_WINDOW if windowed else None))
    return hits


def _snippets(conn: sqlite3.Connection, match: str, ids: list[int]) -> dict[int, str]:
    """Each passage's best fragment with the matched words marked. FTS5 reads the query's doclists again for each
    id it seeks: a plain word costs little, but a prefix* merges the doclists of every word it stands for (about
    6 ms at 1M passages), so with a prefix the ids are a plain test on one pass over their range."""
    marks = ",".join("?" * len(ids))
    select = f"SELECT rowid, snippet(passages_fts, 0, '{HL_START}', '{HL_END}', '…', 24) FROM passages_fts "
    if "*" in match:
        rows = conn.execute(f"{select} WHERE passages_fts MATCH ? AND rowid >= ? AND rowid <= ? AND +rowid IN "
                            f"({marks})", [match, min(ids), max(ids), *ids])
    else:
        rows = conn.execute(f"{select} WHERE passages_fts MATCH ? AND rowid IN ({marks})", [match, *ids])
    return {row[0]: row[1] for row in rows}


def _ranked(conn: sqlite3.Connection, match: str, window: list[int], want: int, query: str, tokens: str = ""
            ) -> list[tuple[int, float]]:
    """The best ``want`` passages of the window: exact phrases first, then by BM25 (see :func:`search`).

    The window holds every filter already (language, type, dates, source, entities), so the words alone are
    matched over the window's range of ids: BM25 reads the whole posting list of each term of the MATCH expression
    for its IDF, and a filter token there costs that read too. But when the window is sparse in its range (a
    selective filter on common words: ``babai`` in the few French passages), the words' matches there outnumber it
    many times, and the filter ``tokens`` (:func:`filter_tokens`) are added: FTS5 then reads only the matches that
    pass them (see :func:`_narrowed`). Scores are the same either way: the tokens' column has no weight. "+rowid IN"
    is a plain test on each row of the window's range (without the "+", FTS5 would seek each id through the index).
    """
    index = ranking_index(conn, window)
    where = [f"{index} MATCH ?", f"{index}.rowid >= ?", f"+{index}.rowid IN (SELECT value FROM json_each(?))"]
    bounds = [window[-1], json.dumps(window)]
    shares = word_shares(conn, match)
    narrow = f" AND {tokens}" if tokens and _narrowed(window, shares) else ""
    phrase = _phrase_of(match)
    first = _ids(conn, index, where, [f"({phrase}){narrow}", *bounds], query) if phrase else []
    scored = match if shares is None else scored_words(conn, match, shares)
    if scored is None:  # every word too common to score: exact phrases first, then the newest
        phrases = set(first)
        return [(row, 0.0) for row in [*sorted(phrases, reverse=True), *(r for r in window if r not in phrases)]]
    return _rank(conn, index, where, [f"({scored}){narrow}", *bounds], want, query, first)


RANGE_COST = 2  # a match read in the window's range (tested against the window, scored) costs about two of a
# filter token's postings read for its IDF


def _narrowed(window: list[int], shares: tuple[int, list[tuple[str, float]]] | None) -> bool:
    """Whether matching the filter tokens too costs less than matching the words alone over the window's range.

    The words alone read each word's postings in the range (its share of the newest passages times the range);
    the tokens are read whole for their IDF, and their share of the hub is about the window's share of the words'
    matches in the range (the rarest word's). Without the shares (a query that is not plain words, a small hub),
    the words alone."""
    if shares is None:
        return False
    top, share = shares
    span = window[0] - window[-1] + 1
    words = RANGE_COST * sum(part for _word, part in share) * span
    matches = max(min(part for _word, part in share) * span, len(window))
    return len(window) / matches * top < words


_PLAIN = re.compile(r'"[^"\s]+"')


def word_shares(conn: sqlite3.Connection, match: str) -> tuple[int, list[tuple[str, float]]] | None:
    """For a query of plain words in a hub of 80,000 passages or more: the hub's last passage id and each word's
    share of the newest :data:`COMMON_SAMPLE` passages (a bounded, cheap count); ``None`` otherwise."""
    words = match.split(" ")
    if not all(_PLAIN.fullmatch(w) for w in words):
        return None
    top = conn.execute("SELECT max(id) FROM passages").fetchone()[0] or 0
    if top * COMMON_SHARE < COMMON_POSTINGS:  # a hub this small has no word that costly
        return None
    low = top - COMMON_SAMPLE
    return top, [(word, conn.execute("SELECT count(*) FROM passages_fts WHERE passages_fts MATCH ? AND rowid > ?",
                                     (word, low)).fetchone()[0] / COMMON_SAMPLE) for word in words]


def scored_words(conn: sqlite3.Connection, match: str, shares: tuple[int, list[tuple[str, float]]] | None = None
                 ) -> str | None:
    """The part of a query of plain words that BM25 scores: all of them, except words so common in a large hub that
    scoring them costs more than it tells; ``None`` when every word is that common.

    BM25 reads a word's whole posting list for its IDF (about 8 ms for a word in a third of 600,000 passages), and a
    word in a quarter of the passages or more gets an IDF of 1.1 or less (7.6 for a word in 1 passage in 2,000): it
    ranks like a stop word. A word found in at least :data:`COMMON_SHARE` of the newest :data:`COMMON_SAMPLE`
    passages (:func:`word_shares`, or ``shares`` when the caller has them) and in about :data:`COMMON_POSTINGS`
    passages in all is left out of the score; when every word is that common, the window is shown newest first
    (exact phrases first). Every ranked row still matches every word (the window holds only matches of the whole
    query), so this changes only the order among them. Other queries, and every query in a hub under 80,000
    passages, are scored whole."""
    shares = shares or word_shares(conn, match)
    if shares is None:
        return match
    top, share = shares
    kept = [word for word, part in share if part < COMMON_SHARE or part * top < COMMON_POSTINGS]
    return " ".join(kept) if kept else None


MAX_DOCUMENTS = 10_000  # a source filter of up to this many documents is tested as a list of their ids…
SOURCE_SHARE = 8  # …when they are at most one in this many of the hub's documents
SOURCE_EXISTS = ("EXISTS (SELECT 1 FROM document_links l WHERE l.document_id = {column} AND l.source_id IN "
                 "(SELECT id FROM sources WHERE instr(locator, ?) > 0))")
SINCE_TEST = "{alias}.published >= ?"  # a date bound tested on the document (document_conditions; PostgreSQL
UNTIL_TEST = "substr({alias}.published, 1, ?) <= ?"  # tests a day bound on its month's documents alone: search_pg)


def source_documents(conn: sqlite3.Connection, source: str) -> list[int] | None:
    """The ids of the documents found through a source whose locator holds ``source``, when they are at most
    :data:`MAX_DOCUMENTS` and one in :data:`SOURCE_SHARE` of the hub's documents (``None`` when more): a search
    then tests its matches against that list. More documents
    are tested on each match through the index of document_links by document (:data:`SOURCE_EXISTS`): listing them
    reads every link of those sources (80 ms for 80,000 documents), more than a search testing the few thousand
    matches it needs."""
    documents = [row[0] for row in conn.execute(
        "SELECT l.document_id FROM sources s CROSS JOIN document_links l ON l.source_id = s.id "
        "WHERE instr(s.locator, ?) > 0 LIMIT ?", (source, MAX_DOCUMENTS + 1))]
    if len(documents) > MAX_DOCUMENTS:
        return None
    everything = conn.execute("SELECT max(id) FROM documents").fetchone()[0] or 0
    # a source of most documents: few matches fail the test, so testing each costs less than listing them
    return documents if len(documents) * SOURCE_SHARE <= everything else None


def document_conditions(filters: SearchFilters, *, tokenized: bool = False, source: bool = True
                        ) -> tuple[list[str], list]:
    """SQL conditions on ``documents d`` (and their parameters) for ``filters``: language, type, dates, source,
    country and mentioned entities. With ``tokenized``, the ones the facet tokens of a MATCH expression already
    express (language, type, and date bounds on a month's edge: :func:`_exact_months`) are left out; with
    ``source=False``, the source (the caller tests it, see :func:`source_tokens`)."""
    where, params = [], []
    if filters.language and not tokenized:
        where.append("d.language = ?")
        params.append(filters.language.lower())
    if filters.doc_type and not tokenized:
        where.append("d.doc_type = ?")
        params.append(filters.doc_type)
    since_exact, until_exact = _exact_months(filters.since, filters.until) if tokenized else (False, False)
    if filters.since and not since_exact:
        where.append(SINCE_TEST.format(alias="d"))
        params.append(filters.since)
    if filters.until and not until_exact:
        where.append(UNTIL_TEST.format(alias="d"))
        params.extend([len(filters.until), filters.until])
    if filters.source and source:
        # the few sources first, then their documents through document_links' index by source (CROSS JOIN keeps
        # this order on SQLite: the other way tests the locator of every document's link)
        where.append("d.id IN (SELECT l.document_id FROM sources s CROSS JOIN document_links l ON l.source_id = s.id "
                     "WHERE instr(s.locator, ?) > 0)")
        params.append(filters.source)
    if filters.country:
        where.append("d.id IN (SELECT m.document_id FROM mentions m JOIN entities e ON e.id = m.entity_id "
                     "WHERE e.category = 'places' AND json_extract(e.data, '$.country') = ?)")
        params.append(filters.country.upper())
    for entity_id in filters.mentioning:
        where.append("d.id IN (SELECT document_id FROM mentions WHERE entity_id = ?)")
        params.append(entity_id)
    return where, params


def _conditions(conn: sqlite3.Connection, match: str, filters: SearchFilters
                ) -> tuple[list[str], list, str] | None:
    """SQL conditions, their parameters (the MATCH expression first) and the joins for ``match`` under ``filters``
    (``None`` when the source filter leaves no document): the language, type and year filters are facet tokens
    inside the MATCH expression (no join: the fastest way to find matches), and so is a source filter naming up to
    :data:`MAX_SOURCE_TOKENS` sources; finer dates, a source filter naming more, and entities test the document."""
    sources = source_tokens(conn, filters.source)
    if sources == []:
        return None
    tokens = filter_tokens(filters, sources)
    where, params = document_conditions(filters, tokenized=True, source=False)
    if filters.source and sources is None:
        documents = source_documents(conn, filters.source)
        if documents == []:
            return None
        # listed: their passages' ids, a plain test on each match before its passage row is read ("+": not a
        # seek of each id through the index)
        where.append(SOURCE_EXISTS.format(column="p.document_id") if documents is None
                     else "+passages_fts.rowid IN (SELECT s.id FROM passages s WHERE s.document_id IN "
                          "(SELECT value FROM json_each(?)))")
        params.append(filters.source if documents is None else json.dumps(documents))
    # a test of the document's id (source, country, entities) reads the passage's document id, not the document's
    # row: documents hold their whole text, so reading one per match of a common word costs twice as much
    where = [f"p.document_id{c[4:]}" if c.startswith("d.id ") else c for c in where]
    joins = "JOIN passages p ON p.id = passages_fts.rowid" if where else ""
    if any(re.search(r"\bd\.", condition) for condition in where):
        joins += " JOIN documents d ON d.id = p.document_id"
    return ["passages_fts MATCH ?", *where], [" AND ".join([f"({match})", *filter(None, [tokens])]), *params], joins


def filter_tokens(filters: SearchFilters, sources: list[str] | None) -> str:
    """The part of an FTS5 MATCH expression that says ``filters`` through the passages' filter tokens: language,
    type, dates, and the source filter's ``sources`` (:func:`source_tokens`); ``""`` without such filters. Its
    PostgreSQL twin is ``search_pg._facet_query``."""
    parts = []
    if filters.language:
        parts.append("facets : " + _quote("xlang" + filters.language.lower()))
    if filters.doc_type:
        parts.append("facets : " + _quote("xtype" + re.sub(r"\W", "", filters.doc_type)))
    dates = date_tokens(filters.since, filters.until)
    if dates:
        parts.append("facets : (" + " OR ".join(dates) + ")")
    if sources:
        parts.append("facets : (" + " OR ".join(sources) + ")")
    return " AND ".join(parts)


def newest_matches(conn: sqlite3.Connection, query: str, filters: SearchFilters, limit: int,
                   scores: dict[int, tuple[bool, float]] | None = None) -> list[tuple[int, int]]:
    """``(passage id, document id)`` of the newest ``limit`` current passages matching ``query`` under ``filters``
    (newest first): the window :func:`search` ranks, and the sample a large result's facets are counted over.
    PostgreSQL reads each match's rank into ``scores`` too, when given (``search_pg.ranked``)."""
    if backend(conn) == "postgresql":
        try:
            return search_pg.newest_matches(conn, fts_query(query), filters, limit, scores)
        except sqlite3.OperationalError as exc:
            raise QueryError(f"cannot search for {query!r}: {exc}") from exc
    conditions = _conditions(conn, fts_query(query), filters)
    if conditions is None:
        return []
    where, params, joins = conditions
    joins = joins or "JOIN passages p ON p.id = passages_fts.rowid"
    sql = (f"SELECT passages_fts.rowid, p.document_id FROM passages_fts {joins} "
           f"WHERE {' AND '.join(where)} ORDER BY passages_fts.rowid DESC LIMIT ?")
    try:
        if "*" in params[0] and recent_floor(conn) is not None:
            # a prefix merges the posting lists of every word it stands for: in the ranking index of the newest
            # passages first, which holds every match from its lowest id up, so ``limit`` matches there are the
            # newest of the whole index (the conditions name the index by its table: the same there)
            rows = tuples(conn, sql.replace("passages_fts", RECENT), [*params, limit])
            if len(rows) == limit:
                return rows
        return tuples(conn, sql, [*params, limit])
    except sqlite3.OperationalError as exc:
        raise QueryError(f"cannot search for {query!r}: {exc}") from exc


def filter_matches(conn: sqlite3.Connection, rows: list[tuple[int, int]], filters: SearchFilters
                   ) -> list[tuple[int, int]]:
    """The ``(passage id, document id)`` rows whose documents pass ``filters``, in their order: for a few thousand
    matches of the words, one test of their documents costs less than searching the words again with the filters."""
    where, params = document_conditions(filters)
    if not where:
        return list(rows)
    documents = sorted({doc for _, doc in rows})
    keep = {row[0] for row in conn.execute(
        f"SELECT d.id FROM json_each(?) j CROSS JOIN documents d ON d.id = j.value WHERE {' AND '.join(where)}",
        [json.dumps(documents), *params])}
    return [(passage, doc) for passage, doc in rows if doc in keep]


def _ids(conn: sqlite3.Connection, index: str, where: list[str], params: list, query: str) -> list[int]:
    """The row ids of ``index`` matching ``where`` (in a bounded window: no ranking, no limit)."""
    try:
        return [row[0] for row in conn.execute(f"SELECT rowid FROM {index} WHERE {' AND '.join(where)}", params)]
    except sqlite3.OperationalError as exc:
        raise QueryError(f"cannot search for {query!r}: {exc}") from exc


def _rank(conn: sqlite3.Connection, index: str, where: list[str], params: list, limit: int, query: str,
          first: list[int]) -> list[tuple[int, float]]:
    """The ids and BM25 scores of the best ``limit`` rows of ``index`` matching ``where``, the rows in ``first``
    (the exact-phrase matches) ahead of the others. One BM25 pass: BM25 reads the whole posting list of each term
    in ``index`` for its IDF, so ranking twice would cost twice."""
    order = "score"
    if first:
        order = "rowid IN (SELECT value FROM json_each(?)) DESC, score"
    try:
        return [(row[0], row[1]) for row in conn.execute(
            f"SELECT rowid, bm25({index}, 1.0, 0.0) AS score FROM {index} WHERE {' AND '.join(where)} "
            f"ORDER BY {order} LIMIT ?", [*params, *([json.dumps(first)] if first else []), limit])]
    except sqlite3.OperationalError as exc:
        raise QueryError(f"cannot search for {query!r}: {exc}") from exc


# ------------------------------------------------------------------------------ the ranking index of the newest

RECENT = "passages_fts_recent"  # a second FTS5 index, without content, of the newest passages of a large hub…
RECENT_PASSAGES = 100_000  # …rebuilt from this many ids below the index's top…
RECENT_FROM = 2 * RECENT_PASSAGES  # …once the hub passes this many, and again when its range reaches it


def recent_floor(conn: sqlite3.Connection) -> int | None:
    """The lowest id of the ranking index of the newest passages (``None`` while it is empty: a hub of up to
    :data:`RECENT_FROM` passages). It holds every passage of the full-text index from that id up."""
    return conn.execute(f"SELECT min(id) FROM {RECENT}_docsize").fetchone()[0]


def ranking_index(conn: sqlite3.Connection, window: list[int]) -> str:
    """The index that ranks a window: the index of the newest passages when the window lies in it, else the whole
    full-text index.

    BM25 reads every posting of each ranked term for its IDF: in a hub of a million passages, 16 ms for ``city``
    (a third of them) whichever window is ranked. The newest 100,000 to 200,000 passages hold the same words in
    about the same shares, and reading their postings costs a fifth or less at a million passages. So a window
    among them (every window of a common word, which holds its newest matches) is ranked there: the terms' weights
    and the average passage length come from those passages, the rest of BM25 (how often each word is in the
    passage, its length) is the same."""
    floor = recent_floor(conn)
    return RECENT if floor is not None and window[-1] >= floor else "passages_fts"


def _kept_indexes(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """Each full-text index with the lowest passage id it holds: the whole index from the first, and the ranking
    index of the newest passages from its own lowest id while it is kept."""
    floor = recent_floor(conn)
    return [("passages_fts", 0), *([(RECENT, floor)] if floor is not None else [])]


def _index(conn: sqlite3.Connection, condition: str, params: tuple) -> None:
    """Put the passages of ``passages p`` meeting ``condition`` into each full-text index that holds their ids."""
    for index, floor in _kept_indexes(conn):
        conn.execute(f"INSERT INTO {index}(rowid, text, facets) SELECT p.id, p.text, p.facets FROM passages p "
                     f"WHERE {condition} AND p.id >= ? ORDER BY p.id", (*params, floor))


def keep_recent(conn: sqlite3.Connection) -> None:
    """Rebuild the ranking index of the newest passages when the hub has grown :data:`RECENT_FROM` past its
    lowest id (or past nothing, the first time): from :data:`RECENT_PASSAGES` below the full-text index's top.
    Inside the caller's transaction, after the full-text index took its pending passages."""
    through = hub_counter(conn, "fts_through")
    floor = recent_floor(conn)
    if through - (floor or 0) <= RECENT_FROM:
        return
    conn.execute(f"INSERT INTO {RECENT}({RECENT}) VALUES ('delete-all')")
    conn.execute(f"INSERT INTO {RECENT}(rowid, text, facets) SELECT id, text, facets FROM passages "
                 "WHERE indexed = 1 AND id > ? AND id <= ? ORDER BY id", (through - RECENT_PASSAGES, through))
    conn.execute(f"INSERT INTO {RECENT}({RECENT}) VALUES ('optimize')")


def index_pending(conn: sqlite3.Connection) -> int:
    """Put every passage of a current document that is not in the full-text index yet into it; return how many.

    Two kinds wait: passages stored by an ingest after the ``fts_through`` mark (``indexed = 1``, stored so to spare
    an update of every passage row), and passages of a document that is current again or that were written without
    the flag (``indexed = 0``). One call is one transaction (or joins the caller's). An ingest killed before
    indexing leaves its passages waiting, and the next call indexes them: nothing is lost.
    """
    from migrahub.store.database import transaction

    if backend(conn) == "postgresql":
        return search_pg.index_pending(conn)
    with transaction(conn):
        through = hub_counter(conn, "fts_through")
        last = conn.execute("SELECT max(id) FROM passages").fetchone()[0] or 0
        n = 0
        if last > through:
            n = conn.execute("SELECT count(*) FROM passages WHERE id > ? AND id <= ? AND indexed = 1",
                             (through, last)).fetchone()[0]
            _index(conn, "p.id > ? AND p.id <= ? AND p.indexed = 1", (through, last))
            conn.execute("UPDATE hub_state SET value = ? WHERE key = 'fts_through'", (last,))
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS _pending(id INTEGER PRIMARY KEY)")
        conn.execute("DELETE FROM _pending")
        conn.execute("INSERT INTO _pending SELECT p.id FROM passages p JOIN documents d ON d.id = p.document_id "
                     "WHERE p.indexed = 0 AND d.superseded = 0")
        back = conn.execute("SELECT count(*) FROM _pending").fetchone()[0]
        if back:
            _index(conn, "p.id IN (SELECT id FROM _pending)", ())
            conn.execute("UPDATE passages SET indexed = 1 WHERE id IN (SELECT id FROM _pending)")
        keep_recent(conn)
        return n + back


def unindex_document(conn: sqlite3.Connection, document_id: int) -> None:
    """Take a document's passages out of the full-text index, or out of the wait for it (inside the caller's
    transaction). Only passages up to the ``fts_through`` mark are in the index."""
    if backend(conn) == "postgresql":
        return search_pg.unindex_document(conn, document_id)
    through = hub_counter(conn, "fts_through")
    for index, floor in _kept_indexes(conn):
        conn.execute(f"INSERT INTO {index}({index}, rowid, text, facets) SELECT 'delete', id, text, facets "
                     "FROM passages WHERE document_id = ? AND indexed = 1 AND id >= ? AND id <= ?",
                     (document_id, floor, through))
    conn.execute("UPDATE passages SET indexed = 0 WHERE document_id = ? AND indexed = 1", (document_id,))


def optimize(conn: sqlite3.Connection) -> None:
    """Merge the index's segments into one (after a large ingest: searches read fewer b-trees)."""
    if backend(conn) == "postgresql":
        return search_pg.optimize(conn)
    for index in ("passages_fts", RECENT):
        conn.execute(f"INSERT INTO {index}({index}) VALUES ('optimize')")


# ------------------------------------------------------------------------------ curators' synonym groups

def synonym_groups(conn: sqlite3.Connection) -> list[tuple[int, list[str]]]:
    """The synonym groups curators added: ``(id, terms)`` in the order they were added."""
    if not has_table(conn, "search_synonyms"):
        return []
    return [(r[0], json.loads(r[1])) for r in conn.execute("SELECT id, terms FROM search_synonyms ORDER BY id")]


def add_synonym_group(conn: sqlite3.Connection, terms: list[str], actor: str) -> int:
    from migrahub.store.database import now, transaction
    from migrahub.store.documents import log_action

    with transaction(conn):
        gid = conn.execute("INSERT INTO search_synonyms(terms, added_by, added_at) VALUES (?, ?, ?)",
                           (json.dumps(terms, ensure_ascii=False), actor, now())).lastrowid
        log_action(conn, actor, "search.synonyms.add", "synonyms", str(gid), {"terms": terms})
    return gid


def remove_synonym_group(conn: sqlite3.Connection, group_id: int, actor: str) -> bool:
    from migrahub.store.database import transaction
    from migrahub.store.documents import log_action

    with transaction(conn):
        row = conn.execute("SELECT terms FROM search_synonyms WHERE id = ?", (group_id,)).fetchone()
        if row is None:
            return False
        conn.execute("DELETE FROM search_synonyms WHERE id = ?", (group_id,))
        log_action(conn, actor, "search.synonyms.remove", "synonyms", str(group_id), {"terms": json.loads(row[0])})
    return True
