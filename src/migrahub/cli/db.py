"""Database commands: dump a hub to a portable archive, restore one, copy a hub to another database."""

from __future__ import annotations

import click

from migrahub.cli import main
from migrahub.cli.output import fail, print_json, print_table
from migrahub.services import archive as service
from migrahub.store.archive import ArchiveError
from migrahub.store.database import StoreError


@main.group()
def db():
    """Keep and move the hub's data: dump, verify, restore, copy (docs/backups.md)."""


@db.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--overwrite", is_flag=True, help="Replace FILE if it exists.")
@click.option("--json", "as_json", is_flag=True, help="Print the archive's manifest as JSON.")
@click.pass_obj
def dump(obj, file, overwrite, as_json):
    """Write the hub (--db) to FILE, a ZIP of JSON Lines per table with a manifest of counts and checksums."""
    try:
        manifest = service.dump(obj["db"], file, overwrite=overwrite)
    except (ArchiveError, StoreError) as exc:
        fail(str(exc))
    if as_json:
        print_json(manifest)
        return
    print_table(["table", "rows", "sha256"],
                [[t["name"], str(t["rows"]), t["rows_sha256"]] for t in manifest["tables"]])
    click.echo(f"{file}: {len(manifest['tables'])} tables, {sum(t['rows'] for t in manifest['tables'])} rows")


@db.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def restore(obj, file, as_json):
    """Restore the archive FILE into the hub (--db), which must be new or empty. The whole archive is checked
    (manifest, member checksums, row counts and checksums, schema version) before anything is written, and written
    in one transaction."""
    try:
        result = service.restore(file, obj["db"])
    except (ArchiveError, StoreError) as exc:
        fail(str(exc))
    if as_json:
        print_json(result)
        return
    print_table(["table", "rows", "sha256"], [[t["name"], str(t["rows"]), t["sha256"]] for t in result["tables"]])
    click.echo(f"{obj['db']}: restored from {file}, every table's count and checksum equal to the archive's")


@db.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the archive's manifest as JSON.")
def verify(file, as_json):
    """Check the archive FILE as a restore would (manifest, member checksums, row counts and checksums, schema
    version) without writing anything."""
    try:
        manifest = service.verify(file)
    except ArchiveError as exc:
        fail(str(exc))
    if as_json:
        print_json(manifest)
        return
    click.echo(f"{file}: {len(manifest['tables'])} tables, {sum(t['rows'] for t in manifest['tables'])} rows, "
               f"dumped {manifest.get('created_at')} by MigraHub {manifest.get('migrahub_version')}: every checksum "
               "and count checks out")


@db.command()
@click.argument("src")
@click.argument("dest")
@click.option("--json", "as_json", is_flag=True)
def copy(src, dest, as_json):
    """Copy the hub SRC into the new or empty hub DEST (each a SQLite file or a postgresql:// URL), printing every
    table's count and checksum on both sides; fails, keeping nothing, if any differs."""
    try:
        result = service.copy(src, dest)
    except (ArchiveError, StoreError) as exc:
        fail(str(exc))
    if as_json:
        print_json(result)
        return
    print_table(["table", "rows (source)", "rows (copy)", "sha256 (source)", "sha256 (copy)"],
                [[t["name"], str(t["source_rows"]), str(t["dest_rows"]), t["source_sha256"], t["dest_sha256"]]
                 for t in result["tables"]])
    click.echo(f"{dest}: copied from {src}, {len(result['tables'])} tables, counts and checksums equal on both sides")
