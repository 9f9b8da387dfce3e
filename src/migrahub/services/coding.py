"""Code services: codebooks, codings, auto-coding suggestions, agreement, reports and REFI-QDA interchange."""

from __future__ import annotations

import hashlib
import os
import re
from collections import defaultdict
from pathlib import Path

import numpy as np

from migrahub.coding import AUTOCODER, analysis
from migrahub.coding.agreement import AgreementReport, agreement
from migrahub.coding.codebook import Codebook, CodebookError, load_codebook, parse_codebook, to_qdc
from migrahub.coding.embed import shared_encoder, text_key
from migrahub.coding.refiqda import Coding, Note, Project, Source, User, derived_guid, export_qdpx, import_qdpx
from migrahub.model import NormalizedDoc, Passage
from migrahub.sources import SourceResult
from migrahub.store import codings as store
from migrahub.store import documents as docstore
from migrahub.store import vectors as vectorstore
from migrahub.store.database import connect, transaction

CodingError = store.CodingError

# A codebook's name is part of page addresses and file names: letters and digits of any script, spaces and a few
# marks, not starting with a dot or a space, no slash or other path or control character.
NAME_MAX = 100
_NAME = re.compile(rf"(?![.\s])[\w .,()+-]{{1,{NAME_MAX}}}")
_NAME_RULE = (f"use letters, digits, spaces and - _ . , ( ) + only, not starting with a dot or a space, "
              f"at most {NAME_MAX} characters")


class CodebookNameError(CodebookError):
    """A codebook name that is not allowed; the message names the field and the rule."""


def check_codebook_name(name: str, field: str = "name") -> str:
    """``name`` without surrounding spaces, or :class:`CodebookNameError` when it breaks the naming rule."""
    clean = (name or "").strip()
    if not _NAME.fullmatch(clean):
        raise CodebookNameError(f"{field}: codebook name {name!r} is not allowed: {_NAME_RULE}")
    return clean


def _derived_name(value: str) -> str:
    """A valid name from what a file says about itself (a REFI-QDA origin, a project or file name)."""
    clean = re.sub(r"[^\w .,()+-]+", "-", value).strip(" .-")[:NAME_MAX].strip(" .-")
    return clean or "codebook"


def _book_name(explicit: str | None, own: str | None, own_field: str, filename: str, qdc: bool) -> str:
    """The explicit name, else the codebook's own name (checked: a YAML author chose it; a REFI-QDA origin is the
    tool that wrote the file, made valid), else the file's stem (made valid)."""
    if explicit:
        return check_codebook_name(explicit)
    if own and not qdc:
        return check_codebook_name(own, f"{filename}: {own_field}")
    return _derived_name(own or Path(filename).stem)


def load_codebook_file(db, path: str | os.PathLike, name: str | None = None, *, actor: str = "cli") -> dict:
    """Load a codebook (YAML or REFI-QDA .qdc) into the hub under ``name`` (default: its own name); logged as
    ``actor``. Raises :class:`CodebookError` naming the file and the reason."""
    if name:
        check_codebook_name(name)
    warnings: list[str] = []
    codebook = load_codebook(path, warnings=warnings)
    book_name = _book_name(name, codebook.name, "name", str(path), Path(path).suffix.lower() == ".qdc")
    return _save_codebook(db, codebook, book_name, Path(path).name, actor, warnings)


def load_codebook_upload(db, filename: str, data: bytes, name: str | None = None, *, actor: str) -> dict:
    """Like :func:`load_codebook_file` for the bytes of an uploaded file called ``filename`` (its extension says
    YAML or .qdc; errors name it)."""
    if name:
        check_codebook_name(name)
    warnings: list[str] = []
    codebook = parse_codebook(data, filename, warnings=warnings)
    book_name = _book_name(name, codebook.name, "name", filename, Path(filename).suffix.lower() == ".qdc")
    return _save_codebook(db, codebook, book_name, filename, actor, warnings)


