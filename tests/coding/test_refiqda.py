"""REFI-QDA: export valid against Project.xsd, round trip keeps every coding, real tools' files import."""

from __future__ import annotations

import datetime as dt
import json
import zipfile

import pytest
import xmlschema

from migrahub.coding.codebook import Code, Codebook, load_yaml
from migrahub.coding.refiqda import (
    Coding,
    Note,
    Project,
    RefiQdaError,
    Source,
    User,
    coding_keys,
    derived_guid,
    export_qdpx,
    import_qde,
    import_qdpx,
    project_from_passages,
    project_xml,
)

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)


@pytest.fixture(scope="module")
def gold_project(shared_dir):
    codebook = load_yaml(shared_dir / "codebook" / "local-migration-governance.yaml")
    passages = json.loads((shared_dir / "gold" / "passages.json").read_text(encoding="utf-8"))
    codes = json.loads((shared_dir / "gold" / "codes.json").read_text(encoding="utf-8"))
    docs = {p["doc"]: (shared_dir / "corpus" / "seeds" / p["doc"]).read_text(encoding="utf-8") for p in passages}
    meta = {d: {"language": "en", "year": 2019 + i, "published": dt.date(2019 + i, 1, 1), "reviewed": i % 2 == 0}
            for i, d in enumerate(sorted(docs))}
    user = User(derived_guid("user", "gold"), "gold annotator", "gold")
    project = project_from_passages("gold", codebook, docs, passages, codes, user, "2025-03-01T09:00:00Z", meta)
    memo = Note(derived_guid("note", 1), "Check GOV.NET boundary.", "memo", user.guid, "2025-03-02T09:00:00Z",
                span=(project.codings[0].source, project.codings[0].start, project.codings[0].end))
    code_memo = Note(derived_guid("note", 2), "Definition discussed on 2 March.", target=codebook.get("GOV.MLG").guid)
    proj_memo = Note(derived_guid("note", 3), "Project memo.")
    return Project(project.name, codebook, project.sources, project.codings, project.users,
                   (memo, code_memo, proj_memo), created_by=user.guid, created_at=project.created_at), codes


@pytest.fixture(scope="module")
def project_schema(shared_dir):
    return xmlschema.XMLSchema(str(shared_dir / "refi-qda" / "Project.xsd"))


def test_export_valid_conservative_form(gold_project, project_schema, tmp_path):
    project, codes = gold_project
    assert len(project.codings) == sum(len(v) for v in codes.values())
    path = export_qdpx(project, tmp_path / "gold.qdpx")
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        assert "project.qde" in names
        for s in project.sources:
            raw = z.read(f"sources/{s.guid}.txt")
            assert not raw.startswith(b"\xef\xbb\xbf") and raw.decode("utf-8") == s.text
        qde = z.read("project.qde")
    (tmp_path / "project.qde").write_bytes(qde)
    project_schema.validate(str(tmp_path / "project.qde"))
    text = qde.decode("utf-8")
    assert text.count("<Coding ") == len(project.codings)
    assert 'plainTextPath="internal://' in text and "<Variables>" in text and 'typeOfVariable="Date"' in text
    assert text.count('creatingUser="') >= len(project.codings)


def test_positions_are_code_points(project_schema, tmp_path):
    cb = Codebook("t", (Code("X", "x"),))
    user = User(derived_guid("u"), "u")
    text = "😀 Ünïcode ça va\nzweite Zeile"
    src = Source(derived_guid("s"), "s.txt", text, user.guid)
    c = Coding(src.guid, 2, 9, "X", user.guid, "2025-01-01T00:00:00Z")
    path = export_qdpx(Project("t", cb, (src,), (c,), (user,)), tmp_path / "t.qdpx")
    res = import_qdpx(path, reference=cb)
    (got,) = res.project.codings
    assert res.project.sources[0].text[got.start:got.end] == "Ünïcode"
    assert res.warnings == []


def test_round_trip_keeps_every_coding(gold_project, tmp_path):
    project, _ = gold_project
    first = import_qdpx(export_qdpx(project, tmp_path / "a.qdpx"), reference=project.codebook)
    assert first.warnings == []
    p1 = first.project
    assert {(c.source, c.start, c.end, c.code, c.created_by) for c in p1.codings} == \
           {(c.source, c.start, c.end, c.code, c.created_by) for c in project.codings}
    assert [s.text for s in p1.sources] == [s.text for s in project.sources]
    assert dict(p1.sources[0].variables) == dict(project.sources[0].variables)
    assert {(n.text, n.target, n.span) for n in p1.notes} == {(n.text, n.target, n.span) for n in project.notes}
    assert [c.id for c in p1.codebook.codes] == [c.id for c in project.codebook.codes]
    second = import_qdpx(export_qdpx(p1, tmp_path / "b.qdpx"), reference=project.codebook)
    assert coding_keys(second.project) == coding_keys(p1)
    assert {c.guid for c in second.project.codings} == {c.guid for c in p1.codings}


def test_real_nvivo_export_imports_with_codes(shared_dir):
    res = import_qdpx(shared_dir / "refi-qda" / "samples" / "qc_nvivo-mac-15_project.qdpx")
    p = res.project
    assert len(p.codebook.codes) == 262
    assert p.origin.startswith("NVivo")
    names = {c.name for c in p.codebook.codes}
    assert {"rq1_definition", "programming", "computational_literacy"} <= names
    nested = [c for c in p.codebook.codes if c.parent and p.codebook.get(c.parent).parent]
    assert nested
    assert len(p.sources) == 2 and {u.name for u in p.users} == {"chrisp", "cp"}
    assert any("richTextPath" in w for w in res.warnings)


