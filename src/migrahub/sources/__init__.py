"""Source adapters: the IO edge where files, feeds and web pages become :class:`~migrahub.model.Extracted` items.

Public contract used by the ingest service:

- :func:`plan` turns the user's targets (paths, directories, URLs) into units of work, one per file or URL, and
  failures for what cannot be listed (an unreadable folder, a name that is not UTF-8).
- :func:`collect` reads one unit and returns a :class:`SourceResult` with its items (or rejections) and, for OPML
  lists, the entries it names; :func:`child_unit` says which of those may be read (http(s) URLs; local files only
  from a local list where local files were asked for).
- Every fetch goes through the egress policy of :mod:`migrahub.sources.egress`.

Nothing here writes to the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from migrahub.model import Extracted, Rejection

USER_AGENT = "MigraHub/0.1 (open knowledge-exchange hub for local migration governance)"


@dataclass(frozen=True)
class Limits:
    """Bounds on what one source may cost."""

    max_bytes: int = 50 * 1024 * 1024  # raw size of a file or HTTP body
    max_unpacked_bytes: int = 200 * 1024 * 1024  # total uncompressed size of a DOCX (zip) archive
    timeout: float = 20.0  # seconds, connect and read
    max_redirects: int = 5
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class FetchState:
    """What the store remembers about a URL source, for conditional GET."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class SourceResult:
    """The outcome of reading one unit (a file or a URL)."""

    source: str
    kind: Literal["file", "feed", "page", "opml"]
    status: Literal["ok", "not-modified", "failed"]
    items: tuple[Extracted | Rejection, ...] = ()
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    children: tuple[str, ...] = field(default=())  # feed locators listed by an OPML file


# The adapters import the records above, so they come last.
from migrahub.sources.collect import child_unit, collect, expand, plan  # noqa: E402

__all__ = ["USER_AGENT", "FetchState", "Limits", "SourceResult", "child_unit", "collect", "expand", "plan"]
