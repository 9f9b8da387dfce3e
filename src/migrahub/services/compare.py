"""The compare feature's service functions: what the CLI, the web pages and the API call.

Files in (COINr iData/iMeta, YAML definitions, CSV/XLSX answers), the store for indices, editions, units and
answers (:mod:`migrahub.store.compare`), the engine for results (:mod:`migrahub.compare`).
"""

from __future__ import annotations

import json
import os
import sqlite3
from html import escape

import numpy as np

from migrahub import safeload
from migrahub.compare import ENGINE, coinr, definition, editions, engine, places, sensitivity
from migrahub.compare import answers as answers_mod
from migrahub.compare.engine import compute
from migrahub.compare.model import CompareError, Dataset, IndexDef, Result
from migrahub.compare.ranks import Rank, peers, rank_among, ranks
from migrahub.compare.tables import read_table, read_table_bytes, to_csv, to_xlsx
from migrahub.services import practices
from migrahub.store import compare as store
from migrahub.store.database import transaction
from migrahub.store.documents import log_action


def compute_files(data_path: str | os.PathLike, meta_path: str | os.PathLike, *, normalise: str | None = "minmax",
                  aggregate: str | None = "mean", time: str | None = None) -> dict[str, dict[str, float | None]]:
    """Scores {unit code: {code: score}} of every indicator (normalised) and aggregate from COINr iData/iMeta CSV
    files. Panel data (a ``Time`` column) is computed for ``time`` (default: the latest)."""
    index = coinr.index_from_imeta(read_table(meta_path), str(meta_path))
    sets = coinr.datasets_from_idata(read_table(data_path), index, str(data_path))
    if time is None:
        time = max(sets, key=_time_key)
    if time not in sets:
        raise CompareError(f"{data_path}: no rows with Time {time!r} (times: {', '.join(sorted(sets))})")
    result = engine.compute(index, sets[time], normalise_with=normalise, aggregate_with=aggregate)
    return result.as_dict()


def _time_key(value: str):
    try:
        return (0, float(value), value)
    except ValueError:
        return (1, 0.0, value)


# ---------------------------------------------------------------------------------------------------------------
# Indices in the hub
# ---------------------------------------------------------------------------------------------------------------

def load_definition(conn: sqlite3.Connection, data: dict, source: str, actor: str) -> dict:
    """Validate and store an index definition (a new one, or a new version of one with the same code)."""
    index = definition.from_mapping(data, source)
    with transaction(conn):
        _index_id, created = store.save_index(conn, definition.to_mapping(index), actor)
    return {"index": index.code, "name": index.name, "created": created, "indicators": len(index.indicators),
            "aggregates": len(index.nodes) - len(index.indicators), "editions": [e.code for e in index.editions]}


def load_file(conn: sqlite3.Connection, path: str | os.PathLike, actor: str) -> dict:
    """Load an index definition from YAML."""
    return load_definition(conn, _yaml(path), str(path), actor)


def load_upload(conn: sqlite3.Connection, filename: str, data: bytes, actor: str) -> dict:
    """Load an index definition uploaded as YAML."""
    try:
        mapping = safeload.load_yaml(data, filename)
    except safeload.InputError as exc:
        raise CompareError(str(exc)) from None
    return load_definition(conn, mapping, filename, actor)


def _yaml(path) -> dict:
    try:
        return safeload.load_yaml_file(path)
    except safeload.InputError as exc:
        raise CompareError(str(exc)) from None


def load_coinr(conn: sqlite3.Connection, data_path, meta_path, code: str, name: str | None, actor: str) -> dict:
    """Store an index from COINr iMeta and its data from iData (each Time becomes an edition)."""
    rows_meta = read_table(meta_path)
    index = coinr.index_from_imeta(rows_meta, str(meta_path), code, name)
    rows = read_table(data_path)
    times = sorted({r.get("Time", "").strip() or "1" for r in rows}, key=_time_key)
    mapping = definition.to_mapping(index)
    mapping["editions"] = [{"code": t, "name": t, "year": int(t) if t.isdigit() else None,
                            "indicators": [n.code for n in index.indicators]} for t in times]
    summary = load_definition(conn, mapping, str(meta_path), actor)
    if "Time" not in rows[0]:
        rows = [r | {"Time": "1"} for r in rows]
    summary["answers"] = import_rows(conn, code, rows, str(data_path), actor)
    return summary