def test_real_f4_export_imports_with_codes_and_memos(shared_dir):
    res = import_qde(shared_dir / "refi-qda" / "samples" / "openqda_f4_valid-document.qde")
    p = res.project
    (code,) = p.codebook.codes
    assert code.name == "Dies ist ein Test-Code" and code.colour == "#044B9B"
    assert code.description == "Dies ist der Kommentar vom Test-Code"
    assert {(c.start, c.end) for c in p.codings} == {(320, 416), (995, 1260)}
    assert all(c.code == code.id for c in p.codings)
    assert any(n.span and n.span[1:] == (603, 812) and "Memo" in n.text for n in p.notes)  # memo-only selection
    assert any(n.target == code.guid for n in p.notes)
    assert any("not found" in w for w in res.warnings)  # sources absent: said, not silent


def test_qc_demo_variants_are_accepted_and_reported(shared_dir):
    res = import_qdpx(shared_dir / "refi-qda" / "samples" / "qc_demo_project.qdpx")
    p = res.project
    assert len(p.codings) == 205 and len(p.codebook.codes) == 262
    assert {s.name for s in p.sources} == {"board_2017", "admin-1"}
    assert sum("lacks internal://" in w for w in res.warnings) == 2
    assert sum("without name" in w for w in res.warnings) == 2
    for c in p.codings[:50]:
        src = next(s for s in p.sources if s.guid == c.source)
        assert 0 <= c.start < c.end <= len(src.text)


def test_hand_authored_fixture_reports_discarded_elements(shared_dir):
    base = shared_dir / "refi-qda" / "samples" / "ornio_hand_authored"
    res = import_qde(base / "project.qde", base / "sources")
    p = res.project
    assert len(p.codings) == 2 and p.sources[0].name == "Interview 1.txt"
    c = min(p.codings, key=lambda c: c.start)
    assert p.codebook.get(c.code).name == "Health"
    for what in ("PictureSource", "PDFSource", "AudioSource", "VideoSource", "<Cases>", "<Links>", "<Sets>",
                 "<Graphs>"):
        assert any(what in w for w in res.warnings), what


def test_vendor_variants_in_archive(tmp_path, gold_project):
    project, _ = gold_project
    small = Project("s", project.codebook, project.sources[:1],
                    tuple(c for c in project.codings if c.source == project.sources[0].guid), project.users)
    good = export_qdpx(small, tmp_path / "good.qdpx")
    bad = tmp_path / "variant.qdpx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == "project.qde":
                zout.writestr("Trial.qde", data)
            else:
                zout.writestr(name.replace("sources/", "Sources/"), b"\xef\xbb\xbf" + data)
    res = import_qdpx(bad, reference=project.codebook)
    assert coding_keys(res.project) == coding_keys(import_qdpx(good, reference=project.codebook).project)
    joined = "\n".join(res.warnings)
    assert "Trial.qde" in joined and "'Sources/'" in joined and "BOM" in joined


def test_bad_files(tmp_path):
    with pytest.raises(RefiQdaError, match="not a zip"):
        (tmp_path / "x.qdpx").write_text("nope")
        import_qdpx(tmp_path / "x.qdpx")
    with zipfile.ZipFile(tmp_path / "empty.qdpx", "w") as z:
        z.writestr("readme.txt", "x")
    with pytest.raises(RefiQdaError, match="no .qde"):
        import_qdpx(tmp_path / "empty.qdpx")
    cb = Codebook("t", (Code("X", "x"),))
    src = Source(derived_guid("s"), "s", "short")
    with pytest.raises(RefiQdaError, match="beyond source"):
        project_xml(Project("t", cb, (src,), (Coding(src.guid, 0, 50, "X"),)))
    with pytest.raises(RefiQdaError, match="not in the codebook"):
        project_xml(Project("t", cb, (src,), (Coding(src.guid, 0, 2, "Y"),)))


def test_negative_selection_on_a_source_without_text_is_clamped_with_a_warning(tmp_path):
    code, source = derived_guid("code", "shelter"), derived_guid("source", "interview")
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="p"><CodeBook><Codes>
<Code guid="{code}" name="Shelter" isCodable="true"/></Codes></CodeBook><Sources>
<TextSource guid="{source}" name="interview" plainTextPath="internal://missing.txt">
<PlainTextSelection guid="{derived_guid('sel', 1)}" startPosition="-5" endPosition="3">
<Coding guid="{derived_guid('coding', 1)}"><CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>
<PlainTextSelection guid="{derived_guid('sel', 2)}" startPosition="-9" endPosition="-2">
<Coding guid="{derived_guid('coding', 2)}"><CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>
</TextSource></Sources></Project>"""
    path = tmp_path / "missing-text.qdpx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", qde)
    res = import_qdpx(path)
    assert [(c.start, c.end) for c in res.project.codings] == [(0, 3), (0, 0)]
    joined = "\n".join(res.warnings)
    assert "-5..3 starts before any text; clamped to 0..3" in joined
    assert "-9..-2 starts before any text; clamped to 0..0" in joined
    assert "source text missing" in joined
