"""All SQL of the consult feature (tables of ``migrations/030_consult_core.sql``).

Public reads (:func:`published_submissions`, :func:`published_answers`, :func:`votes`, incident aggregates) only
ever return published content and its redacted text; the originals are read by :func:`submission_original`, which
the services call for moderators only.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta

from migrahub.store.database import now, transaction, tuples

CONSULTATION_FIELDS = ("slug", "title", "description", "languages", "phase", "dates", "submitter_types",
                       "consent_text", "access", "invite_token", "moderation", "report_limit", "retention_days",
                       "created_by")
SUBMITTER_FIELDS = ("submitter_type", "organisation", "org_type", "country", "city", "contact_name", "contact_email",
                    "account", "consent", "language", "source")
PUBLIC_SUBMITTER = "s.id, s.consultation_id, s.status, s.submitter_type, s.organisation, s.org_type, s.country, " \
                   "s.city, s.language, s.submitted_at"


def _json_fields(values: dict) -> dict:
    return {k: json.dumps(v, ensure_ascii=False) if k in ("languages", "dates", "submitter_types") else v
            for k, v in values.items()}


def create_consultation(conn: sqlite3.Connection, values: dict) -> int:
    values = _json_fields(values)
    cols = [c for c in CONSULTATION_FIELDS if c in values]
    with transaction(conn):
        cur = conn.execute(f"INSERT INTO consult_consultations ({', '.join(cols)}, created_at) "
                           f"VALUES ({', '.join('?' * len(cols))}, ?)", [values[c] for c in cols] + [now()])
    return cur.lastrowid


def update_consultation(conn: sqlite3.Connection, consultation_id: int, values: dict) -> None:
    values = _json_fields({k: v for k, v in values.items() if k in CONSULTATION_FIELDS and k != "created_by"})
    if values:
        with transaction(conn):
            conn.execute(f"UPDATE consult_consultations SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?",
                         [*values.values(), consultation_id])


def slug_taken(conn: sqlite3.Connection, slug: str) -> bool:
    return conn.execute("SELECT 1 FROM consult_consultations WHERE slug = ?", (slug,)).fetchone() is not None


def add_question(conn: sqlite3.Connection, consultation_id: int, kind: str, prompt: str, options: tuple,
                 required: bool = False) -> int:
    with transaction(conn):
        seq = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM consult_questions WHERE consultation_id = ?",
                           (consultation_id,)).fetchone()[0]
        cur = conn.execute("INSERT INTO consult_questions (consultation_id, seq, kind, prompt, options, required) "
                           "VALUES (?, ?, ?, ?, ?, ?)", (consultation_id, seq, kind, prompt,
                                                         json.dumps(list(options), ensure_ascii=False), int(required)))
    return cur.lastrowid


def add_statements(conn: sqlite3.Connection, question_id: int, texts: list[str], author: str = "",
                   moderated: int = 1) -> list[int]:
    ids = []
    with transaction(conn):
        for text in texts:
            cur = conn.execute("INSERT INTO consult_statements (question_id, text, author, moderated, created_at) "
                               "VALUES (?, ?, ?, ?, ?)", (question_id, text, author, moderated, now()))
            ids.append(cur.lastrowid)
    return ids


def consultation_row(conn: sqlite3.Connection, key: str | int) -> dict | None:
    column = "id" if isinstance(key, int) else "slug"
    row = conn.execute(f"SELECT * FROM consult_consultations WHERE {column} = ?", (key,)).fetchone()
    if row is None:
        return None
    out = dict(row)
    for k in ("languages", "dates", "submitter_types"):
        out[k] = json.loads(out[k])
    out["questions"] = [dict(q) | {"options": json.loads(q["options"])} for q in conn.execute(
        "SELECT id, seq, kind, prompt, options, required FROM consult_questions WHERE consultation_id = ? "
        "ORDER BY seq", (out["id"],))]
    statements: dict[int, list] = {}
    for r in conn.execute("SELECT st.id, st.question_id, st.text, st.moderated FROM consult_statements st JOIN "
                          "consult_questions q ON q.id = st.question_id WHERE q.consultation_id = ? ORDER BY st.id",
                          (out["id"],)):
        statements.setdefault(r["question_id"], []).append(dict(r))
    for q in out["questions"]:
        q["statements"] = statements.get(q["id"], [])
    return out


def consultations(conn: sqlite3.Connection, phases: tuple[str, ...] | None = None) -> list[dict]:
    where, params = "", []
    if phases:
        where = f"WHERE c.phase IN ({', '.join('?' * len(phases))})"
        params = list(phases)
    return [dict(r) for r in conn.execute(
        f"SELECT c.id, c.slug, c.title, c.phase, c.access, c.created_at, (SELECT count(*) FROM consult_submissions s "
        f"WHERE s.consultation_id = c.id AND s.status = 'published') AS published FROM consult_consultations c "
        f"{where} ORDER BY c.id DESC", params)]


def save_submission(conn: sqlite3.Connection, consultation_id: int, receipt: str, status: str, person: dict,
                    answers: list[tuple[int, str, str, object]], votes: list[tuple[int, str, int]],
                    submission_id: int | None = None) -> int:
    """Insert (or overwrite the draft ``submission_id``) with its answers ``(question, original, redacted, value)``
    and votes ``(statement, participant, value)``, in one transaction."""
    stamp = now()
    cols = [c for c in SUBMITTER_FIELDS if c in person]
    with transaction(conn):
        if submission_id is None:
            cur = conn.execute(
                f"INSERT INTO consult_submissions (consultation_id, receipt, status, {', '.join(cols)}, created_at, "
                f"submitted_at) VALUES (?, ?, ?, {', '.join('?' * len(cols))}, ?, ?)",
                [consultation_id, receipt, status, *[person[c] for c in cols], stamp,
                 None if status == "draft" else stamp])
            submission_id = cur.lastrowid
        else:
            conn.execute(f"UPDATE consult_submissions SET status = ?, {', '.join(f'{c} = ?' for c in cols)}, "
                         f"submitted_at = ? WHERE id = ? AND status = 'draft'",
                         [status, *[person[c] for c in cols], None if status == "draft" else stamp, submission_id])
            conn.execute("DELETE FROM consult_answers WHERE submission_id = ?", (submission_id,))
            conn.execute("DELETE FROM consult_votes WHERE submission_id = ?", (submission_id,))
        conn.executemany("INSERT INTO consult_answers (submission_id, question_id, original, redacted, value) "
                         "VALUES (?, ?, ?, ?, ?)", [(submission_id, q, o, r, json.dumps(v, ensure_ascii=False))
                                                     for q, o, r, v in answers])
        conn.executemany("INSERT OR REPLACE INTO consult_votes (statement_id, participant, value, submission_id, "
                         "created_at) VALUES (?, ?, ?, ?, ?)", [(s, p, v, submission_id, stamp) for s, p, v in votes])
    return submission_id


def add_attachment(conn: sqlite3.Connection, submission_id: int, filename: str, content_type: str, size: int,
                   original: str, redacted: str) -> int:
    with transaction(conn):
        return conn.execute("INSERT INTO consult_attachments (submission_id, filename, content_type, size, original, "
                            "redacted) VALUES (?, ?, ?, ?, ?, ?)",
                            (submission_id, filename, content_type, size, original, redacted)).lastrowid


def submission_by_receipt(conn: sqlite3.Connection, receipt: str) -> dict | None:
    row = conn.execute("SELECT * FROM consult_submissions WHERE receipt = ?", (receipt,)).fetchone()
    return dict(row) if row else None


def submission_original(conn: sqlite3.Connection, submission_id: int) -> dict | None:
    """Everything of one submission, originals included (moderators, and the submitter through the receipt)."""
    row = conn.execute("SELECT * FROM consult_submissions WHERE id = ?", (submission_id,)).fetchone()
    if row is None:
        return None
    out = dict(row)
    out["answers"] = {r["question_id"]: {"original": r["original"], "redacted": r["redacted"],
                                         "value": json.loads(r["value"])}
                      for r in conn.execute("SELECT * FROM consult_answers WHERE submission_id = ?", (submission_id,))}
    out["attachments"] = [dict(r) for r in conn.execute(
        "SELECT id, filename, content_type, size, original, redacted FROM consult_attachments WHERE submission_id = ?",
        (submission_id,))]
    out["votes"] = {r[0]: r[1] for r in conn.execute("SELECT statement_id, value FROM consult_votes "
                                                     "WHERE submission_id = ?", (submission_id,))}
    out["log"] = [dict(r) for r in conn.execute("SELECT action, note, actor, at FROM consult_moderation "
                                                "WHERE submission_id = ? ORDER BY id", (submission_id,))]
    return out


def moderation_queue(conn: sqlite3.Connection, consultation_id: int, statuses: tuple[str, ...]) -> list[dict]:
    marks = ", ".join("?" * len(statuses))
    return [dict(r) for r in conn.execute(
        f"SELECT s.id, s.status, s.submitter_type, s.organisation, s.reports, s.submitted_at, "
        f"(SELECT group_concat(substr(a.original, 1, 200), ' / ') FROM consult_answers a WHERE a.submission_id = s.id "
        f"AND a.original != '') AS excerpt FROM consult_submissions s WHERE s.consultation_id = ? AND s.status IN "
        f"({marks}) ORDER BY s.id", [consultation_id, *statuses])]


def set_status(conn: sqlite3.Connection, submission_id: int, status: str, action: str, actor: str,
               note: str = "") -> None:
    with transaction(conn):
        if status:
            conn.execute("UPDATE consult_submissions SET status = ? WHERE id = ?", (status, submission_id))
        conn.execute("INSERT INTO consult_moderation (submission_id, action, note, actor, at) VALUES (?, ?, ?, ?, ?)",
                     (submission_id, action, note, actor, now()))


def add_report(conn: sqlite3.Connection, submission_id: int, limit: int) -> tuple[int, bool]:
    """Count a reader's report; a published submission reaching ``limit`` reports is hidden. → (reports, hidden)."""
    with transaction(conn):
        conn.execute("UPDATE consult_submissions SET reports = reports + 1 WHERE id = ?", (submission_id,))
        reports, status = conn.execute("SELECT reports, status FROM consult_submissions WHERE id = ?",
                                       (submission_id,)).fetchone()
        hidden = status == "published" and reports >= limit
        conn.execute("INSERT INTO consult_moderation (submission_id, action, note, actor, at) VALUES (?, ?, ?, ?, ?)",
                     (submission_id, "report", "", "reader", now()))
        if hidden:
            conn.execute("UPDATE consult_submissions SET status = 'hidden' WHERE id = ?", (submission_id,))
            conn.execute("INSERT INTO consult_moderation (submission_id, action, note, actor, at) "
                         "VALUES (?, 'hide', ?, 'system', ?)", (submission_id, f"{reports} reports", now()))
    return reports, hidden


