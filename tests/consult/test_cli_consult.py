"""The consult commands: set a consultation up, import an offline one, report, export; Pol.is files in and out."""

from __future__ import annotations

import json

from click.testing import CliRunner
from test_opinion import planted

from migrahub.cli import main
from migrahub.consult import polis_csv


def run(db, *args):
    result = CliRunner().invoke(main, ["--db", str(db), *args])
    return result


def test_consultation_from_the_command_line(tmp_path):
    db = tmp_path / "hub.sqlite3"
    assert run(db, "consult", "create", "Offline forum", "--consent", "I agree").exit_code == 0
    assert run(db, "consult", "add-question", "offline-forum", "text", "What works in your city?").exit_code == 0
    assert run(db, "consult", "add-question", "offline-forum", "choice", "Priority", "--option", "Housing",
               "--option", "Jobs").exit_code == 0
    assert run(db, "consult", "phase", "offline-forum", "open").exit_code == 0
    sheet = tmp_path / "forum.csv"
    sheet.write_text("submitter_type;organisation;Q1;Q2\norganisation;Lisbon Migrant Council;We run a desk. "
                     "Write to ana.silva@example.pt;Housing\nanonymous;;The city should fund housing.;Jobs\n")
    imported = run(db, "consult", "import", "offline-forum", str(sheet))
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.output)["imported"] == 2
    out = run(db, "consult", "export", "offline-forum")
    assert "Lisbon Migrant Council" in out.output and "ana.silva" not in out.output
    hide = run(db, "consult", "moderate", "2", "hide", "--note", "test")
    assert hide.exit_code == 0
    md = run(db, "consult", "report", "offline-forum")
    assert md.exit_code == 0 and "Lisbon Migrant Council" in md.output and "fund housing" not in md.output
    pdf = tmp_path / "r.pdf"
    assert run(db, "consult", "report", "offline-forum", "--keep", "--format", "pdf", "--out", str(pdf)).exit_code == 0
    assert pdf.read_bytes()[:5] == b"%PDF-"
    bad = tmp_path / "bad.csv"
    bad.write_text("submitter_type,Q1\norganisation,\nmartian,x\n")
    refused = run(db, "consult", "import", "offline-forum", str(bad))
    assert refused.exit_code == 2 and "row 3" in refused.output and "row 2" in refused.output
    assert json.loads(run(db, "consult", "list", "--json").output)[0]["published"] == 1


def test_pol_is_import_then_export_keeps_the_groups(tmp_path):
    db = tmp_path / "hub.sqlite3"
    votes, truth = planted(3, per_group=20, seed=11)
    folder = tmp_path / "in"
    folder.mkdir()
    statements = sorted({v.statement for v in votes})
    comments = [polis_csv.Comment(s, "0", f"Statement {s}", 1) for s in statements]
    (folder / "comments.csv").write_text(polis_csv.write_comments(comments, votes))
    (folder / "votes.csv").write_text(polis_csv.write_votes(votes))
    direct = json.loads(run(db, "consult", "polis-groups", str(folder), "--json").output)
    assert run(db, "consult", "create", "Votes").exit_code == 0
    imported = run(db, "consult", "polis-import", "votes", str(folder))
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.output)["participants"] == len(truth)
    out = tmp_path / "out"
    assert run(db, "consult", "polis-export", "votes", str(out)).exit_code == 0
    again = json.loads(run(db, "consult", "polis-groups", str(out), "--json").output)
    from sklearn.metrics import adjusted_rand_score

    people = sorted(truth)
    assert adjusted_rand_score([direct["groups"][p] for p in people],
                               [again["groups"][f"polis-{p}"] for p in people]) > 0.95
