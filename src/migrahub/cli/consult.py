"""The consult commands of the command-line door."""

from __future__ import annotations