def delete_submission(conn: sqlite3.Connection, submission_id: int, actor: str, reason: str) -> bool:
    """Erase a submission with its answers, attachments and votes (the log keeps that it was deleted, not what)."""
    with transaction(conn):
        gone = conn.execute("DELETE FROM consult_submissions WHERE id = ?", (submission_id,)).rowcount
        if gone:
            conn.execute("INSERT INTO consult_moderation (submission_id, action, note, actor, at) "
                         "VALUES (?, 'delete', ?, ?, ?)", (submission_id, reason, actor, now()))
    return bool(gone)


def expired_submissions(conn: sqlite3.Connection, today_iso: str) -> list[int]:
    today = date.fromisoformat(today_iso[:10])
    return [r[0] for r in conn.execute(
        "SELECT s.id, s.created_at, c.retention_days FROM consult_submissions s JOIN consult_consultations c "
        "ON c.id = s.consultation_id WHERE c.retention_days IS NOT NULL ORDER BY s.id")
        if date.fromisoformat(r[1][:10]) + timedelta(days=r[2]) < today]


def published_submissions(conn: sqlite3.Connection, consultation_id: int, limit: int = -1,
                          offset: int = 0) -> list[dict]:
    """Published submissions (public fields only), oldest first; ``limit`` -1 for all."""
    return [dict(r) for r in conn.execute(f"SELECT {PUBLIC_SUBMITTER} FROM consult_submissions s "
                                          "WHERE s.consultation_id = ? AND s.status = 'published' ORDER BY s.id "
                                          "LIMIT ? OFFSET ?", (consultation_id, limit, offset))]


