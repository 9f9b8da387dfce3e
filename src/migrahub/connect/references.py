"""The research library's record: a reference (publication, report, web page…) with its authors, organisations,
year, identifiers, and the places and themes it is about — plus the keys that find its duplicates and the merge of
two records of one work.

Place and theme tags travel through reference managers (which have no place field) as keywords
``place:Berlin`` / ``theme:housing`` and a note line, see :func:`tag_keywords` and :func:`split_keywords`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from importlib import resources

import yaml

PLACE, THEME = "place:", "theme:"
NOTE_PREFIX = "MigraHub tags"


@dataclass(frozen=True)
class Name:
    """A person (``family``, ``given``) or, with ``literal`` only, a body named as an author."""

    family: str = ""
    given: str = ""
    literal: str = ""

    def display(self) -> str:
        if self.literal:
            return self.literal
        return f"{self.family}, {self.given}" if self.given else self.family


@dataclass(frozen=True)
class Reference:
    title: str
    type: str = "article"                   # CSL type name
    key: str = ""                           # citation key / CSL id
    authors: tuple[Name, ...] = ()          # people
    organisations: tuple[str, ...] = ()     # bodies named as authors
    year: int | None = None
    doi: str = ""
    url: str = ""
    container: str = ""                     # journal, book or series
    publisher: str = ""
    abstract: str = ""
    language: str = ""
    note: str = ""                          # the user's note (without the tag line)
    keywords: tuple[str, ...] = ()          # other keywords, kept as they are
    places: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    origin: str = "imported"                # imported | extracted | curated
    entity_id: int | None = None            # the extracted resource record it comes from
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["authors"] = [asdict(n) for n in self.authors]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Reference:
        names = tuple(Name(**n) for n in data.get("authors") or ())
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known and k != "authors"}
        for k in ("organisations", "keywords", "places", "themes"):
            values[k] = tuple(values.get(k) or ())
        return cls(**{**values, "authors": names})


class BibliographyError(ValueError):
    """A bibliography file that cannot be read; the message names the file, the record and the reason."""


@cache
def types() -> dict:
    return yaml.safe_load((resources.files("migrahub.connect") / "data" / "reference_types.yaml").read_text("utf-8"))


def csl_type(value: str, fmt: str) -> str:
    """The CSL type of a RIS or BibTeX type (``fmt``: ``ris`` / ``bibtex``), the default when unknown."""
    table = types()
    wanted = (value or "").strip()
    for name, spec in table["types"].items():
        listed = spec.get(f"{fmt}_in") or [spec[fmt]]
        if any(wanted.lower() == t.lower() for t in listed):
            return name
    return table["default"]


def format_type(csl: str, fmt: str) -> str:
    spec = types()["types"].get(csl) or types()["types"][types()["default"]]
    return spec[fmt]


def lossless_type(csl: str, fmt: str) -> bool:
    """Whether writing ``csl`` as its ``fmt`` type reads back as the same CSL type."""
    return csl_type(format_type(csl, fmt), fmt) == csl


def _fold(value: str) -> str:
    value = unicodedata.normalize("NFKD", value or "")
    value = "".join(c for c in value if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^\w]+", " ", value).strip()


def doi_key(doi: str) -> str:
    doi = (doi or "").strip().lower()
    doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", doi)
    return doi if doi.startswith("10.") else ""


def url_key(url: str) -> str:
    url = (url or "").strip().lower()
    url = re.sub(r"^https?://(?:www\.)?", "", url).split("#")[0].rstrip("/")
    return url if "." in url else ""


def title_key(title: str) -> str:
    return _fold(title)


def dedup_keys(ref: Reference) -> list[str]:
    """The keys under which two records are one work, strongest first: DOI, URL, normalised title (+ year)."""
    keys = []
    if doi_key(ref.doi):
        keys.append("doi:" + doi_key(ref.doi))
    if url_key(ref.url):
        keys.append("url:" + url_key(ref.url))
    if title_key(ref.title):
        keys.append("title:" + title_key(ref.title))
    return keys


def same_work(a: Reference, b: Reference) -> bool:
    """Two records are one work when a DOI or URL key is shared, or the titles match and the years do not differ."""
    shared = set(dedup_keys(a)) & set(dedup_keys(b))
    if any(not k.startswith("title:") for k in shared):
        return True
    if not shared:
        return False
    if doi_key(a.doi) and doi_key(b.doi):
        return False  # two different DOIs under one title: two works
    return a.year is None or b.year is None or a.year == b.year


def _union(*groups) -> tuple:
    out: dict = {}
    for group in groups:
        for item in group:
            k = item.display().casefold() if isinstance(item, Name) else str(item).casefold()
            out.setdefault(k, item)
    return tuple(out.values())


def merge(kept: Reference, other: Reference) -> Reference:
    """One record of a work seen twice: ``kept``'s fields win, ``other`` fills the empty ones; lists are joined."""
    filled = {f: getattr(other, f) for f in ("type", "key", "year", "doi", "url", "container", "publisher",
                                              "abstract", "language", "note", "entity_id")
              if not getattr(kept, f) and getattr(other, f)}
    if kept.type == types()["default"] and other.type != types()["default"]:
        filled["type"] = other.type
    return replace(kept, **filled, authors=_union(kept.authors, other.authors),
                   organisations=_union(kept.organisations, other.organisations),
                   keywords=_union(kept.keywords, other.keywords), places=_union(kept.places, other.places),
                   themes=_union(kept.themes, other.themes))


