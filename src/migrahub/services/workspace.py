"""The coders' workspace: what the coding pages and the coding API show and do.

Reads take a connection (the web door passes its per-thread reader); writes go through
:func:`migrahub.services.coding.record_action`, so every change is one appended row of the coding log (and of the
hub's action log). Offsets are code points into ``documents.text``, end exclusive, like everywhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from migrahub.coding import AUTOCODER
from migrahub.coding.codebook import Codebook, normalize_colour
from migrahub.services import coding
from migrahub.store import codings as store
from migrahub.store.database import connect, transaction

CodingError = store.CodingError
WEB_ACTIONS = ("add", "remove", "accept", "reject", "memo")
MEMO_MAX = 4000


@dataclass
class CodeNode:
    """A code of a codebook as the browser shows it: depth in the tree and how often it is applied/suggested."""

    id: str
    name: str
    description: str
    colour: str | None
    parent: str | None
    depth: int
    leaf: bool
    css: str
    applied: int = 0
    suggested: int = 0
    children: list[CodeNode] = field(default_factory=list)


def codebook_names(conn) -> list[str]:
    return store.codebook_names(conn)


def codebooks(conn) -> list[dict]:
    """The hub's codebooks with their number of codes, of logged coding actions and of pending suggestions."""
    return store.codebook_summaries(conn, pending=True)


def choose_codebook(conn, name: str | None) -> str | None:
    """The codebook asked for (when it exists), else the only/first one of the hub; ``None`` when there is none."""
    names = codebook_names(conn)
    if name and name in names:
        return name
    if name:
        raise CodingError(f"no codebook named {name!r} in this hub (loaded: {', '.join(names) or 'none yet'})")
    return names[0] if names else None


def css_class(book_id: int, position: int) -> str:
    return f"code-b{book_id}-c{position}"


def _classes(conn, book: Codebook) -> dict[str, str]:
    book_id = store.codebook_id(conn, book.name)
    return {c.id: css_class(book_id, i) for i, c in enumerate(book.codes)}


def colour_css(conn, book: Codebook) -> str:
    """A stylesheet giving each code its colour (the hub's CSP forbids inline styles, so colours come as classes)."""
    safe = re.sub(r"[^\w .-]", "_", book.name)
    lines = [f"/* colours of codebook {safe} */"]
    classes = _classes(conn, book)
    for c in book.codes:
        colour = normalize_colour(c.colour)
        if colour:
            lines.append(f".{classes[c.id]} {{ --code-colour: {colour}; }}")
    return "\n".join(lines) + "\n"


def tree(conn, name: str) -> tuple[Codebook, list[CodeNode]]:
    """The codebook as a tree of :class:`CodeNode` with per-code counts of current codings (a category counts the
    codings of its descendants too)."""
    book = store.load_codebook(conn, name)
    counts = store.code_counts(conn, name)
    classes = _classes(conn, book)
    leaves = {c.id for c in book.leaves()}
    nodes: dict[str, CodeNode] = {}
    roots: list[CodeNode] = []
    for c in book.codes:
        depth = nodes[c.parent].depth + 1 if c.parent in nodes else 0
        node = CodeNode(c.id, c.name, c.description, c.colour, c.parent, depth, c.id in leaves, classes[c.id],
                        counts.get((c.id, "applied"), 0), counts.get((c.id, "suggested"), 0))
        nodes[c.id] = node
        (nodes[c.parent].children if c.parent in nodes else roots).append(node)

    def total(node: CodeNode) -> tuple[int, int]:
        for child in node.children:
            a, s = total(child)
            node.applied += a
            node.suggested += s
        return node.applied, node.suggested

    for root in roots:
        total(root)
    return book, roots


def flatten(nodes: list[CodeNode]) -> list[CodeNode]:
    out = []
    for n in nodes:
        out.append(n)
        out.extend(flatten(n.children))
    return out


def code_passages(conn, name: str, code_id: str, status: str = "applied",
                  limit: int = 200) -> list[dict]:
    """The spans currently coded with ``code_id`` (``applied`` or ``suggested``), with their document and text."""
    book = store.load_codebook(conn, name)
    if code_id not in book:
        raise CodingError(f"code: no code {code_id!r} in codebook {name!r}")
    wanted = {code_id} | {c.id for c in book.codes if code_id in {p.id for p in book.path(c.id)}}
    rows = [r for r in store.current(conn, name, status=status) if r["code_id"] in wanted]
    out = []
    for r in rows[:limit]:
        title, text = store.coded_span(conn, r["document_id"], r["start"], r["end"]) or (None, "")
        out.append({**r, "title": title, "text": text, "code_name": book.get(r["code_id"]).name})
    return out


