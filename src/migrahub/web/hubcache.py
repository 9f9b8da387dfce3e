"""Computed parts of pages (browse counts, statistics, the network, a record's charts) cached per web process under
a key that holds the hub's state, so that what any process changes is seen at once by every other one.

The state is the ``hub_state`` table: its counters move when an ingest indexes new passages or writes near-duplicate
bands, and whenever an entity record is renamed, merged, split or edited (a trigger), from the CLI, the API, the
admin or another server process. The time limit only bounds how long an unused entry stays in memory.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache

from migrahub.store.database import hub_state

T = TypeVar("T")


def cached(conn: sqlite3.Connection, name: str, parts: tuple, compute: Callable[[], T], seconds: int) -> T:
    """``compute()``'s value for this hub, this state of the hub and these ``parts``, computed once per process."""
    raw = "|".join([str(settings.MIGRAHUB_DB), hub_state(conn), *map(repr, parts)])
    key = f"{name}:{hashlib.sha1(raw.encode()).hexdigest()}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, seconds)
    return found
