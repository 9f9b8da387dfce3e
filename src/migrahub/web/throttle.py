"""Sign-in throttling for every login form of the hub (``/accounts/login/``, ``/admin/login/`` and any later one).

One mechanism: the hub's only authentication backend (:class:`ThrottledModelBackend`) refuses a locked attempt
before the password is checked, and Django's ``user_login_failed`` signal records each failure (``LoginFailure``).
Two locks, both counted over the last ``MIGRAHUB_LOGIN_LOCK_MINUTES``:

- a user name from one client: ``MIGRAHUB_LOGIN_MAX_FAILURES`` failures lock that pair (the right password is
  refused too while it lasts; the user can still sign in from elsewhere);
- one client across user names: ``MIGRAHUB_LOGIN_MAX_CLIENT_FAILURES`` failures lock every sign-in from it.

The client is ``REMOTE_ADDR``, or — only when ``REMOTE_ADDR`` is one of ``MIGRAHUB_TRUSTED_PROXIES`` — the nearest
address of ``X-Forwarded-For`` that is not a trusted proxy, so behind a reverse proxy one visitor cannot lock others
out, and a visitor talking to the hub directly cannot choose its address by sending the header. Each lock is
written to the action log when it engages (``user.login_locked``), each password sign-in too (``user.login``).
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.utils import timezone

from migrahub.web.models import LoginFailure

LOCK = "migrahub_login_lock"  # request attribute: "user" or "client" when this attempt is (now) locked
VIA_PASSWORD = "migrahub_login_ip"  # request attribute: set when a password sign-in went through the backend


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    out = []
    for entry in entries:
        try:
            out.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(f"MIGRAHUB_TRUSTED_PROXIES: {entry!r} is not an IP address or network "
                                       f"(e.g. 10.0.0.5 or 10.0.0.0/24)") from None
    return tuple(out)


def _trusted() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return _networks(tuple(settings.MIGRAHUB_TRUSTED_PROXIES))


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _is_trusted(address) -> bool:
    return any(address in network for network in _trusted())


def client_ip(request) -> str:
    """The address throttling counts for this request (see the module's doc)."""
    remote = request.META.get("REMOTE_ADDR") or ""
    address = _address(remote)
    if address is None:
        return remote or "unknown"
    if not _is_trusted(address):
        return str(address)
    client = address
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        hop_address = _address(hop)
        if hop_address is None:
            break  # a hop no proxy of ours wrote: the last trusted hop is the client we know
        client = hop_address
        if not _is_trusted(hop_address):
            break
    return str(client)


def _since():
    return timezone.now() - timedelta(minutes=settings.MIGRAHUB_LOGIN_LOCK_MINUTES)


def lock_of(username: str, ip: str) -> str | None:
    """``"client"`` or ``"user"`` while that lock holds for this attempt, else ``None``."""
    recent = LoginFailure.objects.filter(ip=ip, at__gte=_since())
    if recent.count() >= settings.MIGRAHUB_LOGIN_MAX_CLIENT_FAILURES:
        return "client"
    if username and recent.filter(username=username.lower()).count() >= settings.MIGRAHUB_LOGIN_MAX_FAILURES:
        return "user"
    return None


def record_failure(username: str, ip: str, path: str = "") -> str | None:
    """Record a failed sign-in; returns the lock it engages (logged in the action log), if any."""
    from migrahub.web.accounts import log

    username = (username or "").lower()[:150]
    LoginFailure.objects.create(username=username, ip=ip[:64])
    LoginFailure.objects.filter(at__lt=timezone.now() - timedelta(days=1)).delete()
    lock = lock_of(username, ip)
    if lock:
        log(f"anonymous@{ip}", "user.login_locked", "user" if lock == "user" else "client",
            username if lock == "user" else ip, {"ip": ip, "scope": lock, "user": username, "form": path})
    return lock


def clear_failures(username: str, ip: str) -> None:
    """A successful sign-in clears its own user name's failures from that client (not the client's others)."""
    LoginFailure.objects.filter(username=(username or "").lower(), ip=ip).delete()


class ThrottledModelBackend(ModelBackend):
    """Django's user/password backend, refusing attempts that a lock holds before checking the password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:  # not a web sign-in (a management command): nothing to throttle
            return super().authenticate(request, username, password, **kwargs)
        ip = client_ip(request)
        name = username if username is not None else kwargs.get("username", "")
        lock = lock_of(name or "", ip)
        if lock:
            setattr(request, LOCK, lock)
            raise PermissionDenied(f"sign-in locked ({lock})")  # stops every backend; the form says why
        user = super().authenticate(request, username, password, **kwargs)
        if user is not None:
            setattr(request, VIA_PASSWORD, ip)
        return user


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    if request is None or getattr(request, LOCK, None):
        return  # not a web sign-in, or refused by a lock already (not counted again)
    lock = record_failure(credentials.get("username", ""), client_ip(request), request.path)
    if lock:
        setattr(request, LOCK, lock)


def on_logged_in(sender, request, user, **kwargs) -> None:
    ip = getattr(request, VIA_PASSWORD, None) if request is not None else None
    if ip is None:
        return  # not a password sign-in (a test's force_login, a token)
    from migrahub.web.accounts import log

    clear_failures(user.get_username(), ip)
    log(user.get_username(), "user.login", "user", user.get_username(), {"ip": ip, "form": request.path})