def _fill(passage: dict, text: str, codings: list[dict], memos: list[dict], book: Codebook,
          classes: dict[str, str], user: str | None) -> dict:
    s, e = passage["start"], passage["end"]
    inside = [c for c in codings if s <= c["start"] and c["end"] <= e]
    for c in inside:
        code = book.get(c["code_id"]) if c["code_id"] in book else None
        c["code_name"] = code.name if code else c["code_id"]
        c["css"] = classes.get(c["code_id"], "")
        c["whole"] = (c["start"], c["end"]) == (s, e)
        c["span_text"] = "" if c["whole"] else text[c["start"]:c["end"]]
        c["mine"] = user is not None and c["coder"] == user
    passage["applied"] = [c for c in inside if c["status"] == "applied"]
    passage["suggested"] = sorted((c for c in inside if c["status"] == "suggested"),
                                  key=lambda c: -(c["confidence"] or 0))
    passage["memos"] = [dict(m, span_text="" if (m["start"], m["end"]) == (s, e) else text[m["start"]:m["end"]])
                        for m in memos if s <= m["start"] and m["end"] <= e]
    passage["segments"] = segments(text, s, e, [c for c in passage["applied"] if not c["whole"]])
    passage["whole_css"] = " ".join(dict.fromkeys(c["css"] for c in passage["applied"] if c["whole"]))
    return passage


def segments(text: str, start: int, end: int, spans: list[dict]) -> list[dict]:
    """The text ``start:end`` cut where coded spans begin and end: ``{text, css, codes}`` pieces in order, ``css``
    the colour classes of the spans covering the piece (empty outside every span), ``codes`` their names."""
    cuts = sorted({start, end, *(max(start, c["start"]) for c in spans), *(min(end, c["end"]) for c in spans)})
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        over = [c for c in spans if c["start"] <= a and b <= c["end"]]
        out.append({"text": text[a:b], "css": " ".join(dict.fromkeys(c["css"] for c in over)),
                    "codes": ", ".join(dict.fromkeys(c["code_name"] for c in over))})
    return out


def document_view(conn, name: str, document_id: int, user: str | None = None,
                  passage_id: int | None = None) -> dict | None:
    """A document passage by passage, each with its applied codings, pending suggestions and memos for one codebook
    (all passages, or only ``passage_id``); ``None`` when there is no such document."""
    doc = store.coding_document(conn, document_id)
    if doc is None:
        return None
    book = store.load_codebook(conn, name)
    classes = _classes(conn, book)
    codings = store.current(conn, name, document_id=document_id)
    memos = store.memos(conn, name, document_id=document_id)
    passages = store.document_passages(conn, document_id)
    if passage_id is not None:
        passages = [p for p in passages if p["id"] == passage_id]
    return {"id": doc["id"], "title": doc["title"], "language": doc["language"], "superseded": bool(doc["superseded"]),
            "codebook": name,
            "passages": [_fill(p, doc["text"], [dict(c) for c in codings], memos, book, classes, user)
                         for p in passages],
            "leaves": [{"id": c.id, "name": c.name, "path": " › ".join(x.name for x in book.path(c.id))}
                       for c in book.leaves() if c.codable],
            "pending": sum(1 for c in codings if c["status"] == "suggested")}


def passage(conn, passage_id: int) -> dict | None:
    return store.passage(conn, passage_id)


def act(db, conn, *, codebook: str, coder: str, action: str, passage_id: int,
        code: str | None = None, start: int | None = None, end: int | None = None, about: str | None = None,
        memo: str | None = None, document_id: int | None = None) -> dict:
    """Record one coding action by a person on a passage (or on a span inside it); return the passage.

    ``start``/``end`` default to the whole passage and must lie inside it; ``document_id``, when given, must be the
    passage's document. Every check and the write happen in one transaction on a writing connection (``conn`` is
    not used for them: a reader could see an older state): raises :class:`CodingError` with the field and the
    reason on bad input, and nothing is written then.
    """
    if action not in WEB_ACTIONS:
        raise CodingError(f"action must be one of {', '.join(WEB_ACTIONS)}, not {action!r}")
    writer = connect(db)
    try:
        with transaction(writer):
            fields = _checked(writer, codebook=codebook, coder=coder, action=action, passage_id=passage_id,
                              code=code, start=start, end=end, about=about, memo=memo, document_id=document_id)
            action_id = store.record(writer, codebook=codebook, coder=coder, action=action, **fields)
            p = passage(writer, passage_id)
            seq, title = store.passage_place(writer, passage_id)
    finally:
        writer.close()
    return {**p, "action_id": action_id, "span": (fields["start"], fields["end"]), "seq": seq, "title": title}


def code_name(conn, name: str, code: str) -> str:
    """A code's name in a codebook (its id when the codebook has no such code)."""
    book = store.load_codebook(conn, name)
    return book.get(code).name if code in book else code


