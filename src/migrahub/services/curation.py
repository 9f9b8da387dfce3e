"""Writes made by people through the web hub (metadata curation, the action log entries of web and CLI doors).

Every write is one transaction that also appends who did it to the append-only ``actions`` table.
"""

from __future__ import annotations

import difflib
import functools
import json
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from migrahub.store import curation as store
from migrahub.store.database import transaction
from migrahub.store.documents import log_action

EDITABLE = ("title", "published", "language", "author", "summary")


def record(conn, actor: str, verb: str, object_type: str | None = None,
           object_id: str | int | None = None, payload: dict | None = None) -> int:
    """Append one entry to the action log in its own transaction; return its id."""
    with transaction(conn):
        return log_action(conn, actor, verb, object_type, None if object_id is None else str(object_id), payload)


def update_document(conn, document_id: int, actor: str, changes: dict) -> dict:
    """Change curated metadata fields of one document (only :data:`EDITABLE` ones) and log who changed what.

    Returns ``{field: [old, new]}`` for the fields that actually changed; raises ``KeyError`` for an unknown
    document and ``ValueError`` for a field that cannot be edited.
    """
    bad = sorted(set(changes) - set(EDITABLE))
    if bad:
        raise ValueError(f"cannot edit {', '.join(bad)}; editable fields: {', '.join(EDITABLE)}")
    with transaction(conn):
        row = store.document_fields(conn, document_id, EDITABLE)
        if row is None:
            raise KeyError(f"no document {document_id}")
        diff = {k: [row[k], v] for k, v in changes.items() if row[k] != v}
        if diff:
            if "language" in diff and diff["language"][1]:
                diff["language"][1] = str(diff["language"][1]).lower()
            store.set_document_fields(conn, document_id, {k: v[1] for k, v in diff.items()})
            log_action(conn, actor, "document.edit", "document", str(document_id), {"changes": diff})
        return diff


# ------------------------------------------------------------------------------------------- possible duplicates

_DATA = Path(__file__).with_name("data") / "duplicate_names.yaml"


@dataclass(frozen=True)
class Candidate:
    """Two records that may be the same real thing, with why (``reasons``) and a score for the order."""

    a: dict
    b: dict
    reasons: tuple[str, ...]
    score: float

    @property
    def mergeable(self) -> bool:
        """The store merges records of one kind, and organisations with initiatives."""
        from migrahub.store.entities import can_merge

        return can_merge(self.a["category"], self.b["category"])


@functools.lru_cache(maxsize=1)
def _rules() -> dict:
    data = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    return {"ignored": frozenset(w for words in data["ignored_words"].values() for w in words),
            "groups": [frozenset(g) for g in data["comparable_categories"]], "similarity": float(data["similarity"])}


