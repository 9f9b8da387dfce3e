"""The hub's settings table (``migrahub.config``): every ``MIGRAHUB_*`` variable is declared there, read nowhere
else, documented, and a value that cannot be read stops a command at start with the variable named."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrahub import config
from migrahub.cli import main

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "migrahub"
NAME = re.compile(r"\bMIGRAHUB_[A-Z][A-Z0-9_]*[A-Z0-9]\b")
# a read: environ.get("MIGRAHUB_…"), getenv("MIGRAHUB_…") or environ["MIGRAHUB_…"] not followed by "=" (a write)
READ = re.compile(r"(os\.environ\.get\(|os\.getenv\()\s*[\"']MIGRAHUB_"
                  r"|os\.environ\[\s*[\"']MIGRAHUB_\w+[\"']\s*\](?!\s*=[^=])")
DOCS = (REPO / "README.md", SRC / "web" / "SETTINGS.md", *sorted((REPO / "docs").glob("*.md")))


def test_every_setting_the_code_names_is_in_the_table():
    named = {n for path in SRC.rglob("*.py") for n in NAME.findall(path.read_text(encoding="utf-8"))}
    # names of a family in prose ("MIGRAHUB_JOBS_*", "MIGRAHUB_SMTP_*") are not settings themselves
    named -= {"MIGRAHUB_JOBS", "MIGRAHUB_SMTP"}
    assert sorted(named - set(config.SETTINGS)) == []


def test_only_the_table_reads_the_environment():
    readers = sorted(str(path.relative_to(SRC)) for path in SRC.rglob("*.py")
                     if path.name != "config.py" and READ.search(path.read_text(encoding="utf-8")))
    assert readers == []


def test_every_setting_in_the_table_is_documented():
    docs = "\n".join(path.read_text(encoding="utf-8") for path in DOCS)
    assert sorted(name for name in config.SETTINGS if f"`{name}`" not in docs) == []


@pytest.mark.parametrize(("name", "raw", "value"), [
    ("MIGRAHUB_DEBUG", "on", True), ("MIGRAHUB_DEBUG", " No ", False), ("MIGRAHUB_DEBUG", "", False),
    ("MIGRAHUB_ANONYMOUS_READ", "0", False), ("MIGRAHUB_SMTP_PORT", "2525", 2525),
    ("MIGRAHUB_EXTRACT_SECONDS", "2.5", 2.5), ("MIGRAHUB_ALLOWED_HOSTS", "a.org, b.org,", ("a.org", "b.org")),
    ("MIGRAHUB_REGISTRY", "/x/one.yaml::/x/two.yaml", ("/x/one.yaml", "/x/two.yaml")),
    ("MIGRAHUB_HTML_EXTRACTOR", "Trafilatura", "trafilatura"),
])
def test_values_are_read_by_their_kind(name, raw, value):
    assert config.get(name, {name: raw}) == value


@pytest.mark.parametrize(("name", "raw", "reason"), [
    ("MIGRAHUB_DEBUG", "maybe", "expected on or off"),
    ("MIGRAHUB_SMTP_PORT", "0", "expected a whole number, 1 or more"),
    ("MIGRAHUB_LOGIN_MAX_FAILURES", "-3", "expected a whole number, 1 or more"),
    ("MIGRAHUB_EXTRACT_SECONDS", "soon", "expected a number"),
    ("MIGRAHUB_JOBS_LEASE", "nan", "expected a number, 0 or more"),
])
def test_a_value_that_cannot_be_read_names_the_variable(name, raw, reason):
    with pytest.raises(config.SettingError, match=re.escape(f"{name}={raw!r}: {reason}")):
        config.get(name, {name: raw})


def test_a_command_stops_at_start_on_a_bad_setting_and_writes_nothing(tmp_path):
    (tmp_path / "note.txt").write_text("Ghent opened a welcome desk.", encoding="utf-8")
    hub = tmp_path / "hub.sqlite3"
    done = CliRunner().invoke(main, ["--db", str(hub), "ingest", str(tmp_path / "note.txt")],
                              env={"MIGRAHUB_EXTRACT_SECONDS": "soon", "MIGRAHUB_DEBUG": "maybe"})
    assert done.exit_code == 2
    assert ("migrahub: MIGRAHUB_DEBUG='maybe': expected on or off (1/0, true/false, yes/no); "
            "MIGRAHUB_EXTRACT_SECONDS='soon': expected a number") in done.output
    assert not hub.exists()
