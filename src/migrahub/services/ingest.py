"""Ingest: read sources, normalise each item, store it — one document, one transaction.

A bad item never aborts the batch: it is recorded in ``failures`` with its file or URL and a reason, and listed in
the summary. Running the same ingest again adds nothing; changed content becomes a new version and the old text is
kept; an ingest killed at any point loses nothing already committed and resumes on the next run.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from migrahub.extract import Extraction, extract
from migrahub.model import NormalizedDoc, Rejection
from migrahub.pipeline.normalize import normalize
from migrahub.sources import FetchState, Limits, SourceResult, child_unit, collect, plan
from migrahub.sources.collect import display_path, is_url
from migrahub.sources.errors import SourceError
from migrahub.store import documents as store
from migrahub.store import entities
from migrahub.store import ingest as ingest_store
from migrahub.store import search as fts
from migrahub.store.database import connect, transaction

Progress = Callable[[int, int, str], None]
INDEX_BATCH = 5000  # documents stored between two updates of the full-text index and the near-duplicate bands
INGEST_WAL_PAGES = 20_000  # checkpoint threshold during an ingest (pages; SQLite's default is 1,000)
WORKER_NICENESS = 10  # readers yield the CPU to the writing process, the slowest stage of the pipeline
GC_THRESHOLD = (50_000, 50, 100)  # during an ingest: most objects die young, a collection every 700 is wasted work


@dataclass
class IngestSummary:
    run_id: int
    units: int = 0
    items: int = 0
    added: int = 0
    linked: int = 0
    unchanged: int = 0
    versions: int = 0
    not_modified: int = 0
    seconds: float = 0.0
    failed: list[dict] = field(default_factory=list)
    documents: list[int] = field(default_factory=list)  # ids of the documents this run added, versioned or linked

    @property
    def ok(self) -> bool:
        return not self.failed

    def as_dict(self) -> dict:
        return {
            "run_id": self.run_id, "units": self.units, "items": self.items, "added": self.added,
            "linked": self.linked, "unchanged": self.unchanged, "versions": self.versions,
            "not_modified": self.not_modified, "failed": self.failed, "seconds": round(self.seconds, 3),
            "items_per_second": round(self.items / self.seconds, 1) if self.seconds else None,
        }


def ingest(
    targets: list[str],
    db: str | os.PathLike | None = None,
    *,
    limits: Limits = Limits(),
    progress: Progress | None = None,
    conn=None,
    workers: int | None = None,
    extract_entities: bool = True,
    allow_local_files: bool = False,
) -> IngestSummary:
    """Ingest files, directories (recursively), feeds, OPML lists and web pages into the hub at ``db``.

    The targets themselves may be local paths. What an OPML list names is read only when it is an http(s) URL, or
    a local file named by a local list with ``allow_local_files`` (the command line's choice: a person there may
    read their own files; the web doors leave it off, so an uploaded list cannot publish the server's files).

    Reading, normalising and entity extraction (unless ``extract_entities`` is false) run in ``workers``
    processes (default: one per CPU, for batches of 16 units or more); this process writes, one document and its
    entities per transaction. Returns a summary; ``summary.ok`` is false when any item
    failed (each failure names its file or URL and why).
    """
    with _fewer_collections():
        return _ingest(targets, db, limits=limits, progress=progress, conn=conn, workers=workers,
                       extract_entities=extract_entities, allow_local_files=allow_local_files)


def _ingest(targets: list[str], db: str | os.PathLike | None, *, limits: Limits, progress: Progress | None,
            conn, workers: int | None, extract_entities: bool,
            allow_local_files: bool) -> IngestSummary:
    own = conn is None
    conn = conn or connect(db)
    t0 = time.perf_counter()
    run_id = store.start_run(conn, [display_path(os.fsdecode(t)) for t in targets])
    summary = IngestSummary(run_id)
    batch = plan(list(targets))
    for rejection in batch.failures:
        _fail(conn, summary, rejection.locator, rejection.stage, rejection.reason)
    queue = list(batch.units)
    seen = set(queue)
    total = len(queue)
    pool = None
    indexed_at = 0
    # let the write-ahead log grow during the run (no checkpoint inside each document's commit); one at the end
    ingest_store.hold_checkpoints(conn, INGEST_WAL_PAGES)
    pending = store.PendingBands()
    _flush(conn, pending)  # what an earlier, interrupted run committed but did not index
    try:
        while queue:
            hub = ingest_store.hub_location(conn) if extract_entities else None
            jobs = [(unit, limits, store.source_state(conn, unit) if is_url(unit) else None, hub)
                    for unit in queue]
            queue = []
            n_workers = workers if workers is not None else (os.cpu_count() or 1)
            if n_workers > 1 and len(jobs) >= 16:
                if pool is None:
                    pool = multiprocessing.get_context("fork").Pool(n_workers, initializer=_start_worker)
                results = pool.imap(read_unit, jobs, chunksize=8)
            else:
                results = map(read_unit, jobs)
            for result, docs in results:
                summary.units += 1
                ok_items = sum(1 for d, _ in docs if isinstance(d, NormalizedDoc))
                with transaction(conn):  # the source's record commits with its first item
                    source_id = store.upsert_source(conn, result, ok_items)
                    if result.status == "failed":
                        _fail(conn, summary, result.source, f"source/{result.kind}", result.error or "failed")
                    elif result.status == "not-modified":
                        summary.not_modified += 1
                    if docs:
                        _item(conn, summary, docs[0], source_id, pending)
                for ref in result.children:
                    try:
                        child = child_unit(result.source, ref, allow_local_files=allow_local_files)
                    except SourceError as exc:
                        _fail(conn, summary, ref, "source/opml", exc.reason)
                        continue
                    if child not in seen:
                        seen.add(child)
                        queue.append(child)
                        total += 1
                for doc in docs[1:]:
                    _item(conn, summary, doc, source_id, pending)
                if summary.added + summary.versions - indexed_at >= INDEX_BATCH:
                    _flush(conn, pending)
                    indexed_at = summary.added + summary.versions
                if progress:
                    progress(summary.units, total, result.source)
    finally:
        if pool is not None:
            pool.terminate()
        _flush(conn, pending)
        if summary.added + summary.versions >= 1000:
            fts.optimize(conn)
        ingest_store.checkpoint(conn)
        summary.seconds = time.perf_counter() - t0
        store.finish_run(conn, run_id, summary.as_dict())
        if own:
            conn.close()
    return summary


def store_result(conn, result: SourceResult, *, extract_entities: bool = True) -> IngestSummary:
    """Store what one source gave (read by the caller, e.g. a scheduler that fetched it itself) exactly as
    :func:`ingest` stores a unit: a run, the source's record, each item normalised, its entities extracted when the
    hub does not hold its content yet, one document per transaction. ``summary.documents`` lists the documents
    that arrived (added, new versions, identical content found at a new place)."""
    with _fewer_collections():
        t0 = time.perf_counter()
        run_id = store.start_run(conn, [result.source])
        summary = IngestSummary(run_id, units=1)
        docs: list[Analysed] = []
        for item in result.items:
            doc = item if isinstance(item, Rejection) else normalize(item)
            known = isinstance(doc, NormalizedDoc) and ingest_store.holds_content(conn, doc.content_hash)
            wanted = extract_entities and isinstance(doc, NormalizedDoc) and not known
            docs.append((doc, _extract(doc) if wanted else None))
        pending = store.PendingBands()
        ok_items = sum(1 for d, _ in docs if isinstance(d, NormalizedDoc))
        try:
            with transaction(conn):
                source_id = store.upsert_source(conn, replace(result, items=()), ok_items)
                if result.status == "failed":
                    _fail(conn, summary, result.source, f"source/{result.kind}", result.error or "failed")
                elif result.status == "not-modified":
                    summary.not_modified += 1
            for analysed in docs:
                _item(conn, summary, analysed, source_id, pending)
        finally:
            _flush(conn, pending)
            summary.seconds = time.perf_counter() - t0
            store.finish_run(conn, run_id, summary.as_dict())
    return summary


_collecting = threading.Lock()
_ingesting = 0  # ingests running in this process (the web hub may run two at once): the first sets, the last restores
_threshold: tuple[int, ...] = ()


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Collect cyclic garbage less often while ingesting (documents are freed by reference counting; the cycle
    collector's passes over everything already loaded cost 5-8 % of an ingest), and as before afterwards."""
    global _ingesting, _threshold
    with _collecting:
        if _ingesting == 0:
            _threshold = gc.get_threshold()
            gc.freeze()  # what is loaded already (modules, models) is not scanned again
            gc.set_threshold(*GC_THRESHOLD)
        _ingesting += 1
    try:
        yield
    finally:
        with _collecting:
            _ingesting -= 1
            if _ingesting == 0:
                gc.set_threshold(*_threshold)
                gc.unfreeze()


def _start_worker() -> None:
    os.nice(WORKER_NICENESS)
    gc.set_threshold(*GC_THRESHOLD)


Analysed = tuple[NormalizedDoc | Rejection, Extraction | Rejection | None]


def read_unit(job: tuple[str, Limits, FetchState | None, str | None]) -> tuple[SourceResult, list[Analysed]]:
    """Read one file or URL, normalise its items and extract the entities of content the hub does not hold yet
    (``job[3]`` is where the hub is, or ``None`` for no extraction). Writes nothing: runs in worker processes."""
    unit, limits, state, hub = job
    try:
        result = collect(unit, limits, state)
    except Exception as exc:  # an adapter bug must not lose the batch
        return SourceResult(unit, "file", "failed", error=f"{type(exc).__name__}: {exc}"), []
    out: list[Analysed] = []
    for item in result.items:
        doc = item if isinstance(item, Rejection) else normalize(item)
        wanted = hub and isinstance(doc, NormalizedDoc) and not _stored(hub, doc.content_hash)
        out.append((doc, _extract(doc) if wanted else None))
    return replace(result, items=()), out


_readers: dict[tuple[int, str], object] = {}  # per process: a connection never crosses a fork


def _stored(hub: str, content_hash: str) -> bool:
    """Whether the hub already holds this content (its entities were extracted when it was first stored)."""
    key = (os.getpid(), hub)
    reader = _readers.get(key)
    if reader is None:
        reader = _readers[key] = ingest_store.open_reader(hub)
    return ingest_store.holds_content(reader, content_hash)


def _extract(doc: NormalizedDoc) -> Extraction | Rejection:
    try:
        return extract(doc.text, doc=os.path.basename(doc.locator.split("#")[0]), language=doc.language)
    except Exception as exc:  # a bug in one stage must not lose the document
        return Rejection(doc.locator, "extract", f"{type(exc).__name__}: {exc}")


def _flush(conn, pending: store.PendingBands) -> None:
    """Write what ingest batches: the full-text index of new passages and the near-duplicate bands."""
    fts.index_pending(conn)
    store.flush_bands(conn, pending)


def _item(conn, summary: IngestSummary, analysed: Analysed, source_id: int,
          pending: store.PendingBands) -> None:
    doc, extraction = analysed
    summary.items += 1
    if isinstance(doc, Rejection):
        _fail(conn, summary, doc.locator, doc.stage, doc.reason)
        return
    with transaction(conn):  # the document and its entities: one transaction
        outcome, doc_id = store.save_document(conn, doc, source_id, index=False, pending=pending)
        if outcome in ("added", "version"):
            if isinstance(extraction, Rejection):
                _fail(conn, summary, extraction.locator, extraction.stage, extraction.reason)
            elif extraction is not None:
                entities.save_extraction(conn, doc_id, extraction)
    if outcome in ("added", "linked", "version"):
        summary.documents.append(doc_id)
    if outcome == "added":
        summary.added += 1
    elif outcome == "linked":
        summary.linked += 1
    elif outcome == "version":
        summary.versions += 1
    else:
        summary.unchanged += 1


def _fail(conn, summary: IngestSummary, locator: str, stage: str, reason: str) -> None:
    store.record_failure(conn, summary.run_id, locator, stage, reason)
    summary.failed.append({"locator": locator, "stage": stage, "reason": reason})
