"""Fixtures for the web hub tests: one hub database per test session, ingested through the real pipeline from the
fixture documents (and the lead's XSS documents in ``demo/xss`` when present), with one user per role.

Django can be configured once per process, so every web test shares this hub; tests that write (ingest, edits)
use their own documents and never assert on global counts that others change.
"""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
from webhelpers import PASSWORD, ROLES, corpus_targets  # noqa: E402


@pytest.fixture(scope="session")
def hub(tmp_path_factory):
    folder = tmp_path_factory.mktemp("webhub")
    db = folder / "hub.sqlite3"
    os.environ["MIGRAHUB_DB"] = str(db)
    os.environ["MIGRAHUB_SECRET_KEY"] = "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    os.environ["MIGRAHUB_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["MIGRAHUB_UPLOAD_DIR"] = str(folder / "uploads")
    for name in ("MIGRAHUB_ANONYMOUS_READ", "MIGRAHUB_DEBUG"):
        os.environ.pop(name, None)
    from migrahub.services.ingest import ingest
    from migrahub.web import server

    path = server.setup(db)
    from django.conf import settings

    from migrahub.store.database import locate

    if settings.MIGRAHUB_DB != locate(db):
        pytest.fail(f"Django was configured for {settings.MIGRAHUB_DB} before the web fixture ran")
    summary = ingest(corpus_targets(), db)
    assert summary.added >= 8, summary.as_dict()
    server.migrate(path)
    from migrahub.web.accounts import create_user

    users = {role: create_user(f"{role}1", role, PASSWORD, actor="test") for role in ROLES}
    return SimpleNamespace(db=path, folder=folder, users=users, summary=summary)


@pytest.fixture()
def client(hub):
    from django.test import Client

    return Client()


@pytest.fixture()
def login(hub):
    """``login(role)`` → a test client signed in as that role's user."""
    from django.test import Client

    def make(role: str, **kwargs):
        c = Client(**kwargs)
        c.force_login(hub.users[role])
        return c

    return make


@pytest.fixture()
def token(hub):
    """``token(role)`` → a raw API token of that role's user."""
    from migrahub.web.accounts import create_token

    return lambda role: create_token(f"{role}1", "test", actor="test")