def published_count(conn: sqlite3.Connection, consultation_id: int) -> int:
    return conn.execute("SELECT count(*) FROM consult_submissions WHERE consultation_id = ? AND status = 'published'",
                        (consultation_id,)).fetchone()[0]


def published_answers(conn: sqlite3.Connection, consultation_id: int, ids: list[int] | None = None) -> list[tuple]:
    """``(submission id, question id, redacted text, value JSON)`` of published submissions (of ``ids`` only when
    given), attachments' redacted text as question id 0."""
    only, params = "", [consultation_id]
    if ids is not None and not ids:
        return []
    if ids is not None:
        only = f" AND s.id IN ({', '.join('?' * len(ids))})"
        params += ids
    rows = tuples(conn, "SELECT a.submission_id, a.question_id, a.redacted, a.value FROM consult_answers a JOIN "
                        "consult_submissions s ON s.id = a.submission_id WHERE s.consultation_id = ? AND "
                        f"s.status = 'published'{only} ORDER BY a.submission_id, a.question_id", params)
    rows += tuples(conn, "SELECT t.submission_id, 0, t.redacted, 'null' FROM consult_attachments t JOIN "
                         "consult_submissions s ON s.id = t.submission_id WHERE s.consultation_id = ? AND "
                         f"s.status = 'published'{only} ORDER BY t.id", params)
    return rows