def _index(conn: sqlite3.Connection, code: str) -> tuple[dict, IndexDef]:
    row = store.index_row(conn, code)
    if row is None:
        known = ", ".join(i["code"] for i in store.indices(conn)) or "none yet"
        raise CompareError(f"no index {code!r} in the hub (indices: {known}; load one with `migrahub index load`)")
    return row, definition.from_mapping(row["definition"], f"index {code}")


def list_indices(conn: sqlite3.Connection) -> list[dict]:
    return store.indices(conn)


def get_index(conn: sqlite3.Connection, code: str) -> IndexDef:
    return _index(conn, code)[1]


# ---------------------------------------------------------------------------------------------------------------
# Answers
# ---------------------------------------------------------------------------------------------------------------

def import_file(conn: sqlite3.Connection, code: str, path: str | os.PathLike, actor: str,
                edition: str | None = None, sheet: str | None = None) -> dict:
    return import_rows(conn, code, read_table(path, sheet), str(path), actor, edition)


def import_upload(conn: sqlite3.Connection, code: str, filename: str, data: bytes, actor: str,
                  edition: str | None = None) -> dict:
    return import_rows(conn, code, read_table_bytes(data, filename), filename, actor, edition)


def import_rows(conn: sqlite3.Connection, code: str, rows: list[dict], source: str, actor: str,
                edition: str | None = None) -> dict:
    """Validate every row of an answers table, then store units and answers in one transaction (a bad row stores
    nothing, and nothing stored before is lost)."""
    row, index = _index(conn, code)
    parsed, units = answers_mod.parse_rows(index, rows, source, edition)
    for a in parsed:
        for pid in a.evidence:
            if store.passage(conn, pid) is None:
                raise CompareError(f"{source}: evidence of {a.unit}/{a.indicator}: no passage {pid} in the hub")
    with transaction(conn):
        unit_ids = {u.code: _save_unit(conn, row["id"], index, u, actor) for u in units}
        editions = store.editions(conn, row["id"])
        written = store.save_answers(conn, [(editions[a.edition], unit_ids[a.unit], _answer_row(conn, a))
                                            for a in parsed], actor)
        for a in parsed:
            if a.evidence:
                store.confirm_used(conn, editions[a.edition], unit_ids[a.unit], a.indicator, list(a.evidence), actor)
    return {"index": code, "units": len(units), "answers": len(parsed), "changed": written}


def _answer_row(conn: sqlite3.Connection, a: answers_mod.Answer) -> dict:
    evidence = []
    for pid in a.evidence:
        p = store.passage(conn, pid)
        evidence.append({"passage_id": pid, "document_id": p["document_id"], "start": p["start"], "end": p["end"]})
    return {"indicator": a.indicator, "answer": a.answer, "value": a.value, "status": a.status, "source": a.source,
            "comment": a.comment, "evidence": evidence}


def _save_unit(conn: sqlite3.Connection, index_id: int, index: IndexDef, u: answers_mod.UnitInfo, actor: str) -> int:
    kind = u.kind or index.unit_kind
    known = {x["code"]: x for x in store.units(conn, index_id)}.get(u.code)
    custom = dict(u.groups)
    if known and not custom and not u.country:
        return known["id"]
    name = known["name"] if known and u.name == u.code else u.name
    place = store.place_entity(conn, name)
    networks = store.city_networks(conn, place) if place else []
    info = places.peer_groups(kind, name, u.country or (known or {}).get("country"), custom, networks)
    return store.save_unit(conn, index_id, {"code": u.code, "name": name, "kind": kind, **info}, actor)


