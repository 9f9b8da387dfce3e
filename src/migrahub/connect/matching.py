"""Peer matching: a request (challenge, themes, languages, country) against the evidence of what cities,
organisations and experts have done — passages, published practices, events, expert profiles — ranked and
explained. Pure: the service gathers the evidence and the semantic similarities; this module scores and explains.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources

import yaml

STAGE = "connect/match@1"
PREFIX = 5           # words match on their first letters (identity ~ identidad, resident ~ residents)
KIND_WEIGHT = {"practice": 1.2, "extracted-practice": 1.1, "event": 0.9, "passage": 1.0, "profile": 0.9,
               "index": 0.9}
MAX_EVIDENCE = 5     # evidence items kept per match
AGGREGATE = (1.0, 0.3, 0.1)  # weights of a target's best, second and third evidence: one strong passage beats several
#                              weak ones


@dataclass(frozen=True)
class PeerRequest:
    challenge: str
    themes: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    country: str = ""
    city_id: int | None = None      # the requester's own city: never its own peer


@dataclass(frozen=True)
class Evidence:
    kind: str                       # passage | event | practice | extracted-practice | profile | index
    target: tuple[str, int]         # ("city" | "organisation" | "expert", id)
    text: str
    document_id: int | None = None
    passage_id: int | None = None
    practice_id: int | None = None
    themes: tuple[str, ...] = ()
    language: str = ""
    semantic: float | None = None   # cosine similarity of the challenge and the text (multilingual embeddings)
    lexical: float = 0.0            # the text's BM25 score relative to the best candidate (0..1)
    relevance: float = 0.0          # set by :func:`score`
    matched_words: tuple[str, ...] = ()
    source: str = ""                # the title of the document or practice it comes from


@dataclass(frozen=True)
class Target:
    kind: str
    id: int
    name: str
    country: str = ""
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    target: Target
    score: float
    evidence: tuple[Evidence, ...]
    reasons: tuple[str, ...] = field(default_factory=tuple)


@cache
def _stopwords() -> frozenset[str]:
    data = yaml.safe_load((resources.files("migrahub.connect") / "data" / "stopwords.yaml").read_text("utf-8"))
    return frozenset(w for words in data.values() for w in words)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def content_words(text: str) -> list[str]:
    """The words of a challenge that say what is wanted (stop words left out), folded, in order, once each."""
    words = [w for w in re.findall(r"\w+", _fold(text)) if len(w) > 2 and w not in _stopwords() and not w.isdigit()]
    return list(dict.fromkeys(words))


def _stem(word: str) -> str:
    return word[:PREFIX]


def matched(words: list[str], text: str) -> tuple[str, ...]:
    stems = {_stem(w) for w in re.findall(r"\w+", _fold(text))}
    return tuple(w for w in words if _stem(w) in stems)


def score(request: PeerRequest, item: Evidence) -> Evidence:
    """The evidence's relevance to the request (0..1.5): the share of the challenge's words it holds, its BM25
    rank and, when embeddings are available, its meaning (e5 cosines of related texts lie around 0.8–0.9)."""
    words = content_words(request.challenge)
    found = matched(words, item.text)
    coverage = len(found) / len(words) if words else 0.0
    if item.semantic is None:
        relevance = 0.7 * coverage + 0.3 * item.lexical
    else:
        semantic = min(1.0, max(0.0, (item.semantic - 0.75) / 0.15))
        relevance = 0.4 * coverage + 0.1 * item.lexical + 0.5 * semantic
    if request.themes and set(request.themes) & set(item.themes):
        relevance += 0.15
    return replace(item, relevance=round(relevance * KIND_WEIGHT.get(item.kind, 1.0), 4), matched_words=found)


def rank(request: PeerRequest, evidence: list[Evidence], targets: dict[tuple[str, int], Target],
         limit: int = 10, floor: float = 0.2) -> list[Match]:
    """Targets ranked by their evidence (the best item, plus a little for the next ones), each with its
    evidence and the reasons in words. Evidence under ``floor`` does not count."""
    scored = [score(request, e) for e in evidence]
    by_target: dict[tuple[str, int], list[Evidence]] = {}
    for e in scored:
        if e.relevance >= floor and e.target in targets and e.target != ("city", request.city_id):
            by_target.setdefault(e.target, []).append(e)
    matches = []
    for key, items in by_target.items():
        items.sort(key=lambda e: -e.relevance)
        items = _distinct(items)
        total = sum(e.relevance * w for e, w in zip(items, AGGREGATE, strict=False))
        target = targets[key]
        reasons = _reasons(request, target, items)
        if request.country and target.country == request.country:
            total += 0.05
        if request.languages and set(request.languages) & set(target.languages):
            total += 0.05
        matches.append(Match(target, round(total, 4), tuple(items[:MAX_EVIDENCE]), tuple(reasons)))
    matches.sort(key=lambda m: (-m.score, m.target.name))
    return matches[:limit]


def _distinct(items: list[Evidence]) -> list[Evidence]:
    seen, out = set(), []
    for e in items:
        key = (e.passage_id, e.practice_id, e.text[:200])
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def _reasons(request: PeerRequest, target: Target, items: list[Evidence]) -> list[str]:
    kinds = {}
    for e in items:
        kinds[e.kind] = kinds.get(e.kind, 0) + 1
    labels = {"practice": "published practice", "extracted-practice": "practice described in a document",
              "passage": "passage", "event": "event", "profile": "expert profile", "index": "index strength"}
    out = [", ".join(f"{n} {labels.get(k, k)}{'s' if n > 1 else ''}" for k, n in kinds.items()) + " match"]
    words = sorted({w for e in items for w in e.matched_words})
    if words:
        out.append("words of the request found: " + ", ".join(words))
    if any(e.semantic is not None and e.semantic >= 0.82 for e in items):
        out.append("close in meaning (multilingual embeddings)")
    themes = sorted(set(request.themes) & {t for e in items for t in e.themes})
    if themes:
        out.append("coded with the requested themes: " + ", ".join(themes))
    if request.country and target.country == request.country:
        out.append("same country as the request")
    langs = sorted(set(request.languages) & set(target.languages))
    if langs:
        out.append("works in " + ", ".join(langs))
    return out
