"""Index definitions: YAML (nested ``structure`` or flat ``nodes`` with parents) into a validated :class:`IndexDef`.

Validation refuses, naming the row or field: duplicate codes, a parent that does not exist, a cycle in the
hierarchy, a direction other than 1/−1, negative weights, explicit weights of a group that do not sum to 1 (or 100),
options without values, unknown normalisation, aggregation or missing-value rules, editions naming unknown
indicators.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import replace

from migrahub import safeload
from migrahub.compare.model import (
    AGGREGATORS,
    MISSING_RULES,
    NORMALISERS,
    CompareError,
    Edition,
    IndexDef,
    Node,
    Option,
)

CODE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
NA_WORDS = {"na", "n/a", "not applicable", "not_applicable"}
Where = Callable[[int, str], str]


def parse_options(raw, where: str) -> tuple[Option, ...]:
    """Options as ``{key: value}`` or ``[{key, label, value}]``; a value of ``na``/null marks not applicable."""
    if raw in (None, "", []):
        return ()
    items = [{"key": k, "value": v} for k, v in raw.items()] if isinstance(raw, dict) else raw
    if not isinstance(items, list):
        raise CompareError(f"{where}: options must be a mapping key: value or a list of {{key, label, value}}")
    out, seen = [], set()
    for i, item in enumerate(items):
        if not isinstance(item, dict) or "key" not in item:
            raise CompareError(f"{where}: option {i + 1} needs a key")
        key = _key(item["key"])
        if key in seen:
            raise CompareError(f"{where}: option {key!r} appears twice")
        seen.add(key)
        value = item.get("value")
        if value is None or str(value).strip().casefold() in NA_WORDS:
            num = None
        else:
            try:
                num = float(value)
            except (TypeError, ValueError):
                raise CompareError(f"{where}: option {key!r} has value {value!r}, not a number or 'na'") from None
        out.append(Option(key, str(item.get("label") or key), num))
    return tuple(out)


def _key(value) -> str:
    """An option key as text; YAML reads bare yes/no as booleans, which mean the words here."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).strip()


def _number(value, where: str, default: float | None = None) -> float | None:
    if value is None or (isinstance(value, str) and value.strip() in ("", "NA")):
        return default
    try:
        num = float(value)
    except (TypeError, ValueError):
        raise CompareError(f"{where}: {value!r} is not a number") from None
    if math.isnan(num) or math.isinf(num):
        raise CompareError(f"{where}: {value!r} is not a finite number")
    return num


def build_nodes(rows: list[dict], where: Where, *, weights_sum: bool = True) -> tuple[Node, ...]:
    """Validated nodes from flat rows ({code, name, parent, weight, direction, options, level, …}); levels are
    computed (leaves are 1, a parent one above its highest child) and, when given, checked. ``weights_sum``:
    explicit weights within a group must sum to 1 or 100 (COINr's iMeta weights are relative instead)."""
    codes: dict[str, int] = {}
    for i, row in enumerate(rows):
        code = str(row.get("code") or "").strip()
        if not CODE_RE.match(code):
            raise CompareError(f"{where(i, 'code')}: {code!r} is not a code (letters, digits, _ . -; not starting "
                               "with a digit)")
        if code in codes:
            raise CompareError(f"{where(i, 'code')}: {code!r} appears twice (first at {where(codes[code], 'code')})")
        codes[code] = i
    parents = {}
    for i, row in enumerate(rows):
        parent = row.get("parent")
        parent = None if parent is None or str(parent).strip() in ("", "NA") else str(parent).strip()
        if parent is not None and parent not in codes:
            raise CompareError(f"{where(i, 'parent')}: parent {parent!r} of {row['code']!r} is not defined")
        parents[str(row["code"]).strip()] = parent
    _refuse_cycles(parents, codes, where)
    levels = _levels(parents)
    nodes = []
    for i, row in enumerate(rows):
        code = str(row["code"]).strip()
        _check_level(rows, i, code, parents, codes, where)
        direction = _number(row.get("direction"), where(i, "direction"), 1.0)
        if direction not in (1.0, -1.0):
            raise CompareError(f"{where(i, 'direction')}: direction of {code!r} must be 1 or -1, not {direction:g}")
        weight = _number(row.get("weight"), where(i, "weight"), None)
        if weight is not None and weight < 0:
            raise CompareError(f"{where(i, 'weight')}: weight of {code!r} is negative ({weight:g})")
        normalise = row.get("normalise") or None
        if normalise is not None and normalise not in NORMALISERS:
            raise CompareError(f"{where(i, 'normalise')}: unknown normalisation {normalise!r} "
                               f"(one of {', '.join(NORMALISERS)})")
        agg = row.get("aggregate") or None
        if agg is not None and agg not in AGGREGATORS:
            raise CompareError(f"{where(i, 'aggregate')}: unknown aggregation {agg!r} "
                               f"(one of {', '.join(AGGREGATORS)})")
        goalposts = row.get("goalposts")
        if goalposts is not None:
            if not isinstance(goalposts, (list, tuple)) or len(goalposts) != 2:
                raise CompareError(f"{where(i, 'goalposts')}: goalposts of {code!r} must be [lower, upper]")
            lo, hi = (_number(g, where(i, "goalposts")) for g in goalposts)
            if lo is None or hi is None or lo == hi:
                raise CompareError(f"{where(i, 'goalposts')}: goalposts of {code!r} must be two different numbers")
            goalposts = (lo, hi)
        options = parse_options(row.get("options"), where(i, "options"))
        if options and levels[code] != 1:
            raise CompareError(f"{where(i, 'options')}: {code!r} has children, so it cannot have answer options")
        nodes.append(Node(code, str(row.get("name") or code), levels[code], parents[code],
                          1.0 if weight is None else weight, int(direction), options, normalise, goalposts,
                          str(row.get("question") or ""), agg, _strings(row.get("codes")),
                          _strings(row.get("keywords"))))
    _check_weights(nodes, rows, where, weights_sum)
    return tuple(nodes)


