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


@main.group()
def practice():
    """The curated practice library: list, promote extracted practices, review."""


@practice.command("list")
@click.option("--state", type=click.Choice(["draft", "submitted", "published"]), default="published",
              show_default=True, help="Which records.")
@click.option("--json", "as_json", is_flag=True, help="Print the records as JSON.")
@click.pass_obj
def practice_list(obj, state, as_json):
    """List curated practice records (country names, not codes)."""
    from migrahub.services.connect import practices

    try:
        rows = practices.listing(connect(obj["db"]), state)
    except ERRORS as exc:
        fail(str(exc))
    if as_json:
        print_json([{"id": p.id, "state": p.state, "country_name": p.country_name, "themes": p.theme_names,
                     **p.record.as_dict()} for p in rows])
        return
    print_table(["id", "title", "city", "country", "themes", "evaluation"],
                [[str(p.id), p.record.title, p.record.city, p.country_name, ", ".join(p.theme_names),
                  p.record.evaluation] for p in rows])


@practice.command("promote")
@click.argument("entity_id", type=int)
@click.pass_obj
def practice_promote(obj, entity_id):
    """Make a draft curated record of the extracted practice ENTITY_ID (see `migrahub entities practices`)."""
    from migrahub.services.connect import practices

    try:
        rid = practices.promote(connect(obj["db"]), entity_id, _actor())
    except (practices.PracticeError, *ERRORS) as exc:
        fail(str(exc))
    click.echo(f"draft practice record {rid} made from extracted practice {entity_id}")


@practice.command("review")
@click.argument("record_id", type=int)
@click.argument("action", type=click.Choice(["submit", "publish", "return", "withdraw"]))
@click.option("--note", default="", help="A comment for the record's author.")
@click.pass_obj
def practice_review(obj, record_id, action, note):
    """Submit, publish, return (to its author) or withdraw practice RECORD_ID, as a curator."""
    from migrahub.services.connect import practices

    try:
        state = practices.act(connect(obj["db"]), record_id, action, _actor(), curator=True, note=note)
    except (practices.PracticeError, *ERRORS) as exc:
        fail(str(exc))
    click.echo(f"practice record {record_id} is now {state}")


@main.group()
def peers():
    """Peer exchange: find the cities, organisations and experts that have done what a city needs."""


@peers.command("find")
@click.argument("challenge")
@click.option("--city", default="", help="The requester's city (left out of the matches).")
@click.option("--country", default="", help="The requester's country (ISO code, e.g. DE).")
@click.option("--languages", default="", help="Languages the requester works in (e.g. en,fr).")
@click.option("--themes", default="", help="Codebook codes of the request (comma-separated).")
@click.option("--limit", default=10, show_default=True, help="How many peers.")
@click.option("--json", "as_json", is_flag=True, help="Print the matches with their evidence as JSON.")
@click.pass_obj
def peers_find(obj, challenge, city, country, languages, themes, limit, as_json):
    """Rank peers for CHALLENGE by evidence (nothing is stored; the web page stores requests and relays mail)."""
    from dataclasses import asdict

    from migrahub.services.connect import peers as service

    try:
        conn = connect(obj["db"])
        request = service.parse_request({"challenge": challenge, "country": country, "languages": languages,
                                         "themes": themes, "city": city}, conn)
        matches = service.match(conn, request, limit)
    except (service.PeerError, *ERRORS) as exc:
        fail(str(exc))
    if as_json:
        print_json([asdict(m) for m in matches])
        return
    for n, m in enumerate(matches, 1):
        click.echo(f"{n}. {m.target.name} ({m.target.kind}, score {m.score:.2f}): {'; '.join(m.reasons)}")
        for e in m.evidence[:2]:
            where = f"document {e.document_id}" if e.document_id else (f"practice {e.practice_id}"
                                                                        if e.practice_id else e.kind)
            click.echo(f"     [{where}] {e.text[:200]}")


@main.group()
def cities():
    """City profiles: the cities like a city, each similarity explained."""


@cities.command("like")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_obj
def cities_like(obj, name, as_json):
    """The cities most like NAME (country, population class, shared networks and themes)."""
    from migrahub.services.connect import cities as service

    try:
        conn = connect(obj["db"])
        found = service.find(conn, name)
        if found is None:
            fail(f"no city named {name!r} in the hub")
        similar = service.similar(conn, found["id"])
    except ERRORS as exc:
        fail(str(exc))
    if as_json:
        print_json(similar)
        return
    for s in similar:
        click.echo(f"{s['name']} ({s['country']}, {s['score']:.2f}): {'; '.join(s['reasons'])}")


@main.group()
def declarations():
    """Declarations, charters and pledges with their signatory cities."""


@declarations.command("sync")
@click.pass_obj
def declarations_sync(obj):
    """Find declarations named in the hub's documents and the cities that signed them."""
    from migrahub.services.connect import declarations as service

    try:
        conn = connect(obj["db"])
        found = service.sync_extracted(conn, _actor())
        listed = service.listing(conn)
    except ERRORS as exc:
        fail(str(exc))
    click.echo(f"{len(listed)} declarations, {found} signatures read from the documents")
    for d in listed:
        click.echo(f"  {d['id']}. {d['title']} ({d['kind']}): {d['signatories']} signatories")
