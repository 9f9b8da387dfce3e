"""Codebooks: YAML and .qdc loading, .qdc export valid against Codebook.xsd, stable GUIDs, clear errors."""

from __future__ import annotations

import pytest
import xmlschema

from migrahub.coding.codebook import (
    Code,
    Codebook,
    CodebookError,
    code_guid,
    dump_yaml,
    load_codebook,
    load_qdc,
    load_yaml,
    normalize_colour,
    parse_qdc,
    to_qdc,
)

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)


@pytest.fixture(scope="module")
def gold_codebook(shared_dir):
    return load_yaml(shared_dir / "codebook" / "local-migration-governance.yaml")


def test_yaml_codebook_has_32_leaves_under_categories(gold_codebook):
    leaves = gold_codebook.leaves()
    assert len(leaves) == 32
    assert all(c.parent for c in leaves)
    assert {c.id for c in gold_codebook.children(None)} >= {"GOV", "SERV", "GROUP", "EVID"}
    mlg = gold_codebook.get("GOV.MLG")
    assert mlg.name == "Multilevel governance" and "competences" in mlg.description
    assert [c.id for c in gold_codebook.path("GOV.MLG")] == ["GOV", "GOV.MLG"]
    assert not gold_codebook.get("GOV").codable and mlg.codable
    assert mlg.colour == gold_codebook.get("GOV").colour  # children inherit the category colour


def test_qdc_export_is_schema_valid_and_guids_stable(gold_codebook, shared_dir, tmp_path):
    schema = xmlschema.XMLSchema(str(shared_dir / "refi-qda" / "Codebook.xsd"))
    data = to_qdc(gold_codebook)
    path = tmp_path / "cb.qdc"
    path.write_bytes(data)
    schema.validate(str(path))
    assert data == to_qdc(load_yaml(shared_dir / "codebook" / "local-migration-governance.yaml"))
    assert f'guid="{code_guid("GOV.MLG")}"'.encode() in data
    back = load_qdc(path, reference=gold_codebook)
    assert [(c.id, c.name, c.description, c.parent, c.codable) for c in back.codes] == \
           [(c.id, c.name, c.description, c.parent, c.codable) for c in gold_codebook.codes]
    without_ref = load_qdc(path)
    assert without_ref.get(code_guid("GOV.MLG")).name == "Multilevel governance"


def test_yaml_round_trip(gold_codebook, tmp_path):
    p = tmp_path / "cb.yaml"
    p.write_text(dump_yaml(gold_codebook), encoding="utf-8")
    assert load_yaml(p).codes == gold_codebook.codes


@pytest.mark.parametrize("name, n_codes", [
    ("derived/refi-qda-1.5_annexA1_codebook.qdc", 6),
    ("derived/taguette_tests_expected_codebook.qdc", 3),
    ("openqda_example_codebook.qdc", None),
])
def test_foreign_qdc_import(shared_dir, name, n_codes):
    warnings: list[str] = []
    cb = load_qdc(shared_dir / "refi-qda" / "samples" / name, warnings=warnings)
    if n_codes is not None:
        assert len(cb.codes) == n_codes
    assert all(c.guid.count("-") == 4 for c in cb.codes)
    if name.startswith("openqda"):
        # GUIDs like "c001" are not GUIDs: replaced, and said so
        assert any("not a GUID" in w for w in warnings)
        assert any(c.name == "Rage" and c.parent for c in cb.codes)
    if name.startswith("derived/refi"):
        assert cb.codes[1].colour == "#FFFF00"
        assert cb.codes[1].description.startswith("Anything about jobs")


def test_colour_variants():
    assert normalize_colour("#abc") == "#AABBCC"
    assert normalize_colour("FF000080") == "#FF0000"
    assert normalize_colour("red") is None


