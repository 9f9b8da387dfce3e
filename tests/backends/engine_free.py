"""Tests marked ``engine_free`` open no hub, so they run once: on the SQLite pass only.

The PostgreSQL pass (``--backend postgresql``) deselects them; their outcome cannot depend on the database engine.
On the SQLite pass a guard proves the mark true: for the whole of an ``engine_free`` test (its setup, call and
teardown, and every fixture it uses, even one a test before it set up) nothing may open a hub's database, and the
test fails naming itself and what it opened. Openers watched (tests/backends/engine_free_watch.py):
``migrahub.store.database.connect`` (and the two engine-specific openers it calls, which also catch modules that
imported ``connect`` by name), ``sqlite3.connect`` (Django's SQLite backend included), ``psycopg.connect`` (and the
pools', through ``psycopg.Connection.connect``), and the start of a ``migrahub`` process. A Python process the test
starts (an evaluation script, say) is watched too, with its own children: it reports each opening to the test through
a log file, since on the PostgreSQL pass such a process would map hub paths to schemas (``site/sitecustomize.py``).

``--engine-free-report`` runs the same watch without failing anything and prints, per test module, how many tests
opened a hub and the summed time of its tests: the modules whose every test opened nothing are the candidates for
``pytestmark = pytest.mark.engine_free``.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path

import pytest

from tests.backends.engine_free_watch import restore, watch

MARK = "engine_free"
REPORT_OPTION = "--engine-free-report"


class EngineOpened(AssertionError):
    """Raised where an ``engine_free`` test opens a hub (the guard also fails the test if code swallows it)."""


def add_option(parser) -> None:
    parser.addoption(REPORT_OPTION, action="store_true",
                     help="list per test module whether its tests open a hub (candidates for the engine_free mark); "
                          "SQLite pass only, fails nothing")


def configure(config) -> None:
    config.addinivalue_line("markers", f"{MARK}: opens no hub (no database, no migrahub process): runs on the SQLite "
                                       "pass only, where a guard fails it if it opens one; deselected with "
                                       "--backend postgresql")
    plugin = Deselect() if config.getoption("--backend") == "postgresql" else Guard(config.getoption(REPORT_OPTION))
    config.pluginmanager.register(plugin, "migrahub-engine-free")


class Deselect:
    """The PostgreSQL pass: ``engine_free`` tests already ran on the SQLite pass; the summary counts them."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config, items):
        dropped = [item for item in items if item.get_closest_marker(MARK)]
        if dropped:
            items[:] = [item for item in items if not item.get_closest_marker(MARK)]
            config.hook.pytest_deselected(items=dropped)


class Guard:
    """The SQLite pass: watch every opener for the whole session; fail ``engine_free`` tests that reach one."""

    def __init__(self, report: bool):
        self.report = report
        self.stack: list[tuple[str, object]] = []  # ("item", item) at the bottom, ("fixture", fixturedef) above
        self.item_opened: list[str] = []
        self.reported = 0
        # (baseid, argname) -> (what it opened, the test it was set up for)
        self.fixture_opened: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
        self.numbers = itertools.count()
        self.modules: dict[str, dict] = defaultdict(lambda: {"tests": set(), "opened": set(), "seconds": 0.0,
                                                               "marked": False})
        self.originals: list[tuple[object, str, object]] = []

    # -- the openers -------------------------------------------------------------------------------------------
    def pytest_configure(self, config):
        self.logs = Path(tempfile.mkdtemp(prefix="migrahub-engine-free-"))
        self.originals = watch(self.opened, self.child_log)

    def pytest_unconfigure(self, config):
        restore(self.originals)
        shutil.rmtree(self.logs, ignore_errors=True)

    def child_log(self) -> str | None:
        """The log file of the test running now, for a Python process it starts, when that process is to be
        watched: every process of a marked test (and of every test, for the report)."""
        if not self.stack or not (self.report or self.stack[0][1].get_closest_marker(MARK)):
            return None
        return str(self.log)

    def opened(self, what: str) -> None:
        __tracebackhide__ = True
        if not self.stack:
            return
        kind, node = self.stack[-1]
        item = self.stack[0][1]
        if kind == "fixture":
            self.fixture_opened[(node.baseid, node.argname)].append((what, item.nodeid))
        self.item_opened.append(what if kind == "item" else f"{what} (in fixture {node.argname!r})")
        if not self.report and item.get_closest_marker(MARK):
            raise EngineOpened(f"{item.nodeid} is marked {MARK} but opened a hub: {what}")

    # -- the tests ---------------------------------------------------------------------------------------------
    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        self.stack, self.item_opened, self.reported = [("item", item)], [], 0
        self.log = self.logs / f"{next(self.numbers)}.log"
        try:
            return (yield)
        finally:
            self._record(item)
            self.stack = []

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef, request):
        self.stack.append(("fixture", fixturedef))
        try:
            return (yield)
        finally:
            self.stack.pop()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item):
        return (yield from self._phase(item))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item):
        return (yield from self._phase(item))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item, nextitem):
        return (yield from self._phase(item))

    def _phase(self, item):
        """One phase of a test; after it, fail a marked test for what it opened (and say each opening once)."""
        try:
            result = yield
        except EngineOpened:
            self.reported = len(self._openings(item))
            raise
        self._check(item)
        return result

    def _fixtures_opened(self, item) -> list[str]:
        """What the fixtures this test uses opened when they were set up for a test before it (what they opened for
        this one is in ``item_opened``)."""
        found = []
        for (baseid, argname), opened in self.fixture_opened.items():
            if argname in item.fixturenames and item.nodeid.startswith(baseid):
                found += [f"{what} (in fixture {argname!r}, set up for {nodeid})" for what, nodeid in opened
                          if nodeid != item.nodeid]
        return found

    def _openings(self, item) -> list[str]:
        children = self.log.read_text(encoding="utf-8").splitlines() if self.log.exists() else []
        return list(dict.fromkeys(self.item_opened + children + self._fixtures_opened(item)))

    def _check(self, item) -> None:
        if self.report or not item.get_closest_marker(MARK):
            return
        opened = self._openings(item)
        if len(opened) > self.reported:
            self.reported = len(opened)
            pytest.fail(f"{item.nodeid} is marked {MARK} (runs on the SQLite pass only) but opened a hub:\n  "
                        + "\n  ".join(opened) + f"\nremove the {MARK} mark from it or stop it opening a hub",
                        pytrace=False)

    def _record(self, item) -> None:
        module = self.modules[item.nodeid.split("::")[0]]
        module["tests"].add(item.nodeid)
        module["marked"] = module["marked"] or bool(item.get_closest_marker(MARK))
        if self._openings(item):
            module["opened"].add(item.nodeid)

    def pytest_runtest_logreport(self, report):
        self.modules[report.nodeid.split("::")[0]]["seconds"] += report.duration

    def pytest_terminal_summary(self, terminalreporter):
        if not self.report:
            return
        write = terminalreporter.write_line
        terminalreporter.section(f"{MARK} report: tests that opened a hub, per module")
        free_seconds = 0.0
        for path, module in sorted(self.modules.items(), key=lambda kv: -kv[1]["seconds"]):
            if not module["tests"]:
                continue
            opened, total = len(module["opened"]), len(module["tests"])
            verdict = "opens a hub" if opened else ("marked" if module["marked"] else "CANDIDATE")
            if not opened:
                free_seconds += module["seconds"]
            write(f"{module['seconds']:8.1f} s  {opened:3d}/{total:<3d} opened  {verdict:11s}  {path}")
        write(f"{free_seconds:8.1f} s  in modules whose every test opened no hub")