def _save_codebook(db, codebook: Codebook, book_name: str, filename: str, actor: str, warnings: list[str]) -> dict:
    out = {"codebook": book_name, "codes": len(codebook.codes), "leaves": len(codebook.leaves()),
           "warnings": warnings}
    conn = connect(db)
    try:
        with transaction(conn):
            store.save_codebook(conn, codebook, book_name)
            docstore.log_action(conn, actor, "codebook.load", "codebook", book_name,
                                {"file": filename, "codes": out["codes"], "version": codebook.version})
        return out
    finally:
        conn.close()


def list_codebooks(db) -> list[dict]:
    conn = connect(db)
    try:
        return store.codebook_summaries(conn)
    finally:
        conn.close()


def get_codebook(db, name: str) -> Codebook:
    conn = connect(db)
    try:
        return store.load_codebook(conn, name)
    finally:
        conn.close()


def export_codebook(db, name: str, out: str | os.PathLike) -> Path:
    """Write a hub codebook as REFI-QDA ``.qdc`` (valid against Codebook.xsd)."""
    out = Path(out)
    out.write_bytes(to_qdc(get_codebook(db, name)))
    return out


def record_action(db, **fields) -> int:
    """Append one coding action (add, remove, accept, reject, memo); see :func:`migrahub.store.codings.record`."""
    conn = connect(db)
    try:
        return store.record(conn, **fields)
    finally:
        conn.close()


def codings(db, codebook: str, **filters) -> list[dict]:
    conn = connect(db)
    try:
        return store.current(conn, codebook, **filters)
    finally:
        conn.close()


EMBED_BATCH = 32  # passages embedded and stored per transaction


def passage_vectors(conn, encoder, passages: list[dict]) -> tuple[np.ndarray, int]:
    """The embedding of each passage (``id``, ``text``) by ``encoder``: read from the hub, and for passages without
    one computed in batches of ``EMBED_BATCH``, each batch stored in its own transaction (a run stopped midway keeps
    what it stored; the next one goes on from there). Returns the vectors, as stored, and how many were computed now."""
    ids = [int(p["id"]) for p in passages]
    vectors, found = vectorstore.read_vectors(conn, encoder.name, ids, encoder.dim)
    missing = np.flatnonzero(~found)
    for k in range(0, len(missing), EMBED_BATCH):
        rows = missing[k:k + EMBED_BATCH]
        batch = vectorstore.as_stored(encoder.encode([passages[i]["text"] for i in rows]))
        vectorstore.write_vectors(conn, encoder.name, [ids[i] for i in rows], batch)
        vectors[rows] = batch
    return vectors, len(missing)


class HubEncoder:
    """An encoder that keeps the vectors of the texts it encodes (codes' definitions) in the hub by text, so that a
    later run reads them instead of computing them again."""

    def __init__(self, conn, encoder) -> None:
        self.conn, self.encoder = conn, encoder
        self.name, self.dim = encoder.name, encoder.dim

    def encode(self, texts) -> np.ndarray:
        keys = [text_key(t) for t in texts]
        known = vectorstore.read_text_vectors(self.conn, self.name, keys, self.dim)
        todo = [i for i, k in enumerate(keys) if k not in known]
        if todo:
            fresh = vectorstore.as_stored(self.encoder.encode([texts[i] for i in todo]))
            vectorstore.write_text_vectors(self.conn, self.name, [keys[i] for i in todo], fresh)
            known.update({keys[i]: v for i, v in zip(todo, fresh, strict=True)})
        return np.stack([known[k] for k in keys]) if keys else np.zeros((0, self.dim), dtype=np.float32)


