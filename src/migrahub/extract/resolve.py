"""Cross-document resolution: one record per real thing, from the records and mentions of many documents.

Usage (pure; the store wires it to tables later)::

    from migrahub.extract import extract
    from migrahub.extract.resolve import resolve, resolution_key
    xs = [extract(text, doc=name) for name, text in docs]
    for ent in resolve(xs):          # -> list[ResolvedEntity]
        ent.key                      # stable key: "registry:iom", "place:city:BE:ghent", "org:name:…", "org:acr:…"
        ent.members                  # ((doc, record_key), …): the per-document records it groups
    # a mention m of document d belongs to the entity whose members contain (d, m.key)

Linking rules, per category: records sharing a registry id, the same normalised name, a normalised surface of
two or more words, or the same acronym (organisations/initiatives) are one entity (union-find, so chains link:
"IOM" ↔ "International Organization for Migration" ↔ "OIM" through the registry id). ``resolution_key(record)``
gives the preferred stable key of a single record; an entity's key is the best key among its members (registry id
first, then acronym, then name).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .gazetteer import fold
from .records import Extraction, Initiative, Organisation, Person, Place
from .registry import registry_gazetteer

LINKED = ("places", "organisations", "initiatives", "people")


def normalise(name: str) -> str:
    s = fold(name or "").lower()
    s = re.sub(r"[’'`]", "", s)
    s = re.sub(r"[^a-z0-9]+", " ", s).strip()
    return re.sub(r"^(the|la|le|el|les|los|city of|municipality of) ", "", s)


def _registry_id(record) -> str | None:
    rid = getattr(record, "registry_id", None)
    if rid:
        return rid
    if not isinstance(record, (Organisation, Initiative)):
        return None
    reg, gaz, ambiguous = registry_gazetteer()
    want = "organisation" if isinstance(record, Organisation) else "initiative"
    for s in (record.name, *(record.surface or ()), record.acronym or ""):
        if not s or s in ambiguous:
            continue
        hits = gaz.find(s)
        if len(hits) == 1 and hits[0].start == 0 and hits[0].end == len(s):
            es = {e.id for e in hits[0].payloads if e.type == want}
            if len(es) == 1:
                return es.pop()
    return None


def resolution_key(record) -> str:
    """The preferred stable key of one record (same thing → same key across documents where knowable)."""
    if isinstance(record, Place):
        return record.key
    if isinstance(record, Person):
        return "person:" + normalise(record.name)
    if isinstance(record, (Organisation, Initiative)):
        prefix = "org" if isinstance(record, Organisation) else "initiative"
        rid = _registry_id(record)
        if rid:
            return f"registry:{rid}"
        if record.acronym:
            return f"{prefix}:acr:{record.acronym}"
        return f"{prefix}:name:{normalise(record.name)}"
    return getattr(record, "key", repr(record))


def _link_keys(cat: str, record) -> set[str]:
    keys = {f"{cat}|{resolution_key(record)}"}
    if isinstance(record, (Organisation, Initiative)):
        keys.add(f"{cat}|n:{normalise(record.name)}")
        for s in record.surface:
            n = normalise(s)
            if len(n.split()) >= 2:
                keys.add(f"{cat}|n:{n}")
        if record.acronym:
            keys.add(f"{cat}|a:{record.acronym}")
    elif isinstance(record, Person):
        keys.add(f"{cat}|n:{normalise(record.name)}")
    return keys


@dataclass(frozen=True)
class ResolvedEntity:
    key: str
    category: str
    name: str
    acronym: str | None
    surfaces: tuple[str, ...]
    members: tuple[tuple[str, str], ...]  # (doc, record key in that document's Extraction)


def resolve(extractions: Iterable[Extraction]) -> list[ResolvedEntity]:
    """Group the places/organisations/initiatives/people of many documents into one entity per real thing."""
    items: list[tuple[str, str, object]] = []  # (cat, doc, record)
    for x in extractions:
        for cat in LINKED:
            for r in getattr(x, cat):
                items.append((cat, x.doc, r))
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, (cat, _doc, r) in enumerate(items):
        for k in _link_keys(cat, r):
            if k in owner:
                parent[find(i)] = find(owner[k])
            else:
                owner[k] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(find(i), []).append(i)
    out = []
    rank = lambda k: (0 if k.startswith("registry:") else 1 if ":acr:" in k else 2, k)  # noqa: E731
    for idxs in groups.values():
        recs = [items[i] for i in idxs]
        cat = recs[0][0]
        key = min((resolution_key(r) for _, _, r in recs), key=rank)
        first = recs[0][2]
        name = first.name
        acronym = next((getattr(r, "acronym", None) for _, _, r in recs if getattr(r, "acronym", None)), None)
        if key.startswith("registry:"):
            reg = registry_gazetteer()[0].by_id().get(key.split(":", 1)[1])
            if reg:
                name, acronym = reg.name, reg.acronym or acronym
        surfaces = tuple(dict.fromkeys(s for _, _, r in recs for s in (getattr(r, "surface", None) or (r.name,))))
        out.append(ResolvedEntity(key, cat, name, acronym, surfaces, tuple((d, r.key) for _, d, r in recs)))
    return out