def _checked(conn, *, codebook: str, coder: str, action: str, passage_id: int,
             code: str | None, start: int | None, end: int | None, about: str | None, memo: str | None,
             document_id: int | None) -> dict:
    """The fields of a valid action (document, span, code, about, memo), or :class:`CodingError`."""
    p = passage(conn, passage_id)
    if p is None:
        raise CodingError(f"passage: no passage with id {passage_id}")
    if document_id is not None and p["document_id"] != document_id:
        raise CodingError(f"passage: {passage_id} is not a passage of document {document_id}")
    start = p["start"] if start is None else start
    end = p["end"] if end is None else end
    if not (p["start"] <= start < end <= p["end"]):
        raise CodingError(f"span: {start}:{end} is not inside passage {passage_id} ({p['start']}:{p['end']})")
    code = code or None
    if action in ("add", "remove", "accept", "reject"):
        if not code:
            raise CodingError("code: choose a code")
        book = store.load_codebook(conn, codebook)
        if code not in book:
            raise CodingError(f"code: no code {code!r} in codebook {codebook!r}")
        if action == "add" and code not in {c.id for c in book.leaves() if c.codable}:
            raise CodingError(f"code: {code!r} is a category; apply one of its codes")
    if action in ("accept", "reject"):
        about = about or AUTOCODER
        pending = {(c["code_id"], c["coder"]) for c in store.current(conn, codebook, status="suggested",
                                                                      document_id=p["document_id"])
                   if (c["start"], c["end"]) == (start, end)}
        if (code, about) not in pending:
            raise CodingError(f"suggestion: {about} has no pending suggestion of {code!r} here")
    else:
        about = None
    if action == "remove":
        mine = {c["code_id"] for c in store.current(conn, codebook, status="applied", coder=coder,
                                                    document_id=p["document_id"])
                if (c["start"], c["end"]) == (start, end)}
        if code not in mine:
            raise CodingError(f"code: you have not applied {code!r} here")
    if action == "memo":
        memo = (memo or "").strip()
        if not memo:
            raise CodingError("memo: write some text")
        if len(memo) > MEMO_MAX:
            raise CodingError(f"memo: at most {MEMO_MAX} characters")
    else:
        memo = None
    return {"document_id": p["document_id"], "start": start, "end": end, "code": code, "about": about,
            "memo": memo}


def pending(conn, name: str, limit: int = 50, offset: int = 0, *, code: str | None = None,
            min_confidence: float | None = None, max_confidence: float | None = None,
            document_id: int | None = None) -> tuple[int, list[dict]]:
    """Machine suggestions nobody has accepted or rejected yet, most confident first, with document and passage;
    optionally only of one code (or a category's codes), within a confidence range, in one document."""
    book = store.load_codebook(conn, name)
    classes = _classes(conn, book)
    codes = None
    if code:
        if code not in book:
            raise CodingError(f"code: no code {code!r} in codebook {name!r}")
        codes = {code} | {c.id for c in book.codes if code in {x.id for x in book.path(c.id)}}
    rows = sorted((c for c in store.current(conn, name, status="suggested", document_id=document_id)
                   if (codes is None or c["code_id"] in codes)
                   and (min_confidence is None or (c["confidence"] or 0) >= min_confidence)
                   and (max_confidence is None or (c["confidence"] or 0) <= max_confidence)),
                  key=lambda c: (-(c["confidence"] or 0), c["document_id"], c["start"], c["code_id"]))
    out = []
    for r in rows[offset:offset + limit]:
        title, text = store.coded_span(conn, r["document_id"], r["start"], r["end"]) or (None, "")
        code = book.get(r["code_id"]) if r["code_id"] in book else None
        out.append({**r, "title": title, "text": text,
                    "code_name": code.name if code else r["code_id"], "css": classes.get(r["code_id"], "")})
    return len(rows), out


def progress(conn, name: str, *, title: str = "", limit: int = 50,
             offset: int = 0) -> tuple[int, list[dict]]:
    """The coding picker's documents with their progress (see :func:`store.document_progress`)."""
    return store.document_progress(conn, name, title=title, limit=limit, offset=offset)


