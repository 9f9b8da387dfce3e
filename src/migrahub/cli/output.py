"""Printing helpers shared by the CLI commands: JSON output, tables and clear errors."""

from __future__ import annotations

import json
import sys

import click
from rich.console import Console
from rich.table import Table


def print_json(value) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def fail(message: str, code: int = 2) -> None:
    """Print ``message`` on stderr and exit with ``code``."""
    click.echo(f"migrahub: {message}", err=True)
    sys.exit(code)


def print_table(columns: list[str], rows: list[list[str]]) -> None:
    """A table for people on a terminal; tab-separated lines, values never cut, when the output is piped."""
    if not sys.stdout.isatty():
        click.echo("\t".join(columns))
        for row in rows:
            click.echo("\t".join(cell.replace("\t", " ").replace("\n", " ") for cell in row))
        return
    table = Table()
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*row)
    Console().print(table)
