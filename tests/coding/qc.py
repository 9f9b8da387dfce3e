"""Running the real ``qc`` client (PyPI ``qualitative-coding``) from its own virtualenv."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

QC_VERSION = "1.7.8"


def run_qc(qc: Path, cwd: Path, *args: str) -> str:
    env = dict(os.environ, PYTHONBREAKPOINT="0")  # 1.7.8 ships a stray breakpoint() in its importer
    res = subprocess.run([str(qc), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
                         stdin=subprocess.DEVNULL)
    assert res.returncode == 0, f"qc {' '.join(args)} failed:\n{res.stdout}\n{res.stderr}"
    return res.stdout + res.stderr
