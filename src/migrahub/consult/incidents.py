"""Safe incident reporting (stage ``consult/incidents@1``): an anonymous report of hate speech or discrimination
checked and reduced to what may be kept — kind, target group, city, country, the month of the incident, and the
description and evidence text with personal data redacted. Nothing identifying is kept: no IP address, no account,
no exact date or time of the report, no file (only its redacted text).

:class:`FloodGate` limits floods without storing addresses: each client address is turned into a keyed hash
(HMAC with a key drawn at random when the process starts and never written anywhere) kept in memory for a short
window; a global rate bounds what many addresses together can send.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from migrahub.consult.model import ConsultError
from migrahub.consult.redact import redact

STAGE = "consult/incidents@1"
MAX_DESCRIPTION = 10_000
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


@lru_cache(maxsize=1)
def vocabulary() -> dict:
    return yaml.safe_load((Path(__file__).with_name("data") / "incidents.yaml").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Incident:
    kind: str
    target_group: str
    city: str
    country: str
    month: str
    description: str
    evidence: str = ""
    stage: str = STAGE


def check(fields: dict, today: str, evidence_text: str = "") -> Incident:
    """An incident from form fields, redacted; :class:`ConsultError` naming every field in error."""
    vocab, errors = vocabulary(), []
    kind = str(fields.get("kind") or "").strip()
    if kind not in vocab["kinds"]:
        errors.append(f"kind: choose one of {', '.join(vocab['kinds'])}")
    group = str(fields.get("target_group") or "").strip()
    if group and group not in vocab["target_groups"]:
        errors.append(f"target_group: choose one of {', '.join(vocab['target_groups'])}")
    city = str(fields.get("city") or "").strip()[:120]
    country = str(fields.get("country") or "").strip()[:120]
    if not city and not country:
        errors.append("city: give the city (or at least the country) where it happened")
    month = ""
    m = MONTH_RE.match(str(fields.get("date") or "").strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        errors.append("date: give the month (YYYY-MM) or the day (YYYY-MM-DD) of the incident")
    else:
        month = f"{m.group(1)}-{m.group(2)}"
        if month > today[:7] or month < "1990-01":
            errors.append("date: the incident's month must be between 1990 and this month")
    description = str(fields.get("description") or "").replace("\x00", "").strip()
    if not description:
        errors.append("description: say what happened")
    elif len(description) > MAX_DESCRIPTION:
        errors.append(f"description: at most {MAX_DESCRIPTION} characters ({len(description)})")
    if errors:
        raise ConsultError("; ".join(errors))
    return Incident(kind, group, redact(city, kinds=("email", "phone", "address")).text, country, month,
                    redact(description).text, redact(evidence_text).text if evidence_text else "")


class FloodGate:
    """At most ``per_client`` reports per client in ``window`` seconds and ``overall`` reports in all per
    ``window``; clients are known only by a keyed hash kept in memory for the window."""

    def __init__(self, per_client: int = 3, overall: int = 60, window: float = 600.0) -> None:
        self.per_client, self.overall, self.window = per_client, overall, window
        self._key = secrets.token_bytes(32)
        self._clients: dict[bytes, deque] = {}
        self._all: deque = deque()
        self._lock = threading.Lock()

    def _digest(self, client: str) -> bytes:
        return hmac.new(self._key, client.encode(), hashlib.sha256).digest()[:16]

    def allow(self, client: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._expire(now)
            seen = self._clients.setdefault(self._digest(client), deque())
            if len(seen) >= self.per_client or len(self._all) >= self.overall:
                return False
            seen.append(now)
            self._all.append(now)
            return True

    def _expire(self, now: float) -> None:
        while self._all and now - self._all[0] > self.window:
            self._all.popleft()
        for digest in [d for d, q in self._clients.items() if not q or now - q[-1] > self.window]:
            del self._clients[digest]
        for q in self._clients.values():
            while q and now - q[0] > self.window:
                q.popleft()

    def remembered(self) -> int:
        """How many client hashes are held now (for tests and the documentation's claim)."""
        return len(self._clients)
