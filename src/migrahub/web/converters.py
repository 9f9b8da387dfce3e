"""URL converters."""

from __future__ import annotations

import re

_ESCAPED = re.compile("%(2F|2E|25)")
_CHARS = {"2F": "/", "2E": ".", "25": "%"}


class NameSegment:
    """A name (codebook, code id) as one path segment, whatever it holds: ``/`` travels as ``%2F``, ``%`` as ``%25``
    and a name made only of dots has them escaped, so ``lmg/2024`` or ``..`` from an older hub still has a page.

    Django percent-encodes the ``%`` of :meth:`to_url` once more when it reverses a URL, and the server decodes
    the path once before routing, so :meth:`to_python` sees exactly what :meth:`to_url` wrote.
    """

    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        return _ESCAPED.sub(lambda m: _CHARS[m.group(1)], value)

    def to_url(self, value: str) -> str:
        escaped = str(value).replace("%", "%25").replace("/", "%2F")
        if escaped.strip(".") == "":
            escaped = escaped.replace(".", "%2E")
        return escaped
