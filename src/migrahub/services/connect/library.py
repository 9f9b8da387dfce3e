"""The open research library: import a reference manager's file (duplicates merged), promote the resources the
extraction found, list and search, export all / a selection / a query's results."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, replace

from migrahub.connect import reading
from migrahub.connect.references import BibliographyError, Name, Reference, merge, same_work
from migrahub.store import connect as store
from migrahub.store.database import transaction

__all__ = ["BibliographyError", "ImportResult", "import_file", "import_bytes", "export", "search", "sync_extracted"]


@dataclass(frozen=True)
class ImportResult:
    source: str
    format: str
    read: int
    added: int
    merged: int

    def as_dict(self) -> dict:
        return {"source": self.source, "format": self.format, "read": self.read, "added": self.added,
                "merged": self.merged}


def _upsert(conn: sqlite3.Connection, ref: Reference) -> bool:
    """Store ``ref``, merged into the stored reference of the same work if any; True when it was new."""
    for rid, stored in store.reference_candidates(conn, ref):
        if same_work(stored, ref):
            store.save_reference(conn, merge(stored, ref), rid)
            return False
    store.save_reference(conn, ref)
    return True


def _store_all(conn, refs: list[Reference], source: str, fmt: str, actor: str) -> ImportResult:
    added = 0
    with transaction(conn):  # one transaction: a failure stores nothing of the file
        for ref in refs:
            added += _upsert(conn, ref)
        store.log(conn, actor, "library.import", "library", source, {"format": fmt, "read": len(refs),
                                                                      "added": added})
    return ImportResult(source, fmt, len(refs), added, len(refs) - added)


def import_file(conn: sqlite3.Connection, path: str, actor: str = "cli",
                max_bytes: int = reading.MAX_BYTES) -> ImportResult:
    """Read a CSL-JSON, RIS or BibTeX file (told by its content) and store its references; the whole file is read
    before anything is written, so a bad record leaves the library as it was."""
    fmt, refs = reading.read_file(path, max_bytes)
    return _store_all(conn, refs, str(path), fmt, actor)


def import_bytes(conn: sqlite3.Connection, data: bytes, source: str, actor: str,
                 max_bytes: int = reading.MAX_BYTES) -> ImportResult:
    fmt, refs = reading.read_bytes(data, source, max_bytes)
    return _store_all(conn, refs, source, fmt, actor)


def add_reference(conn: sqlite3.Connection, ref: Reference, actor: str) -> int:
    if not ref.title.strip():
        raise BibliographyError("title: a reference needs a title")
    with transaction(conn):
        _upsert(conn, replace(ref, origin="curated"))
        store.log(conn, actor, "library.add", "library", ref.title[:200], {})
        return store.reference_candidates(conn, ref)[0][0]


def _from_extracted(conn: sqlite3.Connection, item: dict) -> Reference:
    data = item["data"]
    author = str(data.get("author_or_org") or "").strip()
    people, bodies = (), ()
    if author:
        if store.entity_category_of(conn, author) == "people":
            parts = author.split()
            people = (Name(family=parts[-1], given=" ".join(parts[:-1])),)
        else:
            bodies = (author,)
    return Reference(title=str(data.get("title") or item["name"]), type="report", authors=people,
                     organisations=bodies, year=data.get("year") if isinstance(data.get("year"), int) else None,
                     url=str(data.get("url") or ""), places=tuple(item["places"]), themes=tuple(item["themes"]),
                     origin="extracted", entity_id=item["entity_id"])


def sync_extracted(conn: sqlite3.Connection) -> int:
    """Bring the resources the extraction found into the library (once each; a reference already imported for the
    same work is completed instead). Returns how many were new."""
    fresh = store.extracted_resources(conn)
    if not fresh:
        return 0
    added = 0
    with transaction(conn):
        for item in fresh:
            added += _upsert(conn, _from_extracted(conn, item))
    return added


def query_words(query: str) -> list[str]:
    return [w for w in re.findall(r"[\w:.\-/]+", query or "") if w][:20]


def search(conn: sqlite3.Connection, query: str = "", *, place: str | None = None, theme: str | None = None,
           year: int | None = None, limit: int = 25, offset: int = 0) -> tuple[int, list[tuple[int, Reference]]]:
    return store.references(conn, words=query_words(query), place=place, theme=theme, year=year, limit=limit,
                            offset=offset)


def reference(conn: sqlite3.Connection, reference_id: int) -> Reference | None:
    return store.reference(conn, reference_id)


def facets(conn: sqlite3.Connection) -> dict:
    return store.reference_facets(conn)


def _key(ref: Reference, rid: int, used: set[str]) -> str:
    key = re.sub(r"[^\w:\-.]", "", ref.key or "")
    if not key:
        who = (ref.authors[0].family if ref.authors else (ref.organisations[0] if ref.organisations else "ref"))
        key = re.sub(r"\W", "", who.split()[0] if who.split() else "ref").lower() + str(ref.year or "") + f"-{rid}"
    base, n = key, 1
    while key in used:
        n += 1
        key = f"{base}-{n}"
    used.add(key)
    return key


def export(conn: sqlite3.Connection, fmt: str, *, query: str = "", ids: list[int] | None = None) -> tuple[str, int]:
    """The whole library (or the references ``ids``, or those matching ``query``) as CSL-JSON, RIS or BibTeX;
    returns the text and how many references it holds."""
    if fmt not in reading.FORMATS:
        raise BibliographyError(f"format: {fmt!r} is not one of {', '.join(reading.FORMATS)}")
    _total, rows = store.references(conn, words=query_words(query), ids=ids)
    used: set[str] = set()
    keyed = [(_key(ref, rid, used), ref) for rid, ref in rows]
    return reading.write(keyed, fmt), len(keyed)


def _split(value: str, sep: str = r"[;\n]") -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in re.split(sep, value or "") if v.strip()))


def parse_form(fields: dict) -> Reference:
    """A curator's reference from a form's fields (authors one per line as ``Family, Given``; organisations,
    places and themes separated by ``;``); :class:`BibliographyError` names the first wrong field."""
    from migrahub.connect.references import person, types

    title = str(fields.get("title") or "").strip()
    if not title:
        raise BibliographyError("title: a reference needs a title")
    kind = str(fields.get("type") or "report")
    if kind not in types()["types"]:
        raise BibliographyError(f"type: choose among {', '.join(types()['types'])}")
    year = str(fields.get("year") or "").strip()
    if year and not re.fullmatch(r"1[5-9]\d\d|2\d\d\d", year):
        raise BibliographyError(f"year: {year[:20]!r} is not a year")
    doi = str(fields.get("doi") or "").strip()
    if doi and not re.match(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?10\.\d{4,9}/\S+$", doi, re.I):
        raise BibliographyError(f"doi: {doi[:60]!r} is not a DOI (10.xxxx/…)")
    url = str(fields.get("url") or "").strip()
    if url and not re.match(r"^https?://\S+$", url):
        raise BibliographyError("url: an address starting with http:// or https://")
    names = [person(line) for line in _split(fields.get("authors", ""), r"\n")]
    return Reference(title=title[:500], type=kind, authors=tuple(n for n in names if not n.literal),
                     organisations=_split(fields.get("organisations", "")) + tuple(n.literal for n in names
                                                                                   if n.literal),
                     year=int(year) if year else None, doi=doi, url=url,
                     container=str(fields.get("container") or "").strip(),
                     publisher=str(fields.get("publisher") or "").strip(), places=_split(fields.get("places", "")),
                     themes=_split(fields.get("themes", "")), note=str(fields.get("note") or "").strip(),
                     origin="curated")


def reference_types() -> list[str]:
    from migrahub.connect.references import types

    return list(types()["types"])
