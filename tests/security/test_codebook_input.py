"""Hostile codebook and coding input through the CLI and the services: codebook names that would break the hub's
pages are refused; YAML, JSON and XML inputs nested too deeply, alias bombs and oversized files get a clear error
naming the file and the reason — never a ``RecursionError`` traceback. (The web side of both: tests/web/
test_security.py.)"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from migrahub.coding.codebook import CodebookError, parse_codebook
from migrahub.coding.refiqda import RefiQdaError, import_qdpx
from migrahub.safeload import InputError, load_json, load_yaml
from migrahub.services import coding
from tests.backends.postgresql import open_hub

MIGRAHUB = [str(Path(sys.executable).with_name("migrahub"))]
GOOD = b"name: reception\ncodes:\n  - id: R\n    name: Reception\n    children:\n      - {id: R.DESK, name: Desk}\n"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*MIGRAHUB, *args], capture_output=True, text=True, timeout=300)


def deep_yaml(levels: int) -> bytes:
    """A codebook whose codes nest ``levels`` deep (flow style: a few bytes a level)."""
    opening = "".join(f"[{{id: c{i}, children: " for i in range(levels)).encode()
    return b"name: deep\ncodes: " + opening + b"[]" + b"}]" * levels + b"\n"


def codebooks(db: Path) -> list[str]:
    conn = open_hub(db)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM codebooks")]
    finally:
        conn.close()


# finding 8: codebook names ----------------------------------------------------------------------------------------

def test_cli_refuses_a_codebook_name_with_a_slash(tmp_path):
    book = tmp_path / "reception.yaml"
    book.write_bytes(GOOD)
    db = tmp_path / "hub.sqlite3"
    done = run("--db", str(db), "codebook", "load", str(book), "--name", "lmg/2024")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "name: codebook name 'lmg/2024' is not allowed: use letters, digits, spaces and" in done.stderr
    assert run("--db", str(db), "codebook", "load", str(book), "--name", "lmg-2024").returncode == 0
    assert codebooks(db) == ["lmg-2024"]


@pytest.mark.parametrize("name", ["lmg/2024", "../lmg", ".hidden", "a\\b", "tab\there", "x" * 101, "new\nline"])
def test_service_refuses_unsafe_names(tmp_path, name):
    db = tmp_path / "hub.sqlite3"
    with pytest.raises(coding.CodebookNameError, match="is not allowed"):
        coding.load_codebook_upload(db, "cb.yaml", GOOD, name, actor="test")
    own = GOOD.replace(b"name: reception", f"name: {json.dumps(name)}".encode())
    with pytest.raises(coding.CodebookNameError, match=r"cb\.yaml: name: codebook name"):
        coding.load_codebook_upload(db, "cb.yaml", own, actor="test")


def test_names_people_use_are_accepted_and_derived_names_made_safe(tmp_path):
    db = tmp_path / "hub.sqlite3"
    for name in ("Reception (test)", "Malmö kodbok 2", "LMG_2024.v2", "lmg-2024"):
        assert coding.load_codebook_upload(db, "cb.yaml", GOOD, name, actor="test")["codebook"] == name
    # a REFI-QDA codebook is named after the tool that wrote it: made valid, not refused
    qdc = (b'<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Tool/9: beta">'
           b'<Codes><Code guid="3f2504e0-4f89-41d3-9a0c-0305e82c3301" name="A" isCodable="true"/></Codes></CodeBook>')
    assert coding.load_codebook_upload(db, "x.qdc", qdc, actor="test")["codebook"] == "Tool-9- beta"


def test_qdpx_import_refuses_an_unsafe_codebook_name(tmp_path):
    with pytest.raises(coding.CodebookNameError, match="codebook: codebook name 'lmg/2024'"):
        coding.import_project(tmp_path / "hub.sqlite3", tmp_path / "none.qdpx", "lmg/2024")


# finding 11: depth, aliases and size ------------------------------------------------------------------------------

def test_cli_deeply_nested_yaml_codebook_gets_a_clear_error(tmp_path):
    book = tmp_path / "deep.yaml"
    book.write_bytes(deep_yaml(5000))
    done = run("--db", str(tmp_path / "hub.sqlite3"), "codebook", "load", str(book))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "RecursionError" not in done.stderr
    assert f"{book}: line 2: nested more than 64 levels deep; refused" in done.stderr


def test_codebook_nesting_within_the_limit_loads():
    book = parse_codebook(deep_yaml(30), "ok.yaml")
    assert len(book.codes) == 30


def test_deep_qdc_gets_a_clear_error():
    levels = 5000
    qdc = (b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>' + b'<Code name="c" isCodable="true">' * levels
           + b"</Code>" * levels + b"</Codes></CodeBook>")
    with pytest.raises(CodebookError, match=r"deep\.qdc: XML nested more than 128 levels deep"):
        parse_codebook(qdc, "deep.qdc")


def test_deep_project_in_a_qdpx_gets_a_clear_error(tmp_path):
    levels = 5000
    qde = (b'<Project xmlns="urn:QDA-XML:project:1.0" name="p"><CodeBook><Codes>'
           + b'<Code name="c" isCodable="true">' * levels + b"</Code>" * levels + b"</Codes></CodeBook></Project>")
    path = tmp_path / "deep.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", qde)
    with pytest.raises(RefiQdaError, match="project.qde: XML nested more than 128 levels deep"):
        import_qdpx(path)


LAUGHS = "\n".join(["name: laughs", "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
                    *[f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(9)],
                    "codes: [{id: x, name: *j}]", ""]).encode()


def test_alias_bomb_codebook_is_refused_quickly():
    started = time.monotonic()
    with pytest.raises(CodebookError, match=r"laughs\.yaml: more than 1,000,000 YAML nodes once aliases are expanded"):
        parse_codebook(LAUGHS, "laughs.yaml")
    assert time.monotonic() - started < 10


def test_cyclic_alias_is_refused():
    with pytest.raises(InputError, match=r"cycle\.yaml: line 1: alias \*a refers to a node that contains it"):
        load_yaml(b"a: &a [1, *a]\n", "cycle.yaml")


def test_oversized_codebook_is_refused_before_parsing(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(GOOD + b"# " + b"x" * (6 * 1024 * 1024) + b"\n")
    with pytest.raises(CodebookError, match=r"big\.yaml: larger than the limit of 5,242,880 bytes"):
        coding.load_codebook_file(tmp_path / "hub.sqlite3", big)


def test_cli_deeply_nested_json_passages_get_a_clear_error(tmp_path):
    book = tmp_path / "cb.yaml"
    book.write_bytes(GOOD)
    passages = tmp_path / "passages.json"
    passages.write_text("[" * 100_000 + "]" * 100_000)
    done = run("code", "--codebook", str(book), "--passages", str(passages))
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert f"{passages}: nested more than 64 levels deep; refused" in done.stderr
    rules = tmp_path / "rules.yaml"
    rules.write_bytes(LAUGHS.replace(b"codes:", b"rules:"))
    passages.write_text(json.dumps([{"id": "1", "text": "Reception desk"}]))
    done = run("code", "--codebook", str(book), "--passages", str(passages), "--rules", str(rules))
    assert done.returncode == 2 and f"{rules}: more than 1,000,000 YAML nodes" in done.stderr


def test_json_limits():
    assert load_json(b'{"a": [1, {"b": 2}]}', "ok.json") == {"a": [1, {"b": 2}]}
    with pytest.raises(InputError, match="body.json: nested more than 64 levels deep"):
        load_json(b"[" * 65 + b"]" * 65, "body.json")
    with pytest.raises(InputError, match="body.json: not valid JSON"):
        load_json(b"{", "body.json")
