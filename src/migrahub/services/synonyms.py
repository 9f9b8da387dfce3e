"""Synonyms and equivalent terms in the search: a query that contains a known term also finds its equivalents, in
the same language (variants, acronyms) or in the hub's other languages (English, French, Spanish, German).

The groups come from the curated list ``services/data/search_terms.yaml`` (and a file of the same shape named by
``MIGRAHUB_SEARCH_TERMS``), the organisation and initiative registry (a name, its acronym and aliases), and the
groups curators add in the hub (``search_synonyms``, edited at ``/curate/synonyms``). Only plain queries are
expanded (no quotes, operators or parentheses: those say exactly what the user wants); an all-capitals term (an
acronym) matches only when the query writes it in capitals, so "who" is not the WHO.
"""

from __future__ import annotations

import functools
import os
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from migrahub import config
from migrahub.store import search as store

_CURATED = Path(__file__).with_name("data") / "search_terms.yaml"
_SYNTAX = re.compile(r'["()*]|\b(?:AND|OR|NOT)\b')
MAX_TERMS = 12  # equivalents searched per matched term (a long OR costs every term's posting list)


class SynonymError(ValueError):
    """A synonym group that cannot be saved; the message names the field and the reason."""


@dataclass(frozen=True)
class Expansion:
    """The expression searched and, for each term of the query that has equivalents, the equivalents added."""

    query: str
    used: tuple[tuple[str, tuple[str, ...]], ...] = ()


def fold(text: str) -> tuple[str, ...]:
    """The words of a text without accents and case ("Carte d'identité" → carte, d, identite)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    return tuple(re.findall(r"[a-z0-9]+", plain))


def _read_groups(path: Path) -> list[tuple[str, ...]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, list):
        raise SynonymError(f"{path}: needs a list 'groups' of term lists")
    out = []
    for i, g in enumerate(groups, 1):
        if not isinstance(g, list) or len(g) < 2 or not all(isinstance(t, str) and t.strip() for t in g):
            raise SynonymError(f"{path}: group {i}: needs two or more terms (text)")
        out.append(tuple(t.strip() for t in g))
    return out


@functools.lru_cache(maxsize=4)
def _static_groups(extra: str) -> tuple[tuple[str, ...], ...]:
    from migrahub.extract.registry import load_registry

    groups = _read_groups(_CURATED)
    for path in filter(None, extra.split(os.pathsep)):
        groups.extend(_read_groups(Path(path)))
    for e in load_registry().entries:
        names = tuple(dict.fromkeys(t for t in (e.name, e.acronym, *e.aliases) if t))
        if len(names) >= 2:
            groups.append(names)
    return tuple(groups)


def groups(conn: sqlite3.Connection) -> list[tuple[str, ...]]:
    """Every synonym group: curated, registry, then the curators' own."""
    return [*_static_groups(config.get("MIGRAHUB_SEARCH_TERMS")),
            *(tuple(terms) for _, terms in store.synonym_groups(conn))]


@functools.lru_cache(maxsize=8)
def _index(all_groups: tuple[tuple[str, ...], ...]) -> dict[str, list[tuple[tuple[str, ...], int, str]]]:
    """First folded word → (folded words, group number, the term as written), longest terms first."""
    index: dict[str, list] = {}
    for gi, group in enumerate(all_groups):
        for term in group:
            words = fold(term)
            if words:
                index.setdefault(words[0], []).append((words, gi, term))
    for entries in index.values():
        entries.sort(key=lambda x: -len(x[0]))
    return index


def _is_acronym(term: str) -> bool:
    letters = re.sub(r"[^A-Za-z]", "", term)
    return bool(letters) and letters.isupper() and len(letters) <= 8


def expand(conn: sqlite3.Connection, q: str) -> Expansion:
    """The query with each known term ORed with its equivalents (see the module's notes); unchanged when the query
    uses search syntax or holds no known term."""
    if not q.strip() or _SYNTAX.search(q):
        return Expansion(q)
    all_groups = tuple(groups(conn))
    index = _index(all_groups)
    raw = q.split()
    words = [fold(w) for w in raw]
    parts, used, i = [], [], 0
    while i < len(raw):
        match = _match(index, raw, words, i)
        if match is None:
            parts.append(raw[i])
            i += 1
            continue
        j, gi = match
        typed = " ".join(raw[i:j])
        others = [t for t in all_groups[gi] if fold(t) != sum(words[i:j], ())][:MAX_TERMS]
        parts.append(f"(({typed}) OR {' OR '.join(_phrase(t) for t in others)})" if others else typed)
        if others:
            used.append((typed, tuple(others)))
        i = j
    if not used:
        return Expansion(q)
    return Expansion(" ".join(parts), tuple(used))


def _phrase(term: str) -> str:
    return '"' + term.replace('"', " ") + '"'


def _match(index: dict, raw: list[str], words: list[tuple[str, ...]], i: int) -> tuple[int, int] | None:
    """The longest known term starting at raw word ``i`` (whole raw words only): (end word, group number)."""
    if not words[i]:
        return None
    for term_words, gi, term in index.get(words[i][0], ()):
        got: tuple[str, ...] = ()
        for j in range(i, len(raw)):
            got += words[j]
            if len(got) >= len(term_words):
                break
        if got != term_words:
            continue
        if _is_acronym(term) and not raw[i].strip(".,;:").isupper():
            continue
        return j + 1, gi
    return None


def add_group(conn: sqlite3.Connection, text: str, actor: str) -> tuple[str, ...]:
    """Save a curator's group from one term per line (or separated by commas or semicolons)."""
    terms = tuple(dict.fromkeys(t.strip() for t in re.split(r"[\n;,]", text or "") if t.strip()))
    if len(terms) < 2:
        raise SynonymError("terms: write two or more equivalent terms, one per line")
    if any(len(t) > 100 for t in terms) or len(terms) > 30:
        raise SynonymError("terms: at most 30 terms of up to 100 characters")
    if any(not fold(t) for t in terms):
        raise SynonymError("terms: every term needs a letter or a digit")
    store.add_synonym_group(conn, list(terms), actor)
    return terms


def remove_group(conn: sqlite3.Connection, group_id: int, actor: str) -> None:
    if not store.remove_synonym_group(conn, group_id, actor):
        raise SynonymError(f"group: no synonym group {group_id}")


def curated_groups(conn: sqlite3.Connection) -> list[tuple[int, list[str]]]:
    return store.synonym_groups(conn)
