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


# the main navigation, in its order: (key of NAV, label, the pages it is current on, who sees it). A page is a URL
# name, or a prefix of URL names ending in "*"; "home" without parameters is the home page, "home?" with them the
# search. Who sees it: everyone (None), a permission, "signed-in" or "staff".
MENU = (
    ("home", "Home", ("home",), None),
    ("search_page", "Search", ("search-page", "home?"), None),
    ("feed", "Latest feed items", ("feed",), None),
    ("stories", "Stories", ("monitor-stor*",), None),
    ("places", "Places & actors", ("entities", "entity"), None),
    ("practices", "Practices", ("practices",), None),
    ("events", "Events", ("events",), None),
    ("network", "Network", ("network", "network-edge"), None),
    ("cities", "Cities", ("connect-cit*",), None),
    ("library", "Research library", ("connect-reso*",), None),
    ("indices", "Indices", ("compare-*",), None),
    ("consult", "Consultations", ("consult-*",), None),
    ("incidents", "Incident reports", ("incidents*",), None),
    ("sources", "Sources", ("sources",), None),
    ("stats", "Statistics", ("stats",), None),
    ("peers", "Peer exchange", ("connect-peer*",), "connect.submit_practice"),
    ("alerts", "Alerts", ("monitor-aler*",), "signed-in"),
    ("notifications", "Notifications", ("monitor-noti*",), "signed-in"),
    ("code_home", "Coding", ("code-*",), "web.code_document"),
    ("ingest", "Ingest", ("ingest",), "web.ingest_document"),
    ("duplicates", "Duplicates", ("curate-duplicates",), "web.change_entity"),
    ("admin", "Admin", (), "staff"),
)


def _sees(user, who: str | None) -> bool:
    if who is None:
        return True
    if user is None or not user.is_authenticated:
        return False
    if who == "signed-in":
        return True
    if who == "staff":
        return user.is_staff
    return user.has_perm(who)


def _current(request, pages: tuple[str, ...]) -> bool:
    match = getattr(request, "resolver_match", None)
    name = (match.url_name if match else None) or ""
    if name == "home":
        return ("home?" if request.GET else "home") in pages
    return any(name.startswith(page[:-1]) if page.endswith("*") else name == page for page in pages)


def menu(request) -> list[tuple[str, str, bool]]:
    """The main navigation for this request: ``(path, label, current)`` of each item the visitor may see."""
    user = getattr(request, "user", None)
    links = paths(get_script_prefix())
    return [(links[key], label, _current(request, pages)) for key, label, pages, who in MENU if _sees(user, who)]


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
