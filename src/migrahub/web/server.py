"""Running the web hub: migrate the hub's database (core store and Django tables) and serve it with waitress."""

from __future__ import annotations

import os
from pathlib import Path


def setup(db: str | os.PathLike | None = None) -> Path:
    """Point Django at the hub database ``db`` (or ``MIGRAHUB_DB``) and initialise it; return the resolved path.

    Must run before Django settings are first read in this process.
    """
    if db is not None:
        os.environ["MIGRAHUB_DB"] = str(Path(db).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "migrahub.web.settings")
    import django

    django.setup()
    from django.conf import settings

    return Path(settings.MIGRAHUB_DB)


def migrate(db: Path) -> None:
    """Create or upgrade the core tables (migrahub.store) and Django's tables (auth, sessions, tokens) in ``db``."""
    from django.core.management import call_command

    from migrahub.store.database import connect

    connect(db).close()
    call_command("migrate", interactive=False, verbosity=0)


def serve(db: str | os.PathLike | None, host: str = "127.0.0.1", port: int = 8000, threads: int = 8,
          announce=print) -> None:
    """Serve the hub at ``http://host:port/`` until interrupted."""
    path = setup(db)
    if not path.parent.is_dir():
        raise SystemExit(f"migrahub: {path}: folder {path.parent} does not exist")
    migrate(path)
    from waitress import serve as waitress_serve

    from migrahub.web.wsgi import application

    shown = f"[{host}]" if ":" in host else host
    announce(f"MigraHub serving {path} at http://{shown}:{port}/ (waitress, {threads} threads; Ctrl+C to stop)")
    waitress_serve(application, host=host, port=port, threads=threads, ident="MigraHub",
                   clear_untrusted_proxy_headers=True, channel_timeout=60)
