"""MigraHub: an open, self-hostable knowledge-exchange hub for local migration governance."""

__version__ = "0.1.0"
