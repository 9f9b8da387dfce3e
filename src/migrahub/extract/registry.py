"""The registry of known organisations and initiatives of the field, and its gazetteer.

``data/registry.yaml`` ships curated entries (IOM/OIM, UNHCR/HCR/ACNUR, ICMPD, OECD, EU bodies, Eurocities, UCLG,
MIPEX, GFMD, …), each with a stable ``id``, canonical English ``name``, ``acronym``, ``aliases`` (translations and
variants), ``kind``, ``country`` and ``website``. Users extend or override it with their own YAML files of the same
shape: name them in the ``MIGRAHUB_REGISTRY`` environment variable (paths separated by ``os.pathsep``) or pass
``extra_paths`` to :func:`load_registry`. An entry with an existing ``id`` replaces the shipped one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from migrahub import config

from .gazetteer import Gazetteer, fold

DATA = Path(__file__).with_name("data")
ENV_VAR = "MIGRAHUB_REGISTRY"
ORG_KINDS = {
    "intergovernmental",
    "un",
    "eu",
    "government",
    "local_government",
    "city_network",
    "ngo",
    "research",
    "foundation",
    "religious",
    "business",
    "media",
    "other",
}
INITIATIVE_KINDS = {
    "programme",
    "project",
    "forum",
    "process",
    "network",
    "campaign",
    "index",
    "platform",
    "database",
    "publication",
    "other",
}


class RegistryError(ValueError):
    """A registry file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Entry:
    id: str
    type: str  # organisation | initiative
    name: str
    acronym: str | None
    aliases: tuple[str, ...]
    kind: str
    country: str | None
    website: str | None

    def surfaces(self) -> tuple[str, ...]:
        out = [self.name, *self.aliases]
        if self.acronym:
            out.append(self.acronym)
        return tuple(dict.fromkeys(out))


@dataclass(frozen=True)
class Registry:
    entries: tuple[Entry, ...]

    def by_id(self) -> dict[str, Entry]:
        return {e.id: e for e in self.entries}


def _parse(path: Path) -> list[Entry]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RegistryError(f"{path}: cannot read registry YAML: {exc}") from exc
    items = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise RegistryError(f"{path}: expected a mapping with an 'entries' list")
    out = []
    for i, item in enumerate(items):
        where = f"{path}: entries[{i}]"
        if not isinstance(item, dict):
            raise RegistryError(f"{where}: expected a mapping")
        for field in ("id", "type", "name", "kind"):
            if not item.get(field):
                raise RegistryError(f"{where}: missing field '{field}'")
        unknown = sorted(str(k) for k in item if k not in FIELDS)
        if unknown:
            raise RegistryError(
                f"{where} ({item['id']}): unknown field(s) {unknown} (a comma in an unquoted name or alias? quote it)"
            )
        typ = item["type"]
        if typ not in ("organisation", "initiative"):
            raise RegistryError(f"{where} ({item['id']}): type must be organisation or initiative, got {typ!r}")
        kinds = ORG_KINDS if typ == "organisation" else INITIATIVE_KINDS
        if item["kind"] not in kinds:
            raise RegistryError(f"{where} ({item['id']}): kind {item['kind']!r} is not one of {sorted(kinds)}")
        aliases = item.get("aliases") or []
        if not isinstance(aliases, list):
            raise RegistryError(f"{where} ({item['id']}): aliases must be a list")
        out.append(
            Entry(
                str(item["id"]),
                typ,
                str(item["name"]),
                item.get("acronym") or None,
                tuple(str(a) for a in aliases),
                item["kind"],
                item.get("country") or None,
                item.get("website") or None,
            )
        )
    return out


FIELDS = frozenset({"id", "type", "name", "acronym", "aliases", "kind", "country", "website"})
_SHIPPED = {"on": True}


def use_shipped(on: bool) -> None:
    """Read the shipped registry (the default) or not: evaluation measures the extractor without it."""
    _SHIPPED["on"] = bool(on)


def load_registry(extra_paths: tuple[str | Path, ...] = ()) -> Registry:
    """The shipped registry, extended by ``$MIGRAHUB_REGISTRY`` files and then ``extra_paths`` (later wins)."""
    paths: list[Path] = [DATA / "registry.yaml"] if _SHIPPED["on"] else []
    paths += [Path(p) for p in config.get(ENV_VAR)]
    paths += [Path(p) for p in extra_paths]
    merged: dict[str, Entry] = {}
    for p in paths:
        for e in _parse(p):
            merged[e.id] = e
    return Registry(tuple(merged.values()))


@lru_cache(maxsize=8)
def _cached(extra_paths: tuple[str, ...], env: str, shipped: bool) -> tuple[Registry, Gazetteer, frozenset[str]]:
    reg = load_registry(extra_paths)
    entries = []
    acr_owners: dict[str, set[str]] = {}
    for e in reg.entries:
        for s in e.surfaces():
            acr_owners.setdefault(s, set()).add(e.id)
            entries.append((s, e))
            f = fold(s)
            if f != s:
                entries.append((f, e))
        for acr in (e.acronym, *e.aliases):
            title = _title_case(acr)
            if title:  # "Mipex", "Icorn": an acronym written as a word
                acr_owners.setdefault(title, set()).add(e.id)
                entries.append((title, e))
    ambiguous = frozenset(s for s, ids in acr_owners.items() if len(ids) > 1)
    return reg, Gazetteer(entries), ambiguous


def _title_case(acronym: str | None) -> str | None:
    """The title-case spelling of an upper-case acronym of four letters or more, unless it is a frequent word."""
    if not acronym or len(acronym) < 4 or not acronym.isalpha() or not acronym.isupper():
        return None
    from .people import _all_common_words

    title = acronym.title()
    return None if acronym.lower() in _all_common_words() else title


def registry_gazetteer(extra_paths: tuple[str | Path, ...] = ()) -> tuple[Registry, Gazetteer, frozenset[str]]:
    """(registry, gazetteer of all names/aliases/acronyms → Entry, surfaces shared by several entries)."""
    return _cached(tuple(str(p) for p in extra_paths), config.get(ENV_VAR), _SHIPPED["on"])
