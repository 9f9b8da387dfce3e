"""What an ingest asks of the store beyond storing documents: whether the hub holds a content already, a read-only
connection for the worker processes, and the write-ahead log's checkpoints held back during a run."""

from __future__ import annotations

from migrahub.store import database
from migrahub.store.database import backend, connect

DEFAULT_CHECKPOINT_PAGES = 1000  # SQLite's own threshold, restored after a run


def holds_content(conn, content_hash: str) -> bool:
    """Whether the hub already holds a document with this content (sha256 of its text)."""
    return conn.execute("SELECT 1 FROM documents WHERE content_hash = ?", (content_hash,)).fetchone() is not None


def hub_location(conn) -> str:
    """Where another process opens the hub this connection reads (:func:`open_reader` takes it): its file, or its
    PostgreSQL URL."""
    return database.locator(conn)


def open_reader(location: str):
    """A read-only connection to the hub at ``location`` (what :func:`hub_location` gave), for a worker process
    that checks what the hub holds. It never writes, migrates or waits for the writer."""
    return connect(location, readonly=True)


def hold_checkpoints(conn, pages: int) -> None:
    """Let the write-ahead log grow to ``pages`` pages before it is written back into the database, so that no
    document's commit inside an ingest pays for a checkpoint. Nothing to do on PostgreSQL."""
    if backend(conn) == "sqlite":
        conn.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")


def checkpoint(conn) -> None:
    """After an ingest: SQLite's own checkpoint threshold again, and a checkpoint now of what readers do not hold
    (it does not wait for them). Nothing to do on PostgreSQL."""
    if backend(conn) == "sqlite":
        conn.execute(f"PRAGMA wal_autocheckpoint = {DEFAULT_CHECKPOINT_PAGES}")
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
