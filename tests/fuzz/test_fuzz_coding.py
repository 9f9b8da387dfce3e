"""Codebooks (YAML and REFI-QDA ``.qdc``) and REFI-QDA projects (``.qdpx``): a codebook or project that keeps its
invariants, or the module's own error (CodebookError, RefiQdaError) with a message — within the bounds, never
reading a file outside the archive."""

from __future__ import annotations

import re
import tempfile
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
import yaml
from fuzz_samples import CODEBOOK_YAML, codebook, qdc_bytes, qdpx_members
from fuzz_strategies import (
    ZIP_NAMES,
    build_zip,
    deep,
    hostile_text,
    mutated,
    patch_zip,
    prolog,
    xml_safe,
    zip_methods,
    zip_with_bomb,
)
from fuzz_support import SENTINEL, SENTINEL_TOKEN, bounded, fuzz, raises_only
from hypothesis import example, given
from hypothesis import strategies as st

from migrahub.coding.codebook import Codebook, CodebookError, dump_yaml, parse_qdc, parse_yaml, to_qdc
from migrahub.coding.refiqda import ImportResult, RefiQdaError, import_qdpx

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)


def check_codebook(cb: Codebook, where: str) -> None:
    """Codes in depth-first order: unique ids and GUIDs, every parent known and before its children, names
    non-empty, colours ``#RRGGBB``."""
    assert isinstance(cb, Codebook) and cb.codes, f"{where}: {cb!r}"[:200]
    seen: set[str] = set()
    for code in cb.codes:
        assert isinstance(code.id, str) and code.id and code.id not in seen, f"{where}: id {code.id!r}"
        assert code.parent is None or code.parent in seen, f"{where}: {code.id!r} before its parent {code.parent!r}"
        assert isinstance(code.name, str) and code.name.strip(), f"{where}: name {code.name!r}"
        assert code.colour is None or (len(code.colour) == 7 and code.colour.startswith("#")), code.colour
        assert isinstance(code.description, str)
        seen.add(code.id)
    assert len({c.guid for c in cb.codes}) == len(cb.codes), f"{where}: GUIDs repeated"
    assert isinstance(cb.name, str)


def shape(cb: Codebook) -> list[tuple]:
    return [(c.id, c.name, c.description, c.parent, c.colour) for c in cb.codes]


# -- YAML codebooks -----------------------------------------------------------------------------------------------

IDS = st.one_of(hostile_text(2, 40), st.sampled_from(["lmg/2024", "a", " a ", "", "x" * 1000, "a.b", "ü", "1"]),
                st.integers(-5, 5), st.none(), st.just(["a"]))
NAMES = st.one_of(hostile_text(2, 200), st.sampled_from(["Housing", " ", "", "\t"]), st.integers(), st.none(),
                  st.just({"a": 1}))
# colours YAML reads as numbers, lists or booleans (336699 is read as "#336699", the others are refused)
ODD_COLOURS = st.sampled_from([336699, 0xFF0000, [1], True, 1.5, {"r": 1}])
COLOURS = st.one_of(st.sampled_from(["#E69F00", "E69F00", "#abc", "#E69F00FF", "red", "", None, "#GGGGGG",
                                     "336699"]), ODD_COLOURS)


def code_tree(colours=COLOURS) -> st.SearchStrategy:
    def code(children):
        return st.fixed_dictionaries(
            {"id": IDS, "name": NAMES},
            optional={"description": st.one_of(hostile_text(3, 500), st.integers(), st.none()), "colour": colours,
                      "children": children, "codable": st.one_of(st.booleans(), st.sampled_from(["no", "", None]))})

    leaf = code(st.just([]))
    return st.recursive(leaf, lambda kids: code(st.lists(kids, max_size=4)), max_leaves=12)


RAW_YAML = st.one_of(
    st.integers(1, 20_000).map(lambda n: "codes:\n" + "".join("  " * i + f"- id: c{i}\n" + "  " * i +
                                                             "  children:\n" for i in range(min(n, 400)))),
    st.integers(1, 50_000).map(lambda n: "codes: " + "[" * n + "]" * n),
    st.integers(1, 50_000).map(lambda n: "codes:\n- id: a\n  name: " + "{a: " * n + "1" + "}" * n),
    st.sampled_from([
        "codes: &a [*a]", "codes:\n- &c {id: a, children: [*c]}", "!!python/object/apply:os.system ['true']",
        "codes:\n- id: a\n  name: !!binary aGVsbG8=", "codes:\n- id: a\n  name: \"\\x10\"",
        "codes:\n\t- id: a", "%YAML 1.1\n---\ncodes: [{id: a}]\n---\ncodes: [{id: b}]", "", "~", "[]",
        "codes: [{id: a}, {id: a}]", "codes: {id: a}", "codes:\n- id: a\n  children: {id: b}",
        "name: lmg/2024\ncodes: [{id: a}]",
        "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
        "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nname: *g\ncodes: [{id: a}]"]),
)


