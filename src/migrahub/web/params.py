"""Reading search parameters from a request's query string (the same names in pages, exports and the API)."""

from __future__ import annotations

import functools
from urllib.parse import quote_plus

from django.conf.locale import LANG_INFO

from migrahub.services.documents import Query

DOC_TYPES = {"txt": "Plain text", "md": "Markdown", "html": "HTML file", "pdf": "PDF", "docx": "Word document",
             "feed-item": "Feed item", "page": "Web page"}
PARAMS = ("q", "lang", "type", "source", "from", "to", "country", "place", "org", "initiative")
PAGE_SIZE = 20


def _year(value: str | None, name: str, errors: list[str]) -> int | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit() and 1000 <= int(value) <= 2999:
        return int(value)
    errors.append(f"'{name}' must be a year such as 2019")
    return None


def read_query(params) -> tuple[Query, list[str]]:
    """The :class:`Query` that a query string asks for, and the problems found in it (bad values are dropped)."""
    errors: list[str] = []
    doc_type = (params.get("type") or "").strip() or None
    if doc_type and doc_type not in DOC_TYPES:
        errors.append(f"unknown document type {doc_type!r}")
        doc_type = None
    lang = (params.get("lang") or "").strip().lower() or None
    if lang and not (lang.isalpha() and len(lang) <= 8):
        errors.append(f"unknown language code {lang!r}")
        lang = None
    year_from = _year(params.get("from"), "from", errors)
    year_to = _year(params.get("to"), "to", errors)
    if year_from and year_to and year_from > year_to:
        errors.append("'from' is after 'to'")
    country = (params.get("country") or "").strip().upper() or None
    if country and not (country.isalpha() and len(country) == 2):
        errors.append(f"unknown country code {country!r} (use two letters such as BE)")
        country = None
    ids = {}
    for name in ("place", "org", "initiative"):
        value = (params.get(name) or "").strip()
        if value and not (value.isdigit() and len(value) <= 12):
            errors.append(f"'{name}' must be a record number")
            value = ""
        ids[name] = int(value) if value else None
    query = Query(q=(params.get("q") or "").strip()[:500], language=lang, doc_type=doc_type,
                  source=(params.get("source") or "").strip()[:2000] or None, year_from=year_from, year_to=year_to,
                  country=country, place=ids["place"], organisation=ids["org"], initiative=ids["initiative"])
    return query, errors


def read_page(params) -> int:
    value = params.get("page") or "1"
    return max(1, min(int(value), 10_000)) if value.isdigit() else 1


def as_params(query: Query) -> dict[str, str]:
    return dict(_params(query))


@functools.lru_cache(maxsize=256)  # a search page builds ~100 facet links from one query
def _params(query: Query) -> tuple[tuple[str, str], ...]:
    values = {"q": query.q, "lang": query.language, "type": query.doc_type, "source": query.source,
              "from": query.year_from, "to": query.year_to, "country": query.country, "place": query.place,
              "org": query.organisation, "initiative": query.initiative}
    return tuple((k, str(v)) for k, v in values.items() if v)


def url_with(base: str, query: Query, **changes) -> str:
    """``base`` with the query's parameters, some changed (a value of ``None`` removes a parameter)."""
    params = as_params(query)
    for key, value in changes.items():
        key = key.rstrip("_")
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    encoded = "&".join(f"{key}={_quoted(value)}" for key, value in params.items())  # what urlencode() writes
    return f"{base}?{encoded}" if encoded else base


@functools.lru_cache(maxsize=1024)  # a page's links repeat the same few values
def _quoted(value: str) -> str:
    return quote_plus(value)


def language_name(code: str | None) -> str:
    if not code:
        return "Unknown"
    info = LANG_INFO.get(code)
    return f"{info['name']} ({code})" if info and "name" in info else code
