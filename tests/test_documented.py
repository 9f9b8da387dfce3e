"""Every setting MigraHub reads and every command of its CLI is documented: a new one without a line in the README,
SETTINGS.md or a feature's guide in docs/ fails here (as sqlite-utils and Datasette do for options and commands)."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from migrahub.cli import main

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)

REPO = Path(__file__).resolve().parents[1]
DOCS = (REPO / "README.md", REPO / "src" / "migrahub" / "web" / "SETTINGS.md", REPO / "SECURITY.md",
        *sorted((REPO / "docs").glob("*.md")))
SETTING = re.compile(r"\bMIGRAHUB_[A-Z][A-Z0-9_]*[A-Z0-9]\b")


def _documented() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in DOCS)


def _settings_read_by_the_code() -> set[str]:
    found: set[str] = set()
    for path in (REPO / "src" / "migrahub").rglob("*.py"):
        found |= set(SETTING.findall(path.read_text(encoding="utf-8")))
    return found


def _commands(cmd: click.Command, prefix: str = "") -> list[str]:
    if isinstance(cmd, click.Group):
        return [name for sub, c in sorted(cmd.commands.items()) for name in _commands(c, f"{prefix} {sub}")]
    return [prefix.strip()]


def test_the_code_reads_settings():
    assert {"MIGRAHUB_DB", "MIGRAHUB_EGRESS_ALLOW_HOSTS", "MIGRAHUB_TRUSTED_PROXIES"} <= _settings_read_by_the_code()


def test_every_setting_is_documented():
    docs = _documented()
    missing = sorted(s for s in _settings_read_by_the_code() if f"`{s}`" not in docs)
    assert not missing, f"settings without a line in README.md or SETTINGS.md: {missing}"


def test_every_command_is_documented():
    docs = _documented()
    commands = _commands(main)
    assert "ingest" in commands and "entities merge" in commands
    missing = [c for c in commands if f"migrahub {c}" not in docs]
    assert not missing, f"commands not shown in README.md or SETTINGS.md: {missing}"
