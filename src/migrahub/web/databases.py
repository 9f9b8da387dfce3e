"""The web's database settings for a hub: Django's tables live in the hub's own database, SQLite or PostgreSQL."""

from __future__ import annotations

import secrets

from migrahub.store.database import is_url


def django_database(target: str) -> dict:
    """Django's ``DATABASES["default"]`` for a hub named by a file path or a ``postgresql://`` URL.

    On PostgreSQL, Django's connections come from a pool (psycopg_pool) per process, and a URL's
    ``options=-csearch_path=NAME`` keeps Django's tables in the hub's schema beside the store's.
    """
    if not is_url(target):
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": target,
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
            },
        }
    from psycopg.conninfo import conninfo_to_dict

    info = conninfo_to_dict(target)
    options = {"pool": {"min_size": 1, "max_size": 8, "timeout": 30}}
    if info.get("options"):
        options["options"] = info["options"]
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": info.get("dbname", ""),
        "USER": info.get("user", ""),
        "PASSWORD": info.get("password", ""),
        "HOST": info.get("host", ""),
        "PORT": info.get("port", ""),
        "OPTIONS": options,
    }


def hub_secret_key(target: str) -> str:
    """The key a PostgreSQL hub keeps for its web processes (made once, read by every process)."""
    from migrahub.store.database import connect, secret

    conn = connect(target)
    try:
        return secret(conn, "django_secret_key", lambda: secrets.token_urlsafe(50))
    finally:
        conn.close()
