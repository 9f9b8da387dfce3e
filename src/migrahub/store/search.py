"""Full-text search over passages: BM25 ranking, highlighted snippets, phrase and boolean queries, filters.

The user's query is translated into a safe FTS5 expression by :func:`fts_query` so that punctuation in ordinary
queries ("city-card", "Zürich's") never becomes FTS5 syntax. Supported: bare words (all must match), ``"exact
phrases"``, ``AND``/``OR``/``NOT`` in capitals, parentheses, and ``prefix*``.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field

HL_START, HL_END = "\x02", "\x03"
_TOKEN = re.compile(r'"[^"]*"?|\(|\)|[^\s()"]+')
_WORD = re.compile(r"\w+", re.UNICODE)
_POSSESSIVE = re.compile(r"['’]s\b", re.IGNORECASE)  # Zürich's → Zürich
_ELISION = re.compile(r"\b(?:[cdjlmnst]|qu)['’](?=\w)", re.IGNORECASE)  # l'accueil → accueil


class QueryError(ValueError):
    """The search query cannot be understood; the message says why."""


@dataclass(frozen=True)
class SearchFilters:
    language: str | None = None
    doc_type: str | None = None
    source: str | None = None  # substring of a source locator (path or URL)
    since: str | None = None  # ISO date, inclusive, on the published date
    until: str | None = None  # ISO date, inclusive
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
    section: str
    score: float
    language: str | None
    doc_type: str
    published: str | None
    url: str | None
    sources: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict:
        return {
            "passage_id": self.passage_id, "document_id": self.document_id, "title": self.title,
            "snippet": self.snippet, "highlights": [list(h) for h in self.highlights], "start": self.start,
            "end": self.end, "section": self.section, "score": round(self.score, 4), "language": self.language,
            "type": self.doc_type, "published": self.published, "url": self.url, "sources": list(self.sources),
        }


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def fts_query(query: str) -> str:
    """Translate a user query into an FTS5 MATCH expression, or raise :class:`QueryError`."""
    out: list[str] = []
    depth = 0
    for token in _TOKEN.findall(query):
        if token.startswith('"'):
            words = _WORD.findall(token.strip('"'))
            if words:
                out.append(_quote(" ".join(words)))
        elif token in ("AND", "OR", "NOT"):
            if not out or out[-1] in ("AND", "OR", "NOT", "("):
                if token != "NOT" or out:
                    raise QueryError(f"'{token}' needs a term before it")
            out.append(token)
        elif token == "(":
            depth += 1
            out.append(token)
        elif token == ")":
            depth -= 1
            if depth < 0:
                raise QueryError("unbalanced ')' in the query")
            out.append(token)
        else:
            prefix = token.endswith("*")
            words = _WORD.findall(_ELISION.sub("", _POSSESSIVE.sub("", token.rstrip("*"))))
            if words:
                # "city-card" means the phrase "city card", as the tokenizer splits it in the text
                out.append((_quote(" ".join(words)) if len(words) > 1 else _quote(words[0])) + ("*" if prefix else ""))
    if depth:
        raise QueryError("unbalanced '(' in the query")
    if not [t for t in out if t not in ("AND", "OR", "NOT", "(", ")")]:
        raise QueryError("the query has no words to search for")
    if out[-1] in ("AND", "OR", "NOT"):
        raise QueryError(f"'{out[-1]}' needs a term after it")
    if out[0] == "NOT":
        raise QueryError("a query cannot start with NOT (FTS5 needs something to exclude from)")
    return " ".join(out)


def _highlights(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    plain, spans, pos, start = [], [], 0, None
    for ch in marked:
        if ch == HL_START:
            start = pos
        elif ch == HL_END:
            if start is not None:
                spans.append((start, pos))
            start = None
        else:
            plain.append(ch)
            pos += 1
    return "".join(plain), tuple(spans)


def search(conn: sqlite3.Connection, query: str, filters: SearchFilters = SearchFilters()) -> list[Hit]:
    """Rank current passages matching ``query`` by BM25 (best first) under ``filters``."""
    where = ["passages_fts MATCH ?", "d.superseded = 0"]
    params: list = [fts_query(query)]
    if filters.language:
        where.append("d.language = ?")
        params.append(filters.language.lower())
    if filters.doc_type:
        where.append("d.doc_type = ?")
        params.append(filters.doc_type)
    if filters.since:
        where.append("d.published >= ?")
        params.append(filters.since)
    if filters.until:
        where.append("substr(d.published, 1, ?) <= ?")
        params.extend([len(filters.until), filters.until])
    if filters.source:
        where.append("EXISTS (SELECT 1 FROM document_links l JOIN sources s ON s.id = l.source_id "
                     "WHERE l.document_id = d.id AND instr(s.locator, ?) > 0)")
        params.append(filters.source)
    sql = f"""
        SELECT p.id, p.document_id, p.start, p."end", p.section, d.title, d.language, d.doc_type, d.published, d.url,
               snippet(passages_fts, 0, '{HL_START}', '{HL_END}', '…', 24) AS snip,
               bm25(passages_fts) AS score
        FROM passages_fts
        JOIN passages p ON p.id = passages_fts.rowid
        JOIN documents d ON d.id = p.document_id
        WHERE {' AND '.join(where)}
        ORDER BY score
        LIMIT ? OFFSET ?"""
    params.extend([filters.limit, filters.offset])
    try:
        rows = conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        raise QueryError(f"cannot search for {query!r}: {exc}") from exc
    hits = []
    for row in rows:
        snippet, spans = _highlights(row["snip"])
        sources = tuple(r[0] for r in conn.execute(
            "SELECT s.locator FROM document_links l JOIN sources s ON s.id = l.source_id WHERE l.document_id = ? "
            "ORDER BY l.first_seen", (row["document_id"],)))
        hits.append(Hit(row["id"], row["document_id"], row["title"], snippet, spans, row["start"], row["end"],
                        row["section"], -row["score"], row["language"], row["doc_type"], row["published"],
                        row["url"], sources))
    return hits
