from django.conf import settings

from migrahub import __version__
from migrahub.web.roles import role_of


def hub(request) -> dict:
    user = getattr(request, "user", None)
    return {
        "hub_version": __version__,
        "hub_role": role_of(user) if user is not None else None,
        "can_ingest": bool(user and user.is_authenticated and user.has_perm("web.ingest_document")),
        "anonymous_read": settings.MIGRAHUB_ANONYMOUS_READ,
    }