def suggest(db, codebook: str, *, coder: str = AUTOCODER, rules_path: str | os.PathLike | None = None,
            threshold: float | None = None) -> dict:
    """Suggest codes for every current passage nobody has coded yet, as the machine coder's ``suggested`` codings.

    The model is retrained on demand from the hub's human codings (passages coded by people); with none yet it
    suggests from the code definitions and rules alone. Passage embeddings are computed once and kept in the hub
    (:func:`passage_vectors`). Returns counts (``embedded``: passages embedded by this run).
    """
    from migrahub.coding.autocode import passage_contexts

    conn = connect(db)
    try:
        book = store.load_codebook(conn, codebook)
        from migrahub.coding.autocode import AutoCoder, load_rules  # scikit-learn and SciPy: only when coding

        rules = load_rules(rules_path, book) if rules_path else ()
        passages = store.codable_passages(conn)
        applied = defaultdict(set)
        for c in store.current(conn, codebook, status="applied"):
            if c["passage_id"] is not None:
                applied[str(c["passage_id"])].add(c["code_id"])
        decided = store.decided_passages(conn, codebook)
        encoder = shared_encoder()
        auto = AutoCoder(book, rules, embeddings=HubEncoder(conn, encoder) if encoder is not None else False)
        train = [p for p in passages if p["id"] in applied]
        todo = [p for p in passages if p["id"] not in applied]
        embedded, v_train, v_todo = 0, None, None
        if auto.encoder is not None:
            vectors, embedded = passage_vectors(conn, auto.encoder, train + todo)
            v_train, v_todo = vectors[:len(train)], vectors[len(train):]
        if train:
            auto.fit([p["text"] for p in train], [sorted(applied[p["id"]]) for p in train],
                     contexts=passage_contexts(train), unlabeled=[p["text"] for p in todo],
                     groups=[p["doc"] for p in train], vectors=v_train, unlabeled_vectors=v_todo)
        rows = auto.suggest([p["text"] for p in todo], passage_contexts(todo), threshold=threshold,
                            vectors=v_todo) if todo else []
        stored = 0
        with transaction(conn):
            for p, row in zip(todo, rows, strict=True):
                for s in row:
                    if (p["id"], s.code) in decided:
                        continue  # already suggested, accepted or rejected: do not ask again
                    store.record(conn, codebook=codebook, document_id=p["document_id"], start=p["start"],
                                 end=p["end"], coder=coder, coder_kind="machine", action="add", code=s.code,
                                 confidence=min(1.0, max(0.0, s.confidence)))
                    stored += 1
        return {"coder": coder, "trained_on": len(train), "passages": len(todo), "suggestions": stored,
                "embedded": embedded}
    finally:
        conn.close()


def agreement_report(db, codebook: str, coders: list[str] | None = None) -> AgreementReport:
    """Percent agreement, Cohen's κ and Krippendorff's α per code and overall between coders of the hub.

    Units are passages; a coder's units are the passages they coded (a machine coder's: those it suggested on).
    """
    conn = connect(db)
    try:
        by_coder: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
        for c in store.current(conn, codebook):
            unit = f"{c['document_id']}:{c['start']}:{c['end']}"
            by_coder[c["coder"]][unit].add(c["code_id"])
        return agreement({k: dict(v) for k, v in by_coder.items()}, coders=coders)
    finally:
        conn.close()


def coded_records(db, codebook: str, status: str = "applied") -> list[dict]:
    """One record per coded passage with its document, sources, places, organisations, language, year and codes."""
    conn = connect(db)
    try:
        units: dict[tuple, dict] = {}
        for c in store.current(conn, codebook, status=status):
            key = (c["document_id"], c["start"], c["end"])
            units.setdefault(key, {"codes": set()})["codes"].add(c["code_id"])
        out = []
        for (doc_id, start, end), unit in units.items():
            d = store.unit_context(conn, doc_id, start, end)
            out.append({"unit": f"{doc_id}:{start}:{end}", "document": d["title"] or str(doc_id),
                        "source": d["sources"][0] if d["sources"] else None, "place": sorted(d["places"]),
                        "organisation": sorted(d["organisations"]), "language": d["language"],
                        "published": d["published"], "codes": sorted(unit["codes"])})
        return out
    finally:
        conn.close()


def report(db, codebook: str, kind: str, by: str = "document", chart: str | os.PathLike | None = None,
           status: str = "applied") -> analysis.Table:
    """``frequencies`` (by a dimension), ``cooccurrence`` or ``table`` (code × document); optionally a chart
    (PNG or SVG by extension) of code frequencies or the co-occurrence heat map."""
    from migrahub.coding import charts  # matplotlib: only when drawing

    records = coded_records(db, codebook, status)
    codes = [c.id for c in get_codebook(db, codebook).leaves()]
    if kind == "frequencies":
        table = analysis.frequencies_by(records, by, codes)
        if chart:
            charts.frequency_bar_chart(dict(analysis.code_frequencies(records)), chart)
    elif kind == "cooccurrence":
        table = analysis.cooccurrence(records, codes)
        if chart:
            charts.cooccurrence_heatmap(table, chart)
    elif kind == "table":
        table = analysis.code_by_document(records, codes)
    else:
        raise ValueError(f"unknown report {kind!r}: choose frequencies, cooccurrence or table")
    return table


