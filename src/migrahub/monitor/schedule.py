"""Stage ``schedule/1``: when a watched source is polled next, from what its last poll gave.

- A source is polled at most every ``interval_s`` (the interval asked for) and, while it keeps bringing new items,
  more often: each poll with new items halves the current interval, down to a quarter of the asked one (never under
  :data:`MIN_INTERVAL`); a quiet poll (nothing new, or 304 Not Modified) doubles it back, up to the asked interval.
- ``Cache-Control: max-age`` longer than the interval is honoured (the next poll waits for it, up to
  :data:`MAX_DELAY`).
- An error backs off: the interval doubles with each consecutive failure (up to :data:`MAX_DELAY`); a 429 or 503 with
  ``Retry-After`` waits exactly that long (up to :data:`MAX_DELAY`). After :data:`FAILING_AFTER` consecutive
  failures the source is ``failing``; the first success makes it ``ok`` again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

STAGE = "schedule/1"
MIN_INTERVAL = 60
MAX_DELAY = 24 * 3600
FAILING_AFTER = 3
Outcome = Literal["ok", "not-modified", "failed"]
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$", re.IGNORECASE)
_UNIT = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


@dataclass(frozen=True)
class WatchState:
    interval_s: int
    current_s: int
    consecutive_failures: int = 0
    status: str = "new"


@dataclass(frozen=True)
class Poll:
    """What one poll gave: its outcome, how many new items, and the server's timing headers (seconds)."""

    outcome: Outcome
    new_items: int = 0
    retry_after: float | None = None
    max_age: float | None = None


@dataclass(frozen=True)
class Decision:
    next_due: float
    current_s: int
    consecutive_failures: int
    status: str


def parse_interval(text: str) -> int:
    """``"1h"``, ``"30m"``, ``"90s"``, ``"2d"``, ``"1w"`` or a number of seconds → seconds (at least
    :data:`MIN_INTERVAL`). Raises ValueError naming the value."""
    m = _DURATION.match(str(text))
    if not m:
        raise ValueError(f"interval {text!r}: expected a number with an optional unit s, m, h, d or w (e.g. 1h)")
    seconds = int(float(m.group(1)) * _UNIT[m.group(2).lower()])
    if seconds < MIN_INTERVAL:
        raise ValueError(f"interval {text!r}: at least {MIN_INTERVAL} seconds")
    return seconds


def floor_interval(interval_s: int) -> int:
    return max(MIN_INTERVAL, min(interval_s, interval_s // 4))


def decide(state: WatchState, poll: Poll, now: float) -> Decision:
    """The next poll time and the watch's new state after ``poll`` ended at ``now``."""
    if poll.outcome == "failed":
        failures = state.consecutive_failures + 1
        if poll.retry_after is not None:
            delay = min(MAX_DELAY, max(0.0, poll.retry_after))
        else:
            delay = min(MAX_DELAY, state.current_s * 2 ** failures)
        status = "failing" if failures >= FAILING_AFTER else (state.status if state.status != "new" else "new")
        return Decision(now + delay, state.current_s, failures, status)
    if poll.new_items > 0:
        current = max(floor_interval(state.interval_s), state.current_s // 2)
    else:
        current = min(state.interval_s, state.current_s * 2)
    delay = float(current)
    if poll.max_age is not None and poll.max_age > delay:
        delay = min(float(MAX_DELAY), poll.max_age)
    return Decision(now + delay, current, 0, "ok")


def max_age(cache_control: str | None) -> float | None:
    """The ``max-age`` of a Cache-Control header in seconds (``no-cache``/``no-store`` count as 0)."""
    if not cache_control:
        return None
    found = None
    for part in cache_control.lower().split(","):
        name, _, value = part.strip().partition("=")
        if name in ("no-cache", "no-store"):
            return 0.0
        if name in ("max-age", "s-maxage") and value.strip().strip('"').isdigit():
            found = float(value.strip().strip('"'))
    return found