def undo(db, *, coder: str, action_id: int) -> dict:
    """Undo one of ``coder``'s coding actions by appending its inverse (the log stays append-only): an add is
    removed, a removal added again, an accepted or rejected suggestion is pending again (an accept also withdraws
    the coder's coding). Returns ``{"undone": the action, "actions": new action ids}``; :class:`CodingError` when
    the action is not the coder's, is a memo, or no longer stands (something later changed that coding)."""
    writer = connect(db)
    try:
        with transaction(writer):
            a = store.action(writer, action_id)
            if a is None or a["coder"] != coder:
                raise CodingError(f"undo: action {action_id} is not one of yours")
            if a["action"] == "memo":
                raise CodingError("undo: a memo cannot be withdrawn; write another memo to correct it")
            span = {"codebook": a["codebook"], "document_id": a["document_id"], "start": a["start"], "end": a["end"]}
            latest = [c for c in store.current(writer, a["codebook"], document_id=a["document_id"])
                      if (c["start"], c["end"], c["code_id"]) == (a["start"], a["end"], a["code_id"])]
            mine = any(c["coder"] == coder for c in latest)
            restored = a["action"] in ("accept", "reject") and any(c["coder"] == a["about"] for c in latest)
            if (a["action"] in ("add", "accept")) != mine or restored:
                raise CodingError(f"undo: the coding of action {action_id} has changed since; nothing to undo")
            ids = []
            if a["action"] in ("add", "accept"):
                ids.append(store.record(writer, **span, coder=coder, action="remove", code=a["code_id"]))
            if a["action"] == "remove":
                ids.append(store.record(writer, **span, coder=coder, action="add", code=a["code_id"]))
            if a["action"] in ("accept", "reject"):
                confidence = store.machine_confidence(writer, a["codebook"], a["document_id"], a["start"], a["end"],
                                                      a["code_id"], a["about"])
                ids.append(store.record(writer, **span, coder=a["about"], coder_kind="machine", action="add",
                                        code=a["code_id"], confidence=confidence))
            store.log_action(writer, coder, "coding.undo", "document", str(a["document_id"]),
                             {"codebook": a["codebook"], "action": action_id, "was": a["action"],
                              "code": a["code_id"]})
        return {"undone": a, "actions": ids}
    finally:
        writer.close()


def bulk(db, *, codebook: str, coder: str, action: str, items: list[tuple[int, int, int, str, str]]) -> list[int]:
    """Accept or reject several suggestions ``(document, start, end, code, machine)`` in one transaction: all or
    none (the first that is not pending any more is named in the :class:`CodingError`). Returns the action ids."""
    if action not in ("accept", "reject"):
        raise CodingError(f"action must be accept or reject, not {action!r}")
    if not items:
        raise CodingError("suggestions: choose at least one")
    writer = connect(db)
    try:
        with transaction(writer):
            ids = []
            pending_by_doc: dict[int, set] = {}
            for document_id, start, end, code, machine in items:
                if document_id not in pending_by_doc:
                    pending_by_doc[document_id] = {
                        (c["start"], c["end"], c["code_id"], c["coder"])
                        for c in store.current(writer, codebook, status="suggested", document_id=document_id)}
                if (start, end, code, machine) not in pending_by_doc[document_id]:
                    raise CodingError(f"suggestion: {machine} has no pending suggestion of {code!r} at "
                                      f"{document_id}:{start}:{end}; nothing was changed")
                pending_by_doc[document_id].discard((start, end, code, machine))
                ids.append(store.record(writer, codebook=codebook, document_id=document_id, start=start, end=end,
                                        coder=coder, action=action, code=code, about=machine))
        return ids
    finally:
        writer.close()


def passage_labels(conn, document_id: int) -> dict:
    """Applied codes of each passage of a document, for every codebook of the hub (read-only labels):
    ``{"codebooks": [names], "passages": {passage id: [{code, name, css, codebook, coders}]}}``."""
    names = codebook_names(conn)
    by_passage: dict[int, list[dict]] = {}
    if not names:
        return {"codebooks": [], "passages": by_passage}
    spans = store.document_passages(conn, document_id)
    for name in names:
        book = store.load_codebook(conn, name)
        classes = _classes(conn, book)
        merged: dict[tuple[int, str], dict] = {}
        for c in store.current(conn, name, status="applied", document_id=document_id):
            for p in spans:
                if p["start"] <= c["start"] and c["end"] <= p["end"]:
                    label = merged.setdefault((p["id"], c["code_id"]), {
                        "code": c["code_id"], "codebook": name, "css": classes.get(c["code_id"], ""),
                        "name": book.get(c["code_id"]).name if c["code_id"] in book else c["code_id"], "coders": []})
                    if c["coder"] not in label["coders"]:
                        label["coders"].append(c["coder"])
                    break
        for (pid, _), label in merged.items():
            by_passage.setdefault(pid, []).append(label)
    used = sorted({lbl["codebook"] for labels in by_passage.values() for lbl in labels})
    return {"codebooks": used, "passages": by_passage}


def suggest(db, name: str) -> dict:
    """Run the auto-coder over the hub's uncoded passages (see :func:`migrahub.services.coding.suggest`)."""
    return coding.suggest(db, name)
