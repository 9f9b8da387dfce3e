"""Units of work: :func:`plan` turns targets into files and URLs, :func:`collect` reads one unit, and
:func:`child_unit` decides what an entry of an OPML list may become.

``collect`` never raises for bad input: a unit that cannot be read becomes ``SourceResult(status="failed")`` with a
short reason naming what failed (the unit itself is the locator). ``plan`` never skips silently: a folder it cannot
read and a name it cannot store (not valid UTF-8) are failures of their own, and the rest of the batch goes on.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from migrahub.model import Extracted, Rejection
from migrahub.sources import FetchState, Limits, SourceResult
from migrahub.sources.decode import bom_encoding, decode, looks_binary
from migrahub.sources.errors import SourceError

SUPPORTED_EXTENSIONS = frozenset({
    ".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx", ".xml", ".rss", ".atom", ".opml",
})
FEED_EXTENSIONS = frozenset({".xml", ".rss", ".atom", ".rdf"})
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
                         "text/xml", "application/x-rss+xml", "application/feed+json"})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def is_url(target: str) -> bool:
    return target.lower().startswith(("http://", "https://"))


def _file_url_path(target: str) -> str | None:
    if target.lower().startswith("file://"):
        return unquote(urlsplit(target).path)
    return None


LOCAL_REFUSED = "refused: a list may name only http(s) URLs here, not files of the hub's disk"


@dataclass(frozen=True)
class Plan:
    """What a batch of targets comes to: the units to read, and what could not even be listed."""

    units: tuple[str, ...]
    failures: tuple[Rejection, ...] = ()


def expand(targets: list[str]) -> list[str]:
    """The units of :func:`plan` (without its failures)."""
    return list(plan(targets).units)


def plan(targets: list[str]) -> Plan:
    """Targets to units: URLs pass through; a directory becomes its supported files, recursively and sorted
    (hidden files and folders skipped); a file becomes its resolved path; a missing path is kept (absolute) so that
    :func:`collect` reports it. Duplicates are dropped, first occurrence wins. A folder that cannot be read, and a
    file or folder whose name is not valid UTF-8, become failures naming it (the name shown with its odd bytes
    escaped); the other targets are not affected."""
    units: list[str] = []
    seen: set[str] = set()
    failures: list[Rejection] = []

    def add(unit: str) -> None:
        if unit not in seen:
            seen.add(unit)
            units.append(unit)

    for target in targets:
        target = os.fsdecode(target)
        if is_url(target):
            add(target)
            continue
        path = Path(_file_url_path(target) or target).expanduser()
        if not _storable(str(path)):
            failures.append(Rejection(display_path(str(path)), "source/file", _BAD_NAME["file"]))
        elif path.is_dir():
            found: list[str] = []
            _walk(os.path.realpath(path), found, failures)
            for unit in sorted(found):
                add(unit)
        else:
            add(str(path.resolve() if path.exists() else path.absolute()))
    return Plan(tuple(units), tuple(failures))


_BAD_NAME = {"file": "file name is not valid UTF-8: rename the file to ingest it",
             "folder": "folder name is not valid UTF-8: rename the folder to ingest its files"}


def display_path(path: str) -> str:
    """A path as text that can be shown and stored: bytes of the name that are not UTF-8 appear as ``\\xe9``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _storable(path: str) -> bool:
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:  # the file system gave bytes that are not UTF-8 (kept as lone surrogates)
        return False
    return True


def _why(exc: OSError) -> str:
    return "permission denied" if isinstance(exc, PermissionError) else (exc.strerror or str(exc)).lower()


def _walk(folder: str, found: list[str], failures: list[Rejection]) -> None:
    """Add the supported files under a resolved folder to ``found``, resolved (a link to a file becomes its target's
    path), without hidden files and folders and without following links to folders (as ``os.walk`` does by
    default); add what cannot be listed or named to ``failures``. Folders are walked with a stack of their own, so
    any depth the file system allows is walked (no recursion limit)."""
    stack = [folder]
    while stack:
        current = stack.pop()
        if not _storable(current):
            failures.append(Rejection(display_path(current), "source/folder", _BAD_NAME["folder"]))
            continue
        try:
            with os.scandir(current) as listing:
                entries = list(listing)
        except OSError as exc:
            failures.append(Rejection(current, "source/folder", f"cannot read folder: {_why(exc)}"))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir()
            except OSError as exc:
                failures.append(Rejection(display_path(entry.path), "source/file", f"cannot read: {_why(exc)}"))
                continue
            if is_dir:
                if not entry.is_symlink():
                    stack.append(entry.path)
            elif os.path.splitext(entry.name)[1].lower() in SUPPORTED_EXTENSIONS:
                path = os.path.realpath(entry.path) if entry.is_symlink() else entry.path
                if _storable(path):
                    found.append(path)
                else:
                    failures.append(Rejection(display_path(path), "source/file", _BAD_NAME["file"]))


