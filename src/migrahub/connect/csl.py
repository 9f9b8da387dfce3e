"""CSL-JSON (the format of Zotero, Mendeley, citeproc and pandoc) read into references and written from them.

Written items validate against the CSL project's schema (``data/csl-data.json``, see its NOTICE): places and themes
go into ``keyword`` (``place:…``, ``theme:…``) and ``note``, organisations are authors with a ``literal`` name.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from migrahub import safeload
from migrahub.connect.references import (
    BibliographyError,
    Name,
    Reference,
    people_and_bodies,
    tag_keywords,
    tag_note,
    with_tags,
    year_of,
)


@cache
def schema() -> dict:
    return json.loads((resources.files("migrahub.connect") / "data" / "csl-data.json").read_text("utf-8"))


def _shape(value, key: str = ""):
    """What the schema can tell apart in a value: its keys, the JSON types and list lengths under them, and the
    value of ``type`` (the schema's only enum). The schema has no pattern, length or range rule, so two items of
    one shape are both valid or both invalid."""
    if isinstance(value, dict):
        return tuple(sorted((k, _shape(v, k)) for k, v in value.items()))
    if isinstance(value, list):
        return ("list", *(_shape(v) for v in value))
    if key == "type" and isinstance(value, str):
        return ("type", value)
    return type(value).__name__


def problems(items: list) -> list[str]:
    """Every way ``items`` breaks the CSL-JSON schema (empty when valid), each naming the item. Items of one shape
    (:func:`_shape`) are validated once, with the first of them."""
    import jsonschema  # a development dependency: exports are validated where it is installed (see `write`)

    validator = jsonschema.Draft3Validator(schema())
    if not isinstance(items, list):
        return [e.message[:300] for e in validator.iter_errors(items)]
    shapes: dict = {}
    for i, item in enumerate(items):
        shapes.setdefault(_shape(item), []).append(i)
    out = []
    for same in shapes.values():
        first = same[0]
        label = f"item {first + 1}"
        if isinstance(items[first], dict):
            label += f" ({items[first].get('id')})"
        if len(same) > 1:
            label += f" and {len(same) - 1} more of the same form"
        for error in validator.iter_errors([items[first]]):
            out.append(f"{label}: {error.message[:300]}")
    return out


def _name(value, where: str) -> Name:
    if not isinstance(value, dict):
        raise BibliographyError(f"{where}: a name must be an object with family/given or literal")
    return Name(family=str(value.get("family") or "").strip(), given=str(value.get("given") or "").strip(),
                literal=str(value.get("literal") or "").strip())


def _year(item: dict):
    issued = item.get("issued")
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            return year_of(parts[0][0])
        return year_of(issued.get("raw") or issued.get("literal"))
    return year_of(issued)


def _keywords(value) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [w.strip() for w in str(value or "").split(",")]


def read_item(item, n: int, source: str) -> Reference:
    label = f"{source}: item {n}"
    if not isinstance(item, dict):
        raise BibliographyError(f"{label}: not an object")
    label += f" ({item.get('id')})" if item.get("id") is not None else ""
    title = item.get("title")
    if not isinstance(title, str) or not title.strip():
        raise BibliographyError(f"{label}: no title")
    authors = item.get("author") or []
    if not isinstance(authors, list):
        raise BibliographyError(f"{label}: author must be a list of names")
    names = [_name(a, f"{label}, author {i + 1}") for i, a in enumerate(authors)]
    kind = str(item.get("type") or "")
    kind = kind if kind in schema()["items"]["properties"]["type"]["enum"] else "article"  # newer CSL types
    ref = Reference(title=title.strip(), type=kind, key=str(item.get("id") or ""),
                    **people_and_bodies(names), year=_year(item), doi=str(item.get("DOI") or ""),
                    url=str(item.get("URL") or ""), container=str(item.get("container-title") or ""),
                    publisher=str(item.get("publisher") or ""), abstract=str(item.get("abstract") or ""),
                    language=str(item.get("language") or ""))
    return with_tags(ref, _keywords(item.get("keyword")), str(item.get("note") or ""))


def read(text: str, source: str, max_bytes: int) -> list[Reference]:
    try:
        data = safeload.load_json(text, source, max_bytes=max_bytes)
    except safeload.InputError as exc:
        raise BibliographyError(str(exc)) from exc
    if isinstance(data, dict):
        data = data.get("items", [data]) if "items" in data else [data]
    if not isinstance(data, list):
        raise BibliographyError(f"{source}: CSL-JSON must be a list of items")
    return [read_item(item, i + 1, source) for i, item in enumerate(data)]


def item(ref: Reference, key: str) -> dict:
    out: dict = {"id": key, "type": ref.type, "title": ref.title}
    names = [{"family": n.family, **({"given": n.given} if n.given else {})} for n in ref.authors]
    names += [{"literal": o} for o in ref.organisations]
    if names:
        out["author"] = names
    if ref.year:
        out["issued"] = {"date-parts": [[ref.year]]}
    for field, value in (("DOI", ref.doi), ("URL", ref.url), ("container-title", ref.container),
                         ("publisher", ref.publisher), ("abstract", ref.abstract), ("language", ref.language),
                         ("keyword", ", ".join(tag_keywords(ref))), ("note", tag_note(ref))):
        if value:
            out[field] = value
    return out


def validator_available() -> bool:
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        return False
    return True


def write(refs: list[tuple[str, Reference]]) -> str:
    """The references as CSL-JSON, checked against the schema where ``jsonschema`` is installed (the test suite
    always checks)."""
    items = [item(ref, key) for key, ref in refs]
    wrong = problems(items) if validator_available() else []
    if wrong:  # a bug of ours, never the user's: refuse to write a file others would reject
        raise BibliographyError("CSL-JSON export does not validate: " + "; ".join(wrong[:5]))
    return json.dumps(items, ensure_ascii=False, indent=1) + "\n"