def yaml_codebook(colours=COLOURS) -> st.SearchStrategy[bytes]:
    tree = code_tree(colours)
    structured = st.fixed_dictionaries(
        {"codes": st.one_of(st.lists(tree, min_size=1, max_size=4), st.lists(tree, max_size=4), st.just("x"))},
        optional={"name": NAMES, "version": st.one_of(st.integers(), hostile_text(1, 20)),
                  "language": st.one_of(hostile_text(1, 10), st.just(["en"]))},
    ).map(lambda d: yaml.safe_dump(d, allow_unicode=True).encode("utf-8"))
    return st.one_of(structured, structured, RAW_YAML.map(lambda t: t.encode("utf-8")),
                     mutated(CODEBOOK_YAML.encode("utf-8")).map(yaml_characters))


_NOT_YAML = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def yaml_characters(data: bytes) -> bytes:
    """Mutated YAML without the characters YAML forbids, so that most mutations reach the parser (the forbidden
    characters are test_yaml_codebooks_pyyaml_cannot_build's)."""
    try:
        return _NOT_YAML.sub("", data.decode("utf-8")).encode("utf-8")
    except UnicodeDecodeError:
        return data  # not UTF-8: refused as such


@fuzz(weight=1.5)
@given(data=yaml_codebook())
def test_yaml_codebooks(data):
    """A codebook that keeps its invariants and comes back the same through its YAML dump, or a CodebookError."""
    with bounded("YAML codebook"):
        cb = raises_only(lambda: parse_yaml(data, "fuzz.yaml"), CodebookError)
        if isinstance(cb, CodebookError):
            assert "fuzz.yaml" in str(cb), f"the error does not name the file: {cb}"
            return
        check_codebook(cb, "YAML codebook")
        again = parse_yaml(dump_yaml(cb).encode("utf-8"), "again.yaml")
    assert shape(again) == shape(cb), "the YAML dump does not read back as the same codebook"


@fuzz(weight=0.3)
@given(data=yaml_codebook(ODD_COLOURS))
@example(data=b"codes:\n- {id: a, colour: 336699}")
def test_yaml_codebook_colours_of_other_types(data):
    with bounded("YAML codebook with odd colours"):
        cb = raises_only(lambda: parse_yaml(data, "fuzz.yaml"), CodebookError)
        if not isinstance(cb, CodebookError):
            check_codebook(cb, "YAML codebook")


@fuzz(weight=0.3)
@given(data=st.tuples(yaml_codebook(), st.sampled_from([b"version: 2024-01-01T25:00:00\n", b"\x10",
                                                        b"date: 2024-02-30\n", b"x: \x00\n"])).map(
    lambda d: d[1] + d[0]))
@example(data=b"version: 2024-01-01T25:00:00\ncodes:\n- id: a")
@example(data=b"\x10codes: []")
def test_yaml_codebooks_pyyaml_cannot_build(data):
    with bounded("YAML codebook PyYAML cannot build"):
        cb = raises_only(lambda: parse_yaml(data, "fuzz.yaml"), CodebookError)
        if not isinstance(cb, CodebookError):
            check_codebook(cb, "YAML codebook")


@fuzz(weight=1.0)
@given(data=yaml_codebook())
def test_yaml_codebooks_through_qdc(data):
    """A codebook read from YAML, exported as ``.qdc`` and read back against it, is the same codebook (names with
    characters XML cannot hold are refused when the YAML is read)."""
    with bounded("YAML codebook to .qdc"):
        cb = raises_only(lambda: parse_yaml(data, "fuzz.yaml"), CodebookError)
        if isinstance(cb, CodebookError):
            return
        back = parse_qdc(to_qdc(cb), "back.qdc", reference=cb)
    assert [(c.id, c.name, c.parent, c.colour, c.codable) for c in back.codes] == [
        (c.id, c.name, c.parent, c.colour, c.codable) for c in cb.codes]