def child_unit(parent: str, ref: str, *, allow_local_files: bool) -> str:
    """The unit an entry of the OPML list ``parent`` names (as :func:`~migrahub.sources.feeds.parse_opml` resolved
    it), or :class:`SourceError`.

    An http(s) URL is a unit (every fetch then passes the egress policy). A path or ``file:`` URL is one only when
    the list itself is a local file *and* local files were asked for (``allow_local_files``: the command line's own
    targets; never a web upload). Anything else is refused. Nothing is looked up on the disk, so the reason is the
    same whether a path exists or not.
    """
    try:
        scheme = urlsplit(ref).scheme.lower()
    except ValueError as exc:  # an unclosed IPv6 bracket ('http://[::1')
        raise SourceError(f"malformed URL {ref[:200]!r}: {exc}") from None
    if is_url(ref):
        return ref
    if len(scheme) > 1 and scheme != "file":
        raise SourceError(f"unsupported URL scheme '{scheme}:' (http and https only)")
    if is_url(parent) or not allow_local_files:
        raise SourceError(LOCAL_REFUSED)
    return ref


def collect(unit: str, limits: Limits = Limits(), state: FetchState | None = None) -> SourceResult:
    """Read one file or URL. Never raises for bad input; see the module docstring."""
    if not _storable(unit):
        return SourceResult(display_path(unit), _kind_hint(unit), "failed", error=_BAD_NAME["file"])
    try:
        if is_url(unit):
            return _collect_url(unit, limits, state)
        scheme = urlsplit(unit).scheme
        if len(scheme) > 1 and not _file_url_path(unit):
            return SourceResult(unit, "page", "failed", error=f"unsupported URL scheme '{scheme}:' (http and https "
                                                              "only)")
        return _collect_file(unit, limits)
    except SourceError as exc:
        return SourceResult(unit, _kind_hint(unit), "failed", error=exc.reason)
    except MemoryError:
        return SourceResult(unit, _kind_hint(unit), "failed", error="out of memory while reading this source")
    except Exception as exc:  # noqa: BLE001 - the contract: bad input never raises out of collect
        return SourceResult(unit, _kind_hint(unit), "failed",
                            error=f"unexpected error while reading: {type(exc).__name__}: {str(exc)[:200]}")


def _kind_hint(unit: str) -> str:
    ext = os.path.splitext(urlsplit(unit).path if is_url(unit) else unit)[1].lower()
    if ext == ".opml":
        return "opml"
    if ext in FEED_EXTENSIONS:
        return "feed"
    return "page" if is_url(unit) else "file"


# -- files --------------------------------------------------------------------------------------------------------

def _collect_file(unit: str, limits: Limits) -> SourceResult:
    path = Path(_file_url_path(unit) or unit).expanduser()
    try:
        info = path.stat()  # one call answers exists, is a directory, is a regular file and size
    except (OSError, ValueError):
        raise SourceError("file not found") from None
    if stat.S_ISDIR(info.st_mode):
        raise SourceError("is a directory (pass it as a target so that it is expanded into its files)")
    if not stat.S_ISREG(info.st_mode):
        raise SourceError("not a regular file")
    locator = os.path.realpath(path)
    size = info.st_size
    if size > limits.max_bytes:
        raise SourceError(f"file too large: {size:,} bytes exceeds the limit of {limits.max_bytes:,} bytes")
    try:
        with path.open("rb") as fh:
            data = fh.read(limits.max_bytes + 1)
    except PermissionError as exc:
        raise SourceError("cannot read file: permission denied") from exc
    except OSError as exc:
        raise SourceError(f"cannot read file: {exc.strerror or exc}") from exc
    if len(data) > limits.max_bytes:
        raise SourceError(f"file too large: more than the limit of {limits.max_bytes:,} bytes")
    ext = path.suffix.lower()
    return read_bytes(data, locator, ext, limits, source_kind="file", result_source=unit)


