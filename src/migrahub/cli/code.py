"""Code commands: code (files), codebook, coding, suggest, agreement, report, qdpx."""

from __future__ import annotations

import getpass
import json

import click

from migrahub import safeload
from migrahub.cli import main
from migrahub.cli.output import fail, print_json
from migrahub.coding.codebook import CodebookError
from migrahub.coding.refiqda import RefiQdaError
from migrahub.services import coding as service
from migrahub.store.database import StoreError

ERRORS = (CodebookError, RefiQdaError, service.CodingError, StoreError, ValueError, FileNotFoundError)
JSON_INPUT_MAX_BYTES = 2 * 1024**3  # passage lists are the user's own files: only their depth is bounded


def _check_inputs(json_paths=(), yaml_paths=()) -> None:
    """Refuse JSON and YAML inputs nested too deeply (or alias bombs) with a message naming the file, before the
    readers that would recurse into them."""
    try:
        for path in json_paths:
            if path:
                safeload.load_json_file(path, max_bytes=JSON_INPUT_MAX_BYTES)
        for path in yaml_paths:
            if path:
                safeload.load_yaml_file(path)
    except safeload.InputError as exc:
        fail(str(exc))


@main.command()
@click.option("--codebook", "codebook_path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Codebook file (.yaml or REFI-QDA .qdc).")
@click.option("--passages", "passages_path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="JSON list of {id, text[, doc, start, end]} to code.")
@click.option("--train-passages", type=click.Path(exists=True, dir_okay=False),
              help="Human-coded passages to learn from (same format).")
@click.option("--train-codes", type=click.Path(exists=True, dir_okay=False),
              help="Their codes: JSON {passage id: [code ids]}.")
@click.option("--rules", type=click.Path(exists=True, dir_okay=False), help="Per-code keyword/regex rules (YAML).")
@click.option("--json", "as_json", is_flag=True, help="Print {passage id: [code ids]} (the default output).")
def code(codebook_path, passages_path, train_passages, train_codes, rules, as_json):
    """Suggest codes for the passages of a file; prints {passage id: [code ids]} as JSON."""
    _check_inputs((passages_path, train_passages, train_codes), (rules,))
    from migrahub.coding.autocode import code_passages  # scikit-learn and SciPy: only for this command

    try:
        result = code_passages(codebook_path, passages_path, train_passages, train_codes, rules)
    except ERRORS as exc:
        fail(str(exc))
    click.echo(json.dumps(result, ensure_ascii=False, indent=1))


@main.group()
def codebook():
    """Load, list and export the hub's codebooks."""


@codebook.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--name", help="Name in the hub (default: the codebook's own name).")
@click.option("--by", "actor", default=getpass.getuser, show_default="current user", help="Who loads it (action log).")
@click.pass_obj
def codebook_load(obj, path, name, actor):
    """Load a codebook from YAML or REFI-QDA .qdc (loading again updates it)."""
    try:
        print_json(service.load_codebook_file(obj["db"], path, name, actor=actor))
    except ERRORS as exc:
        fail(str(exc))


@codebook.command("list")
@click.pass_obj
def codebook_list(obj):
    """The hub's codebooks with their number of codes and coding actions."""
    print_json(service.list_codebooks(obj["db"]))


@codebook.command("export")
@click.argument("name")
@click.argument("out", type=click.Path(dir_okay=False))
@click.pass_obj
def codebook_export(obj, name, out):
    """Write codebook NAME as a REFI-QDA .qdc file."""
    try:
        click.echo(str(service.export_codebook(obj["db"], name, out)))
    except ERRORS as exc:
        fail(str(exc))


@main.group()
def coding():
    """Record coding actions (each one goes into the append-only log) and list current codings."""


def _span_options(f):
    for option in reversed([
        click.option("--codebook", required=True, help="Codebook name in the hub."),
        click.option("--document", "document_id", type=int, required=True, help="Document id."),
        click.option("--start", type=int, required=True, help="Start offset (code points)."),
        click.option("--end", type=int, required=True, help="End offset (code points, exclusive)."),
        click.option("--by", "coder", default=getpass.getuser, show_default="current user", help="Coder."),
    ]):
        f = option(f)
    return f


def _record(obj, **fields):
    try:
        action_id = service.record_action(obj["db"], **fields)
    except ERRORS as exc:
        fail(str(exc))
    click.echo(f"recorded action {action_id}")


@coding.command("add")
@_span_options
@click.argument("code_id")
@click.option("--memo", help="Also attach this memo.")
@click.pass_obj
def coding_add(obj, codebook, document_id, start, end, coder, code_id, memo):
    """Apply CODE_ID to a span of a document."""
    _record(obj, codebook=codebook, document_id=document_id, start=start, end=end, coder=coder, action="add",
            code=code_id)
    if memo:
        _record(obj, codebook=codebook, document_id=document_id, start=start, end=end, coder=coder, action="memo",
                code=code_id, memo=memo)


@coding.command("remove")
@_span_options
@click.argument("code_id")
@click.pass_obj
def coding_remove(obj, codebook, document_id, start, end, coder, code_id):
    """Withdraw your coding CODE_ID on a span."""
    _record(obj, codebook=codebook, document_id=document_id, start=start, end=end, coder=coder, action="remove",
            code=code_id)


def _review_command(action: str, help_text: str):
    @coding.command(action, help=help_text)
    @_span_options
    @click.argument("code_id")
    @click.option("--machine", default=service.AUTOCODER, show_default=True, help="The machine coder suggesting it.")
    @click.pass_obj
    def review(obj, codebook, document_id, start, end, coder, code_id, machine):
        _record(obj, codebook=codebook, document_id=document_id, start=start, end=end, coder=coder, action=action,
                code=code_id, about=machine)

    return review


coding_accept = _review_command("accept", "Accept a machine suggestion: you now apply the code.")
coding_reject = _review_command("reject", "Reject a machine suggestion.")


@coding.command("memo")
@_span_options
@click.argument("text")
@click.option("--code", "code_id", help="The code the memo is about (optional).")
@click.pass_obj
def coding_memo(obj, codebook, document_id, start, end, coder, text, code_id):
    """Write a memo on a span."""
    _record(obj, codebook=codebook, document_id=document_id, start=start, end=end, coder=coder, action="memo",
            code=code_id, memo=text)


@coding.command("list")
@click.option("--codebook", required=True)
@click.option("--status", type=click.Choice(["applied", "suggested"]))
@click.option("--by", "coder")
@click.option("--document", "document_id", type=int)
@click.pass_obj
def coding_list(obj, codebook, status, coder, document_id):
    """Current codings (derived from the log) as JSON."""
    try:
        print_json(service.codings(obj["db"], codebook, status=status, coder=coder, document_id=document_id))
    except ERRORS as exc:
        fail(str(exc))


@main.command()
@click.option("--codebook", required=True, help="Codebook name in the hub.")
@click.option("--rules", type=click.Path(exists=True, dir_okay=False), help="Per-code keyword/regex rules (YAML).")
@click.option("--threshold", type=float, help="Suggest codes at or above this confidence (default: learned).")
@click.pass_obj
def suggest(obj, codebook, rules, threshold):
    """Retrain on the hub's human codings and store suggestions for uncoded passages (status 'suggested')."""
    _check_inputs(yaml_paths=(rules,))
    try:
        print_json(service.suggest(obj["db"], codebook, rules_path=rules, threshold=threshold))
    except ERRORS as exc:
        fail(str(exc))


@main.command()
@click.option("--codebook", required=True)
@click.option("--coders", help="Comma-separated coder names (default: all coders of the codebook).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def agreement(obj, codebook, coders, as_json):
    """Percent agreement, Cohen's κ (two coders) and Krippendorff's α per code and overall."""
    try:
        rep = service.agreement_report(obj["db"], codebook, coders.split(",") if coders else None)
    except ERRORS as exc:
        fail(str(exc))
    data = rep.as_dict()
    if as_json:
        print_json(data)
        return
    click.echo(f"coders: {', '.join(data['coders'])}")
    click.echo(f"{'code':24s} {'units':>6s} {'%agree':>7s} {'kappa':>7s} {'alpha':>7s}")
    for row in [data["overall"], *data["per_code"]]:
        click.echo(f"{row['code']:24s} {row['units']:>6d} {row['percent']:>7.3f} {row['kappa']:>7.3f} "
                   f"{row['alpha']:>7.3f}")


@main.command()
@click.argument("kind", type=click.Choice(["frequencies", "cooccurrence", "table"]))
@click.option("--codebook", required=True)
@click.option("--by", default="document", show_default=True,
              type=click.Choice(["document", "source", "place", "organisation", "language", "year"]),
              help="Dimension of the frequency table.")
@click.option("--status", default="applied", type=click.Choice(["applied", "suggested"]), show_default=True)
@click.option("--format", "fmt", default="csv", type=click.Choice(["csv", "json"]), show_default=True)
@click.option("--chart", type=click.Path(dir_okay=False), help="Also draw a chart (.png or .svg).")
@click.pass_obj
def report(obj, kind, codebook, by, status, fmt, chart):
    """Code frequencies by a dimension, the co-occurrence matrix, or the code × document table."""
    try:
        table = service.report(obj["db"], codebook, kind, by, chart, status)
    except ERRORS as exc:
        fail(str(exc))
    click.echo(table.to_csv() if fmt == "csv" else table.to_json(), nl=fmt == "json")


@main.group()
def qdpx():
    """REFI-QDA project interchange with Atlas.ti, NVivo, MAXQDA, QDA Miner, f4, qc…"""


@qdpx.command("export")
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--codebook", required=True)
@click.option("--document", "documents", type=int, multiple=True, help="Only these documents (repeatable).")
@click.pass_obj
def qdpx_export(obj, out, codebook, documents):
    """Export the coded documents (or a selection) with one codebook as a .qdpx project."""
    try:
        print_json(service.export_project(obj["db"], codebook, out, list(documents) or None))
    except ERRORS as exc:
        fail(str(exc))


@qdpx.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--codebook", help="Name for the imported codebook (default: the project's).")
@click.pass_obj
def qdpx_import(obj, path, codebook):
    """Import a .qdpx: codebook, text sources, codings, memos; prints what was discarded."""
    try:
        print_json(service.import_project(obj["db"], path, codebook))
    except ERRORS as exc:
        fail(str(exc))