def set_answers(conn: sqlite3.Connection, code: str, edition: str, unit: str, values: dict[str, dict],
                actor: str, unit_name: str | None = None, country: str | None = None) -> dict:
    """Store one unit's answers from the questionnaire: ``values`` {indicator: {answer, source, comment,
    evidence (passage ids)}}; every answer is checked first, then all are stored in one transaction."""
    rows = [{"unit": unit, "unit_name": unit_name or "", "country": country or "", "edition": edition, "indicator": ind,
             "answer": v.get("answer") or "", "source": v.get("source") or "", "comment": v.get("comment") or "",
             "evidence": ";".join(str(p) for p in v.get("evidence") or ()), "_row": ind}
            for ind, v in values.items()]
    if not rows:
        raise CompareError("no answers given")
    return import_rows(conn, code, rows, f"questionnaire of {unit}", actor, edition)


# ---------------------------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------------------------

def _dataset(conn: sqlite3.Connection, row: dict, index: IndexDef, edition: str) -> tuple[Dataset, dict]:
    ed = index.edition(edition)
    edition_id = store.editions(conn, row["id"])[ed.code]
    units = {u["id"]: u for u in store.units(conn, row["id"])}
    rows = store.answer_values(conn, edition_id)
    present = sorted({unit for unit, _i, _s, _v in rows})
    codes = ed.indicators
    values = np.full((len(present), len(codes)), np.nan)
    na = np.zeros(values.shape, dtype=bool)
    pos_u, pos_i = {u: i for i, u in enumerate(present)}, {c: j for j, c in enumerate(codes)}
    for unit, indicator, status, value in rows:
        j = pos_i.get(indicator)
        if j is None:
            continue
        if status == "na":
            na[pos_u[unit], j] = True
        elif value is not None:
            values[pos_u[unit], j] = value
    by_code = {u["code"]: u for u in units.values()}
    data = Dataset(tuple(present), codes, values, na, tuple(by_code[u]["name"] for u in present),
                   {u: by_code[u]["groups"] for u in present})
    return data, by_code


def _latest(index: IndexDef, edition: str | None) -> str:
    if edition:
        return index.edition(edition).code
    if not index.editions:
        raise CompareError(f"index {index.code}: no editions")
    return max(index.editions, key=lambda e: (e.year or 0, index.editions.index(e))).code


def results(conn: sqlite3.Connection, code: str, edition: str | None = None, **options) -> dict:
    """Scores and ranks of every unit in an edition (``options``: normalise_with, aggregate_with, weights)."""
    row, index = _index(conn, code)
    edition = _latest(index, edition)
    data, units = _dataset(conn, row, index, edition)
    result = compute(index, data, indicators=index.edition(edition).indicators, **options) if data.units else None
    root = index.root().code
    table = []
    if result is not None:
        order = ranks(result.column(root))
        scores = result.as_dict()
        for i, u in enumerate(data.units):
            table.append({"unit": u, "name": data.names[i], "rank": int(order[i]) or None, "scores": scores[u]})
        table.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["unit"]))
    return {"index": index, "edition": index.edition(edition), "result": result, "root": root, "table": table,
            "units": units, "data": data, "row": row}


def _areas(index: IndexDef, result: Result) -> list[str]:
    root = index.root().code
    return [c for c in result.codes if index.node(c).parent == root]


def scores_json(conn: sqlite3.Connection, code: str, edition: str | None = None) -> dict:
    r = results(conn, code, edition)
    return {"index": code, "edition": r["edition"].code, "engine": ENGINE,
            "scores": r["result"].as_dict() if r["result"] is not None else {},
            "ranks": {t["unit"]: t["rank"] for t in r["table"]}}


