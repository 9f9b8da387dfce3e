"""Security headers and the read-access rule.

Django's own middleware sets X-Content-Type-Options, Referrer-Policy, Cross-Origin-Opener-Policy and
X-Frame-Options (DENY); this adds a strict Content-Security-Policy (no inline scripts or styles, nothing from other
origins) and a Permissions-Policy.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login

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


OPEN_PREFIXES = ("/accounts/", "/static/", "/api/", "/admin/", "/healthz")


class ReadAccessMiddleware:
    """When ``MIGRAHUB_ANONYMOUS_READ`` is off, pages need a signed-in user (the API checks its own auth)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (not settings.MIGRAHUB_ANONYMOUS_READ and not request.user.is_authenticated
                and not request.path.startswith(OPEN_PREFIXES)):
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)