@fuzz(weight=0.3)
@given(data=yaml_codebook())
@example(data=b'codes:\n- id: a\n  name: "x\\x01y"\n')
def test_qdc_export_of_names_xml_cannot_hold(data):
    with bounded("YAML codebook to .qdc"):
        cb = raises_only(lambda: parse_yaml(data, "fuzz.yaml"), CodebookError)
        if isinstance(cb, CodebookError):
            return
        back = parse_qdc(to_qdc(cb), "back.qdc", reference=cb)
    assert [(c.id, c.name) for c in back.codes] == [(c.id, c.name) for c in cb.codes]


@fuzz(weight=0.3)
@given(data=yaml_codebook())
@example(data=b"codes:\n- id: a\n  codable: false\n- id: b\n  codable: true\n  children: [{id: c}]\n")
def test_yaml_dump_keeps_codable(data):
    with bounded("YAML codebook dump"):
        cb = raises_only(lambda: parse_yaml(data, "fuzz.yaml"), CodebookError)
        if isinstance(cb, CodebookError):
            return
        again = parse_yaml(dump_yaml(cb).encode("utf-8"), "again.yaml")
    assert [c.codable for c in again.codes] == [c.codable for c in cb.codes]


# -- QDC ----------------------------------------------------------------------------------------------------------

GUIDS = ("6f1d8c2e-5b7a-5e0c-9a51-4d3b2a1c0e77", "{6F1D8C2E-5B7A-5E0C-9A51-4D3B2A1C0E77}",
         "11111111-2222-3333-4444-555555555555", "not-a-guid", "", "0" * 5000, "g" * 36)


