"""Stages that run on each newly stored document during ingest (entity extraction, auto-coding, ...).

An enricher is ``fn(conn, document_id, doc) -> list[Rejection]``: it writes its records in its own transaction and
returns the rejections it met (an empty list on success). Areas register theirs in :data:`ENRICHERS`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from migrahub.model import NormalizedDoc, Rejection

Enricher = Callable[[sqlite3.Connection, int, NormalizedDoc], list[Rejection]]
ENRICHERS: list[Enricher] = []


def run_all(conn: sqlite3.Connection, document_id: int, doc: NormalizedDoc) -> list[Rejection]:
    """Run every registered enricher; one that raises becomes a rejection, never an aborted batch."""
    rejections: list[Rejection] = []
    for enricher in ENRICHERS:
        try:
            rejections.extend(enricher(conn, document_id, doc))
        except Exception as exc:  # a bug in one stage must not lose the batch
            name = getattr(enricher, "__name__", "enricher")
            rejections.append(Rejection(doc.locator, name, f"{type(exc).__name__}: {exc}"))
    return rejections
