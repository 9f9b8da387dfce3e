"""What every fuzz target shares: the budget (a Hypothesis profile chosen by ``MIGRAHUB_FUZZ``), the bounds each
example must keep (wall-clock time, peak memory, no network, no forbidden file opened) and the figures reported.

Each target runs its whole example inside :func:`bounded`, which

* interrupts the example after :data:`SECONDS` of CPU time (``SIGPROF``) or :data:`WALL_FACTOR` times that of
  wall-clock time (``SIGALRM``, for what waits without computing), with an exception that the code under test cannot
  swallow with ``except Exception``, and fails it with the time taken. CPU time is the bound that counts: on a
  machine shared with other work, wall-clock time says more about the neighbours than about the parser;
* measures the example's peak resident memory above what the process held before it (``VmHWM`` reset through
  ``/proc/self/clear_refs``) and fails it over :data:`MEMORY_MB`;
* fails it when it opened a socket or one of the :data:`FORBIDDEN` files (``/etc/passwd`` and the like, and the
  sentinel file that hostile inputs name), seen through a Python audit hook;
* counts the example and its time for the summary printed at the end of the run.
"""

from __future__ import annotations

import faulthandler
import os
import signal
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from hypothesis import Phase, settings

PROFILE_ENV = "MIGRAHUB_FUZZ"
PROFILES = {
    # CI: the same examples on every run (derandomized), small enough that tests/fuzz runs in about a minute
    # (and no shrinking: a failure prints its example and a blob that @reproduce_failure replays)
    "ci": {"max_examples": 30, "derandomize": True, "database": None,
           "phases": (Phase.explicit, Phase.reuse, Phase.generate)},
    # on demand: random examples, kept in the example database (.hypothesis/) so that a failure replays
    "long": {"max_examples": 300},
}
SECONDS = float(os.environ.get("MIGRAHUB_FUZZ_SECONDS", "20"))  # CPU per example, generous: real inputs take < 1 s
WALL_FACTOR = 3  # wall-clock bound = 3 x the CPU bound
MEMORY_MB = float(os.environ.get("MIGRAHUB_FUZZ_MEMORY_MB", "300"))  # peak growth per example

SENTINEL_TOKEN = "MIGRAHUB-FUZZ-SENTINEL-4b1d"
SENTINEL = Path(tempfile.gettempdir()) / f"migrahub-fuzz-sentinel-{os.getuid()}.txt"
FORBIDDEN = frozenset({"/etc/passwd", "/etc/shadow", "/etc/hostname", "/etc/hosts", str(SENTINEL)})


def profile_name() -> str:
    return os.environ.get(PROFILE_ENV, "ci").strip().lower() or "ci"


def fuzz(weight: float = 1.0, **overrides) -> settings:
    """The settings of one target: the active profile, with ``weight`` times its number of examples (expensive
    targets run fewer, cheap ones more)."""
    base = settings.get_profile(f"migrahub-{profile_name()}")
    return settings(base, max_examples=max(1, round(base.max_examples * weight)), **overrides)


# -- figures ------------------------------------------------------------------------------------------------------

@dataclass
class Figures:
    examples: int = 0
    seconds: float = 0.0  # wall-clock time inside the examples
    cpu: float = 0.0  # CPU time inside the examples
    slowest: float = 0.0  # wall-clock time of the slowest example
    peak_mb: float = 0.0
    wall: float = 0.0  # the whole test, generation and shrinking included


FIGURES: dict[str, Figures] = {}
_current: list[str] = [""]


def start_test(nodeid: str) -> None:
    _current[0] = nodeid
    FIGURES.setdefault(nodeid, Figures())


def end_test(nodeid: str, wall: float) -> None:
    FIGURES.setdefault(nodeid, Figures()).wall += wall
    _current[0] = ""


# -- bounds -------------------------------------------------------------------------------------------------------

class _OutOfTime(BaseException):
    """Raised by the alarm: a BaseException, so ``except Exception`` in the code under test lets it through."""


_watch: list[list[str] | None] = [None]


def _audit(event: str, args: tuple) -> None:
    seen = _watch[0]
    if seen is None:
        return
    if event == "open" and args and isinstance(args[0], str | bytes):
        path = os.fsdecode(args[0])
        if os.path.realpath(path) in FORBIDDEN or path in FORBIDDEN:
            seen.append(f"opened {path}")
    elif event in ("socket.connect", "socket.getaddrinfo", "urllib.Request"):
        seen.append(f"{event} {args[:2]!r}")


sys.addaudithook(_audit)


def _rss_kb(field: str) -> int:
    with open("/proc/self/status", "rb") as fh:
        for line in fh:
            if line.startswith(field.encode()):
                return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _on_timer(signum, frame):
    raise _OutOfTime()


@contextmanager
def bounded(what: str, seconds: float = SECONDS, memory_mb: float = MEMORY_MB):
    """Run one example of ``what`` within ``seconds`` of CPU time (``WALL_FACTOR`` times that of wall-clock time)
    and ``memory_mb`` of peak memory growth, without network or forbidden files."""
    figures = FIGURES.setdefault(_current[0], Figures())
    wall = WALL_FACTOR * seconds
    before = _rss_kb("VmRSS:")
    exact_peak = _reset_peak()
    seen: list[str] = []
    old = {sig: signal.signal(sig, _on_timer) for sig in (signal.SIGALRM, signal.SIGPROF)}
    signal.setitimer(signal.ITIMER_PROF, seconds)
    signal.setitimer(signal.ITIMER_REAL, wall)
    faulthandler.dump_traceback_later(2 * wall + 30, exit=True)  # a hang in C code that ignores signals
    _watch[0] = seen
    start, cpu_start = time.monotonic(), time.process_time()
    try:
        yield
    except _OutOfTime:
        raise AssertionError(f"{what}: stopped after {time.process_time() - cpu_start:.1f} s of CPU and "
                             f"{time.monotonic() - start:.1f} s of wall-clock time (bounds {seconds:g} s and "
                             f"{wall:g} s per example)") from None
    except MemoryError:
        raise AssertionError(f"{what}: MemoryError (the fuzz run's memory ceiling was reached)") from None
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        elapsed, cpu = time.monotonic() - start, time.process_time() - cpu_start
        _watch[0] = None
        for sig, handler in old.items():
            signal.signal(sig, handler)
        faulthandler.cancel_dump_traceback_later()
        figures.examples += 1
        figures.seconds += elapsed
        figures.cpu += cpu
        figures.slowest = max(figures.slowest, elapsed)
    peak_mb = (_rss_kb("VmHWM:") - before) / 1024 if exact_peak else 0.0
    figures.peak_mb = max(figures.peak_mb, peak_mb)
    assert not seen, f"{what}: touched what no parser may touch: {seen}"
    assert cpu <= seconds, f"{what}: took {cpu:.1f} s of CPU (bound {seconds:g} s per example)"
    assert elapsed <= wall, f"{what}: took {elapsed:.1f} s of wall-clock time (bound {wall:g} s per example)"
    assert peak_mb <= memory_mb, f"{what}: peak memory grew by {peak_mb:.0f} MB (bound {memory_mb:g} MB)"


def raises_only(call, *allowed: type[BaseException]):
    """``call()``'s result, or the exception it raised when that is one of ``allowed`` (with a message); any other
    exception propagates and fails the example."""
    try:
        return call()
    except allowed as exc:
        assert str(exc).strip(), f"{type(exc).__name__} without a message"
        return exc
