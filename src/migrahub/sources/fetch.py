"""HTTP GET with the stdlib: timeouts, a size limit, a redirect limit, conditional GET and Retry-After.

Redirects are followed by hand (so each hop is counted and checked to stay on http/https); the body is streamed and
the fetch stops as soon as it passes ``limits.max_bytes``; gzip/deflate bodies are inflated with the same bound.
"""

from __future__ import annotations

import email.utils
import http.client
import socket
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from migrahub.sources import FetchState, Limits
from migrahub.sources.errors import SourceError

RETRY_AFTER_CAP = 10.0  # seconds we are willing to wait once on 429/503
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Response:
    url: str  # final URL after redirects
    status: int  # 200, or 304 for not modified
    headers: dict[str, str]  # lower-cased names
    body: bytes
    etag: str | None
    last_modified: str | None

    @property
    def content_type(self) -> str:
        return (self.headers.get("content-type") or "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in (self.headers.get("content-type") or "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102 - we follow redirects ourselves
        return None


_OPENER = urllib.request.build_opener(_NoRedirect())


def fetch(url: str, limits: Limits = Limits(), state: FetchState | None = None) -> Response:
    """GET ``url``; raises :class:`SourceError` with a reason naming the URL's problem."""
    waited = False
    while True:
        try:
            return _follow(url, limits, state)
        except _RetryLater as retry:
            if waited or retry.seconds > RETRY_AFTER_CAP:
                raise SourceError(
                    f"HTTP {retry.status} with Retry-After {retry.raw!r} ({retry.seconds:.0f} s)"
                    + (" still refused after waiting once" if waited else
                       f": longer than the {RETRY_AFTER_CAP:.0f} s we wait")) from None
            time.sleep(max(0.0, retry.seconds))
            waited = True


class _RetryLater(Exception):
    def __init__(self, status: int, seconds: float, raw: str) -> None:
        super().__init__(status)
        self.status, self.seconds, self.raw = status, seconds, raw


def _retry_seconds(raw: str | None) -> float | None:
    if not raw:
        return None
    raw = raw.strip()
    if raw.isdigit():
        return float(raw)
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _follow(url: str, limits: Limits, state: FetchState | None) -> Response:
    current = url
    deadline = time.monotonic() + deadline_budget(limits)
    for _hop in range(limits.max_redirects + 1):
        scheme = urlsplit(current).scheme.lower()
        if scheme not in ("http", "https"):
            raise SourceError(f"refused redirect to a non-HTTP URL: {current}")
        headers = {"User-Agent": limits.user_agent, "Accept-Encoding": "gzip, deflate",
                   "Accept": "text/html, application/xhtml+xml, application/rss+xml, application/atom+xml, "
                             "application/xml;q=0.9, application/pdf;q=0.9, text/*;q=0.8, */*;q=0.5"}
        if state is not None and current == url:
            if state.etag:
                headers["If-None-Match"] = state.etag
            if state.last_modified:
                headers["If-Modified-Since"] = state.last_modified
        request = urllib.request.Request(current, headers=headers, method="GET")
        try:
            response = _OPENER.open(request, timeout=limits.timeout)
        except urllib.error.HTTPError as err:
            code = err.code
            err_headers = {k.lower(): v for k, v in err.headers.items()} if err.headers else {}
            err.close()
            if code in (301, 302, 303, 307, 308):
                location = err_headers.get("location")
                if not location:
                    raise SourceError(f"HTTP {code} redirect without a Location header") from None
                current = urljoin(current, location)
                continue
            if code == 304:
                return Response(current, 304, err_headers, b"", err_headers.get("etag") or (state and state.etag),
                                err_headers.get("last-modified") or (state and state.last_modified))
            if code in (429, 503):
                raw = err_headers.get("retry-after")
                seconds = _retry_seconds(raw)
                if seconds is not None:
                    raise _RetryLater(code, seconds, raw) from None
            raise SourceError(f"HTTP {code} {err.reason}") from None
        except TimeoutError as exc:
            raise SourceError(f"timed out after {limits.timeout:g} s waiting for the server") from exc
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise SourceError(f"timed out after {limits.timeout:g} s connecting") from exc
            raise SourceError(f"could not connect: {reason}") from exc
        except (ValueError, OSError, http.client.HTTPException) as exc:
            raise SourceError(f"HTTP request failed: {exc}") from exc
        with response:
            resp_headers = {k.lower(): v for k, v in response.headers.items()}
            body = _read_body(response, resp_headers, limits, deadline)
        return Response(current, response.status, resp_headers, body, resp_headers.get("etag"),
                        resp_headers.get("last-modified"))
    raise SourceError(f"too many redirects (more than {limits.max_redirects})")


def _read_body(response, headers: dict[str, str], limits: Limits, deadline: float) -> bytes:
    length = headers.get("content-length")
    if length and length.isdigit() and int(length) > limits.max_bytes:
        raise SourceError(f"response too large: Content-Length {int(length):,} bytes exceeds the limit of "
                          f"{limits.max_bytes:,} bytes")
    encoding = (headers.get("content-encoding") or "").strip().lower()
    inflater = None
    if encoding in ("gzip", "x-gzip"):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        inflater = zlib.decompressobj()
    chunks: list[bytes] = []
    size = 0
    raw_size = 0
    try:
        while True:
            if time.monotonic() > deadline:
                raise SourceError(f"timed out: the body took longer than {deadline_budget(limits):g} s")
            chunk = response.read1(_CHUNK) if hasattr(response, "read1") else response.read(_CHUNK)
            if not chunk:
                break
            raw_size += len(chunk)
            if raw_size > limits.max_bytes:
                raise SourceError(f"response too large: more than the limit of {limits.max_bytes:,} bytes")
            if inflater is not None:
                chunk = inflater.decompress(chunk, limits.max_bytes + 1 - size)
                if inflater.unconsumed_tail:
                    raise SourceError(f"response too large: the {encoding} body inflates past the limit of "
                                      f"{limits.max_bytes:,} bytes")
            size += len(chunk)
            if size > limits.max_bytes:
                raise SourceError(f"response too large: more than the limit of {limits.max_bytes:,} bytes")
            chunks.append(chunk)
    except TimeoutError as exc:
        raise SourceError(f"timed out after {limits.timeout:g} s reading the response") from exc
    except zlib.error as exc:
        raise SourceError(f"corrupt {encoding} response body: {exc}") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise SourceError(f"connection failed while reading the response: {exc}") from exc
    return b"".join(chunks)


def deadline_budget(limits: Limits) -> float:
    """Wall-clock bound on one fetch (all hops and the body): slow-drip servers cannot hold a worker forever."""
    return max(limits.timeout * 3, limits.timeout + 5)