def read_bytes(data: bytes, locator: str, ext: str, limits: Limits, *, source_kind: str = "file",
               result_source: str | None = None, declared: str | None = None, content_type: str = "",
               url: str | None = None, language: str | None = None) -> SourceResult:
    """Dispatch bytes to the adapter their extension or content type names, checking the bytes themselves first."""
    source = result_source or locator
    kind = "file" if source_kind == "file" else "page"
    if not data.strip():
        raise SourceError("empty file" if source_kind == "file" else "empty response body")
    if data.startswith(b"%PDF-") or ext == ".pdf" or content_type == "application/pdf":
        from migrahub.sources.pdf import read_pdf

        pdf = read_pdf(data)
        if not pdf.blocks:
            raise SourceError("no extractable text in the PDF (scanned or image-only? OCR is not supported)")
        item = Extracted(locator, locator, source_kind, "application/pdf", pdf.blocks, pdf.title, pdf.published,
                         pdf.author, url, None, pdf.language or language)
        return SourceResult(source, kind, "ok", (item,))
    if ext == ".docx" or content_type == DOCX_TYPE:
        from migrahub.sources.word import read_docx

        word = read_docx(data, limits.max_unpacked_bytes)
        if not word.blocks:
            raise SourceError("no text in the DOCX document")
        item = Extracted(locator, locator, source_kind, DOCX_TYPE, word.blocks, word.title, word.published,
                         word.author, url, None, word.language or language)
        return SourceResult(source, kind, "ok", (item,))

    what = f"a {ext} extension" if ext else f"a {content_type or 'text'} content type"
    wide_bom = (bom_encoding(data)[0] or "").startswith(("utf-16", "utf-32"))  # NUL bytes are text there
    if not wide_bom and looks_binary(data):
        if data.startswith(b"PK\x03\x04"):
            raise SourceError(f"binary content behind {what} (a ZIP archive; only .docx is supported)")
        raise SourceError(f"binary content behind {what}")

    from migrahub.sources.feeds import parse_feed, parse_opml, sniff_xml

    sniffed = sniff_xml(data)
    if sniffed == "opml" or ext == ".opml":
        children = parse_opml(data, locator, declared=declared)
        return SourceResult(source, "opml", "ok", children=children)
    if sniffed == "feed" or (ext in FEED_EXTENSIONS and ext != ".xml") or content_type in _FEED_TYPES - {
            "application/xml", "text/xml"}:
        items = parse_feed(data, locator, declared=declared, base_url=url)
        return SourceResult(source, "feed", "ok", items)
    if ext == ".xml" or content_type in ("application/xml", "text/xml"):
        raise SourceError("XML that is neither an RSS/Atom feed nor an OPML list")

    text = decode(data, declared, markup=ext in (".html", ".htm") or content_type in _HTML_TYPES)
    if not text.strip():
        raise SourceError("empty file" if source_kind == "file" else "empty response body")
    if ext in (".html", ".htm") or content_type in _HTML_TYPES or (not ext and not content_type and _looks_html(text)):
        from migrahub.sources.html import page_parts

        page = page_parts(text, url=url)
        if not page.blocks:
            raise SourceError("no main text found in the HTML page")
        item = Extracted(locator, locator, source_kind, "text/html", page.blocks, page.title, page.published,
                         page.author, url, None, page.language or language)
        return SourceResult(source, kind, "ok", (item,))
    if ext in (".md", ".markdown") or content_type in ("text/markdown", "text/x-markdown"):
        from migrahub.sources.markdown import front_matter, markdown_blocks

        meta, body = front_matter(text)
        blocks = markdown_blocks(body)
        if not blocks:
            raise SourceError("no text in the Markdown file")
        title = _meta_str(meta.get("title"))
        from migrahub.sources.html import iso_date

        item = Extracted(locator, locator, source_kind, "text/markdown", blocks, title,
                         iso_date(_meta_str(meta.get("date"))), _meta_str(meta.get("author")), url, None,
                         _meta_str(meta.get("lang") or meta.get("language")) or language)
        return SourceResult(source, kind, "ok", (item,))
    if ext == ".txt" or content_type.startswith("text/") or not ext:
        from migrahub.sources.text import text_blocks

        item = Extracted(locator, locator, source_kind, "text/plain", text_blocks(text), url=url,
                         language_hint=language)
        return SourceResult(source, kind, "ok", (item,))
    raise SourceError(f"unsupported file type '{ext}'")


def _meta_str(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _looks_html(text: str) -> bool:
    head = text[:1024].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or "<html" in head


# -- URLs ---------------------------------------------------------------------------------------------------------

def _collect_url(url: str, limits: Limits, state: FetchState | None) -> SourceResult:
    from migrahub.sources.fetch import fetch

    return collect_response(url, fetch(url, limits, state), limits)


def collect_response(url: str, response, limits: Limits = Limits()) -> SourceResult:
    """The items of a fetched ``response`` (:class:`migrahub.sources.fetch.Response`) of the source ``url``, as
    :func:`collect` reads them; raises nothing for bad content (a failed result names the reason)."""
    if response.status == 304:
        return SourceResult(url, _kind_hint(url), "not-modified", etag=response.etag,
                            last_modified=response.last_modified)
    content_type = response.content_type
    ext = os.path.splitext(urlsplit(response.url).path)[1].lower()
    if content_type and content_type not in ("application/octet-stream", "binary/octet-stream"):
        # the server's type wins over the URL's extension, except for the generic XML types (sniffed)
        if content_type in _HTML_TYPES or content_type.startswith("text/") or content_type in _FEED_TYPES:
            ext = "" if ext not in FEED_EXTENSIONS | {".opml", ".md", ".markdown"} else ext
    language = (response.headers.get("content-language") or "").split(",")[0].strip() or None
    try:
        result = read_bytes(response.body, url, ext, limits, source_kind="page", result_source=url,
                            declared=response.charset, content_type=content_type, url=response.url,
                            language=language)
    except SourceError as exc:
        return SourceResult(url, _kind_hint(url), "failed", error=exc.reason, etag=response.etag,
                            last_modified=response.last_modified)
    return SourceResult(result.source, result.kind, result.status, result.items, result.error, response.etag,
                        response.last_modified, result.children)


__all__ = ["LOCAL_REFUSED", "SUPPORTED_EXTENSIONS", "Plan", "child_unit", "collect", "display_path", "expand", "is_url",
           "plan", "read_bytes", "collect_response"]
