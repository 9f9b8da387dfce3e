"""Codebooks, coders and the append-only coding log in the hub database."""

from __future__ import annotations

import sqlite3
import uuid

from migrahub.coding.codebook import Code, Codebook
from migrahub.store.database import now, transaction
from migrahub.store.documents import log_action

ACTIONS = ("add", "remove", "accept", "reject", "memo")
_CODER_NS = uuid.UUID("0b5c7f2e-4d1a-5e8f-9a51-6d1f0c2b7a10")


class CodingError(ValueError):
    """A coding action that cannot be recorded; the message names the field and the reason."""


def save_codebook(conn: sqlite3.Connection, codebook: Codebook, name: str | None = None) -> int:
    """Store (or update, by name) a codebook and its codes; return its id. Codes already used stay."""
    name = name or codebook.name
    stamp = now()
    with transaction(conn):
        row = conn.execute("SELECT id FROM codebooks WHERE name = ?", (name,)).fetchone()
        if row:
            book_id = row[0]
            conn.execute("UPDATE codebooks SET version = ?, language = ?, origin = ?, updated_at = ? WHERE id = ?",
                         (codebook.version, codebook.language, codebook.origin, stamp, book_id))
        else:
            book_id = conn.execute(
                "INSERT INTO codebooks(name, version, language, origin, created_at, updated_at) VALUES (?,?,?,?,?,?)",
                (name, codebook.version, codebook.language, codebook.origin, stamp, stamp)).lastrowid
        conn.executemany(
            """INSERT INTO codes(codebook_id, code_id, guid, name, description, colour, parent_id, codable, position)
               VALUES (?,?,?,?,?,?,?,?,?)
               ON CONFLICT(codebook_id, code_id) DO UPDATE SET guid = excluded.guid, name = excluded.name,
                   description = excluded.description, colour = excluded.colour, parent_id = excluded.parent_id,
                   codable = excluded.codable, position = excluded.position""",
            [(book_id, c.id, c.guid, c.name, c.description, c.colour, c.parent, int(c.codable), i)
             for i, c in enumerate(codebook.codes)])
    return book_id


def codebook_id(conn: sqlite3.Connection, name: str) -> int:
    row = conn.execute("SELECT id FROM codebooks WHERE name = ?", (name,)).fetchone()
    if not row:
        names = ", ".join(codebook_names(conn)) or "none yet"
        raise CodingError(f"no codebook named {name!r} in this hub (loaded: {names})")
    return row[0]


def load_codebook(conn: sqlite3.Connection, name: str) -> Codebook:
    """The stored codebook called ``name``, as the domain record."""
    book_id = codebook_id(conn, name)
    meta = conn.execute("SELECT version, language, origin FROM codebooks WHERE id = ?", (book_id,)).fetchone()
    codes = tuple(Code(id=r["code_id"], name=r["name"], description=r["description"], colour=r["colour"],
                       parent=r["parent_id"], codable=bool(r["codable"]), guid=r["guid"])
                  for r in conn.execute("SELECT * FROM codes WHERE codebook_id = ? ORDER BY position", (book_id,)))
    return Codebook(name=name, codes=codes, version=meta["version"], language=meta["language"],
                    origin=meta["origin"])


def coder_id(conn: sqlite3.Connection, name: str, kind: str = "person") -> int:
    """The id of a coder, created on first use (machine coders have versioned names such as ``autocode/1``)."""
    row = conn.execute("SELECT id, kind FROM coders WHERE name = ?", (name,)).fetchone()
    if row:
        return row[0]
    return conn.execute("INSERT INTO coders(name, kind, guid, created_at) VALUES (?, ?, ?, ?)",
                        (name, kind, str(uuid.uuid5(_CODER_NS, name)), now())).lastrowid


