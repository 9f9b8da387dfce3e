"""Storing extracted records resolved across documents, their mentions, and curators' merges and splits."""

from __future__ import annotations

import bisect
import json
import re
import sqlite3
import unicodedata

from migrahub.extract import CATEGORIES, Extraction
from migrahub.store.database import now, transaction
from migrahub.store.documents import log_action

_NAME_FIELD = {"events": "title", "practices": "title", "resources": "title"}


def _norm(value: str) -> str:
    value = unicodedata.normalize("NFKD", value)
    value = "".join(c for c in value if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", " ", value).strip()


def name_field(category: str) -> str:
    """The field of a category's records that holds its name (``title`` for events, practices and resources)."""
    return _NAME_FIELD.get(category, "name")


def record_name(category: str, record) -> str:
    return getattr(record, _NAME_FIELD.get(category, "name"))


# Categories whose extractor keys only number the records of one document (``event:0``, ``practice:2``): across
# documents they resolve by what the record states instead, so one document's first event is not every document's.
_STATED_KEY = {"events": ("title", "date_start", "place"), "practices": ("title", "summary"),
               "resources": ("url", "title", "year")}


def record_keys(category: str, record) -> list[str]:
    """Every key under which a record resolves to one entity across documents, most specific first.

    The extractor's own key (``registry:<id>``, a GeoNames id, or a normalised name), the curated registry id, and
    for organisations, initiatives and people the normalised names and aliases (translations such as OIM/IOM come
    from the registry as aliases). Acronyms alone are not keys: two unrelated bodies share acronyms too often.
    Events, practices and resources resolve by their normalised statement (an event's title, start date and place)
    because their extractor keys are only numbers within one document.
    """
    if category in _STATED_KEY:
        stated = "|".join(_norm(str(getattr(record, f, None) or "")) for f in _STATED_KEY[category])
        return [f"{category}:{stated}"]
    keys = [record.key]
    geonames_id = getattr(record, "geonames_id", None)
    if geonames_id:
        keys.insert(0, f"geonames:{geonames_id}")
    registry_id = getattr(record, "registry_id", None)
    if registry_id:
        keys.append(f"registry:{registry_id}")
    if category in ("organisations", "initiatives", "people"):
        for name in (record_name(category, record), *getattr(record, "aliases", ())):
            if name and _norm(name):
                keys.append("name:" + _norm(name))
    return list(dict.fromkeys(keys))


def _stored(record) -> dict:
    """The record as stored: its schema JSON plus the links the schema leaves out (a place's GeoNames id)."""
    data = record.to_schema()
    if getattr(record, "geonames_id", None):
        data["geonames_id"] = record.geonames_id
    return data


def _resolve(conn: sqlite3.Connection, category: str, keys: list[str]) -> int | None:
    marks = ",".join("?" * len(keys))
    rows = conn.execute(f"SELECT key, entity_id FROM entity_keys WHERE category = ? AND key IN ({marks})",
                        [category, *keys]).fetchall()
    if not rows:
        return None
    found = {row[0]: row[1] for row in rows}
    entity_id = next(found[k] for k in keys if k in found)
    return _final(conn, entity_id)


def _final(conn: sqlite3.Connection, entity_id: int) -> int:
    """Follow curators' merges to the record that absorbed this one."""
    seen = set()
    while entity_id not in seen:
        seen.add(entity_id)
        row = conn.execute("SELECT merged_into FROM entities WHERE id = ?", (entity_id,)).fetchone()
        if not row or row[0] is None:
            return entity_id
        entity_id = row[0]
    return entity_id


def save_extraction(conn: sqlite3.Connection, document_id: int, extraction: Extraction) -> dict[str, int]:
    """Resolve each record of one document to an entity (creating it if new) and store its mentions.

    Runs in one transaction (or the caller's). Returns how many records were stored per category.
    """
    stamp = now()
    counts: dict[str, int] = {}
    with transaction(conn):
        passages = conn.execute('SELECT id, start FROM passages WHERE document_id = ? ORDER BY start',
                                (document_id,)).fetchall()
        starts = [row[1] for row in passages]
        text = conn.execute("SELECT text FROM documents WHERE id = ?", (document_id,)).fetchone()[0]

        def passage_at(offset: int) -> int | None:
            i = bisect.bisect_right(starts, offset) - 1
            return passages[i][0] if i >= 0 else None

        entity_of: dict[tuple[str, str], int] = {}
        for category in CATEGORIES:
            records = getattr(extraction, category)
            counts[category] = len(records)
            for record in records:
                keys = record_keys(category, record)
                data = json.dumps(_stored(record), ensure_ascii=False)
                entity_id = _resolve(conn, category, keys)
                if entity_id is None:
                    entity_id = conn.execute(
                        "INSERT INTO entities(category, name, data, created_at, updated_at) VALUES (?,?,?,?,?)",
                        (category, record_name(category, record), data, stamp, stamp)).lastrowid
                else:
                    # a record merged across kinds keeps its own fields: an organisation's do not overwrite the
                    # initiative it was merged into
                    conn.execute("UPDATE entities SET data = ?, updated_at = ? WHERE id = ? AND curated = 0 "
                                 "AND category = ?", (data, stamp, entity_id, category))
                conn.executemany("INSERT INTO entity_keys(category, key, entity_id) VALUES (?, ?, ?) "
                                 "ON CONFLICT (category, key) DO NOTHING",
                                 [(category, key, entity_id) for key in keys])
                conn.execute("INSERT INTO entity_records(entity_id, document_id, data) VALUES (?, ?, ?) "
                             "ON CONFLICT (entity_id, document_id) DO UPDATE SET data = excluded.data",
                             (entity_id, document_id, data))
                entity_of[(category, record.key)] = entity_id
                start = getattr(record, "start", None)
                evidence = getattr(record, "evidence", None)
                if isinstance(start, int) and evidence and text[start:start + len(evidence)] == evidence:
                    conn.execute('INSERT INTO mentions(entity_id, document_id, passage_id, start, "end", surface, '
                                 "stage) VALUES (?,?,?,?,?,?,?)",
                                 (entity_id, document_id, passage_at(start), start, start + len(evidence), evidence,
                                  f"extract/{category}"))
        conn.executemany(
            'INSERT INTO mentions(entity_id, document_id, passage_id, start, "end", surface, stage) '
            "VALUES (?,?,?,?,?,?,?)",
            [(entity_of[(m.category, m.key)], document_id, passage_at(m.start), m.start, m.end, m.surface, m.stage)
             for m in extraction.mentions if (m.category, m.key) in entity_of])
    return counts


# an organisation and an initiative can be the same real thing (a city network is both): they merge across kinds
MERGE_ACROSS = frozenset({"organisations", "initiatives"})


def can_merge(source_category: str, target_category: str) -> bool:
    return source_category == target_category or {source_category, target_category} <= MERGE_ACROSS


def merge(conn: sqlite3.Connection, source_id: int, target_id: int, actor: str) -> None:
    """Merge one record into another: its keys and mentions move, and later documents resolve to the target (an
    organisation may merge into an initiative and back: :data:`MERGE_ACROSS`)."""
    with transaction(conn):
        rows = {r["id"]: r for r in conn.execute("SELECT id, category, merged_into FROM entities WHERE id IN (?, ?)",
                                                 (source_id, target_id))}
        for needed in (source_id, target_id):
            if needed not in rows:
                raise ValueError(f"no entity with id {needed}")
        if source_id == target_id:
            raise ValueError("cannot merge a record into itself")
        if not can_merge(rows[source_id]["category"], rows[target_id]["category"]):
            raise ValueError(f"cannot merge a {rows[source_id]['category']} record into a "
                             f"{rows[target_id]['category']} record")
        if rows[target_id]["merged_into"] is not None:
            raise ValueError(f"entity {target_id} was itself merged into {rows[target_id]['merged_into']}")
        if rows[source_id]["merged_into"] is not None:
            raise ValueError(f"entity {source_id} was already merged into {rows[source_id]['merged_into']}")
        conn.execute("UPDATE entity_keys SET entity_id = ? WHERE entity_id = ?", (target_id, source_id))
        conn.execute("UPDATE mentions SET entity_id = ? WHERE entity_id = ?", (target_id, source_id))
        conn.execute("INSERT INTO entity_records(entity_id, document_id, data) "
                     "SELECT ?, document_id, data FROM entity_records WHERE entity_id = ? "
                     "ON CONFLICT (entity_id, document_id) DO NOTHING", (target_id, source_id))
        conn.execute("UPDATE entities SET merged_into = ?, updated_at = ? WHERE id = ?", (target_id, now(), source_id))
        kinds = (rows[source_id]["category"], rows[target_id]["category"])
        log_action(conn, actor, "entity.merge", "entity", str(source_id),
                   {"into": target_id} | ({"from_category": kinds[0], "into_category": kinds[1]}
                                          if kinds[0] != kinds[1] else {}))


def edit(conn: sqlite3.Connection, entity_id: int, actor: str, *, name: str | None = None,
         fields: dict | None = None) -> dict:
    """A curator's edit of a record: a new name and/or fields of its data (a value of ``None`` removes the field).
    The name is also the record's ``title`` for events, practices and resources. The record becomes curated (later
    documents no longer overwrite it); returns its data after the edit."""
    with transaction(conn):
        row = conn.execute("SELECT category, name, data, merged_into FROM entities WHERE id = ?",
                           (entity_id,)).fetchone()
        if not row:
            raise ValueError(f"no entity with id {entity_id}")
        if row["merged_into"] is not None:
            raise ValueError(f"entity {entity_id} was merged into {row['merged_into']}: edit that record")
        if name is not None and not name.strip():
            raise ValueError("name: must not be empty")
        name_key = name_field(row["category"])
        data = json.loads(row["data"])
        for key, value in (fields or {}).items():
            if key == "key":
                raise ValueError("fields.key: the key is the extractor's and cannot be edited")
            if key in ("name", name_key):
                raise ValueError(f"fields.{key}: set the {name_key} with `name`")
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        new_name = name.strip() if name is not None else row["name"]
        data["name"] = new_name
        if name is not None:
            data[name_key] = new_name
        conn.execute("UPDATE entities SET name = ?, data = ?, curated = 1, updated_at = ? WHERE id = ?",
                     (new_name, json.dumps(data, ensure_ascii=False), now(), entity_id))
        log_action(conn, actor, "entity.edit", "entity", str(entity_id),
                   {"name": name, "fields": fields or {}})
        return data


PER_DOCUMENT = ("name", "key", "evidence", "surface")  # fields each document states for itself, even when curated


def as_shown(record: dict, curated: dict | None) -> dict:
    """A document's copy of a record as readers see it once a curator spoke for the record (``curated``: its data,
    as :func:`edit` left it or as the target of a :func:`merge` holds it): those fields replace the document's, a
    field the curator removed included, while the document keeps its own :data:`PER_DOCUMENT` fields (the evidence
    it gives). With ``curated`` ``None``, the document's copy as it is."""
    if curated is None:
        return record
    return {**{k: record[k] for k in PER_DOCUMENT if k in record},
            **{k: v for k, v in curated.items() if k not in PER_DOCUMENT}}


def document_records(conn: sqlite3.Connection, category: str, limit: int | None,
                     entity_ids: list[int] | None = None) -> list[dict]:
    """Each current document's copy of the category's records (at most ``limit``, newest documents first) as readers
    see it. A record merged into another reads as that one (the merge gave the target every document's copy), so no
    document's record is listed twice; where a curator edited a record or merged others into it, the record's own
    fields win over every document's copy (:func:`as_shown`).

    ``limit`` ``None`` reads them all; ``entity_ids`` keeps only those records' copies.

    Items: ``{entity_id, document_id, data, own, curated, document_title, published, passage_id}``; ``own`` is the
    document's copy as it states it; ``passage_id`` is the passage of the record's first mention in that document
    (``None`` when none was stored)."""
    chosen = None if entity_ids is None else json.dumps([int(i) for i in entity_ids])
    targets = {r[0] for r in conn.execute("SELECT DISTINCT merged_into FROM entities WHERE category = ? AND "
                                          "merged_into IS NOT NULL", (category,))}
    rows = conn.execute(
        f"""SELECT r.entity_id, r.document_id, r.data, e.curated, e.data AS entity_data, d.title AS document_title,
                  d.published,
                  (SELECT m.passage_id FROM mentions m WHERE m.entity_id = r.entity_id AND m.document_id = r.document_id
                   AND m.passage_id IS NOT NULL ORDER BY m.start LIMIT 1) AS passage_id
           FROM entity_records r
           JOIN entities e ON e.id = r.entity_id AND e.category = ? AND e.merged_into IS NULL
           JOIN documents d ON d.id = r.document_id AND d.superseded = 0
           WHERE ? IS NULL OR r.entity_id IN (SELECT value FROM json_each(?))
           ORDER BY d.published IS NULL, d.published DESC, r.document_id DESC, r.entity_id
           {"" if limit is None else "LIMIT ?"}""",
        (category, chosen, chosen, *(() if limit is None else (limit,)))).fetchall()
    out = []
    for r in rows:
        spoken = r["curated"] or r["entity_id"] in targets
        own = json.loads(r["data"])
        out.append({"entity_id": r["entity_id"], "document_id": r["document_id"], "curated": bool(r["curated"]),
                    "data": as_shown(own, json.loads(r["entity_data"]) if spoken else None), "own": own,
                    "document_title": r["document_title"], "published": r["published"],
                    "passage_id": r["passage_id"]})
    return out


def edited_fields(conn: sqlite3.Connection, entity_ids: list[int] | None = None) -> dict[int, set[str]]:
    """The fields of each record that a curator set or removed with :func:`edit` (from the action log; the name is
    not a field); ``entity_ids``: only these records. A record never edited field by field is left out."""
    chosen = None if entity_ids is None else {str(int(i)) for i in entity_ids}
    out: dict[int, set[str]] = {}
    for r in conn.execute("SELECT object_id, json_extract(payload, '$.fields') FROM actions "
                          "WHERE verb = 'entity.edit' AND object_type = 'entity'"):
        if chosen is not None and str(r[0]) not in chosen:  # object_id is text: the ids are compared as text
            continue
        try:
            fields = json.loads(r[1] or "{}")
        except ValueError:
            continue
        if isinstance(fields, dict) and fields and str(r[0]).isdigit():
            out.setdefault(int(r[0]), set()).update(fields)
    return out


def split(conn: sqlite3.Connection, entity_id: int, surfaces: list[str], name: str, actor: str) -> int:
    """Split the mentions with these surface strings off into a new record named ``name``; return its id.

    The surfaces become keys of the new record, so later documents resolve them there too.
    """
    surfaces = [s for s in dict.fromkeys(surfaces) if s and s.strip()]
    if not surfaces:
        raise ValueError("surfaces: give at least one surface string of the record's mentions")
    if not name or not name.strip():
        raise ValueError("name: the new record needs a name")
    name = name.strip()
    with transaction(conn):
        row = conn.execute("SELECT category, data FROM entities WHERE id = ?", (entity_id,)).fetchone()
        if not row:
            raise ValueError(f"no entity with id {entity_id}")
        moved = conn.execute(f"SELECT count(*) FROM mentions WHERE entity_id = ? AND surface IN "
                             f"({','.join('?' * len(surfaces))})", [entity_id, *surfaces]).fetchone()[0]
        if not moved:
            raise ValueError(f"entity {entity_id} has no mention with the surface(s) {', '.join(surfaces)}")
        stamp = now()
        new_id = conn.execute("INSERT INTO entities(category, name, data, curated, created_at, updated_at) "
                              "VALUES (?, ?, ?, 1, ?, ?)",
                              (row["category"], name, json.dumps({"name": name}), stamp, stamp)).lastrowid
        conn.execute(f"UPDATE mentions SET entity_id = ? WHERE entity_id = ? AND surface IN "
                     f"({','.join('?' * len(surfaces))})", [new_id, entity_id, *surfaces])
        for surface in surfaces:
            conn.execute("INSERT INTO entity_keys(category, key, entity_id) VALUES (?, ?, ?) "
                         "ON CONFLICT (category, key) DO UPDATE SET entity_id = excluded.entity_id",
                         (row["category"], "name:" + _norm(surface), new_id))
        log_action(conn, actor, "entity.split", "entity", str(entity_id),
                   {"new": new_id, "surfaces": surfaces, "name": name})
        return new_id


# -- reading records

def counted(conn: sqlite3.Connection, category: str | None = None, limit: int | None = None) -> list[dict]:
    """The unmerged records (of one category, or all) with their mentions and documents among the current documents,
    most mentioned first (at most ``limit``): ``{id, category, name, data, mentions, documents}``, ``data`` decoded."""
    where = "WHERE e.merged_into IS NULL" + (" AND e.category = ?" if category else "")
    rows = conn.execute(
        f"""SELECT e.id, e.category, e.name, e.data,
                   (SELECT count(*) FROM mentions m JOIN documents d ON d.id = m.document_id
                    WHERE m.entity_id = e.id AND d.superseded = 0) AS mentions,
                   (SELECT count(DISTINCT r.document_id) FROM entity_records r JOIN documents d
                    ON d.id = r.document_id WHERE r.entity_id = e.id AND d.superseded = 0) AS documents
            FROM entities e {where}
            ORDER BY mentions DESC, documents DESC, e.name
            {'LIMIT ?' if limit else ''}""",
        [*([category] if category else []), *([limit] if limit else [])]).fetchall()
    return [{**dict(r), "data": json.loads(r["data"])} for r in rows]


def mentions_of(conn: sqlite3.Connection, entity_id: int) -> list[dict]:
    """Every mention of a record, by document and position: ``{document_id, passage_id, start, end, surface,
    title}``."""
    return [dict(r) for r in conn.execute(
        'SELECT m.document_id, m.passage_id, m.start, m."end", m.surface, d.title FROM mentions m '
        "JOIN documents d ON d.id = m.document_id WHERE m.entity_id = ? ORDER BY m.document_id, m.start",
        (entity_id,))]
