"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.backends import engine_free

REPO = Path(__file__).resolve().parents[1]
BACKENDS = ("sqlite", "postgresql")


def pytest_addoption(parser):
    parser.addoption("--backend", choices=BACKENDS, default=os.environ.get("MIGRAHUB_TEST_BACKEND") or "sqlite",
                     help="the database every hub of the tests lives in (default: sqlite; env MIGRAHUB_TEST_BACKEND)")
    engine_free.add_option(parser)


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only(reason): a test of what only a SQLite file has")
    config.addinivalue_line("markers", "postgresql_only(reason): a test of what only PostgreSQL's store has (an "
                                       "index of its own): skipped on the SQLite pass, run on the PostgreSQL pass")
    engine_free.configure(config)  # tests that open no hub: guarded on SQLite, deselected on PostgreSQL
    if config.getoption("--backend") != "postgresql":
        return
    from tests.backends import postgresql

    os.environ["MIGRAHUB_TEST_BACKEND"] = "postgresql"
    os.environ["MIGRAHUB_TEST_DATABASE"] = postgresql.create_database()
    site = str(REPO / "tests" / "backends" / "site")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [site, os.environ.get("PYTHONPATH")]))
    postgresql.install()


def pytest_unconfigure(config):
    name = os.environ.get("MIGRAHUB_TEST_DATABASE")
    if config.getoption("--backend") == "postgresql" and name:
        from tests.backends import postgresql

        postgresql.drop_database(name)


def pytest_collection_modifyitems(config, items):
    other, label = ("sqlite_only", "SQLite only: ") if config.getoption("--backend") == "postgresql" else (
        "postgresql_only", "PostgreSQL only (runs on the --backend postgresql pass): ")
    for item in items:
        marker = item.get_closest_marker(other)
        if marker:
            item.add_marker(pytest.mark.skip(reason=label + (marker.args[0] if marker.args else "")))


def _shared_path() -> Path:
    return Path(os.environ.get("MIGRAHUB_SHARED", REPO.parent / "shared")).resolve()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only ``shared/`` folder beside the repository (seed corpus, gold, feeds, REFI-QDA samples)."""
    path = _shared_path()
    if not (path / "gold").is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI must have the shared folder beside the repository, looked at {path}")
        pytest.skip(f"needs the shared folder with seeds and gold beside the repository (looked at {path})")
    return path