def record(conn: sqlite3.Connection, *, codebook: str, document_id: int, start: int, end: int, coder: str,
           action: str, code: str | None = None, about: str | None = None, confidence: float | None = None,
           memo: str | None = None, coder_kind: str = "person", at: str | None = None) -> int:
    """Append one coding action after checking it; return its id. Also written to the hub's action log."""
    if action not in ACTIONS:
        raise CodingError(f"action must be one of {', '.join(ACTIONS)}, not {action!r}")
    with transaction(conn):
        book_id = codebook_id(conn, codebook)
        doc = conn.execute("SELECT length(text) FROM documents WHERE id = ?", (document_id,)).fetchone()
        if not doc:
            raise CodingError(f"document: no document with id {document_id}")
        if not (0 <= start < end <= doc[0]):
            raise CodingError(f"span: {start}:{end} is not a span of document {document_id} "
                              f"(its text has {doc[0]} code points)")
        if code is not None:
            exists = conn.execute("SELECT codable FROM codes WHERE codebook_id = ? AND code_id = ?",
                                  (book_id, code)).fetchone()
            if not exists:
                raise CodingError(f"code: no code {code!r} in codebook {codebook!r}")
        elif action != "memo":
            raise CodingError(f"code: a {action} needs a code")
        if action == "memo" and not (memo and memo.strip()):
            raise CodingError("memo: a memo needs some text")
        if action in ("accept", "reject") and not about:
            raise CodingError(f"about: {action} needs the machine coder whose suggestion it answers")
        who = coder_id(conn, coder, coder_kind)
        about_id = coder_id(conn, about, "machine") if about else None
        passage = conn.execute('SELECT id FROM passages WHERE document_id = ? AND start = ? AND "end" = ?',
                               (document_id, start, end)).fetchone()
        action_id = conn.execute(
            'INSERT INTO coding_actions(codebook_id, document_id, start, "end", passage_id, code_id, coder_id, action, '
            "about_coder_id, confidence, memo, at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (book_id, document_id, start, end, passage[0] if passage else None, code, who, action, about_id,
             confidence, memo, at or now())).lastrowid
        if coder_kind == "person":
            log_action(conn, coder, f"coding.{action}", "document", str(document_id),
                       {"codebook": codebook, "code": code, "start": start, "end": end, "about": about})
        return action_id


