"""The one exception adapters raise for bad input; :func:`migrahub.sources.collect` turns it into a failure."""

from __future__ import annotations


class SourceError(Exception):
    """A source could not be read. ``reason`` is short, human and names what failed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
