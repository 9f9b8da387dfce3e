"""API routes of the connect feature, authenticated like the rest of the API."""

from __future__ import annotations

from collections.abc import Callable

from ninja import Router


def router(read_auth: list, write_auth: list, require: Callable) -> Router:
    """The connect routes (``require(request, perm)`` raises 401/403)."""
    return Router(tags=["connect"])
