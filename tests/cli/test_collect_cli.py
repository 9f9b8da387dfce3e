"""The collect door end to end: `migrahub ingest`, `search`, `stats`, `sources` on real files."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.backends.postgresql import hub_rows, integrity_ok, open_hub

MIGRAHUB = [sys.executable, "-m", "migrahub"]


def run(db: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([*MIGRAHUB, "--db", str(db), *args], capture_output=True, text=True, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, shared_dir):
    db = tmp_path_factory.mktemp("hub") / "hub.sqlite3"
    first = json.loads(run(db, "ingest", "--json", str(shared_dir / "corpus" / "seeds"),
                           str(shared_dir / "feeds")).stdout)
    return db, first


def test_seeds_and_feeds_are_stored_and_a_second_run_adds_nothing(seeded, shared_dir):
    db, first = seeded
    conn = open_hub(db)
    seeds = {p.name for p in (shared_dir / "corpus" / "seeds").glob("*.txt")}
    stored = {Path(r[0]).name for r in conn.execute("SELECT locator FROM document_links")}
    assert seeds <= stored
    # every item of the four feeds became a document (items counted independently of the adapters: one of the
    # real feeds is not even well-formed XML, so count the opening tags)
    import re

    expected_items = 0
    for feed in ("gdacs-rss.xml", "guardian-us.rss", "uol-noticias.rss", "tpm-news.atom"):
        raw = (shared_dir / "feeds" / feed).read_bytes()
        n = len(re.findall(rb"<(?:item|entry)[\s>]", raw))
        linked = conn.execute("SELECT count(*) FROM document_links WHERE locator LIKE ?",
                              (f"%{feed}#%",)).fetchone()[0]
        assert linked == n > 0, feed
        expected_items += n
    conn.close()
    assert first["failed"] == [] and first["items"] >= expected_items + len(seeds)
    second = json.loads(run(db, "ingest", "--json", str(shared_dir / "corpus" / "seeds"),
                            str(shared_dir / "feeds")).stdout)
    assert second["added"] == 0 and second["versions"] == 0 and second["unchanged"] == first["added"]


def test_portuguese_accents_of_the_latin1_feed_are_intact(seeded):
    db, _ = seeded
    conn = open_hub(db)
    texts = [r[0] for r in conn.execute(
        "SELECT d.text FROM documents d JOIN document_links l ON l.document_id = d.id "
        "WHERE l.locator LIKE '%uol-noticias.rss#%'")]
    joined = "\n".join(texts)
    assert texts and "ç" in joined and "ã" in joined
    assert "Ã" not in joined and "\ufffd" not in joined  # no mojibake, no replacement characters
    assert {r[0] for r in conn.execute(
        "SELECT language FROM documents d JOIN document_links l ON l.document_id = d.id "
        "WHERE l.locator LIKE '%uol-noticias.rss#%'")} == {"pt"}
    conn.close()


def test_city_card_ranks_the_c_mise_proposal_first(seeded, shared_dir):
    db, _ = seeded
    hits = json.loads(run(db, "search", "city card", "--json").stdout)
    assert hits, "no hits"
    top = hits[0]
    assert any(Path(s).name.startswith("000_") for s in top["sources"]), top
    assert "city-card" in top["snippet"]
    text = hub_rows(db, "SELECT text FROM documents WHERE id = ?", (top["document_id"],))[0][0]
    assert "city-card" in text[top["start"]:top["end"]]


def test_stats_and_sources(seeded):
    db, _ = seeded
    stats = json.loads(run(db, "stats", "--json").stdout)
    assert stats["documents"] > 100 and stats["passages"] > stats["documents"]
    assert set(stats["languages"]) >= {"en", "pt"}
    sources = json.loads(run(db, "sources", "--json").stdout)
    assert all(s["status"] == "ok" and s["fetched_at"] for s in sources)
    # Piped output is one tab-separated line per source, the locator never cut, whatever the path's length.
    lines = run(db, "sources").stdout.splitlines()
    assert lines[0].split("\t")[:3] == ["locator", "kind", "status"]
    by_locator = {line.split("\t")[0]: line.split("\t") for line in lines[1:]}
    assert set(by_locator) == {s["locator"] for s in sources}
    feed = next(loc for loc in by_locator if loc.endswith("uol-noticias.rss"))
    assert by_locator[feed][2] == "ok"


def test_bad_items_are_listed_and_the_exit_code_is_non_zero(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.md").write_text("# Welcome desk\n\nThe city of Ghent opened a welcome desk for newcomers.\n")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\n%%EO")
    db = tmp_path / "hub.sqlite3"
    proc = run(db, "ingest", str(folder), check=False)
    assert proc.returncode == 1
    for name in ("empty.txt", "binary.txt", "broken.pdf"):
        assert name in proc.stderr
    assert "good.md" not in proc.stderr
    failures = json.loads(run(db, "sources", "--failures", "--json").stdout)
    assert {Path(f["locator"]).name for f in failures} == {"empty.txt", "binary.txt", "broken.pdf"}
    assert all(f["reason"] for f in failures)
    hits = json.loads(run(db, "search", "welcome desk", "--json").stdout)
    assert len(hits) >= 1


def test_changed_file_becomes_a_new_version_and_the_old_text_is_kept(tmp_path):
    doc = tmp_path / "report.md"
    doc.write_text("# Report\n\nThe pilot started in Porto with twelve families.\n", encoding="utf-8")
    db = tmp_path / "hub.sqlite3"
    run(db, "ingest", str(doc))
    doc.write_text("# Report\n\nThe pilot started in Braga with twenty families.\n", encoding="utf-8")
    summary = json.loads(run(db, "ingest", "--json", str(doc)).stdout)
    assert summary["versions"] == 1 and summary["added"] == 0
    texts = [r[0] for r in hub_rows(db, "SELECT text FROM documents ORDER BY id")]
    assert "Porto" in texts[0] and "Braga" in texts[1]
    assert json.loads(run(db, "search", "Porto", "--json").stdout) == []


def test_bad_query_and_missing_database_get_clear_errors(tmp_path):
    db = tmp_path / "hub.sqlite3"
    run(db, "stats")
    proc = run(db, "search", "card OR", check=False)
    assert proc.returncode == 2 and "needs a term after it" in proc.stderr


@pytest.mark.sqlite_only("a hub file in a folder that does not exist")
def test_a_hub_file_in_a_missing_folder_gets_a_clear_error(tmp_path):
    proc = run(tmp_path / "no" / "such" / "hub.sqlite3", "stats", check=False)
    assert proc.returncode == 2 and "does not exist" in proc.stderr


@pytest.mark.slow
def test_ingest_killed_with_sigkill_loses_nothing_and_resumes(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from corpus import write_corpus

    write_corpus(folder, 600, "txt", size=20000)
    db = tmp_path / "hub.sqlite3"
    # entities are left out (--no-extract): what is tested is the storing of documents, and 600 documents read for
    # entities twice would take minutes
    proc = subprocess.Popen([*MIGRAHUB, "--db", str(db), "ingest", "--quiet", "--no-extract", str(folder)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    stored = 0
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
        try:
            stored = hub_rows(db, "SELECT count(*) FROM documents", timeout=1)[0][0]
        except sqlite3.Error:
            continue
        if stored >= 50:
            break
    assert proc.poll() is None, "ingest finished before it could be killed; make the corpus bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    conn = open_hub(db)
    assert integrity_ok(conn)
    kept = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    assert 50 <= kept < 600
    # every committed document is whole: its passages and its link are there
    assert conn.execute("SELECT count(*) FROM documents d WHERE NOT EXISTS "
                        "(SELECT 1 FROM passages p WHERE p.document_id = d.id)").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM documents d WHERE NOT EXISTS "
                        "(SELECT 1 FROM document_links l WHERE l.document_id = d.id)").fetchone()[0] == 0
    conn.close()
    summary = json.loads(run(db, "ingest", "--json", "--no-extract", str(folder)).stdout)
    assert summary["added"] == 600 - kept and summary["unchanged"] == kept
    conn = open_hub(db)
    assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 600
    # every passage of the hub is searchable after the resumed run, those committed before the kill included
    assert conn.execute("SELECT count(*) FROM passages WHERE indexed = 0").fetchone()[0] == 0
    first = conn.execute("SELECT text FROM passages WHERE document_id = 1 AND kind = 'paragraph'").fetchone()[0]
    phrase = " ".join(first.split()[:6]).strip(".")
    conn.close()
    hits = json.loads(run(db, "search", f'"{phrase}"', "--json").stdout)
    assert 1 in {h["document_id"] for h in hits}


def _broad_search(tmp_path, monkeypatch):
    """The large-hub rules scaled down to a hub of twelve passages: a window of five, every word common."""
    from click.testing import CliRunner

    from migrahub.cli import main
    from migrahub.services.ingest import ingest
    from migrahub.store import search as fts

    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(12):
        (folder / f"{i:02d}.txt").write_text(f"The city card of town {i} opens libraries to every resident.\n")
    db = tmp_path / "hub.sqlite3"
    assert ingest([str(folder)], db, extract_entities=False).added == 12
    plain = CliRunner().invoke(main, ["--db", str(db), "search", "city card"])
    assert plain.exit_code == 0 and "ranked among" not in plain.output and "too common" not in plain.output
    monkeypatch.setattr(fts, "RANK_WINDOW", 5)
    monkeypatch.setattr(fts, "COMMON_SHARE", 0.0001)
    monkeypatch.setattr(fts, "COMMON_POSTINGS", 0)
    broad = CliRunner().invoke(main, ["--db", str(db), "search", "city card"])
    assert broad.exit_code == 0, broad.output
    return broad.output


def test_search_says_how_a_broad_query_was_ordered(tmp_path, monkeypatch):
    assert "More than 5 passages match: ranked among the newest 5" in _broad_search(tmp_path, monkeypatch)


@pytest.mark.sqlite_only("FTS5's BM25 leaves very common words out of the score")
def test_search_says_when_every_word_was_too_common_to_rank_by(tmp_path, monkeypatch):
    assert "too common to rank by: the newest matches come first" in _broad_search(tmp_path, monkeypatch)
