"""Declarations, charters and pledges: which initiatives are ones (by their name) and which cities of a passage
signed them (a signing verb in the passage), with the year it states."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

STAGE = "connect/declarations@1"


@cache
def _words() -> dict:
    return yaml.safe_load((resources.files("migrahub.connect") / "data" / "declarations.yaml").read_text("utf-8"))


@cache
def _pattern(kind: str) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in _words()[kind]) + r")", re.I)


def is_declaration(name: str) -> bool:
    return bool(_pattern("names").search(name or ""))


@dataclass(frozen=True)
class Signing:
    city_id: int
    year: int | None
    passage_id: int


def signings(passage_id: int, text: str, city_ids: list[int]) -> list[Signing]:
    """The cities of a passage that mentions a declaration as its signatories, when the passage says so."""
    if not _pattern("signing").search(text or ""):
        return []
    years = re.findall(r"\b((?:19|20)\d\d)\b", text)
    year = int(years[0]) if years else None
    return [Signing(c, year, passage_id) for c in city_ids]
