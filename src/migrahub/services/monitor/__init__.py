"""Services of the monitor feature, called by the CLI, the web pages, the API and the scheduler: watched sources
(``watch``), stories across feeds and languages (``stories``), saved searches and their delivery (``alerts``,
``mail``) and outbound Atom feeds (``feeds``)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def opened(db: str | os.PathLike | None) -> Iterator[sqlite3.Connection]:
    """A connection to the hub at ``db`` (migrated on open), closed afterwards: what the command line passes to the
    monitor services."""
    from migrahub.store.database import connect

    conn = connect(db)
    try:
        yield conn
    finally:
        conn.close()