def profile(conn: sqlite3.Connection, code: str, unit: str, edition: str | None = None) -> dict:
    """A unit's profile: scores by area, ranks overall and among its peers, strengths and gaps, its time series
    across editions (on the common core), its answers with evidence, and practices from higher-scoring peers."""
    r = results(conn, code, edition)
    index, result, data = r["index"], r["result"], r["data"]
    if result is None or unit not in data.units:
        raise CompareError(f"index {code}: no answers of {unit!r} in edition {r['edition'].code}")
    root = r["root"]
    scores = result.as_dict()[unit]
    areas = [{"code": c, "name": index.node(c).name, "score": scores[c],
              "mean": _mean(result.column(c))} for c in _areas(index, result)]
    peer_ranks = [rank_among(result.column(root), data.units, unit, None, "all")]
    for key in ("size", "country", "region", "networks", *sorted(set().union(*data.groups.values()) -
                                                                  {"size", "country", "region", "networks"})):
        label, members = peers(data.groups, unit, key)
        if members:
            pr = rank_among(result.column(root), data.units, unit, members, key)
            peer_ranks.append(Rank(pr.rank, pr.of, f"{key}: {label}"))
    strengths, gaps = strengths_and_gaps(index, result, unit, index.edition(r["edition"].code).indicators)
    edition_id = store.editions(conn, r["row"]["id"])[r["edition"].code]
    unit_row = r["units"][unit]
    points = series(conn, code, unit)
    return {"index": index, "edition": r["edition"], "unit": unit_row, "root": root, "score": scores[root],
            "areas": areas, "ranks": peer_ranks, "strengths": strengths, "gaps": gaps,
            "series": points, "series_chart": series_chart(index.root().name, points),
            "answers": store.answers(conn, edition_id, unit_row["id"]),
            "peer_practices": peer_practices(conn, r, unit), "chart": area_chart(areas)}


def strengths_and_gaps(index: IndexDef, result: Result, unit: str, codes: tuple[str, ...], n: int = 3
                       ) -> tuple[list[dict], list[dict]]:
    """The unit's indicators furthest above (strengths) and below (gaps) the mean of all units."""
    scores = result.as_dict()[unit]
    rows = []
    for c in codes:
        mean = _mean(result.column(c))
        if scores[c] is not None and mean is not None:
            rows.append({"code": c, "name": index.node(c).name, "score": scores[c], "mean": mean,
                         "gap": scores[c] - mean})
    rows.sort(key=lambda x: -x["gap"])
    return [x for x in rows if x["gap"] > 0][:n], [x for x in rows[::-1] if x["gap"] < 0][:n]


def _mean(column: np.ndarray) -> float | None:
    valid = column[~np.isnan(column)]
    return float(valid.mean()) if valid.size else None


def series(conn: sqlite3.Connection, code: str, unit: str) -> list[dict]:
    """The unit's overall score in every edition it answered, each edition computed whole, and the change from the
    previous edition computed on the two editions' common core."""
    row, index = _index(conn, code)
    out, previous = [], None
    for ed in sorted(index.editions, key=lambda e: (e.year or 0, index.editions.index(e))):
        data, _ = _dataset(conn, row, index, ed.code)
        if unit not in data.units:
            continue
        result = compute(index, data, indicators=ed.indicators)
        point = {"edition": ed.code, "year": ed.year, "score": result.as_dict()[unit][index.root().code],
                 "change": None}
        if previous is not None:
            core = editions.common_core(index, [previous[0].code, ed.code])
            if core:
                _a, _b, delta = editions.change(index, previous[1], data, core)
                point["change"] = delta.get(unit, {}).get(index.root().code)
                point["core"] = len(core)
        out.append(point)
        previous = (ed, data)
    return out


def peer_practices(conn: sqlite3.Connection, r: dict, unit: str, limit: int = 5) -> dict:
    """Practices from peers that score higher where this unit is weakest: the unit's lowest area, the units
    scoring higher there (its size peers first, then all), and the practice library's records placed in them."""
    index, result, data = r["index"], r["result"], r["data"]
    areas = [(c, result.as_dict()[unit][c]) for c in _areas(index, result)]
    areas = [(c, s) for c, s in areas if s is not None]
    if not areas:
        return {"area": None, "practices": []}
    weakest, mine = min(areas, key=lambda cs: cs[1])
    column = result.column(weakest)
    _label, size_peers = peers(data.groups, unit, "size")
    better = sorted((u for i, u in enumerate(data.units) if not np.isnan(column[i]) and column[i] > mine),
                    key=lambda u: (u not in size_peers, -column[data.units.index(u)]))
    found = []
    library = practices.records(conn)
    for u in better:
        name = r["units"][u]["name"].casefold()
        for p in library:
            if any(str(pl.get("name", "")).casefold() == name for pl in p.places):
                found.append({"peer": u, "peer_name": r["units"][u]["name"],
                              "peer_score": float(column[data.units.index(u)]), "title": p.title,
                              "summary": p.summary, "document_id": p.document_id, "passage_id": p.passage_id,
                              "entity_id": p.entity_id})
        if len(found) >= limit:
            break
    return {"area": weakest, "area_name": index.node(weakest).name, "score": mine, "practices": found[:limit]}


