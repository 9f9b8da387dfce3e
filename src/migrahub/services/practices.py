"""The practice library: the structured good-practice records of the hub (entity category ``practices``, one
record per document that states it), each with the passage it comes from, filterable by place (country → city),
actor / target group and — once passages are coded — theme.

Pure reads; the web page and the API render what :func:`library` returns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from migrahub.store import codings
from migrahub.store import entities as store
from migrahub.store import practices as practice_store

# Target groups and actors recognised in a practice's title, summary, actors and evidence (English, French,
# Spanish, German stems). The key is the filter value, the label is shown.
GROUPS: dict[str, tuple[str, str]] = {
    "children": ("Children & minors", r"child|minor|unaccompanied|kids|enfant|niñ|menor|kinder"),
    "youth": ("Young people", r"youth|young people|young migrants|jeunes|jóvenes|jugend"),
    "women": ("Women & girls", r"women|woman|girls|mothers|femmes|mujeres|frauen"),
    "undocumented": ("Undocumented people", r"undocumented|irregular|sans[- ]papiers|without papers|"
                                             r"sin papeles|irregulär"),
    "refugees": ("Refugees & asylum seekers", r"refugee|asylum|réfugi|demandeurs d.asile|refugiad|flüchtling"),
    "workers": ("Workers", r"worker|labour|labor|employment|jobs|travailleu|trabajador|arbeit"),
    "families": ("Families", r"famil"),
    "older": ("Older people", r"elderly|older people|seniors|personnes âgées"),
    "students": ("Students & schools", r"student|school|école|escuela|schule|universit"),
    "lgbtiq": ("LGBTIQ people", r"lgbt"),
}
_GROUP_RE = {k: re.compile(rf"\b(?:{pattern})", re.I) for k, (_, pattern) in GROUPS.items()}
MAX_RECORDS = 5000  # practice records read per request (newest documents first)


@dataclass
class Practice:
    entity_id: int
    document_id: int
    title: str
    summary: str
    places: list[dict]            # [{"name", "id" (entity id or None), "type", "country"}]
    actors: list[str]
    groups: list[str]             # keys of GROUPS
    passage_id: int | None
    document_title: str | None
    published: str | None
    evidence: str
    themes: list[str] = field(default_factory=list)


@dataclass
class Library:
    total: int
    practices: list[Practice]
    countries: list[tuple[str, int]]          # (ISO code, practices), most first
    cities: list[tuple[int | None, str, int]]  # (entity id, name, practices) within the chosen country
    groups: list[tuple[str, str, int]]         # (key, label, practices)
    themes: list[tuple[str, int]]              # (code, practices); empty until coding exists


def groups_of(text: str) -> list[str]:
    """The target groups a practice's text names (keys of :data:`GROUPS`)."""
    return [k for k, rx in _GROUP_RE.items() if rx.search(text or "")]


def _place_index(conn) -> dict[str, dict]:
    index: dict[str, dict] = {}
    for r in practice_store.places(conn):
        data = r["data"]
        info = {"id": r["id"], "name": r["name"], "type": data.get("type"), "country": data.get("country")}
        for name in [r["name"], *(data.get("surface") or [])]:
            index.setdefault(str(name).casefold(), info)
    return index


def records(conn, limit: int = MAX_RECORDS) -> list[Practice]:
    """Every practice record of current documents (newest first) with its passage, places resolved to entities.
    A record a curator edited shows the curated fields (title, summary, places, actors…) with each document's
    own evidence; a record merged into another shows as that one (see :func:`store.document_records`)."""
    places = _place_index(conn)
    out = []
    for r in store.document_records(conn, "practices", limit):
        data = r["data"]
        title, summary = str(data.get("title") or ""), str(data.get("summary") or "")
        actors = [str(a) for a in data.get("actors") or ()]
        resolved = []
        for name in data.get("places") or ():
            info = places.get(str(name).casefold())
            resolved.append(info or {"id": None, "name": str(name), "type": None, "country": None})
        text = " ".join([title, summary, " ".join(actors), str(data.get("evidence") or "")])
        out.append(Practice(r["entity_id"], r["document_id"], title, summary, resolved, actors, groups_of(text),
                            r["passage_id"], r["document_title"], r["published"], str(data.get("evidence") or "")))
    themes = codings.applied_codes(conn, [p.passage_id for p in out if p.passage_id])
    for p in out:
        p.themes = themes.get(p.passage_id, [])
    return out


def _countries(p: Practice) -> set[str]:
    return {pl["country"] for pl in p.places if pl.get("country")}


def library(conn, *, country: str | None = None, city: int | None = None,
            group: str | None = None, theme: str | None = None, limit: int = 25, offset: int = 0) -> Library:
    """A page of practices under the filters, with the counts of every filter value under the other filters."""
    everything = records(conn)

    def keep(p: Practice, skip: str = "") -> bool:
        if country and skip not in ("country", "city") and country not in _countries(p):
            return False
        if city and skip != "city" and not any(pl.get("id") == city for pl in p.places):
            return False
        if group and skip != "group" and group not in p.groups:
            return False
        return not (theme and skip != "theme" and theme not in p.themes)

    chosen = [p for p in everything if keep(p)]
    counts: dict[str, dict] = {"country": {}, "city": {}, "group": {}, "theme": {}}
    for p in everything:
        if keep(p, "country"):
            for c in _countries(p):
                counts["country"][c] = counts["country"].get(c, 0) + 1
        if country and keep(p, "city"):
            for pl in {(pl["id"], pl["name"]) for pl in p.places if pl.get("country") == country
                       and pl.get("type") != "country"}:
                counts["city"][pl] = counts["city"].get(pl, 0) + 1
        if keep(p, "group"):
            for g in p.groups:
                counts["group"][g] = counts["group"].get(g, 0) + 1
        if keep(p, "theme"):
            for t in p.themes:
                counts["theme"][t] = counts["theme"].get(t, 0) + 1
    page = chosen[offset:offset + limit]
    for p in page:
        if p.passage_id is None and p.evidence:  # no mention stored: find the passage that holds the evidence
            p.passage_id = practice_store.passage_holding(conn, p.document_id, p.evidence[:200])
    by_count = lambda d: sorted(d.items(), key=lambda kv: (-kv[1], str(kv[0])))  # noqa: E731
    return Library(
        total=len(chosen), practices=page,
        countries=by_count(counts["country"]),
        cities=[(k[0], k[1], n) for k, n in by_count(counts["city"])],
        groups=[(k, GROUPS[k][0], n) for k, n in by_count(counts["group"])],
        themes=by_count(counts["theme"]))