@cache
def _attr_values(values: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.sampled_from(values) | hostile_text(2, 100)


def attr(draw, values) -> str:
    return quoteattr(xml_safe(draw(_attr_values(values))))


@st.composite
def qdc_codes(draw, depth: int = 0) -> str:
    out = []
    for _ in range(draw(st.integers(0, 3))):
        inner = draw(qdc_codes(depth + 1)) if depth < 3 else ""
        desc = f"<Description>{escape(xml_safe(draw(hostile_text(2, 300))))}</Description>" if draw(
            st.booleans()) else ""
        out.append(f"<Code guid={attr(draw, GUIDS)} name={attr(draw, ('Housing', '', ' '))} "
                   f"isCodable={attr(draw, ('true', 'false', '1', 'x'))} color={attr(draw, ('#E69F00', 'E69F00FF'))}>"
                   f"{desc}{inner}</Code>")
    return "".join(out)


@st.composite
def qdc_document(draw) -> bytes:
    ns = draw(st.sampled_from(['xmlns="urn:QDA-XML:codebook:1.0"', "", 'xmlns="urn:other"']))
    codes = draw(qdc_codes())
    n = draw(st.sampled_from((0, 0, 50, 200, 20_000)))
    if n:
        codes += deep('Code guid="x" name="n"', n, "", draw(st.booleans())).replace('</Code guid="x" name="n">',
                                                                                   "</Code>")
    root = draw(st.sampled_from(["CodeBook", "CodeBook", "Project", "x"]))
    sets = "<Sets><Set guid='a' name='s'/></Sets>" if draw(st.booleans()) else ""
    body = f"<{root} {ns} origin={attr(draw, ('MigraHub', 'lmg/2024'))}><Codes>{codes}</Codes>{sets}</{root}>"
    return (draw(prolog(root)) + body).encode("utf-8", "replace")


@fuzz(weight=1.5)
@given(data=st.one_of(qdc_document(), mutated(qdc_bytes())))
def test_qdc_codebooks(data):
    with bounded(".qdc codebook"):
        warnings: list[str] = []
        cb = raises_only(lambda: parse_qdc(data, "fuzz.qdc", warnings=warnings), CodebookError)
        if isinstance(cb, CodebookError):
            assert "fuzz.qdc" in str(cb), f"the error does not name the file: {cb}"
            return
        check_codebook(cb, ".qdc codebook")
        assert all(isinstance(w, str) for w in warnings)


# -- QDPX ---------------------------------------------------------------------------------------------------------

NEGATIVE = ("-5", "-1", "-99999999999999999999")
POSITIONS = ("0", "5", "12", "99999999", "", "x", "1e3", " 3 ", "٣", "9" * 30) + NEGATIVE
PATHS = ("internal://a.txt", "internal://missing.txt", "absolute:///etc/passwd", f"absolute://{SENTINEL}",
         "relative://../a.txt", "file:///etc/passwd", f"file://{SENTINEL}", "a.txt", "", "sources/a.txt",
         "internal://../../etc/passwd", "internal://A.TXT", "internal://sources\\a.txt")
VALUES = ("<IntegerValue>12</IntegerValue>", "<IntegerValue>x</IntegerValue>", "<FloatValue>1e999</FloatValue>",
          "<DateValue>2024-02-30</DateValue>", "<BooleanValue>maybe</BooleanValue>", "<TextValue/>", "")


@st.composite
def qde_document(draw, positions=POSITIONS) -> bytes:
    user = "0b0e5c6e-7d1a-4f3e-9b39-6a0b7c1d2e3f"
    codes = draw(qdc_codes()) + '<Code guid="6458c9d7-fabd-5e1e-afed-65de25799c11" name="Shelter" isCodable="true"/>'
    code_refs = ("6458c9d7-fabd-5e1e-afed-65de25799c11", "11111111-2222-3333-4444-555555555555", "x", "")
    sources = []
    for i in range(draw(st.integers(0, 3))):
        selections = []
        for _ in range(draw(st.integers(0, 3))):
            codings = "".join(
                f"<Coding guid={attr(draw, GUIDS)} creatingUser={attr(draw, (user, 'nobody'))}>"
                f"<CodeRef targetGUID={attr(draw, code_refs)}/></Coding>" for _ in range(draw(st.integers(0, 2))))
            selections.append(f"<PlainTextSelection guid={attr(draw, GUIDS)} "
                              f"startPosition={attr(draw, positions)} endPosition={attr(draw, positions)}>"
                              f"<Description>{escape(xml_safe(draw(hostile_text(1, 50))))}</Description>"
                              f"{codings}<NoteRef targetGUID={attr(draw, GUIDS)}/></PlainTextSelection>")
        inline = (f"<PlainTextContent>{escape(xml_safe(draw(hostile_text(3, 2000))))}</PlainTextContent>"
                  if draw(st.booleans()) else "")
        value = f"<VariableValue><VariableRef targetGUID={attr(draw, GUIDS)}/>{draw(st.sampled_from(VALUES))}" \
                "</VariableValue>"
        kind = draw(st.sampled_from(["TextSource", "TextSource", "PictureSource", "PDFSource"]))
        sources.append(f"<{kind} guid={attr(draw, GUIDS)} name={attr(draw, (f's{i}', ''))} "
                       f"plainTextPath={attr(draw, PATHS)} richTextPath={attr(draw, ('', 'internal://r.docx'))}>"
                       f"{inline}{''.join(selections)}{value}"
                       f"<Coding guid='c'><CodeRef targetGUID={attr(draw, code_refs)}/></Coding></{kind}>")
    notes = "".join(f"<Note guid={attr(draw, GUIDS)} plainTextPath={attr(draw, PATHS)}/>"
                    for _ in range(draw(st.integers(0, 2))))
    body = (f'<Project xmlns="urn:QDA-XML:project:1.0" name={attr(draw, ("p", ""))} creatingUserGUID="{user}">'
            f'<Users><User guid="{user}" name="Ana"/><User guid={attr(draw, GUIDS)}/></Users>'
            f"<CodeBook><Codes>{codes}</Codes></CodeBook>"
            f'<Variables><Variable guid={attr(draw, GUIDS)} name="year" typeOfVariable="Integer"/></Variables>'
            f"<Sources>{''.join(sources)}</Sources><Notes>{notes}</Notes><Cases><Case/></Cases></Project>")
    return (draw(prolog("Project")) + body).encode("utf-8", "replace")


SOURCE_BYTES = st.one_of(st.just("Die Stadt eröffnet ein Zentrum.".encode()),
                         st.just(b"\xef\xbb\xbfwith BOM"), st.just("caf\xe9".encode("cp1252")), st.binary(max_size=64),
                         hostile_text(3, 2000).map(lambda t: t.encode("utf-8")))


@st.composite
def qdpx_archive(draw, positions=POSITIONS) -> bytes:
    members = dict(qdpx_members())
    if draw(st.integers(0, 3)):
        members["project.qde"] = draw(qde_document(positions))
    for name in ("sources/a.txt", "Sources/A.TXT", "sources/b.txt"):
        if draw(st.booleans()):
            members[name] = draw(SOURCE_BYTES)
    if draw(st.integers(0, 5)) == 0:
        members[draw(st.sampled_from(["x/Trial.qde", "Project.QDE", "b.qde"]))] = members.pop("project.qde")
    extra = draw(st.lists(st.tuples(st.sampled_from(ZIP_NAMES), st.binary(max_size=64)), max_size=2))
    method = draw(zip_methods())
    data = build_zip([(n, d, method) for n, d in members.items()] + [(n, d, method) for n, d in extra])
    if draw(st.integers(0, 4)) == 0:
        data = patch_zip(data, draw(st.sampled_from(["size", "method", "flags", "count"])),
                         draw(st.sampled_from([0, 1, 9, 99, 0xFFFFFFFF, 30_000])))
    return data


@cache
def qdpx_bomb(megabytes: int) -> bytes:
    return zip_with_bomb("sources/1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f.txt", megabytes, qdpx_members())


def check_project(result: ImportResult, where: str) -> None:
    project = result.project
    codes = {c.id for c in project.codebook.codes}
    sources = {s.guid: s for s in project.sources}
    assert all(isinstance(w, str) for w in result.warnings)
    for s in project.sources:
        assert SENTINEL_TOKEN not in s.text and "root:x:0:0" not in s.text, f"{where}: a file of the disk was read"
        s.text.encode("utf-8")
    for c in project.codings:
        assert c.code in codes, f"{where}: coding with unknown code {c.code!r}"
        assert c.source in sources, f"{where}: coding on unknown source {c.source!r}"
        text = sources[c.source].text
        if c.end > len(text):
            assert any("source text missing" in w for w in result.warnings), \
                f"{where}: coding {c.start}..{c.end} beyond the text ({len(text)} chars) without a warning"
        assert 0 <= c.start <= c.end


@pytest.fixture(scope="module")
def workdir():
    with tempfile.TemporaryDirectory(prefix="migrahub-fuzz-") as tmp:
        yield Path(tmp)


def import_bytes(workdir: Path, data: bytes):
    path = workdir / "project.qdpx"
    path.write_bytes(data)
    return raises_only(lambda: import_qdpx(path), RefiQdaError)


@fuzz(weight=1.5)
@given(data=st.one_of(qdpx_archive(), qdpx_archive(), st.builds(lambda: build_zip(list(
    (n, d, 8) for n, d in qdpx_members().items()))).flatmap(mutated)))
def test_qdpx_projects(workdir, data):
    with bounded(".qdpx project"):
        result = import_bytes(workdir, data)
        if not isinstance(result, RefiQdaError):
            check_project(result, ".qdpx project")


MISSING_TEXT_QDE = b"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="p"><CodeBook><Codes>
<Code guid="6458c9d7-fabd-5e1e-afed-65de25799c11" name="Shelter" isCodable="true"/></Codes></CodeBook><Sources>
<TextSource guid="1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f" name="s" plainTextPath="internal://missing.txt">
<PlainTextSelection guid="11111111-2222-3333-4444-555555555555" startPosition="-5" endPosition="3">
<Coding guid="21111111-2222-3333-4444-555555555555"><CodeRef targetGUID="6458c9d7-fabd-5e1e-afed-65de25799c11"/>
</Coding></PlainTextSelection></TextSource></Sources></Project>"""


@fuzz(weight=0.3)
@given(data=qdpx_archive(NEGATIVE + ("0", "3", "12")))  # mostly negative starts
@example(data=build_zip([("project.qde", MISSING_TEXT_QDE, 8)]))
def test_qdpx_selections_on_missing_text(workdir, data):
    with bounded(".qdpx with selections on missing text"):
        result = import_bytes(workdir, data)
        if not isinstance(result, RefiQdaError):
            check_project(result, ".qdpx with selections on missing text")


@fuzz(weight=0.3)
@given(size=st.sampled_from([64, 300, 3000]), what=st.sampled_from(["", "size"]))
def test_qdpx_bombs(workdir, size, what):
    data = qdpx_bomb(size)
    if what:
        data = patch_zip(data, what, 1000)
    with bounded(".qdpx bomb"):
        result = import_bytes(workdir, data)
        if not isinstance(result, RefiQdaError):
            check_project(result, ".qdpx bomb")


def test_the_valid_samples_read(workdir):
    """The seeds are real: the codebook reads, and the exported project imports with its codings."""
    check_codebook(codebook(), "sample")
    result = import_bytes(workdir, build_zip([(n, d, 8) for n, d in qdpx_members().items()]))
    assert isinstance(result, ImportResult) and len(result.project.codings) == 2
    check_project(result, "sample")
