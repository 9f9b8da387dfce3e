"""The connect commands of the command-line door: ``migrahub library …`` (the research library), ``migrahub
practice …`` (curated practice records) and ``migrahub peers`` (peer exchange)."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from migrahub.cli import main
from migrahub.cli.output import fail, print_json, print_table
from migrahub.connect.references import BibliographyError
from migrahub.services.connect import library as lib
from migrahub.store.database import StoreError, connect

ERRORS = (BibliographyError, StoreError, ValueError, OSError)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in this environment
        return "cli"


@main.group()
def library():
    """The open research library: import and export CSL-JSON, RIS and BibTeX."""


@library.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_obj
def library_import(obj, file, as_json):
    """Import FILE (CSL-JSON, RIS or BibTeX, told by its content); duplicates merge by DOI, URL and title."""
    try:
        result = lib.import_file(connect(obj["db"]), file, actor=_actor())
    except ERRORS as exc:
        fail(f"{exc} (nothing was imported)")
    if as_json:
        print_json(result.as_dict())
    else:
        click.echo(f"{file}: {result.format}, {result.read} references read, {result.added} added, "
                   f"{result.merged} merged into references already in the library")


@library.command("export")
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["csl-json", "ris", "bibtex"]), required=True,
              help="The file format.")
@click.option("--query", default="", help="Only the references holding every word (title, authors, places…).")
@click.option("--id", "ids", type=int, multiple=True, help="Only these references (repeat the option).")
@click.pass_obj
def library_export(obj, out, fmt, query, ids):
    """Write the library (or a query's results, or a selection) to OUT as CSL-JSON, RIS or BibTeX; places and
    themes travel as keywords (place:…, theme:…) and a note."""
    try:
        conn = connect(obj["db"])
        lib.sync_extracted(conn)
        text, count = lib.export(conn, fmt, query=query, ids=list(ids) or None)
        Path(out).write_text(text, encoding="utf-8")
    except ERRORS as exc:
        fail(str(exc))
    click.echo(f"{out}: {count} references ({fmt})")


@library.command("list")
@click.option("--query", default="", help="Words every listed reference holds.")
@click.option("--limit", default=50, show_default=True, help="How many to list.")
@click.option("--json", "as_json", is_flag=True, help="Print the references as JSON.")
@click.pass_obj
def library_list(obj, query, limit, as_json):
    """List the library's references (the resources found by extraction included)."""
    try:
        conn = connect(obj["db"])
        lib.sync_extracted(conn)
        total, rows = lib.search(conn, query, limit=limit)
    except ERRORS as exc:
        fail(str(exc))
    if as_json:
        print_json({"total": total, "items": [{"id": rid, **ref.as_dict()} for rid, ref in rows]})
        return
    print_table(["id", "year", "title", "authors", "places", "themes"],
                [[str(rid), str(ref.year or ""), ref.title, "; ".join([*(n.display() for n in ref.authors),
                                                                         *ref.organisations]),
                  ", ".join(ref.places), ", ".join(ref.themes)] for rid, ref in rows])
    click.echo(f"{total} references")
