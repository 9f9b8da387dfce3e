"""The consult commands of the command-line door: ``migrahub consult …``."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from migrahub.cli import main
from migrahub.cli.output import fail, print_json, print_table
from migrahub.consult.model import KINDS, PHASES, ConsultError
from migrahub.services.consult import consultations as service
from migrahub.services.consult import incidents, reports
from migrahub.services.consult import polis as polis_service
from migrahub.store.database import StoreError, connect

ERRORS = (ConsultError, polis_service.PolisError, StoreError, OSError)


def _conn(obj):
    try:
        return connect(obj["db"])
    except StoreError as exc:
        fail(str(exc))


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


@consult.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def list_(obj, as_json):
    """The hub's consultations with their phase and published submissions."""
    rows = service.listing(_conn(obj), organiser=True)
    if as_json:
        print_json(rows)
    else:
        print_table(["slug", "title", "phase", "published"],
                    [[r["slug"], r["title"], r["phase"], str(r["published"])] for r in rows])


@consult.command("create")
@click.argument("title")
@click.option("--description", default="", help="What the consultation is about.")
@click.option("--consent", "consent_text", default="", help="Consent text submitters must accept.")
@click.option("--access", type=click.Choice(["public", "link", "signed_in"]), default="public", show_default=True)
@click.option("--moderation", type=click.Choice(["pre", "post"]), default="post", show_default=True)
@click.option("--report-limit", default=3, show_default=True, help="Hide a published submission after N reports.")
@click.option("--retention-days", default=730, show_default=True, help="Delete submissions after this many days.")
@click.option("--by", "actor", default=getpass.getuser, show_default="current user")
@click.pass_obj
def create(obj, title, description, consent_text, access, moderation, report_limit, retention_days, actor):
    """Create a consultation (phase draft); prints its slug."""
    try:
        c = service.create(_conn(obj), title, actor, description=description, consent_text=consent_text,
                           access=access, moderation=moderation, report_limit=report_limit,
                           retention_days=retention_days)
    except ERRORS as exc:
        fail(str(exc))
    print_json({"slug": c.slug, "phase": c.phase, "invite_token": c.invite_token})


@consult.command("add-question")
@click.argument("slug")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("prompt")
@click.option("--option", "options", multiple=True, help="A choice (repeat), or a scale's low then high.")
@click.option("--statement", "statements", multiple=True, help="A statement to vote on (repeat).")
@click.option("--required", is_flag=True)
@click.pass_obj
def add_question(obj, slug, kind, prompt, options, statements, required):
    """Add a guiding question (text, choice, scale, procon, statements)."""
    try:
        c = service.add_question(_conn(obj), slug, kind, prompt, "\n".join(options), "\n".join(statements), required)
    except ERRORS as exc:
        fail(str(exc))
    print_json({"slug": c.slug, "questions": len(c.questions), "id": c.questions[-1].id})


@consult.command("phase")
@click.argument("slug")
@click.argument("phase", type=click.Choice(PHASES))
@click.pass_obj
def phase(obj, slug, phase):
    """Move a consultation to a phase (draft, open, closed, published)."""
    try:
        c = service.set_phase(_conn(obj), slug, phase)
    except ERRORS as exc:
        fail(str(exc))
    print_json({"slug": c.slug, "phase": c.phase, "dates": c.dates})


@consult.command("import")
@click.argument("slug")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--by", "actor", default=getpass.getuser, show_default="current user")
@click.pass_obj
def import_(obj, slug, path, actor):
    """Import an offline consultation from CSV or XLSX (one row per submission; all rows or none)."""
    try:
        print_json(service.import_file(_conn(obj), slug, Path(path).name, Path(path).read_bytes(), actor))
    except ERRORS as exc:
        fail(str(exc))


@consult.command("moderate")
@click.argument("submission_id", type=int)
@click.argument("action", type=click.Choice(sorted(service.MODERATION_ACTIONS)))
@click.option("--note", default="", help="A moderator's note.")
@click.option("--by", "actor", default=getpass.getuser, show_default="current user")
@click.pass_obj
def moderate(obj, submission_id, action, note, actor):
    """Approve, hide, reject or restore a submission, or add a note."""
    try:
        print_json(service.moderate(_conn(obj), submission_id, action, actor, note))
    except ERRORS as exc:
        fail(str(exc))


