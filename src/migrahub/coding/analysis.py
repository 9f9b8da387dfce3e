"""Descriptive analysis of codings: frequencies by a dimension, co-occurrence, code x document table; CSV/JSON.

Input is plain records (dicts), one per coded unit (passage), e.g.::

    {"unit": "000-20", "document": "doc.txt", "source": "feed:x", "place": ["Utrecht", "Athens"],
     "organisation": ["COMPAS"], "language": "en", "year": 2019, "codes": ["GOV.NET", "GROUP.IRREG"]}

A dimension value may be a scalar or a list (a passage can name several places: it counts once under each).
``year`` may be given directly or is read from the first four digits of ``published``/``date``. Missing values are
grouped under ``"(none)"``.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

NONE = "(none)"
DIMENSIONS = ("document", "source", "place", "organisation", "language", "year")


@dataclass(frozen=True)
class Table:
    """A rectangular result: ``rows[i][0]`` is the row label, the rest are values under ``columns[1:]``."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def to_csv(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(self.columns)
        w.writerows(self.rows)
        return buf.getvalue()

    def to_json(self) -> str:
        return json.dumps({"columns": list(self.columns), "rows": [list(r) for r in self.rows]}, ensure_ascii=False,
                          indent=1)

    def as_records(self) -> list[dict]:
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]


def _values(record: Mapping, dim: str) -> list[str]:
    if dim == "year" and record.get("year") is None:
        raw = record.get("published") or record.get("date")
        v: Any = str(raw)[:4] if raw and str(raw)[:4].isdigit() else None
    else:
        v = record.get(dim)
    if v is None or v == "" or v == []:
        return [NONE]
    if isinstance(v, (list, tuple, set, frozenset)):
        return sorted({str(x) for x in v}) or [NONE]
    return [str(v)]


def _codes(record: Mapping) -> list[str]:
    codes = record.get("codes")
    if codes is None:
        raise ValueError(f"record {record.get('unit', record)!r} has no 'codes' field")
    return sorted(set(codes))


def code_frequencies(records: Iterable[Mapping]) -> Counter:
    """How many units carry each code."""
    c: Counter = Counter()
    for r in records:
        c.update(_codes(r))
    return c


def frequencies_by(records: Iterable[Mapping], dim: str, codes: Sequence[str] | None = None) -> Table:
    """Code frequencies (units carrying the code) per value of ``dim`` (one of :data:`DIMENSIONS` or any field).
    Columns: the dimension, ``units`` (units in the group), then one column per code."""
    groups: dict[str, Counter] = {}
    sizes: Counter = Counter()
    records = list(records)
    for r in records:
        cs = _codes(r)
        for v in _values(r, dim):
            groups.setdefault(v, Counter()).update(cs)
            sizes[v] += 1
    codes = list(codes) if codes is not None else sorted({c for g in groups.values() for c in g})
    rows = tuple((v, sizes[v], *(groups[v][c] for c in codes)) for v in sorted(groups))
    return Table((dim, "units", *codes), rows)


def cooccurrence(records: Iterable[Mapping], codes: Sequence[str] | None = None) -> Table:
    """Symmetric code x code matrix: units carrying both codes; the diagonal is the code's frequency."""
    records = list(records)
    codes = list(codes) if codes is not None else sorted(code_frequencies(records))
    idx = {c: i for i, c in enumerate(codes)}
    m = [[0] * len(codes) for _ in codes]
    for r in records:
        present = [idx[c] for c in _codes(r) if c in idx]
        for i in present:
            for j in present:
                m[i][j] += 1
    return Table(("code", *codes), tuple((c, *m[i]) for i, c in enumerate(codes)))


def code_by_document(records: Iterable[Mapping], codes: Sequence[str] | None = None,
                     document_field: str = "document") -> Table:
    """Code x document table: units of each document carrying each code (rows: codes, columns: documents)."""
    records = list(records)
    codes = list(codes) if codes is not None else sorted(code_frequencies(records))
    docs = sorted({v for r in records for v in _values(r, document_field)})
    counts: dict[tuple[str, str], int] = Counter()
    for r in records:
        for d in _values(r, document_field):
            for c in _codes(r):
                counts[(c, d)] += 1
    return Table(("code", *docs), tuple((c, *(counts[(c, d)] for d in docs)) for c in codes))


def records_from_codes(passages: Sequence[Mapping], codes: Mapping[str, Sequence[str]],
                       metadata: Mapping[str, Mapping] | None = None) -> list[dict]:
    """Join passages (passages.json format) with codings (codes.json format) and optional per-document metadata
    (``metadata[doc]`` = {"source": ..., "language": ..., "published": ...}) into analysis records."""
    out = []
    for p in passages:
        rec = {"unit": p["id"], "document": p.get("doc"), "codes": list(codes.get(p["id"], []))}
        if metadata and p.get("doc") in metadata:
            rec.update({k: v for k, v in metadata[p["doc"]].items() if k not in ("unit", "codes")})
        out.append(rec)
    return out
