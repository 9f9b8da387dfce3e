"""Share commands: serve the web hub, create users and API tokens."""

from __future__ import annotations

import getpass

import click

from migrahub import config
from migrahub.cli import main
from migrahub.cli.output import fail
from migrahub.web.roles import ROLES


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in this environment
        return "cli"


def _django(db: str):
    from migrahub.web import server

    path = server.setup(db)
    server.migrate(path)
    return path


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Worker processes (default: one per CPU).")
@click.option("--threads", type=click.IntRange(1, 256), default=1, show_default=True,
              help="Threads per worker process (more lets slow requests, such as large exports, overlap).")
@click.pass_obj
def serve(obj, host, port, workers, threads):
    """Run the web hub (pages, REST API at /api/, admin) on the hub database with gunicorn (waitress on Windows).

    Settings come from environment variables (MIGRAHUB_SECRET_KEY, MIGRAHUB_DEBUG, MIGRAHUB_ALLOWED_HOSTS,
    MIGRAHUB_ANONYMOUS_READ, ...); the database is created and migrated if needed.
    """
    from migrahub.store.database import StoreError
    from migrahub.web import server

    try:
        server.serve(obj["db"], host=host, port=port, threads=threads, workers=workers,
                     announce=lambda m: click.echo(m, err=False))
    except StoreError as exc:  # a hub that cannot be opened (e.g. written by a newer version): one line, no traceback
        fail(str(exc))


@main.group()
def user():
    """Manage the hub's user accounts."""


@user.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="reader", show_default=True)
@click.option("--email", default="", help="E-mail address (optional).")
@click.pass_obj
def user_create(obj, name, role, email):
    """Create user NAME with a role. The password comes from MIGRAHUB_PASSWORD, else it is asked for."""
    password = config.get("MIGRAHUB_PASSWORD")
    if not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    _django(obj["db"])
    from migrahub.web.accounts import AccountError, create_user

    try:
        create_user(name, role, password, email=email, actor=_actor())
    except AccountError as exc:
        fail(str(exc))
    click.echo(f"created user {name} ({role})")


@main.group()
def token():
    """Manage REST API tokens."""


@token.command("create")
@click.argument("username")
@click.option("--name", default="", help="A label to recognise the token by.")
@click.pass_obj
def token_create(obj, username, name):
    """Issue an API token for USERNAME and print it (shown once; only its hash is stored)."""
    _django(obj["db"])
    from migrahub.web.accounts import AccountError, create_token

    try:
        raw = create_token(username, name, actor=_actor())
    except AccountError as exc:
        fail(str(exc))
    click.echo(raw)
