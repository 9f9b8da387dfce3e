"""An independent, straightforward reference of the composite computations (plain Python, no numpy), written from
COINr 1.x's documented formulas: n_minmax (x·direction scaled to 0–100 over the units), n_zscore (sample sd),
a_amean (Σwx/Σw over the non-missing children), a_gmean (exp(Σw ln x / Σw)). Used to check the engine."""

from __future__ import annotations

import csv
import math
import statistics


def read(path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def num(cell: str):
    return None if cell.strip() in ("", "NA") else float(cell)


def compute(data_path, meta_path, normalise="minmax", aggregate="mean") -> dict[str, dict[str, float | None]]:
    meta = [r for r in read(meta_path) if r["Type"] in ("Indicator", "Aggregate")]
    data = read(data_path)
    out = {r["uCode"]: {} for r in data}
    for m in meta:
        if m["Type"] != "Indicator":
            continue
        code, d = m["iCode"], float(m["Direction"])
        raw = {r["uCode"]: num(r[code]) for r in data}
        vals = [v * d for v in raw.values() if v is not None]
        for unit, v in raw.items():
            if v is None:
                out[unit][code] = None
            elif normalise == "minmax":
                out[unit][code] = (v * d - min(vals)) / (max(vals) - min(vals)) * 100
            elif normalise == "zscore":
                out[unit][code] = (v * d - statistics.mean(vals)) / statistics.stdev(vals)
            else:
                out[unit][code] = v
    levels = sorted({int(m["Level"]) for m in meta if m["Type"] == "Aggregate"})
    for level in levels:
        for m in (m for m in meta if m["Type"] == "Aggregate" and int(m["Level"]) == level):
            children = [(c["iCode"], float(c["Weight"])) for c in meta if c["Parent"] == m["iCode"]]
            for scores in out.values():
                pairs = [(scores[c], w) for c, w in children if scores[c] is not None]
                if not pairs:
                    scores[m["iCode"]] = None
                elif aggregate == "mean":
                    scores[m["iCode"]] = sum(x * w for x, w in pairs) / sum(w for _, w in pairs)
                elif any(x == 0 for x, _ in pairs):
                    scores[m["iCode"]] = 0.0
                else:
                    scores[m["iCode"]] = math.exp(sum(w * math.log(x) for x, w in pairs) / sum(w for _, w in pairs))
    return out


def ranking(scores: dict[str, dict], code: str) -> list[str]:
    return sorted((u for u in scores if scores[u][code] is not None), key=lambda u: -scores[u][code])
