"""Coding inside the hub: the seed corpus coded with the gold codes, suggestions, review, agreement, reports,
REFI-QDA export validated against Project.xsd, imported by the real qc client, and round-tripped."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile

import pytest
from qc import run_qc

from migrahub.services import coding
from migrahub.services.ingest import ingest
from migrahub.store.database import connect

CODEBOOK = "lmg"


def migrahub(db, *args, check=True):
    proc = subprocess.run([sys.executable, "-m", "migrahub", "--db", str(db), *args], capture_output=True,
                          text=True, timeout=600)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def coded_hub(tmp_path_factory, shared_dir):
    """The seed corpus ingested, the codebook loaded, and every gold passage coded by coder 'gold'."""
    db = tmp_path_factory.mktemp("coding") / "hub.sqlite3"
    assert ingest([str(shared_dir / "corpus" / "seeds")], db, extract_entities=False).ok
    coding.load_codebook_file(db, shared_dir / "codebook" / "local-migration-governance.yaml", CODEBOOK)
    passages = json.loads((shared_dir / "gold" / "passages.json").read_text())
    codes = json.loads((shared_dir / "gold" / "codes.json").read_text())
    conn = connect(db)
    docs = {r[0].rsplit("/", 1)[-1]: (r[1], r[2]) for r in conn.execute(
        "SELECT l.locator, d.id, d.text FROM document_links l JOIN documents d ON d.id = l.document_id")}
    placed = 0
    for p in passages:
        doc_id, text = docs[p["doc"]]
        start = text.find(fold(p["text"]))  # the gold passage, located in the hub's normalised text
        if start < 0 or not codes.get(p["id"]):
            continue
        for code in codes[p["id"]]:
            coding.record_action(db, codebook=CODEBOOK, document_id=doc_id, start=start,
                                 end=start + len(fold(p["text"])), coder="gold", action="add", code=code,
                                 at="2025-03-01T09:00:00+00:00")
        placed += 1
    conn.close()
    return db, placed


def test_most_gold_passages_are_placed_in_the_hub_text(coded_hub):
    _, placed = coded_hub
    assert placed >= 250  # of the gold passages that carry codes; the rest straddle headings or page breaks


def test_qdpx_export_validates_round_trips_and_qc_imports_it(coded_hub, shared_dir, tmp_path, qc_bin):
    import xmlschema

    db, _ = coded_hub
    out = tmp_path / "seeds.qdpx"
    summary = json.loads(migrahub(db, "qdpx", "export", str(out), "--codebook", CODEBOOK).stdout)
    n_codings = len(coding.codings(db, CODEBOOK, status="applied"))
    assert summary["codings"] == n_codings > 500 and summary["sources"] == 5
    with zipfile.ZipFile(out) as z:
        qde = z.read("project.qde")
        names = z.namelist()
        assert all(not z.read(n).startswith(b"\xef\xbb\xbf") for n in names if n.startswith("sources/"))
    xmlschema.XMLSchema(str(shared_dir / "refi-qda" / "Project.xsd")).validate(qde.decode("utf-8"))
    # export -> import into a fresh hub -> export keeps every coding
    db2 = tmp_path / "other.sqlite3"
    imported = json.loads(migrahub(db2, "qdpx", "import", str(out)).stdout)
    assert imported["codings"] == n_codings and imported["sources"] == 5
    again = tmp_path / "again.qdpx"
    summary2 = json.loads(migrahub(db2, "qdpx", "export", str(again), "--codebook", imported["codebook"]).stdout)
    assert summary2["codings"] == n_codings

    def keys(db_path, book):  # REFI-QDA carries code names and GUIDs, not our code ids
        conn = connect(db_path)
        names = {c.id: c.name for c in coding.get_codebook(db_path, book).codes}
        return sorted((conn.execute("SELECT text FROM documents WHERE id = ?", (c["document_id"],)).fetchone()[0]
                       [c["start"]:c["end"]], names[c["code_id"]], c["coder"], c["since"][:19])
                      for c in coding.codings(db_path, book))
    assert keys(db, CODEBOOK) == keys(db2, imported["codebook"])
    # the real qc client imports it with all codes and codings. qc stores codings per line and, for selections
    # not named "line:N" (its own convention), places them all on line 0 of their document (a qc 1.7.8 bug), so
    # what it can count per code is the number of documents carrying that code.
    work = tmp_path / "qc"
    work.mkdir()
    log = run_qc(qc_bin, work, "init", "--import", str(out))
    assert "Traceback" not in log
    stats = run_qc(qc_bin, work, "codes", "stats")
    counts = {m.group(1).strip(): int(m.group(2)) for m in re.finditer(r"^(\S[^\n]*?)\s+(\d+)\s*$", stats, re.M)}
    book = coding.get_codebook(db, CODEBOOK)
    documents_per_code: dict[str, set] = {}
    for c in coding.codings(db, CODEBOOK, status="applied"):
        documents_per_code.setdefault(book.get(c["code_id"]).name, set()).add(c["document_id"])
    assert len(documents_per_code) >= 25
    for name, docs in documents_per_code.items():
        assert counts.get(name) == len(docs), (name, stats)


def test_suggest_accept_reject_and_agreement(coded_hub, tmp_path):
    db, _ = coded_hub
    result = json.loads(migrahub(db, "suggest", "--codebook", CODEBOOK).stdout)
    assert result["trained_on"] >= 250 and result["suggestions"] > 0
    pending = coding.codings(db, CODEBOOK, status="suggested")
    assert pending and all(0 <= p["confidence"] <= 1 for p in pending)
    first, second = pending[0], pending[1]
    span = ["--document", str(first["document_id"]), "--start", str(first["start"]), "--end", str(first["end"])]
    migrahub(db, "coding", "accept", "--codebook", CODEBOOK, *span, "--by", "ana", first["code_id"])
    span2 = ["--document", str(second["document_id"]), "--start", str(second["start"]), "--end",
             str(second["end"])]
    migrahub(db, "coding", "reject", "--codebook", CODEBOOK, *span2, "--by", "ana", second["code_id"])
    now = coding.codings(db, CODEBOOK)
    assert any(c["coder"] == "ana" and c["code_id"] == first["code_id"] and c["status"] == "applied" for c in now)
    assert not any(c["coder"] == coding.AUTOCODER and c["code_id"] == second["code_id"]
                   and c["start"] == second["start"] and c["document_id"] == second["document_id"] for c in now)
    # running suggest again does not ask about what was already suggested or decided
    again = json.loads(migrahub(db, "suggest", "--codebook", CODEBOOK).stdout)
    assert again["suggestions"] < result["suggestions"]
    rep = json.loads(migrahub(db, "agreement", "--codebook", CODEBOOK, "--coders", "gold,ana", "--json").stdout)
    assert rep["coders"] == ["gold", "ana"] and rep["per_code"]
    # the log is append-only and every person's action is in the hub's action log
    conn = connect(db)
    assert conn.execute("SELECT count(*) FROM actions WHERE actor = 'ana' AND verb LIKE 'coding.%'").fetchone()[0] == 2


def test_bad_coding_actions_get_clear_errors(coded_hub):
    db, _ = coded_hub
    proc = migrahub(db, "coding", "add", "--codebook", CODEBOOK, "--document", "1", "--start", "5", "--end", "10**9",
                    "GOV.NET", check=False)
    assert proc.returncode != 0
    proc = migrahub(db, "coding", "add", "--codebook", CODEBOOK, "--document", "1", "--start", "5", "--end",
                    "999999999", "GOV.NET", check=False)
    assert proc.returncode == 2 and "is not a span of document 1" in proc.stderr
    proc = migrahub(db, "coding", "add", "--codebook", CODEBOOK, "--document", "1", "--start", "0", "--end", "5",
                    "NO.SUCH", check=False)
    assert proc.returncode == 2 and "no code 'NO.SUCH'" in proc.stderr
    proc = migrahub(db, "coding", "add", "--codebook", "nope", "--document", "1", "--start", "0", "--end", "5",
                    "GOV.NET", check=False)
    assert proc.returncode == 2 and "no codebook named 'nope'" in proc.stderr


def test_reports_and_charts_for_the_seed_corpus(coded_hub, tmp_path):
    db, _ = coded_hub
    png = tmp_path / "frequencies.png"
    csv_out = migrahub(db, "report", "frequencies", "--codebook", CODEBOOK, "--by", "document", "--chart",
                       str(png)).stdout
    header = csv_out.splitlines()[0].split(",")
    assert header[0] == "document" and "GOV.NET" in header
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = tmp_path / "cooccurrence.svg"
    matrix = json.loads(migrahub(db, "report", "cooccurrence", "--codebook", CODEBOOK, "--format", "json",
                                 "--chart", str(svg)).stdout)
    assert len(matrix["rows"]) == len(matrix["columns"]) - 1 and "<svg" in svg.read_text()
    table = migrahub(db, "report", "table", "--codebook", CODEBOOK).stdout
    assert len(table.splitlines()) >= 2
