"""Rows of an offline consultation (CSV or XLSX) as submission fields.

One row per submission. Columns: ``submitter_type`` (organisation, city, individual, anonymous), ``organisation``,
``org_type``, ``country``, ``city``, ``language``, ``contact_name``, ``contact_email``, ``consent`` (when the column
is absent, the organiser collected consent offline), and one column per question named ``Q1``, ``Q2``… (its number)
or by the question's exact wording; a pro/con question takes ``Q3 pro`` and ``Q3 con``. Errors name the file, the
row and the column.
"""

from __future__ import annotations

import csv
import io
import re

from migrahub.consult.model import Consultation, ConsultError

MAX_ROWS = 100_000
MAX_BYTES = 50 * 1024 * 1024
PERSON = ("submitter_type", "organisation", "org_type", "country", "city", "language", "contact_name",
          "contact_email", "consent")
_Q = re.compile(r"^q\s*(\d+)(?:\s*[ _-]\s*(pro|con|comment))?$", re.I)


def read_table(name: str, data: bytes) -> list[list[str]]:
    """The cells of a CSV (UTF-8, any delimiter of , ; tab) or XLSX file, header first."""
    if len(data) > MAX_BYTES:
        raise ConsultError(f"{name}: larger than {MAX_BYTES // 1024**2} MB")
    if data[:2] == b"PK":
        return _xlsx(name, data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConsultError(f"{name}: not UTF-8 text (byte {exc.start}); save the sheet as CSV UTF-8 or XLSX") from None
    if "\x00" in text:
        raise ConsultError(f"{name}: binary content (a NUL byte), not a CSV file")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        raise ConsultError(f"{name}: not a readable CSV file ({exc})") from None
    return rows


def _xlsx(name: str, data: bytes) -> list[list[str]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(i.file_size for i in archive.infolist()) > 10 * MAX_BYTES:
                raise ConsultError(f"{name}: the workbook unpacks to more than {10 * MAX_BYTES // 1024**2} MB")
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ConsultError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises zipfile, KeyError, lxml and its own errors
        raise ConsultError(f"{name}: not a readable XLSX workbook ({type(exc).__name__}: {str(exc)[:120]})") from None
    sheet = book.worksheets[0]
    rows = []
    for row in sheet.iter_rows(values_only=True):
        rows.append(["" if v is None else str(v) for v in row])
        if len(rows) > MAX_ROWS + 1:
            break
    book.close()
    return rows


def rows_as_fields(name: str, table: list[list[str]], consultation: Consultation) -> list[tuple[int, dict]]:
    """``(row number, fields)`` for every non-empty row; unknown columns are an error naming them."""
    if not table or not any(cell.strip() for cell in table[0]):
        raise ConsultError(f"{name}: no header row")
    if len(table) > MAX_ROWS + 1:
        raise ConsultError(f"{name}: more than {MAX_ROWS} rows")
    by_seq = {q.seq: q for q in consultation.questions}
    by_prompt = {q.prompt.strip().casefold(): q for q in consultation.questions}
    columns: list[str | None] = []
    unknown = []
    for cell in table[0]:
        key = cell.strip()
        if key.casefold() in PERSON:
            columns.append(key.casefold())
            continue
        m = _Q.match(key)
        q = by_seq.get(int(m.group(1))) if m else by_prompt.get(key.casefold())
        if q is None:
            if key:
                unknown.append(key)
            columns.append(None)
            continue
        part = (m.group(2) or "").lower() if m else ""
        columns.append(f"q{q.id}_{part}" if part else f"q{q.id}")
    if unknown:
        raise ConsultError(f"{name}: row 1: unknown column(s) {', '.join(repr(u) for u in unknown[:10])} "
                           f"(expected {', '.join(PERSON)} and Q1…Q{len(by_seq)})")
    if "submitter_type" not in columns:
        raise ConsultError(f"{name}: row 1: the column submitter_type is missing")
    out = []
    for number, row in enumerate(table[1:], start=2):
        if not any(str(c).strip() for c in row):
            continue
        if len(row) > len(columns) and any(str(c).strip() for c in row[len(columns):]):
            raise ConsultError(f"{name}: row {number}: more cells than columns")
        fields = {col: row[i] for i, col in enumerate(columns) if col and i < len(row)}
        if "consent" not in columns:  # an offline consultation's organiser collected consent on paper
            fields["consent"] = "yes"
        out.append((number, fields))
    return out
