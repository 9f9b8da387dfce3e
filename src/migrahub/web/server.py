"""Running the web hub: migrate the hub's database (core store and Django tables) and serve it with waitress."""

from __future__ import annotations

import os
from pathlib import Path


def setup(db: str | os.PathLike | None = None) -> str:
    """Point Django at the hub database ``db`` (or ``MIGRAHUB_DB``: a file or a PostgreSQL URL) and initialise it;
    return the hub as :func:`~migrahub.store.database.locate` names it.

    Must run before Django settings are first read in this process.
    """
    from migrahub.store.database import locate

    if db is not None:
        os.environ["MIGRAHUB_DB"] = locate(db)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "migrahub.web.settings")
    import django

    django.setup()
    from django.conf import settings

    return settings.MIGRAHUB_DB


def migrate(db: str) -> None:
    """Create or upgrade the core tables (migrahub.store) and Django's tables (auth, sessions, tokens) in ``db``."""
    from django.core.management import call_command

    from migrahub.store.database import connect

    connect(db).close()
    call_command("migrate", interactive=False, verbosity=0)


def default_workers() -> int:
    """One worker process per CPU (Python runs one thread at a time per process)."""
    return max(1, os.cpu_count() or 1)


def serve(db: str | os.PathLike | None, host: str = "127.0.0.1", port: int = 8000, threads: int = 1,
          workers: int | None = None, announce=print) -> None:
    """Serve the hub at ``http://host:port/`` until interrupted: gunicorn with ``workers`` processes of ``threads``
    threads each (default one process per CPU), or waitress (one process) where gunicorn cannot run (Windows)."""
    from migrahub.store.database import is_url
    from migrahub.store.postgres import redacted

    path = setup(db)
    if not is_url(path) and not Path(path).parent.is_dir():
        raise SystemExit(f"migrahub: {path}: folder {Path(path).parent} does not exist")
    migrate(path)
    path = redacted(path) if is_url(path) else path
    from django.db import connections

    connections.close_all()  # no SQLite connection may cross the fork into the workers
    from migrahub.web.wsgi import application

    shown = f"[{host}]" if ":" in host else host
    workers = workers or default_workers()
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:  # gunicorn is POSIX-only: one process serves what the processes would have
        threads *= workers
        announce(f"MigraHub serving {path} at http://{shown}:{port}/ (waitress, {_count(threads, 'thread')}; "
                 "Ctrl+C to stop)")
        from django.conf import settings
        from waitress import serve as waitress_serve

        # X-Forwarded-For reaches the hub only when it names trusted proxies (it believes the header from those alone).
        # waitress reads a whole body before the hub sees the request: its size is bounded here, by the largest
        # upload the hub accepts, since the sender's role cannot be checked first (gunicorn streams bodies instead)
        largest = max(settings.MIGRAHUB_UPLOAD_MAX_BYTES, settings.DATA_UPLOAD_MAX_MEMORY_SIZE) + 1024 * 1024
        waitress_serve(application, host=host, port=port, threads=threads, ident="MigraHub",
                       clear_untrusted_proxy_headers=not settings.MIGRAHUB_TRUSTED_PROXIES, channel_timeout=60,
                       max_request_body_size=largest)
        return

    class Hub(BaseApplication):
        def load_config(self):
            for key, value in gunicorn_options(f"{shown}:{port}", workers, threads).items():
                self.cfg.set(key, value)

        def load(self):
            return application

    announce(f"MigraHub serving {path} at http://{shown}:{port}/ (gunicorn, {_count(workers, 'process', 'es')} × "
             f"{_count(threads, 'thread')}; Ctrl+C to stop)")
    Hub().run()


def gunicorn_options(bind: str, workers: int, threads: int) -> dict:
    """gunicorn's settings for ``serve``: ``workers`` processes of ``threads`` threads (gthread workers).

    A process takes a connection only when one of its threads is free (``worker_connections`` = ``threads``) and
    answers one request per connection (no keep-alive). The requests then wait in the listening socket's queue,
    which all processes share, and each goes to the first free process. With keep-alive, a client's connection
    stays with the process that accepted it and waits behind that process's requests while another may be idle,
    and a stalled client holds up the requests its process accepted meanwhile (docs/large-hubs.md). A request may
    run as long as it needs (the gthread worker keeps telling gunicorn it is alive): a large export or ingest is
    not cut off by ``timeout``, which only catches a process that stopped answering."""
    return {"bind": bind, "workers": workers, "threads": threads, "worker_class": "gthread",
            "worker_connections": threads, "keepalive": 0, "timeout": 60, "graceful_timeout": 10,
            "accesslog": None, "errorlog": "-", "loglevel": "warning", "proc_name": "migrahub",
            "forwarded_allow_ips": ""}


def _count(n: int, noun: str, plural: str = "s") -> str:
    return f"{n} {noun}{'' if n == 1 else plural}"
