"""Reading a bibliography file of any of the three formats: size checked before parsing, text decoded strictly,
the format told by the content (not the file name)."""

from __future__ import annotations

import codecs
import os
import re

from migrahub.connect import bibtex, csl, ris
from migrahub.connect.references import BibliographyError, Reference

MAX_BYTES = 20 * 1024 * 1024  # a bibliography of ~50,000 references; larger files are refused before parsing
FORMATS = {"csl-json": csl, "ris": ris, "bibtex": bibtex}


def decode(data: bytes, source: str) -> str:
    """The file's text: UTF-8 (with or without BOM) or UTF-16 with a BOM; other encodings are refused with the
    line and record where the first undecodable byte stands."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise BibliographyError(f"{source}: not valid UTF-16 ({exc.reason})") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        before = data[:exc.start].decode("utf-8", "replace")
        record = _record_at(before)
        raise BibliographyError(
            f"{source}: byte 0x{data[exc.start]:02X} on line {line}{record} is not UTF-8; save the file as UTF-8 "
            "(Zotero and most managers export UTF-8)") from exc


def _record_at(before: str) -> str:
    marks = list(re.finditer(r"^(?:@\w+\s*[{(]\s*([^,\s]+)|TY  - .*|\s*\"id\"\s*:\s*\"?([^\",]+))", before, re.M))
    if not marks:
        return ""
    m = marks[-1]
    label = m.group(1) or m.group(2)
    return f" (record {len(marks)}{', ' + label if label else ''})"


def detect(text: str) -> str:
    head = text.lstrip()[:4000]
    if head.startswith(("[", "{")):
        return "csl-json"
    if re.search(r"^TY  - ", head, re.M):
        return "ris"
    if re.search(r"^\s*@\w+\s*[{(]", head, re.M):
        return "bibtex"
    raise BibliographyError("not CSL-JSON (a JSON list), RIS (lines 'TY  - …') or BibTeX ('@type{key, …')")


def read_bytes(data: bytes, source: str, max_bytes: int = MAX_BYTES) -> tuple[str, list[Reference]]:
    """The format and the references of a file's bytes; raises :class:`BibliographyError` naming the record."""
    if len(data) > max_bytes:
        raise BibliographyError(f"{source}: {len(data):,} bytes, over the limit of {max_bytes:,} bytes")
    text = decode(data, source)
    try:
        fmt = detect(text)
    except BibliographyError as exc:
        raise BibliographyError(f"{source}: {exc}") from exc
    refs = FORMATS[fmt].read(text, source, max_bytes)
    if not refs:
        raise BibliographyError(f"{source}: no reference found in this {fmt} file")
    return fmt, refs


def read_file(path: str | os.PathLike, max_bytes: int = MAX_BYTES) -> tuple[str, list[Reference]]:
    """Like :func:`read_bytes` for a file; its size is checked before a byte is read."""
    size = os.path.getsize(path)
    if size > max_bytes:
        raise BibliographyError(f"{path}: {size:,} bytes, over the limit of {max_bytes:,} bytes")
    with open(path, "rb") as handle:
        return read_bytes(handle.read(max_bytes + 1), str(path), max_bytes)


def write(refs: list[tuple[str, Reference]], fmt: str) -> str:
    if fmt not in FORMATS:
        raise BibliographyError(f"format: {fmt!r} is not one of {', '.join(FORMATS)}")
    return FORMATS[fmt].write(refs)
