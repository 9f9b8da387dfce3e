"""All SQL of the connect feature: the research library, curated practices, peer exchange and declarations."""

from __future__ import annotations

import json
import sqlite3
import unicodedata

from migrahub.connect.references import Reference, dedup_keys
from migrahub.store.database import backend, now
from migrahub.store.documents import log_action


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


# -- research library ---------------------------------------------------------------------------------------------

def _words(ref: Reference) -> str:
    parts = [ref.title, ref.container, ref.publisher, ref.abstract, ref.doi, ref.url, str(ref.year or ""),
             *(n.display() for n in ref.authors), *ref.organisations, *ref.keywords, *ref.places, *ref.themes]
    return fold(" ".join(parts))


def reference_candidates(conn: sqlite3.Connection, ref: Reference) -> list[tuple[int, Reference]]:
    """Stored references sharing a DOI, URL or title key with ``ref`` (strongest key first)."""
    keys = dedup_keys(ref)
    if not keys:
        return []
    rows = conn.execute(
        f"SELECT DISTINCT r.id, r.data FROM library_keys k JOIN library_references r ON r.id = k.reference_id "
        f"WHERE k.key IN ({','.join('?' * len(keys))}) ORDER BY r.id", keys).fetchall()
    return [(r[0], Reference.from_dict(json.loads(r[1]))) for r in rows]


def save_reference(conn: sqlite3.Connection, ref: Reference, reference_id: int | None = None) -> int:
    """Insert ``ref`` (or replace reference ``reference_id`` by it) with its duplicate keys; caller's transaction."""
    stamp = now()
    values = (json.dumps(ref.as_dict(), ensure_ascii=False), ref.title, ref.year, ref.type, ref.origin,
              ref.entity_id, _words(ref))
    if reference_id is None:
        reference_id = conn.execute(
            "INSERT INTO library_references(data, title, year, type, origin, entity_id, words, created_at, "
            "updated_at) VALUES (?,?,?,?,?,?,?,?,?)", (*values, stamp, stamp)).lastrowid
    else:
        conn.execute("UPDATE library_references SET data = ?, title = ?, year = ?, type = ?, origin = ?, "
                     "entity_id = ?, words = ?, updated_at = ? WHERE id = ?", (*values, stamp, reference_id))
    conn.executemany("INSERT OR IGNORE INTO library_keys(key, reference_id) VALUES (?, ?)",
                     [(k, reference_id) for k in dedup_keys(ref)])
    return reference_id


