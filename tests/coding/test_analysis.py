"""Analysis tables and charts on the gold codings."""

from __future__ import annotations

import csv
import io
import json

import pytest

from migrahub.coding.analysis import (
    code_by_document,
    code_frequencies,
    cooccurrence,
    frequencies_by,
    records_from_codes,
)
from migrahub.coding.charts import cooccurrence_heatmap, frequency_bar_chart

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)


@pytest.fixture(scope="module")
def records(shared_dir):
    passages = json.loads((shared_dir / "gold" / "passages.json").read_text(encoding="utf-8"))
    codes = json.loads((shared_dir / "gold" / "codes.json").read_text(encoding="utf-8"))
    meta = {"000_09212407272c8d56.txt": {"language": "en", "published": "2019-05-01", "place": ["Utrecht", "Oxford"]},
            "003_3a72d4e91ea61057.txt": {"language": "en", "year": 2020, "organisation": "IOM"}}
    return records_from_codes(passages, codes, meta), codes


def test_frequencies_match_gold(records):
    recs, codes = records
    freq = code_frequencies(recs)
    assert freq["GOV.PART"] == sum("GOV.PART" in v for v in codes.values()) == 92
    assert sum(freq.values()) == sum(len(v) for v in codes.values())


def test_frequencies_by_dimension(records):
    recs, _ = records
    by_doc = frequencies_by(recs, "document")
    assert sum(r[1] for r in by_doc.rows) == 352
    by_year = {r["year"]: r for r in frequencies_by(recs, "year").as_records()}
    assert set(by_year) == {"2019", "2020", "(none)"}
    assert by_year["2019"]["units"] == 12 and by_year["2020"]["units"] == 179
    by_place = {r["place"]: r for r in frequencies_by(recs, "place", codes=["GROUP.IRREG"]).as_records()}
    assert by_place["Utrecht"]["units"] == by_place["Oxford"]["units"] == 12  # list values count under each
    assert by_place["Utrecht"]["GROUP.IRREG"] >= 1


def test_cooccurrence_symmetric_with_frequency_diagonal(records):
    recs, codes = records
    t = cooccurrence(recs)
    idx = {c: i for i, c in enumerate(t.columns[1:])}
    m = [list(r[1:]) for r in t.rows]
    assert all(m[i][j] == m[j][i] for i in range(len(m)) for j in range(len(m)))
    assert m[idx["GOV.NET"]][idx["GOV.NET"]] == 42
    both = sum(1 for v in codes.values() if "GOV.NET" in v and "GROUP.IRREG" in v)
    assert m[idx["GOV.NET"]][idx["GROUP.IRREG"]] == both > 0


def test_code_by_document_and_exports(records):
    recs, _ = records
    t = code_by_document(recs)
    assert len(t.columns) == 1 + 5
    rows = list(csv.reader(io.StringIO(t.to_csv())))
    assert rows[0][0] == "code" and len(rows) == len(t.rows) + 1
    assert sum(int(x) for x in rows[1][1:]) == code_frequencies(recs)[rows[1][0]]
    assert json.loads(t.to_json())["columns"] == list(t.columns)


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_charts(records, tmp_path, suffix, magic):
    recs, _ = records
    bar = frequency_bar_chart(code_frequencies(recs), tmp_path / f"freq{suffix}")
    heat = cooccurrence_heatmap(cooccurrence(recs), tmp_path / f"co{suffix}")
    for p in (bar, heat):
        assert p.read_bytes().startswith(magic) and p.stat().st_size > 5000
    if suffix == ".svg":
        assert "GOV.PART" in bar.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="chart format"):
        frequency_bar_chart({"a": 1}, tmp_path / "x.pdf")
