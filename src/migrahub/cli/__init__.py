"""The command-line door: ``migrahub COMMAND``. Every command parses its options, calls one service function
and prints the result (``--json`` for machines)."""

from __future__ import annotations

import click

from migrahub import __version__, config


class _Commands(click.Group):
    """The command group: a setting that cannot be read stops any command with its name and the reason."""

    def invoke(self, ctx: click.Context):
        try:
            config.check()
            return super().invoke(ctx)
        except config.SettingError as exc:
            click.echo(f"migrahub: {exc}", err=True)
            ctx.exit(2)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="migrahub")
@click.option("--db", envvar="MIGRAHUB_DB", type=click.Path(dir_okay=False), default="migrahub.sqlite3",
              show_default=True, help="The hub: a SQLite file or a postgresql:// URL (env MIGRAHUB_DB).")
@click.pass_context
def main(ctx: click.Context, db: str) -> None:
    """MigraHub — collect, structure, code and share knowledge on local migration governance."""
    ctx.obj = {"db": db}


# the command modules register their commands on `main` (`db` is imported under another name: it is the --db option)
from migrahub.cli import code, collect, compare, connect, consult, jobs, monitor, share, structure  # noqa: E402,F401
from migrahub.cli import db as db_commands  # noqa: E402,F401
