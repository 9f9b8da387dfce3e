"""The open research library: CSL-JSON / RIS / BibTeX read, written, validated, read back by the field's parsers,
duplicates merged, bad files refused with the record named and nothing stored lost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
import rispy

from migrahub.connect import csl, reading
from migrahub.connect.references import BibliographyError, Name, Reference
from migrahub.services.connect import library
from migrahub.store.database import connect

MIGRAHUB = [str(Path(sys.executable).with_name("migrahub"))]

REFS = [
    Reference(title="Municipal ID cards for all residents: a comparison of {five} cities", type="report",
              key="idcards2021", authors=(Name("Okafor", "Adaeze"), Name("Lindqvist", "Bo")),
              organisations=("Plimsoll Institute for Urban Migration",), year=2021, doi="10.5555/plim.2021.07",
              url="https://plimsoll.example.org/id-cards", publisher="Plimsoll Institute", abstract="Cards, 50% & more",
              language="en", note="Read for the working group.", keywords=("identity",),
              places=("Zarnow", "Velmont"), themes=("identity-documents", "undocumented")),
    Reference(title="Sanctuary policies in small towns", type="article-journal", key="sanct2019",
              authors=(Name("Ferreira", "Inês"),), year=2019, container="Journal of Local Migration Studies",
              places=("Östervik",), themes=("sanctuary",)),
    Reference(title="Housing first for newcomers", type="webpage", key="hf", organisations=("City of Velmont",),
              url="https://velmont.example.org/housing-first", themes=("housing",)),
]


@pytest.fixture()
def conn(tmp_path):
    c = connect(tmp_path / "hub.sqlite3")
    yield c
    c.close()


def _keyed(refs):
    return [(r.key, r) for r in refs]


@pytest.mark.parametrize("fmt", ["csl-json", "ris", "bibtex"])
def test_each_format_reads_back_every_field(fmt):
    text = reading.write(_keyed(REFS), fmt)
    found, back = reading.read_bytes(text.encode(), "export")
    assert found == fmt
    assert back == REFS


def test_csl_json_export_validates_against_the_official_schema():
    items = json.loads(reading.write(_keyed(REFS), "csl-json"))
    jsonschema.Draft3Validator(csl.schema()).validate(items)
    assert csl.schema()["id"].endswith("csl-data.json")
    assert items[0]["keyword"].split(", ")[1:] == ["place:Zarnow", "place:Velmont", "theme:identity-documents",
                                                   "theme:undocumented"]
    assert "places: Zarnow; Velmont" in items[0]["note"]
    assert {"literal": "Plimsoll Institute for Urban Migration"} in items[0]["author"]
    # the schema is strict: a field of our own would be refused
    assert csl.problems([{**items[0], "places": ["Zarnow"]}])


def test_ris_export_read_by_rispy_keeps_every_field():
    entries = rispy.loads(reading.write(_keyed(REFS), "ris"))
    first = entries[0]
    assert first["type_of_reference"] == "RPRT"
    assert first["title"] == REFS[0].title
    assert first["authors"] == ["Okafor, Adaeze", "Lindqvist, Bo", "Plimsoll Institute for Urban Migration"]
    assert first["year"] == "2021" and first["doi"] == "10.5555/plim.2021.07"
    assert first["urls"] == ["https://plimsoll.example.org/id-cards"]
    assert first["keywords"] == ["identity", "place:Zarnow", "place:Velmont", "theme:identity-documents",
                                 "theme:undocumented"]
    assert any("places: Zarnow; Velmont" in n for n in first["notes"])
    assert entries[2]["type_of_reference"] == "ELEC"


def test_bibtex_export_read_by_bibtexparser_keeps_every_field():
    parsed = bibtexparser.parse_string(reading.write(_keyed(REFS), "bibtex"))
    assert not parsed.failed_blocks
    e = parsed.entries[0]
    fields = {f.key: f.value for f in e.fields}
    assert e.entry_type == "techreport" and e.key == "idcards2021"
    assert fields["author"] == "Okafor, Adaeze and Lindqvist, Bo and {Plimsoll Institute for Urban Migration}"
    assert fields["doi"] == "10.5555/plim.2021.07" and fields["year"] == "2021"
    assert "place:Zarnow" in fields["keywords"] and "theme:undocumented" in fields["keywords"]
    assert "places: Zarnow; Velmont" in fields["note"]
    assert parsed.entries[1].entry_type == "article"
    assert {f.key: f.value for f in parsed.entries[1].fields}["journal"] == "Journal of Local Migration Studies"


@pytest.mark.parametrize("fmt", ["csl-json", "ris", "bibtex"])
def test_import_export_import_is_stable(conn, tmp_path, fmt):
    first = tmp_path / f"first.{fmt}"
    first.write_text(reading.write(_keyed(REFS), fmt), encoding="utf-8")
    assert library.import_file(conn, first).added == 3
    text, count = library.export(conn, fmt)
    assert count == 3
    again = tmp_path / f"again.{fmt}"
    again.write_text(text, encoding="utf-8")
    other = connect(tmp_path / "other.sqlite3")
    library.import_file(other, again)
    assert library.export(other, fmt)[0] == text
    _, rows = library.search(other, "")
    assert sorted(r.title for _, r in rows) == sorted(r.title for r in REFS)
    other.close()


def test_duplicates_merge_by_doi_url_and_title(conn):
    a = Reference(title="Welcoming cities report", doi="https://doi.org/10.1/ABC", places=("Zarnow",), year=2020)
    b = Reference(title="Welcoming Cities: report", doi="10.1/abc", themes=("reception",), publisher="X Press")
    c = Reference(title="Another title", url="http://www.velmont.example.org/plan/")
    d = Reference(title="The plan", url="https://velmont.example.org/plan", year=2018)
    e = Reference(title="WELCOMING CITIES REPORT", year=2020)
    f = Reference(title="Welcoming cities report", year=2014)  # same title, another year: another work
    for ref in (a, b, c, d, e, f):
        library.add_reference(conn, ref, "test")
    total, rows = library.search(conn, "")
    assert total == 3
    merged = next(r for _, r in rows if r.doi)
    assert merged.places == ("Zarnow",) and merged.themes == ("reception",) and merged.publisher == "X Press"
    assert next(r for _, r in rows if r.url).year == 2018


def test_query_and_selection_exports(conn, tmp_path):
    path = tmp_path / "lib.json"
    path.write_text(reading.write(_keyed(REFS), "csl-json"), encoding="utf-8")
    library.import_file(conn, path)
    text, count = library.export(conn, "ris", query="velmont")
    assert count == 2  # a place and an organisation both count
    text, count = library.export(conn, "bibtex", query="sanctuary Östervik")
    assert count == 1 and "sanct2019" in text
    ids = [rid for rid, ref in library.search(conn, "")[1] if ref.key == "hf"]
    text, count = library.export(conn, "csl-json", ids=ids)
    assert count == 1 and json.loads(text)[0]["id"] == "hf"


BAD = {
    "latin1.bib": ("@book{good1, title={Fine}, year={2020}}\n@book{caf\xe9, title={Caf\xe9 society}}\n"
                   .encode("latin-1"), "line 2 (record 2, caf"),
    "braces.bib": (b"@book{ok, title={Fine}}\n@article{broken2020, title={Unclosed, year=2020}\n@book{x, title={Y}}\n",
                   "broken2020"),
    "cut.ris": (b"TY  - RPRT\nTI  - Complete one\nER  - \nTY  - JOUR\nTI  - Cut short report\nAU  - Doe, J\n",
                "record 2 ('Cut short report') has no end line"),
    "notitle.json": (json.dumps([{"id": "a", "type": "book", "title": "Fine"}, {"id": "nt-7", "type": "book"}])
                     .encode(), "item 2 (nt-7): no title"),
    "broken.json": (b'[{"id": "a", "title": "x"', "broken.json"),
    "badname.json": (json.dumps([{"id": "z", "title": "T", "author": ["Smith"]}]).encode(), "item 1 (z), author 1"),
    "other.txt": (b"just some notes\n", "not CSL-JSON"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_files_name_the_record_and_lose_nothing(conn, tmp_path, name):
    good = tmp_path / "good.json"
    good.write_text(reading.write(_keyed(REFS), "csl-json"), encoding="utf-8")
    library.import_file(conn, good)
    before = library.export(conn, "csl-json")
    data, expected = BAD[name]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(BibliographyError) as err:
        library.import_file(conn, path)
    assert expected in str(err.value) and name in str(err.value)
    assert library.export(conn, "csl-json") == before


def test_a_file_over_the_size_limit_is_refused_before_reading(conn, tmp_path):
    big = tmp_path / "huge.bib"
    with big.open("wb") as handle:  # 50 MB of entries
        chunk = b"@misc{k, title={A title that repeats}, year={2020}}\n" * 20_000
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(chunk)
    with pytest.raises(BibliographyError, match=r"huge\.bib: 5\d,\d{3},\d{3} bytes, over the limit"):
        library.import_file(conn, big)
    assert library.search(conn, "")[0] == 0


def test_a_bad_record_after_good_ones_stores_nothing_of_the_file(conn, tmp_path):
    path = tmp_path / "mixed.ris"
    path.write_text("TY  - RPRT\nTI  - First fine report\nER  - \nTY  - RPRT\nAU  - Nobody\nER  - \n", "utf-8")
    with pytest.raises(BibliographyError, match=r"record 2 \(untitled\): no title"):
        library.import_file(conn, path)
    assert library.search(conn, "")[0] == 0


def test_zotero_style_inputs(conn, tmp_path):
    bib = tmp_path / "zotero.bib"
    bib.write_text("@techreport{mayor_2022,\n title = {{Welcoming} {Cities} in {Caf\\'e} culture},\n"
                   " author = {{Eurocities} and M{\\\"u}ller, Jan and Anna Berg},\n year = {2022},\n"
                   " institution = {Eurocities},\n url = {https://example.org/a%20b_c},\n"
                   " keywords = {integration; place:Zarnow}\n}\n", encoding="utf-8")
    library.import_file(conn, bib)
    ref = library.search(conn, "")[1][0][1]
    assert ref.title == "Welcoming Cities in Café culture"
    assert ref.organisations == ("Eurocities",)
    assert ref.authors == (Name("Müller", "Jan"), Name("Berg", "Anna"))
    assert ref.url == "https://example.org/a%20b_c" and ref.places == ("Zarnow",) and ref.type == "report"


def test_cli_import_export(tmp_path):
    db = tmp_path / "cli.sqlite3"
    src = tmp_path / "in.ris"
    src.write_text(reading.write(_keyed(REFS), "ris"), encoding="utf-8")
    run = lambda *a: subprocess.run([*MIGRAHUB, "--db", str(db), *a], capture_output=True, text=True,  # noqa: E731
                                    timeout=120)
    done = run("library", "import", str(src))
    assert done.returncode == 0, done.stderr
    assert "ris, 3 references read, 3 added" in done.stdout
    out = tmp_path / "out.json"
    done = run("library", "export", str(out), "--format", "csl-json", "--query", "housing")
    assert done.returncode == 0, done.stderr
    assert [i["id"] for i in json.loads(out.read_text("utf-8"))] == ["hf"]
    bad = tmp_path / "bad.bib"
    bad.write_text("@book{x, title={Open", encoding="utf-8")
    done = run("library", "import", str(bad))
    assert done.returncode == 2 and "bad.bib" in done.stderr and "nothing was imported" in done.stderr


def test_resources_found_in_documents_join_the_library_with_their_places(hub_copy, tmp_path):
    from migrahub.services.ingest import ingest

    docs = tmp_path / "cites"
    docs.mkdir()
    (docs / "reception.md").write_text(
        "# Reception in Bologna\n\nBologna's council based its plan on the report \"Refugee reception and "
        "integration in cities\" (Eurocities, 2016), available at: https://example.org/reception-report.pdf, and "
        "on its own survey.\n", encoding="utf-8")
    ingest([str(docs)], hub_copy)
    conn = connect(hub_copy)
    imported = tmp_path / "mine.json"  # the same work, already imported from a reference manager (by its URL)
    imported.write_text(json.dumps([{"id": "eurocities2016", "type": "report", "title": "Refugee reception and "
                                     "integration in cities", "URL": "https://example.org/reception-report.pdf",
                                     "author": [{"literal": "Eurocities"}]}]), encoding="utf-8")
    library.import_file(conn, imported)
    assert library.sync_extracted(conn) == 0  # merged into the imported reference, not added twice
    assert library.sync_extracted(conn) == 0
    total, rows = library.search(conn, "reception")
    assert total == 1
    ref = rows[0][1]
    assert ref.key == "eurocities2016" and ref.year == 2016 and ref.entity_id and "Bologna" in ref.places
    conn.close()
