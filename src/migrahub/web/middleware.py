"""Security headers, request bodies refused before they are read, and the read-access rule.

Django's own middleware sets X-Content-Type-Options, Referrer-Policy, Cross-Origin-Opener-Policy and
X-Frame-Options (DENY); this adds a strict Content-Security-Policy (no inline scripts or styles, nothing from other
origins) and a Permissions-Policy.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.files.uploadhandler import FileUploadHandler, MemoryFileUploadHandler, StopUpload
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


# reachable without signing in even on a private hub: sign-in, static files, the API (it checks its own auth), the
# private alert feeds and unsubscribe links (their secret token is the key) and the anonymous incident form
OPEN_PREFIXES = ("/accounts/", "/static/", "/api/", "/admin/", "/healthz", "/monitor/feeds/alert/",
                 "/monitor/alerts/unsubscribe/", "/incidents/report")


class ReadAccessMiddleware:
    """When ``MIGRAHUB_ANONYMOUS_READ`` is off, pages need a signed-in user (the API checks its own auth)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (not settings.MIGRAHUB_ANONYMOUS_READ and not request.user.is_authenticated
                and not request.path.startswith(OPEN_PREFIXES)):
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)


# -------------------------------------------------------------------------------------------------- request bodies

BODYLESS = ("GET", "HEAD", "OPTIONS", "TRACE")
MULTIPART_MARGIN = 64 * 1024  # form fields and multipart headers around an uploaded file
WWW_AUTHENTICATE = 'Bearer realm="MigraHub API"'


@dataclass(frozen=True)
class UploadRoute:
    """A path that accepts a file: who may send one and how large it may be."""

    pattern: re.Pattern
    permission: str
    limit: Callable[[], int]  # the largest body (file) accepted, in bytes
    api: bool


def _upload_limit() -> int:
    return settings.MIGRAHUB_UPLOAD_MAX_BYTES


def _form_limit() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _bibliography_limit() -> int:
    from migrahub.connect.reading import MAX_BYTES

    return MAX_BYTES


def _codebook_limit() -> int:
    from migrahub.coding.codebook import CODEBOOK_MAX_BYTES

    return CODEBOOK_MAX_BYTES


UPLOAD_ROUTES = (
    UploadRoute(re.compile(r"/curate/ingest/?"), "web.ingest_document", _upload_limit, False),
    UploadRoute(re.compile(r"/api/ingest/upload/?"), "web.ingest_document", _upload_limit, True),
    UploadRoute(re.compile(r"/api/ingest/?"), "web.ingest_document", _form_limit, True),
    UploadRoute(re.compile(r"/api/codebooks/?"), "web.manage_codebook", _codebook_limit, True),
    UploadRoute(re.compile(r"/code/import/?"), "web.ingest_document", _upload_limit, False),
    UploadRoute(re.compile(r"/library/resources/import/?"), "connect.curate_practice", _bibliography_limit, False),
    UploadRoute(re.compile(r"/api/connect/resources/import/?"), "connect.curate_practice", _bibliography_limit, True),
)


class _LimitHandler(FileUploadHandler):
    """First of the upload handlers: counts every file byte as it streams in and stops the upload past the limit
    (Django then closes, and so deletes, what the next handlers spooled)."""

    def __init__(self, request, limit: int) -> None:
        super().__init__(request)
        self.limit, self.received, self.exceeded = limit, 0, False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=True)  # read no further
        return raw_data

    def file_complete(self, file_size):
        return None


def _content_length(request) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0  # Django reads no body then either


def _caller(request):
    """The user a request acts as: an API token's owner, else the session's user, else None."""
    from migrahub.web import accounts

    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        user = accounts.user_for_token(header[7:].strip())
        if user is not None:
            return user
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _too_large(request, limit: int, api: bool) -> HttpResponse:
    message = f"request body larger than the limit of {limit:,} bytes"
    if api:
        return JsonResponse({"detail": message}, status=413)
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


def _unauthenticated(request, api: bool) -> HttpResponse:
    if not api:
        return redirect_to_login(request.get_full_path())
    response = JsonResponse({"detail": "sign in or send an API token"}, status=401)
    response["WWW-Authenticate"] = WWW_AUTHENTICATE
    return response


def _forbidden(request, user, api: bool) -> HttpResponse:
    from migrahub.web.roles import role_of

    message = f"your role ({role_of(user) or 'none'}) does not allow this"
    if api:
        return JsonResponse({"detail": message}, status=403)
    # rendered here: Django's 403 handler (raising PermissionDenied) checks CSRF first, which reads the body
    return render(request, "403.html", status=403)


class RequestBodyGuardMiddleware:
    """Refuse request bodies before anything reads them (CSRF checks and views read ``request.POST``).

    Upload routes (:data:`UPLOAD_ROUTES`): the caller must be signed in (or send an API token) and hold the route's
    permission, else 401/redirect or 403 with nothing read; a body larger than the file limit is refused from its
    Content-Length (413), and the file is counted while it streams in and dropped past the limit. Any other write:
    an anonymous API write is refused (401) unread, and bodies are kept in memory and bounded by
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (no file is spooled to disk for them).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in BODYLESS:
            return self.get_response(request)
        path = request.path_info
        api = path.startswith("/api/")
        route = next((r for r in UPLOAD_ROUTES if r.pattern.fullmatch(path)), None)
        caller = _caller(request)
        if route is None:
            if api and caller is None:
                return _unauthenticated(request, api=True)
            limit = _form_limit()
            handlers = [_LimitHandler(request, limit), MemoryFileUploadHandler(request)]
        else:
            if caller is None:
                return _unauthenticated(request, route.api)
            if not caller.has_perm(route.permission):
                return _forbidden(request, caller, route.api)
            limit = route.limit()
            handlers = [_LimitHandler(request, limit), *request.upload_handlers]
        if _content_length(request) > limit + MULTIPART_MARGIN:
            return _too_large(request, limit, api)
        request.upload_handlers = handlers
        if request.content_type == "multipart/form-data":
            request.FILES  # noqa: B018 - parse now, bounded, before CSRF checks or views read it
            if handlers[0].exceeded:
                return _too_large(request, limit, api)
        return self.get_response(request)
