"""Stories across feeds and languages: the hub's documents grouped as they arrive (:func:`assign_new`), story pages
and the latest stories, and the evaluation door (:func:`cluster_records`, ``migrahub stories cluster``), which
reads items from a JSON Lines file and groups them with the same :class:`~migrahub.monitor.stories.Clusterer`.

Each item's title and lead are embedded once with multilingual-e5-small (``coding/embed.py``) and the vector kept
in the hub by the hash of the text (``text_vectors``), so a document is never embedded twice.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

import numpy as np

from migrahub.coding.embed import shared_encoder, text_key
from migrahub.monitor.stories import COUNTRY, STAGE, Clusterer, StoryItem, StoryParams, cluster, default_params, lead
from migrahub.pipeline.fingerprint import minhash
from migrahub.store import monitor as store
from migrahub.store.monitor import MonitorError
from migrahub.store.vectors import read_text_vectors, write_text_vectors

BATCH = 64  # leads embedded per call of the model
ENTITY_CATEGORIES = ("places", "organisations", "initiatives", "people")
WIDE_PLACES = ("place:country:", "place:area:", "place:region:")  # too wide to say two items tell one story


def embed(leads: list[str], conn: sqlite3.Connection | None = None) -> list[np.ndarray | None]:
    """The e5 vector of each lead (None for all when embeddings are off or not installed); with ``conn``, vectors
    already in the hub are read and new ones stored."""
    encoder = shared_encoder()
    if encoder is None or not leads:
        return [None] * len(leads)
    keys = [text_key(t) for t in leads]
    known = read_text_vectors(conn, encoder.name, keys, encoder.dim) if conn is not None else {}
    todo = list(dict.fromkeys(k for k in keys if k not in known))
    if todo:
        first = {k: i for i, k in reversed(list(enumerate(keys)))}
        for start in range(0, len(todo), BATCH):
            part = todo[start:start + BATCH]
            vectors = encoder.encode([leads[first[k]] for k in part])
            known.update(zip(part, vectors, strict=True))
            if conn is not None:
                write_text_vectors(conn, encoder.name, part, vectors)
    return [known[k] for k in keys]


def epoch(value) -> float | None:
    """An ISO date/time (``2026-03-04``, ``…T10:00:00Z``) or epoch seconds → epoch seconds; None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        pass
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not an ISO date or epoch seconds: {text[:40]!r}") from None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


# -- the hub ------------------------------------------------------------------------------------------------------

def document_items(conn: sqlite3.Connection, ids: list[int], params: StoryParams) -> list[StoryItem]:
    rows = store.story_features(conn, ids)
    entities = store.entity_keys_of(conn, ids)
    vectors = embed([lead(r["title"], r["text"], params.lead_chars) for r in rows], conn)
    out = []
    for r, v in zip(rows, vectors, strict=True):
        at = _safe_epoch(r["published"]) or _safe_epoch(r["created_at"])
        out.append(StoryItem(r["id"], at, bytes(r["fingerprint"]), v, frozenset(entities.get(r["id"], ()))))
    return out


def _safe_epoch(value) -> float | None:
    try:
        return epoch(value)
    except ValueError:
        return None


def assign_new(conn: sqlite3.Connection, document_ids: list[int] | None = None, *,
               clock: Callable[[], float] = time.time, params: StoryParams | None = None,
               batch: int = 2000) -> list[tuple[int, int]]:
    """Put documents not yet in a story into one (joining an earlier story or opening its own): those of
    ``document_ids`` (what a scheduler pass brought), or else every such document of the hub, ``batch`` at a
    time. Returns (document, story) pairs. Earlier documents within the time window are read back as the
    clusterer's memory."""
    params = params or default_params()
    done: list[tuple[int, int]] = []
    if document_ids is not None:
        known = store.stories_of(conn, sorted(set(document_ids)))
        todo = [d for d in sorted(set(document_ids)) if d not in known]
        batches = iter([todo[k:k + batch] for k in range(0, len(todo), batch)])
    else:
        batches = iter(lambda: store.unclustered(conn, batch), [])
    for ids in batches:
        if not ids:
            break
        items = document_items(conn, ids, params)
        timed = [i.at for i in items if i.at is not None]
        since = (min(timed) if timed else clock()) - params.window_days * 86400
        clusterer = Clusterer(params)
        earlier = store.story_members_since(conn, since)
        if earlier:
            members = {r["document_id"]: r["story_id"] for r in earlier}
            for item in document_items(conn, list(members), params):
                clusterer.remember(item, members[item.id])
        rows = []
        for item in sorted(items, key=lambda i: (i.at is None, i.at or 0.0, i.id)):
            story, score = clusterer.add(item)
            rows.append((item.id, story, item.at, score, STAGE))
            done.append((item.id, story))
        store.save_members(conn, rows)
    return done


