"""Bad definitions and tables are refused with errors naming the row or field."""

from __future__ import annotations

import pytest

from migrahub.compare import coinr, definition
from migrahub.compare.model import CompareError
from migrahub.compare.tables import read_csv_text, read_table_bytes

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)


def _nodes(*children, weights=None):
    return {"code": "x", "nodes": [{"code": "T"}, *children]}


def test_weights_that_do_not_sum_are_refused():
    data = {"code": "x", "structure": [{"code": "T", "children": [{"code": "a", "weight": 0.5},
                                                                   {"code": "b", "weight": 0.3}]}]}
    with pytest.raises(CompareError, match=r"structure\[0\]\.children\[0\]\.weight: .*sum to 0\.8, not 1"):
        definition.from_mapping(data)
    data["structure"][0]["children"][1]["weight"] = 50
    data["structure"][0]["children"][0]["weight"] = 50
    assert definition.from_mapping(data).node("a").weight == 50  # 100 in all is fine


def test_cycle_in_the_hierarchy_is_refused():
    data = {"code": "x", "nodes": [{"code": "T", "parent": "A"}, {"code": "A", "parent": "B"},
                                   {"code": "B", "parent": "A"}, {"code": "q", "parent": "A"}]}
    with pytest.raises(CompareError, match=r"nodes\[\d\]\.parent: cycle in the hierarchy: .*A.*B.*A"):
        definition.from_mapping(data)


def test_unknown_parent_and_duplicate_code_are_refused():
    with pytest.raises(CompareError, match=r"nodes\[1\]\.parent: parent 'Z'"):
        definition.from_mapping({"code": "x", "nodes": [{"code": "T"}, {"code": "q", "parent": "Z"}]})
    with pytest.raises(CompareError, match=r"nodes\[2\]\.code: 'q' appears twice"):
        definition.from_mapping({"code": "x", "nodes": [{"code": "T"}, {"code": "q", "parent": "T"},
                                                        {"code": "q", "parent": "T"}]})


def test_bad_direction_option_and_edition_are_refused():
    with pytest.raises(CompareError, match=r"children\[0\]\.direction: .*1 or -1"):
        definition.from_mapping({"code": "x", "structure": [{"code": "T", "children": [{"code": "q",
                                                                                          "direction": 2}]}]})
    with pytest.raises(CompareError, match=r"options: option 'b' has value 'lots'"):
        definition.from_mapping({"code": "x", "structure": [{"code": "T", "children": [
            {"code": "q", "options": {"a": 1, "b": "lots"}}]}]})
    with pytest.raises(CompareError, match=r"editions\[0\]\.indicators: not indicators of the index: zz"):
        definition.from_mapping({"code": "x", "structure": [{"code": "T", "children": [{"code": "q"}]}],
                                 "editions": [{"code": "1", "indicators": ["q", "zz"]}]})


def test_imeta_errors_name_the_row():
    meta = read_csv_text("iCode,Level,Parent,Direction,Weight,Type\nq,1,T,1,1,Indicator\nr,1,T,up,1,Indicator\n"
                         "T,2,,1,1,Aggregate\n", "iMeta.csv")
    with pytest.raises(CompareError, match=r"iMeta.csv: row 3, Direction: 'up' is not a number"):
        coinr.index_from_imeta(meta, "iMeta.csv")
    meta = read_csv_text("iCode,Level,Parent,Direction,Weight,Type\nq,1,T,1,1,Indicator\nT,1,,1,1,Aggregate\n",
                         "iMeta.csv")
    with pytest.raises(CompareError, match=r"row 2, Level: 'q' is at level 1 but its parent 'T' is at level 1"):
        coinr.index_from_imeta(meta, "iMeta.csv")


def test_idata_errors_name_row_and_column():
    meta = read_csv_text("iCode,Level,Parent,Direction,Weight,Type\nq,1,T,1,1,Indicator\nT,2,,1,1,Aggregate\n", "m")
    index = coinr.index_from_imeta(meta)
    data = read_csv_text("uCode,uName,q\nA,a,1\nB,b,many\n", "iData.csv")
    with pytest.raises(CompareError, match=r"iData.csv: row 3, column q: 'many' is not a number"):
        coinr.datasets_from_idata(data, index, "iData.csv")
    with pytest.raises(CompareError, match=r"row 3, uCode: 'A' appears twice"):
        coinr.datasets_from_idata(read_csv_text("uCode,q\nA,1\nA,2\n", "d"), index)
    with pytest.raises(CompareError, match=r"no column for indicator\(s\) q"):
        coinr.datasets_from_idata(read_csv_text("uCode,z\nA,1\n", "d"), index)


def test_malformed_xlsx_is_refused():
    with pytest.raises(CompareError, match=r"answers.xlsx: not a readable XLSX workbook"):
        read_table_bytes(b"PK\x03\x04 this is not a workbook", "answers.xlsx")


def test_answers_parse_keys_labels_numbers_and_not_applicable():
    from migrahub.compare.answers import parse_answer

    index = definition.from_mapping({"code": "x", "structure": [{"code": "T", "children": [
        {"code": "q", "options": [{"key": "yes", "label": "Yes, everywhere", "value": 100},
                                  {"key": "none", "label": "No offices", "value": "na"}]},
        {"code": "n", "direction": -1}]}]})
    q, n = index.node("q"), index.node("n")
    assert parse_answer(q, "YES", "r") == ("yes", 100.0, "answered")
    assert parse_answer(q, "yes, everywhere", "r") == ("yes", 100.0, "answered")
    assert parse_answer(q, "none", "r") == ("none", None, "na")        # an option that means not applicable
    assert parse_answer(q, "n/a", "r") == ("na", None, "na")
    assert parse_answer(q, " ", "r") == (None, None, "missing")
    assert parse_answer(n, "12.5", "r") == ("12.5", 12.5, "answered")
    with pytest.raises(CompareError, match="row 4, answer: answer '12 days' to n is not a number"):
        parse_answer(n, "12 days", "row 4, answer")


def test_row_names_written_by_r_are_left_out():
    rows = read_csv_text('"","iCode","Level","Parent","Direction","Weight","Type"\n"1","q",1,"T",1,1,"Indicator"\n'
                         '"2","T",2,NA,1,1,"Aggregate"\n', "iMeta.csv")
    assert rows[0]["iCode"] == "q" and "" not in rows[0]
    index = coinr.index_from_imeta(rows)
    assert index.node("q").parent == "T" and index.node("T").parent is None