def _strings(value) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    items = value if isinstance(value, list) else str(value).split(";")
    return tuple(str(v).strip() for v in items if str(v).strip())


def _check_level(rows: list[dict], i: int, code: str, parents: dict, codes: dict, where: Where) -> None:
    """A given level (iMeta's ``Level``) must sit below its parent's given level."""
    given = _number(rows[i].get("level"), where(i, "level"))
    parent = parents[code]
    if given is None or parent is None:
        return
    above = _number(rows[codes[parent]].get("level"), where(codes[parent], "level"))
    if above is not None and above <= given:
        raise CompareError(f"{where(i, 'level')}: {code!r} is at level {given:g} but its parent {parent!r} is at "
                           f"level {above:g}, not above it")


def _refuse_cycles(parents: dict[str, str | None], codes: dict[str, int], where: Where) -> None:
    for start in parents:
        seen, code = [start], parents[start]
        while code is not None:
            if code in seen:
                loop = " → ".join([*seen[seen.index(code):], code])
                raise CompareError(f"{where(codes[start], 'parent')}: cycle in the hierarchy: {loop}")
            seen.append(code)
            code = parents[code]


def _levels(parents: dict[str, str | None]) -> dict[str, int]:
    levels = dict.fromkeys(parents, 1)
    changed = True
    while changed:
        changed = False
        for code, parent in parents.items():
            if parent is not None and levels[parent] < levels[code] + 1:
                levels[parent] = levels[code] + 1
                changed = True
    return levels


def _check_weights(nodes: list[Node], rows: list[dict], where: Where, must_sum: bool) -> None:
    groups: dict[str, list[int]] = {}
    for i, n in enumerate(nodes):
        if n.parent is not None:
            groups.setdefault(n.parent, []).append(i)
    for parent, members in groups.items():
        explicit = [i for i in members if _number(rows[i].get("weight"), where(i, "weight")) is not None]
        total = sum(nodes[i].weight for i in members)
        if total <= 0:
            raise CompareError(f"{where(members[0], 'weight')}: the weights of the children of {parent!r} sum to "
                               "0; at least one must be positive")
        if not must_sum or not explicit:
            continue
        if len(explicit) != len(members):
            missing = [nodes[i].code for i in members if i not in explicit]
            raise CompareError(f"{where(missing and members[0], 'weight')}: children of {parent!r} mix explicit "
                               f"weights with none ({', '.join(missing)} have none)")
        if not (math.isclose(total, 1.0, abs_tol=1e-6) or math.isclose(total, 100.0, abs_tol=1e-4)):
            raise CompareError(f"{where(members[0], 'weight')}: the weights of the children of {parent!r} sum to "
                               f"{total:g}, not 1 (or 100)")


def _flatten(items, parent: str | None, out: list[dict], path: str) -> None:
    if not isinstance(items, list):
        raise CompareError(f"{path}: must be a list of nodes")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise CompareError(f"{path}[{i}]: must be a mapping with a code")
        row = {k: v for k, v in item.items() if k != "children"}
        row["parent"] = parent
        row["_where"] = f"{path}[{i}]"
        out.append(row)
        if item.get("children"):
            _flatten(item["children"], str(item.get("code")), out, f"{path}[{i}].children")