def current(conn: sqlite3.Connection, codebook: str, *, status: str | None = None, coder: str | None = None,
            document_id: int | None = None) -> list[dict]:
    """Current codings of a codebook (derived from the log), optionally only ``applied`` or ``suggested`` ones."""
    where, params = ["codebook_id = ?"], [codebook_id(conn, codebook)]
    for column, value in (("status", status), ("coder", coder), ("document_id", document_id)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    return [dict(r) for r in conn.execute(
        f'SELECT document_id, start, "end", passage_id, code_id, coder, coder_kind, status, confidence, since '
        f"FROM current_codings WHERE {' AND '.join(where)} ORDER BY document_id, start, code_id, coder", params)]


def memos(conn: sqlite3.Connection, codebook: str, document_id: int | None = None) -> list[dict]:
    where, params = ["codebook_id = ?"], [codebook_id(conn, codebook)]
    if document_id is not None:
        where.append("document_id = ?")
        params.append(document_id)
    return [dict(r) for r in conn.execute(
        f'SELECT document_id, start, "end", passage_id, code_id, coder, memo, at FROM coding_memos '
        f"WHERE {' AND '.join(where)} ORDER BY at", params)]


def action(conn: sqlite3.Connection, action_id: int) -> dict | None:
    """One row of the coding log with its codebook's, coder's and machine's names, or ``None``."""
    row = conn.execute(
        'SELECT a.id, b.name AS codebook, a.document_id, a.start, a."end", a.passage_id, a.code_id, a.action, '
        "c.name AS coder, m.name AS about, a.at FROM coding_actions a JOIN codebooks b ON b.id = a.codebook_id "
        "JOIN coders c ON c.id = a.coder_id LEFT JOIN coders m ON m.id = a.about_coder_id WHERE a.id = ?",
        (action_id,)).fetchone()
    return dict(row) if row else None


def machine_confidence(conn: sqlite3.Connection, codebook: str, document_id: int, start: int, end: int, code: str,
                       machine: str) -> float | None:
    """The confidence of a machine coder's latest add of ``code`` on a span (to restore an answered suggestion)."""
    row = conn.execute(
        'SELECT a.confidence FROM coding_actions a JOIN coders c ON c.id = a.coder_id WHERE a.codebook_id = ? AND '
        'a.document_id = ? AND a.start = ? AND a."end" = ? AND a.code_id = ? AND c.name = ? AND a.action = \'add\' '
        "ORDER BY a.id DESC LIMIT 1", (codebook_id(conn, codebook), document_id, start, end, code, machine)).fetchone()
    return row[0] if row else None


def document_progress(conn: sqlite3.Connection, codebook: str, *, title: str = "", limit: int = 50,
                      offset: int = 0) -> tuple[int, list[dict]]:
    """(total, page) of current documents for the coding picker: passages, passages people coded, pending machine
    suggestions and the last coding time in ``codebook``; documents being coded first, then the newest. ``title``
    filters on a part of the title."""
    book = codebook_id(conn, codebook)
    where, params = ["d.superseded = 0"], []
    if title:
        where.append("instr(lower(COALESCE(d.title, '')), lower(?)) > 0")
        params.append(title)
    total = conn.execute(f"SELECT count(*) FROM documents d WHERE {' AND '.join(where)}", params).fetchone()[0]
    rows = conn.execute(
        f"""WITH coded AS (
              SELECT document_id, count(DISTINCT CASE WHEN status = 'applied' THEN passage_id END) AS coded,
                     sum(CASE WHEN status = 'suggested' THEN 1 ELSE 0 END) AS pending, max(since) AS last
              FROM current_codings WHERE codebook_id = ? GROUP BY document_id)
            SELECT d.id, d.title, d.language, d.published,
                   (SELECT count(*) FROM passages p WHERE p.document_id = d.id AND p.kind != 'heading') AS passages,
                   COALESCE(c.coded, 0) AS coded, COALESCE(c.pending, 0) AS pending, c.last
            FROM documents d LEFT JOIN coded c ON c.document_id = d.id
            WHERE {' AND '.join(where)}
            ORDER BY c.coded IS NULL, c.last DESC, d.published DESC, d.id DESC LIMIT ? OFFSET ?""",
        [book, *params, limit, offset]).fetchall()
    return total, [dict(r) for r in rows]


# ------------------------------------------------------------------------------------------------ coders' reads


def codebook_names(conn: sqlite3.Connection) -> list[str]:
    """The names of the hub's codebooks, in order."""
    return [r[0] for r in conn.execute("SELECT name FROM codebooks ORDER BY name")]


def codebook_summaries(conn: sqlite3.Connection, *, pending: bool = False) -> list[dict]:
    """Each codebook (by name) with its version, language, number of codes and of logged coding actions; with
    ``pending``, also its number of machine suggestions nobody has answered yet."""
    out = []
    for r in conn.execute(
            "SELECT b.id, b.name, b.version, b.language, (SELECT count(*) FROM codes c WHERE c.codebook_id = b.id) "
            "AS codes, (SELECT count(*) FROM coding_actions a WHERE a.codebook_id = b.id) AS actions "
            "FROM codebooks b ORDER BY b.name"):
        row = dict(r)
        book_id = row.pop("id")
        if pending:
            row["pending"] = conn.execute("SELECT count(*) FROM current_codings WHERE codebook_id = ? AND "
                                          "status = 'suggested'", (book_id,)).fetchone()[0]
        out.append(row)
    return out


def code_counts(conn: sqlite3.Connection, codebook: str) -> dict[tuple[str, str], int]:
    """``{(code, status): current codings}`` of a codebook (status ``applied`` or ``suggested``)."""
    return {(r[0], r[1]): r[2] for r in conn.execute(
        "SELECT code_id, status, count(*) FROM current_codings WHERE codebook_id = ? GROUP BY code_id, status",
        (codebook_id(conn, codebook),))}


def decided_passages(conn: sqlite3.Connection, codebook: str) -> set[tuple[str, str]]:
    """``(passage id as text, code)`` of every passage and code the log of a codebook holds an action on (memos
    aside): suggested, applied, accepted, rejected or removed once already."""
    return {(str(r[0]), r[1]) for r in conn.execute(
        "SELECT passage_id, code_id FROM coding_actions a JOIN codebooks b ON b.id = a.codebook_id "
        "WHERE b.name = ? AND passage_id IS NOT NULL AND action != 'memo'", (codebook,))}


def codable_passages(conn: sqlite3.Connection) -> list[dict]:
    """Every paragraph and list item of the current documents (headings aside), in document and reading order:
    ``id`` and ``doc`` as text, ``document_id``, ``start``, ``end``, ``text``."""
    rows = conn.execute(
        'SELECT p.id, p.document_id, p.start, p."end", p.text FROM passages p JOIN documents d '
        "ON d.id = p.document_id WHERE d.superseded = 0 AND p.kind != 'heading' ORDER BY p.document_id, p.seq"
    ).fetchall()
    return [{"id": str(r["id"]), "doc": str(r["document_id"]), "document_id": r["document_id"], "start": r["start"],
             "end": r["end"], "text": r["text"]} for r in rows]


def document_passages(conn: sqlite3.Connection, document_id: int) -> list[dict]:
    """The passages of a document in reading order: ``id``, ``seq``, ``start``, ``end``, ``kind``, ``text``."""
    return [dict(r) for r in conn.execute(
        'SELECT id, seq, start, "end", kind, text FROM passages WHERE document_id = ? ORDER BY seq', (document_id,))]


def passage(conn: sqlite3.Connection, passage_id: int) -> dict | None:
    """One passage (``id``, ``document_id``, ``start``, ``end``, ``kind``, ``text``), or ``None``."""
    row = conn.execute('SELECT id, document_id, start, "end", kind, text FROM passages WHERE id = ?',
                       (passage_id,)).fetchone()
    return dict(row) if row else None


def passage_place(conn: sqlite3.Connection, passage_id: int) -> tuple[int, str | None]:
    """Where a passage is: its position in its document and the document's title."""
    seq, title = conn.execute("SELECT p.seq, d.title FROM passages p JOIN documents d ON d.id = p.document_id "
                              "WHERE p.id = ?", (passage_id,)).fetchone()
    return seq, title


def coding_document(conn: sqlite3.Connection, document_id: int) -> dict | None:
    """A document as the coding page needs it (``id``, ``title``, ``language``, ``text``, ``superseded``), or
    ``None``."""
    row = conn.execute("SELECT id, title, language, text, superseded FROM documents WHERE id = ?",
                       (document_id,)).fetchone()
    return dict(row) if row else None


def coded_span(conn: sqlite3.Connection, document_id: int, start: int, end: int) -> tuple[str | None, str] | None:
    """(document title, the text ``start:end`` of the document), or ``None`` when there is no such document."""
    row = conn.execute("SELECT title, substr(text, ? + 1, ? - ?) AS span FROM documents WHERE id = ?",
                       (start, end, start, document_id)).fetchone()
    return (row["title"], row["span"]) if row else None


def export_document(conn: sqlite3.Connection, document_id: int) -> dict | None:
    """What a REFI-QDA export needs of a document: its text, content hash, creation time and the metadata it
    exports as variables (``title``, ``language``, ``published``, ``url``, ``doc_type``, ``author``); ``None`` when
    there is no such document."""
    row = conn.execute("SELECT text, content_hash, created_at, title, language, published, url, doc_type, author "
                       "FROM documents WHERE id = ?", (document_id,)).fetchone()
    return dict(row) if row else None


def unit_context(conn: sqlite3.Connection, document_id: int, start: int, end: int) -> dict:
    """What the coding reports show beside a coded span: its document's ``title``, ``language`` and ``published``,
    the ``sources`` (locators) the document was found at, and the ``places`` and ``organisations`` (names)
    mentioned inside the span."""
    d = conn.execute("SELECT title, language, published FROM documents WHERE id = ?", (document_id,)).fetchone()
    sources = [r[0] for r in conn.execute(
        "SELECT s.locator FROM document_links l JOIN sources s ON s.id = l.source_id WHERE l.document_id = ?",
        (document_id,))]
    named: dict[str, set[str]] = {"places": set(), "organisations": set()}
    for r in conn.execute('SELECT e.category, e.name FROM mentions m JOIN entities e ON e.id = m.entity_id '
                          'WHERE m.document_id = ? AND m.start >= ? AND m."end" <= ? AND '
                          "e.category IN ('places', 'organisations')", (document_id, start, end)):
        named[r[0]].add(r[1])
    return {"title": d["title"], "language": d["language"], "published": d["published"], "sources": sources,
            **named}


def applied_codes(conn: sqlite3.Connection, passage_ids: list[int]) -> dict[int, list[str]]:
    """``{passage id: codes applied to it now}`` (in any codebook) for the given passages."""
    if not passage_ids:
        return {}
    marks = ",".join("?" * len(passage_ids))
    out: dict[int, list[str]] = {}
    for r in conn.execute(f"SELECT DISTINCT passage_id, code_id FROM current_codings WHERE status = 'applied' "
                          f"AND passage_id IN ({marks})", passage_ids):
        out.setdefault(r[0], []).append(r[1])
    return out
