"""RIS (EndNote, Zotero, Mendeley, databases) read into references and written from them, through ``rispy``.

Organisations are authors without a comma (``AU  - UNHCR``); people are ``Family, Given``. Places and themes go
into ``KW`` lines (``place:…``, ``theme:…``) and an ``N1`` note; a CSL type that RIS cannot name is kept in ``M3``.
"""

from __future__ import annotations

import re

import rispy

from migrahub.connect.references import (
    BibliographyError,
    Reference,
    csl_type,
    format_type,
    lossless_type,
    people_and_bodies,
    person,
    tag_keywords,
    tag_note,
    types,
    with_tags,
    year_of,
)

_END = re.compile(r"^ER  -.*$", re.M)
_TAG = re.compile(r"^([A-Z][A-Z0-9])  -( |$)")


def _chunks(text: str, source: str):
    """Each record's text (from ``TY`` to ``ER``) with its number and first line; refuses a record cut short."""
    start, n = 0, 0
    for m in _END.finditer(text):
        n += 1
        yield n, text[start:m.end()]
        start = m.end()
    rest = text[start:].strip()
    if rest and not re.fullmatch(r"\d+\.", rest):
        raise BibliographyError(f"{source}: record {n + 1} ({_title(rest)}) has no end line 'ER  -' (file cut?)")


def _title(chunk: str) -> str:
    m = re.search(r"^(?:TI|T1)  - (.*)$", chunk, re.M)
    return repr(m.group(1)[:80]) if m else "untitled"


def _one(value) -> str:
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return str(value or "")


def read(text: str, source: str, max_bytes: int = 0) -> list[Reference]:
    out = []
    for n, chunk in _chunks(text, source):
        label = f"{source}: record {n} ({_title(chunk)})"
        lines = [ln for ln in chunk.strip().splitlines() if ln.strip() and not re.fullmatch(r"\d+\.", ln.strip())]
        if not lines or not lines[0].startswith("TY  - "):
            raise BibliographyError(f"{label}: a record must start with 'TY  - ' (found {lines[0][:40]!r})"
                                    if lines else f"{label}: empty record")
        try:
            entries = rispy.loads(chunk)
        except Exception as exc:  # rispy raises plain exceptions on broken lines
            raise BibliographyError(f"{label}: {exc}") from exc
        if len(entries) != 1:
            raise BibliographyError(f"{label}: not one RIS record")
        out.append(_reference(entries[0], label))
    return out


def _reference(entry: dict, label: str) -> Reference:
    title = _one(entry.get("title") or entry.get("primary_title"))
    if not title.strip():
        raise BibliographyError(f"{label}: no title (TI)")
    names = [person(a) for a in [*(entry.get("authors") or []), *(entry.get("first_authors") or [])]]
    kind = csl_type(entry.get("type_of_reference", ""), "ris")
    worded = str(entry.get("type_of_work") or "").strip()
    if worded in types()["types"]:
        kind = worded
    urls = entry.get("urls") or []
    ref = Reference(title=title.strip(), type=kind, key=_one(entry.get("id")), **people_and_bodies(names),
                    year=year_of(_one(entry.get("year") or entry.get("publication_year") or entry.get("date"))),
                    doi=_one(entry.get("doi")), url=_one(urls),
                    container=_one(entry.get("secondary_title") or entry.get("journal_name")),
                    publisher=_one(entry.get("publisher")), abstract=_one(entry.get("abstract")),
                    language=_one(entry.get("language")))
    return with_tags(ref, entry.get("keywords") or [], "\n".join(str(x) for x in entry.get("notes") or []))


def entry(ref: Reference, key: str) -> dict:
    out: dict = {"type_of_reference": format_type(ref.type, "ris"), "id": key, "title": ref.title}
    names = [f"{a.family}, {a.given}" if a.given else f"{a.family}," for a in ref.authors]
    names += list(ref.organisations)
    if names:
        out["authors"] = names
    if not lossless_type(ref.type, "ris"):
        out["type_of_work"] = ref.type
    for field, value in (("year", str(ref.year or "")), ("doi", ref.doi), ("secondary_title", ref.container),
                         ("publisher", ref.publisher), ("abstract", ref.abstract), ("language", ref.language)):
        if value:
            out[field] = value.replace("\n", " ")
    if ref.url:
        out["urls"] = [ref.url]
    if tag_keywords(ref):
        out["keywords"] = tag_keywords(ref)
    note = tag_note(ref)
    if note:
        out["notes"] = [line for line in note.splitlines() if line.strip()]
    return out


def write(refs: list[tuple[str, Reference]]) -> str:
    return rispy.dumps([entry(ref, key) for key, ref in refs])
