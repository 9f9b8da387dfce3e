"""Interchange with COINr 1.x: its input tables iData and iMeta as CSV, in and out.

iMeta (one row per indicator and aggregate): ``iCode``, ``iName``, ``Level`` (1 for indicators, 2 for their
groups, …), ``Parent`` (the iCode one level up; empty/NA for the index itself), ``Direction`` (1 or −1),
``Weight`` (relative within its group: COINr rescales them to sum to 1), ``Type`` (``Indicator``, ``Aggregate``;
``Group``, ``Denominator`` and ``Other`` rows describe iData columns that are not scored). Optional:
``goalpost_lower``/``goalpost_upper`` for goalposts normalisation.

iData (one row per unit, or per unit and ``Time`` for panel data): ``uCode``, ``uName``, optional ``Time``, group
columns, and one column per indicator code. Empty cells and ``NA`` are missing.
"""

from __future__ import annotations

import math

import numpy as np

from migrahub.compare.definition import build_nodes, parse_editions
from migrahub.compare.model import CompareError, Dataset, IndexDef
from migrahub.compare.tables import to_csv

SCORED = ("Indicator", "Aggregate")
SPECIAL = ("uCode", "uName", "Time")
MISSING = ("", "NA", "NaN", "nan", "N/A")


def index_from_imeta(rows: list[dict[str, str]], source: str = "iMeta", code: str = "index",
                     name: str | None = None) -> IndexDef:
    """An index from iMeta rows (see the module doc)."""
    if not rows:
        raise CompareError(f"{source}: no rows")
    for col in ("iCode", "Parent", "Type"):
        if col not in rows[0]:
            raise CompareError(f"{source}: row 1: no column {col!r} (iMeta needs iCode, Level, Parent, Direction, "
                               "Weight, Type)")
    scored = []
    for r in rows:
        kind = r.get("Type", "").strip().capitalize()
        r["Type"] = kind
        if kind not in (*SCORED, "Group", "Denominator", "Other"):
            raise CompareError(f"{source}: row {r['_row']}, Type: {kind!r} is not one of Indicator, Aggregate, "
                               "Group, Denominator, Other")
        if kind in SCORED:
            scored.append(r)
    node_rows = []
    for r in scored:
        goalposts = None
        if r.get("goalpost_lower", "") not in MISSING and r.get("goalpost_upper", "") not in MISSING:
            goalposts = [r["goalpost_lower"], r["goalpost_upper"]]
        node_rows.append({"code": r["iCode"], "name": r.get("iName") or r["iCode"], "parent": r.get("Parent"),
                          "level": r.get("Level"), "weight": r.get("Weight"), "direction": r.get("Direction"),
                          "goalposts": goalposts, "_row": r["_row"], "_type": r["Type"]})

    def where(i: int, field: str) -> str:
        col = {"code": "iCode", "parent": "Parent", "level": "Level", "weight": "Weight", "direction": "Direction",
               "goalposts": "goalpost_lower"}.get(field, field)
        return f"{source}: row {node_rows[i]['_row']}, {col}"

    nodes = build_nodes(node_rows, where, weights_sum=False)
    for i, (row, node) in enumerate(zip(node_rows, nodes, strict=True)):
        if row["_type"] == "Indicator" and not node.is_indicator:
            raise CompareError(f"{where(i, 'code')}: {node.code!r} is of Type Indicator but has children")
        if row["_type"] == "Aggregate" and node.is_indicator:
            raise CompareError(f"{where(i, 'code')}: aggregate {node.code!r} has no indicator below it")
    indicators = tuple(n.code for n in nodes if n.is_indicator)
    return IndexDef(code, name or code, nodes, parse_editions([{"code": "1", "name": "1"}], indicators, source),
                    normalise="minmax", aggregate="mean", missing="exclude")


def _value(cell: str, where: str) -> float:
    if cell.strip() in MISSING:
        return math.nan
    try:
        value = float(cell)
    except ValueError:
        raise CompareError(f"{where}: {cell!r} is not a number (leave it empty or NA when missing)") from None
    if math.isinf(value):
        raise CompareError(f"{where}: {cell!r} is not a finite number")
    return value


def datasets_from_idata(rows: list[dict[str, str]], index: IndexDef, source: str = "iData") -> dict[str, Dataset]:
    """iData rows as one data set per ``Time`` (a single ``""`` key without a Time column)."""
    if not rows:
        raise CompareError(f"{source}: no rows")
    header = [h for h in rows[0] if h != "_row"]
    if "uCode" not in header:
        raise CompareError(f"{source}: row 1: no column 'uCode'")
    indicators = tuple(n.code for n in index.indicators)
    absent = [c for c in indicators if c not in header]
    if absent:
        raise CompareError(f"{source}: row 1: no column for indicator(s) {', '.join(absent)} of iMeta")
    group_cols = [h for h in header if h not in SPECIAL and h not in indicators and h not in
                  {n.code for n in index.nodes}]
    by_time: dict[str, list[dict]] = {}
    for r in rows:
        by_time.setdefault(r.get("Time", "").strip(), []).append(r)
    out = {}
    for time, members in by_time.items():
        units, names, values, groups, seen = [], [], [], {}, {}
        for r in members:
            unit = r["uCode"].strip()
            if not unit:
                raise CompareError(f"{source}: row {r['_row']}, uCode: empty unit code")
            if unit in seen:
                raise CompareError(f"{source}: row {r['_row']}, uCode: {unit!r} appears twice"
                                   f"{' in Time ' + time if time else ''} (first in row {seen[unit]})")
            seen[unit] = r["_row"]
            units.append(unit)
            names.append(r.get("uName", "").strip() or unit)
            values.append([_value(r[c], f"{source}: row {r['_row']}, column {c}") for c in indicators])
            groups[unit] = {g: r[g] for g in group_cols if r.get(g, "") not in MISSING}
        arr = np.array(values, dtype=float).reshape(len(units), len(indicators))
        out[time] = Dataset(tuple(units), indicators, arr, np.zeros(arr.shape, dtype=bool), tuple(names), groups)
    return out


def imeta_csv(index: IndexDef, group_columns: list[str] = ()) -> str:
    """The index as a COINr iMeta table."""
    rows = [[g, g, "", "", "", "", "Group"] for g in group_columns]
    for n in sorted(index.nodes, key=lambda n: n.level):
        rows.append([n.code, n.name, n.level, n.parent or "", n.direction, _num(n.weight),
                     "Indicator" if n.is_indicator else "Aggregate"])
    return to_csv(["iCode", "iName", "Level", "Parent", "Direction", "Weight", "Type"], rows)


def _num(x: float) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.10g}"


def idata_csv(data: dict[str, Dataset], group_columns: list[str] = ()) -> str:
    """Data sets (per Time; key ``""`` for none) as a COINr iData table."""
    timed = any(t for t in data)
    indicators = next(iter(data.values())).indicators if data else ()
    header = ["uCode", "uName", *(["Time"] if timed else []), *group_columns, *indicators]
    rows = []
    for time, d in data.items():
        for u, unit in enumerate(d.units):
            name = d.names[u] if d.names else unit
            groups = d.groups.get(unit, {})
            rows.append([unit, name, *([time] if timed else []), *(_group(groups.get(g)) for g in group_columns),
                         *(_num(v) if not d.na[u, j] else "NA" for j, v in enumerate(d.values[u]))])
    return to_csv(header, rows)


def _group(value) -> str:
    if value is None:
        return ""
    return ";".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