def area_chart(areas: list[dict]) -> str:
    """Server-side SVG bar chart of the area scores (0–100) with the mean of all units marked; the page shows the
    same numbers in a table beside it."""
    width, bar_h, gap, label_w = 420, 22, 10, 150
    height = max(1, len(areas)) * (bar_h + gap) + gap
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-labelledby="area-chart-title" class="compare-chart"><title id="area-chart-title">Scores by area '
             f'(0–100), the mark shows the mean of all units</title>']
    scale = (width - label_w - 40) / 100
    for i, a in enumerate(areas):
        y = gap + i * (bar_h + gap)
        score = a["score"] or 0
        parts.append(f'<text x="0" y="{y + 15}" class="compare-chart-label">{escape(a["name"][:24])}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{score * scale:.1f}" height="{bar_h}" '
                     f'class="compare-chart-bar"/>')
        if a["mean"] is not None:
            x = label_w + a["mean"] * scale
            parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y - 3}" y2="{y + bar_h + 3}" '
                         f'class="compare-chart-mean"/>')
        label = "–" if a["score"] is None else f"{a['score']:.1f}"
        parts.append(f'<text x="{label_w + score * scale + 4:.1f}" y="{y + 15}" class="compare-chart-value">'
                     f'{label}</text>')
    parts.append("</svg>")
    return "".join(parts)


def series_chart(label: str, points: list[dict]) -> str:
    """Server-side SVG line of the overall score across editions (0–100); the page shows the same numbers in a
    table beside it."""
    points = [p for p in points if p["score"] is not None]
    width, height, left, top, bottom = 360, 160, 34, 12, 28
    inner_w, inner_h = width - left - 16, height - top - bottom
    step = inner_w / max(1, len(points) - 1)
    xy = [(left + (i * step if len(points) > 1 else inner_w / 2), top + inner_h * (1 - p["score"] / 100))
          for i, p in enumerate(points)]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-labelledby="series-chart-title" class="compare-chart"><title id="series-chart-title">'
             f'{escape(label)} in each edition (0–100)</title>']
    for tick in (0, 50, 100):
        y = top + inner_h * (1 - tick / 100)
        parts.append(f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" class="compare-chart-grid"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="compare-chart-label">'
                     f'{tick}</text>')
    if len(xy) > 1:
        parts.append('<polyline class="compare-chart-line" points="' +
                     " ".join(f"{x:.1f},{y:.1f}" for x, y in xy) + '"/>')
    for (x, y), p in zip(xy, points, strict=True):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" class="compare-chart-point"/>'
                     f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" class="compare-chart-label">'
                     f'{escape(str(p["edition"]))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def compare_units(conn: sqlite3.Connection, code: str, unit_codes: list[str], edition: str | None = None) -> dict:
    """Side by side: the chosen units' scores at every node of an edition."""
    r = results(conn, code, edition)
    result = r["result"]
    unknown = [u for u in unit_codes if result is None or u not in result.units]
    if unknown:
        raise CompareError(f"index {code}: no answers of {', '.join(unknown)} in edition {r['edition'].code}")
    scores = result.as_dict()
    rows = [{"code": c, "name": r["index"].node(c).name, "level": result.levels[j],
             "scores": [scores[u][c] for u in unit_codes]} for j, c in enumerate(result.codes)]
    rows.sort(key=lambda x: -x["level"])
    return {"index": r["index"], "edition": r["edition"], "units": [r["units"][u] for u in unit_codes],
            "rows": rows}


