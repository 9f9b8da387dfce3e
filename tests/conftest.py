"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


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
