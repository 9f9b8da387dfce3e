"""Zip bombs, built here with zipfile and patched headers: DOCX and REFI-QDA ``.qdpx`` archives are refused before or
while inflating, within their limits, and the process's peak memory stays under 300 MB (measured in a subprocess with
``resource.getrusage``). Also: a DOCX's date and author come from its core properties only when they are not the
defaults python-docx stamps on every document it creates."""

from __future__ import annotations

import io
import json
import os
import re
import struct
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from migrahub.coding.refiqda import QDPX_LIMITS, RefiQdaError, import_qdpx
from migrahub.sources.archive import ArchiveError, ArchiveLimits, LimitedZip
from migrahub.sources.errors import SourceError
from migrahub.sources.word import read_docx

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)

MB = 1024 * 1024
PEAK_LIMIT_MB = 300
BOMB = 512 * MB  # what the bombs inflate to (well over the 200 MB limits; ~0.5 MB compressed)


def understate(data: bytes, member: str, declared: int) -> bytes:
    """``data`` with the local and central headers of ``member`` patched to declare ``declared`` bytes."""
    out = bytearray(data)
    for signature, name_at, count_at, size_at in ((b"PK\x03\x04", 30, 26, 22), (b"PK\x01\x02", 46, 28, 24)):
        i = out.find(signature)
        while i >= 0:
            n = struct.unpack_from("<H", out, i + count_at)[0]
            if bytes(out[i + name_at:i + name_at + n]) == member.encode():
                struct.pack_into("<I", out, i + size_at, declared)
            i = out.find(signature, i + 4)
    return bytes(out)


def _write_large(z: zipfile.ZipFile, name: str, head: bytes, size: int, tail: bytes, pad: bytes = b" " * MB) -> None:
    with z.open(name, "w", force_zip64=size > 2**31) as fh:
        fh.write(head)
        for _ in range(size // len(pad)):
            fh.write(pad)
        fh.write(tail)


def _docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("A short report on reception policy.")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def docx_bomb(size: int, declared: int | None = None) -> bytes:
    """A valid DOCX whose word/document.xml holds ``size`` bytes of white space (headers declaring ``declared``)."""
    source = zipfile.ZipFile(io.BytesIO(_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                z.writestr(info.filename, source.read(info))
        head, tail = source.read("word/document.xml").split(b"<w:body>")
        _write_large(z, "word/document.xml", head + b"<w:body>", size, tail)
    data = out.getvalue()
    return understate(data, "word/document.xml", declared) if declared is not None else data


QDE = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="bomb" origin="test">
  <CodeBook><Codes><Code guid="3f2504e0-4f89-41d3-9a0c-0305e82c3301" name="Reception" isCodable="true"/></Codes>
  </CodeBook>
  <Sources><TextSource guid="3f2504e0-4f89-41d3-9a0c-0305e82c3302" name="interview"
    plainTextPath="internal://3f2504e0-4f89-41d3-9a0c-0305e82c3302.txt"/></Sources>
</Project>
"""
SOURCE = "sources/3f2504e0-4f89-41d3-9a0c-0305e82c3302.txt"


def qdpx_bomb(size: int, declared: int | None = None, pad: bytes = b" " * MB) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", QDE)
        _write_large(z, SOURCE, b"Interview transcript.", size, b"\n", pad)
    data = out.getvalue()
    return understate(data, SOURCE, declared) if declared is not None else data


MEASURE = """
import sys, json
kind, path = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
try:
    if kind == "docx":
        from migrahub.sources import Limits
        from migrahub.sources.word import read_docx
        read_docx(data, Limits().max_unpacked_bytes)
    else:
        from migrahub.cli import main
        main(["--db", sys.argv[3], "qdpx", "import", path], standalone_mode=False)
    outcome = "accepted"
except SystemExit as exc:
    outcome = f"exit {exc.code}"
except Exception as exc:
    outcome = f"{type(exc).__name__}: {exc}"
# VmHWM: the high-water mark of this program's own memory (ru_maxrss would also count the test runner's memory,
# which Linux carries over into a child at fork and exec)
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"outcome": outcome, "peak_mb": int(hwm.split()[1]) / 1024}))
"""


def measure(kind: str, path: Path, tmp_path: Path) -> dict:
    """Read the archive at ``path`` in a fresh process; its outcome and peak resident memory in MB."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(MEASURE), kind, str(path),
                           str(tmp_path / "hub.sqlite3")], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["stderr"] = done.stderr
    return result


# finding 7: a DOCX whose headers understate a member's size ------------------------------------------------------

def test_docx_with_understated_header_is_refused_without_inflating_it(tmp_path):
    path = tmp_path / "understated.docx"
    path.write_bytes(docx_bomb(BOMB, declared=5_000))
    result = measure("docx", path, tmp_path)
    assert result["outcome"].startswith("ArchiveError: DOCX: member word/document.xml is corrupt or crafted: it "
                                        "inflates to more than its header declares"), result
    assert result["peak_mb"] < PEAK_LIMIT_MB, result


