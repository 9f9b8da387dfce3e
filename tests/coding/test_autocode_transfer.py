"""Auto-coding of documents the coder was not trained on, scored by the shared scorer through the shipped scripts."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)

REPO = Path(__file__).resolve().parents[2]


def _f1s(text: str) -> list[tuple[float, float]]:
    return [(float(a), float(b)) for a, b in re.findall(r"micro_f1=([0-9.]+) macro_f1=([0-9.]+)", text)]


def test_dev_pages_coded_from_the_seed_gold_alone(shared_dir):
    """36 real pages in four languages, coded by a model trained on the five seed documents only."""
    out = subprocess.run([sys.executable, str(REPO / "eval" / "score_coding_dev.py"), "--shared", str(shared_dir),
                          "--direction", "seeds-to-dev"], capture_output=True, text=True, check=True,
                         timeout=1800).stdout
    ((micro, macro),) = _f1s(out)
    assert micro >= 0.55 and macro >= 0.45, out