def test_errors_name_file_and_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("codes:\n  - name: No id\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=r"bad\.yaml: codes\[0\]\.id"):
        load_yaml(bad)
    dup = tmp_path / "dup.yaml"
    dup.write_text("codes:\n  - id: A\n  - id: A\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=r"dup\.yaml: codes\[1\]\.id 'A' is used twice"):
        load_yaml(dup)
    col = tmp_path / "col.yaml"
    col.write_text("codes:\n  - id: A\n    colour: blue\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=r"col\.yaml: codes\[0\]\.colour"):
        load_yaml(col)
    with pytest.raises(CodebookError, match="not well-formed"):
        parse_qdc(b"<CodeBook><Codes>", source="x.qdc")
    with pytest.raises(CodebookError, match="refused XML|not well-formed"):
        parse_qdc(b'<!DOCTYPE x [<!ENTITY a "b">]><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>')
    with pytest.raises(CodebookError, match="unknown codebook format"):
        load_codebook(tmp_path / "cb.txt")
    with pytest.raises(CodebookError, match="file not found"):
        load_yaml(tmp_path / "missing.yaml")


def test_in_memory_codebook_export_schema_valid(shared_dir, tmp_path):
    cb = Codebook("t", (Code("A", "Ä & <b>", "desc \"quoted\""), Code("A.1", "child", parent="A", colour="#123456")))
    p = tmp_path / "t.qdc"
    p.write_bytes(to_qdc(cb))
    xmlschema.XMLSchema(str(shared_dir / "refi-qda" / "Codebook.xsd")).validate(str(p))
    assert load_qdc(p, reference=cb).codes == cb.codes


def test_colour_yaml_reads_as_a_number_or_other_type(tmp_path):
    """``colour: 336699`` (six digits, read by YAML as an int) is the hex code; other types get a clear error."""
    ok = tmp_path / "ok.yaml"
    ok.write_text("codes:\n  - id: HOUSING\n    colour: 336699\n", encoding="utf-8")
    assert load_yaml(ok).get("HOUSING").colour == "#336699"
    for value in ("0xFF0000", "true", "[1, 2]", "1.5", "{r: 1}", "12345"):
        bad = tmp_path / "odd.yaml"
        bad.write_text(f"codes:\n  - id: HOUSING\n    colour: {value}\n", encoding="utf-8")
        with pytest.raises(CodebookError, match=r"odd\.yaml: codes\[0\]\.colour \(code 'HOUSING'\) is not a "
                                                r"#RRGGBB colour: .*quoted string"):
            load_yaml(bad)


def test_characters_a_qdc_cannot_hold_are_refused_on_load(tmp_path):
    bad = tmp_path / "ctl.yaml"
    bad.write_text('codes:\n  - id: SHELTER\n    name: "Night\\x01shelter"\n', encoding="utf-8")
    with pytest.raises(CodebookError, match=r"ctl\.yaml: codes\[0\]\.name \(code 'SHELTER'\) holds the character "
                                            r"'\\x01' \(U\+0001\)"):
        load_yaml(bad)
    bad.write_text('codes:\n  - id: SHELTER\n    description: "beds \\x1b[0m"\n', encoding="utf-8")
    with pytest.raises(CodebookError, match=r"codes\[0\]\.description \(code 'SHELTER'\) holds the character"):
        load_yaml(bad)


def test_qdc_export_of_an_in_memory_codebook_drops_what_xml_cannot_hold():
    cb = Codebook("t", (Code("A", "Night\x01shelter", "beds\x00 for\ufffe all"),))
    back = parse_qdc(to_qdc(cb), "back.qdc", reference=cb)
    assert [(c.id, c.name, c.description) for c in back.codes] == [("A", "Nightshelter", "beds for all")]


def test_yaml_dump_keeps_codable_where_not_the_default(tmp_path):
    src = tmp_path / "cb.yaml"
    src.write_text("codes:\n  - id: CAT\n    codable: true\n    children:\n      - id: CAT.A\n        codable: false\n"
                   "      - id: CAT.B\n  - id: OTHER\n    children:\n      - id: OTHER.A\n", encoding="utf-8")
    cb = load_yaml(src)
    assert [c.codable for c in cb.codes] == [True, False, True, False, True]
    text = dump_yaml(cb)
    assert text.count("codable:") == 2  # only where it is not the default
    again = tmp_path / "again.yaml"
    again.write_text(text, encoding="utf-8")
    assert [c.codable for c in load_yaml(again).codes] == [True, False, True, False, True]


def test_codable_must_be_a_boolean(tmp_path):
    bad = tmp_path / "codable.yaml"
    bad.write_text("codes:\n  - id: A\n    codable: 'no'\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=r"codable\.yaml: codes\[0\]\.codable \(code 'A'\) must be true or false"):
        load_yaml(bad)
