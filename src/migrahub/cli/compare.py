"""The compare commands of the command-line door: ``migrahub index load|compute|compare|export``."""

from __future__ import annotations

import getpass
import json

import click

from migrahub.cli import main
from migrahub.cli.output import fail, print_json, print_table
from migrahub.compare.model import AGGREGATORS, NORMALISERS, CompareError
from migrahub.services import compare as service
from migrahub.store.database import StoreError

ERRORS = (CompareError, StoreError, FileNotFoundError)


@main.group()
def index():
    """Policy indices (MIPEX- and Intercultural-Cities-style): load, compute, compare, export."""


@index.command("compute")
@click.option("--data", "data_path", type=click.Path(exists=True, dir_okay=False),
              help="COINr iData CSV/XLSX (uCode, uName, [Time], groups, one column per indicator).")
@click.option("--meta", "meta_path", type=click.Path(exists=True, dir_okay=False),
              help="COINr iMeta CSV/XLSX (iCode, iName, Level, Parent, Direction, Weight, Type).")
@click.option("--normalise", type=click.Choice(NORMALISERS), default="minmax", show_default=True,
              help="Normalisation of the indicators (iData/iMeta files).")
@click.option("--aggregate", type=click.Choice(AGGREGATORS), default="mean", show_default=True,
              help="Aggregation at every level (iData/iMeta files).")
@click.option("--time", help="With panel iData: the Time to compute (default: the latest).")
@click.option("--json", "as_json", is_flag=True, help="Print {unit code: {code: score}} (the default output).")
def index_compute(data_path, meta_path, normalise, aggregate, time, as_json):
    """Scores of every indicator and aggregate at every level for every unit."""
    if not (data_path and meta_path):
        fail("index compute: give --data iData.csv and --meta iMeta.csv")
    try:
        result = service.compute_files(data_path, meta_path, normalise=normalise, aggregate=aggregate, time=time)
    except ERRORS as exc:
        fail(str(exc))
    click.echo(json.dumps(result, ensure_ascii=False, indent=1))


def _conn(obj):
    from migrahub.store.database import connect

    return connect(obj["db"])


@index.command("load")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--answers", "answers_path", type=click.Path(exists=True, dir_okay=False),
              help="Answers to import (CSV/XLSX: unit, edition, indicator, answer[, source, comment, evidence]; "
                   "or COINr iData).")
@click.option("--index", "index_code", help="The index the answers belong to (default: the one PATH defines).")
@click.option("--edition", help="Edition of answers given without an edition column.")
@click.option("--sheet", help="XLSX sheet to read (default: the first).")
@click.option("--data", "data_path", type=click.Path(exists=True, dir_okay=False), help="COINr iData to load.")
@click.option("--meta", "meta_path", type=click.Path(exists=True, dir_okay=False), help="COINr iMeta to load.")
@click.option("--code", help="Code of an index loaded from COINr tables.")
@click.option("--by", "actor", default=getpass.getuser, show_default="current user", help="Who loads (action log).")
@click.pass_obj
def index_load(obj, path, answers_path, index_code, edition, sheet, data_path, meta_path, code, actor):
    """Load an index definition (YAML) and/or its answers, or an index and data from COINr iMeta/iData."""
    out = {}
    try:
        conn = _conn(obj)
        if data_path or meta_path:
            if not (data_path and meta_path and code):
                fail("index load: COINr tables need --data, --meta and --code")
            out = service.load_coinr(conn, data_path, meta_path, code, None, actor)
        if path:
            out["definition"] = service.load_file(conn, path, actor)
            index_code = index_code or out["definition"]["index"]
        if answers_path:
            if not index_code:
                fail("index load: --answers needs --index CODE (or a definition PATH)")
            out["answers"] = service.import_file(conn, index_code, answers_path, actor, edition, sheet)
        if not out:
            fail("index load: give a definition PATH, --answers, or --data/--meta/--code")
    except ERRORS as exc:
        fail(str(exc))
    print_json(out)


@index.command("list")
@click.pass_obj
def index_list(obj):
    """The hub's indices with their units and editions."""
    print_json(service.list_indices(_conn(obj)))


@index.command("scores")
@click.argument("code")
@click.option("--edition", help="Edition (default: the latest).")
@click.pass_obj
def index_scores(obj, code, edition):
    """Scores and ranks of a stored index's units in one edition, as JSON."""
    try:
        print_json(service.scores_json(_conn(obj), code, edition))
    except ERRORS as exc:
        fail(str(exc))


@index.command("compare")
@click.argument("code")
@click.argument("units", nargs=-1, required=True)
@click.option("--edition", help="Edition (default: the latest).")
@click.pass_obj
def index_compare(obj, code, units, edition):
    """Units of a stored index side by side, and each one's rank among its peers and change across editions."""
    try:
        conn = _conn(obj)
        side = service.compare_units(conn, code, list(units), edition)
        rows = [[r["code"], r["name"], *("–" if s is None else f"{s:.1f}" for s in r["scores"])] for r in side["rows"]]
        print_table(["code", "name", *[u["code"] for u in side["units"]]], rows)
        for unit in units:
            p = service.profile(conn, code, unit, edition)
            click.echo(f"{unit}: " + "; ".join(f"{r.group} {r}" for r in p["ranks"]))
            for point in p["series"]:
                change = "" if point["change"] is None else f" (change on {point['core']} common indicators: " \
                                                             f"{point['change']:+.1f})"
                click.echo(f"  {point['edition']}: {point['score']:.1f}{change}")
    except ERRORS as exc:
        fail(str(exc))


@index.command("sensitivity")
@click.argument("code")
@click.option("--edition", help="Edition (default: the latest).")
@click.option("--runs", type=click.IntRange(1, 100_000), default=1000, show_default=True, help="Monte Carlo runs.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed (the same seed, the same result).")
@click.pass_obj
def index_sensitivity(obj, code, edition, runs, seed):
    """Rank intervals under random weights and aggregation (seeded), leave-one-area-out and alternative methods."""
    try:
        print_json(service.sensitivity_report(_conn(obj), code, edition, runs, seed))
    except ERRORS as exc:
        fail(str(exc))


@index.command("whatif")
@click.argument("code")
@click.argument("unit")
@click.argument("changes", nargs=-1, required=True)
@click.option("--edition", help="Edition (default: the latest).")
@click.pass_obj
def index_whatif(obj, code, unit, changes, edition):
    """What if UNIT answered differently: CHANGES as INDICATOR=ANSWER; prints its scores and rank before and after
    (nothing is stored)."""
    parsed = {}
    for change in changes:
        if "=" not in change:
            fail(f"index whatif: {change!r} is not INDICATOR=ANSWER")
        key, value = change.split("=", 1)
        parsed[key.strip()] = value.strip()
    try:
        print_json(service.what_if(_conn(obj), code, unit, parsed, edition))
    except ERRORS as exc:
        fail(str(exc))


@index.command("export")
@click.argument("code")
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(("csv", "xlsx", "json", "imeta", "idata")),
              help="Default: from OUT's extension (imeta/idata: COINr tables as CSV).")
@click.option("--edition", help="Edition (default: the latest).")
@click.pass_obj
def index_export(obj, code, out, fmt, edition):
    """Write the scores of an edition (CSV, XLSX, JSON) or the index as COINr iMeta/iData tables."""
    fmt = fmt or out.rsplit(".", 1)[-1].lower()
    try:
        body, _media, _name = service.export(_conn(obj), code, fmt, edition)
    except ERRORS as exc:
        fail(str(exc))
    with open(out, "wb") as fh:
        fh.write(body)
    click.echo(out)