def latest(conn: sqlite3.Connection, limit: int = 50, offset: int = 0) -> list[dict]:
    return store.latest_stories(conn, limit, offset)


def story(conn: sqlite3.Connection, story_id: int) -> dict:
    timeline = store.story_timeline(conn, story_id)
    if not timeline:
        raise MonitorError(f"no story {story_id}")
    return {"id": story_id, "title": timeline[0]["title"], "documents": timeline,
            "languages": sorted({d["language"] for d in timeline if d["language"]}),
            "sources": sorted({s for d in timeline for s in d["sources"]})}


def group_hits(conn: sqlite3.Connection, hits: list) -> list[dict]:
    """Search hits grouped by story, in the order of each story's best hit: ``{story, hits}``."""
    stories = store.stories_of(conn, sorted({h.document_id for h in hits}))
    groups: dict[int, dict] = {}
    for h in hits:
        key = stories.get(h.document_id, h.document_id)
        groups.setdefault(key, {"story": key, "hits": []})["hits"].append(h)
    return list(groups.values())


def search(conn: sqlite3.Connection, query: str, *, language: str | None = None, limit: int = 50) -> list[dict]:
    """Search the hub's passages (as ``migrahub search``) and group the hits by story: ``{story, title, languages,
    hits}``, stories in the order of their best hit. Raises :class:`~migrahub.store.search.QueryError` for a
    query that cannot be read."""
    from migrahub.store import search as fts

    hits = fts.search(conn, query, fts.SearchFilters(language=language or None, limit=limit))
    groups = group_hits(conn, hits)
    return [{"story": g["story"], "title": g["hits"][0].title, "languages": sorted({h.language for h in g["hits"]
                                                                                   if h.language}),
             "documents": len({h.document_id for h in g["hits"]}), "hits": [h.as_dict() for h in g["hits"]]}
            for g in groups]


# -- the evaluation door ------------------------------------------------------------------------------------------

def read_records(lines: Iterable[str], name: str) -> list[dict]:
    """Items of a JSON Lines file; a bad line raises MonitorError naming the file, the line and the field."""
    out, seen = [], set()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise MonitorError(f"{name}, line {n}: not JSON ({exc.msg})") from None
        if not isinstance(rec, dict):
            raise MonitorError(f"{name}, line {n}: expected a JSON object")
        for fld in ("id", "text"):
            if rec.get(fld) in (None, ""):
                raise MonitorError(f"{name}, line {n}: field '{fld}' is missing or empty")
        if not isinstance(rec["text"], str) or not isinstance(rec.get("title") or "", str):
            raise MonitorError(f"{name}, line {n}: fields 'text' and 'title' must be strings")
        if not isinstance(rec["id"], (str, int)) or isinstance(rec["id"], bool):
            raise MonitorError(f"{name}, line {n}: field 'id' must be a string or an integer")
        try:
            rec["_at"] = epoch(rec.get("published"))
        except ValueError as exc:
            raise MonitorError(f"{name}, line {n}: field 'published': {exc}") from None
        key = str(rec["id"])
        if key in seen:
            raise MonitorError(f"{name}, line {n}: id {key!r} appears twice")
        seen.add(key)
        out.append(rec)
    return out


def text_entities(text: str, language: str | None) -> frozenset[str]:
    """Resolved entity keys named in a text (places below country level, organisations, initiatives, people) and
    ``country:XX`` for the countries it names."""
    from migrahub.extract import extract

    try:
        found = extract(text, doc="item", language=language)
    except Exception:  # noqa: BLE001 - an item's entities are a signal, not a requirement
        return frozenset()
    keys = set()
    for m in found.mentions:
        if m.key.startswith("place:country:"):
            keys.add(COUNTRY + m.key.split(":")[2])
        elif m.category in ENTITY_CATEGORIES and not m.key.startswith(WIDE_PLACES):
            keys.add(m.key)
    return frozenset(keys)


def record_items(records: list[dict], params: StoryParams, *, entities: bool = True,
                 encoder_leads: Callable[[list[str]], list] | None = None) -> list[StoryItem]:
    texts = [f"{r['title']}\n\n{r['text']}" if r.get("title") else r["text"] for r in records]
    leads = [lead(r.get("title"), r["text"], params.lead_chars) for r in records]
    vectors = (encoder_leads or embed)(leads)
    return [StoryItem(str(r["id"]), r["_at"], minhash(t), v,
                      text_entities(t, r.get("language")) if entities else frozenset())
            for r, t, v in zip(records, texts, vectors, strict=True)]


def cluster_records(records: list[dict], params: StoryParams | None = None, **options) -> dict[str, str]:
    """``{item id: story id}`` for items read by :func:`read_records` (a story is named by its first item)."""
    params = params or default_params()
    return {str(k): str(v) for k, v in cluster(record_items(records, params, **options), params).items()}
