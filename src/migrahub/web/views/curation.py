"""Curation pages: possible duplicate records with their mention counts, merged with one click; the report of the
last ingest (new documents, their records, failures). Thin: read parameters, call services, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from migrahub.services import curation, entities, entity_pages
from migrahub.services.documents import reader
from migrahub.web import hubcache

PERM = "web.change_entity"
DUPLICATES_TTL = 300  # seconds the candidates of an unchanged hub are kept (they compare every record's name)


@login_required
@permission_required(PERM, raise_exception=True)
def duplicates(request):
    conn = reader(settings.MIGRAHUB_DB)
    category = request.GET.get("category") or None
    if category:
        try:
            category = entity_pages.category_of(category)
        except ValueError:
            category = None
    pairs = hubcache.cached(conn, "duplicates", (category,),
                            lambda: curation.possible_duplicates(conn, category=category), DUPLICATES_TTL) \
        if entity_pages.available(conn) else []
    return render(request, "web/duplicates.html", {
        "pairs": pairs, "category": category, "categories": list(entity_pages.SINGULAR),
        "here": request.get_full_path()})


@require_POST
@login_required
@permission_required(PERM, raise_exception=True)
def merge(request):
    """Merge one record into another (``source`` into ``into``), then back to the list."""
    back = request.POST.get("next") or reverse("curate-duplicates")
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("curate-duplicates")
    try:
        source, into = int(request.POST.get("source", "")), int(request.POST.get("into", ""))
    except ValueError:
        messages.error(request, "source, into: choose two records")
        return redirect(back)
    conn = reader(settings.MIGRAHUB_DB)
    names = {r: (entity_pages.summary(conn, r) or {}).get("name", f"record {r}") for r in (source, into)}
    try:
        entities.merge_entities(settings.MIGRAHUB_DB, source, into, request.user.get_username())
    except ValueError as exc:
        messages.error(request, f"Not merged: {exc}")
    else:
        from django.core.cache import cache

        cache.clear()  # cached networks, statistics and candidates name records that just changed
        messages.success(request, f"Merged “{names[source]}” ({source}) into “{names[into]}” ({into}).")
    return redirect(back)


def duplicates_url(category: str | None = None) -> str:
    base = reverse("curate-duplicates")
    return f"{base}?{urlencode({'category': category})}" if category else base


@login_required
@permission_required(PERM, raise_exception=True)
def synonyms_page(request):
    """The curators' synonym groups of the search: list, add (one term per line), remove."""
    from migrahub.services import synonyms
    from migrahub.store.database import connect

    error = None
    if request.method == "POST":
        conn = connect(settings.MIGRAHUB_DB)
        try:
            if request.POST.get("remove"):
                synonyms.remove_group(conn, int(request.POST["remove"]), request.user.get_username())
                messages.success(request, "Synonym group removed.")
            else:
                terms = synonyms.add_group(conn, request.POST.get("terms", ""), request.user.get_username())
                messages.success(request, f"Synonym group added: {', '.join(terms)}.")
            return redirect("curate-synonyms")
        except (synonyms.SynonymError, ValueError) as exc:
            error = str(exc)
        finally:
            conn.close()
    conn = reader(settings.MIGRAHUB_DB)
    return render(request, "web/synonyms.html", {
        "groups": synonyms.curated_groups(conn), "builtin": len(synonyms.groups(conn)) - len(
            synonyms.curated_groups(conn)), "error": error, "terms": request.POST.get("terms", "")},
        status=400 if error else 200)
