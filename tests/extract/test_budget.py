"""Hostile shapes of text extract in bounded time, and what the budget leaves out is said (issue: quadratic patterns).

Each shape is 10 MB (or the size named); the bounds are generous on purpose (speed targets live in bench/).
"""

from __future__ import annotations

import time

import pytest

from migrahub.extract import Budget, extract
from migrahub.extract.budget import prepare
from migrahub.extract.people import find_people
from migrahub.extract.segments import URL_RE, paragraphs, sentences, url_spans

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)

MB10 = 10_000_000


def _shape(unit: str, size: int = MB10) -> str:
    return unit * (size // len(unit))


SHAPES = {
    "one letter, no space": _shape("a"),
    "one capital, no space": _shape("A"),
    "dots": _shape("."),
    "word characters and dots": _shape("a."),
    "word characters and at signs": _shape("a@"),
    "words joined by hyphens": _shape("Ab-"),
    "digits": _shape("7"),
    "deeply nested brackets": "(" * (MB10 // 2) + ")" * (MB10 // 2),
    "one line of capitalised words": _shape("Abc "),
    "one line of initials": _shape("A. "),
    "one line of titles": _shape("Mr "),
    "acronym after acronym": _shape("Abc (AB) "),
    "names with connectors": _shape("Abc of the "),
    "a definition after another": _shape("X is a network "),
    "years": _shape("2019 "),
    "short paragraphs": _shape("- Abc\n\n"),
}


@pytest.mark.parametrize("name", list(SHAPES))
def test_pathological_text_extracts_in_bounded_time(name):
    text = SHAPES[name]
    t0 = time.perf_counter()
    x = extract(text, doc="hostile.txt")
    elapsed = time.perf_counter() - t0
    assert elapsed < 30, f"{name}: {elapsed:.1f}s"
    assert x.notes, "what the budget left out is said"
    for m in x.mentions:
        assert text[m.start : m.end] == m.surface


def test_url_pattern_is_linear_on_runs_of_word_characters():
    # 20k characters took 0.74 s and 100k 21 s with the old pattern; one pass now, whatever the run
    for unit in ("a", "a.", "a-", "a@", "a.b@", "www", "1."):
        text = _shape(unit, 2_000_000)
        t0 = time.perf_counter()
        list(URL_RE.finditer(text))
        assert time.perf_counter() - t0 < 10, unit


def test_url_pattern_still_finds_addresses():
    text = "Write to info@city-hall.gov.uk or see https://example.org/a?b=1, www.migration.eu/x and coe.int."
    found = [text[s:e] for s, e in url_spans(text)]
    assert found == ["info@city-hall.gov.uk", "https://example.org/a?b=1,", "www.migration.eu/x", "coe.int"]
    assert url_spans("e.g. the U.S. and i.e. this") == []


def test_segmentation_is_linear_on_initials_and_blank_lines():
    for text in (_shape("A. ", 2_000_000), _shape("\n", 2_000_000), _shape("   \n", 2_000_000)):
        t0 = time.perf_counter()
        sentences(text)
        paragraphs(text)
        assert time.perf_counter() - t0 < 20
    assert [s.text for s in sentences("Mr. Smith met J. Doe. Then they left.")] == [
        "Mr. Smith met J. Doe.",
        "Then they left.",
    ]
    assert [p.text for p in paragraphs("a\nb\n\n  \n\nc")] == ["a\nb", "c"]


def test_member_list_without_an_end_does_not_backtrack():
    # 25 names and a semicolon took more than a minute (exponential backtracking); now one pass
    text = "The members are " + ", ".join(["Anna Weber Smith"] * 200) + "; and so on"
    find_people("The members are Anna Weber and Ola Smith.")  # loads the gazetteers first
    t0 = time.perf_counter()
    find_people(text)
    assert time.perf_counter() - t0 < 5
    names = {h.name for h in find_people("The members of the board are Ana Ruiz, director, and Luis Gil.")}
    assert {"Ana Ruiz", "Luis Gil"} <= names


def test_left_out_runs_keep_offsets_into_the_document():
    text = "The mayor of Ghent spoke. " + "x" * 5_000 + " Then Vienna hosted the Urban Forum." + " " * 100 + "Lyon."
    x = extract(text, doc="t.txt")
    assert {p.name for p in x.places} >= {"Ghent", "Vienna", "Lyon"}
    for m in x.mentions:
        assert text[m.start : m.end] == m.surface
    assert any("without a space" in n for n in x.notes)
    assert x.to_schema()["notes"] == list(x.notes)
    p = prepare(text)
    assert len(p.text) < len(text) and p.original(0, 5) == (0, 5)


def test_size_budget_reads_the_beginning_and_says_so():
    text = "Vienna and Ghent met. " * 20 + "Lyon joined. " * 100
    x = extract(text, doc="t.txt", budget=Budget(max_chars=300))
    assert {p.name for p in x.places} == {"Vienna", "Ghent"}
    assert any("size budget" in n for n in x.notes)


def test_time_budget_keeps_what_was_found_and_names_what_was_left_out():
    x = extract("The International Organization for Migration met in Vienna.", doc="t.txt", budget=Budget(seconds=0))
    assert x.places == () and x.events == ()
    assert any("time budget" in n and "extract/places@1" in n for n in x.notes)
    assert "extract/places@1" not in x.provenance


def test_budget_from_the_environment(monkeypatch):
    monkeypatch.setenv("MIGRAHUB_EXTRACT_MAX_CHARS", "1234")
    monkeypatch.setenv("MIGRAHUB_EXTRACT_SECONDS", "2.5")
    assert (Budget.from_env().max_chars, Budget.from_env().seconds) == (1234, 2.5)
    monkeypatch.setenv("MIGRAHUB_EXTRACT_SECONDS", "soon")
    with pytest.raises(ValueError, match="MIGRAHUB_EXTRACT_SECONDS"):
        Budget.from_env()


def test_ten_megabytes_without_spaces_through_the_door(tmp_path):
    from migrahub.services.entities import extract_file

    f = tmp_path / "blob.txt"
    f.write_text("a" * MB10, encoding="utf-8")
    t0 = time.perf_counter()
    record = extract_file(f)
    assert time.perf_counter() - t0 < 60
    assert record["places"] == [] and record["notes"]
