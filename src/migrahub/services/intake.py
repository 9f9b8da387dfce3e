"""Ingest on behalf of a person (web form, REST API): store an upload under the hub's upload folder, run the
ingest service and record who asked for it in the action log."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from migrahub.services import curation
from migrahub.store.database import connect

ALLOWED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx", ".xml", ".rss", ".atom", ".opml")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class IntakeError(ValueError):
    """The request cannot be ingested; the message says why."""


def check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise IntakeError(f"{url!r}: only http:// and https:// URLs can be ingested")
    return url


def store_upload(folder: str | os.PathLike, filename: str, chunks: Iterable[bytes], max_bytes: int) -> Path:
    """Write an uploaded file to ``folder/<sha256 prefix>/<safe name>`` and return its path.

    The same content uploaded twice lands at the same path, so re-ingesting it adds nothing.
    """
    name = _UNSAFE.sub("_", Path(filename or "upload.txt").name).strip("._") or "upload.txt"
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        raise IntakeError(f"{filename!r}: unsupported file type (accepted: {', '.join(ALLOWED_SUFFIXES)})")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with tempfile.NamedTemporaryFile(dir=folder, delete=False, prefix=".upload-") as tmp:
        try:
            for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise IntakeError(f"{filename!r}: larger than the limit of {max_bytes} bytes")
                digest.update(chunk)
                tmp.write(chunk)
        except BaseException:
            tmp.close()
            os.unlink(tmp.name)
            raise
    target = folder / digest.hexdigest()[:16] / name
    target.parent.mkdir(exist_ok=True)
    os.replace(tmp.name, target)
    return target


def ingest_for(db: str | os.PathLike, actor: str, targets: list[str]):
    """Run :func:`migrahub.services.ingest.ingest` on ``targets`` and log it as ``actor``; returns the summary."""
    from migrahub.services.ingest import ingest  # the ingest pipeline is loaded on first use only

    conn = connect(db)
    try:
        summary = ingest(list(targets), conn=conn)
        data = summary.as_dict()
        curation.record(conn, actor, "ingest", "run", summary.run_id,
                        {"targets": list(targets), **{k: data[k] for k in ("items", "added", "versions", "linked",
                                                                             "unchanged")},
                         "failed": len(summary.failed)})
        return summary
    finally:
        conn.close()