@consult.command("report")
@click.argument("slug")
@click.option("--codebook", help="The hub codebook that names the themes (default: the first loaded).")
@click.option("--format", "fmt", type=click.Choice(["html", "md", "pdf", "docx", "json"]), default="md",
              show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), help="Write the report here (default: standard output).")
@click.option("--base-url", envvar="MIGRAHUB_BASE_URL", default="", help="Absolute links to the hub's pages.")
@click.option("--keep", is_flag=True, help="Export the saved (possibly edited) report instead of a new draft.")
@click.option("--by", "actor", default=getpass.getuser, show_default="current user")
@click.pass_obj
def report(obj, slug, codebook, fmt, out, base_url, keep, actor):
    """Generate the draft synthesis report from the published submissions and write it."""
    conn = _conn(obj)
    try:
        body = reports.current(conn, slug) if keep else reports.generate(conn, slug, actor, codebook)
        if body is None:
            fail("no report yet: run without --keep to generate the draft")
        if fmt == "json":
            print_json(body)
            return
        data, _, _ = reports.export(conn, slug, fmt, base_url)
    except ERRORS as exc:
        fail(str(exc))
    if out:
        Path(out).write_bytes(data)
        click.echo(f"{out}: {len(data)} bytes")
    elif fmt in ("pdf", "docx"):
        fail(f"{fmt} is binary: give --out FILE")
    else:
        click.echo(data.decode())


@consult.command("export")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.pass_obj
def export(obj, slug, fmt):
    """Published submissions (redacted) as CSV or JSON."""
    conn = _conn(obj)
    try:
        if fmt == "json":
            print_json(reports.submissions_json(conn, slug))
        else:
            click.echo(reports.submissions_csv(conn, slug), nl=False)
    except ERRORS as exc:
        fail(str(exc))


@consult.command("polis-export")
@click.argument("slug")
@click.argument("folder", type=click.Path(file_okay=False))
@click.pass_obj
def polis_export(obj, slug, folder):
    """Write a consultation's published votes as Pol.is files (comments.csv, votes.csv, participants-votes.csv)."""
    try:
        files = reports.polis_export(_conn(obj), slug)
        Path(folder).mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (Path(folder) / name).write_text(text, encoding="utf-8")
    except ERRORS as exc:
        fail(str(exc))
    print_json({"folder": folder, "files": sorted(files)})


@consult.command("polis-import")
@click.argument("slug")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--by", "actor", default=getpass.getuser, show_default="current user")
@click.pass_obj
def polis_import(obj, slug, folder, actor):
    """Import a Pol.is export's comments (as statements) and votes into a consultation."""
    try:
        print_json(polis_service.import_into(_conn(obj), slug, folder, actor))
    except ERRORS as exc:
        fail(str(exc))


@consult.command("delete")
@click.option("--receipt", default="", help="The submitter's receipt.")
@click.option("--id", "submission_id", type=int, help="The submission's id.")
@click.option("--by", "actor", default=getpass.getuser, show_default="current user")
@click.pass_obj
def delete(obj, receipt, submission_id, actor):
    """Delete a submission and its personal data on request."""
    try:
        done = service.delete_on_request(_conn(obj), receipt_key=receipt, submission_id=submission_id, actor=actor)
    except ERRORS as exc:
        fail(str(exc))
    print_json({"deleted": done})


@consult.command("purge")
@click.pass_obj
def purge(obj):
    """Delete the submissions older than their consultation's retention period."""
    print_json({"deleted": service.purge_expired(_conn(obj))})


@consult.command("incidents")
@click.option("--csv", "as_csv", is_flag=True, help="Print the aggregates as CSV.")
@click.pass_obj
def incidents_(obj, as_csv):
    """Reviewed incident reports counted by place, type and month."""
    conn = _conn(obj)
    if as_csv:
        click.echo(incidents.aggregates_csv(conn), nl=False)
    else:
        print_json(incidents.aggregates(conn))
