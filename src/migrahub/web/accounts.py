"""Accounts: creating users with a role and API tokens (sign-in throttling: :mod:`migrahub.web.throttle`).

Every account write is recorded in the hub's append-only action log (``actions``) with who did it.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from migrahub.services import curation
from migrahub.services.documents import reader
from migrahub.web.models import ApiToken, hash_token
from migrahub.web.roles import ROLES, ensure_roles


class AccountError(ValueError):
    """A user or token cannot be created; the message says why."""


def log(actor: str, verb: str, object_type: str | None = None, object_id=None, payload: dict | None = None) -> None:
    curation.record(reader(settings.MIGRAHUB_DB), actor, verb, object_type, object_id, payload)


def create_user(username: str, role: str, password: str, *, email: str = "", actor: str = "cli"):
    """Create a user holding ``role`` (reader, coder, curator or admin) with a validated, hashed password."""
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    User = get_user_model()
    if not username or User.objects.filter(username=username).exists():
        raise AccountError(f"user {username!r} already exists" if username else "the user name is empty")
    candidate = User(username=username, email=email)
    try:
        password_validation.validate_password(password, candidate)
    except Exception as exc:  # ValidationError: list of messages
        raise AccountError("password refused: " + " ".join(getattr(exc, "messages", [str(exc)]))) from exc
    ensure_roles()
    with transaction.atomic():
        user = User.objects.create_user(username=username, email=email, password=password,
                                        is_staff=role in ("curator", "admin"), is_superuser=role == "admin")
        user.groups.add(Group.objects.get(name=role))
    log(actor, "user.create", "user", username, {"role": role})
    return user


def create_token(username: str, name: str = "", *, actor: str = "cli") -> str:
    """Issue an API token for ``username``; returns the raw token (shown once, only its hash is kept)."""
    User = get_user_model()
    try:
        user = User.objects.get(username=username)
    except User.DoesNotExist:
        raise AccountError(f"no user {username!r} (create one with `migrahub user create`)") from None
    token, raw = ApiToken.issue(user, name)
    log(actor, "token.create", "user", username, {"token": token.prefix, "name": name})
    return raw


def user_for_token(raw: str):
    """The active user owning this raw API token, or ``None``."""
    if not raw or not raw.startswith("mh_"):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used is None or now - token.last_used > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user
