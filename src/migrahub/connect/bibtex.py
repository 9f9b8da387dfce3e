"""BibTeX read into references and written from them, through ``bibtexparser`` 2.

Organisations are authors in braces (``{UNHCR}``); places and themes go into ``keywords`` (``place:…``, ``theme:…``)
and ``note``; a CSL type BibTeX cannot name is kept in the ``type`` field. LaTeX escapes are decoded on import.
"""

from __future__ import annotations

import re

import bibtexparser
from bibtexparser.model import Entry, Field
from pylatexenc.latex2text import LatexNodes2Text

from migrahub.connect.references import (
    BibliographyError,
    Name,
    Reference,
    csl_type,
    format_type,
    lossless_type,
    people_and_bodies,
    tag_keywords,
    tag_note,
    types,
    with_tags,
    year_of,
)


def _split_names(value: str) -> list[str]:
    """Names joined by ``and`` outside braces."""
    out, depth, current = [], 0, ""
    for token in re.split(r"(\s+and\s+|[{}])", value):
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        if depth == 0 and re.fullmatch(r"\s+and\s+", token or ""):
            out.append(current)
            current = ""
        else:
            current += token or ""
    return [n.strip() for n in [*out, current] if n.strip()]


def _name(raw: str) -> Name:
    if raw.startswith("{") and raw.endswith("}") and not raw.startswith("{\\"):
        return Name(literal=_decoded(raw[1:-1]))
    raw = _decoded(raw)
    if "," in raw:
        family, given = (s.strip() for s in raw.split(",", 1))
        return Name(family=family, given=given)
    parts = raw.split()
    return Name(family=parts[-1], given=" ".join(parts[:-1])) if parts else Name()


def _unbrace(value: str) -> str:
    return re.sub(r"(?<!\\)[{}]", "", value).replace("\\{", "{").replace("\\}", "}").strip()


def read(text: str, source: str, max_bytes: int = 0) -> list[Reference]:
    raw = bibtexparser.parse_string(text)
    if raw.failed_blocks:
        block = raw.failed_blocks[0]
        head = block.raw.strip().splitlines()[0][:80] if block.raw.strip() else ""
        reason = (str(getattr(block, "error", "") or "").strip().splitlines() or [""])[0]
        raise BibliographyError(f"{source}: entry at line {block.start_line + 1} ({head!r}) cannot be read: "
                                f"{reason or 'unbalanced braces or a missing comma'}")
    return [_reference(e, f"{source}: entry {e.key!r} (line {e.start_line + 1})") for e in raw.entries]


_RAW = ("author", "url", "doi")  # read as written: LaTeX decoding would take a URL's % for a comment


_LATEX = LatexNodes2Text(math_mode="verbatim", keep_comments=True)


_PLAIN = re.compile(r"[\\{}~$%]")


def _decoded(value: str) -> str:
    """A field's text with LaTeX escapes decoded (``{\\'e}`` → é, ``\\%`` → %) and grouping braces dropped."""
    if not _PLAIN.search(value):  # nothing LaTeX would change: skip the (slow) decoder
        return "\n".join(re.sub(r"[ \t\r]+", " ", line).strip() for line in value.split("\n")).strip()
    try:
        text = _LATEX.latex_to_text(value)
    except Exception:  # pylatexenc gives up on some malformed input: keep the text without braces
        text = _unbrace(value)
    return "\n".join(re.sub(r"[ \t\r]+", " ", line).strip() for line in text.split("\n")).strip()


def _reference(e: Entry, label: str) -> Reference:
    raw_names = {f.key.lower(): str(f.value) for f in e.fields if f.key.lower() in _RAW}
    fields = {f.key.lower(): (str(f.value) if f.key.lower() in _RAW else _decoded(str(f.value))) for f in e.fields}
    title = fields.get("title", "")
    if not title:
        raise BibliographyError(f"{label}: no title")
    people = [_name(n) for n in _split_names(str(raw_names.get("author") or ""))]
    kind = csl_type(e.entry_type, "bibtex")
    if fields.get("type", "").strip() in types()["types"]:
        kind = fields["type"].strip()
    ref = Reference(title=title, type=kind, key=e.key, **people_and_bodies(people),
                    year=year_of(fields.get("year") or fields.get("date")),
                    doi=_unbrace(str(raw_names.get("doi") or "")),
                    url=_unbrace(str(raw_names.get("url") or "")),
                    container=fields.get("journal") or fields.get("booktitle") or fields.get("series", ""),
                    publisher=fields.get("publisher") or fields.get("institution") or fields.get("school", ""),
                    abstract=fields.get("abstract", ""), language=fields.get("language", ""))
    keywords = [k.strip() for k in re.split(r"[,;]", fields.get("keywords", ""))]
    return with_tags(ref, keywords, fields.get("note", ""))


def _escape(value: str) -> str:
    return re.sub(r"([{}%&#])", r"\\\1", value).replace("~", "\\textasciitilde{}")


def entry(ref: Reference, key: str) -> Entry:
    kind = format_type(ref.type, "bibtex")
    fields = [Field("title", _escape(ref.title))]
    names = [f"{_escape(a.family)}, {_escape(a.given)}" if a.given else _escape(a.family) for a in ref.authors]
    names += ["{" + _escape(o) + "}" for o in ref.organisations]
    if names:
        fields.append(Field("author", " and ".join(names)))
    if not lossless_type(ref.type, "bibtex"):
        fields.append(Field("type", ref.type))
    container = {"article": "journal", "incollection": "booktitle", "inproceedings": "booktitle"}.get(kind, "series")
    publisher = {"techreport": "institution", "phdthesis": "school"}.get(kind, "publisher")
    fields += [Field(name, value) for name, value in (("doi", ref.doi), ("url", ref.url)) if value]  # as written
    for name, value in (("year", str(ref.year or "")), (container, ref.container),
                        (publisher, ref.publisher), ("abstract", ref.abstract), ("language", ref.language),
                        ("keywords", ", ".join(tag_keywords(ref))), ("note", tag_note(ref))):
        if value:
            fields.append(Field(name, _escape(value)))
    return Entry(kind, key, fields)


def write(refs: list[tuple[str, Reference]]) -> str:
    library = bibtexparser.Library()
    for key, ref in refs:
        library.add(entry(ref, key))
    stack = bibtexparser.middlewares.default_unparse_stack(allow_inplace_modification=True)
    return bibtexparser.write_string(library, unparse_stack=stack)
