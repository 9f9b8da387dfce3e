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


def grant_feature_permissions(app_label: str, model: str, permissions: dict[str, tuple[str, tuple[str, ...]]]) -> None:
    """Create a feature's permissions (``codename → (name, roles)``) under ``app_label.model`` and give each to the
    hub's roles that hold it; idempotent (run by the feature's app after every migrate)."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    kind, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    for codename, (name, roles) in permissions.items():
        perm, _ = Permission.objects.get_or_create(content_type=kind, codename=codename, defaults={"name": name})
        for role in roles:
            group, _ = Group.objects.get_or_create(name=role)
            group.permissions.add(perm)


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