def published_votes(conn: sqlite3.Connection, consultation_id: int) -> list[tuple[str, int, int]]:
    """``(participant, statement id, value)`` of published submissions on statements not moderated out."""
    return tuples(conn, "SELECT v.participant, v.statement_id, v.value FROM consult_votes v JOIN consult_submissions s "
                        "ON s.id = v.submission_id JOIN consult_statements st ON st.id = v.statement_id WHERE "
                        "s.consultation_id = ? AND s.status = 'published' AND st.moderated != -1", (consultation_id,))


def save_report(conn: sqlite3.Connection, consultation_id: int, body: dict, actor: str, edited: bool) -> None:
    with transaction(conn):
        conn.execute("INSERT INTO consult_reports (consultation_id, body, edited, updated_by, updated_at) VALUES "
                     "(?, ?, ?, ?, ?) ON CONFLICT (consultation_id) DO UPDATE SET body = excluded.body, "
                     "edited = excluded.edited, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                     (consultation_id, json.dumps(body, ensure_ascii=False), int(edited), actor, now()))


def report(conn: sqlite3.Connection, consultation_id: int) -> dict | None:
    row = conn.execute("SELECT body, edited, updated_by, updated_at FROM consult_reports WHERE consultation_id = ?",
                       (consultation_id,)).fetchone()
    return None if row is None else {**json.loads(row["body"]), "edited": bool(row["edited"]),
                                     "updated_by": row["updated_by"], "updated_at": row["updated_at"]}


# Incidents -----------------------------------------------------------------------------------------------------

INCIDENT_FIELDS = ("kind", "target_group", "city", "country", "month", "description", "evidence", "received_month")


def add_incident(conn: sqlite3.Connection, values: dict) -> int:
    with transaction(conn):
        return conn.execute(f"INSERT INTO consult_incidents ({', '.join(INCIDENT_FIELDS)}) VALUES "
                            f"({', '.join('?' * len(INCIDENT_FIELDS))})",
                            [values.get(k, "") for k in INCIDENT_FIELDS]).lastrowid


def incidents(conn: sqlite3.Connection, status: str) -> list[dict]:
    return [dict(r) for r in conn.execute("SELECT * FROM consult_incidents WHERE status = ? ORDER BY id", (status,))]


def review_incident(conn: sqlite3.Connection, incident_id: int, status: str) -> bool:
    with transaction(conn):
        return conn.execute("UPDATE consult_incidents SET status = ? WHERE id = ?",
                            (status, incident_id)).rowcount == 1


def incident_counts(conn: sqlite3.Connection) -> list[tuple[str, str, str, str, int]]:
    """``(country, city, kind, month, count)`` of accepted incidents."""
    return tuples(conn, "SELECT country, city, kind, month, count(*) FROM consult_incidents WHERE status = 'accepted' "
                        "GROUP BY country, city, kind, month ORDER BY month DESC, country, city, kind")


# The hub's own knowledge the report links to --------------------------------------------------------------------

def hub_entities(conn: sqlite3.Connection, categories: tuple[str, ...], limit: int = 50_000) -> list[tuple]:
    """``(id, category, name, data JSON)`` of unmerged records of ``categories`` (none when the hub has no entity
    tables)."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'entities'").fetchone() is None:
        return []
    return tuples(conn, f"SELECT id, category, name, data FROM entities WHERE merged_into IS NULL AND category IN "
                        f"({', '.join('?' * len(categories))}) ORDER BY id LIMIT ?", [*categories, limit])


def codebook_names(conn: sqlite3.Connection) -> list[str]:
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'codebooks'").fetchone() is None:
        return []
    return [r[0] for r in conn.execute("SELECT name FROM codebooks ORDER BY id")]


def statement_texts(conn: sqlite3.Connection, consultation_id: int) -> dict[int, str]:
    return dict(tuples(conn, "SELECT st.id, st.text FROM consult_statements st JOIN consult_questions q ON "
                             "q.id = st.question_id WHERE q.consultation_id = ? AND st.moderated != -1",
                       (consultation_id,)))


def voters_by_question(conn: sqlite3.Connection, consultation_id: int) -> dict[int, set[int]]:
    """Question id → the published submissions that voted on its statements."""
    out: dict[int, set[int]] = {}
    for qid, sid in tuples(conn, "SELECT DISTINCT st.question_id, v.submission_id FROM consult_votes v JOIN "
                                 "consult_statements st ON st.id = v.statement_id JOIN consult_submissions s ON "
                                 "s.id = v.submission_id WHERE s.consultation_id = ? AND s.status = 'published'",
                           (consultation_id,)):
        out.setdefault(qid, set()).add(sid)
    return out


def moderate_statements(conn: sqlite3.Connection, statement_ids: list[int], moderated: int) -> None:
    with transaction(conn):
        conn.executemany("UPDATE consult_statements SET moderated = ? WHERE id = ?",
                         [(moderated, sid) for sid in statement_ids])


def votes_state(conn: sqlite3.Connection, consultation_id: int) -> tuple:
    """What the opinion groups of a consultation depend on, read from primary keys only (cheap): the newest vote
    (a changed or new vote gets a new row), the newest moderation action and submission (a hide, a deletion, a new
    answer), and its statements' moderation."""
    return tuple(conn.execute(
        "SELECT (SELECT max(rowid) FROM consult_votes), (SELECT max(id) FROM consult_moderation), "
        "(SELECT max(id) FROM consult_submissions), (SELECT group_concat(st.id || ':' || st.moderated) FROM "
        "consult_statements st JOIN consult_questions q ON q.id = st.question_id WHERE q.consultation_id = ?)",
        (consultation_id,)).fetchone())


def published_position(conn: sqlite3.Connection, consultation_id: int, submission_id: int) -> int:
    """How many published submissions of the consultation come before this one (its place in the list)."""
    return conn.execute("SELECT count(*) FROM consult_submissions WHERE consultation_id = ? AND status = 'published' "
                        "AND id < ?", (consultation_id, submission_id)).fetchone()[0]


def report_stamp(conn: sqlite3.Connection, consultation_id: int) -> str | None:
    row = conn.execute("SELECT updated_at || '/' || length(body) FROM consult_reports WHERE consultation_id = ?",
                       (consultation_id,)).fetchone()
    return row[0] if row else None
