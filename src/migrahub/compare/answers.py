"""Answers: one unit's answer to one indicator in one edition, parsed against the indicator's options (or as a
number), and tables of answers (long: one row per answer; wide: COINr iData, one row per unit) validated whole
before anything is stored."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from migrahub.compare.definition import NA_WORDS
from migrahub.compare.model import CompareError, IndexDef, Node

LONG_COLUMNS = ("unit", "edition", "indicator", "answer")
WIDE_SPECIAL = ("uCode", "uName", "Time", "edition", "country", "kind", "groups")


@dataclass(frozen=True)
class Answer:
    unit: str
    edition: str
    indicator: str
    answer: str | None      # option key or number as text; None when missing
    value: float | None
    status: str             # answered | missing | na
    source: str = ""
    comment: str = ""
    evidence: tuple[int, ...] = ()  # passage ids


@dataclass(frozen=True)
class UnitInfo:
    code: str
    name: str
    country: str | None = None
    kind: str | None = None
    groups: tuple[tuple[str, str], ...] = ()


def parse_answer(node: Node, raw, where: str) -> tuple[str | None, float | None, str]:
    """(answer, value, status) of a raw answer: an option key or label, a number for indicators without options,
    ``na``/``not applicable`` for not applicable, empty for missing. Anything else is refused naming ``where``."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None, None, "missing"
    if node.options:
        for o in node.options:
            if text.casefold() in (o.key.casefold(), o.label.casefold()):
                return o.key, o.value, ("na" if o.value is None else "answered")
        if text.casefold() in NA_WORDS:
            return "na", None, "na"
        raise CompareError(f"{where}: answer {text!r} is not an option of {node.code} (options: "
                           f"{', '.join(o.key for o in node.options)})")
    if text.casefold() in NA_WORDS:
        return "na", None, "na"
    try:
        value = float(text)
    except ValueError:
        raise CompareError(f"{where}: answer {text!r} to {node.code} is not a number") from None
    if math.isnan(value) or math.isinf(value):
        raise CompareError(f"{where}: answer {text!r} to {node.code} is not a finite number")
    return text, value, "answered"


def _evidence(cell: str, where: str) -> tuple[int, ...]:
    out = []
    for part in (cell or "").replace(",", ";").split(";"):
        part = part.strip().removeprefix("passage:").strip()
        if not part:
            continue
        if not part.isdigit():
            raise CompareError(f"{where}: evidence {part!r} is not a passage id (write passage ids separated by ;)")
        out.append(int(part))
    return tuple(out)


def _groups(cell: str, where: str) -> tuple[tuple[str, str], ...]:
    out = []
    for part in (cell or "").split(";"):
        if not part.strip():
            continue
        if "=" not in part:
            raise CompareError(f"{where}: group {part.strip()!r} must be written name=value")
        key, value = part.split("=", 1)
        out.append((key.strip(), value.strip()))
    return tuple(out)


def parse_rows(index: IndexDef, rows: list[dict[str, str]], source: str, edition: str | None = None
               ) -> tuple[list[Answer], list[UnitInfo]]:
    """Answers and units of a table, long (``unit, edition, indicator, answer[, unit_name, source, comment,
    evidence, country, groups]``) or wide (COINr iData: ``uCode, uName, [Time], one column per indicator``; Time
    or ``edition`` names the edition). Every row is checked; the first error is raised naming row and column."""
    if not rows:
        raise CompareError(f"{source}: no rows")
    header = set(rows[0])
    if set(LONG_COLUMNS[::2]) <= header and "indicator" in header:
        return _long(index, rows, source, edition)
    if "uCode" in header:
        return _wide(index, rows, source, edition)
    raise CompareError(f"{source}: row 1: columns unit, edition, indicator, answer (one answer per row) or uCode, "
                       "uName, Time and one column per indicator (COINr iData) are needed")


def _edition(index: IndexDef, value: str, where: str):
    try:
        return index.edition(value)
    except CompareError as exc:
        raise CompareError(f"{where}: {exc}") from None


UNIT_RE = re.compile(r"^[\w.\-]{1,64}$")


def _unit(row: dict, code_col: str, name_col: str, where) -> UnitInfo:
    code = row.get(code_col, "").strip()
    if not code:
        raise CompareError(f"{where(code_col)}: empty unit code")
    if not UNIT_RE.match(code):
        raise CompareError(f"{where(code_col)}: unit code {code[:40]!r} may hold letters, digits, _ . - only "
                           "(at most 64)")
    return UnitInfo(code, row.get(name_col, "").strip() or code, row.get("country", "").strip() or None,
                    row.get("kind", "").strip() or None, _groups(row.get("groups", ""), where("groups")))


def _long(index, rows, source, edition):
    answers, units, seen = [], {}, {}
    for r in rows:
        def where(col, r=r):
            return f"{source}: row {r['_row']}, {col}"
        ed = _edition(index, r.get("edition", "").strip() or (edition or ""), where("edition"))
        unit = _unit(r, "unit", "unit_name", where)
        units.setdefault(unit.code, unit)
        code = r["indicator"].strip()
        if code not in ed.catalogue:
            raise CompareError(f"{where('indicator')}: {code!r} is not an indicator of edition {ed.code}")
        key = (unit.code, ed.code, code)
        if key in seen:
            raise CompareError(f"{where('indicator')}: a second answer of {unit.code} to {code} in edition "
                               f"{ed.code} (first in row {seen[key]})")
        seen[key] = r["_row"]
        answer, value, status = parse_answer(index.node(code), r.get("answer"), where("answer"))
        answers.append(Answer(unit.code, ed.code, code, answer, value, status, r.get("source", "").strip(),
                              r.get("comment", "").strip(), _evidence(r.get("evidence", ""), where("evidence"))))
    return answers, list(units.values())


def _wide(index, rows, source, edition):
    answers, units, seen = [], {}, {}
    indicator_codes = {n.code for n in index.indicators}
    for r in rows:
        def where(col, r=r):
            return f"{source}: row {r['_row']}, {col}"
        ed = _edition(index, r.get("Time", "").strip() or r.get("edition", "").strip() or (edition or
                      (index.editions[-1].code if len(index.editions) == 1 else "")), where("Time"))
        unit = _unit(r, "uCode", "uName", where)
        extra = tuple((col, str(cell).strip()) for col, cell in r.items()
                      if col not in indicator_codes and col not in (*WIDE_SPECIAL, "source", "comment")
                      and not col.startswith("_") and str(cell).strip() not in ("", "NA"))
        units.setdefault(unit.code, UnitInfo(unit.code, unit.name, unit.country, unit.kind, unit.groups + extra))
        if (unit.code, ed.code) in seen:
            raise CompareError(f"{where('uCode')}: {unit.code!r} appears twice in edition {ed.code} "
                               f"(first in row {seen[unit.code, ed.code]})")
        seen[unit.code, ed.code] = r["_row"]
        for col, cell in r.items():
            if col in WIDE_SPECIAL or col.startswith("_") or col in ("source", "comment"):
                continue
            if col not in indicator_codes:
                continue  # group columns
            if col not in ed.catalogue:
                if str(cell).strip():
                    raise CompareError(f"{where(col)}: {col!r} is not an indicator of edition {ed.code}")
                continue
            answer, value, status = parse_answer(index.node(col), "" if cell in ("NA",) else cell, where(col))
            answers.append(Answer(unit.code, ed.code, col, answer, value, status, r.get("source", "").strip(),
                                  r.get("comment", "").strip()))
    return answers, list(units.values())
