"""Stage ``alerts/1``: whether a document matches a saved search.

A saved search holds conditions; a document matches when every condition given holds:

- ``words``: every word (or "quoted phrase") appears, case- and accent-insensitively, at the start of a word;
- ``entities``: it names at least one of them — through the hub's resolved entities (so any name of a place or an
  actor counts: Gent, Ghent and Gand are one city) or one of the
  entity's known names as a whole word (capitals as written);
- ``themes``: at least one code applies — coded so in the hub, or one of the code's cue terms (in English, French,
  Spanish or German: ``coding/data/lexicon.yaml``) appears;
- ``countries`` (ISO 3166 alpha-2): it names a place in one of them;
- ``languages``: its language is one of them;
- ``sources``: one of its sources (feed or page URL, file) contains one of these texts.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

STAGE = "alerts/1"
FREQUENCIES = ("immediate", "daily", "weekly", "off")
PERIOD = {"daily": 86400.0, "weekly": 7 * 86400.0}


@dataclass(frozen=True)
class EntityCondition:
    name: str  # as the user wrote it
    keys: tuple[str, ...] = ()  # extraction keys it resolves to (place:…, registry:…)
    names: tuple[str, ...] = ()  # every name known for it (variants, other languages, acronym)


@dataclass(frozen=True)
class AlertQuery:
    words: tuple[str, ...] = ()
    entities: tuple[EntityCondition, ...] = ()
    themes: tuple[str, ...] = ()  # code ids
    countries: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not (self.words or self.entities or self.themes or self.countries or self.languages or self.sources)

    def as_dict(self) -> dict:
        return {"words": list(self.words), "themes": list(self.themes), "countries": list(self.countries),
                "languages": list(self.languages), "sources": list(self.sources),
                "entities": [{"name": e.name, "keys": list(e.keys), "names": list(e.names)} for e in self.entities]}

    @classmethod
    def from_dict(cls, data: dict) -> AlertQuery:
        return cls(tuple(data.get("words") or ()),
                   tuple(EntityCondition(e["name"], tuple(e.get("keys") or ()), tuple(e.get("names") or ()))
                         for e in data.get("entities") or ()),
                   tuple(data.get("themes") or ()), tuple(data.get("countries") or ()),
                   tuple(data.get("languages") or ()), tuple(data.get("sources") or ()))


@dataclass(frozen=True)
class DocumentFacts:
    id: int
    text: str
    language: str | None
    sources: str = ""
    entity_ids: frozenset[int] = frozenset()
    countries: frozenset[str] = frozenset()
    themes: frozenset[str] = frozenset()  # codes that apply (coded, or cue terms found)


@dataclass(frozen=True)
class Resolved:
    """A query with its entities resolved to the hub's entity ids (at match time: merges are followed)."""

    query: AlertQuery
    entity_ids: tuple[frozenset[int], ...] = field(default=())


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def split_words(text: str) -> tuple[str, ...]:
    """``housing "one-stop shop" reception`` → ('housing', 'one-stop shop', 'reception')."""
    return tuple(a or b for a, b in re.findall(r'"([^"]+)"|(\S+)', text or "") if (a or b).strip())


def _has_word(folded_text: str, word: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(fold(word)), folded_text) is not None


def _has_name(text: str, name: str) -> bool:
    return len(name) >= 2 and re.search(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text) is not None


def matches(resolved: Resolved, doc: DocumentFacts) -> bool:
    q = resolved.query
    if q.languages and (doc.language or "").split("-")[0].lower() not in {x.lower() for x in q.languages}:
        return False
    if q.sources and not any(s.lower() in doc.sources.lower() for s in q.sources):
        return False
    if q.countries and not (doc.countries & {c.upper() for c in q.countries}):
        return False
    if q.themes and not (doc.themes & set(q.themes)):
        return False
    if q.words:
        folded = fold(doc.text)
        if not all(_has_word(folded, w) for w in q.words):
            return False
    if q.entities:
        found = False
        for cond, ids in zip(q.entities, resolved.entity_ids or [frozenset()] * len(q.entities), strict=True):
            if ids & doc.entity_ids or any(_has_name(doc.text, n) for n in cond.names):
                found = True
                break
        if not found:
            return False
    return True


def digest_section(doc_type: str, kinds: set[str]) -> str:
    """Where a document goes in a digest: Events, Practices, Resources or News (like the field's newsletters)."""
    if "events" in kinds:
        return "Events"
    if "practices" in kinds:
        return "Practices"
    if doc_type in ("pdf", "docx") or "resources" in kinds and doc_type not in ("feed-item",):
        return "Resources"
    return "News"


def due(frequency: str, last_mailed: float | None, created: float, now: float) -> bool:
    """Whether a digest of this frequency is due at ``now``."""
    if frequency == "immediate":
        return True
    if frequency not in PERIOD:
        return False
    return now - (last_mailed if last_mailed is not None else created) >= PERIOD[frequency]
