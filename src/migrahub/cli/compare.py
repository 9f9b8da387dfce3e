"""The compare commands of the command-line door: ``migrahub index load|compute|compare|export``."""

from __future__ import annotations

import json

import click

from migrahub.cli import main
from migrahub.cli.output import fail
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
@click.option("--aggregate", type=click.Choice(("mean", "geomean")), default="mean", show_default=True,
              help="Aggregation at every level (iData/iMeta files).")
@click.option("--time", help="With panel iData: the Time to compute (default: the latest).")
@click.option("--json", "as_json", is_flag=True, help="Print {unit code: {code: score}} (the default output).")
def index_compute(data_path, meta_path, normalise, aggregate, time, as_json):
    """Scores of every indicator and aggregate at every level for every unit."""
    assert aggregate in AGGREGATORS
    if not (data_path and meta_path):
        fail("index compute: give --data iData.csv and --meta iMeta.csv")
    try:
        result = service.compute_files(data_path, meta_path, normalise=normalise, aggregate=aggregate, time=time)
    except ERRORS as exc:
        fail(str(exc))
    click.echo(json.dumps(result, ensure_ascii=False, indent=1))
