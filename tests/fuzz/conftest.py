"""Fuzz profiles, the bounds every example keeps, and the figures printed after the run (see README.md)."""

from __future__ import annotations

import json
import os
import resource
import time
from pathlib import Path

import pytest
from fuzz_support import FIGURES, PROFILE_ENV, PROFILES, SENTINEL, SENTINEL_TOKEN, end_test, profile_name, start_test
from hypothesis import settings

HERE = Path(__file__).resolve().parent
CEILING_GB = 4  # address space for data a fuzz module may add before allocations fail (a safety net, not the bound)

for _name, _values in PROFILES.items():
    settings.register_profile(f"migrahub-{_name}", deadline=None, print_blob=True, **_values)
if profile_name() not in PROFILES:
    raise pytest.UsageError(f"{PROFILE_ENV}={profile_name()!r}: choose one of {', '.join(PROFILES)}")


def _ours(item: pytest.Item) -> bool:
    return HERE in Path(str(item.path)).resolve().parents


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _ours(item):
            # warnings are errors here, Hypothesis' included; but the report of a failing example as large as the
            # inputs of these tests (Hypothesis warns when it prints more than 30 kB) is the failure, not a second one
            item.add_marker(pytest.mark.filterwarnings(
                "error", "ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning"))


@pytest.fixture(scope="session", autouse=True)
def sentinel_file():
    """A file that hostile inputs name (external entities, OPML outlines, REFI-QDA paths): no parser may read it."""
    SENTINEL.write_text(f"{SENTINEL_TOKEN}\n", encoding="utf-8")
    yield SENTINEL
    SENTINEL.unlink(missing_ok=True)


@pytest.fixture(scope="session", autouse=True)
def warm_up():
    """Load what the adapters load on first use (language models, parsers' tables) before any example is measured,
    so that an example's memory and time are its own."""
    from fuzz_samples import ATOM, HTML, MARKDOWN, OPML, RSS20, docx_bytes, pdf_bytes

    from migrahub.pipeline.language import detect_language
    from migrahub.sources import Limits
    from migrahub.sources.collect import read_bytes

    detect_language("Zürich Genève Bruxelles Malmö Gent 2024 — 12/03", hint=None)
    for ext, data in ((".rss", RSS20), (".atom", ATOM), (".opml", OPML), (".html", HTML.encode()),
                      (".md", MARKDOWN.encode()), (".docx", docx_bytes()), (".pdf", pdf_bytes())):
        read_bytes(data, f"/warm{ext}", ext, Limits())


@pytest.fixture(scope="module", autouse=True)
def memory_ceiling():
    """Allocations past the process's data size plus CEILING_GB fail with MemoryError instead of exhausting the
    machine; :func:`fuzz_support.bounded` turns that into a failed example. Restored after each module."""
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    data_kb = 0
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmData:"):
                data_kb = int(line.split()[1])
    ceiling = data_kb * 1024 + CEILING_GB * 1024**3
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (ceiling, hard))
    yield
    resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))


@pytest.fixture(autouse=True)
def figures(request):
    start_test(request.node.nodeid)
    start = time.monotonic()
    yield
    end_test(request.node.nodeid, time.monotonic() - start)


def pytest_terminal_summary(terminalreporter) -> None:
    if not FIGURES:
        return
    rows = sorted(FIGURES.items())
    tr = terminalreporter
    tr.section(f"fuzz figures (profile {profile_name()!r})")
    tr.write_line(f"{'target':<74} {'examples':>8} {'seconds':>8} {'CPU s':>7} {'slowest':>8} {'peak MB':>8}")
    for nodeid, f in rows:
        tr.write_line(f"{nodeid.split('tests/fuzz/')[-1]:<74} {f.examples:>8} {f.wall:>8.1f} {f.cpu:>7.1f} "
                      f"{f.slowest:>8.2f} {f.peak_mb:>8.0f}")
    tr.write_line(f"{'total':<74} {sum(f.examples for _, f in rows):>8} {sum(f.wall for _, f in rows):>8.1f} "
                  f"{sum(f.cpu for _, f in rows):>7.1f}")
    out = os.environ.get("MIGRAHUB_FUZZ_REPORT")
    if out:
        Path(out).write_text(json.dumps({k: vars(v) for k, v in rows}, indent=1), encoding="utf-8")