def normalised_name(name: str) -> str:
    """A name folded for comparison: no accents, case or punctuation, without articles and connecting words."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    words = re.findall(r"[a-z0-9]+", plain)
    kept = [w for w in words if w not in _rules()["ignored"]]
    return " ".join(kept or words)


def acronym_of(name: str) -> str:
    """The initials of a name of two or more significant words ("International Organization for Migration" → IOM)."""
    words = [w for w in re.findall(r"[^\W\d_]+", name) if w.casefold() not in _rules()["ignored"]]
    return "".join(w[0] for w in words).upper() if len(words) >= 2 else ""


def _comparable(a: str, b: str) -> bool:
    return a == b or any(a in g and b in g for g in _rules()["groups"])


def possible_duplicates(conn, *, category: str | None = None, limit: int = 200) -> list[Candidate]:
    """Pairs of current records that may be duplicates: the same name once normalised, an acronym and its
    expansion, similar names (difflib ratio ≥ the data file's threshold, compared within blocks of the same first
    word), or mentions of the same words at the same place of a passage. Each record carries its mention and
    document counts. Most likely first; only records mentioned in a current document."""
    from migrahub.services import entity_pages

    counts = entity_pages.mention_counts(conn)
    rows = [{"id": i, "category": c, "name": n, "data": d} for i, c, n, d in store.current_records(conn)
            if i in counts and (category is None or _comparable(c, category))]
    for r in rows:
        r["documents"], r["mentions"] = counts[r["id"]]
        r["norm"] = normalised_name(r["name"])
        data = json.loads(r.pop("data") or "{}")
        stated = data.get("acronym") if isinstance(data, dict) else None
        country = data.get("country") if isinstance(data, dict) else None
        r["country"] = country.upper() if isinstance(country, str) and country else None
        r["detail"] = ", ".join(str(data.get(k)) for k in ("type", "kind", "country")
                                if isinstance(data, dict) and isinstance(data.get(k), str) and data.get(k))
        r["acronyms"] = {a for a in (acronym_of(r["name"]), str(stated or "").upper()) if len(a) >= 2}
    found: dict[tuple[int, int], set[str]] = {}

    def note(a: dict, b: dict, reason: str) -> None:
        if a["country"] and b["country"] and a["country"] != b["country"]:
            return  # two Bergens, in Norway and in the Netherlands
        if a["id"] != b["id"] and _comparable(a["category"], b["category"]):
            found.setdefault((min(a["id"], b["id"]), max(a["id"], b["id"])), set()).add(reason)

    by_norm: dict[str, list[dict]] = {}
    by_first: dict[str, list[dict]] = {}
    for r in rows:
        by_norm.setdefault(r["norm"], []).append(r)
        by_first.setdefault(r["norm"].split(" ")[0][:4], []).append(r)
    for group in by_norm.values():
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                note(a, b, "same name")
    short = {}
    for r in rows:
        if r["name"].replace(".", "").isupper() and 2 <= len(r["name"].replace(".", "")) <= 10:
            short.setdefault(r["name"].replace(".", "").upper(), []).append(r)
    for r in rows:
        for acronym in r["acronyms"]:
            for other in short.get(acronym, ()):
                note(r, other, f"acronym {acronym}")
    threshold = _rules()["similarity"]
    for block in by_first.values():
        if len(block) > 400:  # a very common first word: its exact names were compared above
            continue
        for i, a in enumerate(block):
            for b in block[i + 1:]:
                if a["norm"] != b["norm"] and difflib.SequenceMatcher(None, a["norm"], b["norm"]).ratio() >= threshold:
                    note(a, b, "similar names")
    index = {r["id"]: r for r in rows}
    for a_id, b_id, shared in store.shared_mentions(conn):
        if a_id in index and b_id in index:
            note(index[a_id], index[b_id], f"{shared} shared mention{'s' if shared != 1 else ''}")
    weight = {"same name": 3.0, "acronym": 2.5, "similar names": 1.5, "shared": 2.0}
    out = []
    for (a_id, b_id), reasons in found.items():
        a, b = sorted((index[a_id], index[b_id]), key=lambda r: (-r["documents"], r["id"]))
        score = sum(weight[next(k for k in weight if reason.startswith(k) or k in reason)] for reason in reasons)
        clean = lambda r: {k: r[k] for k in ("id", "category", "name", "documents", "mentions", "detail",
                                                 "country")}  # noqa: E731
        out.append(Candidate(clean(a), clean(b), tuple(sorted(reasons)), score))
    out.sort(key=lambda c: (-c.score, -(c.a["documents"] + c.b["documents"]), c.a["id"], c.b["id"]))
    return out[:limit]


# ------------------------------------------------------------------------------------------------ ingest report

def public_locator(locator: str, upload_dir: str | os.PathLike | None) -> str:
    """A locator as users may see it: URLs as they are, an uploaded file as ``upload: NAME``, any other local file
    by its name only (never a path of the server)."""
    if re.match(r"^[a-z][a-z0-9+.-]*://", locator or "", re.I) or (locator or "").startswith("upload:"):
        return locator
    path = Path(locator)
    if upload_dir is not None:
        try:
            path.resolve().relative_to(Path(upload_dir).resolve())
            return f"upload: {path.name}"
        except (ValueError, OSError):
            pass
    return path.name or locator


def ingest_report(conn, document_ids: list[int], failures: list[dict],
                  upload_dir: str | os.PathLike | None, *, limit: int = 100) -> dict:
    """What an ingest run added, for the curator: each new document with its title and the records it mentions
    (by category, with ids), and the failures with their public locator and reason."""
    from migrahub.services import entity_pages

    docs = []
    titles = store.document_titles(conn, document_ids)
    has_entities = entity_pages.available(conn)
    for did in document_ids[:limit]:
        records = entity_pages.document_entities(conn, did) if has_entities else {}
        docs.append({"id": did, "title": titles.get(did), "records": records,
                     "record_count": sum(len(v) for v in records.values())})
    return {"documents": docs, "more": max(0, len(document_ids) - limit),
            "failures": [{"locator": public_locator(f.get("locator", ""), upload_dir), "stage": f.get("stage"),
                          "reason": str(f.get("reason", "")).replace(str(upload_dir or "\0"), "…")}
                         for f in failures]}
