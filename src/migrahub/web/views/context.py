"""Context every page gets: the hub's version, the visitor's role and the navigation's paths."""

import functools

from django.conf import settings
from django.urls import get_script_prefix, reverse

from migrahub import __version__
from migrahub.web.roles import role_of

NAV = {"home": ("home",), "search": ("search",), "search_page": ("search-page",), "api_docs": ("api-docs",),
       "analysis": ("code-analysis",), "duplicates": ("curate-duplicates",), "feed": ("feed",),
       "places": ("entities", "places"), "practices": ("practices",), "events": ("events",), "network": ("network",),
       "sources": ("sources",), "stats": ("stats",), "code_home": ("code-home",), "ingest": ("ingest",),
       "admin": ("admin:index",), "login": ("login",), "logout": ("logout",), "api_schema": ("api:openapi-json",),
       "entity": ("entity", 0), "document": ("document", 0), "stories": ("monitor-stories",),
       "alerts": ("monitor-alerts",), "notifications": ("monitor-notifications",), "indices": ("compare-home",),
       "consult": ("consult-index",), "incidents": ("incidents",), "library": ("connect-resources",),
       "cities": ("connect-cities",), "peers": ("connect-peer-requests",)}


@functools.lru_cache(maxsize=8)
def paths(prefix: str) -> dict[str, str]:
    """The navigation's paths under a script prefix, reversed once per process (``entity`` and ``document`` end
    with the slash before the id)."""
    out = {key: reverse(name, args=list(args)) for key, (name, *args) in NAV.items()}
    out["entity"], out["document"] = out["entity"][:-1], out["document"][:-1]
    return out


def hub(request) -> dict:
    user = getattr(request, "user", None)
    return {
        "hub_version": __version__,
        "hub_role": role_of(user) if user is not None else None,
        "can_ingest": bool(user and user.is_authenticated and user.has_perm("web.ingest_document")),
        "can_curate": bool(user and user.is_authenticated and user.has_perm("web.change_entity")),
        "anonymous_read": settings.MIGRAHUB_ANONYMOUS_READ,
        "nav": paths(get_script_prefix()),
    }