def from_mapping(data: dict, source: str = "<definition>") -> IndexDef:
    """An index from its parsed YAML: ``code``, ``name``, ``structure`` (nested) or ``nodes`` (flat), defaults
    ``normalise``, ``aggregate``, ``missing``, and ``editions``."""
    if not isinstance(data, dict):
        raise CompareError(f"{source}: an index definition is a mapping (code, name, structure, editions)")
    rows: list[dict] = []
    if "structure" in data:
        _flatten(data["structure"], None, rows, "structure")
    elif "nodes" in data:
        if not isinstance(data["nodes"], list):
            raise CompareError(f"{source}: nodes must be a list")
        rows = [dict(r, _where=f"nodes[{i}]") if isinstance(r, dict) else {"_where": f"nodes[{i}]"}
                for i, r in enumerate(data["nodes"])]
    else:
        raise CompareError(f"{source}: no structure (nested) or nodes (flat) in the definition")
    relative = data.get("weights", "sum") == "relative"
    nodes = build_nodes(rows, lambda i, field: f"{source}: {rows[i]['_where']}.{field}", weights_sum=not relative)
    settings = {}
    aggregate = data.get("aggregate", "mean")
    if isinstance(aggregate, dict):  # per level: {2: geomean, 3: mean}; levels not named use the mean
        nodes = _per_level(nodes, aggregate, source)
        data = {**data, "aggregate": "mean"}
    for key, allowed in (("normalise", NORMALISERS), ("aggregate", AGGREGATORS), ("missing", MISSING_RULES)):
        value = data.get(key, {"normalise": "minmax", "aggregate": "mean", "missing": "exclude"}[key])
        if value not in allowed:
            raise CompareError(f"{source}: {key}: {value!r} is not one of {', '.join(allowed)}")
        settings[key] = value
    code = str(data.get("code") or "").strip()
    if not CODE_RE.match(code):
        raise CompareError(f"{source}: code: {code!r} is not a code")
    indicators = tuple(n.code for n in nodes if n.is_indicator)
    editions = parse_editions(data.get("editions") or [{"code": "1", "name": "Edition 1"}], indicators, source)
    return IndexDef(code, str(data.get("name") or code), nodes, editions, unit_kind=str(data.get("unit_kind") or
                    "city"), description=str(data.get("description") or ""), **settings)


def _per_level(nodes: tuple[Node, ...], methods: dict, source: str) -> tuple[Node, ...]:
    levels = {}
    for level, method in methods.items():
        if method not in AGGREGATORS:
            raise CompareError(f"{source}: aggregate.{level}: {method!r} is not one of {', '.join(AGGREGATORS)}")
        try:
            levels[int(level)] = method
        except (TypeError, ValueError):
            raise CompareError(f"{source}: aggregate: {level!r} is not a level number (2 for the groups of "
                               "indicators, 3 above them, …)") from None
    return tuple(replace(n, aggregate=n.aggregate or levels.get(n.level)) if not n.is_indicator else n
                 for n in nodes)


def parse_editions(items, indicators: tuple[str, ...], source: str) -> tuple[Edition, ...]:
    if not isinstance(items, list):
        raise CompareError(f"{source}: editions must be a list")
    out, seen = [], set()
    for i, item in enumerate(items):
        where = f"{source}: editions[{i}]"
        if not isinstance(item, dict) or item.get("code") in (None, ""):
            raise CompareError(f"{where}: an edition needs a code")
        code = str(item["code"])
        if code in seen:
            raise CompareError(f"{where}.code: edition {code!r} appears twice")
        seen.add(code)
        chosen = item.get("indicators", "all")
        if chosen == "all":
            chosen = list(indicators)
        elif isinstance(chosen, dict) and "exclude" in chosen:
            chosen = [c for c in indicators if c not in set(map(str, chosen["exclude"]))]
        if not isinstance(chosen, list) or not chosen:
            raise CompareError(f"{where}.indicators: 'all', a list of indicator codes or {{exclude: [...]}}")
        unknown = [str(c) for c in chosen if str(c) not in indicators]
        if unknown:
            raise CompareError(f"{where}.indicators: not indicators of the index: {', '.join(unknown)}")
        year = item.get("year")
        out.append(Edition(code, str(item.get("name") or code), int(year) if year not in (None, "") else None,
                           tuple(str(c) for c in chosen)))
    return tuple(out)


def load_yaml(path) -> IndexDef:
    """The index defined in a YAML file (bounded read)."""
    try:
        data = safeload.load_yaml_file(path)
    except safeload.InputError as exc:
        raise CompareError(str(exc)) from None
    return from_mapping(data, str(path))


def to_mapping(index: IndexDef) -> dict:
    """The YAML-able mapping of an index (flat ``nodes``); :func:`from_mapping` reads it back."""
    nodes = []
    for n in index.nodes:
        row = {"code": n.code, "name": n.name, "parent": n.parent, "weight": n.weight, "direction": n.direction}
        if n.question:
            row["question"] = n.question
        if n.options:
            row["options"] = [{"key": o.key, "label": o.label, "value": "na" if o.value is None else o.value}
                              for o in n.options]
        for key in ("normalise", "aggregate"):
            if getattr(n, key):
                row[key] = getattr(n, key)
        if n.goalposts:
            row["goalposts"] = list(n.goalposts)
        for key in ("codes", "keywords"):
            if getattr(n, key):
                row[key] = list(getattr(n, key))
        nodes.append(row)
    return {"code": index.code, "name": index.name, "description": index.description, "unit_kind": index.unit_kind,
            "normalise": index.normalise, "aggregate": index.aggregate, "missing": index.missing,
            "weights": "relative", "nodes": nodes,
            "editions": [{"code": e.code, "name": e.name, "year": e.year, "indicators": list(e.indicators)}
                         for e in index.editions]}
