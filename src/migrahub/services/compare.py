"""The compare feature's service functions: what the CLI, the web pages and the API call.

Files in (COINr iData/iMeta, YAML definitions, CSV/XLSX answers), the store for indices, editions, units and
answers (:mod:`migrahub.store.compare`), the engine for results (:mod:`migrahub.compare`).
"""

from __future__ import annotations

import os

from migrahub.compare import coinr, engine
from migrahub.compare.model import CompareError
from migrahub.compare.tables import read_table


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
