"""Gold test: the extractor stays at or above the recorded F1 floors on the seed corpus (needs ../shared)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.shared
def test_seed_scores_meet_baseline(shared_dir):
    r = subprocess.run(
        [sys.executable, str(REPO / "eval" / "score_seeds.py"), "--shared", str(shared_dir), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "places" in r.stdout