# ------------------------------------------------------------------------------------------------ REFI-QDA


def _user(name: str) -> User:
    return User(guid=str(derived_guid("user", name)), name=name)


def export_project(db, codebook: str, out: str | os.PathLike, document_ids: list[int] | None = None) -> dict:
    """Export the hub (or the given documents) with one codebook as a REFI-QDA ``.qdpx`` project.

    Sources are the documents' stored texts (offsets are code points into them), with their metadata as
    variables; codings are the people's applied codings; memos become notes.
    """
    conn = connect(db)
    try:
        book = store.load_codebook(conn, codebook)
        applied = store.current(conn, codebook, status="applied")
        notes = store.memos(conn, codebook)
        if document_ids is None:
            ids = sorted({c["document_id"] for c in applied} | {n["document_id"] for n in notes})
        else:
            ids = list(document_ids)
        users: dict[str, User] = {}
        sources, source_guid = [], {}
        for doc_id in ids:
            d = store.export_document(conn, doc_id)
            if d is None:
                raise ValueError(f"no document with id {doc_id}")
            guid = derived_guid("source", d["content_hash"])
            source_guid[doc_id] = guid
            variables = tuple((k, d[k]) for k in ("title", "language", "published", "url", "doc_type", "author")
                              if d[k])
            sources.append(Source(guid=guid, name=_source_name(doc_id, d["title"]), text=d["text"],
                                  created_at=d["created_at"], variables=variables))
        out_codings = []
        for c in applied:
            if c["document_id"] in source_guid:
                user = users.setdefault(c["coder"], _user(c["coder"]))
                out_codings.append(Coding(source_guid[c["document_id"]], c["start"], c["end"], c["code_id"],
                                          user.guid, c["since"]))
        out_notes = []
        for n in notes:
            if n["document_id"] in source_guid:
                user = users.setdefault(n["coder"], _user(n["coder"]))
                out_notes.append(Note(guid=derived_guid("note", n["document_id"], n["start"], n["at"], n["memo"]),
                                      text=n["memo"], created_by=user.guid, created_at=n["at"],
                                      span=(source_guid[n["document_id"]], n["start"], n["end"])))
        project = Project(name=f"MigraHub – {codebook}", codebook=book, sources=tuple(sources),
                          codings=tuple(out_codings), users=tuple(users.values()), notes=tuple(out_notes))
        export_qdpx(project, out)
        return {"file": str(out), "sources": len(sources), "codings": len(out_codings), "notes": len(out_notes),
                "users": len(users), "codes": len(book.codes)}
    finally:
        conn.close()


def _source_name(doc_id: int, title: str | None) -> str:
    """A source name that other tools can also use as a file name (several write one file per source)."""
    safe = re.sub(r"[^\w ,()-]+", "_", title or "untitled").strip(" _")[:80]
    return f"{doc_id:05d} {safe or 'untitled'}"


_BLANK = re.compile(r"\n[ \t]*\n+")


