"""Structure commands: extract, entities (list, merge, split)."""

from __future__ import annotations

import getpass
import json

import click

from migrahub.cli import main
from migrahub.cli.output import fail, print_json, print_table
from migrahub.services import entities as service
from migrahub.store.database import StoreError


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line, in the entity schema (default).")
@click.option("--out", type=click.Path(file_okay=False), help="Write one FILE.json per input into this folder.")
def extract(files, as_json, out):
    """Extract places, organisations, initiatives, events, practices, people and resources from files."""
    from pathlib import Path

    failed = False
    for path in files:
        try:
            record = service.extract_file(path)
        except ValueError as exc:
            click.echo(f"migrahub: {exc}", err=True)
            failed = True
            continue
        if out:
            Path(out).mkdir(parents=True, exist_ok=True)
            (Path(out) / (Path(path).stem + ".json")).write_text(json.dumps(record, ensure_ascii=False, indent=1))
        else:
            click.echo(json.dumps(record, ensure_ascii=False))
    raise SystemExit(1 if failed else 0)


@main.group(invoke_without_command=True)
@click.option("--type", "category", type=click.Choice(sorted(service.TYPES)), help="Only records of this type.")
@click.option("--limit", type=int, help="At most this many records.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def entities(ctx, category, limit, as_json):
    """List the hub's resolved records with their mention counts (sub-commands: merge, split, show)."""
    if ctx.invoked_subcommand:
        return
    try:
        rows = service.list_entities(ctx.obj["db"], category, limit)
    except (ValueError, StoreError) as exc:
        fail(str(exc))
    if as_json:
        print_json(rows)
        return
    table = []
    for row in rows:
        rec = row["record"]
        detail = " · ".join(str(rec[k]) for k in ("acronym", "type", "kind", "country", "date_start", "role")
                            if rec.get(k))
        table.append([str(row["id"]), row["type"], row["name"], str(row["mentions"]), str(row["documents"]), detail])
    print_table(["id", "type", "name", "mentions", "documents", "detail"], table)


@entities.command("show")
@click.argument("entity_id", type=int)
@click.pass_obj
def show(obj, entity_id):
    """Every mention of one record (document, passage, offsets, surface) as JSON."""
    print_json(service.entity_mentions(obj["db"], entity_id))


@entities.command("merge")
@click.argument("source_id", type=int)
@click.argument("target_id", type=int)
@click.option("--by", "actor", default=getpass.getuser, show_default="current user", help="Who merges.")
@click.pass_obj
def merge(obj, source_id, target_id, actor):
    """Merge record SOURCE_ID into TARGET_ID; later documents resolve to the target too."""
    try:
        service.merge_entities(obj["db"], source_id, target_id, actor)
    except ValueError as exc:
        fail(str(exc))
    click.echo(f"merged {source_id} into {target_id}")


@entities.command("split")
@click.argument("entity_id", type=int)
@click.argument("surfaces", nargs=-1, required=True)
@click.option("--name", required=True, help="Name of the new record.")
@click.option("--by", "actor", default=getpass.getuser, show_default="current user", help="Who splits.")
@click.pass_obj
def split(obj, entity_id, surfaces, name, actor):
    """Move the mentions written as SURFACES off ENTITY_ID into a new record called --name."""
    try:
        new_id = service.split_entity(obj["db"], entity_id, list(surfaces), name, actor)
    except ValueError as exc:
        fail(str(exc))
    click.echo(f"new record {new_id}")