def indicator_view(conn: sqlite3.Connection, code: str, indicator: str, edition: str | None = None) -> dict:
    """An indicator's (or aggregate's) distribution over the units: every unit's score, sorted, with counts per
    answer option."""
    r = results(conn, code, edition)
    node = r["index"].node(indicator)
    result = r["result"]
    if result is None or indicator not in result.codes:
        raise CompareError(f"index {code}: {indicator!r} is not in edition {r['edition'].code}")
    column = result.column(indicator)
    values = sorted(((u, None if np.isnan(column[i]) else float(column[i])) for i, u in enumerate(result.units)),
                    key=lambda uv: (uv[1] is None, -(uv[1] or 0)))
    counts = {}
    if node.is_indicator:
        edition_id = store.editions(conn, r["row"]["id"])[r["edition"].code]
        for a in store.answers(conn, edition_id):
            if a["indicator"] == indicator:
                counts[a["answer"] or "(missing)"] = counts.get(a["answer"] or "(missing)", 0) + 1
    valid = [v for _, v in values if v is not None]
    return {"index": r["index"], "edition": r["edition"], "node": node, "values": values, "counts": counts,
            "stats": {"n": len(valid), "mean": float(np.mean(valid)) if valid else None,
                      "min": min(valid) if valid else None, "max": max(valid) if valid else None},
            "names": {u: r["units"][u]["name"] for u in result.units}}


# ---------------------------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------------------------

def export(conn: sqlite3.Connection, code: str, fmt: str, edition: str | None = None) -> tuple[bytes, str, str]:
    """The scores of an edition as CSV, XLSX or JSON, or the index as COINr tables (``imeta``, ``idata``):
    (content, media type, file name)."""
    if fmt == "json":
        body = json.dumps(scores_json(conn, code, edition), ensure_ascii=False, indent=1).encode()
        return body, "application/json", f"{code}.json"
    r = results(conn, code, edition)
    index, result = r["index"], r["result"]
    if fmt == "imeta":
        return coinr.imeta_csv(index).encode(), "text/csv", f"{code}-iMeta.csv"
    if fmt == "idata":
        sets = {ed.code: _dataset(conn, r["row"], index, ed.code)[0] for ed in index.editions}
        full = {t: _full_columns(index, d) for t, d in sets.items() if d.units}
        return coinr.idata_csv(full).encode(), "text/csv", f"{code}-iData.csv"
    codes = list(result.codes) if result is not None else []
    header = ["uCode", "uName", "Rank", *codes]
    rows = [[t["unit"], t["name"], t["rank"] or "", *(_cell(t["scores"][c]) for c in codes)] for t in r["table"]]
    name = f"{code}-{r['edition'].code}"
    if fmt == "csv":
        return to_csv(header, rows).encode(), "text/csv", f"{name}.csv"
    if fmt == "xlsx":
        names = {u: x["name"] for u, x in r["units"].items()}
        answers = [[a["unit"], names.get(a["unit"], a["unit"]), r["edition"].code, a["indicator"], a["answer"] or "",
                    a["source"], a["comment"], ";".join(str(e["passage_id"]) for e in a["evidence"])]
                   for a in store.answers(conn, store.editions(conn, r["row"]["id"])[r["edition"].code])]
        body = to_xlsx({"Scores": (header, rows),
                        "Answers": (["unit", "unit_name", "edition", "indicator", "answer", "source", "comment",
                                     "evidence"], answers)})
        return body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"{name}.xlsx"
    raise CompareError(f"export: unknown format {fmt!r} (csv, xlsx, json, imeta, idata)")


def _cell(value):
    return "" if value is None else round(value, 6)


def _full_columns(index: IndexDef, d: Dataset) -> Dataset:
    codes = tuple(n.code for n in index.indicators)
    values = np.full((len(d.units), len(codes)), np.nan)
    na = np.zeros(values.shape, dtype=bool)
    for j, c in enumerate(codes):
        if c in d.indicators:
            values[:, j] = d.column(c)
            na[:, j] = d.na[:, d.indicators.index(c)]
    return Dataset(d.units, codes, values, na, d.names, d.groups)


# ---------------------------------------------------------------------------------------------------------------
# Evidence from the hub
# ---------------------------------------------------------------------------------------------------------------

