"""Collect commands: ingest, search, stats, sources."""

from __future__ import annotations

import sys
import time

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from migrahub.cli import main
from migrahub.cli.output import fail, print_json, print_table
from migrahub.services import hub
from migrahub.services.ingest import ingest as ingest_service
from migrahub.sources import Limits
from migrahub.store.database import StoreError
from migrahub.store.search import QueryError

DOC_TYPES = ["txt", "md", "html", "pdf", "docx", "feed-item", "page"]


class _RateColumn(TextColumn):
    def __init__(self):
        super().__init__("")
        self.t0 = time.perf_counter()

    def render(self, task):
        rate = task.completed / max(1e-9, time.perf_counter() - self.t0)
        return Text(f"{rate:,.1f} items/s")


@main.command()
@click.argument("targets", nargs=-1, required=True)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary (errors still go to stderr).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--max-bytes", type=int, default=Limits.max_bytes, show_default=True,
              help="Refuse files and downloads larger than this.")
@click.option("--timeout", type=float, default=Limits.timeout, show_default=True, help="Network timeout (s).")
@click.option("--no-extract", is_flag=True, help="Store documents without extracting entities (faster bulk loads).")
@click.option("--workers", type=click.IntRange(1, 64), help="Worker processes (default: one per CPU).")
@click.pass_obj
def ingest(obj, targets, quiet, as_json, max_bytes, timeout, no_extract, workers):
    """Ingest files, folders (recursively), feeds (RSS/Atom, file or URL), OPML lists and web pages.

    Running it again adds nothing new; changed content becomes a new version. Exit status 1 if any item failed
    (an unreadable folder and a file name that is not UTF-8 included).

    A local OPML list may name local feed files; a list fetched from the web names only http(s) URLs. Internal
    addresses (loopback, private, link-local) are not fetched unless MIGRAHUB_EGRESS_ALLOW_HOSTS names them.
    """
    limits = Limits(max_bytes=max_bytes, timeout=timeout)
    console = Console(stderr=True)
    show = not quiet and not as_json and sys.stderr.isatty()
    try:
        if show:
            with Progress(TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(), _RateColumn(),
                          TimeElapsedColumn(), TextColumn("{task.description}"), console=console) as bar:
                task = bar.add_task("", total=None)

                def progress(done, total, unit):
                    bar.update(task, completed=done, total=total, description=unit[-50:])

                summary = ingest_service(list(targets), obj["db"], limits=limits, progress=progress,
                                         extract_entities=not no_extract, workers=workers, allow_local_files=True)
        else:
            summary = ingest_service(list(targets), obj["db"], limits=limits, extract_entities=not no_extract,
                                     workers=workers, allow_local_files=True)
    except StoreError as exc:
        fail(str(exc))
    if as_json:
        print_json(summary.as_dict())
    elif not quiet:
        s = summary
        click.echo(f"{s.units} sources, {s.items} items in {s.seconds:.1f}s: {s.added} added, {s.versions} new "
                   f"versions, {s.linked} linked to identical content, {s.unchanged} unchanged, "
                   f"{s.not_modified} not modified, {len(s.failed)} failed")
    for failure in summary.failed:
        click.echo(f"failed: {failure['locator']}: {failure['reason']}", err=True)
    sys.exit(0 if summary.ok else 1)


@main.command()
@click.argument("query")
@click.option("--lang", help="Only documents in this language (ISO 639-1, e.g. en, fr).")
@click.option("--type", "doc_type", type=click.Choice(DOC_TYPES), help="Only documents of this type.")
@click.option("--source", help="Only documents from sources whose path or URL contains this text.")
@click.option("--since", help="Only documents published on or after this date (YYYY[-MM[-DD]]).")
@click.option("--until", help="Only documents published on or before this date (YYYY[-MM[-DD]]).")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--literal", is_flag=True, help="Search only the words typed, not their known equivalents.")
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
@click.pass_obj
def search(obj, query, lang, doc_type, source, since, until, limit, literal, as_json):
    """Search passages: words (all must match), "exact phrases", AND / OR / NOT, (groups), prefix*. A plain query's
    known terms also find their equivalents (acronyms, variants, other languages), as in the web hub."""
    try:
        hits, expansion = hub.find(query, obj["db"], language=lang, doc_type=doc_type, source=source, since=since,
                                   until=until, limit=limit, literal=literal)
    except (QueryError, StoreError) as exc:
        fail(str(exc))
    if as_json:
        print_json([h.as_dict() for h in hits])
        return
    console = Console(highlight=False)
    for typed, others in expansion.used:
        console.print(Text(f"Also searched for {typed}: {', '.join(others)} (--literal: only the words typed).",
                           style="dim"), soft_wrap=True)
    if not hits:
        console.print("No passages match.")
    for rank, hit in enumerate(hits, 1):
        snippet = Text(hit.snippet)
        for start, end in hit.highlights:
            snippet.stylize("bold yellow", start, end)
        meta = " · ".join(x for x in (hit.doc_type, hit.language, (hit.published or "")[:10]) if x)
        console.print(Text(f"{rank}. {hit.title or '(untitled)'}", style="bold"), Text(f"  [{meta}]", style="dim"))
        console.print(Text("   ") + snippet)
        console.print(Text(f"   document {hit.document_id}, passage {hit.passage_id} "
                           f"[{hit.start}:{hit.end}]  {hit.url or (hit.sources[0] if hit.sources else '')}",
                           style="dim"))
    if hits and hits[0].ranked_within:
        console.print(Text(f"More than {hits[0].ranked_within} passages match: ranked among the newest "
                           f"{hits[0].ranked_within} (add a word or a filter to narrow).", style="dim"), soft_wrap=True)
    if hits and not hits[0].score:
        console.print(Text("Each word is in a quarter of the hub's passages or more, too common to rank by: the "
                           "newest matches come first, exact phrases first.", style="dim"), soft_wrap=True)


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def stats(obj, as_json):
    """Counts of documents, passages, sources, languages and failures."""
    try:
        data = hub.stats(obj["db"])
    except StoreError as exc:
        fail(str(exc))
    if as_json:
        print_json(data)
        return
    for key, value in data.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items()) or "-"
        click.echo(f"{key.replace('_', ' '):32s} {value}")


@main.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True)
@click.option("--failures", is_flag=True, help="List recorded failures instead of sources.")
@click.pass_context
def sources(ctx, as_json, failures):
    """Each source with its last fetch time and status (or, with --failures, every recorded failure)."""
    if ctx.invoked_subcommand is not None:
        return
    obj = ctx.obj
    try:
        rows = hub.failures(obj["db"]) if failures else hub.sources(obj["db"])
    except StoreError as exc:
        fail(str(exc))
    if as_json:
        print_json(rows)
        return
    cols = ["locator", "stage", "reason", "at"] if failures else ["locator", "kind", "status", "fetched_at",
                                                                  "documents", "error"]
    print_table([c.replace("_", " ") for c in cols],
                [[str(row[c]) if row[c] is not None else "" for c in cols] for row in rows])


@sources.command("export")
@click.option("--opml", "as_opml", is_flag=True, required=True, help="Write the watched sources as an OPML list.")
@click.pass_obj
def sources_export(obj, as_opml):
    """The watched feeds and pages as OPML 2.0 on standard output (the same list as `migrahub watch export --opml`),
    for another reader or another hub."""
    from migrahub.services.monitor import opened
    from migrahub.services.monitor import watch as monitor_watch

    try:
        with opened(obj["db"]) as conn:
            click.echo(monitor_watch.export_opml(conn), nl=False)
    except StoreError as exc:
        fail(str(exc))
