"""The hub's roles as Django groups: reader ⊂ coder ⊂ curator ⊂ admin.

- reader: read everything (``web.view_document``);
- coder: + code passages (``web.code_document``);
- curator: + ingest sources, edit document metadata and entity records (edit, merge, split), load codebooks, use
  the Django admin (``is_staff``);
- admin: everything (``is_superuser``), including accounts.
"""

from __future__ import annotations

ROLES = ("reader", "coder", "curator", "admin")
_READ = ["view_document", "view_source", "view_entity"]
_CURATE = ["ingest_document", "change_document", "change_entity", "manage_codebook", "view_apitoken"]
PERMISSIONS = {
    "reader": _READ,
    "coder": [*_READ, "code_document"],
    "curator": [*_READ, "code_document", *_CURATE],
    "admin": [*_READ, "code_document", *_CURATE],
}


def ensure_roles() -> None:
    """Create (or complete) the four groups and their permissions; idempotent."""
    from django.contrib.auth.models import Group, Permission

    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        perms = Permission.objects.filter(content_type__app_label="web", codename__in=PERMISSIONS[role])
        group.permissions.add(*perms)


def on_post_migrate(sender, **kwargs) -> None:
    ensure_roles()


def role_of(user) -> str | None:
    """The highest role a user holds, or ``None`` (anonymous or no group)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return "admin"
    names = set(user.groups.values_list("name", flat=True))
    for role in reversed(ROLES):
        if role in names:
            return role
    return None
