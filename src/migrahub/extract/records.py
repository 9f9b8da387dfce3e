"""Frozen records produced by the extraction stages, one dataclass per SCHEMA.md category, plus mentions.

Every record has a ``key``: a stable, document-independent identifier used to link mentions to records and, across
documents, as the input of :mod:`migrahub.extract.resolve` (``registry:<id>`` for curated entities, otherwise a
normalised name).
"""

from __future__ import annotations

from dataclasses import dataclass, field

CATEGORIES = ("places", "organisations", "initiatives", "events", "practices", "people", "resources")


@dataclass(frozen=True)
class Mention:
    """One occurrence of a record in the text: ``text[start:end] == surface`` (code points, end exclusive)."""

    category: str
    key: str
    start: int
    end: int
    surface: str
    stage: str


@dataclass(frozen=True)
class Place:
    key: str
    name: str
    type: str  # city | region | country | area
    country: str | None
    surface: tuple[str, ...]
    geonames_id: int | None = None  # GeoNames id of cities and countries (not part of the schema's JSON)

    def to_schema(self) -> dict:
        return {"name": self.name, "type": self.type, "country": self.country, "surface": list(self.surface)}


@dataclass(frozen=True)
class Organisation:
    key: str
    name: str
    acronym: str | None
    kind: str
    country: str | None
    surface: tuple[str, ...]
    registry_id: str | None = None
    aliases: tuple[str, ...] = ()

    def to_schema(self) -> dict:
        return {
            "name": self.name,
            "acronym": self.acronym,
            "kind": self.kind,
            "country": self.country,
            "surface": list(self.surface),
        }


@dataclass(frozen=True)
class Initiative:
    key: str
    name: str
    acronym: str | None
    kind: str
    lead: tuple[str, ...]
    funders: tuple[str, ...]
    participants: tuple[str, ...]
    period: str | None
    surface: tuple[str, ...]
    registry_id: str | None = None
    aliases: tuple[str, ...] = ()

    def to_schema(self) -> dict:
        return {
            "name": self.name,
            "acronym": self.acronym,
            "kind": self.kind,
            "lead": list(self.lead),
            "funders": list(self.funders),
            "participants": list(self.participants),
            "period": self.period,
            "surface": list(self.surface),
        }


@dataclass(frozen=True)
class Event:
    key: str
    title: str
    date_start: str | None
    date_end: str | None
    place: str | None
    country: str | None
    organisers: tuple[str, ...]
    participants_count: int | None
    evidence: str
    start: int

    def to_schema(self) -> dict:
        return {
            "title": self.title,
            "date_start": self.date_start,
            "date_end": self.date_end,
            "place": self.place,
            "country": self.country,
            "organisers": list(self.organisers),
            "participants_count": self.participants_count,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class Practice:
    key: str
    title: str
    places: tuple[str, ...]
    actors: tuple[str, ...]
    summary: str
    evidence: str
    start: int

    def to_schema(self) -> dict:
        return {
            "title": self.title,
            "places": list(self.places),
            "actors": list(self.actors),
            "summary": self.summary,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class Person:
    key: str
    name: str
    role: str | None
    organisation: str | None

    def to_schema(self) -> dict:
        return {"name": self.name, "role": self.role, "organisation": self.organisation}


@dataclass(frozen=True)
class Resource:
    key: str
    title: str
    author_or_org: str | None
    year: int | None
    url: str | None

    def to_schema(self) -> dict:
        return {"title": self.title, "author_or_org": self.author_or_org, "year": self.year, "url": self.url}


@dataclass(frozen=True)
class Extraction:
    """Everything the extractor found in one document. ``to_schema()`` gives the SCHEMA.md JSON."""

    doc: str
    language: str | None
    places: tuple[Place, ...] = ()
    organisations: tuple[Organisation, ...] = ()
    initiatives: tuple[Initiative, ...] = ()
    events: tuple[Event, ...] = ()
    practices: tuple[Practice, ...] = ()
    people: tuple[Person, ...] = ()
    resources: tuple[Resource, ...] = ()
    mentions: tuple[Mention, ...] = ()
    provenance: tuple[str, ...] = field(default=())
    notes: tuple[str, ...] = ()  # what the extraction left out and why (size or time budget), for the user

    def to_schema(self) -> dict:
        out: dict = {"doc": self.doc}
        for cat in CATEGORIES:
            out[cat] = [r.to_schema() for r in getattr(self, cat)]
        if self.notes:
            out["notes"] = list(self.notes)
        return out