def questionnaire(conn: sqlite3.Connection, code: str, unit: str, edition: str | None = None) -> dict:
    """The questionnaire of one unit in one edition: each indicator with its options, the current answer and its
    evidence, and the passages suggested as evidence."""
    row, index = _index(conn, code)
    ed = index.edition(_latest(index, edition))
    units = {u["code"]: u for u in store.units(conn, row["id"])}
    unit_row = units.get(unit)
    edition_id = store.editions(conn, row["id"])[ed.code]
    current = {a["indicator"]: a for a in store.answers(conn, edition_id, unit_row["id"])} if unit_row else {}
    suggested = {}
    if unit_row:
        for s in store.suggestions(conn, edition_id, unit_row["id"]):
            suggested.setdefault(s["indicator"], []).append(s)
    items = []
    for c in ed.indicators:
        node = index.node(c)
        answer = current.get(c)
        evidence = [store.passage(conn, e["passage_id"]) | {"link": e} for e in (answer or {}).get("evidence", [])]
        open_suggestions = [x for x in suggested.get(c, []) if x["status"] != "rejected"]
        items.append({"node": node, "area": index.node(node.parent).name if node.parent else "", "answer": answer,
                      "evidence": [e for e in evidence if e], "suggestions": suggested.get(c, []),
                      "suggested_answer": _suggested_answer(node, answer, open_suggestions)})
    return {"index": index, "edition": ed, "unit": unit_row or {"code": unit, "name": unit}, "items": items}


def _suggested_answer(node, answer: dict | None, suggestions: list[dict]):
    """When passages about the unit describe the policy an unanswered question asks about, the option that says the
    policy exists (the highest value) is suggested; a person confirms it by choosing it."""
    scored = [o for o in node.options if o.value is not None]
    if (answer and answer["status"] != "missing") or not suggestions or not scored:
        return None
    return max(scored, key=lambda o: o.value)


def suggest(conn: sqlite3.Connection, code: str, unit: str, edition: str | None = None, actor: str = "compare/1"
            ) -> dict:
    """Suggest evidence for every indicator of a unit: passages of documents mentioning the unit's place that are
    coded with the indicator's ``codes`` (or contain its ``keywords``). They wait for a person to confirm or
    reject them; a confirmed one is linked to the answer the person gives."""
    row, index = _index(conn, code)
    ed = index.edition(_latest(index, edition))
    unit_row = {u["code"]: u for u in store.units(conn, row["id"])}.get(unit)
    if unit_row is None:
        raise CompareError(f"index {code}: no unit {unit!r}")
    place = store.place_entity(conn, unit_row["name"])
    made = 0
    if place is not None:
        edition_id = store.editions(conn, row["id"])[ed.code]
        with transaction(conn):
            for c in ed.indicators:
                node = index.node(c)
                found = store.coded_passages(conn, place, list(node.codes)) or \
                    store.passages_with_words(conn, place, list(node.keywords))
                for p in _unit_practices(conn, unit_row["name"], node.keywords):
                    made += store.save_suggestion(conn, edition_id, unit_row["id"], c, p.passage_id,
                                                  f"practice: {p.title}")
                for f in found:
                    made += store.save_suggestion(conn, edition_id, unit_row["id"], c, f["passage_id"],
                                                  f"coded {f['code_id']}" if node.codes else
                                                  f"mentions {f['code_id']!r}")
            log_action(conn, actor, "compare.suggest", "compare_unit", f"{row['id']}:{unit}",
                       {"edition": ed.code, "suggestions": made})
    return {"unit": unit, "edition": ed.code, "place": place, "suggestions": made}


def _unit_practices(conn: sqlite3.Connection, name: str, keywords: tuple[str, ...]) -> list:
    """The practice library's records placed in the unit whose title or summary names one of the keywords."""
    if not keywords:
        return []
    words = [k.casefold() for k in keywords]
    return [p for p in practices.records(conn) if p.passage_id and
            any(str(pl.get("name", "")).casefold() == name.casefold() for pl in p.places) and
            any(w in f"{p.title} {p.summary}".casefold() for w in words)]


