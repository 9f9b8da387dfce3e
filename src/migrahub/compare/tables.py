"""Reading tables: CSV (comma or semicolon, UTF-8 with or without BOM) and XLSX (first sheet or a named one) into
rows of strings, with errors that name the file, sheet and row."""

from __future__ import annotations

import csv
import io
import os
import zipfile
from pathlib import Path

from migrahub import safeload
from migrahub.compare.model import CompareError

MAX_BYTES = 50 * 1024 * 1024


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_csv_text(text: str, source: str) -> list[dict[str, str]]:
    """Rows of a CSV text as {header: cell}; the header row is required and must not repeat a name."""
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise CompareError(f"{source}: row {reader.line_num}: not valid CSV ({exc})") from None
    return _as_dicts(rows, source)


def _as_dicts(rows: list[list], source: str) -> list[dict[str, str]]:
    rows = [[_cell(c) for c in r] for r in rows if any(_cell(c) for c in r)]
    if not rows:
        raise CompareError(f"{source}: empty table (a header row is needed)")
    blank = [i for i, name in enumerate(rows[0]) if not name]
    if blank:  # row names (R's write.csv writes them under an empty header) or stray empty columns: left out
        rows = [[c for i, c in enumerate(r) if i not in blank] for r in rows]
    header = rows[0]
    seen = set()
    for name in header:
        if name in seen:
            raise CompareError(f"{source}: row 1: column {name!r} appears twice")
        seen.add(name)
    out = []
    for n, r in enumerate(rows[1:], start=2):
        if len(r) > len(header) and any(r[len(header):]):
            raise CompareError(f"{source}: row {n}: {len(r)} cells but the header has {len(header)} columns")
        out.append({h: (r[j] if j < len(r) else "") for j, h in enumerate(header)} | {"_row": str(n)})
    return out


def read_xlsx_bytes(data: bytes, source: str, sheet: str | None = None) -> list[dict[str, str]]:
    """Rows of an XLSX sheet (``sheet``, else the one named Answers, else the first); a file that is not a readable
    workbook is refused with the reason."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise CompareError(f"{source}: not a readable XLSX workbook ({type(exc).__name__}: {exc})") from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise CompareError(f"{source}: no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})")
        ws = book[sheet or ("Answers" if "Answers" in book.sheetnames else book.sheetnames[0])]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        book.close()
    return _as_dicts(rows, f"{source} [{ws.title}]")


def read_table(path: str | os.PathLike, sheet: str | None = None) -> list[dict[str, str]]:
    """Rows of a CSV or XLSX file (by extension)."""
    path = Path(path)
    try:
        data = safeload.read_limited(path, MAX_BYTES)
    except safeload.InputError as exc:
        raise CompareError(str(exc)) from None
    return read_table_bytes(data, path.name, sheet)


def read_table_bytes(data: bytes, name: str, sheet: str | None = None) -> list[dict[str, str]]:
    if name.lower().endswith((".xlsx", ".xlsm")):
        return read_xlsx_bytes(data, name, sheet)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CompareError(f"{name}: not UTF-8 text (byte {exc.start}); save the CSV as UTF-8") from None
    return read_csv_text(text, name)


def to_csv(header: list[str], rows: list[list]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def to_xlsx(sheets: dict[str, tuple[list[str], list[list]]]) -> bytes:
    """An XLSX workbook with one sheet per entry (name → (header, rows))."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, (header, rows) in sheets.items():
        ws = book.create_sheet(name[:31])
        ws.append(header)
        for r in rows:
            ws.append(r)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
