"""Printing helpers shared by the CLI commands: JSON output and clear errors."""

from __future__ import annotations

import json
import sys

import click


def print_json(value) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def fail(message: str, code: int = 2) -> None:
    """Print ``message`` on stderr and exit with ``code``."""
    click.echo(f"migrahub: {message}", err=True)
    sys.exit(code)
