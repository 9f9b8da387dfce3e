from django.contrib import admin
from django.urls import include, path, re_path, register_converter

from migrahub.web.api import api
from migrahub.web.converters import NameSegment
from migrahub.web.views import analysis, apidocs, auth, entities, library, pages
from migrahub.web.views import coding as code_views
from migrahub.web.views import curation as curate_views

register_converter(NameSegment, "name")
admin.site.site_header = "MigraHub curation"
admin.site.site_title = "MigraHub"

urlpatterns = [
    path("", pages.home, name="home"),
    path("", pages.search, name="search"),  # the same address: with parameters the home page is the search
    path("search", pages.search, name="search-page"),
    re_path(r"^export\.(?P<fmt>csv|json)$", pages.export, name="export"),
    path("documents/<int:document_id>", pages.document, name="document"),
    path("feed", pages.feed, name="feed"),
    path("entities/<int:entity_id>", entities.entity, name="entity"),
    path("entities/<str:category>", entities.entity_list, name="entities"),
    path("practices", library.practice_library, name="practices"),
    path("events", library.event_calendar, name="events"),
    path("network", library.network_view, name="network"),
    path("network.json", library.network_json, name="network-json"),
    path("network.graphml", library.network_graphml, name="network-graphml"),
    path("network.gexf", library.network_gexf, name="network-gexf"),
    path("network/links/<int:a>-<int:b>", library.network_edge, name="network-edge"),
    path("sources", pages.sources, name="sources"),
    path("stats", pages.stats, name="stats"),
    path("curate/ingest", auth.ingest, name="ingest"),
    path("curate/duplicates", curate_views.duplicates, name="curate-duplicates"),
    path("curate/merge", curate_views.merge, name="curate-merge"),
    path("curate/synonyms", curate_views.synonyms_page, name="curate-synonyms"),
    path("code/", code_views.home, name="code-home"),
    path("code/review", code_views.review, name="code-review"),
    path("code/review/bulk", code_views.review_bulk, name="code-review-bulk"),
    path("code/undo", code_views.undo, name="code-undo"),
    path("code/suggest", code_views.suggest, name="code-suggest"),
    path("code/analysis", analysis.frequencies, name="code-analysis"),
    path("code/analysis/cooccurrence", analysis.cooccurrence, name="code-cooccurrence"),
    path("code/analysis/documents", analysis.by_document, name="code-by-document"),
    path("code/analysis/agreement", analysis.agreement, name="code-agreement"),
    path("code/export.qdpx", analysis.export_qdpx, name="code-export-qdpx"),
    path("code/import", analysis.import_project, name="code-import"),
    path("code/codebooks/<name:name>", code_views.codebook, name="code-codebook"),
    path("code/codebooks/<name:name>/codes/<name:code_id>", code_views.code_passages, name="code-passages"),
    path("code/colours/<name:name>.css", code_views.colours, name="code-colours"),
    path("code/<int:document_id>", code_views.document, name="code-document"),
    path("code/<int:document_id>/act", code_views.act, name="code-act"),
    path("accounts/login/", auth.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth.LogoutView.as_view(), name="logout"),
    path("healthz", pages.healthz, name="healthz"),
    path("", include("migrahub.web.monitor.urls")),
    path("", include("migrahub.web.consult.urls")),
    path("", include("migrahub.web.compare.urls")),
    path("", include("migrahub.web.connect.urls")),
    path("", include("migrahub.web.jobs.urls")),
    path("admin/", admin.site.urls),
    path("api/", apidocs.docs, name="api-home"),
    path("api/docs", apidocs.docs, name="api-docs"),
    path("api/", api.urls),
]