def _verbatim_doc(source: Source, origin: str) -> NormalizedDoc:
    """A hub document holding a REFI-QDA source's text exactly as given (its codings' offsets index it), with
    passages at the blank lines."""
    text = source.text
    passages, pos, seq = [], 0, 0
    for m in list(_BLANK.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        chunk = text[pos:end]
        lead = len(chunk) - len(chunk.lstrip())
        body = chunk.strip()
        if body:
            s = pos + lead
            passages.append(Passage(seq, s, s + len(body), "paragraph", body))
            seq += 1
        pos = m.end() if m else len(text)
    meta = dict(source.variables)
    return NormalizedDoc(
        locator=f"{origin}#{source.guid}", source=origin, source_kind="file", content_type="text/plain",
        text=text, passages=tuple(passages), content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        fingerprint=b"", language=(str(meta["language"]) if meta.get("language") else None),
        title=str(meta.get("title") or source.name),
        published=str(meta["published"]) if meta.get("published") else None, provenance=("refi-qda-import/1",))


def import_project(db, path: str | os.PathLike, codebook: str | None = None, *, origin: str | None = None) -> dict:
    """Import a ``.qdpx`` from another tool: its codebook, text sources (as documents, text kept verbatim so the
    offsets hold), codings with their coders and times, and notes on selections as memos. Returns counts and the
    warnings listing everything discarded or changed. ``origin`` is the source recorded for the texts (default: the
    file's path)."""
    if codebook:
        check_codebook_name(codebook, "codebook")
    result = import_qdpx(path)
    project = result.project
    name = check_codebook_name(codebook, "codebook") if codebook else _derived_name(
        project.codebook.name or Path(path).stem)
    users = {u.guid: u.name for u in project.users}
    conn = connect(db)
    try:
        store.save_codebook(conn, project.codebook, name)
        origin = origin or str(Path(path).resolve())  # an upload names its file, not a server path
        source_id = docstore.upsert_source(conn, SourceResult(source=origin, kind="file", status="ok"),
                                           len(project.sources))
        doc_of = {}
        for src in project.sources:
            if not src.text:
                result.warnings.append(f"source {src.name!r}: no text, skipped with its codings")
                continue
            _, doc_id = docstore.save_document(conn, _verbatim_doc(src, origin), source_id)
            doc_of[src.guid] = doc_id
        added = 0
        existing = {(c["document_id"], c["start"], c["end"], c["code_id"], c["coder"])
                    for c in store.current(conn, name, status="applied")}
        with transaction(conn):
            for c in project.codings:
                if c.source not in doc_of:
                    continue
                who = users.get(c.created_by or "", "imported")
                key = (doc_of[c.source], c.start, c.end, c.code, who)
                if key in existing:
                    continue
                store.record(conn, codebook=name, document_id=doc_of[c.source], start=c.start, end=c.end,
                             coder=who, action="add", code=c.code, at=c.created_at)
                existing.add(key)
                added += 1
            memos = 0
            for n in project.notes:
                if n.span and n.span[0] in doc_of:
                    store.record(conn, codebook=name, document_id=doc_of[n.span[0]], start=n.span[1],
                                 end=n.span[2], coder=users.get(n.created_by or "", "imported"), action="memo",
                                 memo=n.text, at=n.created_at)
                    memos += 1
        return {"codebook": name, "codes": len(project.codebook.codes), "sources": len(doc_of), "codings": added,
                "memos": memos, "warnings": result.warnings}
    finally:
        conn.close()


# ------------------------------------------------------------------------------------------------ analysis pages

ANALYSES = ("frequencies", "cooccurrence", "table")


def code_labels(db, codebook: str) -> dict[str, str]:
    """``{code id: name}`` of a codebook's codes (the ones coders apply first)."""
    book = get_codebook(db, codebook)
    return {c.id: c.name for c in book.codes}


def coder_names(db, codebook: str) -> list[str]:
    """The coders (people and machines) with current codings in a codebook, by name."""
    conn = connect(db)
    try:
        return sorted({c["coder"] for c in store.current(conn, codebook)})
    finally:
        conn.close()


def agreement_table(db, codebook: str, coders: list[str] | None = None) -> tuple[AgreementReport, analysis.Table]:
    """The agreement report between ``coders`` (every coder when ``None``) and the same as a table (one row per code
    and a last row for all codes pooled); ``ValueError`` when fewer than two of them coded."""
    rep = agreement_report(db, codebook, coders)
    rows = [(c.code, c.units, c.applied, _round(c.percent), _round(c.kappa), _round(c.alpha))
            for c in (*rep.per_code, rep.overall)]
    return rep, analysis.Table(("code", "units", "applied", "percent", "kappa", "alpha"), tuple(rows))


def _round(x: float) -> float | None:
    return None if x != x else round(x, 3)


def chart_png(db, codebook: str, kind: str, status: str = "applied") -> bytes:
    """The PNG chart of a report (``frequencies``: code frequencies; ``cooccurrence``: the heat map)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="migrahub-chart-") as tmp:
        path = Path(tmp) / "chart.png"
        report(db, codebook, kind, chart=path, status=status)
        return path.read_bytes()