def test_docx_with_understated_ratio_is_stopped_at_its_ratio_while_streaming():
    # declared 900 KB (under the ratio floor), really 512 MB: the stream stops past 1 MB, long before the header's
    # size would stop it
    data = docx_bomb(BOMB, declared=900_000)
    with pytest.raises(SourceError, match="DOCX: member word/document.xml is corrupt or crafted"):
        read_docx(data, 200 * MB)


def test_docx_bomb_with_honest_headers_is_refused_from_them(tmp_path):
    path = tmp_path / "honest.docx"
    path.write_bytes(docx_bomb(BOMB))
    result = measure("docx", path, tmp_path)
    assert result["outcome"].startswith("ArchiveError: DOCX looks like a zip bomb: word/document.xml"), result
    assert result["peak_mb"] < PEAK_LIMIT_MB, result


def test_real_docx_still_reads():
    parts = read_docx(_docx(), 200 * MB)
    assert [b.text for b in parts.blocks] == ["A short report on reception policy."]


# finding 6: .qdpx import has size limits ------------------------------------------------------------------------

@pytest.mark.parametrize("declared", [None, 10_000], ids=["honest-header", "understated-header"])
def test_qdpx_bomb_import_is_refused_within_300_mb(tmp_path, declared):
    path = tmp_path / "bomb.qdpx"
    path.write_bytes(qdpx_bomb(BOMB, declared))
    assert path.stat().st_size < 2 * MB
    result = measure("qdpx", path, tmp_path)
    assert result["outcome"] == "exit 2", result
    reason = result["stderr"]
    assert f"QDPX file {path}" in reason and ("zip bomb" in reason or "corrupt or crafted" in reason), reason
    assert "Traceback" not in reason
    assert result["peak_mb"] < PEAK_LIMIT_MB, result


def test_qdpx_total_limit_counts_what_is_inflated(tmp_path):
    path = tmp_path / "large.qdpx"
    text = os.urandom(MB // 2).hex().encode()  # compresses about 2:1, like text
    path.write_bytes(qdpx_bomb(3 * MB, pad=text))  # a plausible ratio, over a small limit
    limits = ArchiveLimits(max_unpacked=2 * MB, max_members=100, max_ratio=100_000)
    with pytest.raises(RefiQdaError, match="zip bomb: .* would unpack to|more than 2,097,152 bytes"):
        import_qdpx(path, limits=limits)
    assert import_qdpx(path).project.sources[0].text.startswith("Interview transcript.")


def test_qdpx_with_too_many_members_is_refused_before_listing_them(tmp_path):
    path = tmp_path / "many.qdpx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", QDE)
        for i in range(QDPX_LIMITS.max_members):  # with project.qde, one more than the limit
            z.writestr(f"sources/{i}.txt", b"")
    with pytest.raises(RefiQdaError, match=f"zip bomb: {QDPX_LIMITS.max_members + 1:,} members"):
        import_qdpx(path)


def test_member_list_larger_than_the_count_allows_is_refused():
    # an end record claiming one member in front of a huge member list (zipfile would build every entry)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for i in range(2000):
            z.writestr(f"{'x' * 200}{i}.txt", b"")
    data = bytearray(buf.getvalue())
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 1, 1)  # members on this disk, members in all
    with pytest.raises(ArchiveError, match="member list takes"):
        LimitedZip(bytes(data), ArchiveLimits(max_members=10), "DOCX")


def test_not_a_zip():
    with pytest.raises(ArchiveError, match="not a DOCX file: not a ZIP archive"):
        LimitedZip(b"PK\x03\x04 not really", ArchiveLimits(), "DOCX")


# DOCX dates: python-docx's template stamp is not a publication date ---------------------------------------------

def test_docx_made_by_python_docx_has_no_date_or_author():
    parts = read_docx(_docx(), 200 * MB)
    assert parts.published is None and parts.author is None


def test_docx_core_properties_are_read_when_set():
    import datetime as dt

    import docx

    document = docx.Document()
    document.add_paragraph("Housing report.")
    document.core_properties.created = dt.datetime(2021, 5, 4, 9, 30, tzinfo=dt.UTC)
    document.core_properties.author = "Reception Office"
    document.core_properties.title = "Housing report 2021"
    buf = io.BytesIO()
    document.save(buf)
    parts = read_docx(buf.getvalue(), 200 * MB)
    assert (parts.published, parts.author, parts.title) == ("2021-05-04", "Reception Office", "Housing report 2021")


def test_docx_without_core_properties_gets_no_invented_title():
    source = zipfile.ZipFile(io.BytesIO(_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            if info.filename == "docProps/core.xml":
                continue
            data = source.read(info)
            data = re.sub(rb"<(?:Relationship|Override)\b[^>]*docProps/core\.xml\"[^>]*/>", b"", data)
            z.writestr(info.filename, data)
    parts = read_docx(out.getvalue(), 200 * MB)
    assert parts.title is None and parts.published is None and parts.author is None
