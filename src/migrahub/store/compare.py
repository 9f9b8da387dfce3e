"""All SQL of the compare feature: indices, editions, units, answers and suggested answers. Every write appends to
the hub's ``actions`` log in the same transaction (verbs ``compare.*``)."""

from __future__ import annotations

import json
import sqlite3

from migrahub.store.database import now, transaction, tuples
from migrahub.store.documents import log_action


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def save_index(conn: sqlite3.Connection, definition: dict, actor: str) -> tuple[int, bool]:
    """Insert or update an index and its editions (caller's transaction); returns (id, created)."""
    row = conn.execute("SELECT id FROM compare_indices WHERE code = ?", (definition["code"],)).fetchone()
    at = now()
    if row is None:
        index_id = conn.execute("INSERT INTO compare_indices(code, name, definition, created_by, created_at, "
                                "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                                (definition["code"], definition["name"], _json(definition), actor, at, at)).lastrowid
    else:
        index_id = row[0]
        conn.execute("UPDATE compare_indices SET name = ?, definition = ?, updated_at = ? WHERE id = ?",
                     (definition["name"], _json(definition), at, index_id))
    for e in definition["editions"]:
        conn.execute("INSERT INTO compare_editions(index_id, code, name, year, indicators) VALUES (?, ?, ?, ?, ?) "
                     "ON CONFLICT(index_id, code) DO UPDATE SET name = excluded.name, year = excluded.year, "
                     "indicators = excluded.indicators", (index_id, e["code"], e["name"], e["year"],
                                                          _json(e["indicators"])))
    log_action(conn, actor, "compare.index.save", "compare_index", definition["code"],
               {"created": row is None, "nodes": len(definition["nodes"]),
                "editions": [e["code"] for e in definition["editions"]]})
    return index_id, row is None


def indices(conn: sqlite3.Connection) -> list[dict]:
    return [dict(r) for r in conn.execute(
        "SELECT i.id, i.code, i.name, i.updated_at, (SELECT count(*) FROM compare_units u WHERE u.index_id = i.id) "
        "AS units, (SELECT count(*) FROM compare_editions e WHERE e.index_id = i.id) AS editions "
        "FROM compare_indices i ORDER BY i.name")]


def index_row(conn: sqlite3.Connection, code: str) -> dict | None:
    row = conn.execute("SELECT id, code, name, definition, updated_at FROM compare_indices WHERE code = ?",
                       (code,)).fetchone()
    return None if row is None else dict(row) | {"definition": json.loads(row["definition"])}


def editions(conn: sqlite3.Connection, index_id: int) -> dict[str, int]:
    return {r[0]: r[1] for r in conn.execute("SELECT code, id FROM compare_editions WHERE index_id = ?", (index_id,))}


def save_unit(conn: sqlite3.Connection, index_id: int, unit: dict, actor: str) -> int:
    """Insert or update a unit (code, name, kind, geonames_id, country, population, groups)."""
    row = conn.execute("SELECT id, name, groups FROM compare_units WHERE index_id = ? AND code = ?",
                       (index_id, unit["code"])).fetchone()
    values = (unit["name"], unit.get("kind", "city"), unit.get("geonames_id"), unit.get("country"),
              unit.get("population"), _json(unit.get("groups") or {}))
    if row is None:
        unit_id = conn.execute("INSERT INTO compare_units(name, kind, geonames_id, country, population, groups, "
                               "index_id, code) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                               (*values, index_id, unit["code"])).lastrowid
    else:
        unit_id = row[0]
        if (row["name"], json.loads(row["groups"])) == (unit["name"], unit.get("groups") or {}):
            return unit_id
        conn.execute("UPDATE compare_units SET name = ?, kind = ?, geonames_id = ?, country = ?, population = ?, "
                     "groups = ? WHERE id = ?", (*values, unit_id))
    log_action(conn, actor, "compare.unit.save", "compare_unit", f"{index_id}:{unit['code']}",
               {k: unit.get(k) for k in ("name", "kind", "country", "population", "groups")})
    return unit_id


def units(conn: sqlite3.Connection, index_id: int) -> list[dict]:
    return [dict(r) | {"groups": json.loads(r["groups"])} for r in conn.execute(
        "SELECT id, code, name, kind, geonames_id, country, population, groups FROM compare_units "
        "WHERE index_id = ? ORDER BY code", (index_id,))]


def save_answer(conn: sqlite3.Connection, edition_id: int, unit_id: int, answer: dict, actor: str) -> int:
    """Insert or replace one answer (indicator, answer, value, status, source, comment, evidence); the previous
    answer stays in the action log."""
    at = now()
    old = conn.execute("SELECT answer, status, source, comment, evidence FROM compare_answers WHERE edition_id = ? "
                       "AND unit_id = ? AND indicator = ?", (edition_id, unit_id, answer["indicator"])).fetchone()
    new = (answer.get("answer"), answer["status"], answer.get("source") or "", answer.get("comment") or "",
           _json(answer.get("evidence") or []))
    if old is not None and tuple(old) == new:
        return 0
    conn.execute("INSERT INTO compare_answers(edition_id, unit_id, indicator, answer, value, status, source, comment, "
                 "evidence, answered_by, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                 "ON CONFLICT(edition_id, unit_id, indicator) DO UPDATE SET answer = excluded.answer, "
                 "value = excluded.value, status = excluded.status, source = excluded.source, "
                 "comment = excluded.comment, evidence = excluded.evidence, answered_by = excluded.answered_by, "
                 "answered_at = excluded.answered_at",
                 (edition_id, unit_id, answer["indicator"], new[0], answer.get("value"), new[1], new[2], new[3],
                  new[4], actor, at))
    return log_action(conn, actor, "compare.answer", "compare_answer", f"{edition_id}:{unit_id}:{answer['indicator']}",
                      {"answer": new[0], "status": new[1], "source": new[2], "comment": new[3],
                       "evidence": answer.get("evidence") or [],
                       "previous": None if old is None else {"answer": old["answer"], "status": old["status"]}})


def save_answers(conn: sqlite3.Connection, items: list[tuple[int, int, dict]], actor: str) -> int:
    """Insert or replace many answers ((edition id, unit id, answer) each; caller's transaction) with one action per
    changed answer; unchanged answers are left alone. Returns how many changed."""
    editions_ = sorted({e for e, _u, _a in items})
    old = {}
    for e in editions_:
        for r in tuples(conn, "SELECT unit_id, indicator, answer, status, source, comment, evidence FROM "
                              "compare_answers WHERE edition_id = ?", (e,)):
            old[e, r[0], r[1]] = r[2:]
    at = now()
    rows, actions = [], []
    for edition_id, unit_id, a in items:
        new = (a.get("answer"), a["status"], a.get("source") or "", a.get("comment") or "",
               _json(a.get("evidence") or []))
        before = old.get((edition_id, unit_id, a["indicator"]))
        if before == new:
            continue
        rows.append((edition_id, unit_id, a["indicator"], new[0], a.get("value"), *new[1:], actor, at))
        actions.append((at, actor, "compare.answer", "compare_answer", f"{edition_id}:{unit_id}:{a['indicator']}",
                        json.dumps({"answer": new[0], "status": new[1], "source": new[2], "comment": new[3],
                                    "evidence": a.get("evidence") or [],
                                    "previous": None if before is None else {"answer": before[0],
                                                                             "status": before[1]}},
                                   ensure_ascii=False)))
    conn.executemany("INSERT INTO compare_answers(edition_id, unit_id, indicator, answer, value, status, source, "
                     "comment, evidence, answered_by, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                     "ON CONFLICT(edition_id, unit_id, indicator) DO UPDATE SET answer = excluded.answer, "
                     "value = excluded.value, status = excluded.status, source = excluded.source, "
                     "comment = excluded.comment, evidence = excluded.evidence, answered_by = excluded.answered_by, "
                     "answered_at = excluded.answered_at", rows)
    conn.executemany("INSERT INTO actions(at, actor, verb, object_type, object_id, payload) VALUES (?, ?, ?, ?, ?, ?)",
                     actions)
    return len(rows)


def answers(conn: sqlite3.Connection, edition_id: int, unit_id: int | None = None) -> list[dict]:
    sql = ("SELECT a.*, u.code AS unit FROM compare_answers a JOIN compare_units u ON u.id = a.unit_id "
           "WHERE a.edition_id = ?")
    params: tuple = (edition_id,)
    if unit_id is not None:
        sql += " AND a.unit_id = ?"
        params += (unit_id,)
    return [dict(r) | {"evidence": json.loads(r["evidence"])} for r in conn.execute(sql, params)]


def answer_values(conn: sqlite3.Connection, edition_id: int) -> list[tuple]:
    """(unit code, indicator, status, value) of every answer of an edition: what the engine needs, nothing more."""
    return tuples(conn, "SELECT u.code, a.indicator, a.status, a.value FROM compare_answers a JOIN compare_units u "
                        "ON u.id = a.unit_id WHERE a.edition_id = ?", (edition_id,))


def answer_history(conn: sqlite3.Connection, edition_id: int, unit_id: int, indicator: str) -> list[dict]:
    return [dict(r) | {"payload": json.loads(r["payload"])} for r in conn.execute(
        "SELECT at, actor, payload FROM actions WHERE verb = 'compare.answer' AND object_id = ? ORDER BY id DESC",
        (f"{edition_id}:{unit_id}:{indicator}",))]


def passage(conn: sqlite3.Connection, passage_id: int) -> dict | None:
    row = conn.execute("SELECT p.id, p.document_id, p.start, p.\"end\", p.text, d.title FROM passages p "
                       "JOIN documents d ON d.id = p.document_id WHERE p.id = ?", (passage_id,)).fetchone()
    return None if row is None else dict(row)


def place_entity(conn: sqlite3.Connection, name: str) -> int | None:
    """The unmerged place entity named ``name`` (or stating it among its surfaces), if the hub knows it."""
    row = conn.execute("SELECT id FROM entities WHERE category = 'places' AND merged_into IS NULL AND name = ? "
                       "COLLATE NOCASE ORDER BY id LIMIT 1", (name,)).fetchone()
    return row[0] if row else None


def coded_passages(conn: sqlite3.Connection, place_id: int, codes: list[str], limit: int = 20) -> list[dict]:
    """Passages currently coded with one of ``codes`` in current documents that mention the place."""
    if not codes:
        return []
    marks = ",".join("?" * len(codes))
    return [dict(r) for r in conn.execute(
        f"SELECT DISTINCT c.passage_id, c.code_id, c.status FROM current_codings c "
        f"JOIN documents d ON d.id = c.document_id AND d.superseded = 0 "
        f"WHERE c.code_id IN ({marks}) AND c.passage_id IS NOT NULL AND c.document_id IN "
        f"(SELECT document_id FROM mentions WHERE entity_id = ?) ORDER BY c.passage_id LIMIT ?",
        (*codes, place_id, limit))]


def passages_with_words(conn: sqlite3.Connection, place_id: int, words: list[str], limit: int = 20) -> list[dict]:
    """Passages of documents that mention the place and contain one of ``words`` (case-insensitive)."""
    out = []
    for word in words:
        out += [dict(r) | {"code_id": word} for r in conn.execute(
            "SELECT p.id AS passage_id FROM passages p JOIN documents d ON d.id = p.document_id AND d.superseded = 0 "
            "WHERE p.kind != 'heading' AND p.document_id IN (SELECT document_id FROM mentions WHERE entity_id = ?) "
            "AND instr(lower(p.text), lower(?)) > 0 ORDER BY p.id LIMIT ?", (place_id, word, limit))]
    return out[:limit]


def save_suggestion(conn: sqlite3.Connection, edition_id: int, unit_id: int, indicator: str, passage_id: int,
                    reason: str) -> int:
    """Suggest a passage as evidence (once per answer and passage); returns 1 when it is new."""
    return conn.execute("INSERT OR IGNORE INTO compare_suggestions(edition_id, unit_id, indicator, passage_id, "
                        "reason, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                        (edition_id, unit_id, indicator, passage_id, reason, now())).rowcount


def suggestions(conn: sqlite3.Connection, edition_id: int, unit_id: int, indicator: str | None = None) -> list[dict]:
    sql = ("SELECT s.*, p.text, p.document_id, p.start, p.\"end\", d.title FROM compare_suggestions s "
           "JOIN passages p ON p.id = s.passage_id JOIN documents d ON d.id = p.document_id "
           "WHERE s.edition_id = ? AND s.unit_id = ?")
    params: tuple = (edition_id, unit_id)
    if indicator:
        sql += " AND s.indicator = ?"
        params += (indicator,)
    return [dict(r) for r in conn.execute(sql + " ORDER BY s.indicator, s.id", params)]


def confirm_used(conn: sqlite3.Connection, edition_id: int, unit_id: int, indicator: str, passage_ids: list[int],
                 actor: str) -> int:
    """Mark the suggestions a person used as evidence of an answer as confirmed (caller's transaction)."""
    done = 0
    for pid in passage_ids:
        row = conn.execute("SELECT id FROM compare_suggestions WHERE edition_id = ? AND unit_id = ? AND indicator = ? "
                           "AND passage_id = ? AND status = 'suggested'", (edition_id, unit_id, indicator, pid)
                           ).fetchone()
        if row:
            conn.execute("UPDATE compare_suggestions SET status = 'confirmed', decided_by = ?, decided_at = ? "
                         "WHERE id = ?", (actor, now(), row[0]))
            log_action(conn, actor, "compare.suggestion.confirmed", "compare_suggestion", str(row[0]),
                       {"indicator": indicator, "passage_id": pid})
            done += 1
    return done


def decide_suggestion(conn: sqlite3.Connection, suggestion_id: int, status: str, actor: str) -> dict | None:
    with transaction(conn):
        row = conn.execute("SELECT * FROM compare_suggestions WHERE id = ?", (suggestion_id,)).fetchone()
        if row is None:
            return None
        conn.execute("UPDATE compare_suggestions SET status = ?, decided_by = ?, decided_at = ? WHERE id = ?",
                     (status, actor, now(), suggestion_id))
        log_action(conn, actor, f"compare.suggestion.{status}", "compare_suggestion", str(suggestion_id),
                   {"indicator": row["indicator"], "passage_id": row["passage_id"]})
    return dict(row) | {"status": status}


def city_networks(conn: sqlite3.Connection, place_id: int) -> list[str]:
    """Names of the initiatives (city networks, programmes) whose records name the place as lead or participant,
    or that are mentioned in the same passages as the place."""
    rows = conn.execute(
        "SELECT DISTINCT e.name FROM mentions a JOIN mentions b ON b.passage_id = a.passage_id "
        "JOIN entities e ON e.id = b.entity_id AND e.category = 'initiatives' AND e.merged_into IS NULL "
        "WHERE a.entity_id = ? AND a.passage_id IS NOT NULL ORDER BY e.name LIMIT 50", (place_id,))
    return [r[0] for r in rows]
