"""Turning facet counts into the links the search page shows (each toggles one filter)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from migrahub.services.documents import Query
from migrahub.web.params import DOC_TYPES, language_name, url_with

TITLES = {"language": "Language", "doc_type": "Document type", "year": "Year", "source": "Source"}
PARAM = {"language": "lang", "doc_type": "type", "source": "source"}


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    url: str


@dataclass(frozen=True)
class Facet:
    name: str
    title: str
    values: list[FacetValue]


def _label(facet: str, value: str) -> str:
    if facet == "language":
        return language_name(value or None)
    if facet == "doc_type":
        return DOC_TYPES.get(value, value)
    if facet == "source":
        return value if len(value) <= 60 else "…" + value[-59:]  # already public (see build)
    return value


@functools.lru_cache(maxsize=4096)  # a search page shows up to 25 sources; each is resolved on the disk once
def _public_source(locator: str) -> str:
    from django.conf import settings

    from migrahub.services.curation import public_locator

    return public_locator(locator or "", settings.MIGRAHUB_UPLOAD_DIR).removeprefix("upload: ")


def build(base: str, query: Query, counts: dict[str, list[tuple[str, int]]]) -> list[Facet]:
    out = []
    for name, pairs in counts.items():
        values = []
        for value, count in pairs:
            if name == "source":  # a local file by its name, an upload as such: never a server path
                value = _public_source(value)
            if name == "year":
                selected = query.year_from == query.year_to == int(value) if value.isdigit() else False
                url = (url_with(base, query, from_=None, to=None, page=None) if selected
                       else url_with(base, query, from_=value, to=value, page=None))
            else:
                current = getattr(query, name)
                selected = current is not None and current == (value or None)
                if name == "language" and not value:
                    continue  # documents of unknown language cannot be selected by a filter
                url = url_with(base, query, **{PARAM[name]: None if selected else value, "page": None})
            values.append(FacetValue(value, _label(name, value), count, selected, url))
        out.append(Facet(name, TITLES[name], values))
    return out


ENTITY_FACETS = (("countries", "Country", "country"), ("places", "City", "place"),
                 ("organisations", "Organisation", "org"), ("initiatives", "Initiative / network", "initiative"))


def build_entities(base: str, query: Query, counts: dict) -> list[Facet]:
    """Facets of the places, organisations and initiatives the matching documents mention. Choosing a country
    also narrows the city facet to it; choosing another country drops the chosen city."""
    current = {"country": query.country, "place": query.place, "org": query.organisation,
               "initiative": query.initiative}
    out = []
    for key, title, param in ENTITY_FACETS:
        values = []
        for value, label, count in counts.get(key, ()):
            selected = current[param] is not None and str(current[param]) == str(value)
            changes = {param: None if selected else value, "page": None}
            if param == "country":
                changes["place"] = None
            values.append(FacetValue(str(value), label, count, selected, url_with(base, query, **changes)))
        if current[param] is not None and not any(v.selected for v in values):  # chosen but outside the top values
            values.insert(0, FacetValue(str(current[param]), f"{title} {current[param]}", 0, True,
                                        url_with(base, query, **{param: None, "page": None})))
        if key == "places" and not query.country and not values:
            continue
        out.append(Facet(key, title, values))
    return out
