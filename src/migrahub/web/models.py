"""Django-side tables of the hub (API tokens, login throttling) and unmanaged views of the core tables.

Core tables (``documents``, ``sources``, ``passages``, ``entities``) are created and migrated by ``migrahub.store``
only; the unmanaged models below let the Django admin list them and carry the hub's permissions.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models

TOKEN_PREFIX = "mh_"


def hash_token(raw: str) -> str:
    """SHA-256 of an API token (tokens are 256-bit random, so a fast hash is enough and lookups stay O(1))."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its hash is stored; the raw token is shown once at creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True, default="")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=12, editable=False, help_text="first characters, to recognise a token")
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, user, name: str = "") -> tuple[ApiToken, str]:
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=hash_token(raw), prefix=raw[:10])
        return token, raw


class LoginFailure(models.Model):
    """One failed sign-in for a user name from a client address; enough recent ones lock that pair, or the client
    across user names, for a while (:mod:`migrahub.web.throttle`)."""

    username = models.CharField(max_length=150)
    ip = models.CharField(max_length=64)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["username", "ip", "at"]),
                   models.Index(fields=["ip", "at"], name="web_loginfailure_client")]


class Source(models.Model):
    """The core ``sources`` table (read-only here)."""

    locator = models.TextField(unique=True)
    kind = models.TextField()
    fetched_at = models.TextField(null=True)
    status = models.TextField()
    error = models.TextField(null=True)
    item_count = models.IntegerField()

    class Meta:
        managed = False
        db_table = "sources"

    def __str__(self) -> str:
        return self.locator


class Document(models.Model):
    """The core ``documents`` table; carries the hub's role permissions (read, code, ingest, curate)."""

    title = models.TextField(null=True, blank=True)
    published = models.TextField(null=True, blank=True)
    language = models.TextField(null=True, blank=True)
    doc_type = models.TextField()
    content_type = models.TextField()
    source_kind = models.TextField()
    author = models.TextField(null=True, blank=True)
    url = models.TextField(null=True, blank=True)
    summary = models.TextField(null=True, blank=True)
    superseded = models.IntegerField()
    created_at = models.TextField()

    class Meta:
        managed = False
        db_table = "documents"
        default_permissions = ("view", "change")
        permissions = [
            ("ingest_document", "Can ingest sources into the hub"),
            ("code_document", "Can code passages"),
            ("manage_codebook", "Can load and update codebooks"),
        ]

    def __str__(self) -> str:
        return self.title or f"document {self.pk}"


class Entity(models.Model):
    """The core ``entities`` table: one resolved record (place, organisation, initiative, person, event, practice,
    resource). The admin lists it; its edits and merges go through :mod:`migrahub.services.entities` (logged)."""

    category = models.TextField()
    name = models.TextField()
    data = models.TextField(help_text="the record as JSON")
    merged_into = models.IntegerField(null=True, blank=True, help_text="the record this one was merged into")
    curated = models.BooleanField(default=False, help_text="edited by a curator: extraction no longer overwrites it")
    created_at = models.TextField()
    updated_at = models.TextField()

    class Meta:
        managed = False
        db_table = "entities"
        default_permissions = ("view", "change")
        verbose_name = "entity record"

    def __str__(self) -> str:
        return f"{self.name} ({self.category} {self.pk})"
