"""The consult commands of the command-line door: ``migrahub consult …``."""

from __future__ import annotations

import click

from migrahub.cli import main
from migrahub.cli.output import fail, print_json
from migrahub.services.consult import polis as polis_service


@main.group()
def consult():
    """Consultations: submissions, moderation, opinion groups, synthesis reports, incident reports."""


@consult.command("polis-groups")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the groups as JSON (the default output).")
@click.option("--score", is_flag=True, help="Also compare with Pol.is's own group-id in participants-votes.csv.")
def polis_groups(folder, as_json, score):
    """Opinion groups of a Pol.is export folder (comments.csv, votes.csv), computed the way Pol.is does."""
    try:
        result = polis_service.polis_groups(folder)
        if score:
            result["score"] = polis_service.score_folder(folder)
    except polis_service.PolisError as exc:
        fail(str(exc))
    print_json(result)
