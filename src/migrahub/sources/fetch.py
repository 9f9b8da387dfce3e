"""HTTP GET with the stdlib under the hub's egress policy: timeouts, a size limit, a redirect limit, conditional GET
and Retry-After.

Every hop goes through :mod:`migrahub.sources.egress` (http/https only, the host resolved once and every address
checked, the connection made to the checked address); redirects are followed by hand so that each hop is counted and
checked again. The body is streamed and the fetch stops as soon as it passes ``limits.max_bytes``; gzip/deflate bodies
are inflated with the same bound.
"""

from __future__ import annotations

import email.utils
import http.client
import ssl
import time
import zlib
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from migrahub.sources import FetchState, Limits, egress
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


class HTTPStatusError(SourceError):
    """The server answered with an error status (``status``)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


class RetryLater(SourceError):
    """The server answered 429 or 503 with a ``Retry-After`` of ``seconds`` (raised when the caller does not wait)."""

    def __init__(self, status: int, seconds: float, raw: str) -> None:
        super().__init__(f"HTTP {status} with Retry-After {raw!r} ({seconds:.0f} s)")
        self.status, self.seconds, self.raw = status, seconds, raw


def fetch(url: str, limits: Limits = Limits(), state: FetchState | None = None, *, wait_retry: bool = True
          ) -> Response:
    """GET ``url``; raises :class:`SourceError` with a reason naming the URL's problem.

    On 429/503 with ``Retry-After`` the fetch waits once (up to :data:`RETRY_AFTER_CAP`); with ``wait_retry=False``
    it raises :class:`RetryLater` at once instead (a scheduler that comes back later)."""
    waited = False
    while True:
        try:
            return _follow(url, limits, state)
        except _RetryLater as retry:
            if not wait_retry:
                raise RetryLater(retry.status, retry.seconds, retry.raw) from None
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


_ACCEPT = ("text/html, application/xhtml+xml, application/rss+xml, application/atom+xml, application/xml;q=0.9, "
           "application/pdf;q=0.9, text/*;q=0.8, */*;q=0.5")
_REDIRECTS = (301, 302, 303, 307, 308)


def _follow(url: str, limits: Limits, state: FetchState | None) -> Response:
    current = url
    deadline = time.monotonic() + deadline_budget(limits)
    allowed = egress.allowance()
    for hop in range(limits.max_redirects + 1):
        if hop and urlsplit(current).scheme.lower() not in egress.SCHEMES:
            raise SourceError(f"refused redirect to a non-HTTP URL: {current[:300]}")
        target = egress.resolve(current, allowed)
        headers = {"User-Agent": limits.user_agent, "Accept-Encoding": "gzip, deflate", "Accept": _ACCEPT}
        if state is not None and current == url:
            if state.etag:
                headers["If-None-Match"] = state.etag
            if state.last_modified:
                headers["If-Modified-Since"] = state.last_modified
        conn = egress.connection(target, limits.timeout)
        try:
            response = _request(conn, target, headers, limits)
            code = response.status
            resp_headers = {k.lower(): v for k, v in response.getheaders()}
            if code in _REDIRECTS:
                location = resp_headers.get("location")
                if not location:
                    raise SourceError(f"HTTP {code} redirect without a Location header")
                current = urljoin(current, location.strip())
                continue
            if code == 304:
                return Response(current, 304, resp_headers, b"", resp_headers.get("etag") or (state and state.etag),
                                resp_headers.get("last-modified") or (state and state.last_modified))
            if code in (429, 503):
                raw = resp_headers.get("retry-after")
                seconds = _retry_seconds(raw)
                if seconds is not None:
                    raise _RetryLater(code, seconds, raw)
            if not 200 <= code < 300:
                raise HTTPStatusError(code, f"HTTP {code} {response.reason}".rstrip())
            body = _read_body(response, resp_headers, limits, deadline)
            return Response(current, code, resp_headers, body, resp_headers.get("etag"),
                            resp_headers.get("last-modified"))
        finally:
            conn.close()
    raise SourceError(f"too many redirects (more than {limits.max_redirects})")


def _request(conn: http.client.HTTPConnection, target: egress.Target, headers: dict[str, str], limits: Limits
             ) -> http.client.HTTPResponse:
    """Send the GET and read the status line and headers. A target that cannot be connected to raises
    :class:`~migrahub.sources.egress.Unreachable` (from the connection itself); what a reachable server does wrong
    is reported as such."""
    try:
        conn.request("GET", target.path, headers=headers)
        return conn.getresponse()
    except SourceError:
        raise
    except TimeoutError as exc:
        raise SourceError(f"timed out after {limits.timeout:g} s waiting for the server") from exc
    except ssl.SSLCertVerificationError as exc:
        raise SourceError(f"secure connection refused: the certificate of {target.host} is not valid "
                          f"({exc.verify_message or exc.reason})") from exc
    except ssl.SSLError as exc:
        raise SourceError(f"secure connection failed: {exc.reason or exc}") from exc
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise SourceError(f"HTTP request failed: {exc or type(exc).__name__}") from exc


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
