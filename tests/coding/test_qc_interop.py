"""Interop with a real REFI-QDA peer: the ``qc`` CLI (PyPI ``qualitative-coding`` 1.7.8) imports our .qdpx headless.

qc's dependencies conflict with our venv, so it lives in its own venv, created once and cached in
``/work/main/.venv-qc`` (override with ``MIGRAHUB_QC_VENV``). Skips, saying why, when pip cannot install it.

What qc does with a .qdpx (read from its source, refi_qda/reader.py): codes become its code tree (by name), each
coding becomes a coded *line*; users become coders; Notes and Variables are dropped with a warning. qc 1.7.8 maps a
selection to a line by its ``name`` when that is ``line:N`` (qc's own exports), else by ``get_line_for_position``,
which returns line 0 for every position (a qc bug), so we check what arrived per code and coder, not the line.
"""

from __future__ import annotations

import re

from qc import run_qc  # the qc_bin fixture lives in conftest.py

from migrahub.coding.codebook import Code, Codebook
from migrahub.coding.refiqda import Coding, Note, Project, Source, User, derived_guid, export_qdpx, import_qdpx


def small_project() -> Project:
    cb = Codebook("mini", (Code("SERV", "Services", codable=False), Code("SERV.HOUSING", "Housing", "Shelter"),
                           Code("SERV.HEALTH", "Health", "Health care"), Code("SERV.LEGAL", "Legal aid"),
                           Code("COH", "Cohesion", "Living together")))
    cb = Codebook(cb.name, tuple(Code(c.id, c.name, c.description, parent=None if c.id in ("SERV", "COH") else "SERV",
                                      codable=c.codable) for c in cb.codes))
    ana, ben = User(derived_guid("user", "ana"), "ana"), User(derived_guid("user", "ben"), "ben")
    t1 = "The city opened a shelter.\nClinics serve undocumented migrants.\nLegal aid is free.\n"
    t2 = "Ümlaut café — housing first 🏠 works.\nNeighbours meet weekly.\n"
    s1 = Source(derived_guid("s", "a"), "leeds-report", t1, ana.guid, "2025-01-01T10:00:00Z",
                variables=(("year", 2024),))
    s2 = Source(derived_guid("s", "b"), "wien-notes", t2, ben.guid, "2025-01-01T10:00:00Z")
    when = "2025-01-02T10:00:00Z"
    codings = (Coding(s1.guid, 0, 26, "SERV.HOUSING", ana.guid, when),
               Coding(s1.guid, 27, 63, "SERV.HEALTH", ana.guid, when),
               Coding(s1.guid, 64, 82, "SERV.LEGAL", ben.guid, when),
               Coding(s2.guid, 14, 27, "SERV.HOUSING", ben.guid, when),
               Coding(s2.guid, 38, 61, "COH", ana.guid, when))
    return Project("mini", cb, (s1, s2), codings, (ana, ben),
                   (Note(derived_guid("n", 1), "first memo", target=s1.guid),), created_by=ana.guid)


def test_qc_imports_our_qdpx(qc_bin, tmp_path):
    project = small_project()
    qdpx = export_qdpx(project, tmp_path / "mini.qdpx")
    work = tmp_path / "qc"
    work.mkdir()
    log = run_qc(qc_bin, work, "init", "--import", str(qdpx))
    assert "Traceback" not in log
    assert (work / "corpus" / "leeds-report.txt").read_text(encoding="utf-8") == project.sources[0].text
    assert (work / "corpus" / "wien-notes.txt").read_text(encoding="utf-8") == project.sources[1].text
    listing = run_qc(qc_bin, work, "codes", "list", "--expanded")
    for path in ("Services:Housing", "Services:Health", "Services:Legal aid", "Cohesion"):
        assert path in listing, listing
    stats = run_qc(qc_bin, work, "codes", "stats")
    counts = {m.group(1).strip(): int(m.group(2)) for m in re.finditer(r"^(\S[^\n]*?)\s+(\d+)\s*$", stats, re.M)}
    assert counts.get("Housing") == 2 and counts.get("Health") == 1 and counts.get("Legal aid") == 1, stats
    assert counts.get("Cohesion") == 1, stats
    coders = run_qc(qc_bin, work, "coders")
    assert "ana" in coders and "ben" in coders
    # and back: qc's own export imports into MigraHub with the codes and codings it holds
    run_qc(qc_bin, work, "export", str(tmp_path / "back.qdpx"))
    back = import_qdpx(tmp_path / "back.qdpx")
    names = sorted(back.project.codebook.get(c.code).name for c in back.project.codings)
    assert names == ["Cohesion", "Health", "Housing", "Housing", "Legal aid"]
