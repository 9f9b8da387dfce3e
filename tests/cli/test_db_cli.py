"""`migrahub db dump / restore / copy` from the command line: tables with counts and checksums, clear errors."""

from __future__ import annotations

import json
import zipfile

from click.testing import CliRunner

from migrahub.cli import main
from migrahub.services.ingest import ingest

TEXTS = ["A welcome desk for newcomers opened in Ghent, with language courses.",
         "Lisbon and Athens agreed on a reception programme for unaccompanied minors."]


def hub(tmp_path, monkeypatch):
    monkeypatch.setenv("MIGRAHUB_EXTRACT_MODELS", "0")
    folder = tmp_path / "docs"
    folder.mkdir()
    for i, text in enumerate(TEXTS):
        (folder / f"{i}.txt").write_text(text + "\n", encoding="utf-8")
    db = tmp_path / "hub.sqlite3"
    ingest([str(folder)], db, workers=1, allow_local_files=True)
    return db


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_dump_restore_and_copy_print_counts_and_checksums(tmp_path, monkeypatch):
    db = hub(tmp_path, monkeypatch)
    dumped = run("--db", db, "db", "dump", tmp_path / "hub.zip", "--json")
    assert dumped.exit_code == 0, dumped.output
    manifest = json.loads(dumped.output)
    documents = next(t for t in manifest["tables"] if t["name"] == "documents")
    assert documents["rows"] == len(TEXTS)

    restored = run("--db", tmp_path / "restored.sqlite3", "db", "restore", tmp_path / "hub.zip")
    assert restored.exit_code == 0, restored.output
    assert f"documents\t{len(TEXTS)}\t{documents['rows_sha256']}" in restored.output
    assert "every table's count and checksum equal to the archive's" in restored.output

    copied = run("db", "copy", tmp_path / "restored.sqlite3", tmp_path / "copy.sqlite3")
    assert copied.exit_code == 0, copied.output
    line = f"documents\t{len(TEXTS)}\t{len(TEXTS)}\t{documents['rows_sha256']}\t{documents['rows_sha256']}"
    assert line in copied.output
    assert "counts and checksums equal on both sides" in copied.output


def test_a_tampered_archive_is_refused_with_the_member_named(tmp_path, monkeypatch):
    db = hub(tmp_path, monkeypatch)
    assert run("--db", db, "db", "dump", tmp_path / "hub.zip").exit_code == 0
    with zipfile.ZipFile(tmp_path / "hub.zip") as src, zipfile.ZipFile(tmp_path / "bad.zip", "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(name, data.replace(b"Ghent", b"Gent!") if name == "tables/passages.jsonl" else data)
    checked = run("db", "verify", tmp_path / "bad.zip")
    assert checked.exit_code == 2 and "member tables/passages.jsonl: checksum differs" in checked.output
    assert "every checksum and count checks out" in run("db", "verify", tmp_path / "hub.zip").output
    result = run("--db", tmp_path / "restored.sqlite3", "db", "restore", tmp_path / "bad.zip")
    assert result.exit_code == 2
    assert "member tables/passages.jsonl: checksum differs from the manifest" in result.output
    good = run("--db", tmp_path / "restored.sqlite3", "db", "restore", tmp_path / "hub.zip")
    assert good.exit_code == 0, good.output  # the refused restore left the hub new or empty


def test_restore_into_a_hub_with_data_is_refused(tmp_path, monkeypatch):
    db = hub(tmp_path, monkeypatch)
    assert run("--db", db, "db", "dump", tmp_path / "hub.zip").exit_code == 0
    result = run("--db", db, "db", "restore", tmp_path / "hub.zip")
    assert result.exit_code == 2 and "not an empty hub" in result.output
    again = run("--db", db, "db", "dump", tmp_path / "hub.zip")
    assert again.exit_code == 2 and "already exists (pass --overwrite" in again.output
