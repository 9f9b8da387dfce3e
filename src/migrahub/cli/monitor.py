"""The monitor commands of the command-line door: ``watch`` (watched feeds and pages, the scheduler, OPML, source
health), ``stories`` (clustering across feeds and languages) and ``alerts`` (saved searches and their e-mails)."""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import click

from migrahub.cli import main
from migrahub.cli.output import fail, print_json, print_table
from migrahub.services.monitor import opened
from migrahub.sources import Limits
from migrahub.store.database import StoreError
from migrahub.store.monitor import MonitorError

_ERRORS = (MonitorError, StoreError)


def _when(epoch: float | None) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M") if epoch else ""


def _span(seconds: float | None) -> str:
    if seconds is None:
        return ""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.0f}s"


@main.group()
def watch():
    """Watched feeds and pages: add, list, pause, remove, import/export OPML, health, and the scheduler (run)."""


@watch.command("add")
@click.argument("url")
@click.option("--every", default="1h", show_default=True, help="Longest interval between two polls (30m, 1h, 1d…).")
@click.option("--kind", type=click.Choice(["auto", "feed", "page"]), default="auto", show_default=True,
              help="A feed (RSS/Atom), a page without a feed (a new version is stored when its main text changes), "
                   "or auto (what the first answer is).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def watch_add(obj, url, every, kind, as_json):
    """Watch URL (a feed or a page); its first poll is due at once."""
    from migrahub.services.monitor import watch as service

    try:
        with opened(obj["db"]) as conn:
            w = service.add(conn, url, every, kind=kind, actor="cli")
    except _ERRORS as exc:
        fail(str(exc))
    if as_json:
        print_json(w)
    else:
        click.echo(f"watching {w['url']} (id {w['id']}, every {_span(w['interval_s'])}, {w['kind']})")


@watch.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def watch_list(obj, as_json):
    """Each watched source with its schedule and health: status, last success, consecutive failures, items a day,
    median delay between publication and arrival."""
    from migrahub.services.monitor import watch as service

    try:
        with opened(obj["db"]) as conn:
            rows = service.health(conn)
    except _ERRORS as exc:
        fail(str(exc))
    if as_json:
        print_json(rows)
        return
    print_table(["id", "url", "kind", "every", "status", "paused", "last success", "failures", "items/day",
                 "median delay", "next due", "last error"],
                [[str(r["id"]), r["url"], r["kind"], _span(r["interval_s"]), r["status"], "yes" if r["paused"] else "",
                  _when(r["last_success"]), str(r["consecutive_failures"]), str(r["items_per_day"]),
                  _span(r["median_delay_s"]), _when(r["next_due"]), (r["last_error"] or "")[:80]] for r in rows])


@watch.command("health")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def watch_health(ctx, as_json):
    """Source health of every watched source (the same table as `watch list`)."""
    ctx.invoke(watch_list, as_json=as_json)


def _ref(value: str):
    return int(value) if value.isdigit() else value


@watch.command("remove")
@click.argument("ref")
@click.pass_obj
def watch_remove(obj, ref):
    """Stop watching REF (an id from `watch list`, or the URL); its documents stay in the hub."""
    from migrahub.services.monitor import watch as service

    try:
        with opened(obj["db"]) as conn:
            w = service.remove(conn, _ref(ref))
    except _ERRORS as exc:
        fail(str(exc))
    click.echo(f"no longer watching {w['url']}")


@watch.command("pause")
@click.argument("ref")
@click.option("--resume", is_flag=True, help="Resume a paused source (polled at once).")
@click.pass_obj
def watch_pause(obj, ref, resume):
    """Pause (or with --resume, resume) polling REF (an id or the URL)."""
    from migrahub.services.monitor import watch as service

    try:
        with opened(obj["db"]) as conn:
            w = service.pause(conn, _ref(ref), not resume)
    except _ERRORS as exc:
        fail(str(exc))
    click.echo(f"{'paused' if w['paused'] else 'resumed'} {w['url']}")


@watch.command("import")
@click.argument("opml", type=click.Path(exists=True, dir_okay=False))
@click.option("--every", default="1h", show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def watch_import(obj, opml, every, as_json):
    """Watch every http(s) feed an OPML list names."""
    from migrahub.services.monitor import watch as service

    try:
        with opened(obj["db"]) as conn:
            out = service.import_opml(conn, Path(opml).read_bytes(), opml, every, actor="cli")
    except _ERRORS as exc:
        fail(str(exc))
    if as_json:
        print_json(out)
        return
    for row in out:
        click.echo(f"watching {row['url']}" if "watch" in row else f"refused: {row['url']}: {row['error']}",
                   err="error" in row)


@watch.command("export")
@click.option("--opml", "as_opml", is_flag=True, default=True, help="As an OPML 2.0 list (the default).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file instead of the output.")
@click.pass_obj
def watch_export(obj, as_opml, output):
    """The watched sources as an OPML list (for another reader or another hub)."""
    from migrahub.services.monitor import watch as service

    try:
        with opened(obj["db"]) as conn:
            text = service.export_opml(conn)
    except _ERRORS as exc:
        fail(str(exc))
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@watch.command("run")
@click.option("--once", is_flag=True, help="One pass over what is due, then exit (for cron); default: keep running.")
@click.option("--concurrency", type=click.IntRange(1, 64), default=8, show_default=True,
              help="Sources fetched at the same time.")
@click.option("--max-bytes", type=int, default=10 * 1024 * 1024, show_default=True)
@click.option("--timeout", type=float, default=20.0, show_default=True, help="Network timeout (s).")
@click.option("--no-extract", is_flag=True, help="Store items without extracting entities.")
@click.option("--json", "as_json", is_flag=True, help="Print each pass's report as JSON (one line each).")
@click.pass_obj
def watch_run(obj, once, concurrency, max_bytes, timeout, no_extract, as_json):
    """The scheduler: poll the sources that are due, store new items, group them into stories, match the saved
    searches and send the e-mails that are due (immediate alerts, daily and weekly digests). Internal addresses are
    not fetched unless MIGRAHUB_EGRESS_ALLOW_HOSTS names them."""
    from migrahub.services.monitor import watch as service

    options = dict(concurrency=concurrency, limits=Limits(max_bytes=max_bytes, timeout=timeout),
                   extract_entities=not no_extract)

    def show(report):
        data = report.as_dict()
        if as_json:
            click.echo(json.dumps(data, ensure_ascii=False))
            return
        click.echo(f"{_when(time.time())}: {data['polled']} polled {data['outcomes']}, {data['new_documents']} new "
                   f"documents, {data['alert_hits']} alert hits, {data['mailed']} e-mails")
        for p in report.polls:
            if p.error:
                click.echo(f"failed: {p.url}: {p.error}", err=True)
        if report.error:
            click.echo(f"pass skipped: {report.error}", err=True)

    try:
        with opened(obj["db"]) as conn:
            if once:
                show(service.run_once(conn, **options))
            else:
                service.run_forever(conn, on_report=show, **options)
    except _ERRORS as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        sys.exit(130)


@main.group()
def stories():
    """Stories: the same event told by several feeds, in several languages, grouped into one."""


@stories.command("cluster")
@click.argument("items", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print {item id: story id} (the default output).")
@click.option("--no-entities", is_flag=True, help="Do not read entities from the texts (faster, less precise).")
def stories_cluster(items, as_json, no_entities):
    """Group the items of a JSON Lines file into stories with the hub's clustering: one object per line with `id`,
    `text`, `language` and optional `title` and `published` (ISO date or epoch seconds). Prints
    {item id: story id}; a story is named by its first item."""
    from migrahub.services.monitor import stories as service

    try:
        with open(items, encoding="utf-8") as fh:
            records = service.read_records(fh, items)
    except UnicodeDecodeError as exc:
        fail(f"{items}: not UTF-8 text ({exc.reason} at byte {exc.start})")
    except _ERRORS as exc:
        fail(str(exc))
    print_json(service.cluster_records(records, entities=not no_entities))


@stories.command("update")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def stories_update(obj, as_json):
    """Put every document of the hub not yet in a story into one (the scheduler does this after each poll)."""
    from migrahub.services.monitor import stories as service

    try:
        with opened(obj["db"]) as conn:
            done = service.assign_new(conn)
    except _ERRORS as exc:
        fail(str(exc))
    if as_json:
        print_json({"documents": len(done), "stories": len({s for _, s in done})})
    else:
        click.echo(f"{len(done)} documents put into {len({s for _, s in done})} stories")


@stories.command("list")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def stories_list(obj, limit, as_json):
    """The latest stories with their size, languages and number of sources."""
    from migrahub.services.monitor import stories as service

    try:
        with opened(obj["db"]) as conn:
            rows = service.latest(conn, limit)
    except _ERRORS as exc:
        fail(str(exc))
    if as_json:
        print_json(rows)
        return
    print_table(["story", "title", "items", "sources", "languages", "last"],
                [[str(r["story_id"]), (r["title"] or "")[:70], str(r["size"]), str(r["sources"]),
                  ",".join(r["languages"]), _when(r["last_at"])] for r in rows])


@stories.command("show")
@click.argument("story_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def stories_show(obj, story_id, as_json):
    """A story's timeline: each document with its time, language and sources."""
    from migrahub.services.monitor import stories as service

    try:
        with opened(obj["db"]) as conn:
            data = service.story(conn, story_id)
    except _ERRORS as exc:
        fail(str(exc))
    if as_json:
        print_json(data)
        return
    click.echo(f"story {story_id}: {data['title']} ({', '.join(data['languages'])})")
    for d in data["documents"]:
        click.echo(f"  {_when(d['at'])}  [{d['language'] or '?'}] {d['title'] or '(untitled)'}  "
                   f"{', '.join(d['sources'])}")


@main.group("alerts")
def alerts_group():
    """Saved searches (alerts): add, list, remove, revoke a feed address, and send the e-mail digests that are due."""


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


@alerts_group.command("add")
@click.argument("name")
@click.option("--user", "owner", required=True, help="The user name the alert belongs to.")
@click.option("--email", help="Where its digests go (required unless --frequency off).")
@click.option("--words", default="", help='Words that must all appear ("quotes" for a phrase).')
@click.option("--entity", "entities", multiple=True, help="A place or an actor (any of its names counts); repeatable.")
@click.option("--theme", "themes", multiple=True, help="A code or theme (SERV.HOUSING, housing); repeatable.")
@click.option("--country", "countries", multiple=True, help="ISO 3166 two-letter code; repeatable.")
@click.option("--language", "languages", multiple=True, help="Language code (en, fr …); repeatable.")
@click.option("--source", "sources", multiple=True, help="Part of a feed or page address; repeatable.")
@click.option("--frequency", type=click.Choice(["immediate", "daily", "weekly", "off"]), default="daily",
              show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def alerts_add(obj, name, owner, email, words, entities, themes, countries, languages, sources, frequency, as_json):
    """Save a search as an alert for a user; it matches documents stored from now on."""
    from migrahub.services.monitor import alerts as service

    try:
        with opened(obj["db"]) as conn:
            query = service.build_query(conn, words=words, entities=_split(entities), themes=_split(themes),
                                        countries=_split(countries), languages=_split(languages),
                                        sources=_split(sources))
            alert = service.create(conn, owner, name, query, email=email, frequency=frequency)
    except _ERRORS as exc:
        fail(str(exc))
    if as_json:
        print_json(alert)
        return
    click.echo(f"alert {alert['id']} “{alert['name']}” for {owner}; private feed: "
               f"{service.base_url()}/monitor/feeds/alert/{alert['feed_token']}.atom")
    for e in query.entities:
        click.echo(f"  {e.name}: also {', '.join(e.names[1:10]) or '-'}")


@alerts_group.command("list")
@click.option("--user", "owner", help="Only this user's alerts.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def alerts_list(obj, owner, as_json):
    """Alerts with their conditions and e-mail frequency."""
    from migrahub.services.monitor import alerts as service

    try:
        with opened(obj["db"]) as conn:
            rows = service.alerts_of(conn, owner)
    except _ERRORS as exc:
        fail(str(exc))
    if as_json:
        print_json(rows)
        return
    print_table(["id", "user", "name", "frequency", "e-mail", "conditions"],
                [[str(a["id"]), a["owner"], a["name"], a["frequency"], a["email"] or "",
                  json.dumps({k: v for k, v in a["query"].items() if v and k != "entities"}
                             | {"entities": [e["name"] for e in a["query"]["entities"]]}, ensure_ascii=False)]
                 for a in rows])


@alerts_group.command("remove")
@click.argument("alert_id", type=int)
@click.pass_obj
def alerts_remove(obj, alert_id):
    """Delete an alert (and what it matched)."""
    from migrahub.services.monitor import alerts as service

    try:
        with opened(obj["db"]) as conn:
            service.delete(conn, alert_id, None)
    except _ERRORS as exc:
        fail(str(exc))
    click.echo(f"alert {alert_id} deleted")


@alerts_group.command("revoke")
@click.argument("alert_id", type=int)
@click.pass_obj
def alerts_revoke(obj, alert_id):
    """Give an alert's private feed a new secret address (the old one stops working)."""
    from migrahub.services.monitor import alerts as service

    try:
        with opened(obj["db"]) as conn:
            alert = service.revoke_feed(conn, alert_id, None)
    except _ERRORS as exc:
        fail(str(exc))
    click.echo(f"{service.base_url()}/monitor/feeds/alert/{alert['feed_token']}.atom")


@alerts_group.command("send")
@click.option("--only", type=click.Choice(["immediate", "daily", "weekly"]), help="Only digests of this frequency.")
@click.pass_obj
def alerts_send(obj, only):
    """Send every e-mail digest that is due, through the hub's SMTP settings (MIGRAHUB_SMTP_HOST, MIGRAHUB_SMTP_PORT,
    MIGRAHUB_MAIL_FROM; links use MIGRAHUB_BASE_URL). Run it from cron, e.g. hourly."""
    from migrahub.services.monitor import alerts as service

    try:
        with opened(obj["db"]) as conn:
            sent = service.send_due(conn, only=only)
    except _ERRORS as exc:
        fail(str(exc))
    click.echo(f"{sent} e-mail{'s' if sent != 1 else ''} sent")