def decide(conn: sqlite3.Connection, suggestion_id: int, confirm: bool, actor: str) -> dict:
    """A person confirms or rejects a suggested passage (confirming adds it to the answer's evidence)."""
    s = store.decide_suggestion(conn, suggestion_id, "confirmed" if confirm else "rejected", actor)
    if s is None:
        raise CompareError(f"no suggestion {suggestion_id}")
    if confirm:
        with transaction(conn):
            current = [a for a in store.answers(conn, s["edition_id"], s["unit_id"]) if a["indicator"] ==
                       s["indicator"]]
            if current:
                a = current[0]
                p = store.passage(conn, s["passage_id"])
                link = {"passage_id": p["id"], "document_id": p["document_id"], "start": p["start"], "end": p["end"]}
                if link not in a["evidence"]:
                    store.save_answer(conn, s["edition_id"], s["unit_id"], a | {"evidence": [*a["evidence"], link]},
                                      actor)
    return s


def history(conn: sqlite3.Connection, code: str, unit: str, indicator: str, edition: str | None = None) -> list:
    row, index = _index(conn, code)
    ed = index.edition(_latest(index, edition))
    unit_row = {u["code"]: u for u in store.units(conn, row["id"])}.get(unit)
    if unit_row is None:
        return []
    return store.answer_history(conn, store.editions(conn, row["id"])[ed.code], unit_row["id"], indicator)


def what_if(conn: sqlite3.Connection, code: str, unit: str, changes: dict[str, str],
            edition: str | None = None) -> dict:
    """A unit's scores and rank before and after changing some of its answers ({indicator: answer as in the
    questionnaire}); nothing is stored."""
    r = results(conn, code, edition)
    index, ed, data = r["index"], r["edition"], r["data"]
    if unit not in data.units:
        raise CompareError(f"index {code}: no answers of {unit!r} in edition {ed.code}")
    values, na = {}, []
    for indicator, answer in changes.items():
        if indicator not in ed.catalogue:
            raise CompareError(f"what-if: {indicator!r} is not an indicator of edition {ed.code}")
        _answer, value, status = answers_mod.parse_answer(index.node(indicator), answer, f"what-if {indicator}")
        values[indicator] = value
        if status == "na":
            na.append(indicator)
    marked = data.na.copy()
    u = data.units.index(unit)
    for indicator in values:
        marked[u, data.indicators.index(indicator)] = indicator in na
    changed = Dataset(data.units, data.indicators, data.values, marked, data.names, data.groups)
    out = sensitivity.what_if(index, changed, unit, values, ed.indicators)
    before = sensitivity.what_if(index, data, unit, {}, ed.indicators)["before"]
    return {"unit": unit, "edition": ed.code, "changes": changes, "root": index.root().code,
            "before": before, "after": out["after"]}


def sensitivity_report(conn: sqlite3.Connection, code: str, edition: str | None = None, runs: int = 1000,
                       seed: int = 0) -> dict:
    r = results(conn, code, edition)
    index, data = r["index"], r["data"]
    ed = r["edition"]
    sub = _restrict(data, ed.indicators)
    mc = sensitivity.monte_carlo(_edition_index(index, ed), sub, runs=runs, seed=seed, methods=("mean", "geomean"))
    return {"edition": ed.code, "runs": runs, "seed": seed,
            "monte_carlo": [iv.__dict__ for iv in mc],
            "leave_one_out": sensitivity.leave_one_out(_edition_index(index, ed), sub),
            "alternatives": sensitivity.alternatives(_edition_index(index, ed), sub)}


def _edition_index(index: IndexDef, ed) -> IndexDef:
    keep = set(ed.indicators)
    nodes = tuple(n for n in index.nodes if not n.is_indicator or n.code in keep)
    return IndexDef(index.code, index.name, nodes, (ed,), index.normalise, index.aggregate, index.missing,
                    index.unit_kind)


def _restrict(data: Dataset, codes: tuple[str, ...]) -> Dataset:
    cols = [data.indicators.index(c) for c in codes]
    return Dataset(data.units, codes, data.values[:, cols], data.na[:, cols], data.names, data.groups)
