"""The hub's settings: every ``MIGRAHUB_*`` environment variable, parsed and checked here and read nowhere else.

``web/SETTINGS.md`` (and the guide of a feature, e.g. docs/jobs.md) says what each one means; tests/test_documented.py
fails when the table below and the documentation disagree. A value that cannot be read stops with
:class:`SettingError` naming the variable, the value and what it should be, never a silent default.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["SETTINGS", "SettingError", "check", "get"]


class SettingError(ValueError):
    """A setting's value cannot be read (the message names the variable and the reason)."""


_ON, _OFF = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _flag(raw: str) -> bool:
    if raw.lower() in _ON:
        return True
    if raw.lower() in _OFF:
        return False
    raise ValueError("expected on or off (1/0, true/false, yes/no)")


def _whole(raw: str) -> int:
    if not raw.isdigit():
        raise ValueError("expected a whole number, 0 or more")
    return int(raw)


def _positive(raw: str) -> int:
    if not raw.isdigit() or int(raw) == 0:
        raise ValueError("expected a whole number, 1 or more")
    return int(raw)


def _number(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ValueError("expected a number") from None
    if not value >= 0 or value == float("inf"):
        raise ValueError("expected a number, 0 or more")
    return value


def _items(raw: str) -> tuple[str, ...]:
    """Comma-separated items."""
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def _paths(raw: str) -> tuple[str, ...]:
    """Paths separated like PATH (``:``; ``;`` on Windows)."""
    return tuple(p.strip() for p in raw.split(os.pathsep) if p.strip())


def _text(raw: str) -> str:
    return raw


@dataclass(frozen=True)
class Setting:
    read: Callable[[str], Any]
    default: Any


SETTINGS: dict[str, Setting] = {
    # the hub (store, CLI, web)
    "MIGRAHUB_DB": Setting(_text, None),  # None: store.database.DEFAULT_DB
    "MIGRAHUB_PASSWORD": Setting(_text, None),
    "MIGRAHUB_DB_PREPARED": Setting(_flag, True),  # PostgreSQL: statements run again are prepared (store/postgres.py)
    # the web hub (web/settings.py)
    "MIGRAHUB_SECRET_KEY": Setting(_text, None),
    "MIGRAHUB_DEBUG": Setting(_flag, False),
    "MIGRAHUB_ALLOWED_HOSTS": Setting(_items, ("127.0.0.1", "localhost", "[::1]")),
    "MIGRAHUB_CSRF_TRUSTED_ORIGINS": Setting(_items, ()),
    "MIGRAHUB_ANONYMOUS_READ": Setting(_flag, True),
    "MIGRAHUB_HTTPS": Setting(_flag, False),
    "MIGRAHUB_HSTS_SECONDS": Setting(_whole, 0),
    "MIGRAHUB_UPLOAD_DIR": Setting(_text, None),  # None: beside the hub (web/settings.py)
    "MIGRAHUB_UPLOAD_MAX_BYTES": Setting(_positive, 50 * 1024 * 1024),
    "MIGRAHUB_STATIC_ROOT": Setting(_text, None),
    "MIGRAHUB_LOGIN_MAX_FAILURES": Setting(_positive, 5),
    "MIGRAHUB_LOGIN_MAX_CLIENT_FAILURES": Setting(_positive, 20),
    "MIGRAHUB_LOGIN_LOCK_MINUTES": Setting(_positive, 15),
    "MIGRAHUB_TRUSTED_PROXIES": Setting(_items, ()),
    "MIGRAHUB_BASE_URL": Setting(_text, "http://127.0.0.1:8000"),
    # outgoing mail
    "MIGRAHUB_SMTP_HOST": Setting(_text, "localhost"),
    "MIGRAHUB_SMTP_PORT": Setting(_positive, 25),
    "MIGRAHUB_SMTP_USER": Setting(_text, ""),
    "MIGRAHUB_SMTP_PASSWORD": Setting(_text, ""),
    "MIGRAHUB_SMTP_STARTTLS": Setting(_flag, False),
    "MIGRAHUB_SMTP_TLS": Setting(_flag, False),
    "MIGRAHUB_MAIL_FROM": Setting(_text, "MigraHub <migrahub@localhost>"),
    # fetching and reading sources
    "MIGRAHUB_EGRESS_ALLOW_HOSTS": Setting(_text, ""),  # parsed by sources/egress.py: names, addresses, networks
    "MIGRAHUB_HTML_EXTRACTOR": Setting(str.lower, "fast"),
    # understanding documents
    "MIGRAHUB_EXTRACT_MAX_CHARS": Setting(_positive, None),  # None: extract/budget.py's default
    "MIGRAHUB_EXTRACT_SECONDS": Setting(_number, None),
    "MIGRAHUB_EXTRACT_MODELS": Setting(_flag, True),
    "MIGRAHUB_REGISTRY": Setting(_paths, ()),
    "MIGRAHUB_CODING_EMBEDDINGS": Setting(_flag, True),
    "MIGRAHUB_SEARCH_TERMS": Setting(_text, ""),  # parsed by services/synonyms.py
    # background jobs (docs/jobs.md)
    "MIGRAHUB_JOBS_ATTEMPTS": Setting(_positive, None),  # None: jobs.Policy's defaults
    "MIGRAHUB_JOBS_BACKOFF": Setting(_number, None),
    "MIGRAHUB_JOBS_BACKOFF_MAX": Setting(_number, None),
    "MIGRAHUB_JOBS_LEASE": Setting(_number, None),
    # consultations (docs/consult.md)
    "MIGRAHUB_CONSULT_REDACT": Setting(_items, None),  # None: every kind consult/redact.py knows
    "MIGRAHUB_CONSULT_INCIDENT_MIN_COUNT": Setting(_positive, 1),
    "MIGRAHUB_CONSULT_INCIDENT_PER_CLIENT": Setting(_positive, 3),
    "MIGRAHUB_CONSULT_INCIDENT_PER_WINDOW": Setting(_positive, 60),
}


def get(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """The value of the setting ``name`` from the environment (or ``environ``), read by its kind; its default when
    unset or blank. Raises :class:`SettingError` for a value that cannot be read, and ``KeyError`` for a name that is
    not in the table (every setting is declared here)."""
    setting = SETTINGS[name]
    raw = (os.environ if environ is None else environ).get(name, "").strip()
    if not raw:
        return setting.default
    try:
        return setting.read(raw)
    except ValueError as exc:
        raise SettingError(f"{name}={raw!r}: {exc}") from None


def check(environ: Mapping[str, str] | None = None) -> None:
    """Read every setting once, so that a value that cannot be read stops a command or the web hub at start (every
    such value named in one :class:`SettingError`) rather than in the middle of its work."""
    problems = []
    for name in SETTINGS:
        try:
            get(name, environ)
        except SettingError as exc:
            problems.append(str(exc))
    if problems:
        raise SettingError("; ".join(problems))
