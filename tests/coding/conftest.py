"""Fixtures of the coding tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from qc import QC_VERSION

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def qc_bin() -> Path:
    venv = Path(os.environ.get("MIGRAHUB_QC_VENV", REPO / ".venv-qc"))
    qc = venv / "bin" / "qc"
    if qc.exists():
        return qc
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", f"qualitative-coding=={QC_VERSION}"],
                       check=True, capture_output=True, timeout=900)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        pytest.skip(f"cannot install qualitative-coding=={QC_VERSION} into {venv}: {exc} "
                    f"{detail.decode(errors='replace')[-300:]}")
    if not qc.exists():
        pytest.skip(f"qualitative-coding installed into {venv} but {qc} is missing")
    return qc