def tag_keywords(ref: Reference) -> list[str]:
    """Keywords as written to a reference manager: the record's own, then ``place:…`` and ``theme:…`` tags."""
    return [*ref.keywords, *(PLACE + p for p in ref.places), *(THEME + t for t in ref.themes)]


def split_keywords(words) -> dict:
    """``places``, ``themes`` and other ``keywords`` from keywords read back (the inverse of :func:`tag_keywords`)."""
    out: dict[str, list[str]] = {"keywords": [], "places": [], "themes": []}
    for word in words:
        word = str(word).strip()
        if not word:
            continue
        if word.lower().startswith(PLACE):
            out["places"].append(word[len(PLACE):].strip())
        elif word.lower().startswith(THEME):
            out["themes"].append(word[len(THEME):].strip())
        else:
            out["keywords"].append(word)
    return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}


def tag_note(ref: Reference) -> str:
    """The note written on export: the user's note, then a line naming the places and themes (for managers that
    drop keywords)."""
    lines = [ref.note] if ref.note else []
    if ref.places or ref.themes:
        lines.append(f"{NOTE_PREFIX} — places: {'; '.join(ref.places) or '-'} | themes: {'; '.join(ref.themes) or '-'}")
    return "\n".join(lines)


def read_note(note: str) -> dict:
    """The user's note and the places / themes of a tag line written by :func:`tag_note`."""
    kept, places, themes = [], [], []
    for line in (note or "").splitlines():
        m = re.match(rf"{NOTE_PREFIX} — places: (.*) \| themes: (.*)$", line.strip())
        if m:
            places += [p.strip() for p in m.group(1).split(";") if p.strip() and p.strip() != "-"]
            themes += [t.strip() for t in m.group(2).split(";") if t.strip() and t.strip() != "-"]
        else:
            kept.append(line)
    return {"note": "\n".join(kept).strip(), "places": tuple(places), "themes": tuple(themes)}


def with_tags(ref: Reference, keywords, note: str) -> Reference:
    """A record read from a file: its keywords and note split into keywords, places, themes and the user's note."""
    words = split_keywords(keywords)
    noted = read_note(note)
    return replace(ref, note=noted["note"], keywords=words["keywords"],
                   places=_union(words["places"], noted["places"]), themes=_union(words["themes"], noted["themes"]))


def year_of(value) -> int | None:
    m = re.search(r"\b(1[5-9]\d\d|2\d\d\d)\b", str(value or ""))
    return int(m.group(1)) if m else None


def person(text: str) -> Name:
    """``Family, Given`` → a person; a name without a comma → a body (literal)."""
    text = re.sub(r"\s+", " ", text or "").strip()
    if "," in text:
        family, given = (s.strip() for s in text.split(",", 1))
        return Name(family=family, given=given)
    return Name(literal=text)


def people_and_bodies(names) -> dict:
    """``authors`` (people) and ``organisations`` (bodies, named by a literal) of a list of names."""
    names = [n for n in names if n.display()]
    return {"authors": tuple(n for n in names if not n.literal),
            "organisations": tuple(dict.fromkeys(n.literal for n in names if n.literal))}