def references(conn: sqlite3.Connection, *, words: list[str] | None = None, ids: list[int] | None = None,
               place: str | None = None, theme: str | None = None, year: int | None = None,
               limit: int | None = None, offset: int = 0) -> tuple[int, list[tuple[int, Reference]]]:
    """References (newest year first) whose folded text holds every word, with the total count."""
    where, params = ["1 = 1"], []
    for word in words or ():
        where.append("instr(words, ?) > 0")
        params.append(fold(word))
    if ids is not None:
        where.append("id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps([int(i) for i in ids]))
    if place:
        where.append("EXISTS (SELECT 1 FROM json_each(data, '$.places') WHERE value = ?)")
        params.append(place)
    if theme:
        where.append("EXISTS (SELECT 1 FROM json_each(data, '$.themes') WHERE value = ?)")
        params.append(theme)
    if year:
        where.append("year = ?")
        params.append(year)
    clause = " AND ".join(where)
    total = conn.execute(f"SELECT count(*) FROM library_references WHERE {clause}", params).fetchone()[0]
    rows = conn.execute(f"SELECT id, data FROM library_references WHERE {clause} ORDER BY year IS NULL, year DESC, "
                        f"title, id LIMIT ? OFFSET ?", [*params, -1 if limit is None else limit, offset]).fetchall()
    return total, [(r[0], Reference.from_dict(json.loads(r[1]))) for r in rows]


def reference(conn: sqlite3.Connection, reference_id: int) -> Reference | None:
    row = conn.execute("SELECT data FROM library_references WHERE id = ?", (reference_id,)).fetchone()
    return Reference.from_dict(json.loads(row[0])) if row else None


def reference_facets(conn: sqlite3.Connection) -> dict[str, list[tuple[str, int]]]:
    out = {}
    for field in ("places", "themes"):
        out[field] = [(r[0], r[1]) for r in conn.execute(
            f"SELECT j.value, count(*) FROM library_references r, json_each(r.data, '$.{field}') j "
            "GROUP BY j.value ORDER BY count(*) DESC, j.value LIMIT 50")]
    return out


def extracted_resources(conn: sqlite3.Connection) -> list[dict]:
    """Each resource the extraction found (not merged away) and not yet in the library, with the places of the
    passages citing it (else the places most named by the documents that cite it) and their codes."""
    out = []
    for r in conn.execute("SELECT id, name, data FROM entities e WHERE category = 'resources' AND merged_into IS NULL "
                          "AND NOT EXISTS (SELECT 1 FROM library_references l WHERE l.entity_id = e.id) ORDER BY id"):
        places = [p[0] for p in conn.execute(
            "SELECT DISTINCT e.name FROM mentions m JOIN mentions o ON o.passage_id = m.passage_id "
            "JOIN entities e ON e.id = o.entity_id AND e.category = 'places' "
            "WHERE m.entity_id = ? AND m.passage_id IS NOT NULL ORDER BY e.name LIMIT 10", (r[0],))]
        if not places:
            places = [p[0] for p in conn.execute(
                "SELECT e.name FROM entity_records x JOIN mentions m ON m.document_id = x.document_id "
                "JOIN entities e ON e.id = m.entity_id AND e.category = 'places' AND e.merged_into IS NULL "
                "WHERE x.entity_id = ? GROUP BY e.id ORDER BY count(*) DESC, e.name LIMIT 5", (r[0],))]
        out.append({"entity_id": r[0], "name": r[1], "data": json.loads(r[2]), "places": places,
                    "themes": passage_codes(conn, r[0])})
    return out


def passage_codes(conn: sqlite3.Connection, entity_id: int) -> list[str]:
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'current_codings'").fetchone() is None:
        return []
    return [c[0] for c in conn.execute(
        "SELECT DISTINCT c.code_id FROM mentions m JOIN current_codings c ON c.passage_id = m.passage_id "
        "WHERE m.entity_id = ? AND c.status = 'applied' ORDER BY c.code_id", (entity_id,))]


def entity_category_of(conn: sqlite3.Connection, name: str) -> str | None:
    row = conn.execute("SELECT category FROM entities WHERE name = ? AND category IN ('organisations', 'people') "
                       "AND merged_into IS NULL ORDER BY category = 'organisations' DESC LIMIT 1", (name,)).fetchone()
    return row[0] if row else None


def log(conn: sqlite3.Connection, actor: str, verb: str, object_type: str, object_id, payload: dict) -> None:
    log_action(conn, actor, verb, object_type, str(object_id), payload)


# -- curated practices --------------------------------------------------------------------------------------------

def save_practice(conn: sqlite3.Connection, record_id: int | None, data: dict, state: str, actor: str,
                  action: str) -> int:
    """Write a practice record's new version (creating the record when ``record_id`` is None); caller's
    transaction. Returns the record id."""
    stamp = now()
    values = (state, data["title"], json.dumps(data, ensure_ascii=False), data.get("city_id"),
              data.get("country") or None, data.get("period_start"), data.get("extracted_from"))
    if record_id is None:
        record_id = conn.execute(
            "INSERT INTO practice_records(state, title, data, city_id, country, year, extracted_from, owner, version, "
            "created_at, updated_at, published_at) VALUES (?,?,?,?,?,?,?,?,1,?,?,?)",
            (*values, actor, stamp, stamp, stamp if state == "published" else None)).lastrowid
        version = 1
    else:
        version = conn.execute("SELECT version FROM practice_records WHERE id = ?", (record_id,)).fetchone()[0] + 1
        conn.execute("UPDATE practice_records SET state = ?, title = ?, data = ?, city_id = ?, country = ?, year = ?, "
                     "extracted_from = ?, version = ?, updated_at = ?, published_at = CASE WHEN ? = 'published' "
                     "THEN coalesce(published_at, ?) ELSE NULL END WHERE id = ?",
                     (*values, version, stamp, state, stamp, record_id))
    conn.execute("INSERT INTO practice_versions(record_id, version, state, data, actor, action, at) "
                 "VALUES (?,?,?,?,?,?,?)", (record_id, version, state, values[2], actor, action, stamp))
    log_action(conn, actor, f"practice.{action}", "practice", str(record_id), {"state": state, "version": version})
    return record_id


def practice_row(conn: sqlite3.Connection, record_id: int) -> dict | None:
    row = conn.execute("SELECT * FROM practice_records WHERE id = ?", (record_id,)).fetchone()
    return _practice(row) if row else None


def _practice(row) -> dict:
    return {"id": row["id"], "state": row["state"], "data": json.loads(row["data"]), "owner": row["owner"],
            "version": row["version"], "created_at": row["created_at"], "updated_at": row["updated_at"],
            "published_at": row["published_at"], "city_id": row["city_id"], "country": row["country"]}


def practice_rows(conn: sqlite3.Connection, *, states: tuple[str, ...] = ("published",), owner: str | None = None,
                  city_id: int | None = None) -> list[dict]:
    where, params = [f"state IN ({','.join('?' * len(states))})"], list(states)
    if owner is not None:
        where.append("owner = ?")
        params.append(owner)
    if city_id is not None:
        where.append("city_id = ?")
        params.append(city_id)
    rows = conn.execute(f"SELECT * FROM practice_records WHERE {' AND '.join(where)} "
                        "ORDER BY coalesce(published_at, updated_at) DESC, id DESC", params).fetchall()
    return [_practice(r) for r in rows]


def practice_versions(conn: sqlite3.Connection, record_id: int) -> list[dict]:
    return [dict(r) | {"data": json.loads(r["data"])} for r in conn.execute(
        "SELECT version, state, data, actor, action, at FROM practice_versions WHERE record_id = ? ORDER BY version",
        (record_id,))]


def add_comment(conn: sqlite3.Connection, record_id: int, actor: str, text: str) -> int:
    cid = conn.execute("INSERT INTO practice_comments(record_id, actor, text, at) VALUES (?,?,?,?)",
                       (record_id, actor, text, now())).lastrowid
    log_action(conn, actor, "practice.comment", "practice", str(record_id), {"comment": cid})
    return cid


def comments(conn: sqlite3.Connection, record_id: int) -> list[dict]:
    return [dict(r) for r in conn.execute("SELECT id, actor, text, at FROM practice_comments WHERE record_id = ? "
                                          "ORDER BY id", (record_id,))]


def codes(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """Every codable code of the hub's codebooks: (code id, name, codebook name)."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'codes'").fetchone() is None:
        return []
    return [(r[0], r[1], r[2]) for r in conn.execute(
        "SELECT c.code_id, c.name, b.name FROM codes c JOIN codebooks b ON b.id = c.codebook_id WHERE c.codable = 1 "
        "ORDER BY b.name, c.code_id")]


def place(conn: sqlite3.Connection, entity_id: int) -> dict | None:
    row = conn.execute("SELECT id, name, data, merged_into FROM entities WHERE id = ? AND category = 'places'",
                       (entity_id,)).fetchone()
    if not row:
        return None
    data = json.loads(row["data"])
    return {"id": row["id"], "name": row["name"], "type": data.get("type"), "country": data.get("country"),
            "geonames_id": data.get("geonames_id"), "merged_into": row["merged_into"]}


def city_by_name(conn: sqlite3.Connection, name: str) -> dict | None:
    """The place record of a city named so (its name or a surface form), most mentioned first."""
    folded = fold(name.strip())
    if not folded:
        return None
    for row in conn.execute(
            "SELECT e.id, e.name, e.data FROM entities e WHERE e.category = 'places' AND e.merged_into IS NULL "
            "ORDER BY (SELECT count(*) FROM mentions m WHERE m.entity_id = e.id) DESC"):
        data = json.loads(row["data"])
        names = [row["name"], *(data.get("surface") or [])]
        if data.get("type") not in ("country", "region", "world_region") and any(fold(n) == folded for n in names):
            return {"id": row["id"], "name": row["name"], "country": data.get("country"), "type": data.get("type")}
    return None


def extracted_practice(conn: sqlite3.Connection, entity_id: int) -> list[dict]:
    """Each current document's copy of an extracted practice record, with its passage."""
    from migrahub.store.entities import document_records

    return document_records(conn, "practices", None, [entity_id])


def passage(conn: sqlite3.Connection, passage_id: int) -> dict | None:
    row = conn.execute("SELECT p.id, p.document_id, p.start, p.\"end\", p.text, d.title FROM passages p "
                       "JOIN documents d ON d.id = p.document_id WHERE p.id = ?", (passage_id,)).fetchone()
    return dict(row) if row else None


# -- peer exchange ------------------------------------------------------------------------------------------------

def candidate_passages(conn: sqlite3.Connection, words: list[str], limit: int = 120) -> list[dict]:
    """Passages of current documents holding any of ``words`` (FTS5, BM25 best first), with their document's
    language."""
    if not words:
        return []
    match = " OR ".join('"' + w.replace('"', "") + '"' for w in words)
    if backend(conn) == "postgresql":
        from migrahub.store.search_pg import tsquery

        q, params = tsquery(match)
        return [dict(r) for r in conn.native(
            f"SELECT p.id, p.document_id, p.text, d.language, d.title, -ts_rank(f.words, {q}, 1) AS rank "
            f"FROM passages_fts f JOIN passages p ON p.id = f.id JOIN documents d ON d.id = p.document_id "
            f"WHERE f.words @@ {q} AND d.superseded = 0 ORDER BY rank, p.id LIMIT %s", [*params, *params, limit])]
    rows = conn.execute(
        "SELECT p.id, p.document_id, p.text, d.language, d.title, bm25(passages_fts) AS rank FROM passages_fts "
        "JOIN passages p ON p.id = passages_fts.rowid JOIN documents d ON d.id = p.document_id "
        "WHERE passages_fts MATCH ? AND d.superseded = 0 ORDER BY rank LIMIT ?", (f"text: ({match})", limit))
    return [dict(r) for r in rows]


def passage_entities(conn: sqlite3.Connection, passage_ids: list[int]) -> dict[int, list[dict]]:
    """The cities, organisations and events each passage mentions."""
    out: dict[int, list[dict]] = {}
    if not passage_ids:
        return out
    for r in conn.execute(
            "SELECT DISTINCT m.passage_id, e.id, e.category, e.name, e.data FROM mentions m "
            "JOIN entities e ON e.id = m.entity_id AND e.merged_into IS NULL "
            "WHERE m.passage_id IN (SELECT value FROM json_each(?)) "
            "AND e.category IN ('places', 'organisations', 'events')", (json.dumps(passage_ids),)):
        data = json.loads(r["data"])
        if r["category"] == "places" and data.get("type") != "city":
            continue
        out.setdefault(r["passage_id"], []).append({"id": r["id"], "category": r["category"], "name": r["name"],
                                                    "country": data.get("country")})
    return out


def document_cities(conn: sqlite3.Connection, document_ids: list[int]) -> dict[int, dict]:
    """The city each document mentions most (its subject, when a passage names none)."""
    out: dict[int, dict] = {}
    if not document_ids:
        return out
    for r in conn.execute(
            "SELECT m.document_id, e.id, e.name, e.data, count(*) AS n FROM mentions m "
            "JOIN entities e ON e.id = m.entity_id AND e.category = 'places' AND e.merged_into IS NULL "
            "WHERE m.document_id IN (SELECT value FROM json_each(?)) GROUP BY m.document_id, e.id "
            "ORDER BY m.document_id, n DESC, e.id", (json.dumps(document_ids),)):
        data = json.loads(r["data"])
        if data.get("type") == "city" and r["document_id"] not in out:
            out[r["document_id"]] = {"id": r["id"], "name": r["name"], "country": data.get("country")}
    return out


def passage_themes(conn: sqlite3.Connection, passage_ids: list[int]) -> dict[int, list[str]]:
    if not passage_ids or conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'current_codings'").fetchone() is None:
        return {}
    out: dict[int, list[str]] = {}
    for r in conn.execute("SELECT DISTINCT passage_id, code_id FROM current_codings WHERE status = 'applied' AND "
                          "passage_id IN (SELECT value FROM json_each(?))", (json.dumps(passage_ids),)):
        out.setdefault(r[0], []).append(r[1])
    return out


def entity_names(conn: sqlite3.Connection, ids: list[int]) -> dict[int, dict]:
    out = {}
    for r in conn.execute("SELECT id, category, name, data FROM entities WHERE id IN (SELECT value FROM json_each(?))",
                          (json.dumps(ids),)):
        data = json.loads(r["data"])
        out[r["id"]] = {"id": r["id"], "category": r["category"], "name": r["name"], "country": data.get("country"),
                        "type": data.get("type")}
    return out


def experts(conn: sqlite3.Connection, *, active_only: bool = True) -> list[dict]:
    rows = conn.execute("SELECT * FROM connect_experts" + (" WHERE active = 1" if active_only else "")
                        + " ORDER BY display_name").fetchall()
    return [_expert(r) for r in rows]


def _expert(r) -> dict:
    return {**dict(r), "themes": json.loads(r["themes"]), "languages": json.loads(r["languages"]),
            "share_contact": bool(r["share_contact"]), "active": bool(r["active"])}


def expert_by_username(conn: sqlite3.Connection, username: str) -> dict | None:
    row = conn.execute("SELECT * FROM connect_experts WHERE username = ?", (username,)).fetchone()
    return _expert(row) if row else None


def expert(conn: sqlite3.Connection, expert_id: int) -> dict | None:
    row = conn.execute("SELECT * FROM connect_experts WHERE id = ?", (expert_id,)).fetchone()
    return _expert(row) if row else None


def save_expert(conn: sqlite3.Connection, username: str, values: dict) -> int:
    stamp = now()
    fields = (values["display_name"], values["email"], values["bio"], json.dumps(values["themes"]),
              json.dumps(values["languages"]), values.get("country") or None, int(values["share_contact"]),
              int(values["active"]))
    conn.execute(
        "INSERT INTO connect_experts(username, display_name, email, bio, themes, languages, country, share_contact, "
        "active, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(username) DO UPDATE SET "
        "display_name = excluded.display_name, email = excluded.email, bio = excluded.bio, themes = excluded.themes, "
        "languages = excluded.languages, country = excluded.country, share_contact = excluded.share_contact, "
        "active = excluded.active, updated_at = excluded.updated_at", (username, *fields, stamp, stamp))
    log_action(conn, username, "connect.expert", "expert", username, {"active": values["active"],
                                                                      "share_contact": values["share_contact"]})
    return conn.execute("SELECT id FROM connect_experts WHERE username = ?", (username,)).fetchone()[0]


def add_contact(conn: sqlite3.Connection, entity_id: int, name: str, email: str, share: bool, actor: str) -> int:
    cid = conn.execute("INSERT INTO connect_contacts(entity_id, name, email, share_contact, added_by, created_at) "
                       "VALUES (?,?,?,?,?,?)", (entity_id, name, email, int(share), actor, now())).lastrowid
    log_action(conn, actor, "connect.contact", "entity", str(entity_id), {"contact": cid})
    return cid


def contacts(conn: sqlite3.Connection, entity_id: int) -> list[dict]:
    return [dict(r) | {"share_contact": bool(r["share_contact"])} for r in conn.execute(
        "SELECT id, entity_id, name, email, share_contact FROM connect_contacts WHERE entity_id = ? ORDER BY id",
        (entity_id,))]


def save_request(conn: sqlite3.Connection, requester: str, values: dict, matches: list[dict]) -> int:
    rid = conn.execute("INSERT INTO peer_requests(requester, challenge, themes, languages, country, city_id, "
                       "created_at) VALUES (?,?,?,?,?,?,?)",
                       (requester, values["challenge"], json.dumps(values["themes"]), json.dumps(values["languages"]),
                        values.get("country") or None, values.get("city_id"), now())).lastrowid
    conn.executemany("INSERT INTO peer_matches(request_id, rank, target_kind, target_id, name, score, data) "
                     "VALUES (?,?,?,?,?,?,?)",
                     [(rid, i + 1, m["kind"], m["id"], m["name"], m["score"], json.dumps(m["data"],
                                                                                          ensure_ascii=False))
                      for i, m in enumerate(matches)])
    log_action(conn, requester, "peer.request", "peer_request", str(rid), {"matches": len(matches)})
    return rid


def peer_request(conn: sqlite3.Connection, request_id: int) -> dict | None:
    row = conn.execute("SELECT * FROM peer_requests WHERE id = ?", (request_id,)).fetchone()
    if not row:
        return None
    out = dict(row) | {"themes": json.loads(row["themes"]), "languages": json.loads(row["languages"])}
    out["matches"] = [dict(m) | {"data": json.loads(m["data"])} for m in conn.execute(
        "SELECT rank, target_kind, target_id, name, score, data FROM peer_matches WHERE request_id = ? ORDER BY rank",
        (request_id,))]
    out["messages"] = [dict(m) for m in conn.execute(
        "SELECT id, sender, target_kind, target_id, body, status, recipients, created_at FROM peer_messages "
        "WHERE request_id = ? ORDER BY id", (request_id,))]
    out["outcomes"] = [dict(o) for o in conn.execute(
        "SELECT id, target_kind, target_id, kind, note, happened_on, actor, created_at FROM peer_outcomes "
        "WHERE request_id = ? ORDER BY id", (request_id,))]
    return out


def peer_requests(conn: sqlite3.Connection, requester: str | None = None) -> list[dict]:
    rows = conn.execute("SELECT r.*, (SELECT count(*) FROM peer_messages m WHERE m.request_id = r.id) AS messages, "
                        "(SELECT count(*) FROM peer_outcomes o WHERE o.request_id = r.id) AS outcomes "
                        "FROM peer_requests r WHERE ? IS NULL OR r.requester = ? ORDER BY r.id DESC",
                        (requester, requester)).fetchall()
    return [dict(r) | {"themes": json.loads(r["themes"]), "languages": json.loads(r["languages"])} for r in rows]


def save_message(conn: sqlite3.Connection, request_id: int, sender: str, kind: str, target_id: int, body: str,
                 status: str, recipients: int, error: str | None) -> int:
    mid = conn.execute("INSERT INTO peer_messages(request_id, sender, target_kind, target_id, body, status, "
                       "recipients, error, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                       (request_id, sender, kind, target_id, body, status, recipients, error, now())).lastrowid
    log_action(conn, sender, "peer.message", "peer_request", str(request_id),
               {"message": mid, "target": f"{kind}:{target_id}", "status": status})
    return mid


def save_outcome(conn: sqlite3.Connection, request_id: int, kind: str, target_id: int, outcome: str, note: str,
                 happened_on: str | None, actor: str) -> int:
    oid = conn.execute("INSERT INTO peer_outcomes(request_id, target_kind, target_id, kind, note, happened_on, actor, "
                       "created_at) VALUES (?,?,?,?,?,?,?,?)",
                       (request_id, kind, target_id, outcome, note, happened_on, actor, now())).lastrowid
    log_action(conn, actor, "peer.outcome", "peer_request", str(request_id), {"outcome": oid, "kind": outcome})
    return oid


def outcomes_of(conn: sqlite3.Connection, kind: str, target_id: int) -> list[dict]:
    """The outcomes of requests where the record was a peer, or (a city) the requester's city."""
    return [dict(r) for r in conn.execute(
        "SELECT o.kind, o.note, o.happened_on, o.request_id, r.challenge, r.requester, "
        "CASE WHEN o.target_kind = ? AND o.target_id = ? THEN 'peer' ELSE 'requester' END AS role, "
        "(SELECT name FROM entities WHERE id = CASE WHEN o.target_kind = ? AND o.target_id = ? THEN r.city_id "
        "ELSE o.target_id END) AS other FROM peer_outcomes o JOIN peer_requests r ON r.id = o.request_id "
        "WHERE (o.target_kind = ? AND o.target_id = ?) OR (? = 'city' AND r.city_id = ?) ORDER BY o.id DESC",
        (kind, target_id, kind, target_id, kind, target_id, kind, target_id))]


def all_outcomes(conn: sqlite3.Connection) -> list[dict]:
    return [dict(r) for r in conn.execute(
        "SELECT o.request_id, r.city_id, o.target_kind, o.target_id, o.kind, o.happened_on, r.requester, r.country "
        "FROM peer_outcomes o JOIN peer_requests r ON r.id = o.request_id ORDER BY o.id")]


# -- cities -------------------------------------------------------------------------------------------------------

def cities(conn: sqlite3.Connection) -> list[dict]:
    """Every city record of the hub with how many documents mention it."""
    out = []
    for r in conn.execute("SELECT e.id, e.name, e.data, (SELECT count(DISTINCT m.document_id) FROM mentions m "
                          "WHERE m.entity_id = e.id) AS documents FROM entities e WHERE e.category = 'places' "
                          "AND e.merged_into IS NULL ORDER BY e.name"):
        data = json.loads(r["data"])
        if data.get("type") == "city":
            out.append({"id": r["id"], "name": r["name"], "country": data.get("country"),
                        "geonames_id": data.get("geonames_id"), "documents": r["documents"]})
    return out


def co_mentioned(conn: sqlite3.Connection, entity_id: int,
                 categories: tuple[str, ...] = ("initiatives", "organisations")) -> list[dict]:
    """Records mentioned in the same passages as ``entity_id`` (its networks and partners), most shared first."""
    return [dict(r) for r in conn.execute(
        f"SELECT e.id, e.name, e.category, count(DISTINCT o.passage_id) AS passages FROM mentions m "
        f"JOIN mentions o ON o.passage_id = m.passage_id AND o.entity_id != m.entity_id "
        f"JOIN entities e ON e.id = o.entity_id AND e.merged_into IS NULL "
        f"AND e.category IN ({','.join('?' * len(categories))}) "
        f"WHERE m.entity_id = ? AND m.passage_id IS NOT NULL GROUP BY e.id ORDER BY passages DESC, e.name LIMIT 50",
        (*categories, entity_id))]


def city_themes(conn: sqlite3.Connection, entity_id: int) -> list[tuple[str, int]]:
    """Codes (applied or suggested) of the passages of the documents that mention the city, most first."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'current_codings'").fetchone() is None:
        return []
    return [(r[0], r[1]) for r in conn.execute(
        "SELECT c.code_id, count(*) FROM current_codings c WHERE c.document_id IN "
        "(SELECT DISTINCT document_id FROM mentions WHERE entity_id = ?) GROUP BY c.code_id "
        "ORDER BY count(*) DESC LIMIT 30", (entity_id,))]


def city_events(conn: sqlite3.Connection, name: str) -> list[dict]:
    return [dict(r) | {"data": json.loads(r["data"])} for r in conn.execute(
        "SELECT id, name, data FROM entities WHERE category = 'events' AND merged_into IS NULL "
        "AND json_extract(data, '$.place') = ? ORDER BY json_extract(data, '$.date_start') DESC LIMIT 50", (name,))]


def city_documents(conn: sqlite3.Connection, entity_id: int, limit: int = 20) -> list[dict]:
    return [dict(r) for r in conn.execute(
        "SELECT d.id, d.title, d.published, count(*) AS mentions FROM mentions m JOIN documents d "
        "ON d.id = m.document_id AND d.superseded = 0 WHERE m.entity_id = ? GROUP BY d.id "
        "ORDER BY mentions DESC, d.published DESC LIMIT ?", (entity_id, limit))]


def extracted_practices_of(conn: sqlite3.Connection, name: str) -> list[dict]:
    return [dict(r) for r in conn.execute(
        "SELECT e.id, e.name FROM entities e WHERE e.category = 'practices' AND e.merged_into IS NULL AND EXISTS "
        "(SELECT 1 FROM json_each(e.data, '$.places') p WHERE p.value = ?) ORDER BY e.name LIMIT 50", (name,))]


# -- declarations -------------------------------------------------------------------------------------------------

def save_declaration(conn: sqlite3.Connection, values: dict, actor: str) -> int:
    """A new declaration (or the one already made from the same initiative, unchanged); logged when new."""
    if values.get("initiative_id"):
        known = conn.execute("SELECT id FROM connect_declarations WHERE initiative_id = ?",
                             (values["initiative_id"],)).fetchone()
        if known:
            return known[0]
    did = conn.execute("INSERT INTO connect_declarations(title, kind, adopted_on, summary, url, initiative_id, "
                       "created_by, created_at) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(initiative_id) DO NOTHING",
                       (values["title"], values.get("kind") or "declaration", values.get("adopted_on"),
                        values.get("summary") or "", values.get("url") or "", values.get("initiative_id"), actor,
                        now())).lastrowid
    log_action(conn, actor, "declaration.save", "declaration", str(did), {"title": values["title"]})
    return did


def add_signatory(conn: sqlite3.Connection, declaration_id: int, city_id: int, signed_on: str | None,
                  passage_id: int | None, actor: str) -> bool:
    """Record a signatory (a date given later completes one recorded without); True when something changed."""
    changed = conn.execute(
        "INSERT INTO connect_signatories(declaration_id, city_id, signed_on, passage_id, added_by) VALUES (?,?,?,?,?) "
        "ON CONFLICT (declaration_id, city_id) DO UPDATE SET signed_on = excluded.signed_on "
        "WHERE connect_signatories.signed_on IS NULL AND excluded.signed_on IS NOT NULL",
        (declaration_id, city_id, signed_on, passage_id, actor)).rowcount > 0
    if changed:
        log_action(conn, actor, "declaration.signatory", "declaration", str(declaration_id), {"city": city_id})
    return changed


def declaration_initiatives(conn: sqlite3.Connection) -> list[dict]:
    return [dict(r) for r in conn.execute("SELECT id, name FROM entities WHERE category = 'initiatives' "
                                          "AND merged_into IS NULL ORDER BY id")]


def initiative_passages(conn: sqlite3.Connection, entity_id: int) -> list[dict]:
    """The passages mentioning an initiative, with the cities each names."""
    rows = conn.execute("SELECT DISTINCT p.id, p.text FROM mentions m JOIN passages p ON p.id = m.passage_id "
                        "WHERE m.entity_id = ? ORDER BY p.id", (entity_id,)).fetchall()
    named = passage_entities(conn, [r["id"] for r in rows])
    return [{"id": r["id"], "text": r["text"],
             "cities": [e["id"] for e in named.get(r["id"], []) if e["category"] == "places"]} for r in rows]


def declarations(conn: sqlite3.Connection) -> list[dict]:
    return [dict(r) for r in conn.execute(
        "SELECT d.*, (SELECT count(*) FROM connect_signatories s WHERE s.declaration_id = d.id) AS signatories "
        "FROM connect_declarations d ORDER BY d.title")]


def declaration(conn: sqlite3.Connection, declaration_id: int) -> dict | None:
    row = conn.execute("SELECT * FROM connect_declarations WHERE id = ?", (declaration_id,)).fetchone()
    if not row:
        return None
    signed = [dict(r) | {"data": json.loads(r["data"])} for r in conn.execute(
        "SELECT s.city_id, s.signed_on, s.passage_id, e.name, e.data, p.text AS passage, p.document_id "
        "FROM connect_signatories s JOIN entities e ON e.id = s.city_id LEFT JOIN passages p ON p.id = s.passage_id "
        "WHERE s.declaration_id = ? ORDER BY s.signed_on IS NULL, s.signed_on, e.name", (declaration_id,))]
    return dict(row) | {"signatories": signed}


def signed_by(conn: sqlite3.Connection, city_id: int) -> list[dict]:
    return [dict(r) for r in conn.execute(
        "SELECT d.id, d.title, d.kind, s.signed_on FROM connect_signatories s JOIN connect_declarations d "
        "ON d.id = s.declaration_id WHERE s.city_id = ? ORDER BY s.signed_on DESC, d.title", (city_id,))]
